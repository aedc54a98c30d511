// Distances on Earth, as the placement engine measures them.
import type { GeoPoint } from "../generated/bindings";

const EARTH_RADIUS_KM = 6371;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance in km (haversine, mean Earth radius), like GeoPoint::distance_km. */
export function distanceKm(a: GeoPoint, b: GeoPoint): number {
  const [la1, la2] = [radians(a.latitude), radians(b.latitude)];
  const dla = la2 - la1;
  const dlo = radians(b.longitude - a.longitude);
  const h = Math.sin(dla / 2) ** 2 + Math.cos(la1) * Math.cos(la2) * Math.sin(dlo / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(Math.max(Math.sqrt(h), 0), 1));
}

/** The point a region stands for. */
export const pointOf = (region: { latitude: number; longitude: number }): GeoPoint => ({
  latitude: region.latitude,
  longitude: region.longitude,
});
