// What a plan does to each stamp, for the what-if map (a mark per stamp) and the
// plan's list of changed stamps (in words).
import type { PlanProjection, StampProjection } from "../generated/bindings";
import { formatCount } from "./format";
import type { MapMark } from "./map/marks";

/** The stamp ends different from how it started (status, load, capacity, tenants or version). */
export function differs(s: StampProjection): boolean {
  return (
    s.statusBefore !== s.statusAfter ||
    s.usedBefore !== s.usedAfter ||
    s.capacityBefore !== s.capacityAfter ||
    s.tenantsBefore !== s.tenantsAfter ||
    (s.versionBefore !== null && s.versionBefore !== s.versionAfter)
  );
}

/** Stamps a tenant leaves or goes to in the plan. */
function movedStamps(projection: PlanProjection): Set<string> {
  const ids = new Set<string>();
  for (const move of projection.moves) {
    if (move.from !== null) ids.add(move.from);
    ids.add(move.to);
  }
  return ids;
}

/** The mark of one stamp (the strongest that applies), or null when the plan leaves it alone. */
function markOf(s: StampProjection, moved: Set<string>): MapMark | null {
  if (s.overReserveAfter) return "over-reserve";
  if (s.statusBefore === null) return "new";
  if (differs(s) || moved.has(s.stamp)) return "changed";
  return null;
}

/** Stamp id -> mark, for every stamp the plan adds, changes or leaves over the reserve. */
export function planMarks(projection: PlanProjection): Record<string, MapMark> {
  const moved = movedStamps(projection);
  const marks: Record<string, MapMark> = {};
  for (const s of projection.stamps) {
    const mark = markOf(s, moved);
    if (mark !== null) marks[s.stamp] = mark;
  }
  return marks;
}

export type StampChange = {
  stamp: string;
  mark: MapMark;
  /** "fra-02 (new): 0 → 120 of 800 units, 0 → 3 tenants". */
  text: string;
  /** Over the headroom reserve after the plan. */
  over: boolean;
};

const arrow = (before: number, after: number) =>
  before === after ? formatCount(after) : `${formatCount(before)} → ${formatCount(after)}`;

/** One stamp's change in words. */
export function changeText(s: StampProjection): string {
  const isNew = s.statusBefore === null;
  const parts: string[] = [];
  if (!isNew && s.statusBefore !== s.statusAfter) parts.push(`${s.statusBefore} → ${s.statusAfter}`);
  const capacity = isNew ? formatCount(s.capacityAfter) : arrow(s.capacityBefore, s.capacityAfter);
  parts.push(`${arrow(s.usedBefore, s.usedAfter)} of ${capacity} units`);
  parts.push(`${arrow(s.tenantsBefore, s.tenantsAfter)} ${s.tenantsAfter === 1 && s.tenantsBefore === 1 ? "tenant" : "tenants"}`);
  if (!isNew && s.versionBefore !== s.versionAfter) {
    parts.push(`version ${s.versionBefore} → ${s.versionAfter}${s.rolloutWave === null ? "" : ` in wave ${s.rolloutWave + 1}`}`);
  }
  return `${s.stamp}${isNew ? " (new)" : ""}: ${parts.join(", ")}`;
}

/** The stamps the plan adds or changes, in the projection's order, with their change in words. */
export function planChanges(projection: PlanProjection): StampChange[] {
  const moved = movedStamps(projection);
  const marks = planMarks(projection);
  return projection.stamps.flatMap((s) => {
    const mark = marks[s.stamp];
    const changed = s.statusBefore === null || differs(s) || moved.has(s.stamp);
    return mark && changed ? [{ stamp: s.stamp, mark, text: changeText(s), over: s.overReserveAfter }] : [];
  });
}

/** Stamps over the reserve that the plan leaves alone: no change of the plan's, but worth knowing. */
export function overUntouched(projection: PlanProjection): string[] {
  const changed = new Set(planChanges(projection).map((c) => c.stamp));
  return projection.stamps.filter((s) => s.overReserveAfter && !changed.has(s.stamp)).map((s) => s.stamp);
}
