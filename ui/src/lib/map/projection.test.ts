import { describe, expect, test } from "vitest";
import demo from "../../generated/demo-overview.json";
import type { FleetOverview } from "../../generated/bindings";
import { BASE_WIDTH, WORLD_BOUNDS, basemapPaths, invertToLonLat, projectLonLat } from "./projection";
import { fitView, toScreen, type Frame } from "./viewTransform";

const fleet = demo as FleetOverview;

function at(lon: number, lat: number): readonly [number, number] {
  const point = projectLonLat(lon, lat);
  if (!point) throw new Error(`cannot project ${lon},${lat}`);
  return point;
}

describe("projection", () => {
  test("London is north-west of Frankfurt, Sydney south-east of Tokyo", () => {
    const london = at(-0.13, 51.51);
    const frankfurt = at(8.68, 50.11);
    expect(london[0]).toBeLessThan(frankfurt[0]);
    expect(london[1]).toBeLessThan(frankfurt[1]);
    const tokyo = at(139.69, 35.68);
    const sydney = at(151.21, -33.86);
    expect(sydney[0]).toBeGreaterThan(tokyo[0]);
    expect(sydney[1]).toBeGreaterThan(tokyo[1]);
  });

  test("the world's extent spans the base width", () => {
    expect(WORLD_BOUNDS.x0).toBeLessThan(0);
    expect(WORLD_BOUNDS.x1).toBeGreaterThan(BASE_WIDTH);
    expect(WORLD_BOUNDS.y1 - WORLD_BOUNDS.y0).toBeGreaterThan(BASE_WIDTH * 0.35);
    expect(WORLD_BOUNDS.y1 - WORLD_BOUNDS.y0).toBeLessThan(BASE_WIDTH * 0.6);
  });

  test.each([
    [960, 540],
    [400, 600],
    [1600, 500],
  ])("fitted to %dx%d, the world and every demo region lie inside the canvas", (width, height) => {
    const frame: Frame = { width, height, world: WORLD_BOUNDS };
    const view = fitView(frame);
    const corners = [
      toScreen(frame, view, [WORLD_BOUNDS.x0, WORLD_BOUNDS.y0]),
      toScreen(frame, view, [WORLD_BOUNDS.x1, WORLD_BOUNDS.y1]),
    ];
    for (const [x, y] of corners) {
      expect(x).toBeGreaterThanOrEqual(-1e-6);
      expect(x).toBeLessThanOrEqual(width + 1e-6);
      expect(y).toBeGreaterThanOrEqual(-1e-6);
      expect(y).toBeLessThanOrEqual(height + 1e-6);
    }
    // The world fills the canvas along at least one axis.
    const spanX = corners[1][0] - corners[0][0];
    const spanY = corners[1][1] - corners[0][1];
    expect(Math.max(spanX / width, spanY / height)).toBeCloseTo(1, 6);
    for (const { region } of fleet.regions) {
      const [x, y] = toScreen(frame, view, at(region.longitude, region.latitude));
      expect(x).toBeGreaterThan(0);
      expect(x).toBeLessThan(width);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThan(height);
    }
  });

  test("projecting and inverting round-trips", () => {
    for (const [lon, lat] of [
      [8.68, 50.11],
      [-77.49, 39.04],
      [151.2094, -33.86],
      [-179, 70],
      [0, 0],
    ]) {
      const [x, y] = at(lon, lat);
      const back = invertToLonLat(x, y);
      expect(back?.[0]).toBeCloseTo(lon, 6);
      expect(back?.[1]).toBeCloseTo(lat, 6);
    }
  });

  test("unplaceable coordinates give null", () => {
    expect(projectLonLat(Number.NaN, 10)).toBeNull();
    expect(projectLonLat(10, Number.POSITIVE_INFINITY)).toBeNull();
  });

  test("the basemap has land, coastline, borders, graticule and sphere paths", () => {
    const paths = basemapPaths();
    for (const [name, path] of Object.entries(paths)) {
      expect(path, name).toMatch(/^M/);
    }
    expect(paths.land.length).toBeGreaterThan(10_000);
  });

  test("the 1:50m basemap is finer, in the same projection", async () => {
    const coarse = basemapPaths();
    const fine = basemapPaths((await import("world-atlas/countries-50m.json")).default);
    const points = (path: string) => path.split(/[ML]/).length;
    expect(points(fine.coastline)).toBeGreaterThan(4 * points(coarse.coastline));
    // The graticule and the outline of the sphere are the same paths: only the countries change.
    expect(fine.graticule).toBe(coarse.graticule);
    expect(fine.sphere).toBe(coarse.sphere);
  });
});
