import { describe, expect, test } from "vitest";
import { WORLD_BOUNDS } from "./projection";
import {
  MAX_ZOOM,
  MIN_ZOOM,
  centreOf,
  centreOn,
  clampView,
  fitScale,
  fitView,
  interpolateView,
  panBy,
  resizeView,
  toBase,
  toScreen,
  zoomAround,
  zoomBy,
  type Frame,
} from "./viewTransform";

const frame: Frame = { width: 960, height: 540, world: WORLD_BOUNDS };
const europe: [number, number] = [530, 120];

describe("view transform", () => {
  test("the fitted view is zoom 1 with the world centred", () => {
    const view = fitView(frame);
    expect(view.k).toBe(MIN_ZOOM);
    const [x0, y0] = toScreen(frame, view, [WORLD_BOUNDS.x0, WORLD_BOUNDS.y0]);
    const [x1, y1] = toScreen(frame, view, [WORLD_BOUNDS.x1, WORLD_BOUNDS.y1]);
    expect(x0 + x1).toBeCloseTo(frame.width, 6);
    expect(y0 + y1).toBeCloseTo(frame.height, 6);
  });

  test("screen and base coordinates convert both ways", () => {
    const view = centreOn(frame, europe, 6);
    const screen = toScreen(frame, view, [512.5, 140.25]);
    const base = toBase(frame, view, screen);
    expect(base[0]).toBeCloseTo(512.5, 9);
    expect(base[1]).toBeCloseTo(140.25, 9);
  });

  test("zooming around a point keeps that point where it is", () => {
    const view = centreOn(frame, europe, 4);
    const anchor: [number, number] = [400, 300];
    const before = toBase(frame, view, anchor);
    for (const k of [5, 8, 20]) {
      const zoomed = zoomAround(frame, view, k, anchor);
      expect(zoomed.k).toBe(k);
      const after = toBase(frame, zoomed, anchor);
      expect(after[0]).toBeCloseTo(before[0], 6);
      expect(after[1]).toBeCloseTo(before[1], 6);
    }
  });

  test("zoom is clamped to [1, 40]", () => {
    const view = fitView(frame);
    expect(zoomBy(frame, view, 0.2, [100, 100]).k).toBe(MIN_ZOOM);
    expect(zoomBy(frame, view, 1000, [100, 100]).k).toBe(MAX_ZOOM);
    expect(clampView(frame, { k: Number.NaN, x: 0, y: 0 }).k).toBe(MIN_ZOOM);
    // Within half a percent of a limit snaps onto it.
    expect(zoomBy(frame, view, 39.9, [100, 100]).k).toBe(MAX_ZOOM);
    expect(zoomBy(frame, view, 1.004, [100, 100]).k).toBe(MIN_ZOOM);
    expect(zoomBy(frame, view, 1.5, [100, 100]).k).toBe(1.5);
  });

  test("the world cannot be panned out of sight", () => {
    const world = fitView(frame);
    expect(panBy(frame, world, 300, -200)).toEqual(world);
    const zoomed = centreOn(frame, europe, 8);
    const far = panBy(frame, zoomed, 1e6, 1e6);
    const [left, top] = toScreen(frame, far, [WORLD_BOUNDS.x0, WORLD_BOUNDS.y0]);
    expect(left).toBeCloseTo(0, 6);
    expect(top).toBeCloseTo(0, 6);
    const back = panBy(frame, zoomed, -1e6, -1e6);
    const [right, bottom] = toScreen(frame, back, [WORLD_BOUNDS.x1, WORLD_BOUNDS.y1]);
    expect(right).toBeCloseTo(frame.width, 6);
    expect(bottom).toBeCloseTo(frame.height, 6);
  });

  test("centring on a point puts it in the middle at the requested zoom", () => {
    const view = centreOn(frame, europe, 8);
    expect(view.k).toBe(8);
    const [x, y] = toScreen(frame, view, europe);
    expect(x).toBeCloseTo(frame.width / 2, 6);
    expect(y).toBeCloseTo(frame.height / 2, 6);
  });

  test("resizing keeps the centre and the zoom", () => {
    const view = centreOn(frame, europe, 8);
    const bigger: Frame = { ...frame, width: 1400, height: 800 };
    const resized = resizeView(frame, bigger, view);
    expect(resized.k).toBe(8);
    const centre = centreOf(bigger, resized);
    expect(centre[0]).toBeCloseTo(europe[0], 6);
    expect(centre[1]).toBeCloseTo(europe[1], 6);
    expect(fitScale(bigger)).toBeGreaterThan(fitScale(frame));
  });

  test("a flight starts and ends at its views and zooms geometrically", () => {
    const from = fitView(frame);
    const to = centreOn(frame, europe, 16);
    expect(interpolateView(frame, from, to, 0)).toEqual(from);
    expect(interpolateView(frame, from, to, 1)).toEqual(to);
    expect(interpolateView(frame, from, to, 0.5).k).toBeCloseTo(4, 9);
  });
});
