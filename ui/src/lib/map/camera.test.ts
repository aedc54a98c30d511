import { describe, expect, test } from "vitest";
import { FLIGHT_MS, MapCamera, easeInOutCubic } from "./camera";
import { WORLD_BOUNDS } from "./projection";
import { centreOf, centreOn, fitView, interpolateView, resizeView, type View } from "./viewTransform";

function camera(reducedMotion = false) {
  const draws = { count: 0 };
  const cam = new MapCamera(() => draws.count++, () => reducedMotion);
  return { cam, draws };
}

const europe: [number, number] = [530, 120];

describe("easing", () => {
  test("starts and lands on the ends, passes the middle halfway, never goes back", () => {
    expect(easeInOutCubic(0)).toBe(0);
    expect(easeInOutCubic(0.5)).toBe(0.5);
    expect(easeInOutCubic(1)).toBe(1);
    let last = 0;
    for (let i = 1; i <= 20; i++) {
      const eased = easeInOutCubic(i / 20);
      expect(eased).toBeGreaterThanOrEqual(last);
      last = eased;
    }
    expect(easeInOutCubic(0.1)).toBeLessThan(0.1);
    expect(easeInOutCubic(0.9)).toBeGreaterThan(0.9);
  });
});

describe("camera", () => {
  test("unmeasured until the first resize, which fits the whole world", () => {
    const { cam, draws } = camera();
    expect(cam.measured).toBe(false);
    cam.resize(960, 540);
    expect(cam.measured).toBe(true);
    expect(cam.frame).toEqual({ width: 960, height: 540, world: WORLD_BOUNDS });
    expect(cam.view).toEqual(fitView(cam.frame));
    expect(draws.count).toBe(0);
  });

  test("a later resize keeps the place and zoom", () => {
    const { cam } = camera();
    cam.resize(960, 540);
    cam.setView(centreOn(cam.frame, europe, 4));
    const before = { frame: cam.frame, view: cam.view };
    cam.resize(640, 480);
    expect(cam.view).toEqual(resizeView(before.frame, cam.frame, before.view));
    expect(cam.view.k).toBe(4);
  });

  test("setView jumps and asks for a frame", () => {
    const { cam, draws } = camera();
    cam.resize(960, 540);
    const target = centreOn(cam.frame, europe, 3);
    cam.setView(target);
    expect(cam.view).toEqual(target);
    expect(draws.count).toBe(1);
  });

  test("a flight eases from the view to the target over FLIGHT_MS, then stops asking for frames", () => {
    const { cam, draws } = camera();
    cam.resize(960, 540);
    const from = cam.view;
    const target = centreOn(cam.frame, europe, 6);
    cam.flyTo(target, 1000);
    expect(cam.view).toEqual(from);
    expect(draws.count).toBe(1);
    cam.advance(1000 + FLIGHT_MS / 2);
    expect(cam.view).toEqual(interpolateView(cam.frame, from, target, 0.5));
    expect(draws.count).toBe(2);
    cam.advance(1000 + FLIGHT_MS + 5);
    expect(cam.view).toEqual(target);
    expect(draws.count).toBe(2);
    cam.advance(1000 + 2 * FLIGHT_MS);
    expect(cam.view).toEqual(target);
    expect(draws.count).toBe(2);
  });

  test("a frame stamped before take-off leaves the view where it was", () => {
    const { cam } = camera();
    cam.resize(960, 540);
    const from = cam.view;
    cam.flyTo(centreOn(cam.frame, europe, 6), 1000);
    cam.advance(990);
    expect(cam.view).toEqual(from);
  });

  test("with reduced motion a flight is a jump", () => {
    const { cam, draws } = camera(true);
    cam.resize(960, 540);
    const target = centreOn(cam.frame, europe, 6);
    cam.flyTo(target, 1000);
    expect(cam.view).toEqual(target);
    expect(draws.count).toBe(1);
    cam.advance(1000 + FLIGHT_MS / 2);
    expect(cam.view).toEqual(target);
  });

  test("setView ends a flight", () => {
    const { cam } = camera();
    cam.resize(960, 540);
    cam.flyTo(centreOn(cam.frame, europe, 6), 1000);
    const jumped: View = centreOn(cam.frame, [100, 100], 2);
    cam.setView(jumped);
    cam.advance(1000 + FLIGHT_MS);
    expect(cam.view).toEqual(jumped);
  });

  test("a resize during a flight lands on the same place, re-fitted", () => {
    const { cam } = camera();
    cam.resize(960, 540);
    const target = centreOn(cam.frame, europe, 6);
    cam.flyTo(target, 1000);
    const before = cam.frame;
    cam.resize(640, 480);
    cam.advance(1000 + FLIGHT_MS);
    expect(cam.view).toEqual(resizeView(before, cam.frame, target));
  });

  test("pan, zoom at a point, zoom step about the middle, reset", () => {
    const { cam } = camera(true);
    cam.resize(960, 540);
    cam.zoomAt(2, [480, 270]);
    expect(cam.view.k).toBeCloseTo(2);
    const x = cam.view.x;
    cam.panBy(30, 0);
    expect(cam.view.x).toBeCloseTo(x + 30);
    const middle = centreOf(cam.frame, cam.view);
    cam.zoomStep(1.6);
    expect(cam.view.k).toBeCloseTo(3.2);
    expect(centreOf(cam.frame, cam.view)[0]).toBeCloseTo(middle[0]);
    expect(centreOf(cam.frame, cam.view)[1]).toBeCloseTo(middle[1]);
    cam.reset();
    expect(cam.view).toEqual(fitView(cam.frame));
  });

  test("the mapping follows the view", () => {
    const { cam } = camera();
    cam.resize(960, 540);
    cam.setView(centreOn(cam.frame, europe, 4));
    const mapping = cam.mapping();
    expect(mapping.x).toBe(cam.view.x);
    expect(mapping.y).toBe(cam.view.y);
    expect(europe[0] * mapping.scale + mapping.x).toBeCloseTo(480);
    expect(europe[1] * mapping.scale + mapping.y).toBeCloseTo(270);
  });
});
