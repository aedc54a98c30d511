// "Where does tenant X live?": what the map is told to show for an answer.
import type { Tenant } from "../generated/bindings";

/** Where the map pans and zooms to whenever `seq` changes. */
export type MapFocus = { stamp?: string; region?: string; seq: number };

/** The answer shown above the map. */
export type Located = {
  tenant: Tenant;
  /** The tenant's stamp; null while it is not placed. */
  stamp: string | null;
  /** The display name of the stamp's region. */
  region: string | null;
  /** The filters were cleared because they hid the tenant's stamp. */
  clearedFilters: boolean;
  /** The tenant was just onboarded (the answer confirms it). */
  onboarded?: boolean;
};
