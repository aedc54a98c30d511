import { describe, expect, it } from "vitest";
import type { DrainProgress, FleetOverview, TenantView } from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import demoTenants from "../../generated/demo-tenants.json";
import { createMockBackend } from "./mock";
import { drainConcurrency, planDrain, runDrain } from "./mockDrain";

const DEMO = demoOverview as FleetOverview;
const TENANTS = demoTenants as TenantView[];
const healthy = () => "healthy" as const;

function draining(stamp: string): FleetOverview {
  const overview = structuredClone(DEMO);
  const view = overview.stamps.find((s) => s.stamp.id === stamp);
  if (view) view.stamp.status = "draining";
  return overview;
}

describe("mock drain plan", () => {
  it("plans largest first; pinned tenants stay; targets are not overfilled", () => {
    const plan = planDrain(draining("weu-01"), TENANTS, "weu-01", healthy);
    expect(plan.items).toHaveLength(9);
    expect(plan.items[0].tenant).toBe("coho-winery-prod");
    expect(plan.items[0]).toMatchObject({ state: "stays", to: null, message: "pinned to weu-01" });
    expect(plan.items.slice(1).every((i) => i.state === "planned" && i.to !== null && i.to !== "weu-01")).toBe(true);
    expect(plan.stays).toBe(1);
    const units = (stamp: string) =>
      plan.items.filter((i) => i.to === stamp).reduce((sum, i) => sum + (TENANTS.find((t) => t.tenant.id === i.tenant)?.tenant.sizeUnits ?? 0), 0);
    expect(393 + units("fra-01")).toBeLessThanOrEqual(480);
  });

  it("tenants no other stamp can take stay, with placement's reason", () => {
    const plan = planDrain(draining("syd-01"), TENANTS, "syd-01", healthy);
    expect(plan.items.every((i) => i.state === "stays" && i.to === null)).toBe(true);
    expect(plan.items[0].message).toMatch(/new .* stamp|no stamp fits/);
  });

  it("keeps the concurrency within 1..32, 4 by default", () => {
    expect([null, 0, 3, 99].map(drainConcurrency)).toEqual([4, 1, 3, 32]);
  });
});

describe("mock drain run", () => {
  it("never runs more than `concurrency` moves at once, and reports every item's end", async () => {
    const plan = planDrain(draining("weu-01"), TENANTS, "weu-01", healthy);
    let running = 0;
    let most = 0;
    const reports: DrainProgress[] = [];
    const done = await runDrain(plan, 2, async (tenant, to) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running--;
      if (tenant === "litware-prod") throw new Error("stamp down");
      return { operation: 1, tenant, from: "weu-01", to, phase: "done", percent: 100, copiedKeys: 1, copiedBytes: 1, lag: 0, freezeMs: 1 };
    }, (p) => reports.push(p));
    expect(most).toBe(2);
    expect(done).toMatchObject({ moved: 7, failed: 1, stays: 1 });
    expect(done.items.find((i) => i.tenant === "litware-prod")).toMatchObject({ state: "failed", message: "stamp down" });
    expect(reports[0].items.every((i) => i.state === "planned" || i.state === "stays")).toBe(true);
    expect(reports.some((r) => r.items.some((i) => i.state === "moving"))).toBe(true);
  });

  it("through the backend: the stamp turns draining and its tenants land on their targets", async () => {
    const backend = createMockBackend("demo", { tickMs: 0, hold: false });
    const progress: DrainProgress[] = [];
    const done = await backend.drainStamp({ stamp: "weu-01", concurrency: 3 }, (p) => progress.push(p));
    expect(done).toMatchObject({ stamp: "weu-01", moved: 8, failed: 0, stays: 1 });
    expect(done.last?.phase).toBe("done");
    const overview = await backend.fleetOverview();
    const weu01 = overview.stamps.find((s) => s.stamp.id === "weu-01");
    expect(weu01?.stamp.status).toBe("draining");
    expect(weu01?.tenantCount).toBe(1);
    const moved = done.items.find((i) => i.state === "moved");
    const page = await backend.listTenants({ stamp: moved?.to ?? null, region: null, text: moved?.tenant ?? null, offset: 0, limit: 5 });
    expect(page.total).toBe(1);
    expect((await backend.listMoves(100)).filter((m) => m.state === "succeeded")).toHaveLength(8);
    await expect(backend.drainStamp({ stamp: "nope", concurrency: null }, () => {})).rejects.toThrow("no stamp nope");
  });
});
