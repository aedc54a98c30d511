// A SIMPLIFIED mock of the Rust plan files (crates/fleet-core/src/plan.rs), for the
// browser preview and tests only: the same JSON shape (schemaVersion, plan, digest)
// read just as strictly (unknown fields refused, the bad field named), but the
// digest is a made-up 64-hex-digit hash, not SHA-256: files the real app exported
// are refused here, and the other way round.
import type { Isolation, PlanAction, Tenant, Tier } from "../../generated/bindings";
import { BackendError } from "./backend";

export const PLAN_SCHEMA_VERSION = 1;

export type StoredPlan = { name: string; baseVersion: number; actions: PlanAction[] };

/** The action with its fields in the backend's order (so the digest is stable). */
export function normalizeAction(a: PlanAction): PlanAction {
  switch (a.action) {
    case "addStamp": {
      const { stamp, region, template, version, capacityUnits } = a;
      return { action: "addStamp", stamp, region, template, version, ...(capacityUnits === undefined ? {} : { capacityUnits }) };
    }
    case "onboardTenant": {
      const t = a.tenant;
      const tenant: Tenant = {
        id: t.id,
        displayName: t.displayName,
        tier: t.tier,
        sizeUnits: t.sizeUnits,
        residency: { countries: [...t.residency.countries], geographies: [...t.residency.geographies], regions: [...t.residency.regions] },
        isolation: t.isolation,
        pinned: t.pinned,
        ...(t.group === undefined ? {} : { group: t.group }),
      };
      return { action: "onboardTenant", tenant, ...(a.stamp === undefined ? {} : { stamp: a.stamp }) };
    }
    case "moveTenant":
      return { action: "moveTenant", tenant: a.tenant, to: a.to };
    case "drainStamp":
      return { action: "drainStamp", stamp: a.stamp };
    case "retireStamp":
      return { action: "retireStamp", stamp: a.stamp };
    case "changeCapacity":
      return { action: "changeCapacity", stamp: a.stamp, capacityUnits: a.capacityUnits };
  }
}

/** The plan's own rules (as `validate_plan`): the path of the first bad field and why. */
export function planProblem(plan: StoredPlan): string | null {
  if (plan.name.trim() === "" || [...plan.name].length > 100 || /\p{Cc}/u.test(plan.name)) {
    return "plan.name: must be 1 to 100 characters without control characters";
  }
  for (const [i, a] of plan.actions.entries()) {
    const at = (field: string) => `plan.actions[${i}].${field}: must be greater than 0`;
    if (a.action === "changeCapacity" && a.capacityUnits === 0) return at("capacityUnits");
    if (a.action === "addStamp" && a.capacityUnits === 0) return at("capacityUnits");
    if (a.action === "onboardTenant" && a.tenant.sizeUnits === 0) return at("tenant.sizeUnits");
  }
  return null;
}

/** A made-up digest (eight FNV-1a rounds with different seeds, 64 hex digits). */
export function mockDigest(plan: StoredPlan): string {
  const text = JSON.stringify({ name: plan.name, baseVersion: plan.baseVersion, actions: plan.actions.map(normalizeAction) });
  let out = "";
  for (let seed = 0; seed < 8; seed++) {
    let h = (0x811c9dc5 ^ (seed * 0x9e3779b1)) >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, "0");
  }
  return out;
}

/** The plan as a file: pretty JSON with the schema version and the digest. */
export function planFileText(plan: StoredPlan): string {
  const body = { name: plan.name, baseVersion: plan.baseVersion, actions: plan.actions.map(normalizeAction) };
  return JSON.stringify({ schemaVersion: PLAN_SCHEMA_VERSION, plan: body, digest: mockDigest(plan) }, null, 2) + "\n";
}

class FieldError extends Error {}

type Obj = Record<string, unknown>;

function object(value: unknown, path: string, fields: readonly string[]): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new FieldError(`${path}: expected an object`);
  const extra = Object.keys(value).find((k) => !fields.includes(k));
  if (extra !== undefined) throw new FieldError(`${path}: unknown field \`${extra}\``);
  return value as Obj;
}

const at = (path: string, key: string) => (path === "." ? key : `${path}.${key}`);

function str(o: Obj, path: string, key: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (v === undefined) throw new FieldError(`${path}: missing field \`${key}\``);
  if (typeof v !== "string" || v === "") throw new FieldError(`${at(path, key)}: expected a non-empty string`);
  return v;
}

function whole(o: Obj, path: string, key: string, optional = false): number | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (v === undefined) throw new FieldError(`${path}: missing field \`${key}\``);
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new FieldError(`${at(path, key)}: expected a whole number`);
  return v;
}

function strings(o: Obj, path: string, key: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) throw new FieldError(`${at(path, key)}: expected a list of strings`);
  return v as string[];
}

function oneOf<T extends string>(o: Obj, path: string, key: string, values: readonly T[]): T {
  const v = str(o, path, key) as string;
  if (!(values as readonly string[]).includes(v)) throw new FieldError(`${at(path, key)}: expected one of ${values.join(", ")}`);
  return v as T;
}

function readTenant(value: unknown, path: string): Tenant {
  const o = object(value, path, ["id", "displayName", "tier", "sizeUnits", "residency", "isolation", "pinned", "group"]);
  const r = object(o.residency, at(path, "residency"), ["countries", "geographies", "regions"]);
  const rp = at(path, "residency");
  if (typeof o.pinned !== "boolean") throw new FieldError(`${at(path, "pinned")}: expected true or false`);
  const group = str(o, path, "group", true);
  return {
    id: str(o, path, "id") as string,
    displayName: str(o, path, "displayName") as string,
    tier: oneOf<Tier>(o, path, "tier", ["free", "standard", "premium", "enterprise"]),
    sizeUnits: whole(o, path, "sizeUnits") as number,
    residency: { countries: strings(r, rp, "countries"), geographies: strings(r, rp, "geographies"), regions: strings(r, rp, "regions") },
    isolation: oneOf<Isolation>(o, path, "isolation", ["shared", "dedicated"]),
    pinned: o.pinned,
    ...(group === undefined ? {} : { group }),
  };
}

function readAction(value: unknown, path: string): PlanAction {
  const kind = (value as Obj | null)?.action;
  const fields = (...names: string[]) => object(value, path, ["action", ...names]);
  switch (kind) {
    case "addStamp": {
      const o = fields("stamp", "region", "template", "version", "capacityUnits");
      const capacityUnits = whole(o, path, "capacityUnits", true);
      const [stamp, region, template, version] = ["stamp", "region", "template", "version"].map((k) => str(o, path, k) as string);
      return { action: "addStamp", stamp, region, template, version, ...(capacityUnits === undefined ? {} : { capacityUnits }) };
    }
    case "onboardTenant": {
      const o = fields("tenant", "stamp");
      const stamp = str(o, path, "stamp", true);
      return { action: "onboardTenant", tenant: readTenant(o.tenant, at(path, "tenant")), ...(stamp === undefined ? {} : { stamp }) };
    }
    case "moveTenant": {
      const o = fields("tenant", "to");
      return { action: "moveTenant", tenant: str(o, path, "tenant") as string, to: str(o, path, "to") as string };
    }
    case "drainStamp":
    case "retireStamp":
      return { action: kind, stamp: str(fields("stamp"), path, "stamp") as string };
    case "changeCapacity": {
      const o = fields("stamp", "capacityUnits");
      return { action: "changeCapacity", stamp: str(o, path, "stamp") as string, capacityUnits: whole(o, path, "capacityUnits") as number };
    }
    default:
      throw new FieldError(`${at(path, "action")}: unknown action ${JSON.stringify(kind ?? null)}`);
  }
}

function readPlan(text: string): StoredPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (reason) {
    throw new FieldError(`.: not valid JSON (${reason instanceof Error ? reason.message : String(reason)})`);
  }
  const version = (json as Obj | null)?.schemaVersion;
  if (version === undefined) throw new FieldError("schemaVersion: missing: this is not a Stampfleet plan file");
  if (version !== PLAN_SCHEMA_VERSION) {
    throw new FieldError(`schemaVersion: ${JSON.stringify(version)} is not supported: this Stampfleet reads plan files of version ${PLAN_SCHEMA_VERSION}`);
  }
  const file = object(json, ".", ["schemaVersion", "plan", "digest"]);
  const digest = str(file, ".", "digest") as string;
  const p = object(file.plan, "plan", ["name", "baseVersion", "actions"]);
  if (typeof p.baseVersion !== "number" || !Number.isInteger(p.baseVersion)) throw new FieldError("plan.baseVersion: expected a whole number");
  if (!Array.isArray(p.actions)) throw new FieldError("plan.actions: expected a list of actions");
  if (typeof p.name !== "string") throw new FieldError("plan.name: expected a string");
  const plan: StoredPlan = {
    name: p.name,
    baseVersion: p.baseVersion,
    actions: p.actions.map((a, i) => readAction(a, `plan.actions[${i}]`)),
  };
  const problem = planProblem(plan);
  if (problem) throw new FieldError(problem);
  if (digest !== mockDigest(plan)) {
    throw new FieldError(
      "digest: does not match the plan: the file was changed after it was exported (export it again from the plan's owner)",
    );
  }
  return plan;
}

/** Reads a plan file strictly; the error names the file, the field and the reason. */
export function readPlanFile(file: string, text: string): StoredPlan {
  try {
    return readPlan(text);
  } catch (reason) {
    if (reason instanceof FieldError) throw new BackendError("invalid_input", `${file}: ${reason.message}`);
    throw reason;
  }
}
