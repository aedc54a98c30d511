import type { RouterView } from "../generated/bindings";

/** A router's state in words: in sync, behind by some versions, never synced, failing. */
export type RouterStateKind = "in-sync" | "behind" | "never" | "failing";

export function routerState(r: RouterView): { kind: RouterStateKind; text: string } {
  if (r.lastError) return { kind: "failing", text: `failing: ${r.lastError}` };
  if (r.syncedVersion === null || r.behind === null) return { kind: "never", text: "not synced yet" };
  if (r.behind === 0) return { kind: "in-sync", text: "in sync" };
  return { kind: "behind", text: `${r.behind} version${r.behind === 1 ? "" : "s"} behind` };
}
