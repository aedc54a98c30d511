import { describe, expect, it } from "vitest";
import type { FleetOverview, Region } from "../../generated/bindings";
import demo from "../../generated/demo-overview.json";
import { projectLonLat } from "./projection";
import { DOT_RADIUS, VIEW_BOX, allowedByPlace, residencyBasemap, residencyDots, toggleRegion } from "./residencyDots";

const regions = (demo as FleetOverview).regions.map((r) => r.region);
const region = (id: string) => regions.find((r) => r.id === id) as Region;
const none = { countries: [], regions: [] };

describe("residency map dots", () => {
  it("puts one dot per region where the main map's projection puts it, labelled", () => {
    const dots = residencyDots(regions, none);
    expect(dots.map((d) => d.id)).toEqual([...regions.map((r) => r.id)].sort());
    const tokyo = dots.find((d) => d.id === "gcp-asia-northeast1")!;
    expect([tokyo.anchorX, tokyo.anchorY]).toEqual(projectLonLat(139.69, 35.68));
    expect(tokyo.label).toBe("Tokyo (gcp-asia-northeast1), JP");
    expect(dots.every((d) => d.allowed && !d.chosen)).toBe(true);
  });

  it("moves dots that would overlap aside, keeping their anchors", () => {
    const dots = residencyDots(regions, none);
    for (const a of dots) {
      for (const b of dots) {
        if (a !== b) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(2 * DOT_RADIUS);
      }
    }
    // Amsterdam and Frankfurt are close: one of them had to move.
    const eu = dots.filter((d) => ["azure-westeurope", "aws-eu-central-1"].includes(d.id));
    expect(eu.some((d) => d.x !== d.anchorX || d.y !== d.anchorY)).toBe(true);
  });

  it("marks chosen regions and dims those the chosen countries rule out", () => {
    const dots = residencyDots(regions, { countries: ["DE", "NL"], regions: ["aws-eu-central-1", "aws-us-east-1"] });
    const of = (id: string) => dots.find((d) => d.id === id)!;
    expect(of("aws-eu-central-1")).toMatchObject({ chosen: true, allowed: true });
    expect(of("azure-westeurope")).toMatchObject({ chosen: false, allowed: true });
    expect(of("aws-us-east-1")).toMatchObject({ chosen: true, allowed: false });
    expect(of("gcp-asia-northeast1")).toMatchObject({ chosen: false, allowed: false });
  });

  it("allows by countries and geographies, never by the region list", () => {
    expect(allowedByPlace({ countries: [], regions: ["x"] }, region("azure-westeurope"))).toBe(true);
    expect(allowedByPlace({ countries: [], geographies: ["Europe"], regions: [] }, region("azure-westeurope"))).toBe(true);
    expect(allowedByPlace({ countries: [], geographies: ["Europe"], regions: [] }, region("aws-eu-central-1"))).toBe(false);
  });

  it("toggles a region in and out, keeping the order of the others", () => {
    expect(toggleRegion(["a", "b"], "c")).toEqual(["a", "b", "c"]);
    expect(toggleRegion(["a", "b", "c"], "b")).toEqual(["a", "c"]);
  });

  it("draws the basemap once, inside the view box", () => {
    const basemap = residencyBasemap();
    expect(basemap.land.length).toBeGreaterThan(1000);
    expect(basemap.graticule).toMatch(/^M/);
    expect(residencyBasemap()).toBe(basemap);
    const [x, y, w, h] = VIEW_BOX.split(" ").map(Number);
    expect(w).toBeGreaterThan(h);
    for (const d of residencyDots(regions, none)) {
      expect(d.x).toBeGreaterThan(x);
      expect(d.y).toBeLessThan(y + h);
    }
  });
});
