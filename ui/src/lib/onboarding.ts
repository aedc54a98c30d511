// The onboarding wizard's form: the tenant draft, its checks and the residency choices.
import type { GeoPoint, Isolation, PlaceTenant, Region, RegionSummary, Tenant, Tier } from "../generated/bindings";
import { pointOf } from "./geo";
import { slugProblem } from "./stampId";

export const TIERS: readonly Tier[] = ["free", "standard", "premium", "enterprise"];

/** European countries the "Europe only" quick-pick adds when the fleet has a region there. */
const EUROPEAN_COUNTRIES = new Set(
  "AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK".split(" "),
);

/** What placement proposes when no stamp fits: a new stamp of this template in this region. */
export type NewStampProposal = { template: string; version: string; region: string };

export type TenantDraft = {
  displayName: string;
  id: string;
  tier: Tier;
  sizeUnits: number | null;
  countries: string[];
  regions: string[];
  isolation: Isolation;
  preferredRegion: string;
  /** The region the tenant's users are near (its coordinates are the home); empty for none. */
  home: string;
  /** Anti-affinity group (e.g. the customer); empty for none. */
  group: string;
};

export function emptyDraft(): TenantDraft {
  return {
    displayName: "",
    id: "",
    tier: "standard",
    sizeUnits: 10,
    countries: [],
    regions: [],
    isolation: "shared",
    preferredRegion: "",
    home: "",
    group: "",
  };
}

/** A tenant id from a display name: `Contoso (EU) Ltd.` → `contoso-eu-ltd`. */
export function slugFromName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return slug;
}

/** What a tenant id may be, said up front under its field. */
export const TENANT_ID_FORMAT = "Lowercase letters a–z, digits and '-'; starts with a letter; at most 63.";

/** Every problem of the draft, by field (empty when it can be placed). */
export type DraftProblems = Partial<Record<keyof TenantDraft, string>>;

/** Every problem with the draft at once, each by its field. */
export function draftProblems(draft: TenantDraft): DraftProblems {
  const problems: DraftProblems = {};
  if (draft.displayName.trim() === "") problems.displayName = "Enter a name.";
  const idProblem = draft.id === "" ? "Enter an id." : slugProblem(draft.id);
  if (idProblem) problems.id = idProblem;
  const size = draft.sizeUnits;
  if (size === null || !Number.isInteger(size) || size <= 0) {
    problems.sizeUnits = "Enter a whole number of capacity units above 0.";
  }
  return problems;
}

/** The tenant the backend is asked to place. */
export function tenantOf(draft: TenantDraft): Tenant {
  return {
    id: draft.id,
    displayName: draft.displayName.trim(),
    tier: draft.tier,
    sizeUnits: draft.sizeUnits ?? 0,
    residency: { countries: [...draft.countries], geographies: [], regions: [...draft.regions] },
    isolation: draft.isolation,
    pinned: false,
    ...(draft.group.trim() === "" ? {} : { group: draft.group.trim() }),
  };
}

/** Distinct countries of the fleet's regions, sorted. */
export function countriesOf(regions: RegionSummary[]): string[] {
  return [...new Set(regions.map((r) => r.region.country))].sort();
}

/** The fleet's countries in Europe: regions in the "Europe" geography or a European country. */
export function europeanCountries(regions: Region[]): string[] {
  const european = regions.filter((r) => r.geography === "Europe" || EUROPEAN_COUNTRIES.has(r.country));
  return [...new Set(european.map((r) => r.country))].sort();
}

/** A typed country code, upper-cased, or null unless it is two letters. */
export function countryCode(typed: string): string | null {
  const code = typed.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : null;
}

/** The "Home location" choices: one per region, sorted by display name. */
export function homeOptions(regions: Region[]): { id: string; label: string }[] {
  return [...regions]
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id))
    .map((r) => ({ id: r.id, label: `Near ${r.displayName} (${r.country})` }));
}

/** The home as a point: the chosen region's coordinates; null for none or an unknown region. */
export function homeOf(home: string, regions: Region[]): GeoPoint | null {
  const region = home === "" ? undefined : regions.find((r) => r.id === home);
  return region ? pointOf(region) : null;
}

/** What the wizard asks the backend to place (and later onboard). */
export function placeRequestOf(draft: TenantDraft, regions: Region[]): PlaceTenant {
  return {
    tenant: tenantOf(draft),
    preferredRegions: draft.preferredRegion === "" ? [] : [draft.preferredRegion],
    home: homeOf(draft.home, regions),
    policy: null,
  };
}
