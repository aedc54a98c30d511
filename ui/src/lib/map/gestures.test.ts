import { describe, expect, test } from "vitest";
import { TENANT_DRAG_TYPE } from "../moves/dragPayload";
import { MapCamera } from "./camera";
import type { Marker } from "./fleet";
import { DRAG_THRESHOLD, MapGestures, wheelZoomFactor, type GestureHost } from "./gestures";
import { KEY_PAN, KEY_ZOOM } from "./keyboard";
import { stampMarker } from "./markerFixture";
import type { Point } from "./projection";
import { fitView, toBase } from "./viewTransform";

function stamp(id: string, at: Point): Marker {
  return stampMarker(id, at[0], at[1]);
}

/** The canvas sits at (10, 20) on the page; the map is 960 × 540 and shows the whole world. */
const CANVAS_AT: Point = [10, 20];
/** Where (in canvas px) the one stamp marker is drawn. */
const STAMP_AT: Point = [300, 200];

function setUp(options: { drops?: boolean } = {}) {
  const camera = new MapCamera(() => {}, () => true);
  camera.resize(960, 540);
  const marker = stamp("weu-01", toBase(camera.frame, camera.view, STAMP_AT));
  const state = {
    hovered: null as Marker | null,
    keyboardTargeting: false,
    dragging: false,
    activated: [] as string[],
    dropped: [] as [string, string][],
    draws: 0,
    captured: [] as number[],
    focusVisible: true,
  };
  const canvas = {
    getBoundingClientRect: () => ({ left: CANVAS_AT[0], top: CANVAS_AT[1] }),
    setPointerCapture: (id: number) => {
      if (id < 0) throw new Error("not an active pointer");
      state.captured.push(id);
    },
    matches: () => state.focusVisible,
  } as unknown as HTMLCanvasElement;
  const ondroptenant = (tenant: string, at: string) => void state.dropped.push([tenant, at]);
  const host: GestureHost = {
    canvas: () => canvas,
    drawn: () => [marker],
    hovered: () => state.hovered,
    keyboardTargeting: () => state.keyboardTargeting,
    setKeyboardTargeting: (on) => (state.keyboardTargeting = on),
    setDragging: (on) => (state.dragging = on),
    activate: (m) => void state.activated.push(m.id),
    ondroptenant: () => (options.drops === false ? undefined : ondroptenant),
    requestDraw: () => void state.draws++,
  };
  return { camera, gestures: new MapGestures(camera, host), marker, state };
}

/** A mouse-like event at a point of the canvas; `prevented` tells whether preventDefault was called. */
function event<T>(at: Point, extra: Record<string, unknown> = {}): T & { prevented: boolean } {
  const e = {
    clientX: at[0] + CANVAS_AT[0],
    clientY: at[1] + CANVAS_AT[1],
    button: 0,
    pointerId: 1,
    prevented: false,
    preventDefault() {
      e.prevented = true;
    },
    ...extra,
  };
  return e as unknown as T & { prevented: boolean };
}

const pointer = (at: Point, extra: Record<string, unknown> = {}) => event<PointerEvent>(at, extra);
const key = (k: string) => event<KeyboardEvent>([0, 0], { key: k, altKey: false, ctrlKey: false, metaKey: false });
const tenantDrag = (at: Point, tenant = "acme") =>
  event<DragEvent>(at, { dataTransfer: { types: [TENANT_DRAG_TYPE], getData: () => tenant, dropEffect: "none" } });

describe("wheel zoom factor", () => {
  test("scrolling up zooms in, down zooms out, by the same factor", () => {
    const up = wheelZoomFactor({ deltaY: -100, deltaMode: 0 }, 540);
    const down = wheelZoomFactor({ deltaY: 100, deltaMode: 0 }, 540);
    expect(up).toBeCloseTo(Math.exp(0.2));
    expect(up * down).toBeCloseTo(1);
    expect(wheelZoomFactor({ deltaY: 0, deltaMode: 0 }, 540)).toBe(1);
  });

  test("line and page deltas count as 16 px and a page height", () => {
    expect(wheelZoomFactor({ deltaY: 3, deltaMode: 1 }, 540)).toBeCloseTo(wheelZoomFactor({ deltaY: 48, deltaMode: 0 }, 540));
    expect(wheelZoomFactor({ deltaY: 1, deltaMode: 2 }, 540)).toBeCloseTo(wheelZoomFactor({ deltaY: 540, deltaMode: 0 }, 540));
  });
});

describe("map gestures", () => {
  test("the wheel zooms about the pointer and keeps the page from scrolling", () => {
    const { camera, gestures } = setUp();
    const wheel = event<WheelEvent>([480, 270], { deltaY: -100, deltaMode: 0 });
    gestures.onWheel(wheel);
    expect(wheel.prevented).toBe(true);
    expect(camera.view.k).toBeCloseTo(Math.exp(0.2));
  });

  test("a press and release on a marker is a click on it, even with a little movement", () => {
    const { gestures, state } = setUp();
    gestures.onPointerDown(pointer(STAMP_AT));
    gestures.onPointerMove(pointer([STAMP_AT[0] + DRAG_THRESHOLD - 1, STAMP_AT[1]]));
    expect(gestures.panning).toBe(false);
    gestures.onPointerUp(pointer([STAMP_AT[0] + DRAG_THRESHOLD - 1, STAMP_AT[1]]));
    expect(state.activated).toEqual(["weu-01"]);
    expect(state.captured).toEqual([1]);
  });

  test("a press elsewhere is a click on nothing; other buttons are ignored", () => {
    const { gestures, state } = setUp();
    gestures.onPointerDown(pointer([50, 50]));
    gestures.onPointerUp(pointer([50, 50]));
    gestures.onPointerDown(pointer(STAMP_AT, { button: 2 }));
    gestures.onPointerUp(pointer(STAMP_AT));
    expect(state.activated).toEqual([]);
  });

  test("a drag past the threshold pans by the pointer's movement and is no click", () => {
    const { camera, gestures, state } = setUp();
    camera.zoomAt(4, [480, 270]);
    const x = camera.view.x;
    gestures.onPointerDown(pointer(STAMP_AT));
    gestures.onPointerMove(pointer([STAMP_AT[0] + 10, STAMP_AT[1]]));
    expect(gestures.panning).toBe(true);
    expect(state.dragging).toBe(true);
    expect(camera.view.x).toBeCloseTo(x + 10);
    gestures.onPointerMove(pointer([STAMP_AT[0] + 25, STAMP_AT[1]]));
    expect(camera.view.x).toBeCloseTo(x + 25);
    gestures.onPointerUp(pointer([STAMP_AT[0] + 25, STAMP_AT[1]]));
    expect(state.dragging).toBe(false);
    expect(gestures.panning).toBe(false);
    expect(state.activated).toEqual([]);
  });

  test("another pointer's events leave a drag alone; a cancel ends it", () => {
    const { gestures, state } = setUp();
    gestures.onPointerDown(pointer(STAMP_AT));
    gestures.onPointerMove(pointer([STAMP_AT[0] + 10, STAMP_AT[1]]));
    gestures.onPointerUp(pointer(STAMP_AT, { pointerId: 2 }));
    gestures.onPointerCancel(pointer(STAMP_AT, { pointerId: 2 }));
    expect(state.dragging).toBe(true);
    gestures.onPointerCancel(pointer(STAMP_AT));
    expect(state.dragging).toBe(false);
  });

  test("a press without pointer capture still drags", () => {
    const { gestures, state } = setUp();
    gestures.onPointerDown(pointer(STAMP_AT, { pointerId: -1 }));
    gestures.onPointerMove(pointer([STAMP_AT[0] + 10, STAMP_AT[1]], { pointerId: -1 }));
    expect(state.dragging).toBe(true);
  });

  test("the pointer is tracked over the canvas, ends keyboard steering, and is forgotten on leaving", () => {
    const { gestures, state } = setUp();
    state.keyboardTargeting = true;
    gestures.onPointerMove(pointer([40, 50]));
    expect(gestures.pointer).toEqual([40, 50]);
    expect(state.keyboardTargeting).toBe(false);
    expect(state.draws).toBe(1);
    gestures.onPointerLeave();
    expect(gestures.pointer).toBeNull();
    expect(state.draws).toBe(2);
  });

  test("leaving the canvas mid-drag keeps the pointer", () => {
    const { gestures } = setUp();
    gestures.onPointerDown(pointer([40, 50]));
    gestures.onPointerMove(pointer([60, 50]));
    gestures.onPointerLeave();
    expect(gestures.pointer).toEqual([60, 50]);
  });

  test("keys pan, zoom and reset, and start keyboard steering", () => {
    const { camera, gestures, state } = setUp();
    camera.zoomAt(4, [480, 270]);
    const x = camera.view.x;
    const left = key("ArrowLeft");
    gestures.onKeyDown(left);
    expect(left.prevented).toBe(true);
    expect(camera.view.x).toBeCloseTo(x + KEY_PAN);
    expect(state.keyboardTargeting).toBe(true);
    gestures.onKeyDown(key("+"));
    expect(camera.view.k).toBeCloseTo(4 * KEY_ZOOM);
    gestures.onKeyDown(key("0"));
    expect(camera.view).toEqual(fitView(camera.frame));
  });

  test("Enter activates the hovered marker; with none it starts keyboard steering", () => {
    const { gestures, marker, state } = setUp();
    gestures.onKeyDown(key("Enter"));
    expect(state.activated).toEqual([]);
    expect(state.keyboardTargeting).toBe(true);
    state.hovered = marker;
    gestures.onKeyDown(key("Enter"));
    expect(state.activated).toEqual(["weu-01"]);
  });

  test("Escape dismisses keyboard steering and the pointer; with nothing to dismiss it is left alone", () => {
    const { gestures, state } = setUp();
    const idle = key("Escape");
    gestures.onKeyDown(idle);
    expect(idle.prevented).toBe(false);
    gestures.onPointerMove(pointer([40, 50]));
    state.keyboardTargeting = true;
    const dismiss = key("Escape");
    gestures.onKeyDown(dismiss);
    expect(dismiss.prevented).toBe(true);
    expect(state.keyboardTargeting).toBe(false);
    expect(gestures.pointer).toBeNull();
    const other = key("a");
    gestures.onKeyDown(other);
    expect(other.prevented).toBe(false);
  });

  test("keyboard focus starts steering only when focus is visible; blur ends it", () => {
    const { gestures, state } = setUp();
    state.focusVisible = false;
    gestures.onFocus();
    expect(state.keyboardTargeting).toBe(false);
    state.focusVisible = true;
    gestures.onFocus();
    expect(state.keyboardTargeting).toBe(true);
    gestures.onBlur();
    expect(state.keyboardTargeting).toBe(false);
  });

  test("a tenant dragged over a stamp marker may drop there, elsewhere not", () => {
    const { gestures } = setUp();
    const over = tenantDrag(STAMP_AT);
    gestures.onDragOver(over);
    expect(over.prevented).toBe(true);
    expect(over.dataTransfer?.dropEffect).toBe("move");
    expect(gestures.pointer).toEqual(STAMP_AT);
    const beside = tenantDrag([50, 50]);
    gestures.onDragOver(beside);
    expect(beside.prevented).toBe(false);
    expect(gestures.pointer).toEqual([50, 50]);
  });

  test("other drags, or a map that takes no drops, are left alone", () => {
    const { gestures } = setUp();
    const text = event<DragEvent>(STAMP_AT, { dataTransfer: { types: ["text/plain"], getData: () => "acme" } });
    gestures.onDragOver(text);
    expect(text.prevented).toBe(false);
    expect(gestures.pointer).toBeNull();
    const closed = setUp({ drops: false });
    const over = tenantDrag(STAMP_AT);
    closed.gestures.onDragOver(over);
    expect(over.prevented).toBe(false);
  });

  test("a tenant dropped on a stamp marker goes to ondroptenant", () => {
    const { gestures, state } = setUp();
    gestures.onDragOver(tenantDrag(STAMP_AT));
    const drop = tenantDrag(STAMP_AT);
    gestures.onDrop(drop);
    expect(drop.prevented).toBe(true);
    expect(state.dropped).toEqual([["acme", "weu-01"]]);
    expect(gestures.pointer).toBeNull();
  });

  test("a drop beside the markers, of something else, or without ondroptenant does nothing", () => {
    const { gestures, state } = setUp();
    gestures.onDrop(tenantDrag([50, 50]));
    gestures.onDrop(tenantDrag(STAMP_AT, "Not A Tenant"));
    expect(state.dropped).toEqual([]);
    const closed = setUp({ drops: false });
    const drop = tenantDrag(STAMP_AT);
    closed.gestures.onDrop(drop);
    expect(drop.prevented).toBe(false);
    expect(closed.state.dropped).toEqual([]);
  });
});
