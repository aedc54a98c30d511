// Dragging a tenant onto a stamp (a row of the stamps table or a marker on the map):
// the drag carries the tenant's id under its own type, so other drags (text, files)
// are not taken for one.
import { slugProblem } from "../stampId";

export const TENANT_DRAG_TYPE = "application/x-stampfleet-tenant";

/** The id a payload carries, or null when it is not a tenant id. */
export function parseTenantPayload(text: string | null | undefined): string | null {
  const id = text?.trim() ?? "";
  return id !== "" && slugProblem(id) === null ? id : null;
}

/** Starts a tenant drag: the id under the tenant type, and as plain text for anything else. */
export function writeTenantDrag(data: DataTransfer | null, tenant: string): void {
  if (!data) return;
  data.setData(TENANT_DRAG_TYPE, tenant);
  data.setData("text/plain", tenant);
  data.effectAllowed = "move";
}

/** During dragover only the types are readable: is this a tenant drag? */
export function isTenantDrag(data: DataTransfer | null): boolean {
  return data !== null && Array.from(data.types).includes(TENANT_DRAG_TYPE);
}

/** On drop: the dragged tenant's id, or null for any other drag. */
export function readTenantDrag(data: DataTransfer | null): string | null {
  return isTenantDrag(data) ? parseTenantPayload(data?.getData(TENANT_DRAG_TYPE)) : null;
}
