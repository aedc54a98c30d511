// `?resumedApply=1` (demo fleet only): the mock starts as the real backend does after
// an apply was killed mid-way and the app restarted (crates/fleet-ops/src/plan_apply.rs
// resumes it): a plan "resumed" whose first action is on the fleet already, and whose
// apply is "running", going on by itself. No window started it; a window that shows
// the plan follows it by asking for the plan again (PlanApplyBar.svelte).
import type { PlanAction } from "../../generated/bindings";
import type { StoredPlan } from "./mockPlanFile";

export const RESUMED_PLAN = "resumed";

/** The actions: the first one (applied before the kill) leaves the stamp table's rows as they are. */
export const RESUMED_ACTIONS: readonly PlanAction[] = [
  { action: "changeCapacity", stamp: "weu-01", capacityUnits: 1200 },
  { action: "addStamp", stamp: "syd-02", region: "azure-australiaeast", template: "standard", version: "1.4.0" },
  { action: "moveTenant", tenant: "alpine-ski-house-prod", to: "syd-02" },
];

/** Actions the killed apply had carried out. */
export const RESUMED_DONE = 1;

/** `?resumedApply=1`: start with the resumed apply. */
export function resumedApplyFrom(search: string): boolean {
  return new URLSearchParams(search).get("resumedApply") === "1";
}

/** The plan as stored, made at catalogue version `baseVersion`. */
export function resumedPlan(baseVersion: number): StoredPlan {
  return { name: RESUMED_PLAN, baseVersion, actions: structuredClone([...RESUMED_ACTIONS]) };
}
