// What the world map does with input: drag to pan (a press that moves less
// than DRAG_THRESHOLD is a click on the marker under it), wheel zoom, the
// keys of keyboard.ts, keyboard focus, and a tenant dragged onto a stamp
// marker. WorldMap.svelte creates one MapGestures and passes its handlers to
// the canvas; the view changes go to the camera (camera.ts), everything else
// goes back to the component through a GestureHost, which owns the state the
// markup shows. Pointer and drag are plain state here, read by the frame
// callback to work out what is hovered.
import { isTenantDrag, readTenantDrag } from "../moves/dragPayload";
import type { MapCamera } from "./camera";
import type { Marker } from "./fleet";
import { hitTest, stampAt } from "./hitTest";
import { keyCommand } from "./keyboard";
import type { Point } from "./projection";

/** CSS px a press must move before it is a drag rather than a click. */
export const DRAG_THRESHOLD = 4;

/** CSS px one line of a line-based wheel delta (deltaMode 1) counts as. */
const WHEEL_LINE = 16;

/** The zoom factor of one wheel event: scrolling down (deltaY > 0) zooms out; a page is `pageHeight` px. */
export function wheelZoomFactor(event: Pick<WheelEvent, "deltaY" | "deltaMode">, pageHeight: number): number {
  const unit = event.deltaMode === 1 ? WHEEL_LINE : event.deltaMode === 2 ? pageHeight : 1;
  return Math.exp(-event.deltaY * unit * 0.002);
}

/** The component's side: what the gestures read and change there. */
export interface GestureHost {
  /** The map's canvas (bound once the component has mounted). */
  canvas(): HTMLCanvasElement;
  /** The markers drawn in the last frame, in draw order. */
  drawn(): readonly Marker[];
  /** The marker the tooltip is about (under the pointer, or the keyboard's target), if any. */
  hovered(): Marker | null;
  /** Steering by keyboard: the marker nearest the centre is the target, shown with a crosshair. */
  keyboardTargeting(): boolean;
  setKeyboardTargeting(on: boolean): void;
  /** A drag is panning the map (the grabbing cursor). */
  setDragging(on: boolean): void;
  /** A click on a marker, or Enter on the keyboard's target. */
  activate(marker: Marker): void;
  /** Where a tenant dropped on a stamp goes; undefined when the map takes no drops. */
  ondroptenant(): ((tenant: string, stamp: string) => void) | undefined;
  requestDraw(): void;
}

// The handlers are arrow functions so the markup can pass them as they are.
export class MapGestures {
  /** The pointer (or a dragged tenant) over the canvas, in CSS px; null when elsewhere. */
  pointer: Point | null = null;
  private drag: { id: number; start: Point; last: Point; moved: boolean } | null = null;

  constructor(
    private readonly camera: MapCamera,
    private readonly host: GestureHost,
  ) {}

  /** A press has moved far enough to pan the map (so nothing is hovered). */
  get panning(): boolean {
    return this.drag?.moved ?? false;
  }

  private localPoint(event: MouseEvent): Point {
    const rect = this.host.canvas().getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  /** Needs a listener that is not passive, to preventDefault the page's scroll. */
  readonly onWheel = (event: WheelEvent): void => {
    event.preventDefault();
    this.camera.zoomAt(wheelZoomFactor(event, this.camera.frame.height), this.localPoint(event));
  };

  readonly onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0) return;
    const at = this.localPoint(event);
    try {
      this.host.canvas().setPointerCapture(event.pointerId);
    } catch {
      // Not an active pointer (e.g. a synthetic event): the drag still works inside the canvas.
    }
    this.drag = { id: event.pointerId, start: at, last: at, moved: false };
  };

  readonly onPointerMove = (event: PointerEvent): void => {
    const at = this.localPoint(event);
    const drag = this.drag;
    this.pointer = at;
    this.host.setKeyboardTargeting(false);
    if (drag && drag.id === event.pointerId) {
      if (!drag.moved && Math.hypot(at[0] - drag.start[0], at[1] - drag.start[1]) > DRAG_THRESHOLD) {
        drag.moved = true;
        this.host.setDragging(true);
      }
      if (drag.moved) {
        const [dx, dy] = [at[0] - drag.last[0], at[1] - drag.last[1]];
        drag.last = at;
        this.camera.panBy(dx, dy);
        return;
      }
    }
    this.host.requestDraw();
  };

  readonly onPointerUp = (event: PointerEvent): void => {
    if (!this.drag || this.drag.id !== event.pointerId) return;
    const click = !this.drag.moved;
    this.drag = null;
    this.host.setDragging(false);
    if (!click) return this.host.requestDraw();
    const marker = hitTest(this.host.drawn(), this.localPoint(event), this.camera.mapping());
    if (marker) this.host.activate(marker);
  };

  readonly onPointerCancel = (event: PointerEvent): void => {
    if (this.drag?.id !== event.pointerId) return;
    this.drag = null;
    this.host.setDragging(false);
    this.host.requestDraw();
  };

  /** The pointer, or a dragged tenant, left the canvas. */
  readonly onPointerLeave = (): void => {
    if (this.drag) return;
    this.pointer = null;
    this.host.requestDraw();
  };

  readonly onKeyDown = (event: KeyboardEvent): void => {
    const command = keyCommand(event);
    if (!command) return;
    const hovered = this.host.hovered();
    if (command.kind === "dismiss") {
      if (!hovered && !this.host.keyboardTargeting()) return; // nothing to dismiss: let Escape do its usual job
      this.host.setKeyboardTargeting(false);
      this.pointer = null;
    } else if (command.kind === "activate" && hovered) {
      this.host.activate(hovered);
    } else {
      if (command.kind === "pan") this.camera.panBy(command.dx, command.dy);
      if (command.kind === "zoom") this.camera.zoomStep(command.factor);
      if (command.kind === "reset") this.camera.reset();
      // Steering by keyboard: the marker nearest the centre is the one Enter picks.
      this.host.setKeyboardTargeting(true);
    }
    event.preventDefault();
    this.host.requestDraw();
  };

  readonly onFocus = (): void => {
    if (!this.host.canvas().matches(":focus-visible")) return;
    this.host.setKeyboardTargeting(true);
    this.host.requestDraw();
  };

  readonly onBlur = (): void => {
    this.host.setKeyboardTargeting(false);
    this.host.requestDraw();
  };

  /** Dragging a tenant: the marker under it is hovered; only a stamp accepts the drop. */
  readonly onDragOver = (event: DragEvent): void => {
    if (!this.host.ondroptenant() || !isTenantDrag(event.dataTransfer)) return;
    const at = this.localPoint(event);
    this.pointer = at;
    this.host.setKeyboardTargeting(false);
    this.host.requestDraw();
    if (!stampAt(this.host.drawn(), at, this.camera.mapping())) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
  };

  readonly onDrop = (event: DragEvent): void => {
    const tenant = readTenantDrag(event.dataTransfer);
    const stamp = tenant ? stampAt(this.host.drawn(), this.localPoint(event), this.camera.mapping()) : null;
    this.pointer = null;
    this.host.requestDraw();
    const ondroptenant = this.host.ondroptenant();
    if (!tenant || !stamp || !ondroptenant) return;
    event.preventDefault();
    ondroptenant(tenant, stamp);
  };
}
