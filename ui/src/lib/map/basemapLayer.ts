// The basemap under the markers: ocean, graticule, land, borders, coastline,
// drawn from the cached Path2D with the view's transform (line widths divided
// by the scale so they stay hairlines). While the map pans at a fixed zoom
// only its offset changes, so it is rendered into an off-screen bitmap a
// margin larger than the canvas and blitted; a zoom draws it directly.
import { recordBasemapPath } from "./frameLog";
import type { Basemap } from "./projection";
import type { MapTheme } from "./theme";
import type { Mapping } from "./viewTransform";

export interface BasemapScene {
  /** Canvas size in CSS px. */
  width: number;
  height: number;
  dpr: number;
  mapping: Mapping;
  basemap: Basemap;
  theme: MapTheme;
}

/** Extra room around the canvas in the bitmap, as a share of its size per side. */
const MARGIN = 0.25;
/** Bitmaps larger than this (device pixels) are not worth their memory: draw directly. */
const MAX_BITMAP_PIXELS = 8_000_000;

interface Bitmap {
  canvas: HTMLCanvasElement;
  scale: number;
  dpr: number;
  basemap: Basemap;
  theme: MapTheme;
  /** The bitmap's top-left corner in base coordinates, and its size in CSS px. */
  originX: number;
  originY: number;
  width: number;
  height: number;
}

let bitmap: Bitmap | null = null;
let previousScale = Number.NaN;

/** Paints the basemap with `mapping` on a context whose transform is CSS px × dpr. */
function paintBasemap(ctx: CanvasRenderingContext2D, basemap: Basemap, theme: MapTheme, mapping: Mapping, dpr: number) {
  const s = mapping.scale;
  ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * mapping.x, dpr * mapping.y);
  ctx.lineJoin = "round";
  ctx.fillStyle = theme.ocean;
  ctx.fill(basemap.sphere);
  ctx.lineWidth = 0.6 / s;
  ctx.strokeStyle = theme.graticule;
  ctx.stroke(basemap.graticule);
  ctx.fillStyle = theme.land;
  ctx.fill(basemap.land);
  ctx.strokeStyle = theme.borders;
  ctx.stroke(basemap.borders);
  ctx.lineWidth = 0.8 / s;
  ctx.strokeStyle = theme.coastline;
  ctx.stroke(basemap.coastline);
  ctx.stroke(basemap.sphere);
}

function render(scene: BasemapScene): Bitmap | null {
  const { width, height, dpr, mapping } = scene;
  const [dx, dy] = [width * MARGIN, height * MARGIN];
  const [cssWidth, cssHeight] = [width + 2 * dx, height + 2 * dy];
  const [pixelWidth, pixelHeight] = [Math.ceil(cssWidth * dpr), Math.ceil(cssHeight * dpr)];
  if (pixelWidth * pixelHeight > MAX_BITMAP_PIXELS) return null;
  const canvas = document.createElement("canvas");
  canvas.width = pixelWidth;
  canvas.height = pixelHeight;
  const ctx = canvas.getContext("2d", { alpha: false });
  if (!ctx) return null;
  ctx.fillStyle = scene.theme.outside;
  ctx.fillRect(0, 0, pixelWidth, pixelHeight);
  const shifted = { scale: mapping.scale, x: mapping.x + dx, y: mapping.y + dy };
  paintBasemap(ctx, scene.basemap, scene.theme, shifted, dpr);
  return {
    canvas,
    scale: mapping.scale,
    dpr,
    basemap: scene.basemap,
    theme: scene.theme,
    originX: -shifted.x / mapping.scale,
    originY: -shifted.y / mapping.scale,
    width: cssWidth,
    height: cssHeight,
  };
}

/** Where the bitmap's top-left lands on the canvas (CSS px), if it still fits this frame. */
function placement(scene: BasemapScene): [number, number] | null {
  const { mapping: m, width, height } = scene;
  if (!bitmap || bitmap.scale !== m.scale || bitmap.dpr !== scene.dpr) return null;
  if (bitmap.theme !== scene.theme || bitmap.basemap !== scene.basemap) return null;
  const x = bitmap.originX * m.scale + m.x;
  const y = bitmap.originY * m.scale + m.y;
  const covers = x <= 0 && y <= 0 && x + bitmap.width >= width && y + bitmap.height >= height;
  return covers ? [x, y] : null;
}

export function drawBasemapLayer(ctx: CanvasRenderingContext2D, scene: BasemapScene): void {
  // Only worth a bitmap once the scale holds still for a second frame (a pan, not a zoom).
  const steady = scene.mapping.scale === previousScale;
  previousScale = scene.mapping.scale;
  let at = placement(scene);
  let rendered = false;
  if (!at && steady) {
    bitmap = render(scene);
    at = placement(scene);
    rendered = true;
  }
  if (bitmap && at) {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(bitmap.canvas, Math.round(at[0] * scene.dpr), Math.round(at[1] * scene.dpr));
    recordBasemapPath(rendered ? "render" : "blit");
  } else {
    paintBasemap(ctx, scene.basemap, scene.theme, scene.mapping, scene.dpr);
    recordBasemapPath("direct");
  }
}
