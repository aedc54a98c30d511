import type { Backend } from "./backend";

export { BackendError, toBackendError, type Backend } from "./backend";

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** The real backend inside Tauri, the in-memory mock in a plain browser. */
export async function loadBackend(): Promise<Backend> {
  if (inTauri()) {
    const { createTauriBackend } = await import("./tauri");
    return createTauriBackend();
  }
  const { createMockBackend, mockModeFrom, moveSpeedFrom, resumedApplyFrom, stampsDownFrom, tokensLostFrom } =
    await import("./mock");
  const search = window.location.search;
  return createMockBackend(
    mockModeFrom(search),
    moveSpeedFrom(search),
    stampsDownFrom(search),
    resumedApplyFrom(search),
    tokensLostFrom(search),
  );
}
