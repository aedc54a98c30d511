// Generated from the Rust types by fleet-ops; do not edit.
// Regenerate: STAMPFLEET_WRITE_GENERATED=1 cargo test -p fleet-ops --test generated

export type TenantId = string;

export type StampId = string;

export type RegionId = string;

export type ProviderId = string;

export type TemplateName = string;

export type TemplateVersion = string;

export type CountryCode = string;

export type Region = { id: RegionId, provider: ProviderId, 
/**
 * The provider's own code, e.g. `westeurope` or `eu-west-1`.
 */
code: string, displayName: string, city: string, country: CountryCode, 
/**
 * The provider's geography grouping, e.g. `Europe`.
 */
geography: string, latitude: number, longitude: number, 
/**
 * True for regions shipped with Stampfleet; false for operator-defined ones.
 */
builtin: boolean, };

export type Isolation = "shared" | "dedicated";

export type StampTemplate = { name: TemplateName, version: TemplateVersion, 
/**
 * Capacity units a stamp of this template offers unless the stamp overrides it.
 */
capacityUnits: number, isolation: Isolation, description: string, 
/**
 * The tenant tiers this template serves; empty means every tier.
 */
tiers?: Array<Tier>, 
/**
 * What this version changes, for the operators rolling it out.
 */
releaseNotes?: string, };

export type StampStatus = "planned" | "provisioning" | "active" | "draining" | "retired" | "failed";

export type Stamp = { id: StampId, region: RegionId, template: TemplateName, templateVersion: TemplateVersion, capacityUnits: number, status: StampStatus, 
/**
 * The stamp's API base URL, once it has one.
 */
endpoint: string | null, };

export type Tier = "free" | "standard" | "premium" | "enterprise";

export type Residency = { countries: Array<CountryCode>, geographies: Array<string>, regions: Array<RegionId>, };

export type Tenant = { id: TenantId, displayName: string, tier: Tier, 
/**
 * Capacity units this tenant takes on its stamp.
 */
sizeUnits: number, residency: Residency, isolation: Isolation, 
/**
 * A pinned tenant is never moved by rebalancing or draining.
 */
pinned: boolean, 
/**
 * Tenants of one anti-affinity group (e.g. one customer's) are spread over stamps.
 */
group?: string, };

export type Binding = { tenant: TenantId, stamp: StampId, version: number, };

export type Capacity = { totalUnits: number, usedUnits: number, };

export type CatalogueDocument = { schemaVersion: number, 
/**
 * Custom (operator-defined) regions only.
 */
regions: Array<Region>, templates: Array<StampTemplate>, stamps: Array<Stamp>, tenants: Array<Tenant>, bindings: Array<Binding>, };

export type StampView = { stamp: Stamp, capacity: Capacity, tenantCount: number, 
/**
 * A newer version of the stamp's template exists.
 */
templateOutdated: boolean, };

export type RegionSummary = { region: Region, stampCount: number, tenantCount: number, capacity: Capacity, };

export type TenantView = { tenant: Tenant, 
/**
 * The stamp the tenant lives on; none while it is not placed.
 */
stamp: StampId | null, };

export type TenantQuery = { stamp: StampId | null, region: RegionId | null, text: string | null, offset: number, 
/**
 * At most this many tenants (the catalogue caps it at [`TenantQuery::MAX_LIMIT`]).
 */
limit: number, };

export type TenantPage = { tenants: Array<TenantView>, total: number, 
/**
 * More than `total` match: a text search stopped counting at
 * [`TenantQuery::COUNT_CAP`] (its pages then come in the catalogue's order).
 */
capped: boolean, };

export type FleetOverview = { 
/**
 * Regions that hold at least one stamp, by id.
 */
regions: Array<RegionSummary>, stamps: Array<StampView>, templates: Array<StampTemplate>, totals: Capacity, 
/**
 * Every tenant in the catalogue, placed or not.
 */
tenantCount: number, 
/**
 * Tenants that are not bound to any stamp.
 */
unplacedTenants: number, };

export type GeoPoint = { latitude: number, longitude: number, };

export type Strategy = "bestFit" | "leastLoaded";

export type PlacementPolicy = { 
/**
 * Percent of every stamp's capacity kept free (default 20).
 */
headroomReservePercent: number, strategy: Strategy, };

export type Rule = "notActive" | "notHealthy" | "residency" | "isolation" | "tier" | "capacity";

export type ScoredStamp = { stamp: StampId, region: RegionId, 
/**
 * Tenants of the same anti-affinity group already on the stamp.
 */
sameGroup: number, 
/**
 * Position in the tenant's preferred regions (0 = first); none when not preferred.
 */
preferredRank: number | null, 
/**
 * Distance from the tenant's home to the stamp's region, when a home is given.
 */
distanceKm: number | null, 
/**
 * Usable units left on the stamp after placing the tenant.
 */
freeAfter: number, 
/**
 * Units the headroom reserve keeps free on the stamp (not counted as usable).
 */
reserveUnits: number, 
/**
 * Utilization after placing, in percent of total capacity.
 */
utilizationAfter: number, };

export type Rejection = { stamp: StampId, rule: Rule, reason: string, };

export type Outcome = { "kind": "place", stamp: StampId, reason: string, } | { "kind": "stay", stamp: StampId, reason: string, } | { "kind": "newStamp", template: TemplateName, version: TemplateVersion, region: RegionId, reason: string, } | { "kind": "refuse", reason: string, };

export type Decision = { outcome: Outcome, 
/**
 * The chosen stamp first, then the best runners-up (at most 4 in all).
 */
ranked: Array<ScoredStamp>, 
/**
 * How many stamps failed each rule (first failed rule only).
 */
rejectedByRule: Array<[Rule, number]>, 
/**
 * Every stamp that failed a rule, with the reason.
 */
rejected: Array<Rejection>, };

export type RingBy = "region" | "provider" | "geography";

export type WaveOptions = { ringBy: RingBy, 
/**
 * Rings after the canary (at most one per group).
 */
rings: number, 
/**
 * Stamps upgraded at once within a wave.
 */
parallelism: number, 
/**
 * Whether one stamp goes first on its own.
 */
canary: boolean, };

export type RolloutWave = { 
/**
 * "canary", or the ring's name (e.g. its regions).
 */
name: string, stamps: Array<StampId>, parallelism: number, };

export type MaintenanceWindow = { region: RegionId, 
/**
 * Local start, `HH:MM`.
 */
start: string, 
/**
 * Local end, `HH:MM`; earlier than the start: the window spans midnight.
 */
end: string, 
/**
 * The region's local time minus UTC, in minutes.
 */
utcOffsetMinutes: number, };

export type RolloutSpec = { template: TemplateName, targetVersion: TemplateVersion, waves: Array<RolloutWave>, 
/**
 * Seconds to watch a finished wave before the next one starts.
 */
bakeSecs: number, 
/**
 * Whether an operator approves each next wave.
 */
approval: boolean, 
/**
 * The health gate: a stamp whose share of failed tenant requests is above this
 * (0 to 1) fails it, as does any stamp not answering healthy.
 */
maxErrorRate: number, 
/**
 * When stamps of a region may be upgraded (regions without one: any time).
 */
windows: Array<MaintenanceWindow>, };

export type RolloutPhase = "running" | "waitingForWindow" | "baking" | "awaitingApproval" | "paused" | "halted" | "aborted" | "done";

export type StampRolloutState = "pending" | "upgrading" | "upgraded" | "failed" | "rolledBack";

export type RolloutStamp = { stamp: StampId, region: RegionId, wave: number, 
/**
 * The version it ran when the rollout started.
 */
fromVersion: TemplateVersion, state: StampRolloutState, 
/**
 * What happened, in words (why it failed).
 */
message: string, };

export type RolloutState = { spec: RolloutSpec, phase: RolloutPhase, 
/**
 * The wave being worked on (0-based; the number of waves once done).
 */
wave: number, stamps: Array<RolloutStamp>, 
/**
 * Why it halted, waits or stopped, in words.
 */
reason: string, 
/**
 * Milliseconds since the Unix epoch when the current bake ends.
 */
bakeUntilMs: number | null, };

export type NewTemplateVersion = { template: TemplateName, version: TemplateVersion, basedOn?: TemplateVersion, capacityUnits?: number, tiers?: Array<Tier>, description?: string, releaseNotes: string, };

export type TemplateVersionView = { template: StampTemplate, stamps: number, newest: boolean, 
/**
 * "capacity 100 → 120", …, against the previous version (empty for the first).
 */
changes: Array<string>, };

export type ProposeRollout = { template: TemplateName, targetVersion: TemplateVersion, waves: WaveOptions, bakeSecs: number, approval: boolean, maxErrorRate: number, windows: Array<MaintenanceWindow>, };

export type RolloutView = { id: number, journal: OperationState, startedAt: string, updatedAt: string, state: RolloutState, };

export type Counts = { regions: number, templates: number, stamps: number, tenants: number, bindings: number, auditRows: number, };

export type OperationKind = "provision-stamp" | "onboard-tenant" | "move-tenant" | "apply-plan" | "create-demo" | "provision-and-onboard" | "rollout" | "offboard-tenant" | "repair-drift";

export type OperationState = "running" | "succeeded" | "failed";

export type MovePhase = "planned" | "importing" | "freezing" | "catching-up" | "verifying" | "flipped" | "activating" | "fencing" | "done" | "rolling-back" | "rolled-back" | "cleaned" | "failed";

export type AuditEntry = { id: number, at: string, 
/**
 * Who: the operator.
 */
actor: string, 
/**
 * Which part of Stampfleet wrote it (import, onboard, move, plan, demo ...).
 */
via: string, action: string, entity: string, entityId: string, before: string | null, after: string | null, 
/**
 * What changed, in words: the fields whose values differ (`status: "active" ->
 * "draining"`), or "created" / "deleted".
 */
summary: string, };

export type AuditQuery = { 
/**
 * The kind of thing changed: stamp, tenant, binding, plan, region, template.
 */
entity: string | null, 
/**
 * The thing changed (a stamp id, a tenant id ...).
 */
entityId: string | null, 
/**
 * The operator who changed it.
 */
actor: string | null, 
/**
 * Only changes at or after this time: `2026-12-05`, `2026-12-05T14:00:00Z` (RFC
 * 3339, any offset), or how long ago: `30m`, `12h`, `7d`.
 */
since: string | null, 
/**
 * Rows older than this one (the last id of the page before), for paging.
 */
beforeId: number | null, 
/**
 * At most this many rows (capped at [`AuditQuery::MAX_LIMIT`]).
 */
limit: number, };

export type DriftIgnore = { 
/**
 * The finding's kind (`orphan`, `missing`, `size`, ...).
 */
kind: string, stamp: string, 
/**
 * "" when the finding is about the stamp itself.
 */
tenant: string, 
/**
 * What differed when it was ignored.
 */
detail: string, reason: string, 
/**
 * Who ignored it.
 */
actor: string, ignoredAt: string, };

export type TenantSuspension = { tenant: string, reason: string, actor: string, suspendedAt: string, };

export type OffboardOutcome = { tenant: TenantId, 
/**
 * The file its data was exported to.
 */
exportFile: string, 
/**
 * Keys exported.
 */
keys: number, };

export type AuditFormat = "csv" | "json";

export type AdoptStamp = { id: StampId, region: RegionId, template: TemplateName, templateVersion: TemplateVersion, 
/**
 * The stamp's API base URL (`https://...`).
 */
endpoint: string, 
/**
 * Its admin token (kept in the secret store, never in the catalogue).
 */
token: string, };

export type AdoptConflict = { tenant: string, problem: string, };

export type AdoptReport = { stamp: Stamp, 
/**
 * Tenants new to the catalogue, recorded and bound to the stamp. Their tier
 * (standard) and residency (anywhere) are not known to the stamp: review them.
 */
added: Array<TenantId>, 
/**
 * Unplaced tenants the catalogue knew, now bound to the stamp.
 */
bound: Array<TenantId>, 
/**
 * Tenants left as they are, each with the reason.
 */
conflicts: Array<AdoptConflict>, };

export type AdoptOutcome = { stamp: string, 
/**
 * Stamps finished so far, this one included, of `total`.
 */
done: number, total: number, report: AdoptReport | null, 
/**
 * Why it was not adopted.
 */
error: string | null, };

export type DriftKind = "orphan" | "missing" | "size" | "state" | "version" | "identity" | "unreachable";

export type ProvisionAndOnboard = { place: PlaceTenant, 
/**
 * The new stamp's id.
 */
stamp: StampId, };

export type DriftFinding = { kind: DriftKind, stamp: StampId, tenant: string | null, 
/**
 * What differs, in words.
 */
detail: string, 
/**
 * The repair offered, in words; none when it needs a person.
 */
repair: string | null, };

export type ReconcileReport = { stampsChecked: number, 
/**
 * What differs, less what an operator ignores.
 */
findings: Array<DriftFinding>, 
/**
 * Findings operators ignore, with why (hidden from `findings` while what differs
 * is what they saw).
 */
ignored: Array<DriftIgnore>, };

export type CatalogueInfo = { 
/**
 * The file, or the team catalogue's URL without its password.
 */
path: string, 
/**
 * Where it lives: `sqlite` (a file on this machine) or `postgres` (a team's server).
 */
backend: string, 
/**
 * On a team catalogue, what this login may do: `reader`, `operator` or `admin`.
 */
role: string | null, 
/**
 * When this catalogue is a snapshot: the catalogue it copies (file or URL).
 */
snapshotOf: string | null, 
/**
 * The catalogue's UUID: the same by any path, renamed or moved.
 */
id: string, schemaVersion: number, counts: Counts, 
/**
 * Who this window or stampctl writes the audit log as.
 */
operator: string, 
/**
 * Whether tenant search reads an index (a team server without pg_trgm: it reads
 * every tenant, correct but slow at a million).
 */
tenantSearchIndexed: boolean, };

export type ImportSummary = { stamps: number, tenants: number, bindings: number, auditRows: number, };

export type ErrorCode = "catalogue_unavailable" | "invalid_input" | "conflict" | "internal" | "not_allowed";

export type OpsError = { code: ErrorCode, message: string, };

export type ProviderConfig = { "kind": "local" } | { "kind": "command", program: string, args: Array<string>, timeoutSecs: number, } | { "kind": "http", url: string, timeoutSecs: number, };

export type OperatorProvider = { 
/**
 * Lowercase letters, digits and dashes; not `local` (the built-in one).
 */
name: string, provider: ProviderConfig, };

export type RouterRecord = { name: string, 
/**
 * `haproxy`.
 */
kind: string, 
/**
 * Its Runtime API: a unix socket path, or `HOST:PORT`.
 */
adminSocket: string, 
/**
 * The map file of tenant -> stamp, as the router's configuration names it.
 */
tenantsMap: string, 
/**
 * The map file of stamp -> address.
 */
stampsMap: string, 
/**
 * The routing table's version the router's maps hold; none before a first sync.
 */
syncedVersion: number | null, syncedAt: string | null, 
/**
 * From the last binding change to the router's map taking it, in milliseconds.
 */
lagMs: number | null, 
/**
 * Why the last sync failed; none when it succeeded.
 */
lastError: string | null, };

export type RouterView = { 
/**
 * Routing versions the router's maps lack; none before its first sync.
 */
behind: number | null, name: string, 
/**
 * `haproxy`.
 */
kind: string, 
/**
 * Its Runtime API: a unix socket path, or `HOST:PORT`.
 */
adminSocket: string, 
/**
 * The map file of tenant -> stamp, as the router's configuration names it.
 */
tenantsMap: string, 
/**
 * The map file of stamp -> address.
 */
stampsMap: string, 
/**
 * The routing table's version the router's maps hold; none before a first sync.
 */
syncedVersion: number | null, syncedAt: string | null, 
/**
 * From the last binding change to the router's map taking it, in milliseconds.
 */
lagMs: number | null, 
/**
 * Why the last sync failed; none when it succeeded.
 */
lastError: string | null, };

export type RoutingStatus = { version: number, routers: Array<RouterView>, };

export type RouterSyncOutcome = { router: string, 
/**
 * `full`, `changes`, `current` or `failed`.
 */
kind: string, 
/**
 * Routes sent (every route for a full sync).
 */
sent: number, version: number, error: string | null, };

export type RouterSays = { router: string, 
/**
 * The stamp its map sends the tenant to; none when the map lacks the tenant.
 */
stamp: string | null, 
/**
 * Whether that is the catalogue's binding.
 */
agrees: boolean, error: string | null, };

export type TenantRoute = { tenant: TenantId, 
/**
 * The stamp the catalogue binds it to; none when unbound.
 */
stamp: StampId | null, endpoint: string | null, routers: Array<RouterSays>, };

export type IssuedToken = { tenant: TenantId, token: string, kid: string, 
/**
 * Unix seconds.
 */
expires: number, };

export type NewStamp = { id: StampId, region: RegionId, template: TemplateName, templateVersion: TemplateVersion, 
/**
 * Overrides the template's capacity.
 */
capacityUnits: number | null, 
/**
 * Which provider creates it (default: a local agent on this machine).
 */
provider: ProviderConfig, 
/**
 * Or the operator provider of this name (`providers.json` on this machine), which
 * takes the place of `provider`.
 */
providerName?: string, };

export type ProvisionProgress = { stamp: StampId, step: string, percent: number, message: string, };

export type HealthState = "healthy" | "degraded" | "unreachable" | "unknown";

export type HealthProblem = "notRunning" | "noEndpoint" | "noToken" | "agentNotRunning" | "refused" | "timedOut" | "tokenRefused" | "wrongStamp" | "badAnswer";

export type HealthFix = "startLocalStamps" | "enterToken";

export type StampHealth = { stamp: StampId, state: HealthState, 
/**
 * Why, in words, when the stamp is not healthy or could not be asked.
 */
detail: string, problem: HealthProblem | null, fix: HealthFix | null, softwareVersion: string | null, 
/**
 * The template version the stamp says it runs (the catalogue's may differ: drift).
 */
templateVersion: string | null, 
/**
 * Its share of failed tenant requests over the last minute (0 to 1).
 */
errorRate: number | null, capacityUsed: number | null, tenantCount: number | null, 
/**
 * Seconds since the Unix epoch of this check (of the stamp's latest answer, when
 * it pushes).
 */
checkedAt: number, 
/**
 * The stamp pushes its health: the watcher holds a question open that it answers
 * when its health changes, so this is its health now, not as of `checked_at`.
 */
pushed: boolean, };

export type HealthUpdate = { 
/**
 * Every watched stamp is in `changed`: the page replaces what it holds.
 */
full: boolean, 
/**
 * The stamps whose health differs from the last message's (all of them when full).
 */
changed: Array<StampHealth>, 
/**
 * The stamps the last message had that are no longer watched (removed, inactive).
 */
gone: Array<StampId>, };

export type CatalogueChange = { seq: number, };

export type RecentCatalogue = { 
/**
 * A file's absolute path, or a team catalogue's URL without its password.
 */
location: string, 
/**
 * `file` or `team`.
 */
kind: string, 
/**
 * When it was last opened (RFC 3339, UTC).
 */
openedAt: string, };

export type StampDetail = { stamp: StampView, health: StampHealth, 
/**
 * Why provisioning failed, for a failed stamp.
 */
failure: string | null, };

export type PlaceTenant = { tenant: Tenant, preferredRegions: Array<RegionId>, home: GeoPoint | null, 
/**
 * Placement settings (default: 20% headroom reserve, best fit).
 */
policy: PlacementPolicy | null, };

export type OnboardTenant = { place: PlaceTenant, stamp: StampId | null, };

export type OnboardProgress = { step: string, percent: number, message: string, };

export type ImportPlanRow = { line: number, tenant: TenantId, sizeUnits: number, 
/**
 * `stay` for a tenant that already lives on a stamp (a rerun skips it).
 */
outcome: Outcome, };

export type NewStampNeed = { template: TemplateName, version: TemplateVersion, region: RegionId, tenants: number, units: number, 
/**
 * Stamps of that template needed to hold them under the headroom reserve.
 */
stamps: number, };

export type ProblemKind = "format" | "reference" | "conflict" | "placement";

export type RowError = { kind: ProblemKind, line: number, field: string, message: string, };

export type TenantImportReport = { rows: number, toPlace: number, alreadyOnboarded: number, needNewStamp: number, refused: number, 
/**
 * After an apply: tenants onboarded by this run.
 */
onboarded: number, 
/**
 * After an apply that stopped: why, and at which line.
 */
stopped: string | null, newStamps: Array<NewStampNeed>, plan: Array<ImportPlanRow>, 
/**
 * Every problem found, by line: format, reference, conflict and placement.
 */
problems: Array<RowError>, 
/**
 * Problems the apply refuses the file for (all but placement).
 */
blocking: number, };

export type ImportProgress = { done: number, total: number, message: string, };

export type Route = { tenant: string, stamp: string, 
/**
 * The stamp's base URL; none while it has no endpoint.
 */
endpoint: string | null, };

export type SnapshotOrigin = { 
/**
 * The copied catalogue's identity (UUID).
 */
sourceId: string, 
/**
 * The copied catalogue's file or URL (without a password).
 */
source: string, 
/**
 * The copied catalogue's version (newest audit row) at the copy.
 */
version: number, 
/**
 * This file's own version right after the copy.
 */
localVersion: number, takenAt: string, };

export type SnapshotSummary = { file: string, stamps: number, tenants: number, plans: number, origin: SnapshotOrigin, };

export type RoutingTable = { version: number, routes: Array<Route>, };

export type MoveTenant = { tenant: TenantId, to: StampId, };

export type MoveProgress = { operation: number, tenant: TenantId, from: StampId, to: StampId, phase: MovePhase, percent: number, copiedKeys: number, copiedBytes: number, 
/**
 * Changes the target is behind the source.
 */
lag: number, 
/**
 * How long writes were refused (freeze to fence), once the cut-over is done.
 */
freezeMs: number | null, };

export type MoveTargets = { tenant: TenantId, from: StampId | null, passing: Array<StampId>, decision: Decision, };

export type MoveView = { operation: number, tenant: TenantId, from: StampId, to: StampId, state: OperationState, step: MovePhase, detail: string, startedAt: string, updatedAt: string, };

export type DrainStamp = { stamp: StampId, concurrency: number | null, 
/**
 * Tenants the operator keeps on the stamp (unticked in the preview); they stay.
 */
keep?: Array<TenantId>, };

export type DrainItem = { tenant: TenantId, 
/**
 * Where placement sent it; none when nothing can take it.
 */
to: StampId | null, 
/**
 * planned | moving | moved | failed | stays
 */
state: string, message: string, };

export type DrainProgress = { stamp: StampId, items: Array<DrainItem>, moved: number, failed: number, stays: number, last: MoveProgress | null, };

export type PlannedMove = { tenant: TenantId, from: StampId, to: StampId, sizeUnits: number, 
/**
 * How far the tenant travels, between its regions' coordinates (0 within a region).
 */
distanceKm: number, };

export type Unresolved = { stamp: StampId, reason: string, };

export type RebalancePlan = { limitPercent: number, moves: Array<PlannedMove>, movedUnits: number, 
/**
 * No plan can do with fewer moves: per stamp over the limit, the fewest of its own
 * movable tenants whose size covers its excess.
 */
lowerBoundMoves: number, 
/**
 * No plan can move less: the sum of every stamp's excess.
 */
lowerBoundUnits: number, stampsOverBefore: number, unresolved: Array<Unresolved>, 
/**
 * Moves that leave the tenant's region.
 */
crossRegionMoves: number, 
/**
 * The sum of every move's distance.
 */
distanceKm: number, };

export type StampProjection = { stamp: StampId, region: RegionId, 
/**
 * None for a stamp the plan adds.
 */
statusBefore: StampStatus | null, statusAfter: StampStatus, usedBefore: number, usedAfter: number, capacityBefore: number, capacityAfter: number, tenantsBefore: number, tenantsAfter: number, 
/**
 * Over the usable share (capacity minus the headroom reserve) after the plan.
 */
overReserveAfter: boolean, 
/**
 * The template version before (none for a stamp the plan adds) and after.
 */
versionBefore: TemplateVersion | null, versionAfter: TemplateVersion, 
/**
 * The wave (0-based) of the plan's rollout that upgrades the stamp, if one does.
 */
rolloutWave: number | null, };

export type ProjectedMove = { tenant: TenantId, from: StampId | null, to: StampId, };

export type PlanWarning = { 
/**
 * The action (0-based) it is about; none for the fleet after the plan.
 */
action: number | null, message: string, };

export type PlanProjection = { stamps: Array<StampProjection>, moves: Array<ProjectedMove>, warnings: Array<PlanWarning>, };

export type PlanCheck = { conflicts: Array<PlanWarning>, 
/**
 * Catalogue changes since the plan was made (not conflicts by themselves).
 */
changesSinceBase: number, };

export type PlanApplyProgress = { plan: string, done: number, total: number, message: string, };

export type StampForecast = { stamp: StampId, region: RegionId, 
/**
 * Units per day (negative when shrinking); none with fewer than two samples.
 */
growthPerDay: number | null, 
/**
 * Days until usable capacity (under the reserve) is reached; none when not growing.
 */
daysUntilFull: number | null, };

export type RegionForecast = { region: RegionId, growthPerDay: number, daysUntilFull: number | null, 
/**
 * Units free under the headroom reserve on the region's shared stamps.
 */
freeUnits: number, };

export type PlanAction = { "action": "addStamp", stamp: StampId, region: RegionId, template: TemplateName, version: TemplateVersion, capacityUnits?: number, provider?: string, } | { "action": "onboardTenant", tenant: Tenant, stamp?: StampId, } | { "action": "moveTenant", tenant: TenantId, to: StampId, } | { "action": "drainStamp", stamp: StampId, } | { "action": "retireStamp", stamp: StampId, } | { "action": "changeCapacity", stamp: StampId, capacityUnits: number, } | { "action": "rollOut", rollout: RolloutSpec, };

export type ApplyState = "running" | "interrupted" | "paused" | "failed" | "applied";

export type PlanApplyStatus = { state: ApplyState, 
/**
 * Actions applied so far.
 */
done: number, total: number, 
/**
 * Why it stopped, in words (empty while running and once applied).
 */
detail: string, };

export type PlanSummary = { name: string, baseVersion: number, actions: number, apply: PlanApplyStatus | null, };

export type PlanStep = { description: string, action: PlanAction, };

export type PlanDetail = { name: string, baseVersion: number, 
/**
 * Catalogue changes since the plan was made.
 */
changesSinceBase: number, steps: Array<PlanStep>, projection: PlanProjection, 
/**
 * The fleet after the plan, shaped like the live overview (the what-if map).
 */
after: FleetOverview, apply: PlanApplyStatus | null, };

export type ForecastView = { stamps: Array<StampForecast>, regions: Array<RegionForecast>, 
/**
 * Stamps to add before regions run out, as plan actions.
 */
proposals: Array<PlanStep>, };
