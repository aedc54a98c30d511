// Paints the plan marks and forecast badges (marks.ts) over the markers: a
// ring just outside each marked marker, in the mark's colour and line style,
// and a small clock badge at the top left of markers that fill up soon (the
// top right holds the "newer template" badge). Marked markers are few, so
// the rings are batched into one path per mark kind and stroked directly.
import type { Marker } from "./fleet";
import { MARK_ORDER, MARK_STYLES, noMarks, type MapMark, type MarkerOverlay } from "./marks";
import { circle } from "./markerPaint";
import { RING_OUTSET } from "./spiral";
import type { MapTheme } from "./theme";

type Placed = { marker: Marker; x: number; y: number };

/** Radius (CSS px) of the outlines drawn just outside a marker: plan marks, selection, hover. */
export function outlineEdge(marker: Pick<Marker, "kind" | "radius">): number {
  return marker.radius + RING_OUTSET + (marker.kind === "cluster" ? 5.5 : 2);
}

/** How far selection and hover outlines move out to leave a plan mark visible. */
export const MARK_CLEARANCE = 3.5;

function badgeRadius(marker: Marker): number {
  return marker.kind === "stamp" ? Math.min(5.5, Math.max(3, marker.radius * 0.6)) : 6;
}

export function paintOverlay(
  ctx: CanvasRenderingContext2D,
  placed: readonly Placed[],
  overlayOf: (marker: Marker) => MarkerOverlay,
  theme: MapTheme,
): void {
  const byMark: Record<MapMark, Placed[]> = noMarks((): Placed[] => []);
  const soon: Placed[] = [];
  for (const p of placed) {
    const { mark, soon: fillsSoon } = overlayOf(p.marker);
    if (mark) byMark[mark].push(p);
    if (fillsSoon) soon.push(p);
  }
  ctx.save();
  ctx.lineCap = "butt";
  // Weakest first, so the strongest is on top where rings of neighbours cross.
  for (const mark of [...MARK_ORDER].reverse()) paintRings(ctx, byMark[mark], mark, theme);
  paintBadges(ctx, soon, theme);
  ctx.restore();
}

function ringPath(ctx: CanvasRenderingContext2D, placed: readonly Placed[]): void {
  ctx.beginPath();
  for (const { marker, x, y } of placed) circle(ctx, x, y, outlineEdge(marker));
}

function paintRings(ctx: CanvasRenderingContext2D, placed: readonly Placed[], mark: MapMark, theme: MapTheme): void {
  if (placed.length === 0) return;
  const style = MARK_STYLES[mark];
  const colour = theme.marks[mark];
  ringPath(ctx, placed);
  // A soft, wider band under the line makes the ring stand out on any fill.
  ctx.setLineDash([]);
  ctx.globalAlpha = mark === "over-reserve" ? 0.3 : 0.18;
  ctx.lineWidth = style.width + 4;
  ctx.strokeStyle = colour;
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.setLineDash(style.dash);
  ctx.lineWidth = style.width;
  ctx.stroke();
  ctx.setLineDash([]);
}

function paintBadges(ctx: CanvasRenderingContext2D, placed: readonly Placed[], theme: MapTheme): void {
  if (placed.length === 0) return;
  const spots = placed.map(({ marker, x, y }) => {
    const along = (marker.radius + 1) * Math.SQRT1_2;
    return { x: x - along, y: y - along, r: badgeRadius(marker) };
  });
  ctx.setLineDash([]);
  ctx.beginPath();
  for (const b of spots) circle(ctx, b.x, b.y, b.r);
  ctx.fillStyle = theme.forecast;
  ctx.fill();
  ctx.lineWidth = 1.2;
  ctx.strokeStyle = theme.halo;
  ctx.stroke();
  // Clock hands, where the badge is big enough to read them.
  ctx.beginPath();
  for (const b of spots) {
    if (b.r < 4.5) continue;
    ctx.moveTo(b.x, b.y - b.r * 0.6);
    ctx.lineTo(b.x, b.y);
    ctx.lineTo(b.x + b.r * 0.45, b.y);
  }
  ctx.lineWidth = 1.3;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = theme.badgeInk;
  ctx.stroke();
}
