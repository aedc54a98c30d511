// The fleet overview as an operator uses it, on the demo fleet (?mock=demo).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  DEMO,
  assertDistBuilt,
  launchBrowser,
  openPage,
  startServer,
  waitForCount,
} from "./support/harness.mjs";

const STAMP_ROW = '[data-testid="stamp-row"]';
const TENANT_ROW = '[data-testid="tenant-row"]';
const fmt = (n) => new Intl.NumberFormat("en-US").format(n);

describe("fleet overview (demo fleet)", () => {
  let server;
  let browser;

  before(async () => {
    assertDistBuilt();
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function demo() {
    const session = await openPage(browser, server.origin, "/?mock=demo");
    await waitForCount(session.page, STAMP_ROW, DEMO.stamps.length);
    await waitForCount(session.page, TENANT_ROW, DEMO.tenants.length);
    return session;
  }

  async function done(session) {
    assert.deepEqual(session.errors, [], "console errors or CSP violations");
    assert.deepEqual(session.external, [], "requests left 127.0.0.1");
    await session.context.close();
  }

  async function tenantIds(page) {
    return page.locator(TENANT_ROW).evaluateAll((rows) => rows.map((r) => r.dataset.tenantId));
  }

  test("header shows the catalogue path and fleet totals", async () => {
    const session = await demo();
    const { page } = session;
    const { usedUnits, totalUnits } = DEMO.totals;
    const text = async (id) => (await page.getByTestId(id).innerText()).trim();
    assert.match(await page.locator("header h1").innerText(), /Stampfleet/);
    assert.ok((await text("catalogue-path")).length > 0, "catalogue path shown");
    assert.equal(await text("total-stamps"), String(DEMO.stamps.length));
    assert.equal(await text("total-tenants"), String(DEMO.tenants.length));
    assert.equal(await text("total-units"), `${fmt(usedUnits)} / ${fmt(totalUnits)}`);
    assert.equal(await text("total-utilization"), `${Math.round((usedUnits / totalUnits) * 100)}%`);
    await done(session);
  });

  test('searching "contoso" shows exactly the contoso tenants', async () => {
    const session = await demo();
    const { page } = session;
    const expected = DEMO.tenants
      .filter((t) => /contoso/i.test(`${t.tenant.id} ${t.tenant.displayName}`))
      .map((t) => t.tenant.id);
    assert.equal(expected.length, 2);
    await page.getByLabel("Search tenants").fill("CONTOSO");
    await waitForCount(page, TENANT_ROW, 2);
    assert.deepEqual((await tenantIds(page)).sort(), expected.sort());
    await page.getByText(`2 of ${DEMO.tenants.length} tenants`).waitFor();
    await page.getByTestId("tenant-search").fill("");
    await waitForCount(page, TENANT_ROW, DEMO.tenants.length);
    await done(session);
  });

  test("search matches residency, tier and stamp too", async () => {
    const session = await demo();
    const { page } = session;
    const onTyo = DEMO.tenants.filter((t) => t.stamp === "tyo-01").length;
    await page.getByTestId("tenant-search").fill("tyo-01");
    await waitForCount(page, TENANT_ROW, onTyo);
    const enterprise = DEMO.tenants.filter((t) => t.tenant.tier === "enterprise").length;
    await page.getByTestId("tenant-search").fill("Enterprise");
    await waitForCount(page, TENANT_ROW, enterprise);
    await done(session);
  });

  test("clicking stamp syd-01 lists only its tenants; clicking again clears", async () => {
    const session = await demo();
    const { page } = session;
    const expected = DEMO.tenants.filter((t) => t.stamp === "syd-01").map((t) => t.tenant.id);
    assert.ok(expected.length > 0 && expected.length < DEMO.tenants.length);
    const row = page.locator(`${STAMP_ROW}[data-stamp-id="syd-01"]`);
    await row.click();
    await waitForCount(page, TENANT_ROW, expected.length);
    assert.deepEqual((await tenantIds(page)).sort(), [...expected].sort());
    assert.equal(await row.getAttribute("aria-selected"), "true");
    const stamps = await page.getByTestId("tenant-stamp").allInnerTexts();
    assert.ok(stamps.every((s) => s.trim() === "syd-01"), `stamp cells: ${stamps}`);
    await page.getByText(`${expected.length} of ${DEMO.tenants.length} tenants`).waitFor();
    await row.click();
    await waitForCount(page, TENANT_ROW, DEMO.tenants.length);
    await done(session);
  });

  test("clicking a region filters the stamps; again or 'All regions' clears", async () => {
    const session = await demo();
    const { page } = session;
    const region = "aws-us-east-1";
    const expected = DEMO.stamps.filter((s) => s.stamp.region === region).map((s) => s.stamp.id);
    const card = page.locator(`[data-testid="region-card"][data-region-id="${region}"]`);
    await card.click();
    await waitForCount(page, STAMP_ROW, expected.length);
    const shown = await page.locator(STAMP_ROW).evaluateAll((rows) => rows.map((r) => r.dataset.stampId));
    assert.deepEqual(shown.sort(), [...expected].sort());
    assert.equal(await card.getAttribute("aria-pressed"), "true");
    await card.click();
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    await card.click();
    await waitForCount(page, STAMP_ROW, expected.length);
    await page.getByTestId("all-regions").click();
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    await done(session);
  });

  test("keyboard: Tab reaches the stamp rows; Enter and Space select", async () => {
    const session = await demo();
    const { page } = session;
    const first = DEMO.stamps[0].stamp.id;
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(
        (id) => document.activeElement?.getAttribute("data-stamp-id") === id,
        first,
      );
    }
    assert.ok(reached, `Tab never reached stamp row ${first}`);
    await page.keyboard.press("Enter");
    await waitForCount(page, TENANT_ROW, DEMO.tenants.filter((t) => t.stamp === first).length);

    const region = DEMO.regions[0].region.id;
    await page.locator(`[data-testid="region-card"][data-region-id="${region}"]`).focus();
    await page.keyboard.press(" ");
    await waitForCount(page, STAMP_ROW, DEMO.stamps.filter((s) => s.stamp.region === region).length);
    await done(session);
  });

  test("syd-01 utilization meter reads 88% and is red", async () => {
    const session = await demo();
    const { page } = session;
    const syd = DEMO.stamps.find((s) => s.stamp.id === "syd-01");
    const pct = Math.round((syd.capacity.usedUnits / syd.capacity.totalUnits) * 100);
    assert.equal(pct, 88);
    const meter = page.locator(`${STAMP_ROW}[data-stamp-id="syd-01"] [role="meter"]`);
    assert.equal(await meter.getAttribute("aria-valuenow"), "88");
    assert.equal(await meter.getAttribute("aria-valuemin"), "0");
    assert.equal(await meter.getAttribute("aria-valuemax"), "100");
    assert.match(await meter.innerText(), /88% · 350\/400 units/);

    // Bar colours: green below 70 %, amber 70–85 %, red above 85 %.
    const colours = await page.evaluate(() => {
      const probe = (v) => {
        const el = document.createElement("i");
        el.style.color = `var(${v})`;
        document.body.append(el);
        const c = getComputedStyle(el).color;
        el.remove();
        return c;
      };
      const fill = (id) =>
        getComputedStyle(
          document.querySelector(`[data-stamp-id="${id}"] [role="meter"] .track > *`),
        ).backgroundColor;
      return { hot: probe("--hot"), ok: probe("--ok"), syd: fill("syd-01"), weu: fill("weu-01") };
    });
    assert.equal(colours.syd, colours.hot);
    assert.equal(colours.weu, colours.ok);
    await done(session);
  });

  test("stamp table shows template@version, outdated badge and status text", async () => {
    const session = await demo();
    const { page } = session;
    for (const view of DEMO.stamps) {
      const row = page.locator(`${STAMP_ROW}[data-stamp-id="${view.stamp.id}"]`);
      const text = await row.innerText();
      assert.ok(text.includes(`${view.stamp.template}@${view.stamp.templateVersion}`), text);
      assert.equal(/outdated/.test(text), view.templateOutdated, `${view.stamp.id}: ${text}`);
      assert.match(text.toLowerCase(), new RegExp(view.stamp.status));
    }
    await done(session);
  });
});
