// The only module in the UI that talks to Tauri.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  CatalogueInfo,
  Decision,
  FleetOverview,
  OnboardProgress,
  ProvisionProgress,
  Stamp,
  StampDetail,
  StampHealth,
  TenantPage,
  TenantView,
} from "../../generated/bindings";
import { call, type Backend } from "./backend";

export function createTauriBackend(): Backend {
  return {
    catalogueInfo: () => call(() => invoke<CatalogueInfo>("catalogue_info")),
    fleetOverview: () => call(() => invoke<FleetOverview>("fleet_overview")),
    listTenants: (query) => call(() => invoke<TenantPage>("list_tenants", { query })),
    placeTenant: (request) => call(() => invoke<Decision>("place_tenant", { request })),
    onboardTenant: (request, onProgress) =>
      call(() => {
        const channel = new Channel<OnboardProgress>();
        channel.onmessage = onProgress;
        return invoke<TenantView>("onboard_tenant", { request, onProgress: channel });
      }),
    createDemoFleet: () => call(() => invoke<FleetOverview>("create_demo_fleet")),
    newStamp: (request, onProgress) =>
      call(() => {
        const channel = new Channel<ProvisionProgress>();
        channel.onmessage = onProgress;
        return invoke<Stamp>("new_stamp", { request, onProgress: channel });
      }),
    stampDetail: (id) => call(() => invoke<StampDetail>("stamp_detail", { id })),
    setStampStatus: (id, status) => call(() => invoke<Stamp>("set_stamp_status", { id, status })),
    watchHealth: (onHealth) =>
      call(async () => {
        const channel = new Channel<StampHealth[]>();
        channel.onmessage = onHealth;
        await invoke<void>("watch_health", { onHealth: channel });
      }),
  };
}
