// The window's health subscription, watched: the backend sends a health message (the
// stamps whose health changed, often none) at least every 10 s (a round each 5 s,
// waiting at most 10 s for slow stamps). When
// nothing came for HEALTH_STALL_MS (a message lost on the way: Tauri's channel holds
// every later message until a lost large one arrives), the page subscribes again with
// the same session, which ends the backend's earlier watcher.

/** How long without a health message before the page subscribes again. */
export const HEALTH_STALL_MS = 30_000;

/** A new id for this page's health subscriptions. */
export function newHealthSession(): string {
  return globalThis.crypto?.randomUUID?.() ?? `page-${Math.random().toString(36).slice(2)}-${Date.now()}`;
}

export class HealthWatchdog {
  private last: number;

  constructor(
    private readonly now: () => number,
    private readonly resubscribe: () => void,
  ) {
    this.last = now();
  }

  /** A health message came (or a subscription began). */
  heard(): void {
    this.last = this.now();
  }

  /** Subscribes again when nothing came for HEALTH_STALL_MS; answers whether it did. */
  check(): boolean {
    if (this.now() - this.last < HEALTH_STALL_MS) return false;
    this.last = this.now();
    this.resubscribe();
    return true;
  }
}
