import { describe, expect, test } from "vitest";
import { placeStampLabels } from "./stampLabels";

const width = (text: string) => text.length * 6;

describe("stamp labels", () => {
  test("each stamp is named beside its marker when there is room", () => {
    const labels = placeStampLabels(
      [
        { text: "fra-01", x: 100, y: 100, r: 10 },
        { text: "weu-01", x: 100, y: 200, r: 10 },
      ],
      width,
    );
    expect(labels).toEqual([
      { text: "fra-01", x: 114, y: 100, align: "left" },
      { text: "weu-01", x: 114, y: 200, align: "left" },
    ]);
  });

  test("a label that would cover a marker goes to the other side, or is left out", () => {
    const labels = placeStampLabels(
      [
        { text: "a-01", x: 100, y: 100, r: 10 },
        { text: "b-01", x: 130, y: 100, r: 10 },
        { text: "c-01", x: 160, y: 100, r: 10 },
      ],
      width,
    );
    // a's right side holds b's disc: a goes left; b is boxed in by a and c; c goes right.
    expect(labels.map((l) => [l.text, l.align])).toEqual([
      ["a-01", "right"],
      ["c-01", "left"],
    ]);
  });
});
