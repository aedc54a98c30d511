import type { HealthFix, HealthProblem, StampHealth } from "../generated/bindings";

/** A problem in a few words, for lists (the health detail says the rest). */
export const PROBLEM_LABELS: Record<HealthProblem, string> = {
  notRunning: "not running",
  noEndpoint: "no endpoint",
  noToken: "no admin token",
  agentNotRunning: "local agent not running",
  refused: "nothing answers",
  timedOut: "timed out",
  tokenRefused: "token refused",
  wrongStamp: "answers as another stamp",
  badAnswer: "bad answer",
};

/** What each fix does, as its button's title says it. */
export const FIX_HINTS: Record<HealthFix, string> = {
  startLocalStamps: "Starts this machine's stamp agents that are not running (their data stays)",
  enterToken: "Paste the stamp's admin token; it is checked against the stamp before it is kept",
};

/**
 * Why a check did not come back healthy, in a few words, or null when it did
 * (or the stamp is simply not running).
 */
export function problemLabel(check: StampHealth | undefined): string | null {
  if (!check?.problem || check.problem === "notRunning") return null;
  return PROBLEM_LABELS[check.problem];
}
