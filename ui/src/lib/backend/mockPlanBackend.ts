// The mock backend's plan calls (see mockPlans.ts, mockForecast.ts): each waits like
// every mock call does (`guard`), then answers from the in-memory plans.
import type { FleetOverview, PlanAction, TenantView } from "../../generated/bindings";
import { BackendError, type Backend } from "./backend";
import { forecastMock, rebalanceMock } from "./mockForecast";
import type { MockPlans } from "./mockPlans";

type PlanCalls = Pick<
  Backend,
  | "listPlans"
  | "planDetail"
  | "newPlan"
  | "addPlanAction"
  | "removePlanAction"
  | "deletePlan"
  | "planRebalance"
  | "forecast"
  | "planForecast"
  | "exportPlan"
  | "importPlan"
  | "checkPlan"
  | "applyPlan"
  | "pausePlan"
>;

export function planMethods(
  plans: MockPlans,
  fleet: () => { overview: FleetOverview; tenants: TenantView[] },
  guard: () => Promise<void>,
): PlanCalls {
  const copy = <T>(value: T): T => structuredClone(value);
  return {
    async listPlans() {
      await guard();
      return plans.list();
    },
    async planDetail(name) {
      await guard();
      return plans.detail(name);
    },
    async newPlan(name) {
      await guard();
      return plans.create(name);
    },
    async addPlanAction(name, action) {
      await guard();
      return plans.append(name, [action]);
    },
    async removePlanAction(name, index) {
      await guard();
      return plans.remove(name, index);
    },
    async deletePlan(name) {
      await guard();
      plans.delete(name);
    },
    async planRebalance(name, limitPercent) {
      await guard();
      if (!Number.isInteger(limitPercent) || limitPercent < 1 || limitPercent > 100) {
        throw new BackendError("invalid_input", `limit ${limitPercent}%: must be between 1 and 100`);
      }
      plans.detail(name);
      const proposal = rebalanceMock(fleet().overview, fleet().tenants, limitPercent);
      const detail = plans.append(name, proposal.moves.map((m): PlanAction => ({ action: "moveTenant", tenant: m.tenant, to: m.to })));
      return [detail, copy(proposal)] as [typeof detail, typeof proposal];
    },
    async forecast(_windowDays, horizonDays) {
      await guard();
      return copy(forecastMock(fleet().overview, horizonDays));
    },
    async planForecast(name, _windowDays, horizonDays) {
      await guard();
      plans.detail(name);
      return plans.append(name, forecastMock(fleet().overview, horizonDays).proposals.map((p) => p.action));
    },
    async exportPlan(name) {
      await guard();
      return plans.exportText(name);
    },
    async importPlan(file, text) {
      await guard();
      return plans.importText(file, text);
    },
    async checkPlan(name) {
      await guard();
      return plans.check(name);
    },
    async applyPlan(name, onProgress) {
      await guard();
      return plans.apply(name, onProgress);
    },
    async pausePlan(name) {
      await guard();
      plans.pause(name);
    },
  };
}
