// Stamp names beside their markers once stamps are spread out (zoomed in): each to
// the right of its disc, else to the left, and left out where it would cover another
// label or marker, so the map never turns into a pile of text.

export interface LabelledDisc {
  text: string;
  /** Centre in CSS px. */
  x: number;
  y: number;
  /** Radius in CSS px, ring included. */
  r: number;
}

export interface PlacedLabel {
  text: string;
  /** Where the text starts (left edge) and its middle, in CSS px. */
  x: number;
  y: number;
  align: "left" | "right";
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const GAP = 4;
const HEIGHT = 13;

const overlaps = (a: Box, b: Box) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const boxOfDisc = (d: LabelledDisc): Box => ({ left: d.x - d.r, right: d.x + d.r, top: d.y - d.r, bottom: d.y + d.r });

/** The labels that fit, in the order of `discs`; `width` measures a text in CSS px. */
export function placeStampLabels(discs: readonly LabelledDisc[], width: (text: string) => number): PlacedLabel[] {
  const taken: Box[] = discs.map(boxOfDisc);
  const placed: PlacedLabel[] = [];
  for (const d of discs) {
    const w = width(d.text);
    const top = d.y - HEIGHT / 2;
    const right: Box = { left: d.x + d.r + GAP, right: d.x + d.r + GAP + w, top, bottom: top + HEIGHT };
    const left: Box = { left: d.x - d.r - GAP - w, right: d.x - d.r - GAP, top, bottom: top + HEIGHT };
    const free = (box: Box) => !taken.some((t) => overlaps(t, box));
    const side = free(right) ? right : free(left) ? left : null;
    if (side === null) continue;
    taken.push(side);
    placed.push({ text: d.text, x: side === right ? side.left : side.right, y: d.y, align: side === right ? "left" : "right" });
  }
  return placed;
}
