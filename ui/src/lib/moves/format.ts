// Words and numbers for tenant moves: phases, bytes, lag and freeze times.
import type { MovePhase } from "../../generated/bindings";
import { formatCount } from "../format";

/** The phases a move reports, in order (the backend journals finer steps in between). */
export const MOVE_PHASES: readonly MovePhase[] = ["importing", "catching-up", "verifying", "done"];

const PHASE_WORDS: Record<string, string> = {
  queued: "Waiting for a free move slot",
  planned: "Starting",
  importing: "Importing: copying a snapshot while the tenant keeps writing",
  "catching-up": "Catching up: writes paused, copying the last changes",
  verifying: "Verifying: comparing both copies before the cut-over",
  done: "Done: the tenant lives on its new stamp",
};

export function phaseWords(phase: string): string {
  return PHASE_WORDS[phase] ?? phase;
}

/** Position of a phase in MOVE_PHASES; -1 for a step the UI does not know. */
export function phaseIndex(phase: string): number {
  return (MOVE_PHASES as readonly string[]).indexOf(phase);
}

/** A move can be cancelled (rolled back) until it starts verifying. */
export function canCancel(phase: string | null): boolean {
  return phase === null || phase === "planned" || phase === "importing" || phase === "catching-up";
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 512 B, 1.5 KiB, 12 MiB: one decimal below 10 of a unit, none above. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** 850 ms, 1.2 s, 2 min 5 s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** "0 changes behind", "1 change behind", "1,200 changes behind". */
export function formatLag(lag: number): string {
  return `${formatCount(lag)} ${lag === 1 ? "change" : "changes"} behind`;
}
