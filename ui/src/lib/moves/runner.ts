// Moves started from the UI (the Move dialog, drag and drop, move back) run here,
// at most `limit` at once; the rest wait in a queue. The runner outlives the
// dialog that started a move: closing the dialog leaves the move running, and the
// Moves panel shows it. Subscribers get a fresh array of fresh entries on every change.
import type { MoveProgress, MoveTenant } from "../../generated/bindings";
import { toBackendError, type Backend } from "../backend/backend";
import { canCancel } from "./format";

/** Moves the UI runs at once; more wait their turn. */
export const MOVE_CONCURRENCY = 4;

export type MoveStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export type MoveEntry = {
  readonly key: number;
  readonly tenant: string;
  readonly to: string;
  readonly status: MoveStatus;
  /** The latest report; null until the backend sent one. */
  readonly progress: MoveProgress | null;
  /** Why it failed or how the cancel ended, in the backend's words. */
  readonly message: string | null;
  /** A cancel was asked for and the move has not ended yet. */
  readonly cancelling: boolean;
};

type Mover = Pick<Backend, "moveTenant" | "cancelMove">;

export const isActive = (entry: MoveEntry) => entry.status === "queued" || entry.status === "running";

export class MoveRunner {
  private entries: MoveEntry[] = [];
  private nextKey = 1;
  /** Cancels asked for before the move's first report (which carries its operation). */
  private cancelOnStart = new Set<number>();

  constructor(
    private readonly backend: Mover,
    private readonly onChange: (entries: MoveEntry[]) => void,
    private readonly onSettled: (entry: MoveEntry) => void = () => {},
    private readonly limit = MOVE_CONCURRENCY,
  ) {}

  get(key: number): MoveEntry | undefined {
    return this.entries.find((e) => e.key === key);
  }

  /** Queues a move (it starts at once when a slot is free); a tenant already moving keeps its move. */
  start(request: MoveTenant): number {
    const active = this.entries.find((e) => e.tenant === request.tenant && isActive(e));
    if (active) return active.key;
    const key = this.nextKey++;
    this.entries = [
      ...this.entries,
      { key, tenant: request.tenant, to: request.to, status: "queued", progress: null, message: null, cancelling: false },
    ];
    this.pump();
    this.publish();
    return key;
  }

  /** Cancels a queued move at once, a running one before its cut-over (the backend rolls it back). */
  async cancel(key: number): Promise<void> {
    const entry = this.get(key);
    if (!entry || !isActive(entry) || entry.cancelling) return;
    if (entry.status === "queued") {
      this.update(key, { status: "cancelled", message: "Cancelled before it started." });
      this.settled(key);
      return;
    }
    if (!canCancel(entry.progress?.phase ?? null)) return;
    this.update(key, { cancelling: true, message: null });
    if (!entry.progress) {
      this.cancelOnStart.add(key);
      return;
    }
    await this.askCancel(key, entry.progress.operation);
  }

  private async askCancel(key: number, operation: number): Promise<void> {
    try {
      await this.backend.cancelMove(operation);
    } catch (reason) {
      if (this.get(key)?.status === "running") {
        this.update(key, { cancelling: false, message: toBackendError(reason).message });
      }
    }
  }

  private pump(): void {
    const running = this.entries.filter((e) => e.status === "running").length;
    const waiting = this.entries.filter((e) => e.status === "queued").slice(0, Math.max(0, this.limit - running));
    for (const entry of waiting) void this.run(entry.key);
  }

  private async run(key: number): Promise<void> {
    const entry = this.update(key, { status: "running" });
    if (!entry) return;
    try {
      const done = await this.backend.moveTenant({ tenant: entry.tenant, to: entry.to }, (progress) => {
        this.update(key, { progress });
        if (this.cancelOnStart.delete(key)) void this.askCancel(key, progress.operation);
      });
      this.update(key, { status: "succeeded", progress: done, cancelling: false });
    } catch (reason) {
      const cancelled = this.get(key)?.cancelling === true;
      this.update(key, { status: cancelled ? "cancelled" : "failed", cancelling: false, message: toBackendError(reason).message });
    }
    this.cancelOnStart.delete(key);
    this.settled(key);
    this.pump();
    this.publish();
  }

  private settled(key: number): void {
    const entry = this.get(key);
    if (entry) this.onSettled(entry);
  }

  private update(key: number, change: Partial<Omit<MoveEntry, "key">>): MoveEntry | undefined {
    let updated: MoveEntry | undefined;
    this.entries = this.entries.map((e) => (e.key === key ? (updated = { ...e, ...change }) : e));
    this.publish();
    return updated;
  }

  private publish(): void {
    this.onChange([...this.entries]);
  }
}
