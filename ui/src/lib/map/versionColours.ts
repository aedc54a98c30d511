// Colouring the map by template version: each "template version" running in the fleet
// gets a colour (newest first per template, from a fixed palette that reads on light
// and dark maps); a region or cluster whose stamps run different versions is "mixed".
import type { StampView } from "../../generated/bindings";

const PALETTE = ["#2f7ed8", "#2e9e6b", "#d98a1a", "#8e5bd0", "#cf4f7a", "#1aa3b0", "#8a9a2a", "#a0623a"];

/** The fill of a group whose stamps run more than one version. */
export const MIXED = "#9aa0aa";

export interface VersionSwatch {
  /** "standard 1.5.0" */
  label: string;
  colour: string;
  stamps: number;
}

export interface VersionColours {
  swatches: VersionSwatch[];
  /** Stamp id -> its version's colour. */
  byStamp: Record<string, string>;
}

export function versionKey(view: StampView): string {
  return `${view.stamp.template} ${view.stamp.templateVersion}`;
}

function newerFirst(a: string, b: string): number {
  const [ta, va] = a.split(" ");
  const [tb, vb] = b.split(" ");
  if (ta !== tb) return ta < tb ? -1 : 1;
  const pa = va.split(".").map(Number);
  const pb = vb.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}

/** A colour per version running in `stamps` (retired stamps left out). */
export function versionColours(stamps: readonly StampView[]): VersionColours {
  const counts = new Map<string, number>();
  for (const view of stamps) {
    if (view.stamp.status === "retired") continue;
    const key = versionKey(view);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const keys = [...counts.keys()].sort(newerFirst);
  const colourOf = new Map(keys.map((k, i) => [k, PALETTE[i % PALETTE.length]]));
  const byStamp: Record<string, string> = {};
  for (const view of stamps) {
    const colour = colourOf.get(versionKey(view));
    if (colour) byStamp[view.stamp.id] = colour;
  }
  return {
    swatches: keys.map((label) => ({ label, colour: colourOf.get(label) ?? MIXED, stamps: counts.get(label) ?? 0 })),
    byStamp,
  };
}

/** One colour for a group of stamps: theirs when they share one, else MIXED; null when none is coloured. */
export function groupColour(stampIds: readonly string[], byStamp: Readonly<Record<string, string>>): string | null {
  let colour: string | null = null;
  for (const id of stampIds) {
    const c = byStamp[id];
    if (c === undefined) continue;
    if (colour === null) colour = c;
    else if (colour !== c) return MIXED;
  }
  return colour;
}
