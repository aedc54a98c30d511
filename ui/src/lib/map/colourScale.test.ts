import { describe, expect, test } from "vitest";
import type { StampHealth } from "../../generated/bindings";
import { loadLevel } from "../format";
import {
  HEALTH_RINGS,
  RING_ORDER,
  UTILIZATION_BANDS,
  radiusFor,
  ringFor,
  ringStateFor,
  utilizationBand,
  worseRing,
  type RingState,
} from "./colourScale";

function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

function check(state: StampHealth["state"]): StampHealth {
  return { stamp: "s", state, detail: "", problem: null, fix: null, softwareVersion: null, templateVersion: null, errorRate: null, capacityUsed: null, tenantCount: null, checkedAt: 0, pushed: false };
}

describe("utilization bands", () => {
  test.each([
    [0, "low"],
    [49.99, "low"],
    [50, "moderate"],
    [69.99, "moderate"],
    [70, "high"],
    [85, "high"],
    [85.01, "critical"],
    [100, "critical"],
    [140, "critical"],
    [-3, "low"],
    [Number.NaN, "low"],
  ])("%d%% is %s", (percent, band) => {
    expect(utilizationBand(percent).id).toBe(band);
  });

  test("bands agree with the app's load levels", () => {
    for (let u = 0; u <= 100; u += 0.25) {
      const band = utilizationBand(u).id;
      const level = loadLevel({ usedUnits: u, totalUnits: 100 });
      expect(band === "critical", `${u}%`).toBe(level === "hot");
      expect(band === "high", `${u}%`).toBe(level === "warn");
    }
  });

  test("every band has a label and a range; fills get darker band by band", () => {
    for (const band of UTILIZATION_BANDS) {
      expect(band.label.length).toBeGreaterThan(0);
      expect(band.range).toMatch(/%/);
    }
    const lightness = UTILIZATION_BANDS.map((b) => luminance(b.fill));
    expect([...lightness].sort((a, b) => b - a)).toEqual(lightness);
    expect(new Set(lightness).size).toBe(UTILIZATION_BANDS.length);
  });

  test("count labels are readable on every fill", () => {
    for (const band of UTILIZATION_BANDS) {
      expect(contrast(band.fill, band.ink), band.id).toBeGreaterThanOrEqual(4.5);
    }
  });
});

describe("health rings", () => {
  test("every state has a label, its own colour and its own line style", () => {
    expect([...RING_ORDER].sort()).toEqual(Object.keys(HEALTH_RINGS).sort());
    const rings = RING_ORDER.map((s) => HEALTH_RINGS[s]);
    for (const ring of rings) expect(ring.label.length).toBeGreaterThan(0);
    expect(new Set(rings.map((r) => r.style)).size).toBe(rings.length);
    expect(new Set(rings.map((r) => r.cssVar)).size).toBe(rings.length);
  });

  test("a stamp's ring: provisioning first, then live health, unknown without a check", () => {
    expect(ringStateFor("provisioning", check("healthy"))).toBe("provisioning");
    expect(ringStateFor("active", check("degraded"))).toBe("degraded");
    expect(ringStateFor("active", undefined)).toBe("unknown");
    const odd = { ...check("healthy"), state: "exploded" } as unknown as StampHealth;
    expect(ringStateFor("draining", odd)).toBe("unknown");
    expect(ringFor(undefined).label).toBe("Unknown");
  });

  test("the worse of two states", () => {
    const order: RingState[] = ["healthy", "provisioning", "unknown", "degraded", "unreachable"];
    for (let i = 0; i < order.length; i++) {
      for (let j = 0; j < order.length; j++) {
        expect(worseRing(order[i], order[j])).toBe(order[Math.max(i, j)]);
      }
    }
  });
});

describe("radius scale", () => {
  const range = { min: 4, max: 20 };
  test("area grows with capacity, clamped to the range", () => {
    expect(radiusFor(1000, 1000, range)).toBe(20);
    expect(radiusFor(250, 1000, range)).toBeCloseTo(10, 9);
    expect(radiusFor(1, 1000, range)).toBe(4);
    expect(radiusFor(5000, 1000, range)).toBe(20);
    expect(radiusFor(0, 1000, range)).toBe(4);
    expect(radiusFor(100, 0, range)).toBe(4);
  });
});
