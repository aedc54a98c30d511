// Plans and the capacity forecast in words, as the plans panel shows them.
import type {
  ForecastView,
  PlanApplyStatus,
  PlanWarning,
  RebalancePlan,
  RegionSummary,
} from "../../generated/bindings";
import { formatCount } from "../format";

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** A failed apply's detail ("action 2: reason", maybe more lines): the action and the reason. */
function failure(apply: PlanApplyStatus): { action: number; reason: string; more: number } {
  const [first = "", ...rest] = apply.detail.split("\n").filter((line) => line.trim() !== "");
  const match = /^action (\d+): (.*)$/s.exec(first.trim());
  return {
    action: match ? Number(match[1]) : apply.done + 1,
    reason: match ? match[2] : first.trim() || "no reason given",
    more: rest.length,
  };
}

/** Short, for the list: "applied", "paused at 2 of 5", "running 1 of 4", "interrupted at 3 of 4", "failed at 2". */
export function applyStateLabel(apply: PlanApplyStatus | null): string {
  if (!apply) return "not applied";
  switch (apply.state) {
    case "applied":
      return "applied";
    case "paused":
      return `paused at ${apply.done} of ${apply.total}`;
    case "running":
      return `running ${Math.min(apply.done + 1, apply.total)} of ${apply.total}`;
    case "interrupted":
      return `interrupted at ${Math.min(apply.done + 1, apply.total)} of ${apply.total}`;
    case "failed":
      return `failed at ${failure(apply).action}`;
  }
}

/** The apply status line: "Applied: 4 of 4 actions", "Paused before action 3 of 5", "Failed at action 2: …". */
export function applyStatusLine(apply: PlanApplyStatus | null): string {
  if (!apply) return "Not applied yet.";
  switch (apply.state) {
    case "applied":
      return `Applied: ${apply.done} of ${plural(apply.total, "action")}`;
    case "paused":
      return `Paused before action ${apply.done + 1} of ${apply.total}`;
    case "running":
      return `Applying: action ${Math.min(apply.done + 1, apply.total)} of ${apply.total}`;
    case "interrupted":
      return (
        `Interrupted before action ${Math.min(apply.done + 1, apply.total)} of ${apply.total}: ` +
        "the process applying it stopped. It goes on when the app starts again, or on Resume."
      );
    case "failed": {
      const { action, reason, more } = failure(apply);
      return `Failed at action ${action}: ${reason}${more > 0 ? ` (and ${plural(more, "more problem")})` : ""}`;
    }
  }
}

/** A paused or interrupted apply, or one that failed part way, goes on from where it stopped. */
export function resumable(apply: PlanApplyStatus | null): boolean {
  return (
    apply !== null &&
    (apply.state === "paused" || apply.state === "interrupted" || (apply.state === "failed" && apply.done > 0))
  );
}

/** "Action 2: message", or the message alone for the fleet after the plan. */
export function warningText(warning: PlanWarning): string {
  return warning.action === null ? warning.message : `Action ${warning.action + 1}: ${warning.message}`;
}

/** The conflicts a refused apply lists, one per line after the first ("…cannot be applied as it is:"). */
export function refusalLines(message: string): string[] {
  return message
    .split("\n")
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((line) => line.replace(/^action (\d+):/, "Action $1:"));
}

/** "The catalogue changed N time(s) since this plan was made; …", or null when it did not. */
export function driftText(changes: number): string | null {
  if (changes <= 0) return null;
  return (
    `The catalogue changed ${formatCount(changes)} ${changes === 1 ? "time" : "times"} since this plan was made; ` +
    "the projection uses the fleet as it is now."
  );
}

/** "Proposed N move(s), U units moved; lower bound L move(s), LU units". */
export function rebalanceText(plan: RebalancePlan): string {
  return (
    `Proposed ${plural(plan.moves.length, "move")}, ${plural(plan.movedUnits, "unit")} moved; ` +
    `lower bound ${plural(plan.lowerBoundMoves, "move")}, ${plural(plan.lowerBoundUnits, "unit")}` +
    (plan.moves.length === 0
      ? ""
      : `; across regions: ${plan.crossRegionMoves} of ${plural(plan.moves.length, "move")} (${formatCount(plan.distanceKm)} km in all)`)
  );
}

/** What "Add forecast stamps" did, also when it added nothing. */
export function forecastAddedText(added: number, horizonDays: number): string {
  if (added > 0) return `The forecast added ${plural(added, "stamp")} to the plan.`;
  return `The forecast adds no stamps: no region runs out within ${plural(horizonDays, "day")}, counting the stamps this plan adds.`;
}

export type RegionForecastRow = { region: string; name: string; days: number | null; text: string };

/** Every region's forecast in words, soonest full first, then those not growing (by name). */
export function regionForecastRows(forecast: ForecastView, regions: readonly RegionSummary[]): RegionForecastRow[] {
  const nameOf = new Map(regions.map((r) => [r.region.id, r.region.displayName]));
  return forecast.regions
    .map((r) => {
      const name = nameOf.get(r.region) ?? r.region;
      const days = r.daysUntilFull;
      const text =
        days === null
          ? `Region ${name}: not growing`
          : days < 1
            ? `Region ${name}: full now`
            : `Region ${name}: full in about ${plural(Math.round(days), "day")}`;
      return { region: r.region, name, days, text };
    })
    .sort((a, b) => (a.days ?? Infinity) - (b.days ?? Infinity) || a.name.localeCompare(b.name));
}

/** Stamp id -> days until full, for growing stamps only (what the map badges). */
export function daysUntilFullOf(forecast: ForecastView): Record<string, number> {
  const days: Record<string, number> = {};
  for (const s of forecast.stamps) {
    if (s.daysUntilFull !== null && s.growthPerDay !== null && s.growthPerDay > 0) days[s.stamp] = s.daysUntilFull;
  }
  return days;
}
