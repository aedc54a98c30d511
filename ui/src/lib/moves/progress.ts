// Reducing drain progress to what the Drain dialog shows: counts, the overall bar
// and whether the drain is over.
import type { DrainProgress } from "../../generated/bindings";

export type DrainSummary = {
  total: number;
  /** Tenants with a target (the ones the drain moves). */
  toMove: number;
  moved: number;
  moving: number;
  failed: number;
  stays: number;
  /** Moved or failed, in percent of the tenants to move (100 when none is to move). */
  percent: number;
  /** No tenant is planned or moving any more. */
  finished: boolean;
};

export function summarizeDrain(progress: DrainProgress): DrainSummary {
  const count = (state: string) => progress.items.filter((i) => i.state === state).length;
  const [moved, moving, failed, stays, planned] = ["moved", "moving", "failed", "stays", "planned"].map(count);
  const toMove = progress.items.filter((i) => i.to !== null).length;
  const settled = moved + failed;
  return {
    total: progress.items.length,
    toMove,
    moved,
    moving,
    failed,
    stays,
    percent: toMove === 0 ? 100 : Math.round((settled * 100) / toMove),
    finished: moving === 0 && planned === 0,
  };
}

/** The dialog's closing line. */
export function drainVerdict(stamp: string, s: DrainSummary): string {
  const parts = [`${s.moved} moved`];
  if (s.stays > 0) parts.push(`${s.stays} ${s.stays === 1 ? "stays" : "stay"}`);
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  const next =
    s.stays + s.failed === 0
      ? `${stamp} is empty; placements on it stay stopped: retire it when you are ready.`
      : `Placements on ${stamp} stay stopped; ${s.stays + s.failed} tenant(s) still live on it.`;
  return `Drain of ${stamp}: ${parts.join(", ")}. ${next}`;
}
