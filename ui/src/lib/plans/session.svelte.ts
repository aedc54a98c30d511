// The plans of this window: the list, the plan open in the editor (docked beside
// the map) and which side of it the map shows. The plans panel (the list) and the
// docked editor share one session, so both always name the same plan.
import type { PlanDetail, PlanSummary } from "../../generated/bindings";
import { toBackendError, type Backend } from "../backend";

export type PlanSide = "before" | "after";

export class PlanSession {
  plans = $state.raw<PlanSummary[]>([]);
  /** The plan open in the editor; its what-if drives every panel while `side` is "after". */
  detail = $state.raw<PlanDetail | null>(null);
  side = $state<PlanSide>("after");
  error = $state<string | null>(null);
  busy = $state(false);
  #listRequest = 0;

  constructor(private readonly backend: Backend) {}

  /** The page is showing the fleet after the open plan. */
  get whatIf(): boolean {
    return this.detail !== null && this.side === "after";
  }

  async loadList(): Promise<void> {
    const mine = ++this.#listRequest;
    try {
      const listed = await this.backend.listPlans();
      if (mine === this.#listRequest) this.plans = listed;
    } catch (reason) {
      if (mine === this.#listRequest) this.error = toBackendError(reason).message;
    }
  }

  /** Runs a call that answers with a plan: opens that plan and refreshes the list; errors go to the alert. */
  run = async (op: () => Promise<PlanDetail>): Promise<boolean> => {
    this.error = null;
    this.busy = true;
    try {
      this.detail = await op();
      return true;
    } catch (reason) {
      this.error = toBackendError(reason).message;
      return false;
    } finally {
      this.busy = false;
      void this.loadList();
    }
  };

  /** The open plan again (after an apply, or while another window applies it). */
  reload = async (): Promise<void> => {
    const name = this.detail?.name;
    if (name === undefined) return;
    try {
      const next = await this.backend.planDetail(name);
      if (this.detail?.name === name) this.detail = next;
    } catch (reason) {
      this.error = toBackendError(reason).message;
    }
    void this.loadList();
  };

  open(name: string): void {
    if (this.detail?.name === name) return;
    this.side = "after";
    void this.run(() => this.backend.planDetail(name));
  }

  close(): void {
    this.detail = null;
    this.error = null;
  }

  deleted(): void {
    this.close();
    void this.loadList();
  }
}
