// In-memory stand-in for the backend, used when the UI runs in a plain
// browser (vite dev, tests). URL query `?mock=demo` starts with the demo
// fleet loaded; `?mock=broken` makes every call fail like an unreadable
// catalogue does.
import type { CatalogueInfo, FleetOverview } from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import { BackendError, type Backend } from "./backend";

export type MockMode = "empty" | "demo" | "broken";

export const MOCK_CATALOGUE_PATH = "mock://in-memory-catalogue (browser preview)";

export const BROKEN_MESSAGE =
  "/tmp/x.sqlite: not a Stampfleet catalogue (it is not an SQLite database); the file was left untouched";

const DEMO: FleetOverview = demoOverview as FleetOverview;

function emptyOverview(): FleetOverview {
  return { regions: [], stamps: [], tenants: [], templates: [], totals: { totalUnits: 0, usedUnits: 0 } };
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Small delay so busy states are visible, as with a real backend. */
function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function mockModeFrom(search: string): MockMode {
  const mode = new URLSearchParams(search).get("mock");
  return mode === "demo" || mode === "broken" ? mode : "empty";
}

export function createMockBackend(mode: MockMode = "empty"): Backend {
  let overview: FleetOverview = mode === "demo" ? copy(DEMO) : emptyOverview();

  async function guard(): Promise<void> {
    await settle(40);
    if (mode === "broken") throw new BackendError("catalogue_unavailable", BROKEN_MESSAGE);
  }

  return {
    async catalogueInfo(): Promise<CatalogueInfo> {
      await guard();
      return {
        path: MOCK_CATALOGUE_PATH,
        schemaVersion: 1,
        counts: {
          regions: 0,
          templates: overview.templates.length,
          stamps: overview.stamps.length,
          tenants: overview.tenants.length,
          bindings: overview.tenants.filter((t) => t.stamp !== null).length,
          auditRows: 0,
        },
      };
    },
    async fleetOverview(): Promise<FleetOverview> {
      await guard();
      return copy(overview);
    },
    async createDemoFleet(): Promise<FleetOverview> {
      await guard();
      await settle(400);
      if (overview.stamps.length > 0 || overview.tenants.length > 0) {
        throw new BackendError(
          "conflict",
          `${MOCK_CATALOGUE_PATH}: the catalogue is not empty (${overview.stamps.length} stamps, ` +
            `${overview.tenants.length} tenants); cannot create the demo fleet`,
        );
      }
      overview = copy(DEMO);
      return copy(overview);
    },
  };
}
