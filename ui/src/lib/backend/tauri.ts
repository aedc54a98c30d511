// The only module in the UI that talks to Tauri.
import { invoke } from "@tauri-apps/api/core";
import type { CatalogueInfo, FleetOverview } from "../../generated/bindings";
import { call, type Backend } from "./backend";

export function createTauriBackend(): Backend {
  return {
    catalogueInfo: () => call(() => invoke<CatalogueInfo>("catalogue_info")),
    fleetOverview: () => call(() => invoke<FleetOverview>("fleet_overview")),
    createDemoFleet: () => call(() => invoke<FleetOverview>("create_demo_fleet")),
  };
}
