import { describe, expect, it } from "vitest";
import type { FleetOverview, GeoPoint, HealthState, PlaceTenant, Tenant } from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import { onboardTarget, placeMock, usableUnits } from "./mockPlacement";

const DEMO = demoOverview as FleetOverview;
const allHealthy = (): HealthState => "healthy";

function tenant(overrides: Partial<Tenant> = {}): Tenant {
  return {
    id: "acme",
    displayName: "Acme",
    tier: "standard",
    sizeUnits: 10,
    residency: { countries: [], geographies: [], regions: [] },
    isolation: "shared",
    pinned: false,
    ...overrides,
  };
}

function request(t: Tenant, preferredRegions: string[] = [], home: GeoPoint | null = null): PlaceTenant {
  return { tenant: t, preferredRegions, home, policy: null };
}

const AMSTERDAM: GeoPoint = { latitude: 52.3667, longitude: 4.9 };
const TOKYO: GeoPoint = { latitude: 35.68, longitude: 139.69 };

const fleet = () => structuredClone(DEMO);
const reasonOf = (d: ReturnType<typeof placeMock>, stamp: string) => d.rejected.find((r) => r.stamp === stamp);

describe("mock placement (a stand-in for the Rust engine)", () => {
  it("places an NL tenant on the best-fit stamp in NL and explains the rest", () => {
    const d = placeMock(fleet(), request(tenant({ residency: { countries: ["NL"], geographies: [], regions: [] } })), allHealthy);
    expect(d.outcome).toMatchObject({ kind: "place", stamp: "weu-02" });
    expect(d.ranked.map((s) => s.stamp)).toEqual(["weu-02", "weu-01"]);
    expect(d.ranked[0].freeAfter).toBe(usableUnits(1000, 20) - 299 - 10);
    expect(reasonOf(d, "fra-01")?.rule).toBe("residency");
    expect(reasonOf(d, "fra-01")?.reason).toMatch(/outside the tenant's residency \(countries NL\)/);
    expect(reasonOf(d, "use-02")).toMatchObject({ rule: "notActive", reason: "stamp is draining, not active" });
    expect(d.rejectedByRule).toEqual([
      ["notActive", 1],
      ["residency", 5],
    ]);
  });

  it("rejects unhealthy stamps before residency", () => {
    const health = (v: { stamp: { id: string } }): HealthState => (v.stamp.id === "weu-02" ? "degraded" : "unknown");
    const d = placeMock(fleet(), request(tenant()), health);
    expect(reasonOf(d, "weu-02")).toMatchObject({ rule: "notHealthy" });
    expect(d.ranked.some((s) => s.stamp === "weu-02")).toBe(false);
  });

  it("keeps shared tenants off dedicated stamps and dedicated tenants on empty dedicated ones", () => {
    const shared = placeMock(fleet(), request(tenant()), allHealthy);
    expect(reasonOf(shared, "fra-ded-01")?.reason).toBe("dedicated stamp; the tenant is shared");
    const dedicated = placeMock(fleet(), request(tenant({ isolation: "dedicated" })), allHealthy);
    expect(reasonOf(dedicated, "fra-ded-01")?.reason).toBe("dedicated stamp already holds 1 tenant(s)");
    expect(reasonOf(dedicated, "weu-01")?.reason).toBe("shared stamp; the tenant needs a dedicated one");
    expect(dedicated.outcome).toMatchObject({ kind: "newStamp", template: "dedicated", version: "2.1.0" });
  });

  it("keeps 20% of every stamp free", () => {
    // syd-01: 350 of 400 used, 320 usable.
    const d = placeMock(fleet(), request(tenant({ residency: { countries: ["AU"], geographies: [], regions: [] } })), allHealthy);
    expect(reasonOf(d, "syd-01")?.rule).toBe("capacity");
    expect(reasonOf(d, "syd-01")?.reason).toMatch(/10 units do not fit: 350 of 320 usable units used \(20% of 400 kept free\)/);
    expect(d.outcome).toMatchObject({ kind: "newStamp", region: "azure-australiaeast", template: "standard", version: "1.4.0" });
  });

  it("puts a preferred region first", () => {
    const d = placeMock(fleet(), request(tenant(), ["aws-us-east-1"]), allHealthy);
    expect(d.outcome).toMatchObject({ kind: "place", stamp: "use-01" });
    expect(d.ranked[0].preferredRank).toBe(0);
    expect(d.ranked.length).toBeLessThanOrEqual(4);
  });

  it("ranks by distance band from the home after the preferred rank, then by fit", () => {
    const eu = tenant({ residency: { countries: ["DE", "NL"], geographies: [], regions: [] } });
    // No home: best fit wins (fra-01 has the fewest usable units left).
    expect(placeMock(fleet(), request(eu), allHealthy).ranked.map((s) => s.distanceKm)).toEqual([null, null, null]);
    // Amsterdam and Frankfurt are 363 km apart: different 250 km bands, so the home's region wins.
    const d = placeMock(fleet(), request(eu, [], AMSTERDAM), allHealthy);
    expect(d.ranked.map((s) => [s.stamp, s.distanceKm])).toEqual([
      ["weu-02", 0],
      ["weu-01", 0],
      ["fra-01", 363],
    ]);
    expect(d.outcome).toMatchObject({ kind: "place", stamp: "weu-02" });
    expect(d.outcome.kind === "place" && d.outcome.reason).toMatch(/0 km from the tenant's home, best fit/);
    // A preferred region still comes before a near one.
    const preferred = placeMock(fleet(), request(eu, ["aws-eu-central-1"], AMSTERDAM), allHealthy);
    expect(preferred.ranked[0]).toMatchObject({ stamp: "fra-01", preferredRank: 0, distanceKm: 363 });
  });

  it("proposes a new stamp in the allowed region nearest the home", () => {
    const big = tenant({ sizeUnits: 700 });
    const d = placeMock(fleet(), request(big, [], TOKYO), allHealthy);
    expect(d.outcome).toMatchObject({ kind: "newStamp", region: "gcp-asia-northeast1" });
    expect(d.outcome.kind === "newStamp" && d.outcome.reason).toMatch(/the nearest allowed region to the tenant's home \(0 km\)/);
  });

  it("refuses when no known region matches the residency", () => {
    const d = placeMock(fleet(), request(tenant({ residency: { countries: ["AQ"], geographies: [], regions: [] } })), allHealthy);
    expect(d.outcome.kind).toBe("refuse");
    expect(d.ranked).toEqual([]);
  });

  it("names the field of invalid input", () => {
    expect(() => placeMock(fleet(), request(tenant({ displayName: " " })), allHealthy)).toThrow(/tenant.displayName/);
    expect(() => placeMock(fleet(), request(tenant({ sizeUnits: 0 })), allHealthy)).toThrow(/tenant.sizeUnits/);
    expect(() => placeMock(fleet(), request(tenant({ id: "Bad Id" })), allHealthy)).toThrow(/tenant.id/);
  });

  it("re-checks the operator's chosen stamp", () => {
    const overview = fleet();
    const d = placeMock(overview, request(tenant({ residency: { countries: ["NL"], geographies: [], regions: [] } })), allHealthy);
    expect(onboardTarget(d, "weu-01", overview)).toBe("weu-01");
    expect(onboardTarget(d, null, overview)).toBe("weu-02");
    expect(() => onboardTarget(d, "fra-01", overview)).toThrow(/fra-01 no longer fits/);
  });
});
