import { describe, expect, it } from "vitest";
import type { RouterView } from "../generated/bindings";
import { routerState } from "./routing";

const base: RouterView = {
  name: "local",
  kind: "haproxy",
  adminSocket: "/tmp/admin.sock",
  tenantsMap: "/tmp/tenants.map",
  stampsMap: "/tmp/stamps.map",
  syncedVersion: 12,
  syncedAt: "2026-12-05T10:00:00.000Z",
  lagMs: 3,
  lastError: null,
  behind: 0,
};

describe("routerState", () => {
  it("says in sync, behind, never synced and failing", () => {
    expect(routerState(base)).toEqual({ kind: "in-sync", text: "in sync" });
    expect(routerState({ ...base, behind: 1 }).text).toBe("1 version behind");
    expect(routerState({ ...base, behind: 3 }).kind).toBe("behind");
    expect(routerState({ ...base, syncedVersion: null, behind: null }).kind).toBe("never");
    expect(routerState({ ...base, lastError: "refused" })).toEqual({ kind: "failing", text: "failing: refused" });
  });
});
