import type {
  RegionId,
  StampId,
  StampView,
  TenantView,
} from "../generated/bindings";
import { residencyText } from "./format";

/** What the operator has narrowed the overview down to. */
export type Selection = { region: RegionId | null; stamp: StampId | null };

export function stampsInScope(stamps: StampView[], selection: Selection): StampView[] {
  if (selection.region === null) return stamps;
  return stamps.filter((s) => s.stamp.region === selection.region);
}

/** Tenants on the selected stamp, else on the selected region's stamps. */
export function tenantsInScope(
  tenants: TenantView[],
  stamps: StampView[],
  selection: Selection,
): TenantView[] {
  if (selection.stamp !== null) return tenants.filter((t) => t.stamp === selection.stamp);
  if (selection.region === null) return tenants;
  const ids = new Set(stampsInScope(stamps, selection).map((s) => s.stamp.id));
  return tenants.filter((t) => t.stamp !== null && ids.has(t.stamp));
}

/** Case-insensitive match on id, name, stamp, tier and residency. */
export function matchesQuery(view: TenantView, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === "") return true;
  const { tenant } = view;
  const haystack = [
    tenant.id,
    tenant.displayName,
    view.stamp ?? "unplaced",
    tenant.tier,
    residencyText(tenant.residency),
  ];
  return haystack.some((field) => field.toLowerCase().includes(q));
}
