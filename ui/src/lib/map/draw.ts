// Draws one frame of the map: the basemap (basemapLayer.ts), then, in CSS
// pixels, the spread areas, the markers (markerPaint.ts), area and stamp labels, plan
// marks and forecast badges (overlayPaint.ts) and the outlines for selection and hover.
import { drawBasemapLayer } from "./basemapLayer";
import type { Marker } from "./fleet";
import type { SpreadArea } from "./grouping";
import type { MarkerOverlay } from "./marks";
import { circle, paintAggregate, paintStampSprites } from "./markerPaint";
import { MARK_CLEARANCE, outlineEdge, paintOverlay } from "./overlayPaint";
import { placeStampLabels } from "./stampLabels";
import type { Basemap } from "./projection";
import type { MapTheme } from "./theme";
import type { Mapping } from "./viewTransform";

export { readTheme, type MapTheme } from "./theme";

/** What to outline: selection, search highlight and the marker under the pointer or keyboard. */
export interface Emphasis {
  selectedRegion: string | null;
  selectedStamp: string | null;
  highlight: string | null;
  hovered: string | null;
}

export interface Scene {
  /** Canvas size in CSS pixels. */
  width: number;
  height: number;
  dpr: number;
  mapping: Mapping;
  basemap: Basemap;
  areas: readonly SpreadArea[];
  /** Markers to draw, in draw order (see visibleMarkers). */
  markers: readonly Marker[];
  theme: MapTheme;
  emphasis: Emphasis;
  /** Show a crosshair in the middle: keyboard users pick the marker nearest to it. */
  reticle: boolean;
  /** Plan marks and forecast badges per marker (marks.ts overlayLookup); none when absent. */
  overlay?: (marker: Marker) => MarkerOverlay;
}

/** Extra room around a marker for its ring, plate and outlines (CSS px). */
const OUTLINE_REACH = 14;

/** The markers whose outline reaches into the canvas, in draw order. */
export function visibleMarkers(
  markers: readonly Marker[],
  mapping: Mapping,
  width: number,
  height: number,
): Marker[] {
  const visible: Marker[] = [];
  for (const marker of markers) {
    const x = marker.x * mapping.scale + mapping.x;
    const y = marker.y * mapping.scale + mapping.y;
    const reach = marker.radius + OUTLINE_REACH;
    if (x + reach >= 0 && x - reach <= width && y + reach >= 0 && y - reach <= height) {
      visible.push(marker);
    }
  }
  return visible;
}

export function drawFrame(ctx: CanvasRenderingContext2D, scene: Scene): void {
  const { dpr, width, height, theme, mapping } = scene;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = theme.outside;
  ctx.fillRect(0, 0, width, height);
  drawBasemapLayer(ctx, scene);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.lineJoin = "round";
  const placed = scene.markers.map((marker) => ({
    marker,
    x: marker.x * mapping.scale + mapping.x,
    y: marker.y * mapping.scale + mapping.y,
  }));
  drawAreas(ctx, scene);
  for (const { marker, x, y } of placed) {
    if (marker.kind !== "stamp") paintAggregate(ctx, marker, x, y, theme);
  }
  paintStampSprites(
    ctx,
    placed.filter((p) => p.marker.kind === "stamp"),
    theme,
    dpr,
  );
  drawAreaLabels(ctx, scene);
  drawStampLabels(ctx, scene, placed);
  if (scene.overlay) paintOverlay(ctx, placed, scene.overlay, theme);
  drawEmphasis(ctx, scene, placed);
  if (scene.reticle) drawReticle(ctx, scene);
}

function drawAreas(ctx: CanvasRenderingContext2D, { areas, mapping, theme, emphasis }: Scene): void {
  for (const area of areas) {
    const selected = emphasis.selectedRegion !== null && area.regionIds.includes(emphasis.selectedRegion);
    const x = area.x * mapping.scale + mapping.x;
    const y = area.y * mapping.scale + mapping.y;
    const ax = area.anchorX * mapping.scale + mapping.x;
    const ay = area.anchorY * mapping.scale + mapping.y;
    if (Math.hypot(ax - x, ay - y) > area.radius) {
      // Moved aside to make room: a leader line back to where the regions are.
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.lineTo(x, y);
      ctx.lineWidth = 1;
      ctx.setLineDash([]);
      ctx.strokeStyle = selected ? theme.accent : theme.areaEdge;
      ctx.stroke();
      ctx.beginPath();
      circle(ctx, ax, ay, 2.5);
      ctx.fillStyle = theme.textMuted;
      ctx.fill();
    }
    ctx.beginPath();
    circle(ctx, x, y, area.radius);
    ctx.fillStyle = selected ? theme.areaSelected : theme.area;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.setLineDash([]);
    ctx.strokeStyle = selected ? theme.accent : theme.areaEdge;
    ctx.stroke();
  }
}

/** Each spread area's name, below its disc, or above it when another disc is in the way there. */
function drawAreaLabels(ctx: CanvasRenderingContext2D, { areas, mapping, theme }: Scene): void {
  ctx.font = `500 11px ${theme.font}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.lineWidth = 3;
  ctx.setLineDash([]);
  const discs = areas.map((a) => ({
    x: a.x * mapping.scale + mapping.x,
    y: a.y * mapping.scale + mapping.y,
    r: a.radius,
  }));
  const blocked = (x: number, y: number, self: number) =>
    discs.some((d, i) => i !== self && Math.hypot(d.x - x, d.y - y) < d.r + 6);
  discs.forEach((disc, i) => {
    const below = disc.y + disc.r + 10;
    const above = disc.y - disc.r - 10;
    const y = !blocked(disc.x, below, i) ? below : !blocked(disc.x, above, i) ? above : null;
    if (y === null) return;
    ctx.strokeStyle = theme.halo;
    ctx.strokeText(areas[i].label, disc.x, y);
    ctx.fillStyle = theme.textMuted;
    ctx.fillText(areas[i].label, disc.x, y);
  });
}

const MAX_LABELLED_STAMPS = 300;

/** Stamp names beside spread-out stamps, where they fit (stampLabels.ts). */
function drawStampLabels(
  ctx: CanvasRenderingContext2D,
  { theme }: Scene,
  placed: readonly { marker: Marker; x: number; y: number }[],
): void {
  const stamps = placed.filter((p) => p.marker.kind === "stamp");
  // Hundreds of spread stamps in view: their names would be noise (and slow to fit).
  if (stamps.length === 0 || stamps.length > MAX_LABELLED_STAMPS) return;
  ctx.font = `600 10.5px ${theme.font}`;
  ctx.textBaseline = "middle";
  ctx.lineWidth = 3;
  ctx.setLineDash([]);
  const discs = stamps.map(({ marker, x, y }) => ({ text: marker.id, x, y, r: outlineEdge(marker) }));
  for (const label of placeStampLabels(discs, (text) => ctx.measureText(text).width)) {
    ctx.textAlign = label.align;
    ctx.strokeStyle = theme.halo;
    ctx.strokeText(label.text, label.x, label.y);
    ctx.fillStyle = theme.text;
    ctx.fillText(label.text, label.x, label.y);
  }
}

function outline(ctx: CanvasRenderingContext2D, x: number, y: number, r: number, width: number, colour: string) {
  ctx.beginPath();
  circle(ctx, x, y, r);
  ctx.lineWidth = width;
  ctx.strokeStyle = colour;
  ctx.stroke();
}

function drawEmphasis(
  ctx: CanvasRenderingContext2D,
  { emphasis, theme, overlay }: Scene,
  placed: readonly { marker: Marker; x: number; y: number }[],
): void {
  ctx.setLineDash([]);
  for (const { marker, x, y } of placed) {
    // A plan mark sits on the marker's edge: selection and hover go around it.
    const marked = overlay !== undefined && overlay(marker).mark !== null;
    const edge = outlineEdge(marker) + (marked ? MARK_CLEARANCE : 0);
    const inSelectedRegion =
      emphasis.selectedRegion !== null && marker.regionIds.includes(emphasis.selectedRegion);
    const selected =
      marker.id === emphasis.selectedStamp ||
      (marker.kind !== "stamp" && inSelectedRegion);
    if (marker.id === emphasis.highlight) {
      ctx.globalAlpha = 0.28;
      outline(ctx, x, y, edge + 4, 6, theme.accent);
      ctx.globalAlpha = 1;
      outline(ctx, x, y, edge, 2.5, theme.accent);
    } else if (selected) {
      outline(ctx, x, y, edge, 2.5, theme.accent);
    } else if (marker.kind === "stamp" && inSelectedRegion) {
      outline(ctx, x, y, edge - 0.5, 1, theme.accent);
    }
    if (marker.id === emphasis.hovered) outline(ctx, x, y, edge + (selected ? 3 : 0), 1.5, theme.text);
  }
}

function drawReticle(ctx: CanvasRenderingContext2D, { width, height, theme }: Scene): void {
  const x = Math.round(width / 2) + 0.5;
  const y = Math.round(height / 2) + 0.5;
  ctx.beginPath();
  ctx.moveTo(x - 9, y);
  ctx.lineTo(x - 3, y);
  ctx.moveTo(x + 3, y);
  ctx.lineTo(x + 9, y);
  ctx.moveTo(x, y - 9);
  ctx.lineTo(x, y - 3);
  ctx.moveTo(x, y + 3);
  ctx.lineTo(x, y + 9);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = theme.accent;
  ctx.stroke();
}
