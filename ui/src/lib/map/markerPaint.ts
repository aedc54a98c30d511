// How one marker looks: halo, utilization fill, health ring (colour and line
// style), the "newer template" badge and, for clusters, a plate behind it.
// Stamp markers, of which there can be thousands, are painted once per look
// into small sprites and then stamped with drawImage: dashed rings are costly
// to rasterise one by one, blitting a sprite is not.
import { HEALTH_RINGS, dashPattern, utilizationBand, type RingState } from "./colourScale";
import type { Marker } from "./fleet";
import { RING_OUTSET } from "./spiral";
import type { MapTheme } from "./theme";

/** What a marker's picture depends on. */
type Look = Pick<Marker, "kind" | "radius" | "utilization" | "ring" | "outdated" | "tint">;

export function circle(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.moveTo(x + r, y);
  ctx.arc(x, y, r, 0, Math.PI * 2);
}

/** Sets the line style for a ring; returns the radii (offsets from the disc) to stroke. */
function ringStyle(ctx: CanvasRenderingContext2D, state: RingState, theme: MapTheme): number[] {
  const ring = HEALTH_RINGS[state];
  ctx.strokeStyle = theme.rings[state];
  ctx.setLineDash(dashPattern(ring.style));
  ctx.lineCap = ring.style === "dotted" || ring.style === "dash-dot" ? "round" : "butt";
  if (ring.style === "double") {
    ctx.lineWidth = 1.2;
    return [0.6, 2.9];
  }
  ctx.lineWidth = ring.style === "dotted" ? 2.2 : 2;
  return [1];
}

/** The badge: a small violet disc with an up arrow at the marker's top right. */
function paintBadge(ctx: CanvasRenderingContext2D, look: Look, x: number, y: number, theme: MapTheme): void {
  const b = look.kind === "stamp" ? Math.min(5.5, Math.max(3, look.radius * 0.6)) : 6;
  const along = (look.radius + 1) * Math.SQRT1_2;
  const bx = x + along;
  const by = y - along;
  ctx.setLineDash([]);
  ctx.beginPath();
  circle(ctx, bx, by, b);
  ctx.fillStyle = theme.badge;
  ctx.fill();
  ctx.lineWidth = 1.2;
  ctx.strokeStyle = theme.halo;
  ctx.stroke();
  if (b < 4.5) return;
  const h = b * 0.55;
  ctx.beginPath();
  ctx.moveTo(bx, by + h);
  ctx.lineTo(bx, by - h);
  ctx.moveTo(bx - h * 0.75, by - h * 0.2);
  ctx.lineTo(bx, by - h);
  ctx.lineTo(bx + h * 0.75, by - h * 0.2);
  ctx.lineWidth = 1.4;
  ctx.lineCap = "round";
  ctx.strokeStyle = theme.badgeInk;
  ctx.stroke();
}

/** Paints a whole marker (without its count label) centred on (x, y). */
export function paintMarker(ctx: CanvasRenderingContext2D, look: Look, x: number, y: number, theme: MapTheme): void {
  const r = look.radius;
  ctx.setLineDash([]);
  if (look.kind === "cluster") {
    // A plate behind the disc tells a cluster of regions from a single region.
    ctx.beginPath();
    circle(ctx, x, y, r + RING_OUTSET + 3.5);
    ctx.fillStyle = theme.halo;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = theme.clusterEdge;
    ctx.stroke();
  }
  ctx.beginPath();
  circle(ctx, x, y, r + RING_OUTSET);
  ctx.fillStyle = theme.halo;
  ctx.fill();
  ctx.beginPath();
  circle(ctx, x, y, r);
  ctx.fillStyle = look.tint ?? utilizationBand(look.utilization).fill;
  ctx.fill();
  const offsets = ringStyle(ctx, look.ring, theme);
  ctx.beginPath();
  for (const offset of offsets) circle(ctx, x, y, r + offset);
  ctx.stroke();
  if (look.outdated) paintBadge(ctx, look, x, y, theme);
  ctx.setLineDash([]);
  ctx.lineCap = "butt";
}

function compactCount(n: number): string {
  if (n < 1000) return String(n);
  return n < 10_000 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n / 1000)}k`;
}

/** A region or cluster marker: the marker plus its stamp count in the middle. */
export function paintAggregate(ctx: CanvasRenderingContext2D, marker: Marker, x: number, y: number, theme: MapTheme): void {
  paintMarker(ctx, marker, x, y, theme);
  ctx.font = `600 ${marker.radius >= 14 ? 11.5 : 10}px ${theme.font}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillStyle = marker.tint ? "#ffffff" : utilizationBand(marker.utilization).ink;
  ctx.fillText(compactCount(marker.count), x, y + 0.5);
}

interface Sprite {
  canvas: HTMLCanvasElement;
  /** Half the sprite's size in device pixels: where the marker's centre is. */
  half: number;
}

/** Sprites per look, for one theme and device pixel ratio. */
class SpriteSheet {
  private readonly sprites = new Map<string, Sprite>();

  constructor(
    readonly theme: MapTheme,
    readonly dpr: number,
  ) {}

  get(look: Look): Sprite {
    const radius = Math.round(look.radius * 4) / 4;
    const key = `${look.tint ?? utilizationBand(look.utilization).id}|${look.ring}|${radius}|${look.outdated}`;
    let sprite = this.sprites.get(key);
    if (!sprite) {
      if (this.sprites.size > 2000) this.sprites.clear();
      // Room for the ring and the badge, which sticks out at the top right.
      const half = Math.ceil((radius + RING_OUTSET + 4) * this.dpr);
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 2 * half;
      const ctx = canvas.getContext("2d");
      if (ctx) {
        ctx.setTransform(this.dpr, 0, 0, this.dpr, half, half);
        paintMarker(ctx, { ...look, radius }, 0, 0, this.theme);
      }
      sprite = { canvas, half };
      this.sprites.set(key, sprite);
    }
    return sprite;
  }
}

let sheet: SpriteSheet | null = null;

/**
 * Stamps the markers' sprites at their screen positions (CSS px), snapped to
 * device pixels so they stay crisp. The context must be in CSS px (scaled by dpr).
 */
export function paintStampSprites(
  ctx: CanvasRenderingContext2D,
  stamps: readonly { marker: Marker; x: number; y: number }[],
  theme: MapTheme,
  dpr: number,
): void {
  if (!sheet || sheet.theme !== theme || sheet.dpr !== dpr) sheet = new SpriteSheet(theme, dpr);
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  for (const { marker, x, y } of stamps) {
    const sprite = sheet.get(marker);
    ctx.drawImage(sprite.canvas, Math.round(x * dpr) - sprite.half, Math.round(y * dpr) - sprite.half);
  }
  ctx.restore();
}
