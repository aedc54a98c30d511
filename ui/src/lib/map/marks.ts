// Plan marks and the capacity forecast as the map shows them: which stamps a
// what-if plan adds, changes or pushes over the headroom reserve (a ring
// outside the marker), and which stamps fill up soon (a small clock badge).
// Both are optional overlays on top of the fleet; a region or cluster shows
// the strongest mark among its stamps. The words live here too, so the
// tooltip, the legend and the tests say the same thing.
import { formatCount } from "../format";

/**
 * A plan's marks, a stamp whose reconcile found differences from the catalogue (drift),
 * or where a stamp stands in the rollout on screen.
 */
export type MapMark =
  | "new"
  | "changed"
  | "over-reserve"
  | "drift"
  | "rollout-pending"
  | "rollout-upgrading"
  | "rollout-upgraded"
  | "rollout-failed";

export interface MarkStyle {
  mark: MapMark;
  /** Legend text. */
  label: string;
  /** What the tooltip says about a marked stamp. */
  note: string;
  /** For a region or cluster: "3 stamps " + this. */
  groupNote: string;
  /** Line dash pattern (CSS px); [] is solid. */
  dash: number[];
  width: number;
  /** CSS custom property holding the ring colour (app.css or WorldMap.svelte), and a fallback. */
  cssVar: string;
  fallback: string;
}

export const MARK_STYLES: Readonly<Record<MapMark, MarkStyle>> = {
  new: {
    mark: "new",
    label: "New in plan",
    note: "New in this plan",
    groupNote: "new in this plan",
    dash: [4, 3],
    width: 2,
    cssVar: "--accent",
    fallback: "#4b55c8",
  },
  changed: {
    mark: "changed",
    label: "Changed by plan",
    note: "Changed by this plan",
    groupNote: "changed by this plan",
    dash: [],
    width: 2,
    cssVar: "--map-mark-changed",
    fallback: "#0f8a86",
  },
  "over-reserve": {
    mark: "over-reserve",
    label: "Over headroom reserve",
    note: "Over the headroom reserve after this plan",
    groupNote: "over the headroom reserve after this plan",
    dash: [],
    width: 2.5,
    cssVar: "--hot",
    fallback: "#d2433f",
  },
  drift: {
    mark: "drift",
    label: "Differs from the catalogue",
    note: "Reconcile found differences between this stamp and the catalogue (see Drift)",
    groupNote: "differ from the catalogue",
    dash: [2, 2],
    width: 2.5,
    cssVar: "--violet",
    fallback: "#7a4fd0",
  },
  "rollout-pending": {
    mark: "rollout-pending",
    label: "Rollout: waiting",
    note: "In the rollout: not upgraded yet",
    groupNote: "wait for the rollout",
    dash: [1.5, 3],
    width: 2,
    cssVar: "--muted",
    fallback: "#7a8194",
  },
  "rollout-upgrading": {
    mark: "rollout-upgrading",
    label: "Rollout: upgrading",
    note: "Being upgraded by the rollout now",
    groupNote: "being upgraded",
    dash: [4, 2],
    width: 2.5,
    cssVar: "--warn",
    fallback: "#c98a12",
  },
  "rollout-upgraded": {
    mark: "rollout-upgraded",
    label: "Rollout: upgraded",
    note: "Upgraded by the rollout: runs the new version",
    groupNote: "upgraded",
    dash: [],
    width: 2.5,
    cssVar: "--ok",
    fallback: "#2e8b57",
  },
  "rollout-failed": {
    mark: "rollout-failed",
    label: "Rollout: failed, rolled back",
    note: "Failed its upgrade or health gate; rolled back to its version",
    groupNote: "failed the rollout",
    dash: [],
    width: 3,
    cssVar: "--hot",
    fallback: "#d2433f",
  },
};

/** Strongest first: what a cluster holding several kinds of marked stamps shows. */
export const MARK_ORDER: readonly MapMark[] = [
  "rollout-failed",
  "over-reserve",
  "drift",
  "rollout-upgrading",
  "new",
  "changed",
  "rollout-upgraded",
  "rollout-pending",
];

/** Legend order: the plan's own changes first, then their consequence. */
export const LEGEND_MARK_ORDER: readonly MapMark[] = [
  "new",
  "changed",
  "over-reserve",
  "drift",
  "rollout-pending",
  "rollout-upgrading",
  "rollout-upgraded",
  "rollout-failed",
];

const STRENGTH: Readonly<Record<MapMark, number>> = {
  "rollout-pending": 0.5,
  "rollout-upgraded": 0.8,
  changed: 1,
  new: 2,
  "rollout-upgrading": 2.5,
  drift: 3,
  "over-reserve": 4,
  "rollout-failed": 5,
};

/** No stamp carries any mark: a fresh count per kind. */
export function noMarks<T>(value: () => T): Record<MapMark, T> {
  return Object.fromEntries(LEGEND_MARK_ORDER.map((m) => [m, value()])) as Record<MapMark, T>;
}

function isMark(value: unknown): value is MapMark {
  return typeof value === "string" && value in STRENGTH;
}

/** The stronger of two marks (either may be missing). */
export function strongerMark(a: MapMark | null, b: MapMark | null): MapMark | null {
  if (a === null) return b;
  if (b === null) return a;
  return STRENGTH[b] > STRENGTH[a] ? b : a;
}

/** The strongest mark among the stamps (rollout-failed > over-reserve > … > rollout-pending), or null when none is marked. */
export function strongestMark(stampIds: readonly string[], marks: Readonly<Record<string, MapMark>>): MapMark | null {
  let best: MapMark | null = null;
  for (const id of stampIds) {
    const mark = marks[id];
    if (isMark(mark)) best = strongerMark(best, mark);
    if (best === "rollout-failed") break;
  }
  return best;
}

/** How many of the stamps carry each mark. */
export function markCounts(
  stampIds: readonly string[],
  marks: Readonly<Record<string, MapMark>>,
): Record<MapMark, number> {
  const counts = noMarks(() => 0);
  for (const id of stampIds) {
    const mark = marks[id];
    if (isMark(mark)) counts[mark] += 1;
  }
  return counts;
}

/** A plan's own marks: the legend explains them together. */
const PLAN_MARKS: readonly MapMark[] = ["new", "changed", "over-reserve"];

/**
 * The mark kinds the legend explains: every plan mark while a plan marks anything,
 * drift while a stamp shows it; none when nothing is marked.
 */
export function legendMarks(marks: Readonly<Record<string, MapMark>> | undefined): MarkStyle[] {
  const shown = new Set(Object.values(marks ?? {}).filter(isMark));
  const plan = PLAN_MARKS.some((m) => shown.has(m));
  return LEGEND_MARK_ORDER.filter((m) => (PLAN_MARKS.includes(m) ? plan : shown.has(m))).map((m) => MARK_STYLES[m]);
}

/** `data-marks`: the marked stamp ids, sorted, joined with ","; "" when none. */
export function marksAttribute(marks: Readonly<Record<string, MapMark>> | undefined): string {
  if (!marks) return "";
  return Object.keys(marks)
    .filter((id) => isMark(marks[id]))
    .sort()
    .join(",");
}

/** Stamps that fill up within this many days get a badge. */
export const FORECAST_BADGE_DAYS = 30;

/** The stamp fills up soon enough for a badge. */
export function fillsSoon(days: number | undefined): boolean {
  return typeof days === "number" && !Number.isNaN(days) && days < FORECAST_BADGE_DAYS;
}

/** "Full in about 12 days", or "Full now" below one day. */
export function forecastText(days: number): string {
  if (days < 1) return "Full now";
  const n = Math.round(days);
  return `Full in about ${formatCount(n)} ${n === 1 ? "day" : "days"}`;
}

/** `data-forecast-count`: how many known stamps have a forecast badge. */
export function forecastCount(daysUntilFull: Readonly<Record<string, number>> | undefined): number {
  if (!daysUntilFull) return 0;
  let n = 0;
  for (const id in daysUntilFull) if (fillsSoon(daysUntilFull[id])) n += 1;
  return n;
}

/** The plan marks and forecast the map was given (either may be empty). */
export interface MapOverlay {
  marks: Readonly<Record<string, MapMark>>;
  daysUntilFull: Readonly<Record<string, number>>;
}

export const NO_OVERLAY: MapOverlay = { marks: {}, daysUntilFull: {} };

export function overlayOf(
  marks: Readonly<Record<string, MapMark>> | undefined,
  daysUntilFull: Readonly<Record<string, number>> | undefined,
): MapOverlay {
  return marks || daysUntilFull ? { marks: marks ?? {}, daysUntilFull: daysUntilFull ?? {} } : NO_OVERLAY;
}

/** What a marker (a stamp, or a region or cluster via its stamps) shows of the overlay. */
export interface MarkerOverlay {
  mark: MapMark | null;
  /** Shows the forecast badge: a stamp that fills soon, or a group holding one. */
  soon: boolean;
}

const PLAIN: MarkerOverlay = { mark: null, soon: false };

/** The part of a map marker (fleet.ts) the overlay looks at. */
export interface MarkerLike {
  kind: string;
  id: string;
  stampIds: readonly string[];
}

export function markerOverlay(marker: MarkerLike, overlay: MapOverlay): MarkerOverlay {
  if (overlay === NO_OVERLAY) return PLAIN;
  if (marker.kind === "stamp") {
    const mark = overlay.marks[marker.id];
    return { mark: isMark(mark) ? mark : null, soon: fillsSoon(overlay.daysUntilFull[marker.id]) };
  }
  const mark = strongestMark(marker.stampIds, overlay.marks);
  const soon = marker.stampIds.some((id) => fillsSoon(overlay.daysUntilFull[id]));
  return mark === null && !soon ? PLAIN : { mark, soon };
}

function stampsText(n: number): string {
  return `${formatCount(n)} ${n === 1 ? "stamp" : "stamps"}`;
}

/** Tooltip notes for a stamp: its mark, in words. */
export function stampMarkNotes(stampId: string, overlay: MapOverlay): string[] {
  const mark = overlay.marks[stampId];
  return isMark(mark) ? [MARK_STYLES[mark].note] : [];
}

/** The stamp's forecast in words, or null when it is not growing. */
export function stampForecast(stampId: string, overlay: MapOverlay): string | null {
  const days = overlay.daysUntilFull[stampId];
  return typeof days === "number" && !Number.isNaN(days) ? forecastText(days) : null;
}

/** Tooltip notes for a region or cluster: how many of its stamps carry each mark and fill soon. */
export function groupOverlayNotes(stampIds: readonly string[], overlay: MapOverlay): string[] {
  if (overlay === NO_OVERLAY) return [];
  const counts = markCounts(stampIds, overlay.marks);
  const notes = MARK_ORDER.filter((mark) => counts[mark] > 0).map(
    (mark) => `${stampsText(counts[mark])} ${MARK_STYLES[mark].groupNote}`,
  );
  const soon = stampIds.filter((id) => fillsSoon(overlay.daysUntilFull[id])).length;
  if (soon > 0) notes.push(`${stampsText(soon)} full within ${FORECAST_BADGE_DAYS} days`);
  return notes;
}

/**
 * A memoised markerOverlay for one overlay: a region or cluster looks at all
 * of its stamps once per grouping, not once per frame while panning.
 */
export function overlayLookup(overlay: MapOverlay): (marker: MarkerLike) => MarkerOverlay {
  if (overlay === NO_OVERLAY) return () => PLAIN;
  const known = new WeakMap<MarkerLike, MarkerOverlay>();
  return (marker) => {
    if (marker.kind === "stamp") return markerOverlay(marker, overlay);
    let found = known.get(marker);
    if (!found) {
      found = markerOverlay(marker, overlay);
      known.set(marker, found);
    }
    return found;
  };
}
