// The map's projection and basemap. Everything is computed once in "base"
// coordinates: a Natural Earth projection fitted to a fixed reference width.
// Zooming, panning and fitting to the canvas are a plain scale + translate of
// base coordinates (see viewTransform.ts), so the country outlines are built
// into Path2D objects a single time and never re-projected.
//
// The world atlas is imported as a JSON module: it is bundled with the app,
// never fetched. The finer 1:50m atlas for zoomed-in views is in detail.ts.
import { geoGraticule, geoNaturalEarth1, geoPath, type GeoProjection } from "d3-geo";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import worldAtlas from "world-atlas/countries-110m.json";

/** Width of the base coordinate space; the height follows from the land's shape. */
export const BASE_WIDTH = 1000;

/** A rectangle in base coordinates. */
export interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type Point = readonly [x: number, y: number];

type CountryProperties = { name: string };
type WorldTopology = Topology<{ countries: GeometryCollection<CountryProperties> }>;

const world = worldAtlas as unknown as WorldTopology;

/** Antarctica holds no cloud regions; leaving it out gives the inhabited world more room. */
function isAntarctica(geometry: { properties?: Partial<CountryProperties> | null }): boolean {
  return geometry.properties?.name === "Antarctica";
}

/** The countries of an atlas, without Antarctica. */
function countriesOf(atlas: WorldTopology): GeometryCollection<CountryProperties> {
  return { ...atlas.objects.countries, geometries: atlas.objects.countries.geometries.filter((g) => !isAntarctica(g)) };
}

const countryObject: GeometryCollection<CountryProperties> = countriesOf(world);

/** The countries of the world (without Antarctica) as GeoJSON. */
export const countries: FeatureCollection<Geometry, CountryProperties> = feature(
  world,
  countryObject,
) as FeatureCollection<Geometry, CountryProperties>;

/** The one projection everything is drawn with, fitted to BASE_WIDTH. */
export const projection: GeoProjection = geoNaturalEarth1().fitWidth(BASE_WIDTH, countries);

const MARGIN = 0.015 * BASE_WIDTH;

/** The land's extent in base coordinates plus a small margin: what "the whole world" means. */
export const WORLD_BOUNDS: Bounds = (() => {
  const [[x0, y0], [x1, y1]] = geoPath(projection).bounds(countries);
  return { x0: x0 - MARGIN, y0: y0 - MARGIN, x1: x1 + MARGIN, y1: y1 + MARGIN };
})();

/** Base coordinates of a longitude/latitude, or null when the projection cannot place it. */
export function projectLonLat(longitude: number, latitude: number): Point | null {
  if (!Number.isFinite(longitude) || !Number.isFinite(latitude)) return null;
  const point = projection([longitude, latitude]);
  return point && Number.isFinite(point[0]) && Number.isFinite(point[1]) ? point : null;
}

/** Longitude/latitude of a base point, or null outside the projected sphere. */
export function invertToLonLat(x: number, y: number): Point | null {
  const lonLat = projection.invert?.([x, y]);
  return lonLat && Number.isFinite(lonLat[0]) && Number.isFinite(lonLat[1]) ? lonLat : null;
}

type GeoObject = Feature | FeatureCollection | Geometry | { type: "Sphere" };
type BasemapLayer = "sphere" | "graticule" | "land" | "coastline" | "borders";

/** What the basemap is made of, as GeoJSON, from `atlas` (the 1:110m one by default). */
function basemapObjects(atlas: WorldTopology): Record<BasemapLayer, GeoObject> {
  const object = atlas === world ? countryObject : countriesOf(atlas);
  return {
    sphere: { type: "Sphere" },
    graticule: geoGraticule().step([30, 30])(),
    land: atlas === world ? countries : (feature(atlas, object) as FeatureCollection<Geometry, CountryProperties>),
    // Shared edges are borders; edges on one country only are coastline.
    coastline: mesh(atlas, object, (a, b) => a === b),
    borders: mesh(atlas, object, (a, b) => a !== b),
  };
}

function mapLayers<T>(render: (object: GeoObject) => T, atlas: WorldTopology = world): Record<BasemapLayer, T> {
  const objects = basemapObjects(atlas);
  return {
    sphere: render(objects.sphere),
    graticule: render(objects.graticule),
    land: render(objects.land),
    coastline: render(objects.coastline),
    borders: render(objects.borders),
  };
}

type GeoInput = Parameters<ReturnType<typeof geoPath>>[0];

/** The basemap as SVG path data in base coordinates (pure, testable without a canvas). */
export function basemapPaths(atlas?: unknown): Record<BasemapLayer, string> {
  const path = geoPath(projection);
  return mapLayers((object) => path(object as GeoInput) ?? "", (atlas as WorldTopology | undefined) ?? world);
}

/** The basemap ready to draw: Path2D objects in base coordinates, reused for every frame. */
export type Basemap = Record<BasemapLayer, Path2D>;

let cached: Basemap | null = null;

/** Built on first use (a few tens of ms); call it early, e.g. when idle, to have it ready. */
export function basemap(): Basemap {
  cached ??= buildBasemap(world);
  return cached;
}

/** The basemap of `atlas` (a world-atlas countries topology), drawn with the same projection. */
export function buildBasemap(atlas: unknown): Basemap {
  return mapLayers((object) => {
    const target = new Path2D();
    // Path2D has every drawing method d3 uses except beginPath, which it never needs.
    const context = {
      beginPath: () => {},
      moveTo: (x: number, y: number) => target.moveTo(x, y),
      lineTo: (x: number, y: number) => target.lineTo(x, y),
      closePath: () => target.closePath(),
      arc: (x: number, y: number, r: number, a0: number, a1: number) => target.arc(x, y, r, a0, a1),
    };
    geoPath(projection, context)(object as GeoInput);
    return target;
  }, atlas as WorldTopology);
}
