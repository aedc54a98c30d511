// The Move dialog's choices: the stamps that pass placement (best first) and the
// others with the reason placement gives for each.
import type { MoveTargets, MoveView, Region, Rule, StampId, StampView } from "../../generated/bindings";

export type TargetOption = { stamp: StampId; region: string };
export type RefusedOption = TargetOption & { rule: Rule; reason: string };

export type TargetChoices = {
  passing: TargetOption[];
  refused: RefusedOption[];
};

/** Passing targets in placement's order, then every refused stamp; never the tenant's own stamp. */
export function targetChoices(
  targets: MoveTargets,
  stamps: readonly StampView[],
  regions: readonly Region[],
): TargetChoices {
  const regionOfStamp = new Map(stamps.map((s) => [s.stamp.id, s.stamp.region]));
  const regionName = (stamp: StampId) => {
    const id = regionOfStamp.get(stamp);
    return regions.find((r) => r.id === id)?.displayName ?? id ?? "unknown region";
  };
  const passing = targets.passing
    .filter((stamp) => stamp !== targets.from)
    .map((stamp) => ({ stamp, region: regionName(stamp) }));
  const refused = targets.decision.rejected
    .filter((r) => r.stamp !== targets.from && !targets.passing.includes(r.stamp))
    .map((r) => ({ stamp: r.stamp, rule: r.rule, reason: r.reason, region: regionName(r.stamp) }));
  return { passing, refused };
}

export type Preset =
  | { kind: "none" }
  | { kind: "passing"; stamp: StampId }
  | { kind: "current"; stamp: StampId }
  | { kind: "refused"; stamp: StampId; reason: string }
  | { kind: "unknown"; stamp: StampId };

/** What becomes of a target chosen before the dialog opened (a drop, or a move back). */
export function presetOf(choices: TargetChoices, from: StampId | null, stamp: StampId | null): Preset {
  if (stamp === null) return { kind: "none" };
  if (stamp === from) return { kind: "current", stamp };
  if (choices.passing.some((o) => o.stamp === stamp)) return { kind: "passing", stamp };
  const refused = choices.refused.find((o) => o.stamp === stamp);
  if (refused) return { kind: "refused", stamp, reason: refused.reason };
  return { kind: "unknown", stamp };
}

/** The option selected when the dialog opens: a passing preset, else placement's best. */
export function initialChoice(choices: TargetChoices, preset: Preset): StampId | null {
  if (preset.kind === "passing") return preset.stamp;
  if (preset.kind === "refused" || preset.kind === "current" || preset.kind === "unknown") return null;
  return choices.passing[0]?.stamp ?? null;
}

/**
 * The moves a move back may undo: each tenant's newest move, when it succeeded and its
 * source copy is still kept (not "cleaned" after the retention window), unless the
 * tenant is moving right now.
 */
export function movesBackable(moves: readonly MoveView[], movingTenants: readonly string[]): Set<number> {
  const newest = new Map<string, MoveView>();
  for (const move of moves) {
    const seen = newest.get(move.tenant);
    if (!seen || move.operation > seen.operation) newest.set(move.tenant, move);
  }
  const backable = [...newest.values()].filter(
    (m) => m.state === "succeeded" && m.step !== "cleaned" && !movingTenants.includes(m.tenant),
  );
  return new Set(backable.map((m) => m.operation));
}
