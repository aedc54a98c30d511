// Checks on single plan actions for the mock plans (mockPlans.ts): the ids the
// backend would refuse, and whether an action is already in place on the fleet.
import type { PlanAction } from "../../generated/bindings";
import { slugProblem } from "../stampId";
import type { MockFleet } from "./mockPlanProjection";

/** Ids the backend would refuse to read in an action (the field named). */
export function actionProblem(action: PlanAction): string | null {
  const ids: [string, string | undefined][] =
    action.action === "moveTenant"
      ? [["tenant", action.tenant], ["to", action.to]]
      : action.action === "onboardTenant"
        ? [["tenant.id", action.tenant.id], ["stamp", action.stamp]]
        : [["stamp", action.stamp]];
  for (const [field, id] of ids) {
    const problem = id === undefined ? null : id === "" ? "must not be empty" : slugProblem(id);
    if (problem) return `action.${field}: ${problem}`;
  }
  if (action.action === "addStamp" && (action.region === "" || action.template === "" || action.version === "")) {
    return "action.region, template and version: must not be empty";
  }
  return null;
}

/** Whether an applied action is already in place (a rerun skips it, as the backend does). */
export function alreadyDone(fleet: MockFleet, action: PlanAction): boolean {
  const stamp = (id: string) => fleet.overview.stamps.find((s) => s.stamp.id === id);
  const tenant = (id: string) => fleet.tenants.find((t) => t.tenant.id === id);
  switch (action.action) {
    case "addStamp":
      return stamp(action.stamp) !== undefined;
    case "onboardTenant":
      return tenant(action.tenant.id)?.stamp != null;
    case "moveTenant":
      return tenant(action.tenant)?.stamp === action.to;
    case "retireStamp":
      return stamp(action.stamp)?.stamp.status === "retired";
    default:
      return false;
  }
}
