// The world map as the face of the overview (?mock=demo): markers, drilling
// down from a region marker, "where does tenant X live?", the filters, the
// keyboard path, and live updates that leave zoom and selection alone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEMO, DEMO_TENANTS, STAMP_ROW, TENANT_ROW, WAIT, done, mapState, openDemo, useBackend, waitForCount,
} from "./support/harness.mjs";

const MAP = '[data-testid="world-map-wrapper"]';
const row = (id) => `${STAMP_ROW}[data-stamp-id="${id}"]`;
const util = (c) => (c.usedUnits / c.totalUnits) * 100;

describe("world map and drill-down (demo fleet)", () => {
  const env = useBackend();

  const demo = () => openDemo(env, { map: true });

  const stampIds = (page) =>
    page.locator(STAMP_ROW).evaluateAll((rows) => rows.map((r) => r.dataset.stampId));

  async function waitForMarkerCount(page, n) {
    await page.waitForFunction(
      ([sel, count]) => Number(document.querySelector(sel)?.dataset.markerCount) === count,
      [MAP, n],
      { timeout: WAIT },
    );
  }

  /** Waits until the map's zoom is `zoom` (to the two decimals it publishes), or above it. */
  async function waitForZoom(page, zoom, { above = false } = {}) {
    await page.waitForFunction(
      ([sel, z, more]) => {
        const k = Number(document.querySelector(sel)?.dataset.zoom);
        return more ? k > z : Math.abs(k - z) < 0.005;
      },
      [MAP, zoom, above],
      { timeout: WAIT },
    );
  }

  test("draws a marker for every region group of the demo fleet", async () => {
    const session = await demo();
    const { map } = session;
    assert.ok(map.markerCount > 0);
    assert.equal(map.markers.length, map.markerCount);
    // At the world view the two European regions share a cluster; every region is on the map.
    const shown = map.markers.flatMap((m) =>
      m.kind === "cluster" ? m.id.replace(/^cluster:/, "").split(",") : [m.id],
    );
    assert.deepEqual(shown.sort(), DEMO.regions.map((r) => r.region.id).sort());
    assert.equal(map.zoom, 1);
    await done(session);
  });

  test("zoomed in, the map draws the 1:50m coastlines, loaded from the app's own files only when needed", async () => {
    const session = await demo();
    const { page } = session;
    const requested = [];
    page.on("request", (request) => requested.push(request.url()));
    const basemap = () => page.locator(MAP).getAttribute("data-basemap");
    assert.equal(await basemap(), "110m");
    const zoomIn = page.getByRole("button", { name: "Zoom in" });
    await zoomIn.click();
    await waitForZoom(page, 1.6);
    assert.equal(await basemap(), "110m", "at 1.6x the world view's basemap stays");
    assert.ok(!requested.some((url) => url.includes("countries-50m")), requested.join("\n"));
    await zoomIn.click();
    await waitForZoom(page, 2.5, { above: true });
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.basemap === "50m", MAP, { timeout: WAIT });
    const detail = requested.filter((url) => url.includes("countries-50m"));
    assert.equal(detail.length, 1, requested.join("\n"));
    const origin = new URL(page.url()).origin;
    assert.ok(requested.every((url) => url.startsWith(origin)), `only the app's own files: ${requested.join("\n")}`);
    await page.getByRole("button", { name: "Show the whole world" }).click();
    await waitForZoom(page, 1);
    assert.equal(await basemap(), "110m");
    await done(session);
  });

  test("clicking a region marker scopes the stamp table and the charts to that region", async () => {
    const session = await demo();
    const { page, map } = session;
    const region = "aws-us-east-1";
    const marker = map.markers.find((m) => m.kind === "region" && m.id === region);
    assert.ok(marker, `no marker for ${region}: ${JSON.stringify(map.markers)}`);
    const box = await page.getByTestId("world-map").boundingBox();
    await page.mouse.click(box.x + marker.x, box.y + marker.y);
    const expected = DEMO.stamps.filter((s) => s.stamp.region === region).map((s) => s.stamp.id);
    await waitForCount(page, STAMP_ROW, expected.length);
    assert.deepEqual(await stampIds(page), expected);
    assert.equal(
      await page.locator(`[data-testid="region-bar"][data-id="${region}"]`).getAttribute("aria-pressed"),
      "true",
    );
    // Every stamp of the region shows its headroom.
    for (const id of expected) {
      await page.locator(`${row(id)} [data-testid="stamp-row-headroom"]`).waitFor();
    }
    await done(session);
  });

  test("clicking a stamp row lists its tenants from the backend", async () => {
    const session = await demo();
    const { page } = session;
    const expected = DEMO_TENANTS.filter((t) => t.stamp === "tyo-01").map((t) => t.tenant.id);
    await page.locator(row("tyo-01")).click();
    await page.getByTestId("stamp-detail").waitFor();
    await waitForCount(page, TENANT_ROW, expected.length);
    const shown = await page.locator(TENANT_ROW).evaluateAll((rows) => rows.map((r) => r.dataset.tenantId));
    assert.deepEqual(shown, expected);
    const first = page.locator(TENANT_ROW).first();
    const tenant = DEMO_TENANTS.find((t) => t.tenant.id === expected[0]).tenant;
    const cells = await first.innerText();
    assert.ok(cells.includes(String(tenant.sizeUnits)), cells);
    assert.match(cells.toLowerCase(), new RegExp(tenant.tier));
    await page.getByText(`Showing ${expected.length} of ${expected.length}`).waitFor();
    await done(session);
  });

  test("tenant search: 'where does contoso-prod live?' selects its stamp and the map zooms to it", async () => {
    const session = await demo();
    const { page, map } = session;
    const tenant = DEMO_TENANTS.find((t) => t.tenant.id === "contoso-prod");
    const stamp = DEMO.stamps.find((s) => s.stamp.id === tenant.stamp);
    const region = DEMO.regions.find((r) => r.region.id === stamp.stamp.region).region;
    const search = page.getByTestId("tenant-locator");
    await search.fill("contoso");
    const results = page.getByTestId("tenant-locator-result");
    await page.locator('[data-testid="tenant-locator-result"][data-tenant-id="contoso-staging"]').waitFor();
    assert.deepEqual(
      await results.evaluateAll((items) => items.map((i) => i.dataset.tenantId)),
      ["contoso-prod", "contoso-staging"],
    );
    assert.equal(await search.getAttribute("aria-expanded"), "true");
    await page.keyboard.press("Enter");

    const location = page.getByTestId("tenant-location");
    await location.waitFor();
    assert.equal(
      (await location.innerText()).replace(/\s+/g, " ").trim(),
      `Tenant ${tenant.tenant.displayName} (${tenant.tenant.id}) lives on stamp ${stamp.stamp.id} in region ${region.displayName}.`,
    );
    assert.equal(await page.locator(row(stamp.stamp.id)).getAttribute("aria-selected"), "true");
    await page.locator(`[data-testid="stamp-detail"][data-stamp-id="${stamp.stamp.id}"]`).waitFor();
    await waitForZoom(page, map.zoom, { above: true });
    // The tenant panel now lists the stamp's tenants, the found one marked.
    await waitForCount(page, TENANT_ROW, DEMO_TENANTS.filter((t) => t.stamp === stamp.stamp.id).length);
    assert.equal(
      await page.locator(`${TENANT_ROW}[data-tenant-id="contoso-prod"]`).getAttribute("aria-selected"),
      "true",
    );

    // Another search: the second match by id, picked with the arrow keys.
    const staging = DEMO_TENANTS.filter((t) => /staging/i.test(`${t.tenant.id} ${t.tenant.displayName}`));
    const second = staging[1];
    await search.fill("staging");
    await page.locator(`[data-testid="tenant-locator-result"][data-tenant-id="${second.tenant.id}"]`).waitFor();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.locator(`[data-testid="stamp-detail"][data-stamp-id="${second.stamp}"]`).waitFor();
    assert.match(await location.innerText(), new RegExp(`lives on stamp ${second.stamp}`));
    await page.getByRole("button", { name: "Dismiss the tenant's location" }).click();
    await location.waitFor({ state: "detached" });
    await done(session);
  });

  test("filters (provider, utilization) change the stamp table, the charts and the markers", async () => {
    const session = await demo();
    const { page, map } = session;
    const shown = page.getByTestId("filter-count");

    await page.getByRole("radio", { name: "GCP" }).check();
    const gcp = DEMO.stamps.filter((s) => s.stamp.region.startsWith("gcp-")).map((s) => s.stamp.id);
    await waitForCount(page, STAMP_ROW, gcp.length);
    assert.deepEqual(await stampIds(page), gcp);
    await waitForMarkerCount(page, 1);
    assert.equal((await shown.innerText()).trim(), `${gcp.length} of ${DEMO.stamps.length} stamps shown`);
    await waitForCount(page, '[data-testid="region-bar"]', 1);

    await page.getByRole("radio", { name: "All" }).check();
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    await waitForMarkerCount(page, map.markerCount);

    await page.getByTestId("utilization-threshold").fill("60");
    await page.getByTestId("utilization-threshold").press("Enter");
    const hot = DEMO.stamps.filter((s) => util(s.capacity) >= 60);
    const hotRegions = new Set(hot.map((s) => s.stamp.region));
    assert.equal(hot.length, 3);
    await waitForCount(page, STAMP_ROW, hot.length);
    assert.deepEqual(await stampIds(page), hot.map((s) => s.stamp.id));
    await waitForCount(page, '[data-testid="region-bar"]', hotRegions.size);
    await waitForMarkerCount(page, hotRegions.size);
    assert.equal(await page.getByTestId("utilization-slider").inputValue(), "60");

    // Every demo stamp is a live agent: "unreachable" leaves no stamp.
    await page.getByTestId("health-filter").selectOption("unreachable");
    await page.getByText("No stamps match the filters.", { exact: true }).first().waitFor();
    await waitForCount(page, STAMP_ROW, 0);

    await page.getByTestId("clear-filters").click();
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    await waitForMarkerCount(page, map.markerCount);
    assert.equal(await page.getByTestId("utilization-threshold").inputValue(), "0");
    await done(session);
  });

  test("keyboard: Tab reaches the stamp table; ArrowDown and Enter select a stamp", async () => {
    const session = await demo();
    const { page } = session;
    const [first, second] = DEMO.stamps.map((s) => s.stamp.id);
    let reached = false;
    for (let i = 0; i < 80 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, STAMP_ROW);
    }
    assert.ok(reached, "Tab never reached the stamp table");
    assert.equal(await page.evaluate(() => document.activeElement.dataset.stampId), first);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.locator(`[data-testid="stamp-detail"][data-stamp-id="${second}"]`).waitFor();
    assert.equal(await page.locator(row(second)).getAttribute("aria-selected"), "true");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(outline, "solid", "focused row shows a focus outline");
    await done(session);
  });

  test("live updates (new stamp, status change, health pushes) keep the map, its zoom and the selection", async () => {
    const session = await demo();
    const { page } = session;
    await page.getByRole("button", { name: "Zoom in" }).click();
    await waitForZoom(page, 1.6);
    // Tag the map's element: a re-mounted fleet view would replace it.
    await page.evaluate((sel) => (document.querySelector(sel).dataset.probe = "original"), MAP);

    // A new stamp: the overview is re-fetched and the first health push reports it healthy.
    await page.getByTestId("new-stamp").click();
    const id = await page.getByTestId("new-stamp-id").inputValue();
    await page.getByTestId("new-stamp-submit").click();
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length + 1);
    const health = `${row(id)} [data-testid="stamp-row-health"]`;
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === "healthy", health);
    assert.equal((await mapState(page)).zoom, 1.6);

    // Draining it: the overview is re-fetched; its agent still answers its checks.
    await page.getByTestId("stamp-drain").click();
    await page.waitForFunction(
      (sel) =>
        document.querySelector(sel)?.textContent?.trim() === "healthy" &&
        /placements stopped/i.test(document.querySelector('[data-testid="stamp-detail-status"]')?.textContent ?? ""),
      health,
    );
    assert.equal((await mapState(page)).zoom, 1.6);
    assert.equal(await page.locator(MAP).getAttribute("data-probe"), "original", "the map was re-mounted");
    assert.equal(await page.locator(row(id)).getAttribute("aria-selected"), "true");
    await done(session);
  });
});
