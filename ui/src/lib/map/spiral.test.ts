import { describe, expect, test } from "vitest";
import { GAP, RING_OUTSET, placeDiscs, spiralOffset, spiralReach, spiralSpacing } from "./spiral";

describe("spiral", () => {
  test("one stamp sits on its point; the rest keep their rings apart", () => {
    expect(spiralOffset(0, 1, 10)).toEqual([0, 0]);
    const radius = 7;
    const spacing = spiralSpacing(radius);
    for (const n of [2, 3, 10, 120]) {
      const points = Array.from({ length: n }, (_, i) => spiralOffset(i, n, spacing));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const d = Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]);
          expect(d).toBeGreaterThanOrEqual(2 * (radius + RING_OUTSET) + GAP - 1e-9);
        }
        expect(Math.hypot(...points[i])).toBeLessThanOrEqual(spiralReach(n, spacing) + 1e-9);
      }
    }
  });

  test("colliding discs are moved apart; free ones stay put", () => {
    const scale = 2;
    const discs = [
      { x: 100, y: 100, radius: 40 },
      { x: 100, y: 100, radius: 30 },
      { x: 110, y: 100, radius: 20 },
      { x: 400, y: 100, radius: 20 },
    ];
    const centres = placeDiscs(discs, scale);
    expect(centres[0]).toEqual([100, 100]);
    expect(centres[3]).toEqual([400, 100]);
    for (let i = 0; i < discs.length; i++) {
      for (let j = i + 1; j < discs.length; j++) {
        const d = Math.hypot(centres[i][0] - centres[j][0], centres[i][1] - centres[j][1]) * scale;
        expect(d).toBeGreaterThanOrEqual(discs[i].radius + discs[j].radius + GAP - 1e-6);
      }
    }
  });
});
