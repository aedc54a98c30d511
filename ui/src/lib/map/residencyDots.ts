// The onboarding wizard's residency map: one dot per region of the fleet, in the
// main map's projection (base coordinates, projection.ts), over its basemap as
// SVG path data. Dots that would overlap are moved aside (spiral.ts) and keep a
// leader line to where their region really is.
import type { Region } from "../../generated/bindings";
import { WORLD_BOUNDS, basemapPaths, projectLonLat } from "./projection";
import { placeDiscs } from "./spiral";

/** A dot's radius in base coordinates (the map is ~1000 wide, shown ~520 px wide). */
export const DOT_RADIUS = 11;

export type ResidencyDot = {
  id: string;
  /** The accessible name and tooltip, e.g. `West Europe (azure-westeurope), NL`. */
  label: string;
  /** Where the dot is drawn. */
  x: number;
  y: number;
  /** Where the region is; differs from (x, y) when the dot had to move aside. */
  anchorX: number;
  anchorY: number;
  /** In the residency's region list. */
  chosen: boolean;
  /** Allowed by the chosen countries and geographies (the region list aside). */
  allowed: boolean;
};

export type ResidencyChoice = {
  countries: readonly string[];
  geographies?: readonly string[];
  regions: readonly string[];
};

/** Whether the countries and geographies chosen so far allow a region (the region list is what the map toggles). */
export function allowedByPlace(choice: ResidencyChoice, region: Region): boolean {
  const geographies = choice.geographies ?? [];
  return (
    (choice.countries.length === 0 || choice.countries.includes(region.country)) &&
    (geographies.length === 0 || geographies.includes(region.geography))
  );
}

/** The dots, in region-id order (which is also the order they are moved aside in). */
export function residencyDots(regions: readonly Region[], choice: ResidencyChoice): ResidencyDot[] {
  const placed = [...regions]
    .sort((a, b) => a.id.localeCompare(b.id))
    .flatMap((region) => {
      const at = projectLonLat(region.longitude, region.latitude);
      return at ? [{ region, x: at[0], y: at[1] }] : [];
    });
  const centres = placeDiscs(
    placed.map(({ x, y }) => ({ x, y, radius: DOT_RADIUS })),
    1,
  );
  return placed.map(({ region, x, y }, i) => ({
    id: region.id,
    label: `${region.displayName} (${region.id}), ${region.country}`,
    x: centres[i][0],
    y: centres[i][1],
    anchorX: x,
    anchorY: y,
    chosen: choice.regions.includes(region.id),
    allowed: allowedByPlace(choice, region),
  }));
}

/** The regions with one toggled in or out, keeping the order they were chosen in. */
export function toggleRegion(regions: readonly string[], id: string): string[] {
  return regions.includes(id) ? regions.filter((r) => r !== id) : [...regions, id];
}

/** The SVG viewBox showing the whole (inhabited) world. */
export const VIEW_BOX = `${WORLD_BOUNDS.x0} ${WORLD_BOUNDS.y0} ${WORLD_BOUNDS.x1 - WORLD_BOUNDS.x0} ${WORLD_BOUNDS.y1 - WORLD_BOUNDS.y0}`;

let paths: { sphere: string; graticule: string; land: string } | null = null;

/** Ocean, graticule and land as SVG path data, built on first use and kept. */
export function residencyBasemap(): { sphere: string; graticule: string; land: string } {
  if (!paths) {
    const { sphere, graticule, land } = basemapPaths();
    paths = { sphere, graticule, land };
  }
  return paths;
}
