// The words for a marker: what the hover tooltip says about a stamp, a region
// or a cluster of regions. Every colour on the map is spelled out here, and
// so are the plan marks and the capacity forecast (marks.ts) when given.
import type { StampHealth } from "../../generated/bindings";
import { countryName, formatCount, providerName } from "../format";
import { HEALTH_RINGS, RING_ORDER, ringFor, utilizationBand } from "./colourScale";
import type { Marker, Totals } from "./fleet";
import { NO_OVERLAY, groupOverlayNotes, stampForecast, stampMarkNotes, type MapOverlay } from "./marks";

export interface MarkerDescription {
  title: string;
  subtitle: string;
  rows: { label: string; value: string }[];
  notes: string[];
}

function unitsText(totals: Totals): string {
  return `${formatCount(totals.usedUnits)} / ${formatCount(totals.totalUnits)} units`;
}

function utilizationText(percent: number): string {
  return `${Math.round(percent)}% · ${utilizationBand(percent).label}`;
}

/** "2 healthy · 1 degraded", worst last. */
export function healthSummary(totals: Totals): string {
  const parts = RING_ORDER.filter((state) => totals.rings[state] > 0).map(
    (state) => `${totals.rings[state]} ${HEALTH_RINGS[state].label.toLowerCase()}`,
  );
  return parts.length > 0 ? parts.join(" · ") : "—";
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function describeStamp(marker: Marker, health: StampHealth | undefined, overlay: MapOverlay): MarkerDescription {
  const view = marker.stamp;
  const region = marker.regions[0]?.region;
  const ring = ringFor(marker.ring);
  const detail = health?.detail ? ` — ${health.detail}` : "";
  const forecast = stampForecast(marker.id, overlay);
  const notes = stampMarkNotes(marker.id, overlay);
  if (forecast) notes.push(forecast);
  if (marker.outdated) notes.push("Newer template version available");
  return {
    title: marker.id,
    subtitle: region ? `${region.displayName} · ${providerName(region.provider)} ${region.code}` : "",
    rows: [
      { label: "Status", value: view?.stamp.status ?? "—" },
      { label: "Health", value: `${ring.label}${detail}` },
      { label: "Capacity", value: unitsText(marker.totals) },
      { label: "Utilization", value: utilizationText(marker.utilization) },
      { label: "Tenants", value: formatCount(marker.totals.tenants) },
      { label: "Template", value: view ? `${view.stamp.template} ${view.stamp.templateVersion}` : "—" },
    ],
    notes,
  };
}

function describeGroup(marker: Marker, overlay: MapOverlay): MarkerDescription {
  const { totals } = marker;
  const rows = [
    { label: "Stamps", value: formatCount(totals.stamps) },
    { label: "Capacity", value: unitsText(totals) },
    { label: "Utilization", value: utilizationText(marker.utilization) },
    { label: "Tenants", value: formatCount(totals.tenants) },
    { label: "Health", value: healthSummary(totals) },
  ];
  const notes = groupOverlayNotes(marker.stampIds, overlay);
  if (totals.outdated > 0) notes.push(`${plural(totals.outdated, "stamp has", "stamps have")} a newer template available`);
  if (marker.kind === "region") {
    const region = marker.regions[0].region;
    const country = countryName(region.country);
    const place = region.city === country ? country : `${region.city}, ${country}`;
    return {
      title: region.displayName,
      subtitle: `${providerName(region.provider)} ${region.code} · ${place}`,
      rows,
      notes,
    };
  }
  const names = marker.regions.map((r) => `${providerName(r.region.provider)} ${r.region.code}`);
  const shown = names.slice(0, 4).join(", ");
  return {
    title: plural(marker.regions.length, "region", "regions"),
    subtitle: names.length > 4 ? `${shown} and ${names.length - 4} more` : shown,
    rows,
    notes: [...notes, "Click or press Enter to zoom in"],
  };
}

export function describeMarker(
  marker: Marker,
  health: Record<string, StampHealth>,
  overlay: MapOverlay = NO_OVERLAY,
): MarkerDescription {
  return marker.kind === "stamp" ? describeStamp(marker, health[marker.id], overlay) : describeGroup(marker, overlay);
}
