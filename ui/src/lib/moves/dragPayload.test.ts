import { describe, expect, it } from "vitest";
import { TENANT_DRAG_TYPE, isTenantDrag, parseTenantPayload, readTenantDrag, writeTenantDrag } from "./dragPayload";

/** Enough of a DataTransfer for the helpers (node has none). */
function transfer(initial: Record<string, string> = {}): DataTransfer {
  const data = new Map(Object.entries(initial));
  return {
    get types() {
      return [...data.keys()];
    },
    getData: (type: string) => data.get(type) ?? "",
    setData: (type: string, value: string) => void data.set(type, value),
    effectAllowed: "all",
    dropEffect: "none",
  } as unknown as DataTransfer;
}

describe("tenant drag payload", () => {
  it("accepts tenant ids only", () => {
    expect(parseTenantPayload("contoso-prod")).toBe("contoso-prod");
    expect(parseTenantPayload("  contoso-prod \n")).toBe("contoso-prod");
    expect(parseTenantPayload("")).toBeNull();
    expect(parseTenantPayload(null)).toBeNull();
    expect(parseTenantPayload("Not A Slug")).toBeNull();
    expect(parseTenantPayload("a--b")).toBeNull();
  });

  it("writes the id under its own type and as text", () => {
    const data = transfer();
    writeTenantDrag(data, "contoso-prod");
    expect(data.getData(TENANT_DRAG_TYPE)).toBe("contoso-prod");
    expect(data.getData("text/plain")).toBe("contoso-prod");
    expect(data.effectAllowed).toBe("move");
    expect(isTenantDrag(data)).toBe(true);
    expect(readTenantDrag(data)).toBe("contoso-prod");
  });

  it("ignores other drags: text, files, or none", () => {
    expect(isTenantDrag(transfer({ "text/plain": "contoso-prod" }))).toBe(false);
    expect(readTenantDrag(transfer({ "text/plain": "contoso-prod" }))).toBeNull();
    expect(readTenantDrag(transfer({ [TENANT_DRAG_TYPE]: "../etc" }))).toBeNull();
    expect(isTenantDrag(null)).toBe(false);
    expect(readTenantDrag(null)).toBeNull();
  });
});
