import type { Backend } from "./backend";

export { BackendError, toBackendError, type Backend } from "./backend";

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/**
 * The real backend: Tauri's IPC in the window; in a plain browser, HTTP to
 * `stampctl serve-ui`, the same commands on the same fleet-ops.
 */
export async function loadBackend(): Promise<Backend> {
  if (inTauri()) {
    const { createTauriBackend } = await import("./tauri");
    return createTauriBackend();
  }
  const { createHttpBackend } = await import("./http");
  return createHttpBackend(window.location.hash);
}
