// A SIMPLIFIED mock of the Rust tenant importer (crates/fleet-ops/src/tenant_import.rs),
// for the browser preview and tests only: the file is read by mockTenantFile.ts, each
// row is planned with the mock placement (mockPlacement.ts) on a copy of the fleet that
// takes on the load of the rows placed before it, and the apply binds the placeable rows
// in file order with the mock's bookkeeping (mockFleet.ts), stopping at the first failure.
import type {
  FleetOverview,
  ImportPlanRow,
  ImportProgress,
  NewStampNeed,
  Outcome,
  TenantImportReport,
  TenantView,
} from "../../generated/bindings";
import { BackendError, toBackendError } from "./backend";
import { bindTenant } from "./mockFleet";
import { DEFAULT_HEADROOM_PERCENT, placeMock, usableUnits, type HealthOf } from "./mockPlacement";
import { parseTenantFile, type TenantFileRow } from "./mockTenantFile";

/** Problems listed in the error message; the rest are counted. */
export const SHOWN_ERRORS = 20;

/** Reads a tenant file, or rejects as the Rust one does: one "NAME: line N: FIELD: message" a line. */
export function readTenantFile(name: string, text: string, overview: FleetOverview): TenantFileRow[] {
  const parsed = parseTenantFile(name, text, overview.regions.map((r) => r.region));
  if (parsed.ok) return parsed.rows;
  const { errors } = parsed;
  const lines = errors.slice(0, SHOWN_ERRORS).map((e) => `${name}: line ${e.line}: ${e.field}: ${e.message}`);
  if (errors.length > SHOWN_ERRORS) lines.push(`... and ${errors.length - SHOWN_ERRORS} more`);
  throw new BackendError("invalid_input", `${errors.length} problem(s), nothing was written:\n${lines.join("\n")}`);
}

/** Where each row goes (a dry run): rows placed earlier take up room on their stamp. */
export function planImport(
  overview: FleetOverview,
  tenants: TenantView[],
  rows: TenantFileRow[],
  healthOf: HealthOf,
): TenantImportReport {
  const fleet = structuredClone(overview);
  const lives = new Map(tenants.map((t) => [t.tenant.id, t.stamp]));
  const needs = new Map<string, NewStampNeed>();
  const plan: ImportPlanRow[] = rows.map(({ line, tenant, preferredRegions }) => {
    const existing = lives.get(tenant.id);
    let outcome: Outcome;
    if (existing) {
      outcome = { kind: "stay", stamp: existing, reason: `${tenant.id} already lives on ${existing}` };
    } else {
      const decision = placeMock(fleet, { tenant, preferredRegions, home: null, policy: null }, healthOf);
      outcome = decision.outcome;
      const view = outcome.kind === "place" ? fleet.stamps.find((s) => s.stamp.id === decision.ranked[0].stamp) : undefined;
      if (view) {
        view.capacity.usedUnits += tenant.sizeUnits;
        view.tenantCount += 1;
        outcome = { kind: "place", stamp: view.stamp.id, reason: `${view.stamp.id} in ${view.stamp.region}` };
      }
    }
    if (outcome.kind === "newStamp") {
      const key = `${outcome.region}\u0000${outcome.template}\u0000${outcome.version}`;
      const need = needs.get(key) ?? { ...outcome, tenants: 0, units: 0, stamps: 0 };
      need.tenants += 1;
      need.units += tenant.sizeUnits;
      needs.set(key, need);
    }
    return { line, tenant: tenant.id, sizeUnits: tenant.sizeUnits, outcome };
  });
  const newStamps = [...needs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, need]): NewStampNeed => {
      const template = fleet.templates.find((t) => t.name === need.template && t.version === need.version);
      const usable = Math.max(1, template ? usableUnits(template.capacityUnits, DEFAULT_HEADROOM_PERCENT) : 1);
      const { template: name, version, region, tenants: count, units } = need;
      return { template: name, version, region, tenants: count, units, stamps: Math.ceil(units / usable) };
    });
  const count = (kind: Outcome["kind"]) => plan.filter((r) => r.outcome.kind === kind).length;
  return {
    rows: plan.length,
    toPlace: count("place"),
    alreadyOnboarded: count("stay"),
    needNewStamp: count("newStamp"),
    refused: count("refuse"),
    onboarded: 0,
    stopped: null,
    newStamps,
    plan,
  };
}

export type ApplyHooks = {
  /** Binds one tenant (default: the mock's bookkeeping); a throw stops the import. */
  bind?: (view: TenantView) => void;
  /** Waits between tenants so the progress shows, as with a real backend. */
  pause?: (total: number) => Promise<void>;
};

/** Onboards the file's placeable rows in order, stopping at the first failure; a rerun skips those done. */
export async function applyImport(
  overview: FleetOverview,
  tenants: TenantView[],
  name: string,
  text: string,
  healthOf: HealthOf,
  onProgress: (progress: ImportProgress) => void,
  hooks: ApplyHooks = {},
): Promise<TenantImportReport> {
  const bind = hooks.bind ?? ((view: TenantView) => bindTenant(overview, tenants, view));
  const rows = readTenantFile(name, text, overview);
  const report = planImport(overview, tenants, rows, healthOf);
  const total = report.toPlace;
  for (const [i, row] of rows.entries()) {
    const { outcome } = report.plan[i];
    if (outcome.kind !== "place") continue;
    try {
      bind({ tenant: structuredClone(row.tenant), stamp: outcome.stamp });
    } catch (reason) {
      report.stopped = `line ${row.line}: ${row.tenant.id}: ${toBackendError(reason).message}`;
      break;
    }
    report.onboarded += 1;
    onProgress({ done: report.onboarded, total, message: `${row.tenant.id} lives on ${outcome.stamp}` });
    await hooks.pause?.(total);
  }
  return report;
}
