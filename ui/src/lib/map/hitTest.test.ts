import { describe, expect, test } from "vitest";
import type { Marker } from "./fleet";
import { hitTest, nearestMarker, screenPosition, stampAt } from "./hitTest";
import { stampMarker } from "./markerFixture";

const marker = stampMarker;

const mapping = { scale: 2, x: 10, y: 20 };
const markers = [marker("under", 50, 50, 10), marker("over", 55, 50, 6), marker("far", 200, 100, 5)];

describe("hit testing", () => {
  test("markers convert to screen positions", () => {
    expect(screenPosition(markers[0], mapping)).toEqual([110, 120]);
  });

  test("the topmost (last drawn) marker wins", () => {
    expect(hitTest(markers, [120, 120], mapping)?.id).toBe("over");
    expect(hitTest(markers, [100, 120], mapping)?.id).toBe("under");
  });

  test("the ring counts as part of the marker; beyond it is a miss", () => {
    expect(hitTest(markers, [410, 220 + 5 + 3], mapping)?.id).toBe("far");
    expect(hitTest(markers, [410, 220 + 5 + 5], mapping)).toBeNull();
    expect(hitTest([], [0, 0], mapping)).toBeNull();
  });

  test("the nearest marker within a distance", () => {
    expect(nearestMarker(markers, [400, 200], mapping, 60)?.id).toBe("far");
    expect(nearestMarker(markers, [700, 500], mapping, 60)).toBeNull();
  });
});

describe("the stamp under a drop", () => {
  const region = (id: string, stamps: string[]): Marker => ({ ...marker(id, 300, 200, 8), kind: "region", stampIds: stamps });

  test("a stamp marker is its stamp", () => {
    expect(stampAt(markers, [120, 120], mapping)).toBe("over");
  });

  test("a region marker of one stamp stands for it; of several, for none", () => {
    expect(stampAt([region("weu", ["weu-01"])], [610, 420], mapping)).toBe("weu-01");
    expect(stampAt([region("weu", ["weu-01", "weu-02"])], [610, 420], mapping)).toBeNull();
  });

  test("empty map: no stamp", () => {
    expect(stampAt(markers, [5, 5], mapping)).toBeNull();
  });
});
