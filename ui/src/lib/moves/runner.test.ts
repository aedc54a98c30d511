import { describe, expect, it } from "vitest";
import type { MovePhase, MoveProgress, MoveTenant } from "../../generated/bindings";
import { BackendError } from "../backend/backend";
import { MoveRunner, type MoveEntry } from "./runner";

/** A backend whose moves end when the test says so. */
function fakeBackend() {
  const moves = new Map<string, { report: (phase: MovePhase) => void; finish: () => void; fail: (m: string) => void }>();
  const cancelled: number[] = [];
  let operation = 0;
  const backend = {
    moveTenant(request: MoveTenant, onProgress: (p: MoveProgress) => void): Promise<MoveProgress> {
      const op = ++operation;
      const progress = (phase: MovePhase): MoveProgress => ({
        operation: op, tenant: request.tenant, from: "a-01", to: request.to, phase, percent: 5, copiedKeys: 0, copiedBytes: 0, lag: 0, freezeMs: null,
      });
      return new Promise((resolve, reject) => {
        moves.set(request.tenant, {
          report: (phase) => onProgress(progress(phase)),
          finish: () => resolve(progress("done")),
          fail: (message) => reject(new BackendError("conflict", message)),
        });
      });
    },
    async cancelMove(op: number): Promise<string> {
      cancelled.push(op);
      return `move ${op}: cancel requested`;
    },
  };
  return { backend, moves, cancelled };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function runner(limit = 2) {
  const fake = fakeBackend();
  let entries: MoveEntry[] = [];
  const settled: MoveEntry[] = [];
  const r = new MoveRunner(fake.backend, (e) => (entries = e), (e) => settled.push(e), limit);
  return { ...fake, r, settled, entries: () => entries, status: () => entries.map((e) => `${e.tenant}:${e.status}`) };
}

describe("move runner", () => {
  it("runs at most `limit` moves at once; the next starts when one ends", async () => {
    const t = runner(2);
    t.r.start({ tenant: "a", to: "x" });
    t.r.start({ tenant: "b", to: "x" });
    t.r.start({ tenant: "c", to: "x" });
    expect(t.status()).toEqual(["a:running", "b:running", "c:queued"]);
    t.moves.get("a")?.finish();
    await flush();
    expect(t.status()).toEqual(["a:succeeded", "b:running", "c:running"]);
    expect(t.settled.map((e) => e.tenant)).toEqual(["a"]);
  });

  it("keeps one move per tenant", () => {
    const t = runner();
    const first = t.r.start({ tenant: "a", to: "x" });
    expect(t.r.start({ tenant: "a", to: "y" })).toBe(first);
    expect(t.entries()).toHaveLength(1);
  });

  it("follows progress and reports a failure with the backend's message", async () => {
    const t = runner();
    const key = t.r.start({ tenant: "a", to: "x" });
    t.moves.get("a")?.report("importing");
    expect(t.r.get(key)?.progress?.phase).toBe("importing");
    t.moves.get("a")?.fail("move of a rolled back: stamp x: unreachable");
    await flush();
    expect(t.r.get(key)).toMatchObject({ status: "failed", message: "move of a rolled back: stamp x: unreachable" });
  });

  it("cancels a running move through the backend, a queued one at once", async () => {
    const t = runner(1);
    const a = t.r.start({ tenant: "a", to: "x" });
    const b = t.r.start({ tenant: "b", to: "x" });
    await t.r.cancel(b);
    expect(t.r.get(b)?.status).toBe("cancelled");
    t.moves.get("a")?.report("importing");
    await t.r.cancel(a);
    expect(t.cancelled).toEqual([1]);
    expect(t.r.get(a)?.cancelling).toBe(true);
    t.moves.get("a")?.fail("move of a rolled back: cancelled by the operator");
    await flush();
    expect(t.r.get(a)).toMatchObject({ status: "cancelled", cancelling: false });
  });

  it("a cancel before the first report waits for the operation; none once verifying", async () => {
    const t = runner();
    const a = t.r.start({ tenant: "a", to: "x" });
    await t.r.cancel(a);
    expect(t.cancelled).toEqual([]);
    t.moves.get("a")?.report("importing");
    await flush();
    expect(t.cancelled).toEqual([1]);
    const b = t.r.start({ tenant: "b", to: "x" });
    t.moves.get("b")?.report("verifying");
    await t.r.cancel(b);
    expect(t.cancelled).toEqual([1]);
    expect(t.r.get(b)?.cancelling).toBe(false);
  });
});
