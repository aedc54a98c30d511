import { describe, expect, test } from "vitest";
import type { Marker } from "./fleet";
import { MARKER_LIST_LIMIT, MapAttributes, markerList } from "./mapAttributes";

function marker(kind: Marker["kind"], id: string, x: number, y: number): Marker {
  return { kind, id, x, y, radius: 5, stampIds: [id], regionIds: [] } as unknown as Marker;
}

const mapping = { scale: 2, x: 10, y: 20 };

describe("the drawn-marker list", () => {
  test("kind, id and screen position to a tenth of a pixel", () => {
    const list = markerList([marker("region", "weu", 1.234, 5.678), marker("stamp", "weu-01", 3, 4)], mapping);
    expect(JSON.parse(list)).toEqual([
      { kind: "region", id: "weu", x: 12.5, y: 31.4 },
      { kind: "stamp", id: "weu-01", x: 16, y: 28 },
    ]);
    expect(markerList([], mapping)).toBe("[]");
  });

  test("empty from MARKER_LIST_LIMIT markers on", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => marker("stamp", `s-${i}`, i, i));
    expect(JSON.parse(markerList(many(MARKER_LIST_LIMIT - 1), mapping))).toHaveLength(MARKER_LIST_LIMIT - 1);
    expect(markerList(many(MARKER_LIST_LIMIT), mapping)).toBe("");
  });
});

describe("published attributes", () => {
  const element = <T>() => ({ dataset: {} as Record<string, string> }) as unknown as T & { dataset: Record<string, string> };

  test("count, zoom and markers; painted once markers were drawn", () => {
    const root = element<HTMLElement>();
    const canvas = element<HTMLCanvasElement>();
    const attributes = new MapAttributes();
    attributes.publish(root, canvas, [], mapping, 1);
    expect(root.dataset).toEqual({ markerCount: "0", zoom: "1.00" });
    expect(canvas.dataset.markers).toBe("[]");
    attributes.publish(root, canvas, [marker("stamp", "weu-01", 3, 4)], mapping, 2.345);
    expect(root.dataset).toEqual({ markerCount: "1", zoom: "2.35", painted: "true" });
    expect(JSON.parse(canvas.dataset.markers)).toEqual([{ kind: "stamp", id: "weu-01", x: 16, y: 28 }]);
  });

  test("the list is removed while there are too many markers", () => {
    const root = element<HTMLElement>();
    const canvas = element<HTMLCanvasElement>();
    const attributes = new MapAttributes();
    attributes.publish(root, canvas, [marker("stamp", "weu-01", 3, 4)], mapping, 1);
    const many = Array.from({ length: MARKER_LIST_LIMIT }, (_, i) => marker("stamp", `s-${i}`, i, i));
    attributes.publish(root, canvas, many, mapping, 1);
    expect(canvas.dataset.markers).toBeUndefined();
    expect(root.dataset.markerCount).toBe(String(MARKER_LIST_LIMIT));
  });
});
