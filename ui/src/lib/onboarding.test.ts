import { describe, expect, it } from "vitest";
import type { FleetOverview } from "../generated/bindings";
import demo from "../generated/demo-overview.json";
import { distanceKm } from "./geo";
import { emptyDraft, homeOf, homeOptions, placeRequestOf } from "./onboarding";

const regions = (demo as FleetOverview).regions.map((r) => r.region);

describe("home location", () => {
  it("offers one option per region, sorted by display name", () => {
    const options = homeOptions(regions);
    expect(options.map((o) => o.label)).toEqual([
      "Near Australia East (AU)",
      "Near Europe (Frankfurt) (DE)",
      "Near Tokyo (JP)",
      "Near US East (N. Virginia) (US)",
      "Near West Europe (NL)",
    ]);
    expect(options[1].id).toBe("aws-eu-central-1");
  });

  it("is the chosen region's coordinates, or null for none or an unknown region", () => {
    expect(homeOf("azure-westeurope", regions)).toEqual({ latitude: 52.3667, longitude: 4.9 });
    expect(homeOf("", regions)).toBeNull();
    expect(homeOf("nowhere", regions)).toBeNull();
  });

  it("goes into the placement request with the preferred region", () => {
    const draft = { ...emptyDraft(), displayName: "Acme", id: "acme", home: "gcp-asia-northeast1", preferredRegion: "aws-us-east-1" };
    const request = placeRequestOf(draft, regions);
    expect(request.home).toEqual({ latitude: 35.68, longitude: 139.69 });
    expect(request.preferredRegions).toEqual(["aws-us-east-1"]);
    expect(request.tenant).toMatchObject({ id: "acme", displayName: "Acme" });
    expect(placeRequestOf(emptyDraft(), regions).home).toBeNull();
  });
});

describe("distanceKm", () => {
  it("measures great circles like the engine (haversine, 6371 km)", () => {
    const amsterdam = { latitude: 52.3667, longitude: 4.9 };
    const frankfurt = { latitude: 50.11, longitude: 8.68 };
    expect(distanceKm(amsterdam, amsterdam)).toBe(0);
    expect(distanceKm(amsterdam, frankfurt)).toBeCloseTo(363.52, 1);
    expect(distanceKm(amsterdam, frankfurt)).toBeCloseTo(distanceKm(frankfurt, amsterdam), 9);
    // Half way round the equator.
    expect(distanceKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 })).toBeCloseTo(Math.PI * 6371, 6);
  });
});
