// What the bulk-onboarding dialog shows of an import report, in words.
import type { ImportPlanRow, NewStampNeed, Outcome, TenantImportReport } from "../generated/bindings";

/** Plan rows shown in the table; the rest are counted. */
export const SHOWN_PLAN_ROWS = 200;

/** The biggest file the dialog reads (the backend's limit). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** One outcome in a few words: "weu-02", "already on fra-01", … */
export function outcomeWords(outcome: Outcome): string {
  switch (outcome.kind) {
    case "place":
      return `onto ${outcome.stamp}`;
    case "stay":
      return `already on ${outcome.stamp}`;
    case "newStamp":
      return `needs a new ${outcome.template}@${outcome.version} stamp in ${outcome.region}`;
    case "refuse":
      return `refused: ${outcome.reason}`;
  }
}

/** "standard@1.4.0 × 2 in azure-westeurope for 14 tenants (1,200 units)". */
export function needWords(need: NewStampNeed): string {
  const tenants = need.tenants === 1 ? "1 tenant" : `${need.tenants} tenants`;
  return `${need.template}@${need.version} × ${need.stamps} in ${need.region} for ${tenants} (${need.units} units)`;
}

/** An error message as a title (the "N problem(s) …:" line, if any) and one item a line. */
export function errorLines(message: string): { title: string | null; items: string[] } {
  const lines = message.split("\n").filter((l) => l.trim() !== "");
  if (lines.length > 1 && lines[0].endsWith(":")) return { title: lines[0], items: lines.slice(1) };
  return { title: null, items: lines };
}

/** Where the placed tenants go: per stamp, how many and how many units, most first. */
export function perStamp(plan: ImportPlanRow[]): { stamp: string; tenants: number; units: number }[] {
  const byStamp = new Map<string, { stamp: string; tenants: number; units: number }>();
  for (const row of plan) {
    if (row.outcome.kind !== "place") continue;
    const entry = byStamp.get(row.outcome.stamp) ?? { stamp: row.outcome.stamp, tenants: 0, units: 0 };
    entry.tenants += 1;
    entry.units += row.sizeUnits;
    byStamp.set(entry.stamp, entry);
  }
  return [...byStamp.values()].sort((a, b) => b.tenants - a.tenants || a.stamp.localeCompare(b.stamp));
}

/** The counts of a dry run, in the order the dialog shows them. */
export function summaryCounts(report: TenantImportReport): { key: string; label: string; n: number }[] {
  return [
    { key: "place", label: "to place", n: report.toPlace },
    { key: "stay", label: "already onboarded", n: report.alreadyOnboarded },
    { key: "newStamp", label: "need a new stamp", n: report.needNewStamp },
    { key: "refuse", label: "refused", n: report.refused },
  ];
}
