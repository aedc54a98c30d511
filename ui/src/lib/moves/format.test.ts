import { describe, expect, it } from "vitest";
import { canCancel, formatBytes, formatDuration, formatLag, phaseIndex, phaseWords } from "./format";

describe("move formatting", () => {
  it("formats bytes in binary units, one decimal below 10", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MiB");
    expect(formatBytes(3.25 * 1024 ** 3)).toBe("3.3 GiB");
    expect(formatBytes(-1)).toBe("—");
    expect(formatBytes(Number.NaN)).toBe("—");
  });

  it("formats durations", () => {
    expect(formatDuration(42)).toBe("42 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(15_000)).toBe("15 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });

  it("formats lag with the right plural", () => {
    expect(formatLag(0)).toBe("0 changes behind");
    expect(formatLag(1)).toBe("1 change behind");
    expect(formatLag(1200)).toBe("1,200 changes behind");
  });

  it("orders the phases and allows a cancel until verifying", () => {
    expect(["importing", "catching-up", "verifying", "done"].map(phaseIndex)).toEqual([0, 1, 2, 3]);
    expect(phaseIndex("fencing")).toBe(-1);
    expect(canCancel(null)).toBe(true);
    expect(canCancel("importing")).toBe(true);
    expect(canCancel("catching-up")).toBe(true);
    expect(canCancel("verifying")).toBe(false);
    expect(canCancel("done")).toBe(false);
    expect(phaseWords("importing")).toMatch(/^Importing/);
    expect(phaseWords("something-new")).toBe("something-new");
  });
});
