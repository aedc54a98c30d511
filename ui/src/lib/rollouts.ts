// Rollouts as the window shows them: each stamp's place in the rollout as a map mark,
// the waves as a timeline, and which template versions run where (the versions ×
// regions matrix, with stamps whose reported version differs from the catalogue's).
import type {
  RegionSummary,
  StampTemplate,
  RolloutPhase,
  RolloutView,
  StampHealth,
  StampRolloutState,
  StampView,
} from "../generated/bindings";
import type { MapMark } from "./map/marks";

const MARK_OF: Record<StampRolloutState, MapMark> = {
  pending: "rollout-pending",
  upgrading: "rollout-upgrading",
  upgraded: "rollout-upgraded",
  failed: "rollout-failed",
  rolledBack: "rollout-failed",
};

/** Each stamp of the rollout marked by where it stands. */
export function rolloutMarks(view: RolloutView): Record<string, MapMark> {
  return Object.fromEntries(view.state.stamps.map((s) => [s.stamp, MARK_OF[s.state]]));
}

/** Phases a runner may still act in, or an operator must act on. */
export function isOpen(phase: RolloutPhase): boolean {
  return phase !== "done" && phase !== "halted" && phase !== "aborted";
}

/** Phases in which the rollout moves by itself (the panel keeps polling). */
export function isMoving(phase: RolloutPhase): boolean {
  return phase === "running" || phase === "baking" || phase === "waitingForWindow";
}

export const PHASE_LABEL: Record<RolloutPhase, string> = {
  running: "Running",
  waitingForWindow: "Waiting for a maintenance window",
  baking: "Baking",
  awaitingApproval: "Waiting for approval",
  paused: "Paused",
  halted: "Halted",
  aborted: "Aborted",
  done: "Done",
};

export type WaveStatus = "done" | "current" | "waiting" | "failed";

export interface WaveRow {
  index: number;
  name: string;
  status: WaveStatus;
  stamps: { id: string; state: StampRolloutState; message: string }[];
}

/** The waves as a timeline: done, the current one, those waiting; a failed one says so. */
export function waveRows(view: RolloutView): WaveRow[] {
  return view.state.spec.waves.map((wave, index) => {
    const stamps = view.state.stamps
      .filter((s) => s.wave === index)
      .map((s) => ({ id: s.stamp, state: s.state, message: s.message }));
    const failed = stamps.some((s) => s.state === "failed" || s.state === "rolledBack");
    const status: WaveStatus = failed
      ? "failed"
      : index < view.state.wave || view.state.phase === "done"
        ? "done"
        : index === view.state.wave
          ? "current"
          : "waiting";
    return { index, name: wave.name, status, stamps };
  });
}

/** Stamps upgraded over all stamps of the rollout. */
export function rolloutProgress(view: RolloutView): { done: number; total: number } {
  const done = view.state.stamps.filter((s) => s.state === "upgraded").length;
  return { done, total: view.state.stamps.length };
}

export interface VersionMatrix {
  /** "standard 1.4.0", newest version of each template first. */
  versions: string[];
  regions: { id: string; name: string }[];
  /** counts[version][region] */
  counts: Record<string, Record<string, number>>;
  /** Stamps whose own health reports another version than the catalogue records. */
  drifted: { stamp: string; recorded: string; reported: string }[];
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return 0;
}

/**
 * Which template versions run in which regions (retired stamps left out). A stamp's
 * reported version counts only from a health check after `since` (seconds since the
 * epoch: when the catalogue was read), so an upgrade just recorded is not flagged
 * against a report from before it.
 */
export function versionMatrix(
  stamps: readonly StampView[],
  regions: readonly RegionSummary[],
  health: Readonly<Record<string, StampHealth>>,
  since = 0,
): VersionMatrix {
  const counts: Record<string, Record<string, number>> = {};
  const used = new Set<string>();
  const drifted: VersionMatrix["drifted"] = [];
  for (const { stamp } of stamps) {
    if (stamp.status === "retired") continue;
    const key = `${stamp.template} ${stamp.templateVersion}`;
    counts[key] ??= {};
    counts[key][stamp.region] = (counts[key][stamp.region] ?? 0) + 1;
    used.add(stamp.region);
    const check = health[stamp.id];
    // A stamp that pushes its health is current; another counts once asked since `since`.
    const reported = check && (check.pushed || check.checkedAt >= since) ? check.templateVersion : null;
    if (reported && reported !== stamp.templateVersion) {
      drifted.push({ stamp: stamp.id, recorded: stamp.templateVersion, reported });
    }
  }
  const versions = Object.keys(counts).sort((a, b) => {
    const [ta, va] = a.split(" ");
    const [tb, vb] = b.split(" ");
    return ta === tb ? compareVersions(va, vb) : ta.localeCompare(tb);
  });
  const shownRegions = regions
    .filter((r) => used.has(r.region.id))
    .map((r) => ({ id: r.region.id, name: r.region.displayName }));
  return { versions, regions: shownRegions, counts, drifted };
}

/**
 * The stamps with "a newer template version exists" judged from the version each stamp
 * reports in its health, where that differs from the catalogue's record (the same
 * array when no stamp reports another version, so the map is not redrawn for nothing).
 */
export function withReportedOutdated(
  stamps: StampView[],
  templates: readonly StampTemplate[],
  health: Readonly<Record<string, StampHealth>>,
): StampView[] {
  let changed = false;
  const out = stamps.map((view) => {
    const reported = health[view.stamp.id]?.templateVersion;
    if (!reported || reported === view.stamp.templateVersion) return view;
    const newest = templates
      .filter((t) => t.name === view.stamp.template)
      .some((t) => compareVersions(t.version, reported) < 0);
    if (newest === view.templateOutdated) return view;
    changed = true;
    return { ...view, templateOutdated: newest };
  });
  return changed ? out : stamps;
}
