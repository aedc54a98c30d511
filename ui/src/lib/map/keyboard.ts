// What a key does while the map has focus.

export type KeyCommand =
  | { kind: "pan"; dx: number; dy: number }
  | { kind: "zoom"; factor: number }
  | { kind: "reset" }
  | { kind: "activate" }
  | { kind: "dismiss" };

/** CSS px an arrow key moves the map. */
export const KEY_PAN = 80;
/** Zoom factor of one +/− press (and of the zoom buttons). */
export const KEY_ZOOM = 1.6;

const COMMANDS: Readonly<Record<string, KeyCommand>> = {
  // An arrow shows more of the world in its direction, so the map moves the other way.
  ArrowLeft: { kind: "pan", dx: KEY_PAN, dy: 0 },
  ArrowRight: { kind: "pan", dx: -KEY_PAN, dy: 0 },
  ArrowUp: { kind: "pan", dx: 0, dy: KEY_PAN },
  ArrowDown: { kind: "pan", dx: 0, dy: -KEY_PAN },
  "+": { kind: "zoom", factor: KEY_ZOOM },
  "=": { kind: "zoom", factor: KEY_ZOOM },
  "-": { kind: "zoom", factor: 1 / KEY_ZOOM },
  _: { kind: "zoom", factor: 1 / KEY_ZOOM },
  "0": { kind: "reset" },
  Enter: { kind: "activate" },
  " ": { kind: "activate" },
  Escape: { kind: "dismiss" },
};

/** The command for a keydown, or null for keys the map leaves alone (and with Alt, Ctrl or Meta). */
export function keyCommand(event: Pick<KeyboardEvent, "key" | "altKey" | "ctrlKey" | "metaKey">): KeyCommand | null {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  return Object.hasOwn(COMMANDS, event.key) ? COMMANDS[event.key] : null;
}
