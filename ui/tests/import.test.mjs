// Bulk onboarding from a tenant file on the demo fleet (real local agents, fresh per test): the dry-run
// report, the apply with progress, the result, and the fleet updated in place; a bad
// file lists its problems by line and field and changes nothing. Screenshots go to
// ui/test-results/.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEMO, done, openDemoDialog, shot, useBackend, waitForCount } from "./support/harness.mjs";

const DIALOG = '[data-testid="import-dialog"]';
const WINDOW = { width: 1600, height: 1000 };
const HEADER = "id,name,tier,size,countries,geographies,regions,isolation,preferred";
const GOOD = [
  HEADER,
  "imp-berlin,Berlin Bakery,standard,10,DE,,,,",
  'imp-munich,"Munich Motors, AG",premium,20,DE,,,,',
  "imp-amsterdam,Amsterdam Arts,,15,NL,,,,azure-westeurope",
  "imp-rotterdam,Rotterdam Rail,free,5,NL;DE,,,shared,",
  "imp-utrecht,Utrecht Uni,enterprise,30,NL,,,,",
  "imp-polar,Polar Research,,5,AQ,,,,",
].join("\n");
const BAD = [HEADER, "imp-ok,Fine,,10,DE,,,,", "9lives,Cat Co,gold,10,DE,,,,", "imp-zero,Zero,,0,DE,,,,"].join("\n");
// One of each kind: a format error, an unknown region, a tenant no stamp can take, and
// an existing tenant (contoso-prod) with other data.
const MIXED = [
  HEADER,
  "imp-ok,Fine,,10,DE,,,,",
  "imp-zero,Zero,,0,DE,,,,",
  "imp-mars,Mars Mining,,10,,,mars-north-1,,",
  "imp-polar,Polar Research,,5,AQ,,,,",
  "contoso-prod,Contoso,,999,,,,,",
].join("\n");

describe("bulk onboarding from a file", () => {
  const env = useBackend("demo", { fresh: true });

  const openDialog = () => openDemoDialog(env, "import-button", "import-dialog", { viewport: WINDOW });

  async function upload(page, name, text) {
    await page.getByTestId("import-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(text) });
    await page.getByTestId("import-check").click();
  }

  const count = (page, kind) => page.locator(`[data-testid="import-summary"] [data-kind="${kind}"]`).getAttribute("data-count");

  test("5 EU tenants placed, 1 refused: report, apply with progress, result, fleet updated", async () => {
    const session = await openDialog();
    const { page } = session;
    const totalBefore = await page.getByTestId("total-tenants").innerText();
    assert.equal(totalBefore, String(DEMO.tenantCount));
    await upload(page, "eu-tenants.csv", GOOD);
    const summary = page.getByTestId("import-summary");
    await summary.waitFor();
    assert.equal(await count(page, "place"), "5");
    assert.equal(await count(page, "refuse"), "1");
    assert.equal(await count(page, "stay"), "0");
    assert.match(await summary.innerText(), /5\s+to place/);
    assert.match(await summary.innerText(), /1\s+refused/);
    await waitForCount(page, '[data-testid="import-plan-row"]', 6);
    const polar = page.locator('[data-testid="import-plan-row"][data-kind="refuse"]');
    assert.match(await polar.innerText(), /7\s+imp-polar\s+5\s+refused: no known region satisfies the residency \(countries AQ\)/);
    assert.equal(await page.getByTestId("import-apply").innerText(), "Onboard 5 tenants");
    await shot(page, "import-1-report.png");

    await page.getByTestId("import-apply").click();
    await page.getByTestId("import-progress").waitFor();
    const result = page.getByTestId("import-result");
    await result.waitFor();
    assert.match(await result.innerText(), /5 tenants onboarded/);
    assert.match(await result.innerText(), /1 refused/);
    await shot(page, "import-2-result.png");

    await page.getByTestId("import-close").click();
    await page.locator(DIALOG).waitFor({ state: "detached" });
    await page.waitForFunction((n) => document.querySelector('[data-testid="total-tenants"]')?.textContent === String(n), DEMO.tenantCount + 5);
    await page.getByTestId("tenant-search").fill("imp-");
    await waitForCount(page, '[data-testid="tenant-row"]', 5);
    const listed = await page.locator('[data-testid="tenant-row"]').allInnerTexts();
    assert.ok(listed.some((t) => t.includes("imp-berlin")));
    assert.ok(!listed.some((t) => t.includes("imp-polar")));
    await done(session);
  });

  test("a rerun of the same file onboards nothing new", async () => {
    const session = await openDialog();
    const { page } = session;
    await upload(page, "eu-tenants.csv", GOOD);
    await page.getByTestId("import-apply").click();
    await page.getByTestId("import-result").waitFor();
    await page.getByTestId("import-check").click();
    await page.getByTestId("import-summary").waitFor();
    assert.equal(await count(page, "stay"), "5");
    assert.equal(await count(page, "place"), "0");
    assert.equal(await page.getByTestId("import-apply").isDisabled(), true);
    await done(session);
  });

  test("a bad file lists its problems by line and field and changes nothing", async () => {
    const session = await openDialog();
    const { page } = session;
    await upload(page, "bad.csv", BAD);
    await page.getByTestId("import-problems").waitFor();
    const items = (await page.getByTestId("import-problem").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.ok(items.includes('format line 3 · id: tenant id "9lives" is invalid: must start with a lowercase letter'), items.join("\n"));
    assert.ok(items.some((l) => l.startsWith("format line 3 · tier: unknown tier")));
    assert.ok(items.includes("format line 4 · size: must be greater than 0"));
    assert.equal(items.length, 3);
    assert.equal(await page.getByTestId("import-apply").isDisabled(), true);
    await shot(page, "import-3-errors.png");
    await page.keyboard.press("Escape");
    await page.locator(DIALOG).waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("total-tenants").innerText(), String(DEMO.tenantCount));
    await page.getByTestId("tenant-search").fill("imp-");
    await page.getByText("No tenants match").waitFor();
    assert.equal(await page.locator('[data-testid="tenant-row"]').count(), 0);
    await done(session);
  });

  test("one check reports every kind of problem at once, each by its line; Onboard waits until they are fixed", async () => {
    const session = await openDialog();
    const { page } = session;
    await upload(page, "mixed.csv", MIXED);
    const list = page.getByTestId("import-problems");
    await list.waitFor();
    const problems = await page
      .getByTestId("import-problem")
      .evaluateAll((els) => els.map((e) => [e.dataset.line, e.dataset.kind, e.dataset.field]));
    assert.deepEqual(problems, [
      ["3", "format", "size"],
      ["4", "reference", "regions"],
      ["5", "placement", "placement"],
      ["6", "conflict", "id"],
    ]);
    assert.equal(await list.getAttribute("data-blocking"), "3");
    assert.match(await page.locator('[data-testid="import-problem"][data-kind="conflict"]').innerText(), /contoso-prod already exists with other data: .*size 999 here/);
    assert.match(await page.locator('[data-testid="import-problem"][data-kind="placement"]').innerText(), /next:/);
    assert.equal(await count(page, "place"), "1", "the good row is still planned");
    assert.equal(await page.getByTestId("import-apply").isDisabled(), true);
    await shot(page, "import-4-every-problem.png");
    await page.keyboard.press("Escape");
    await page.locator(DIALOG).waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("total-tenants").innerText(), String(DEMO.tenantCount));
    await done(session);
  });

  test("Provision these: the dedicated stamps a file needs are provisioned, then every row places", async () => {
    const session = await openDialog();
    const { page } = session;
    const file = [HEADER, "imp-kyoto,Kyoto Bank,enterprise,5,JP,,,dedicated,", "imp-osaka,Osaka Bank,enterprise,5,JP,,,dedicated,"].join("\n");
    await upload(page, "jp.csv", file);
    await page.getByTestId("import-new-stamps").waitFor();
    assert.equal(await count(page, "newStamp"), "2");
    const provision = page.getByTestId("import-provision-stamps");
    assert.equal((await provision.innerText()).trim(), "Provision these 2 stamp(s)");
    await provision.click();
    await page.locator('[data-testid="import-summary"] [data-kind="place"][data-count="2"]').waitFor({ timeout: 60_000 });
    assert.equal(await count(page, "newStamp"), "0");
    assert.equal(await page.getByTestId("import-new-stamps").count(), 0);
    await page.getByTestId("import-apply").click();
    await page.getByTestId("import-result").waitFor();
    assert.match(await page.getByTestId("import-result").innerText(), /2/);
    await page.getByTestId("import-close").click();
    await waitForCount(page, '[data-testid="stamp-row"]', DEMO.stamps.length + 2);
    await done(session);
  });
});
