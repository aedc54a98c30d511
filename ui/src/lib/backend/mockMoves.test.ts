import { describe, expect, it } from "vitest";
import type { FleetOverview, MoveProgress, TenantView } from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import demoTenants from "../../generated/demo-tenants.json";
import { createMockBackend } from "./mock";
import { moveScript, moveSpeedFrom, moveTargetsOf, rebind } from "./mockMoves";

const DEMO = demoOverview as FleetOverview;
const TENANTS = demoTenants as TenantView[];
const FAST = { tickMs: 0, hold: false };
const stampOf = (o: FleetOverview, id: string) => o.stamps.find((s) => s.stamp.id === id);

describe("mock move script", () => {
  const params = { operation: 1, tenant: "t", from: "a-01", to: "b-01" };

  it("goes importing -> catching-up -> verifying -> done, never backwards", () => {
    const script = moveScript(params, 50, false);
    const phases = script.map((p) => p.phase).filter((p, i, all) => all[i - 1] !== p);
    expect(phases).toEqual(["importing", "catching-up", "verifying", "done"]);
    for (let i = 1; i < script.length; i++) {
      expect(script[i].percent).toBeGreaterThanOrEqual(script[i - 1].percent);
      expect(script[i].copiedKeys).toBeGreaterThanOrEqual(script[i - 1].copiedKeys);
    }
    const done = script[script.length - 1];
    expect(done).toMatchObject({ percent: 100, lag: 0 });
    expect(done.freezeMs).toBeGreaterThan(0);
    expect(script.slice(0, -1).every((p) => p.freezeMs === null)).toBe(true);
  });

  it("a move back copies only the changes", () => {
    const full = moveScript(params, 50, false).at(-1) as MoveProgress;
    const cheap = moveScript(params, 50, true).at(-1) as MoveProgress;
    expect(cheap.copiedKeys).toBeLessThan(full.copiedKeys / 10);
    expect(cheap.copiedBytes).toBeLessThan(full.copiedBytes / 10);
  });

  it("reads its speed from the URL", () => {
    expect(moveSpeedFrom("?mock=demo")).toEqual({ tickMs: 120, hold: false });
    expect(moveSpeedFrom("?mock=demo&moveTick=10&moveHold=1")).toEqual({ tickMs: 10, hold: true });
    expect(moveSpeedFrom("?moveTick=-5")).toMatchObject({ tickMs: 0 });
  });
});

describe("mock move bookkeeping", () => {
  it("rebinding moves the units and counts of both stamps and regions", () => {
    const overview = structuredClone(DEMO);
    const tenants = structuredClone(TENANTS);
    const size = tenants.find((t) => t.tenant.id === "contoso-prod")?.tenant.sizeUnits ?? 0;
    rebind(overview, tenants, "contoso-prod", "fra-01");
    expect(stampOf(overview, "weu-01")).toMatchObject({ tenantCount: 8, capacity: { usedUnits: 297 - size } });
    expect(stampOf(overview, "fra-01")).toMatchObject({ tenantCount: 11, capacity: { usedUnits: 393 + size } });
    const region = (id: string) => overview.regions.find((r) => r.region.id === id);
    const before = (id: string) => DEMO.regions.find((r) => r.region.id === id);
    expect(region("aws-eu-central-1")?.tenantCount).toBe((before("aws-eu-central-1")?.tenantCount ?? 0) + 1);
    expect(region("azure-westeurope")?.capacity.usedUnits).toBe((before("azure-westeurope")?.capacity.usedUnits ?? 0) - size);
    expect(tenants.find((t) => t.tenant.id === "contoso-prod")?.stamp).toBe("fra-01");
  });

  it("targets: passing stamps without its own, the others with placement's reason", () => {
    const view = TENANTS.find((t) => t.tenant.id === "contoso-prod") as TenantView;
    const targets = moveTargetsOf(DEMO, view, () => "healthy");
    expect(targets.from).toBe("weu-01");
    expect(targets.passing).toContain("weu-02");
    expect(targets.passing).not.toContain("weu-01");
    expect(targets.decision.rejected.find((r) => r.stamp === "syd-01")?.rule).toBe("residency");
    expect(targets.decision.rejected.find((r) => r.stamp === "use-02")?.rule).toBe("notActive");
  });
});

describe("mock moves through the backend", () => {
  it("reports every phase, then the fleet, the journal and the routes show the tenant on its new stamp", async () => {
    const backend = createMockBackend("demo", FAST);
    const reports: MoveProgress[] = [];
    const done = await backend.moveTenant({ tenant: "contoso-prod", to: "weu-02" }, (p) => reports.push(p));
    expect(done).toMatchObject({ phase: "done", percent: 100, from: "weu-01", to: "weu-02" });
    expect(new Set(reports.map((p) => p.phase))).toEqual(new Set(["importing", "catching-up", "verifying", "done"]));
    const overview = await backend.fleetOverview();
    expect(stampOf(overview, "weu-02")?.tenantCount).toBe(6);
    const page = await backend.listTenants({ stamp: "weu-02", region: null, text: "contoso-prod", offset: 0, limit: 10 });
    expect(page.tenants.map((t) => t.tenant.id)).toEqual(["contoso-prod"]);
    const [journal] = await backend.listMoves(10);
    expect(journal).toMatchObject({ operation: done.operation, state: "succeeded", step: "done", from: "weu-01", to: "weu-02" });
    const routes = await backend.routingTable();
    expect(routes.version).toBe(2);
    expect(routes.routes.find((r) => r.tenant === "contoso-prod")?.stamp).toBe("weu-02");
  });

  it("refuses pinned tenants, refused targets, its own stamp and a second move of the same tenant", async () => {
    const backend = createMockBackend("demo", FAST);
    const nothing = () => {};
    await expect(backend.moveTenant({ tenant: "coho-winery-prod", to: "weu-02" }, nothing)).rejects.toThrow(
      "coho-winery-prod is pinned to weu-01: unpin it before moving it",
    );
    await expect(backend.moveTenant({ tenant: "contoso-prod", to: "syd-01" }, nothing)).rejects.toThrow(
      /^syd-01 cannot take contoso-prod: region azure-australiaeast .* is outside the tenant's residency/,
    );
    await expect(backend.moveTenant({ tenant: "contoso-prod", to: "weu-01" }, nothing)).rejects.toMatchObject({ code: "invalid_input" });
    const first = backend.moveTenant({ tenant: "contoso-prod", to: "weu-02" }, nothing);
    await expect(backend.moveTenant({ tenant: "contoso-prod", to: "fra-01" }, nothing)).rejects.toThrow(/already moving/);
    await first;
  });

  it("a cancel before verifying rolls the move back; after it is over, it is refused", async () => {
    const backend = createMockBackend("demo", { tickMs: 0, hold: true });
    let operation = 0;
    let importing!: () => void;
    const started = new Promise<void>((resolve) => (importing = resolve));
    const move = backend.moveTenant({ tenant: "contoso-prod", to: "weu-02" }, (p) => {
      operation = p.operation;
      if (p.phase === "importing" && p.percent >= 30) importing();
    });
    const outcome = move.catch((e: Error) => e.message);
    await started;
    expect(await backend.cancelMove(operation)).toMatch(/cancel requested/);
    expect(await outcome).toBe("move of contoso-prod rolled back: cancelled by the operator");
    const [journal] = await backend.listMoves(1);
    expect(journal).toMatchObject({ state: "failed", step: "rolled-back" });
    expect(stampOf(await backend.fleetOverview(), "weu-01")?.tenantCount).toBe(9);
    await expect(backend.cancelMove(operation)).rejects.toThrow(`move ${operation} is failed`);
    await expect(backend.cancelMove(999)).rejects.toThrow("no move 999");
  });

  it("a move back within retention copies only the changes", async () => {
    const backend = createMockBackend("demo", FAST);
    const there = await backend.moveTenant({ tenant: "contoso-prod", to: "weu-02" }, () => {});
    const back = await backend.moveTenant({ tenant: "contoso-prod", to: "weu-01" }, () => {});
    expect(back.copiedKeys).toBeLessThan(there.copiedKeys / 10);
    expect((await backend.listMoves(5)).map((m) => m.to)).toEqual(["weu-01", "weu-02"]);
  });
});
