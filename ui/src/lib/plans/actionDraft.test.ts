import { describe, expect, it } from "vitest";
import type { StampTemplate } from "../../generated/bindings";
import { actionFromDraft, emptyActionDraft, fieldsOf, type ActionDraft } from "./actionDraft";

const TEMPLATES = [{ name: "standard", version: "1.4.0", capacityUnits: 1000, isolation: "shared", description: "" }] as StampTemplate[];
const draft = (change: Partial<ActionDraft>) => actionFromDraft({ ...emptyActionDraft(), ...change }, TEMPLATES);
const problem = (change: Partial<ActionDraft>) => {
  const result = draft(change);
  return "problem" in result ? result.problem : null;
};

describe("plan action drafts", () => {
  it("a move: tenant and target", () => {
    expect(draft({ tenant: " contoso-prod ", stamp: "weu-02" })).toEqual({
      action: { action: "moveTenant", tenant: "contoso-prod", to: "weu-02" },
    });
    expect(problem({ stamp: "weu-02" })).toEqual({ field: "tenant", message: "Tenant id: enter the tenant's id." });
    expect(problem({ tenant: "contoso-prod" })).toMatchObject({ field: "stamp", message: expect.stringMatching(/^Target stamp: /) });
    expect(problem({ tenant: "bad id", stamp: "weu-02" })?.message).toMatch(/^Tenant id: use only lowercase/);
  });

  it("a new stamp: id, region, template; capacity optional but whole", () => {
    const base = { kind: "addStamp" as const, newStamp: "syd-02", region: "azure-australiaeast", template: "standard@1.4.0" };
    expect(draft(base)).toEqual({
      action: { action: "addStamp", stamp: "syd-02", region: "azure-australiaeast", template: "standard", version: "1.4.0" },
    });
    expect(draft({ ...base, capacity: 800 })).toMatchObject({ action: { capacityUnits: 800 } });
    expect(problem({ ...base, capacity: 0 })?.field).toBe("capacity");
    expect(problem({ ...base, newStamp: "" })?.message).toBe("New stamp id: enter an id for the new stamp.");
    expect(problem({ ...base, region: "" })?.field).toBe("region");
    expect(problem({ ...base, template: "x@1" })?.field).toBe("template");
  });

  it("capacity, drain, retire and onboarding", () => {
    expect(problem({ kind: "changeCapacity", stamp: "weu-01" })?.message).toBe("Capacity units: enter a whole number above 0.");
    expect(draft({ kind: "changeCapacity", stamp: "weu-01", capacity: 1500 })).toEqual({
      action: { action: "changeCapacity", stamp: "weu-01", capacityUnits: 1500 },
    });
    expect(draft({ kind: "drainStamp", stamp: "weu-01" })).toEqual({ action: { action: "drainStamp", stamp: "weu-01" } });
    expect(problem({ kind: "retireStamp" })?.message).toBe("Stamp: choose a stamp.");
    const onboard = draft({ kind: "onboardTenant", tenant: "new-co", displayName: " New Co ", size: 40 });
    expect(onboard).toEqual({
      action: {
        action: "onboardTenant",
        tenant: {
          id: "new-co",
          displayName: "New Co",
          tier: "standard",
          sizeUnits: 40,
          residency: { countries: [], geographies: [], regions: [] },
          isolation: "shared",
          pinned: false,
        },
      },
    });
    expect(problem({ kind: "onboardTenant", tenant: "new-co", displayName: "N", size: 1.5 })?.field).toBe("size");
    expect(fieldsOf("onboardTenant")).toContain("stamp");
    expect(fieldsOf("addStamp")).not.toContain("stamp");
  });
});
