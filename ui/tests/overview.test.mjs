// The fleet overview as an operator uses it, on the demo fleet (real local agents):
// header totals, the capacity charts, the stamp table and the tenant panel.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEMO, DEMO_TENANTS, STAMP_ROW, TENANT_ROW, done, openDemo, useBackend, waitForCount,
} from "./support/harness.mjs";

const REGION_BAR = '[data-testid="region-bar"]';
const fmt = (n) => new Intl.NumberFormat("en-US").format(n);
const pct = (c) => Math.round((c.usedUnits / c.totalUnits) * 100);
const util = (c) => c.usedUnits / c.totalUnits;

describe("fleet overview (demo fleet)", () => {
  const env = useBackend();

  const demo = () => openDemo(env, { tenants: true });

  const ids = (page, selector, key) =>
    page.locator(selector).evaluateAll((els, k) => els.map((el) => el.dataset[k]), key);
  const text = async (page, id) => (await page.getByTestId(id).textContent()).replace(/\s+/g, " ").trim();

  test("header shows the catalogue path and fleet totals", async () => {
    const session = await demo();
    const { page } = session;
    const { usedUnits, totalUnits } = DEMO.totals;
    assert.match(await page.locator("header h1").innerText(), /Stampfleet/);
    assert.ok((await text(page, "catalogue-path")).length > 0, "catalogue path shown");
    assert.equal(await text(page, "total-stamps"), String(DEMO.stamps.length));
    assert.equal(await text(page, "total-tenants"), String(DEMO.tenantCount));
    assert.equal(await text(page, "total-units"), `${fmt(usedUnits)} / ${fmt(totalUnits)}`);
    assert.equal(await text(page, "total-utilization"), `${pct(DEMO.totals)}%`);
    await done(session);
  });

  test("Open catalogue: this window's catalogue listed as recent; another opens only in the desktop app", async () => {
    const session = await demo();
    const { page } = session;
    await page.getByTestId("open-catalogue").click();
    const mine = page.locator(`[data-testid="recent-catalogue"][data-location="${env.server.catalogue}"]`);
    await mine.waitFor();
    assert.match(await mine.innerText(), /file · this window/);
    await page.getByTestId("open-location").fill("postgres://ops:s3cret@127.0.0.1:1/fleet");
    await page.getByTestId("open-submit").click();
    // A browser served by stampctl has no windows to open: it says so, and where.
    await page.getByTestId("open-error").filter({ hasText: "a new window of the desktop app" }).waitFor();
    await done(session);
  });

  test("capacity overview: totals, regions hottest first, providers, hottest stamps, histogram", async () => {
    const session = await demo();
    const { page } = session;
    const { usedUnits, totalUnits } = DEMO.totals;
    assert.equal(await text(page, "capacity-utilization"), `${pct(DEMO.totals)}%`);
    assert.equal(await text(page, "capacity-used"), `${fmt(usedUnits)} / ${fmt(totalUnits)}`);
    assert.equal(await text(page, "capacity-headroom"), `${fmt(totalUnits - usedUnits)} units`);
    assert.equal(await text(page, "capacity-regions"), String(DEMO.regions.length));
    assert.equal(await text(page, "capacity-stamps"), String(DEMO.stamps.length));
    assert.equal(await text(page, "capacity-tenants"), String(DEMO.tenantCount));
    assert.equal(await text(page, "capacity-unplaced"), String(DEMO.unplacedTenants));
    // The demo fleet's stamps are real local agents: every one answers its health check.
    const healthy = page.locator('[data-testid="health-count"][data-condition="healthy"]');
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="health-count"][data-condition="healthy"]')?.textContent?.includes(`${n} healthy`),
      DEMO.stamps.length,
    );
    assert.equal((await healthy.textContent()).replace(/\s+/g, " ").trim(), `${DEMO.stamps.length} healthy`);

    const hottestRegions = [...DEMO.regions]
      .sort((a, b) => util(b.capacity) - util(a.capacity))
      .map((r) => r.region.id);
    assert.deepEqual(await ids(page, REGION_BAR, "id"), hottestRegions);
    for (const summary of DEMO.regions) {
      const { capacity, region } = summary;
      const bar = await page.locator(`${REGION_BAR}[data-id="${region.id}"]`).innerText();
      assert.ok(bar.includes(region.displayName), bar);
      assert.ok(bar.includes(`${pct(capacity)}%`), bar);
      assert.ok(bar.includes(`${fmt(capacity.usedUnits)}/${fmt(capacity.totalUnits)}`), bar);
      assert.ok(bar.includes(`${fmt(capacity.totalUnits - capacity.usedUnits)} free`), bar);
    }

    const providers = [...new Set(DEMO.regions.map((r) => r.region.provider))].sort();
    assert.deepEqual(await ids(page, '[data-testid="provider-bar"]', "id"), providers);
    const aws = DEMO.stamps.filter((s) => s.stamp.region.startsWith("aws-"));
    const awsUnits = {
      usedUnits: aws.reduce((n, s) => n + s.capacity.usedUnits, 0),
      totalUnits: aws.reduce((n, s) => n + s.capacity.totalUnits, 0),
    };
    assert.match(
      await page.locator('[data-testid="provider-bar"][data-id="aws"]').innerText(),
      new RegExp(`${pct(awsUnits)}%`),
    );

    const hottest = [...DEMO.stamps]
      .sort((a, b) => util(b.capacity) - util(a.capacity) || a.stamp.id.localeCompare(b.stamp.id))
      .slice(0, 8)
      .map((s) => s.stamp.id);
    assert.deepEqual(await ids(page, '[data-testid="hot-stamp"]', "id"), hottest);
    assert.equal(hottest[0], "syd-01");

    const binned = await page
      .locator('[data-testid="histogram-bin"]')
      .evaluateAll((bins) => bins.map((b) => Number(b.dataset.count)));
    assert.equal(binned.reduce((a, b) => a + b, 0), DEMO.stamps.length, `bins ${binned}`);
    await done(session);
  });

  test("the tenant panel shows the first page of all tenants: 'Showing N of TOTAL'", async () => {
    const session = await demo();
    const { page } = session;
    assert.deepEqual(await ids(page, TENANT_ROW, "tenantId"), DEMO_TENANTS.map((t) => t.tenant.id));
    await page.getByText(`Showing ${DEMO_TENANTS.length} of ${DEMO.tenantCount}`).waitFor();
    assert.equal(await page.getByTestId("tenants-show-more").count(), 0);
    await done(session);
  });

  test('filtering tenants by "CONTOSO" asks the backend and shows exactly the contoso tenants', async () => {
    const session = await demo();
    const { page } = session;
    const expected = DEMO_TENANTS.filter((t) =>
      /contoso/i.test(`${t.tenant.id} ${t.tenant.displayName}`),
    ).map((t) => t.tenant.id);
    assert.equal(expected.length, 2);
    await page.getByTestId("tenant-search").fill("CONTOSO");
    await waitForCount(page, TENANT_ROW, 2);
    assert.deepEqual(await ids(page, TENANT_ROW, "tenantId"), expected.sort());
    await page.getByText(`Showing 2 of 2`).waitFor();
    await page.getByTestId("tenant-search").fill("no-such-tenant");
    await page.getByText("No tenants match “no-such-tenant”.").waitFor();
    await page.getByTestId("tenant-search").fill("");
    await waitForCount(page, TENANT_ROW, DEMO_TENANTS.length);
    await done(session);
  });

  test("clicking stamp syd-01 lists only its tenants; clicking again clears", async () => {
    const session = await demo();
    const { page } = session;
    const expected = DEMO_TENANTS.filter((t) => t.stamp === "syd-01").map((t) => t.tenant.id);
    assert.ok(expected.length > 0 && expected.length < DEMO_TENANTS.length);
    const row = page.locator(`${STAMP_ROW}[data-stamp-id="syd-01"]`);
    await row.click();
    await waitForCount(page, TENANT_ROW, expected.length);
    assert.deepEqual(await ids(page, TENANT_ROW, "tenantId"), expected);
    assert.equal(await row.getAttribute("aria-selected"), "true");
    const stamps = await page.getByTestId("tenant-stamp").allInnerTexts();
    assert.ok(stamps.every((s) => s.trim() === "syd-01"), `stamp cells: ${stamps}`);
    assert.match(await text(page, "tenant-scope"), /Stamp: syd-01/);
    await page.getByText(`Showing ${expected.length} of ${expected.length}`).waitFor();
    await row.click();
    await waitForCount(page, TENANT_ROW, DEMO_TENANTS.length);
    await done(session);
  });

  test("clicking a region bar scopes stamps and tenants to it; again or × clears", async () => {
    const session = await demo();
    const { page } = session;
    const region = "aws-us-east-1";
    const stamps = DEMO.stamps.filter((s) => s.stamp.region === region).map((s) => s.stamp.id);
    const tenants = DEMO_TENANTS.filter((t) => stamps.includes(t.stamp)).map((t) => t.tenant.id);
    const bar = page.locator(`${REGION_BAR}[data-id="${region}"]`);
    await bar.click();
    await waitForCount(page, STAMP_ROW, stamps.length);
    assert.deepEqual(await ids(page, STAMP_ROW, "stampId"), stamps);
    assert.equal(await bar.getAttribute("aria-pressed"), "true");
    await waitForCount(page, TENANT_ROW, tenants.length);
    assert.deepEqual(await ids(page, TENANT_ROW, "tenantId"), tenants);
    assert.match(await text(page, "tenant-scope"), /Region: US East \(N\. Virginia\)/);
    await bar.click();
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    await bar.click();
    await waitForCount(page, STAMP_ROW, stamps.length);
    await page.getByRole("button", { name: "Show stamps in all regions" }).click();
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    assert.equal(await bar.getAttribute("aria-pressed"), "false");
    await done(session);
  });

  test("keyboard: one Tab stop in the stamp table; arrows move, Enter and Space select", async () => {
    const session = await demo();
    const { page } = session;
    const [first, second] = DEMO.stamps.map((s) => s.stamp.id);
    const focusedStamp = () => page.evaluate(() => document.activeElement?.getAttribute("data-stamp-id"));
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = (await focusedStamp()) === first;
    }
    assert.ok(reached, `Tab never reached stamp row ${first}`);
    assert.equal(await page.locator(`${STAMP_ROW}[tabindex="0"]`).count(), 1, "roving tabindex");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedStamp(), second);
    await page.keyboard.press("Enter");
    await waitForCount(page, TENANT_ROW, DEMO_TENANTS.filter((t) => t.stamp === second).length);
    assert.equal(await page.locator(`${STAMP_ROW}[data-stamp-id="${second}"]`).getAttribute("aria-selected"), "true");
    await page.keyboard.press("ArrowUp");
    assert.equal(await focusedStamp(), first);
    await page.keyboard.press(" ");
    await waitForCount(page, TENANT_ROW, DEMO_TENANTS.filter((t) => t.stamp === first).length);
    // Tab leaves the table rather than walking through every row.
    await page.keyboard.press("Tab");
    assert.equal(await focusedStamp(), null);

    // The selected stamp opened in the drawer beside the map; back to the capacity figures.
    assert.equal(await page.getByTestId("side-drawer").getAttribute("data-showing"), "stamp");
    await page.getByTestId("drawer-tab-overview").click();
    // Region bars are buttons: focus one and press Space.
    const region = DEMO.regions[0].region.id;
    await page.locator(`${REGION_BAR}[data-id="${region}"]`).focus();
    await page.keyboard.press(" ");
    await waitForCount(page, STAMP_ROW, DEMO.stamps.filter((s) => s.stamp.region === region).length);
    await done(session);
  });

  test("syd-01 reads 88% in the map's critical colour band; weu-01 is low", async () => {
    const session = await demo();
    const { page } = session;
    const syd = DEMO.stamps.find((s) => s.stamp.id === "syd-01");
    assert.equal(pct(syd.capacity), 88);
    const meter = page.locator(`${STAMP_ROW}[data-stamp-id="syd-01"] [role="meter"]`);
    assert.equal(await meter.getAttribute("aria-valuenow"), "88");
    assert.equal(await meter.getAttribute("aria-valuemin"), "0");
    assert.equal(await meter.getAttribute("aria-valuemax"), "100");
    assert.match(await meter.innerText(), /88% · 350\/400 units/);
    assert.equal(await meter.getAttribute("data-band"), "critical");

    // The bars use the map legend's colours: critical above 85 %, low below 50 %.
    const colours = await page.evaluate(() => {
      const bg = (sel) => getComputedStyle(document.querySelector(sel)).backgroundColor;
      const legend = (band) => bg(`[data-testid="map-legend"] [data-band="${band}"] .swatch`);
      const fill = (id) => bg(`[data-stamp-id="${id}"] [role="meter"] .track > *`);
      return {
        critical: legend("critical"),
        low: legend("low"),
        syd: fill("syd-01"),
        weu: fill("weu-01"),
        region: bg('[data-testid="region-bar"][data-id="azure-australiaeast"] .fill'),
      };
    });
    assert.equal(colours.syd, colours.critical);
    assert.equal(colours.region, colours.critical);
    assert.equal(colours.weu, colours.low);
    await done(session);
  });

  test("stamp table shows template@version, outdated badge, status text and headroom", async () => {
    const session = await demo();
    const { page } = session;
    for (const view of DEMO.stamps) {
      const row = page.locator(`${STAMP_ROW}[data-stamp-id="${view.stamp.id}"]`);
      const rowText = await row.innerText();
      assert.ok(rowText.includes(`${view.stamp.template}@${view.stamp.templateVersion}`), rowText);
      assert.equal(/outdated/.test(rowText), view.templateOutdated, `${view.stamp.id}: ${rowText}`);
      // "draining" with nothing moving off the stamp reads "placements stopped".
      const words = view.stamp.status === "draining" ? "placements stopped" : view.stamp.status;
      assert.match(rowText.toLowerCase(), new RegExp(words));
      const free = view.capacity.totalUnits - view.capacity.usedUnits;
      assert.equal(
        (await row.getByTestId("stamp-row-headroom").innerText()).trim(),
        `${fmt(free)} units`,
      );
    }
    await done(session);
  });
});
