import { afterEach, describe, expect, test, vi } from "vitest";
import { watchColourScheme, watchPixelRatio } from "./displayChanges";

/** A stand-in for matchMedia: the queries asked for, each with its listeners. */
function fakeMedia() {
  const queries: { media: string; listeners: Set<() => void> }[] = [];
  vi.stubGlobal("matchMedia", (media: string) => {
    const query = { media, listeners: new Set<() => void>() };
    queries.push(query);
    return {
      addEventListener: (_: string, listener: () => void) => query.listeners.add(listener),
      removeEventListener: (_: string, listener: () => void) => query.listeners.delete(listener),
    };
  });
  const fire = (query: { listeners: Set<() => void> }) => [...query.listeners].forEach((listener) => listener());
  return { queries, fire };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("display changes", () => {
  test("a colour scheme flip is reported until the watch stops", () => {
    const { queries, fire } = fakeMedia();
    let changes = 0;
    const stop = watchColourScheme(() => changes++);
    expect(queries.map((q) => q.media)).toEqual(["(prefers-color-scheme: dark)"]);
    fire(queries[0]);
    expect(changes).toBe(1);
    stop();
    expect(queries[0].listeners.size).toBe(0);
  });

  test("each new pixel ratio is reported, and the watch moves on to the new ratio", () => {
    const { queries, fire } = fakeMedia();
    vi.stubGlobal("window", { devicePixelRatio: 1 });
    let changes = 0;
    const stop = watchPixelRatio(() => changes++);
    expect(queries.map((q) => q.media)).toEqual(["(resolution: 1dppx)"]);
    window.devicePixelRatio = 2;
    fire(queries[0]);
    expect(changes).toBe(1);
    expect(queries.map((q) => q.media)).toEqual(["(resolution: 1dppx)", "(resolution: 2dppx)"]);
    expect(queries[0].listeners.size).toBe(0);
    expect(queries[1].listeners.size).toBe(1);
    stop();
    expect(queries[1].listeners.size).toBe(0);
  });
});
