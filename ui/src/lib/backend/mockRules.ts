// The rules the mock placement (mockPlacement.ts) checks a tenant and a stamp's
// region against, as the Rust engine words them.
import type { Region, Residency, Tenant } from "../../generated/bindings";
import { slugProblem } from "../stampId";
import { BackendError } from "./backend";

/** Checks a tenant like the backend does; the message names the field. */
export function validateTenant(tenant: Tenant): void {
  const idProblem = tenant.id.length === 0 ? "must not be empty" : slugProblem(tenant.id);
  if (idProblem) throw new BackendError("invalid_input", `tenant.id: ${idProblem}`);
  if (tenant.displayName.trim() === "") {
    throw new BackendError("invalid_input", "tenant.displayName: must not be empty");
  }
  if (!Number.isInteger(tenant.sizeUnits) || tenant.sizeUnits <= 0) {
    throw new BackendError("invalid_input", "tenant.sizeUnits: must be greater than 0");
  }
}

/** `countries DE, FR; regions x`, or `anywhere` (as the engine describes residency). */
export function describeResidency(residency: Residency): string {
  const parts: string[] = [];
  if (residency.countries.length > 0) parts.push(`countries ${residency.countries.join(", ")}`);
  if (residency.geographies.length > 0) parts.push(`geographies ${residency.geographies.join(", ")}`);
  if (residency.regions.length > 0) parts.push(`regions ${residency.regions.join(", ")}`);
  return parts.length > 0 ? parts.join("; ") : "anywhere";
}

/** A region must satisfy every non-empty list of the residency. */
export function residencyAllows(residency: Residency, region: Region): boolean {
  return (
    (residency.countries.length === 0 || residency.countries.includes(region.country)) &&
    (residency.geographies.length === 0 || residency.geographies.includes(region.geography)) &&
    (residency.regions.length === 0 || residency.regions.includes(region.id))
  );
}

/** Units a stamp may fill when `reservePercent` of it is kept free. */
export function usableUnits(capacity: number, reservePercent: number): number {
  return Math.floor((capacity * (100 - Math.min(reservePercent, 100))) / 100);
}
