// The plan's add-action form: one draft for every kind of action, the fields each
// kind asks for, and the action it makes (or the first problem, naming the field).
import type { PlanAction, StampTemplate, Tier } from "../../generated/bindings";
import { slugProblem, templateKey } from "../stampId";

/** Kinds the form makes; a rollout is planned from the Rollouts panel ("Add to plan"). */
export type ActionKind = Exclude<PlanAction["action"], "rollOut">;

export const ACTION_KINDS: readonly { kind: ActionKind; label: string }[] = [
  { kind: "moveTenant", label: "Move a tenant" },
  { kind: "addStamp", label: "Add a stamp" },
  { kind: "changeCapacity", label: "Change a stamp's capacity" },
  { kind: "drainStamp", label: "Drain a stamp" },
  { kind: "retireStamp", label: "Retire a stamp" },
  { kind: "onboardTenant", label: "Onboard a tenant" },
];

export type DraftField = "tenant" | "stamp" | "newStamp" | "region" | "template" | "capacity" | "displayName" | "tier" | "size";

export type ActionDraft = {
  kind: ActionKind;
  tenant: string;
  /** The stamp acted on; for a move, the target; for an onboarding, optional. */
  stamp: string;
  newStamp: string;
  region: string;
  /** `name@version`. */
  template: string;
  capacity: number | null;
  displayName: string;
  tier: Tier;
  size: number | null;
};

export function emptyActionDraft(): ActionDraft {
  return {
    kind: "moveTenant",
    tenant: "",
    stamp: "",
    newStamp: "",
    region: "",
    template: "",
    capacity: null,
    displayName: "",
    tier: "standard",
    size: 10,
  };
}

/** The fields each kind of action asks for, in the form's order. */
export function fieldsOf(kind: ActionKind): DraftField[] {
  switch (kind) {
    case "moveTenant":
      return ["tenant", "stamp"];
    case "addStamp":
      return ["newStamp", "region", "template", "capacity"];
    case "changeCapacity":
      return ["stamp", "capacity"];
    case "drainStamp":
    case "retireStamp":
      return ["stamp"];
    case "onboardTenant":
      return ["tenant", "displayName", "tier", "size", "stamp"];
  }
}

export type DraftProblem = { field: DraftField; message: string };

const lower = (text: string) => text.replace(/^./, (c) => c.toLowerCase());
const wholeAbove0 = (n: number | null): n is number => n !== null && Number.isInteger(n) && n > 0;

function idProblem(field: DraftField, label: string, id: string, empty: string): DraftProblem | null {
  if (id === "") return { field, message: `${label}: ${empty}` };
  const problem = slugProblem(id);
  return problem ? { field, message: `${label}: ${lower(problem)}` } : null;
}

/** The action the draft describes, or the first problem with it. */
export function actionFromDraft(
  draft: ActionDraft,
  templates: readonly StampTemplate[],
): { action: PlanAction } | { problem: DraftProblem } {
  const d = { ...draft, tenant: draft.tenant.trim(), stamp: draft.stamp.trim(), newStamp: draft.newStamp.trim(), region: draft.region.trim() };
  const fail = (problem: DraftProblem | null) => (problem ? { problem } : null);
  const stampLabel = d.kind === "moveTenant" ? "Target stamp" : "Stamp";
  const stampMissing = d.kind === "moveTenant" ? "choose the stamp to move the tenant to." : "choose a stamp.";
  const stamp = () => idProblem("stamp", stampLabel, d.stamp, stampMissing);
  const capacity = (optional: boolean) =>
    (optional && d.capacity === null) || wholeAbove0(d.capacity)
      ? null
      : { field: "capacity" as const, message: "Capacity units: enter a whole number above 0." };
  switch (d.kind) {
    case "moveTenant":
      return (
        fail(idProblem("tenant", "Tenant id", d.tenant, "enter the tenant's id.")) ??
        fail(stamp()) ?? { action: { action: "moveTenant", tenant: d.tenant, to: d.stamp } }
      );
    case "addStamp": {
      const template = templates.find((t) => templateKey(t) === d.template);
      return (
        fail(idProblem("newStamp", "New stamp id", d.newStamp, "enter an id for the new stamp.")) ??
        fail(d.region === "" ? { field: "region", message: "Region: choose a region." } : null) ??
        fail(template ? null : { field: "template", message: "Template: choose a template." }) ??
        fail(capacity(true)) ?? {
          action: {
            action: "addStamp",
            stamp: d.newStamp,
            region: d.region,
            template: template?.name ?? "",
            version: template?.version ?? "",
            ...(d.capacity === null ? {} : { capacityUnits: d.capacity }),
          },
        }
      );
    }
    case "changeCapacity":
      return fail(stamp()) ?? fail(capacity(false)) ?? {
        action: { action: "changeCapacity", stamp: d.stamp, capacityUnits: d.capacity ?? 0 },
      };
    case "drainStamp":
    case "retireStamp":
      return fail(stamp()) ?? { action: { action: d.kind, stamp: d.stamp } };
    case "onboardTenant":
      return (
        fail(idProblem("tenant", "Tenant id", d.tenant, "enter an id for the tenant.")) ??
        fail(d.displayName.trim() === "" ? { field: "displayName", message: "Display name: enter a name." } : null) ??
        fail(wholeAbove0(d.size) ? null : { field: "size", message: "Size units: enter a whole number above 0." }) ??
        fail(d.stamp === "" ? null : stamp()) ?? {
          action: {
            action: "onboardTenant",
            tenant: {
              id: d.tenant,
              displayName: d.displayName.trim(),
              tier: d.tier,
              sizeUnits: d.size ?? 0,
              residency: { countries: [], geographies: [], regions: [] },
              isolation: "shared",
              pinned: false,
            },
            ...(d.stamp === "" ? {} : { stamp: d.stamp }),
          },
        }
      );
  }
}
