import type {
  StampHealth,
  StampId,
  StampStatus,
  StampTemplate,
  StampView,
} from "../generated/bindings";
import { loadLevel, percent } from "./format";
import { problemLabel } from "./healthProblems";

export type Severity = "hot" | "warn" | "info";

/** One thing an operator should look at. */
export type Finding = { severity: Severity; stamp: StampId | null; text: string };

const SEVERITY_ORDER: Record<Severity, number> = { hot: 0, warn: 1, info: 2 };

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(".").map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function latestVersions(templates: StampTemplate[]): Map<string, string> {
  const latest = new Map<string, string>();
  for (const t of templates) {
    const seen = latest.get(t.name);
    if (seen === undefined || compareVersions(t.version, seen) > 0) latest.set(t.name, t.version);
  }
  return latest;
}

/** What the findings are computed from: the (filtered) stamps and fleet facts. */
export type FindingsInput = {
  stamps: StampView[];
  templates: StampTemplate[];
  health: Record<string, StampHealth>;
  unplacedTenants: number;
};

/**
 * Stamps that are unhealthy, running hot, outdated, draining or failed;
 * unplaced tenants. Most severe first.
 */
export function findings({ stamps, templates, health, unplacedTenants }: FindingsInput): Finding[] {
  const out: Finding[] = [];
  const latest = latestVersions(templates);
  for (const view of stamps) {
    const { stamp } = view;
    if (stamp.status === "retired") continue;
    const check = health[stamp.id];
    const why = problemLabel(check);
    if (check?.state === "unreachable") {
      out.push({ severity: "hot", stamp: stamp.id, text: why ? `unreachable: ${why}` : "unreachable" });
    }
    if (check?.state === "unknown" && why) {
      out.push({ severity: "hot", stamp: stamp.id, text: `not checked: ${why}` });
    }
    if (check?.state === "degraded") out.push({ severity: "warn", stamp: stamp.id, text: "degraded" });
    const level = loadLevel(view.capacity);
    if (level !== "ok") {
      out.push({ severity: level, stamp: stamp.id, text: `at ${percent(view.capacity)}% of capacity` });
    }
    if (stamp.status === "failed") out.push({ severity: "hot", stamp: stamp.id, text: "failed" });
    if (stamp.status === "draining") {
      const n = view.tenantCount;
      out.push({ severity: "info", stamp: stamp.id, text: `placements stopped, ${n} ${n === 1 ? "tenant" : "tenants"} left` });
    }
    if (view.templateOutdated) {
      const newest = latest.get(stamp.template);
      const to = newest ? `; ${newest} available` : "";
      out.push({
        severity: "info",
        stamp: stamp.id,
        text: `on ${stamp.template}@${stamp.templateVersion}${to}`,
      });
    }
  }
  const unplaced = unplacedTenants;
  if (unplaced > 0) {
    out.push({ severity: "warn", stamp: null, text: `${unplaced} ${unplaced === 1 ? "tenant is" : "tenants are"} not placed on a stamp` });
  }
  return out.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

export const STATUS_ORDER: StampStatus[] = [
  "active",
  "draining",
  "provisioning",
  "planned",
  "failed",
  "retired",
];

export function statusCounts(stamps: StampView[]): [StampStatus, number][] {
  const counts = new Map<StampStatus, number>();
  for (const s of stamps) counts.set(s.stamp.status, (counts.get(s.stamp.status) ?? 0) + 1);
  return STATUS_ORDER.filter((s) => counts.has(s)).map((s) => [s, counts.get(s) ?? 0]);
}
