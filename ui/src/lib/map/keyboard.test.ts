import { describe, expect, test } from "vitest";
import { KEY_PAN, KEY_ZOOM, keyCommand } from "./keyboard";

const key = (k: string, mods: Partial<Record<"altKey" | "ctrlKey" | "metaKey", boolean>> = {}) =>
  keyCommand({ key: k, altKey: false, ctrlKey: false, metaKey: false, ...mods });

describe("keyboard", () => {
  test("arrows pan, +/- zoom, 0 resets, Enter and Space activate, Escape dismisses", () => {
    expect(key("ArrowLeft")).toEqual({ kind: "pan", dx: KEY_PAN, dy: 0 });
    expect(key("ArrowDown")).toEqual({ kind: "pan", dx: 0, dy: -KEY_PAN });
    expect(key("+")).toEqual({ kind: "zoom", factor: KEY_ZOOM });
    expect(key("=")).toEqual({ kind: "zoom", factor: KEY_ZOOM });
    expect(key("-")).toEqual({ kind: "zoom", factor: 1 / KEY_ZOOM });
    expect(key("0")).toEqual({ kind: "reset" });
    expect(key("Enter")).toEqual({ kind: "activate" });
    expect(key(" ")).toEqual({ kind: "activate" });
    expect(key("Escape")).toEqual({ kind: "dismiss" });
  });

  test("other keys and shortcuts with modifiers are left alone", () => {
    expect(key("Tab")).toBeNull();
    expect(key("a")).toBeNull();
    expect(key("toString")).toBeNull();
    expect(key("+", { ctrlKey: true })).toBeNull();
    expect(key("0", { metaKey: true })).toBeNull();
  });
});
