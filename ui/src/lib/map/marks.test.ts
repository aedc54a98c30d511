import { describe, expect, test } from "vitest";
import demo from "../../generated/demo-overview.json";
import type { FleetOverview } from "../../generated/bindings";
import { describeMarker } from "./describe";
import { placeRegions, prepareFleet, type Marker } from "./fleet";
import { groupMarkers } from "./grouping";
import {
  NO_OVERLAY,
  fillsSoon,
  forecastCount,
  forecastText,
  legendMarks,
  markCounts,
  markerOverlay,
  marksAttribute,
  overlayLookup,
  overlayOf,
  strongestMark,
  type MapMark,
} from "./marks";
import { outlineEdge, paintOverlay } from "./overlayPaint";
import type { MapTheme } from "./theme";

const fleet = demo as FleetOverview;
const prepared = prepareFleet(fleet.stamps, placeRegions(fleet.regions), () => "healthy");
const markers = (k: number) => groupMarkers(prepared, k, k).markers;
const find = (k: number, id: string): Marker => {
  const marker = markers(k).find((m) => m.id === id);
  if (!marker) throw new Error(`no ${id} marker at zoom ${k}`);
  return marker;
};
const EUROPE = "cluster:aws-eu-central-1,azure-westeurope";

describe("strongest mark", () => {
  const marks: Record<string, MapMark> = { a: "changed", b: "new", c: "over-reserve" };

  test("over-reserve beats new beats changed", () => {
    expect(strongestMark(["a", "b", "c"], marks)).toBe("over-reserve");
    expect(strongestMark(["a", "b"], marks)).toBe("new");
    expect(strongestMark(["b", "a"], marks)).toBe("new");
    expect(strongestMark(["a", "x"], marks)).toBe("changed");
  });

  test("no marked stamp, no mark", () => {
    expect(strongestMark([], marks)).toBeNull();
    expect(strongestMark(["x", "y"], marks)).toBeNull();
  });

  test("counts per kind", () => {
    expect(markCounts(["a", "b", "c", "x"], marks)).toMatchObject({ new: 1, changed: 1, "over-reserve": 1, drift: 0, "rollout-failed": 0 });
  });
});

describe("a cluster shows the strongest mark of its stamps", () => {
  test("at world zoom Europe is one cluster holding fra-01 and weu-02", () => {
    const cluster = find(1, EUROPE);
    expect(cluster.kind).toBe("cluster");
    const overlay = overlayOf({ "fra-01": "changed", "weu-02": "new", "use-01": "over-reserve" }, undefined);
    expect(markerOverlay(cluster, overlay)).toEqual({ mark: "new", soon: false });
    expect(markerOverlay(find(1, "aws-us-east-1"), overlay).mark).toBe("over-reserve");
    expect(markerOverlay(find(1, "azure-australiaeast"), overlay).mark).toBeNull();
  });

  test("a stamp marker shows its own mark and badge only", () => {
    const overlay = overlayOf({ "use-01": "changed" }, { "use-01": 12, "use-02": 45 });
    expect(markerOverlay(find(40, "use-01"), overlay)).toEqual({ mark: "changed", soon: true });
    expect(markerOverlay(find(40, "use-02"), overlay)).toEqual({ mark: null, soon: false });
    expect(markerOverlay(find(1, "aws-us-east-1"), overlay)).toEqual({ mark: "changed", soon: true });
  });

  test("the lookup remembers a group's answer per marker and is inert without an overlay", () => {
    const overlay = overlayOf({ "weu-01": "over-reserve" }, undefined);
    const lookup = overlayLookup(overlay);
    const cluster = find(1, EUROPE);
    expect(lookup(cluster)).toBe(lookup(cluster));
    expect(lookup(cluster).mark).toBe("over-reserve");
    expect(overlayOf(undefined, undefined)).toBe(NO_OVERLAY);
    expect(overlayLookup(NO_OVERLAY)(cluster)).toEqual({ mark: null, soon: false });
  });
});

describe("legend, data attributes and forecast words", () => {
  test("the legend explains the marks only while something is marked", () => {
    expect(legendMarks(undefined)).toEqual([]);
    expect(legendMarks({})).toEqual([]);
    expect(legendMarks({ x: "changed" }).map((s) => s.mark)).toEqual(["new", "changed", "over-reserve"]);
    expect(legendMarks({ x: "drift" }).map((s) => s.mark)).toEqual(["drift"]);
    expect(legendMarks({ x: "new", y: "drift" }).map((s) => s.mark)).toEqual(["new", "changed", "over-reserve", "drift"]);
  });

  test("data-marks is the sorted ids; data-forecast-count counts stamps under 30 days", () => {
    expect(marksAttribute(undefined)).toBe("");
    expect(marksAttribute({ weu: "new", abc: "changed", use: "over-reserve" })).toBe("abc,use,weu");
    expect(forecastCount(undefined)).toBe(0);
    expect(forecastCount({ a: 0, b: 29.9, c: 30, d: 400, e: Number.NaN })).toBe(2);
    expect(fillsSoon(undefined)).toBe(false);
  });

  test("full in about N days, rounded; full now under one day", () => {
    expect(forecastText(12.4)).toBe("Full in about 12 days");
    expect(forecastText(12.6)).toBe("Full in about 13 days");
    expect(forecastText(1.2)).toBe("Full in about 1 day");
    expect(forecastText(0.6)).toBe("Full now");
    expect(forecastText(0)).toBe("Full now");
    expect(forecastText(1234)).toBe("Full in about 1,234 days");
  });
});

describe("tooltip and accessible description", () => {
  const overlay = overlayOf(
    { "use-01": "new", "use-02": "changed", "weu-01": "over-reserve" },
    { "use-01": 0.4, "use-02": 18.7, "weu-01": 90 },
  );

  test("a stamp says its mark and forecast", () => {
    expect(describeMarker(find(40, "use-01"), {}, overlay).notes).toEqual(["New in this plan", "Full now"]);
    expect(describeMarker(find(40, "use-02"), {}, overlay).notes).toEqual([
      "Changed by this plan",
      "Full in about 19 days",
      "Newer template version available",
    ]);
  });

  test("over the reserve, and a forecast beyond the badge is still spelled out", () => {
    const weu = find(40, "weu-01");
    expect(describeMarker(weu, {}, overlay).notes).toEqual([
      "Over the headroom reserve after this plan",
      "Full in about 90 days",
    ]);
  });

  test("a region or cluster counts its marked and soon-full stamps", () => {
    expect(describeMarker(find(1, "aws-us-east-1"), {}, overlay).notes).toEqual([
      "1 stamp new in this plan",
      "1 stamp changed by this plan",
      "2 stamps full within 30 days",
      "1 stamp has a newer template available",
    ]);
    expect(describeMarker(find(1, EUROPE), {}, overlay).notes).toContain(
      "1 stamp over the headroom reserve after this plan",
    );
  });

  test("without an overlay the words are as before", () => {
    expect(describeMarker(find(40, "use-01"), {}).notes).toEqual([]);
    expect(describeMarker(find(1, "aws-us-east-1"), {}).notes).toEqual(["1 stamp has a newer template available"]);
  });
});

describe("painting", () => {
  const theme = {
    halo: "#fff",
    badgeInk: "#fff",
    forecast: "#d08a0b",
    marks: { new: "#4b55c8", changed: "#0f8a86", "over-reserve": "#d2433f" },
  } as unknown as MapTheme;

  /** A 2D context that records the arcs and strokes. */
  function recorder() {
    const log: { op: string; colour?: string; dash?: number[]; radius?: number; alpha?: number }[] = [];
    let dash: number[] = [];
    const ctx = {
      strokeStyle: "",
      fillStyle: "",
      lineWidth: 1,
      globalAlpha: 1,
      lineCap: "butt",
      lineJoin: "miter",
      save() {},
      restore() {},
      beginPath() {},
      moveTo() {},
      lineTo() {},
      arc(_x: number, _y: number, radius: number) {
        log.push({ op: "arc", radius });
      },
      setLineDash(d: number[]) {
        dash = d;
      },
      stroke() {
        log.push({ op: "stroke", colour: ctx.strokeStyle, dash, alpha: ctx.globalAlpha });
      },
      fill() {
        log.push({ op: "fill", colour: ctx.fillStyle });
      },
    };
    return { ctx: ctx as unknown as CanvasRenderingContext2D, log };
  }

  test("one ring per marked marker in the mark's colour and dash, and a badge for soon-full ones", () => {
    const use01 = find(40, "use-01");
    const use02 = find(40, "use-02");
    const placed = [use01, use02].map((marker) => ({ marker, x: 100, y: 100 }));
    const overlay = overlayOf({ "use-01": "new" }, { "use-02": 3 });
    const { ctx, log } = recorder();
    paintOverlay(ctx, placed, overlayLookup(overlay), theme);
    const strokes = log.filter((e) => e.op === "stroke" && e.alpha === 1);
    expect(strokes[0]).toMatchObject({ colour: "#4b55c8", dash: [4, 3] });
    expect(log.filter((e) => e.op === "fill").map((e) => e.colour)).toEqual(["#d08a0b"]);
    expect(log.find((e) => e.op === "arc")?.radius).toBeCloseTo(outlineEdge(use01));
  });

  test("nothing marked, nothing painted", () => {
    const { ctx, log } = recorder();
    paintOverlay(ctx, [{ marker: find(40, "use-01"), x: 0, y: 0 }], overlayLookup(NO_OVERLAY), theme);
    expect(log).toEqual([]);
  });
});
