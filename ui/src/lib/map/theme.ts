// The map's colours. They live in CSS custom properties (app.css and
// WorldMap.svelte), so the canvas follows the app's light and dark themes.
import { HEALTH_RINGS, RING_ORDER, type RingState } from "./colourScale";
import { MARK_ORDER, MARK_STYLES, type MapMark } from "./marks";

/** Colours of the map, read from CSS custom properties so they follow the app's theme. */
export interface MapTheme {
  font: string;
  outside: string;
  ocean: string;
  graticule: string;
  land: string;
  coastline: string;
  borders: string;
  halo: string;
  text: string;
  textMuted: string;
  accent: string;
  clusterEdge: string;
  area: string;
  areaEdge: string;
  areaSelected: string;
  badge: string;
  badgeInk: string;
  rings: Record<RingState, string>;
  /** Plan mark rings (marks.ts). */
  marks: Record<MapMark, string>;
  /** The "fills up soon" badge. */
  forecast: string;
}

export function readTheme(element: Element): MapTheme {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const rings = {} as Record<RingState, string>;
  for (const state of RING_ORDER) {
    const ring = HEALTH_RINGS[state];
    rings[state] = read(ring.cssVar, ring.fallback);
  }
  const marks = {} as Record<MapMark, string>;
  for (const mark of MARK_ORDER) {
    const style = MARK_STYLES[mark];
    marks[mark] = read(style.cssVar, style.fallback);
  }
  return {
    font: style.fontFamily || "system-ui, sans-serif",
    outside: read("--map-outside", "#ffffff"),
    ocean: read("--map-ocean", "#e3eaf2"),
    graticule: read("--map-graticule", "#d5dee8"),
    land: read("--map-land", "#fbfcfd"),
    coastline: read("--map-coastline", "#b9c3cf"),
    borders: read("--map-borders", "#d9dfe7"),
    halo: read("--map-halo", "#ffffff"),
    text: read("--text", "#17191e"),
    textMuted: read("--text-2", "#525b68"),
    accent: read("--accent", "#4b55c8"),
    clusterEdge: read("--map-cluster-edge", "#aab3c0"),
    area: read("--map-area", "rgb(255 255 255 / 0.6)"),
    areaEdge: read("--map-area-edge", "#c3ccd7"),
    areaSelected: read("--map-area-selected", "rgb(75 85 200 / 0.12)"),
    badge: read("--violet", "#7a4fd0"),
    badgeInk: read("--map-badge-ink", "#ffffff"),
    rings,
    marks,
    forecast: read("--warn", "#d08a0b"),
  };
}
