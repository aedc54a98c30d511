import { describe, expect, it } from "vitest";
import type { FleetOverview, HealthState, TenantView } from "../../generated/bindings";
import demoOverview from "../../generated/demo-overview.json";
import demoTenants from "../../generated/demo-tenants.json";
import { BackendError } from "./backend";
import { parseTenantFile } from "./mockTenantFile";
import { applyImport, planImport, readTenantFile } from "./mockTenantImport";

const allHealthy = (): HealthState => "healthy";
const fleet = () => structuredClone(demoOverview as FleetOverview);
const people = () => structuredClone(demoTenants as TenantView[]);
const regions = fleet().regions.map((r) => r.region);

const HEADER = "id,name,tier,size,countries,geographies,regions,isolation,preferred";
const GOOD_CSV = [
  HEADER,
  "alpha,Alpha GmbH,premium,20,DE,,,,",
  'beta,"Beta, Inc.",,10,NL;DE,,,shared,azure-westeurope',
  "",
  "gamma,Gamma,free,5,,,,,",
  "polar,Polar Research,,5,AQ,,,,",
].join("\r\n");

function rejection(run: () => unknown): BackendError {
  try {
    run();
  } catch (reason) {
    expect(reason).toBeInstanceOf(BackendError);
    return reason as BackendError;
  }
  throw new Error("expected a rejection");
}

describe("mock tenant file (a stand-in for the Rust reader)", () => {
  it("reads a good CSV: defaults, quoted fields, lists, blank lines keep line numbers", () => {
    const parsed = parseTenantFile("t.csv", GOOD_CSV, regions);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map((r) => r.line)).toEqual([2, 3, 5, 6]);
    const [alpha, beta] = parsed.rows;
    expect(alpha.tenant).toMatchObject({ id: "alpha", tier: "premium", sizeUnits: 20, isolation: "shared" });
    expect(alpha.tenant.residency.countries).toEqual(["DE"]);
    expect(beta.tenant).toMatchObject({ displayName: "Beta, Inc.", tier: "standard" });
    expect(beta.tenant.residency.countries).toEqual(["NL", "DE"]);
    expect(beta.preferredRegions).toEqual(["azure-westeurope"]);
  });

  it("reports every bad row by line and field, as NAME: line N: FIELD: message", () => {
    const csv = [
      HEADER,
      "ok-one,Fine,,10,,,,,",
      "9bad,,gold,0,de,,mars-1,solo,nowhere",
      'short,"Short",,5',
      "big,Big,,lots,,,,,",
    ].join("\n");
    const error = rejection(() => readTenantFile("tenants.csv", csv, fleet()));
    expect(error.code).toBe("invalid_input");
    const lines = error.message.split("\n");
    expect(lines[0]).toBe("10 problem(s), nothing was written:");
    expect(lines).toContain('tenants.csv: line 3: id: tenant id "9bad" is invalid: must start with a lowercase letter');
    expect(lines).toContain("tenants.csv: line 3: name: must not be empty");
    expect(lines).toContain('tenants.csv: line 3: tier: unknown tier "gold" (free, standard, premium, enterprise)');
    expect(lines).toContain("tenants.csv: line 3: size: must be greater than 0");
    expect(lines.some((l) => l.startsWith('tenants.csv: line 3: countries: country "de" is invalid'))).toBe(true);
    expect(lines).toContain("tenants.csv: line 3: regions: unknown region mars-1");
    expect(lines).toContain('tenants.csv: line 3: isolation: unknown isolation "solo" (shared, dedicated)');
    expect(lines).toContain("tenants.csv: line 3: preferred: unknown region nowhere");
    expect(lines).toContain("tenants.csv: line 4: row: 4 fields, the header has 9");
    expect(lines).toContain('tenants.csv: line 5: size: "lots" is not a whole number');
  });

  it("names a missing required column and an unknown one on the header line", () => {
    const error = rejection(() => readTenantFile("t.csv", "id,name,colour\nx,X,red", fleet()));
    expect(error.message).toContain("t.csv: line 1: colour: unknown column");
    expect(error.message).toContain("t.csv: line 1: size: required column is missing");
  });

  it("reports a duplicate id with the line it first appeared on", () => {
    const csv = [HEADER, "acme,Acme,,1,,,,,", "other,Other,,1,,,,,", "acme,Acme again,,2,,,,,"].join("\n");
    const error = rejection(() => readTenantFile("dup.csv", csv, fleet()));
    expect(error.message).toContain("dup.csv: line 4: id: acme appears again (first on line 2)");
  });

  it("lists the first 20 problems, then how many more", () => {
    const rows = Array.from({ length: 25 }, (_, i) => `t${i},,,1,,,,,`);
    const error = rejection(() => readTenantFile("many.csv", [HEADER, ...rows].join("\n"), fleet()));
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(22);
    expect(lines[21]).toBe("... and 5 more");
  });

  it("reads JSON, with each object's line in messages", () => {
    const json = `[
  {"id": "json-one", "displayName": "JSON One", "sizeUnits": 12, "residency": {"countries": ["NL"]}},
  {
    "id": "json-two", "displayName": "", "sizeUnits": 3, "tier": "gold"
  }
]`;
    const error = rejection(() => readTenantFile("t.json", json, fleet()));
    expect(error.message).toContain("t.json: line 3: name: must not be empty");
    expect(error.message).toContain('t.json: line 3: tier: unknown tier "gold"');
    const good = parseTenantFile("t.json", json.replace('"displayName": ""', '"displayName": "Two"').replace("gold", "free"), regions);
    expect(good.ok && good.rows.map((r) => [r.line, r.tenant.id, r.tenant.tier])).toEqual([
      [2, "json-one", "standard"],
      [3, "json-two", "free"],
    ]);
    expect(rejection(() => readTenantFile("bad.json", "[{", fleet())).message).toMatch(/bad\.json: line 1: \.: /);
    expect(rejection(() => readTenantFile("t.txt", "", fleet())).message).toContain("t.txt: use a .csv or .json file");
  });
});

describe("mock tenant import (a stand-in for the Rust importer)", () => {
  it("plans each row, adding load as rows are placed, and counts outcomes", () => {
    const overview = fleet();
    const rows = readTenantFile("t.csv", GOOD_CSV, overview);
    const report = planImport(overview, people(), rows, allHealthy);
    expect(report).toMatchObject({ rows: 4, toPlace: 3, alreadyOnboarded: 0, needNewStamp: 0, refused: 1, onboarded: 0 });
    expect(report.plan[0]).toMatchObject({ line: 2, tenant: "alpha", sizeUnits: 20, outcome: { kind: "place", stamp: "fra-01" } });
    expect(report.plan[3].outcome).toMatchObject({ kind: "refuse" });
    expect(overview).toEqual(fleet()); // a dry run writes nothing
  });

  it("fills a stamp row by row, then asks for new stamps", () => {
    // syd-01 is the only AU stamp: 350 of 320 usable units are already used.
    const csv = [HEADER, ...Array.from({ length: 4 }, (_, i) => `au-${i},AU ${i},,300,AU,,,,`)].join("\n");
    const overview = fleet();
    const report = planImport(overview, people(), readTenantFile("au.csv", csv, overview), allHealthy);
    expect(report.needNewStamp).toBe(4);
    expect(report.newStamps).toEqual([
      { template: "standard", version: "1.4.0", region: "azure-australiaeast", tenants: 4, units: 1200, stamps: 2 },
    ]);
  });

  it("applies in file order, skips onboarded tenants on a rerun, and stops at the first failure", async () => {
    const overview = fleet();
    const tenants = people();
    const progress: number[] = [];
    let fail = "gamma";
    const bind = (view: TenantView) => {
      if (view.tenant.id === fail) throw new BackendError("internal", "agent unreachable");
      tenants.push(view);
    };
    const first = await applyImport(overview, tenants, "t.csv", GOOD_CSV, allHealthy, (p) => progress.push(p.done), { bind });
    expect(first.onboarded).toBe(2);
    expect(first.stopped).toBe("line 5: gamma: agent unreachable");
    expect(progress).toEqual([1, 2]);
    fail = "";
    const rerun = await applyImport(overview, tenants, "t.csv", GOOD_CSV, allHealthy, () => {}, { bind });
    expect(rerun).toMatchObject({ alreadyOnboarded: 2, toPlace: 1, onboarded: 1, stopped: null });
  });

  it("binds with the mock's bookkeeping by default", async () => {
    const overview = fleet();
    const tenants = people();
    const report = await applyImport(overview, tenants, "t.csv", GOOD_CSV, allHealthy, () => {});
    expect(report.onboarded).toBe(3);
    expect(overview.tenantCount).toBe(fleet().tenantCount + 3);
    expect(tenants.find((t) => t.tenant.id === "beta")?.stamp).toBe(report.plan[1].outcome.kind === "place" ? report.plan[1].outcome.stamp : "");
  });
});
