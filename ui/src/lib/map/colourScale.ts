// What the markers' colours, rings and sizes mean. Every colour here comes
// with a text label, so the legend (and the tooltip) can always say it in words.
import type { HealthState, StampHealth, StampStatus } from "../../generated/bindings";

export type UtilizationBandId = "low" | "moderate" | "high" | "critical";

export interface UtilizationBand {
  id: UtilizationBandId;
  /** Short name shown in the legend and tooltips. */
  label: string;
  /** The range in words, e.g. "70–85%". */
  range: string;
  /** Lower bound in percent; a value belongs to the last band whose lower bound it meets. */
  from: number;
  fill: string;
  /** Text colour readable on `fill` (count labels). */
  ink: string;
}

/**
 * Sequential, colour-blind-safe (ColorBrewer BuPu): lightness falls steadily
 * from low to critical, so the order survives any colour-vision deficiency and
 * greyscale. The purple hue keeps utilization apart from the health colours
 * (green/amber/red) used by the rings. Bands line up with the app's load
 * levels (format.ts): 70% starts "high", above 85% is "critical".
 */
export const UTILIZATION_BANDS: readonly UtilizationBand[] = [
  { id: "low", label: "Low", range: "< 50%", from: 0, fill: "#a6bddb", ink: "#17191e" },
  { id: "moderate", label: "Moderate", range: "50–70%", from: 50, fill: "#8c96c6", ink: "#17191e" },
  { id: "high", label: "High", range: "70–85%", from: 70, fill: "#8856a7", ink: "#ffffff" },
  { id: "critical", label: "Critical", range: "> 85%", from: 85, fill: "#6e016b", ink: "#ffffff" },
];

/** The band for a utilization in percent (unrounded, like format.ts `loadLevel`). */
export function utilizationBand(percent: number): UtilizationBand {
  const [low, moderate, high, critical] = UTILIZATION_BANDS;
  if (!(percent >= moderate.from)) return low; // also NaN and negative values
  if (percent < high.from) return moderate;
  if (percent <= critical.from) return high;
  return critical;
}

/** What a marker's ring shows: a stamp's live health, or that it is still being provisioned. */
export type RingState = HealthState | "provisioning";

export type RingStyle = "solid" | "dashed" | "dotted" | "double" | "dash-dot";

export interface HealthRing {
  state: RingState;
  label: string;
  style: RingStyle;
  /** CSS custom property (app.css) holding the ring colour, and a fallback. */
  cssVar: string;
  fallback: string;
}

/** Ring per state: colour AND line style differ, so they stay apart without colour. */
export const HEALTH_RINGS: Readonly<Record<RingState, HealthRing>> = {
  healthy: { state: "healthy", label: "Healthy", style: "solid", cssVar: "--ok", fallback: "#1f9a57" },
  degraded: { state: "degraded", label: "Degraded", style: "dashed", cssVar: "--warn", fallback: "#d08a0b" },
  unreachable: {
    state: "unreachable",
    label: "Unreachable",
    style: "double",
    cssVar: "--hot",
    fallback: "#d2433f",
  },
  unknown: { state: "unknown", label: "Unknown", style: "dotted", cssVar: "--muted", fallback: "#7d8694" },
  provisioning: {
    state: "provisioning",
    label: "Provisioning",
    style: "dash-dot",
    cssVar: "--info",
    fallback: "#2f74d0",
  },
};

/** Legend order: the normal case first, then from transient to worst. */
export const RING_ORDER: readonly RingState[] = [
  "healthy",
  "provisioning",
  "unknown",
  "degraded",
  "unreachable",
];

const SEVERITY: Readonly<Record<RingState, number>> = {
  healthy: 0,
  provisioning: 1,
  unknown: 2,
  degraded: 3,
  unreachable: 4,
};

/** The worse of two ring states (for a region or cluster: the worst of its stamps). */
export function worseRing(a: RingState, b: RingState): RingState {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** A stamp's ring: provisioning while it is being built, else its live health (unknown if none yet). */
export function ringStateFor(status: StampStatus, health: StampHealth | undefined): RingState {
  if (status === "provisioning") return "provisioning";
  const state = health?.state;
  return state !== undefined && state in SEVERITY ? state : "unknown";
}

export function ringFor(state: RingState | undefined): HealthRing {
  return (state !== undefined && HEALTH_RINGS[state]) || HEALTH_RINGS.unknown;
}

/** Line dash pattern (CSS px) for a ring style; [] is solid. */
export function dashPattern(style: RingStyle): number[] {
  switch (style) {
    case "dashed":
      return [4, 2.5];
    case "dotted":
      return [0.1, 2.6];
    case "dash-dot":
      return [5, 2, 0.1, 2];
    default:
      return [];
  }
}

export interface RadiusRange {
  min: number;
  max: number;
}

/** Region markers; a cluster of several regions may grow a little larger. */
export const REGION_RADIUS: RadiusRange = { min: 9, max: 22 };
export const CLUSTER_RADIUS: RadiusRange = { min: 12, max: 28 };

/** Stamp markers shrink when regions hold many stamps, so a region's stamps fit when spread out. */
export function stampRadiusRange(maxStampsPerRegion: number): RadiusRange {
  if (maxStampsPerRegion <= 16) return { min: 6, max: 11 };
  if (maxStampsPerRegion <= 64) return { min: 4, max: 7 };
  return { min: 3, max: 5 };
}

/** Marker radius in CSS px: area proportional to capacity units, clamped to the range. */
export function radiusFor(units: number, maxUnits: number, range: RadiusRange): number {
  if (!(units > 0) || !(maxUnits > 0)) return range.min;
  const r = range.max * Math.sqrt(units / maxUnits);
  return Math.min(range.max, Math.max(range.min, r));
}
