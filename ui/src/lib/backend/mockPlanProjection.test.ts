import { describe, expect, it } from "vitest";
import type { FleetOverview, PlanAction, TenantView } from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import demoTenants from "../../generated/demo-tenants.json";
import { describeAction, projectPlan } from "./mockPlanProjection";

const FLEET = { overview: demoOverview as FleetOverview, tenants: demoTenants as TenantView[] };
const SYD_02: PlanAction = {
  action: "addStamp",
  stamp: "syd-02",
  region: "azure-australiaeast",
  template: "standard",
  version: "1.4.0",
};
const project = (...actions: PlanAction[]) => projectPlan(FLEET, actions);
const row = (p: ReturnType<typeof project>, id: string) => p.projection.stamps.find((s) => s.stamp === id);

describe("mock plan projection", () => {
  it("an empty plan changes nothing; syd-01, over the reserve already and untouched, is no warning", () => {
    const p = project();
    expect(p.projection.moves).toEqual([]);
    expect(p.projection.warnings).toEqual([]);
    expect(row(p, "syd-01")?.overReserveAfter).toBe(true);
    expect(p.projection.stamps.every((s) => s.usedBefore === s.usedAfter && s.statusBefore === s.statusAfter)).toBe(true);
    expect(p.after).toEqual(FLEET.overview);
  });

  it("adds a stamp (no status before, the template's capacity) and moves a tenant onto it", () => {
    const p = project(SYD_02, { action: "moveTenant", tenant: "alpine-ski-house-prod", to: "syd-02" });
    expect(row(p, "syd-02")).toMatchObject({
      statusBefore: null,
      statusAfter: "active",
      usedBefore: 0,
      usedAfter: 46,
      capacityBefore: 0,
      capacityAfter: 1000,
      tenantsAfter: 1,
      overReserveAfter: false,
    });
    expect(row(p, "syd-01")).toMatchObject({ usedBefore: 350, usedAfter: 304, tenantsBefore: 10, tenantsAfter: 9, overReserveAfter: false });
    expect(p.projection.moves).toEqual([{ tenant: "alpine-ski-house-prod", from: "syd-01", to: "syd-02" }]);
    expect(p.projection.warnings).toEqual([]);
    const region = p.after.regions.find((r) => r.region.id === "azure-australiaeast");
    expect(region).toMatchObject({ stampCount: 2, tenantCount: 10, capacity: { totalUnits: 1400, usedUnits: 350 } });
    expect(FLEET.overview.stamps.some((s) => s.stamp.id === "syd-02")).toBe(false);
  });

  it("warns, with the action's index, for every action that cannot go through as written", () => {
    const p = project(
      { action: "moveTenant", tenant: "contoso-prod", to: "syd-01" },
      { action: "moveTenant", tenant: "contoso-prod", to: "nope-01" },
      { action: "moveTenant", tenant: "coho-winery-prod", to: "weu-02" },
      { action: "moveTenant", tenant: "ghost", to: "weu-02" },
      { action: "retireStamp", stamp: "weu-01" },
      { ...SYD_02, stamp: "weu-01" },
      { ...SYD_02, region: "mars-1" },
      { ...SYD_02, stamp: "syd-03", version: "9.9.9" },
      { action: "changeCapacity", stamp: "weu-02", capacityUnits: 200 },
    );
    const byAction = (i: number) => p.projection.warnings.filter((w) => w.action === i).map((w) => w.message);
    expect(byAction(0)[0]).toMatch(/^syd-01 cannot take contoso-prod: region azure-australiaeast .* outside the tenant's residency/);
    expect(byAction(1)).toEqual(["no stamp nope-01"]);
    expect(byAction(2)).toEqual(["coho-winery-prod is pinned to weu-01"]);
    expect(byAction(3)).toEqual(["tenant ghost lives on no stamp"]);
    expect(byAction(4)).toEqual(["weu-01 still holds 9 tenant(s): drain it first"]);
    expect(byAction(5)).toEqual(["stamp weu-01 exists already"]);
    expect(byAction(6)).toEqual(["region mars-1 is unknown"]);
    expect(byAction(7)).toEqual(["template standard@9.9.9 is unknown"]);
    expect(byAction(8)).toEqual(["weu-02 holds 299 units, more than the new 200"]);
    expect(row(p, "weu-02")).toMatchObject({ capacityBefore: 1000, capacityAfter: 200, overReserveAfter: true });
    expect(p.projection.warnings.filter((w) => w.action === null).map((w) => w.message)).toEqual([
      "weu-02 ends at 299 of 200 units, over the 20% headroom reserve",
    ]);
  });

  it("drains a stamp: movable tenants go where placement puts them, pinned ones stay", () => {
    const p = project({ action: "drainStamp", stamp: "weu-01" }, { action: "retireStamp", stamp: "weu-01" });
    expect(row(p, "weu-01")).toMatchObject({ statusBefore: "active", statusAfter: "draining", tenantsAfter: 1 });
    expect(p.projection.moves).toHaveLength(8);
    expect(p.projection.moves.every((m) => m.from === "weu-01" && m.to !== "weu-01")).toBe(true);
    expect(p.projection.warnings.filter((w) => w.action !== null)).toEqual([
      { action: 0, message: "coho-winery-prod is pinned to weu-01 and stays" },
      { action: 1, message: "weu-01 still holds 1 tenant(s): drain it first" },
    ]);
  });

  it("onboards a tenant where placement puts it, or on the stamp chosen", () => {
    const tenant = {
      id: "new-co",
      displayName: "New Co",
      tier: "standard" as const,
      sizeUnits: 40,
      residency: { countries: ["AU"], geographies: [], regions: [] },
      isolation: "shared" as const,
      pinned: false,
    };
    const placed = project(SYD_02, { action: "onboardTenant", tenant });
    expect(placed.projection.moves).toEqual([{ tenant: "new-co", from: null, to: "syd-02" }]);
    expect(placed.after.tenantCount).toBe(FLEET.overview.tenantCount + 1);
    const refused = project({ action: "onboardTenant", tenant, stamp: "weu-01" });
    expect(refused.projection.warnings[0]).toMatchObject({ action: 0, message: expect.stringMatching(/^weu-01 cannot take new-co: .*residency/) });
  });

  it("describes actions as the backend does", () => {
    expect(describeAction(SYD_02)).toBe("add stamp syd-02 in azure-australiaeast (standard@1.4.0)");
    expect(describeAction({ action: "moveTenant", tenant: "a", to: "b" })).toBe("move a to b");
    expect(describeAction({ action: "changeCapacity", stamp: "s", capacityUnits: 5 })).toBe("set the capacity of s to 5 units");
  });
});
