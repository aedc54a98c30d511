// The geometry of spreading stamps out: a sunflower (Vogel) spiral with a
// constant spacing in screen pixels, and room-making for discs that collide.
import type { Point } from "./projection";

/** Room a marker's ring and halo take outside its radius (CSS px). */
export const RING_OUTSET = 3.5;
/** Empty space kept between markers (CSS px). */
export const GAP = 2;
/** Closest two points of a Vogel spiral r = c·√(i + ½) come, in units of c (n ≥ 2). */
const SPIRAL_MIN_DISTANCE = 1.54;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/** The spiral's spacing constant c (CSS px) that keeps markers of this radius apart. */
export function spiralSpacing(maxStampRadius: number): number {
  return (2 * (maxStampRadius + RING_OUTSET) + GAP) / SPIRAL_MIN_DISTANCE;
}

/** Radius (CSS px) of the spiral's outermost marker centre, for n stamps. */
export function spiralReach(n: number, spacing: number): number {
  return n <= 1 ? 0 : spacing * Math.sqrt(n - 0.5);
}

/** Offset (CSS px) of the i-th of n stamps on the spiral. */
export function spiralOffset(i: number, n: number, spacing: number): [number, number] {
  if (n <= 1) return [0, 0];
  const r = spacing * Math.sqrt(i + 0.5);
  const angle = i * GOLDEN_ANGLE - Math.PI / 2;
  return [r * Math.cos(angle), r * Math.sin(angle)];
}

/**
 * Centres (base coordinates) for spread discs, each as close to its own point
 * as it can be without overlapping a disc placed before it. Only matters at
 * the highest zoom, where every group spreads whether it has room or not.
 */
export function placeDiscs(discs: readonly { x: number; y: number; radius: number }[], scale: number): Point[] {
  const placed: { x: number; y: number; radius: number }[] = [];
  for (const [index, disc] of discs.entries()) {
    let { x, y } = disc;
    for (let attempt = 0; attempt < 64; attempt++) {
      const blocker = placed.find(
        (p) => Math.hypot(p.x - x, p.y - y) * scale < p.radius + disc.radius + GAP - 1e-6,
      );
      if (!blocker) break;
      const away = Math.hypot(x - blocker.x, y - blocker.y);
      const angle = away > 1e-9 ? Math.atan2(y - blocker.y, x - blocker.x) : index * GOLDEN_ANGLE;
      const reach = (blocker.radius + disc.radius + GAP) / scale;
      x = blocker.x + Math.cos(angle) * reach;
      y = blocker.y + Math.sin(angle) * reach;
    }
    placed.push({ x, y, radius: disc.radius });
  }
  return placed.map((p) => [p.x, p.y]);
}
