import { describe, expect, it } from "vitest";
import type { StampView } from "../../generated/bindings";
import { MIXED, groupColour, versionColours } from "./versionColours";

const view = (id: string, template: string, version: string, status = "active") =>
  ({ stamp: { id, template, templateVersion: version, status } }) as unknown as StampView;

describe("versionColours", () => {
  it("gives each running version a colour, newest first per template", () => {
    const c = versionColours([
      view("a", "standard", "1.4.0"),
      view("b", "standard", "1.10.0"),
      view("c", "dedicated", "2.1.0"),
      view("d", "standard", "1.4.0"),
      view("e", "standard", "0.9.0", "retired"),
    ]);
    expect(c.swatches.map((s) => [s.label, s.stamps])).toEqual([
      ["dedicated 2.1.0", 1],
      ["standard 1.10.0", 1],
      ["standard 1.4.0", 2],
    ]);
    expect(new Set(c.swatches.map((s) => s.colour)).size).toBe(3);
    expect(c.byStamp.a).toBe(c.byStamp.d);
    expect(c.byStamp.e).toBeUndefined();
  });

  it("colours a group by its one version, or as mixed", () => {
    const byStamp = { a: "#111", b: "#111", c: "#222" };
    expect(groupColour(["a", "b"], byStamp)).toBe("#111");
    expect(groupColour(["a", "c"], byStamp)).toBe(MIXED);
    expect(groupColour(["x"], byStamp)).toBeNull();
  });
});
