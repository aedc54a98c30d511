// The page's health by stamp, kept from the backend's health messages: the first of a
// subscription holds every stamp, each later one only the stamps whose health changed
// and those no longer watched (crates/fleet-ops/src/health_delta.rs).
import type { HealthUpdate, StampHealth } from "../generated/bindings";

/**
 * The health by stamp after `update`: replaced by a full message, else merged. A message
 * that changes nothing gives back the same object, so nothing on the page redraws.
 */
export function applyHealthUpdate(
  held: Record<string, StampHealth>,
  update: HealthUpdate,
): Record<string, StampHealth> {
  if (update.full) return Object.fromEntries(update.changed.map((check) => [check.stamp, check]));
  if (update.changed.length === 0 && update.gone.length === 0) return held;
  const next = { ...held };
  for (const id of update.gone) delete next[id];
  for (const check of update.changed) next[check.stamp] = check;
  return next;
}
