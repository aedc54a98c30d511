// Tenant moves on the demo fleet (real local agents, fresh per test): the Move dialog (targets that pass
// placement, the others with their reason), progress to done, cancel, move back,
// drag and drop onto a stamp row or a stamp on the map, and draining a stamp.
// The cancel test runs its backend with the fleet-ops test hook STAMPFLEET_HOLD_MOVES=1,
// which holds a move in "importing" until it is cancelled, so it needs no timing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEMO_TENANTS, STAMP_ROW, TENANT_ROW, done, mapState, openDemo, shot, useBackend, waitForCount,
  waitForMap, waitForText,
} from "./support/harness.mjs";

const stampRow = (id) => `${STAMP_ROW}[data-stamp-id="${id}"]`;
const tenantRow = (id) => `${TENANT_ROW}[data-tenant-id="${id}"]`;
const onStamp = (id) => DEMO_TENANTS.filter((t) => t.stamp === id).length;
/** Tall enough that the map, the stamps and the tenants are all in view (for dragging). */
const TALL = { width: 1600, height: 3000 };

describe("tenant moves (demo fleet)", () => {
  const env = useBackend("demo", { fresh: true });

  /** The demo fleet with stamp `stamp` selected (its tenants listed). */
  async function open(stamp, viewport = undefined) {
    const session = await openDemo(env, viewport ? { viewport } : {});
    const { page } = session;
    await page.locator(stampRow(stamp)).click();
    await waitForCount(page, TENANT_ROW, onStamp(stamp));
    return session;
  }

  const tenantsCell = (page, id) =>
    page.evaluate((sel) => document.querySelector(sel)?.querySelectorAll("td")[5]?.textContent?.trim(), stampRow(id));

  /** Records every phase the dialog's progress bar shows, in order. */
  async function recordPhases(page) {
    await page.evaluate(() => {
      const seen = (window.__phases = []);
      const note = () => {
        const phase = document.querySelector('[data-testid="move-dialog"] [data-testid="move-progress"]')?.dataset.phase;
        if (phase && seen.at(-1) !== phase) seen.push(phase);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-phase"] });
    });
    return () => page.evaluate(() => window.__phases);
  }

  test("Move…: targets best first, refused ones with reasons; progress to done; the tenant lives on its new stamp; move back", async () => {
    const session = await open("weu-01");
    const { page } = session;
    await page.locator('[data-testid="move-button"][data-tenant="contoso-prod"]').click();
    const dialog = page.getByTestId("move-dialog");
    await dialog.waitFor();
    await page.getByTestId("move-target").first().waitFor();
    const targets = await page.getByTestId("move-target").evaluateAll((els) => els.map((e) => e.dataset.stamp));
    assert.deepEqual([...targets].sort(), ["fra-01", "weu-02"]);
    assert.equal(await page.getByTestId("move-target").first().locator("input").isChecked(), true, "best target preselected");
    assert.match(await page.getByTestId("move-target").first().innerText(), /best fit/);
    const refused = await page.getByTestId("move-refused").evaluateAll((els) => els.map((e) => e.dataset.stamp));
    assert.ok(!refused.includes("weu-01") && !targets.includes("weu-01"), "the tenant's own stamp is no target");
    assert.match(await page.locator('[data-testid="move-refused"][data-stamp="syd-01"]').innerText(), /outside the tenant's residency/);
    assert.match(await page.locator('[data-testid="move-refused"][data-stamp="use-02"]').innerText(), /stamp is draining, not active/);
    await shot(page, "move-1-targets.png");
    // Its region comes first: weu-02 is ranked first and preselected; no warning.
    assert.equal(targets[0], "weu-02");
    assert.equal(await page.locator('[data-testid="move-target"][data-stamp="weu-02"] input').isChecked(), true);
    assert.equal(await page.getByTestId("move-cross-region").count(), 0);
    // Frankfurt is another region: a warning with the distance, and Move waits for a
    // confirmation (for that target only).
    await page.locator('[data-testid="move-target"][data-stamp="fra-01"]').click();
    const warning = page.getByTestId("move-cross-region");
    await warning.waitFor();
    assert.match(await warning.innerText(), /contoso-prod would leave West Europe for Europe \(Frankfurt\) \(about [\d,]+ km\)/);
    assert.equal(await page.getByTestId("move-confirm").isDisabled(), true, "a move across regions waits for a confirmation");
    await page.getByTestId("move-cross-region-confirm").check();
    assert.equal(await page.getByTestId("move-confirm").isDisabled(), false);

    await page.locator('[data-testid="move-target"][data-stamp="weu-02"]').click();
    await warning.waitFor({ state: "detached" });
    assert.match(await page.getByTestId("move-confirm").innerText(), /Move to weu-02/);
    const phases = await recordPhases(page);
    await page.getByTestId("move-confirm").click();
    const doneNote = page.getByTestId("move-done");
    await doneNote.waitFor();
    assert.deepEqual((await phases()).filter((p) => p !== "planned"), ["importing", "catching-up", "verifying", "done"]);
    assert.match(await doneNote.innerText(), /Contoso \(prod\) now lives on weu-02\. Writes were paused for \d+ ms\./);
    assert.match(await page.getByTestId("move-stats").innerText(), /keys · .* copied · 0 changes behind · writes paused \d+ ms/);
    assert.equal(await page.getByTestId("move-cancel").count(), 0, "no cancel once done");
    await shot(page, "move-3-done.png");
    await page.getByTestId("move-close").click();
    await dialog.waitFor({ state: "detached" });

    // The fleet shows it: gone from weu-01's list, counted on weu-02, listed there.
    await waitForCount(page, TENANT_ROW, onStamp("weu-01") - 1);
    await page.waitForFunction(
      ([sel, n]) => document.querySelector(sel)?.querySelectorAll("td")[5]?.textContent?.trim() === String(n),
      [stampRow("weu-02"), onStamp("weu-02") + 1],
    );
    await page.locator(stampRow("weu-02")).click();
    await page.locator(tenantRow("contoso-prod")).waitFor();
    assert.equal((await page.locator(`${tenantRow("contoso-prod")} [data-testid="tenant-stamp"]`).innerText()).trim(), "weu-02");

    // The Moves panel lists it; move back copies only the changes.
    const panel = page.getByTestId("moves-panel");
    const row = panel.locator('[data-testid="moves-row"][data-tenant="contoso-prod"][data-state="succeeded"]');
    await row.waitFor();
    assert.match(await row.innerText(), /weu-01 → weu-02/);
    const back = panel.getByTestId("move-back");
    const operation = await back.getAttribute("data-operation");
    assert.equal(await row.getAttribute("data-operation"), operation);
    await back.click();
    await dialog.waitFor();
    assert.match(await page.getByTestId("move-back-note").innerText(), /cheap, only changes since it\s+left are copied/);
    await page.locator('[data-testid="move-target"][data-stamp="weu-01"] input:checked').waitFor();
    await page.getByTestId("move-confirm").click();
    await page.getByTestId("move-done").waitFor();
    const keys = Number((await page.getByTestId("move-stats").innerText()).match(/^([\d,]+) keys/)[1].replace(/,/g, ""));
    assert.ok(keys < 17 * 1200 * 0.1, `a move back copies little (${keys} keys)`);
    await page.getByTestId("move-close").click();
    await waitForCount(page, '[data-testid="moves-row"]', 2);
    await page.waitForFunction((n) => document.querySelector('[data-stamp-id="weu-01"]')?.querySelectorAll("td")[5]?.textContent?.trim() === String(n), onStamp("weu-01"));

    // The tenant's history: both moves, from what to what, and nothing of other tenants.
    await page.getByTestId("tenant-locator").fill("contoso-prod");
    await page.locator('[data-testid="tenant-locator-result"][data-tenant-id="contoso-prod"]').click();
    await page.getByTestId("locator-history-button").click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
      return rows.length > 0 && rows.every((r) => r.dataset.entityId === "contoso-prod");
    });
    const changes = await page.locator('[data-testid="audit-row"][data-entity="binding"] .change').allInnerTexts();
    assert.ok(changes.some((c) => c.includes('stamp: "weu-01" -> "weu-02"')), changes.join(" | "));
    assert.ok(changes.some((c) => c.includes('stamp: "weu-02" -> "weu-01"')), changes.join(" | "));
    await done(session);
  });

  test("drag a tenant onto a stamp row: the dialog opens with that target, or says why it is refused", async () => {
    const session = await open("weu-01", TALL);
    const { page } = session;
    const dialog = page.getByTestId("move-dialog");
    await page.locator(tenantRow("contoso-prod")).dragTo(page.locator(stampRow("fra-01")));
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute("data-tenant"), "contoso-prod");
    await page.locator('[data-testid="move-target"][data-stamp="fra-01"] input:checked').waitFor();
    assert.match(await page.getByTestId("move-confirm").innerText(), /Move to fra-01/);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    await page.locator(tenantRow("contoso-prod")).dragTo(page.locator(stampRow("syd-01")));
    const refusal = page.getByTestId("move-preset-refused");
    await refusal.waitFor();
    assert.equal(await refusal.getAttribute("data-stamp"), "syd-01");
    assert.match(await refusal.innerText(), /syd-01 cannot take contoso-prod: region azure-australiaeast .* outside the tenant's residency/);
    assert.equal(await page.getByTestId("move-confirm").isDisabled(), true);
    assert.equal(await page.locator('[data-testid="move-target"] input:checked').count(), 0);
    await shot(page, "move-4-refused-drop.png");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await done(session);
  });

  test("drag a tenant onto a stamp on the map (Tokyo: one stamp, tyo-01)", async () => {
    const session = await open("weu-01", TALL);
    const { page } = session;
    await waitForMap(page);
    const tokyo = (await mapState(page)).markers.find((m) => m.id === "gcp-asia-northeast1");
    assert.ok(tokyo, "the Tokyo marker is drawn");
    await page.locator(tenantRow("contoso-prod")).dragTo(page.getByTestId("world-map"), {
      targetPosition: { x: tokyo.x, y: tokyo.y },
    });
    const refusal = page.getByTestId("move-preset-refused");
    await refusal.waitFor();
    assert.equal(await refusal.getAttribute("data-stamp"), "tyo-01");
    assert.match(await refusal.innerText(), /tyo-01 cannot take contoso-prod: .*residency/);
    await done(session);
  });

  test("keyboard: Tab from a tenant row reaches its Move… button; Enter opens the dialog", async () => {
    const session = await open("weu-01");
    const { page } = session;
    await page.locator(tenantRow("a-datum-prod")).focus();
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.dataset.tenant ?? null);
    assert.equal(focused, "a-datum-prod");
    await page.keyboard.press("Enter");
    await page.getByTestId("move-dialog").waitFor();
    await page.getByTestId("move-target").first().waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("move-dialog").waitFor({ state: "detached" });
    await done(session);
  });

  test("a pinned tenant cannot be moved; the locator's answer offers Move… too", async () => {
    const session = await open("weu-01");
    const { page } = session;
    await page.locator('[data-testid="move-button"][data-tenant="coho-winery-prod"]').click();
    const pinned = page.getByTestId("move-pinned");
    await pinned.waitFor();
    assert.match(await pinned.innerText(), /coho-winery-prod is pinned to weu-01: unpin it before moving it/);
    assert.equal(await page.getByTestId("move-confirm").isDisabled(), true);
    await page.keyboard.press("Escape");
    await page.getByTestId("move-dialog").waitFor({ state: "detached" });

    await page.getByTestId("tenant-locator").fill("litware-staging");
    await page.locator('[data-testid="tenant-locator-result"][data-tenant-id="litware-staging"]').click();
    const location = page.getByTestId("tenant-location");
    assert.match(await location.innerText(), /lives on stamp weu-01 in region West Europe/);
    await page.locator('[data-testid="locator-move-button"][data-tenant="litware-staging"]').click();
    const dialog = page.getByTestId("move-dialog");
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute("data-tenant"), "litware-staging");
    await page.locator('[data-testid="move-target"][data-stamp="weu-02"]').click();
    await page.getByTestId("move-confirm").click();
    await page.getByTestId("move-done").waitFor();
    await page.getByTestId("move-close").click();
    // The answer over the map follows the tenant: it never names the old stamp.
    await waitForText(page, '[data-testid="tenant-location"]', /lives on stamp weu-02 in region West Europe/);
    // The Move dialog, opened again from it, starts from the new stamp.
    await page.locator('[data-testid="locator-move-button"][data-tenant="litware-staging"]').click();
    await page.getByTestId("move-target").first().waitFor();
    const targets = await page.getByTestId("move-target").evaluateAll((els) => els.map((e) => e.dataset.stamp));
    assert.ok(targets.includes("weu-01") && !targets.includes("weu-02"), JSON.stringify(targets));
    await done(session);
  });

  test("cancel during importing rolls the move back; the tenant stays", async () => {
    await env.renew("demo", { env: { STAMPFLEET_HOLD_MOVES: "1" } });
    const session = await open("weu-01");
    const { page } = session;
    await page.locator('[data-testid="move-button"][data-tenant="contoso-prod"]').click();
    await page.getByTestId("move-target").first().waitFor();
    await page.getByTestId("move-confirm").click();
    await page.locator('[data-testid="move-dialog"] [data-testid="move-progress"][data-phase="importing"]').waitFor();
    const cancel = page.getByTestId("move-cancel");
    await page.waitForFunction(() => document.querySelector('[data-testid="move-cancel"]')?.disabled === false);
    await page.waitForFunction(() => /^[1-9][\d,]* keys/.test(document.querySelector('[data-testid="move-stats"]')?.textContent ?? ""));
    await shot(page, "move-2-progress.png");
    // The activity tray at the window's foot shows the running move, whatever panel is in view.
    const tray = page.locator('[data-testid="activity-tray"][data-moves="1"]');
    await tray.waitFor();
    assert.match(await tray.innerText(), /1 move running.*contoso-prod → weu-02/s);
    await cancel.click();
    const cancelled = page.getByTestId("move-cancelled");
    await cancelled.waitFor();
    assert.match(await cancelled.innerText(), /rolled back: cancelled by the operator.*contoso-prod stays on weu-01/s);
    await page.getByTestId("move-close").click();
    await page.locator('[data-testid="moves-row"][data-tenant="contoso-prod"][data-state="failed"]').waitFor();
    assert.match(await page.locator('[data-testid="moves-row"][data-tenant="contoso-prod"]').innerText(), /rolled-back/);
    assert.equal(await page.getByTestId("move-back").count(), 0);
    assert.equal(await page.locator(TENANT_ROW).count(), onStamp("weu-01"));
    assert.equal(await tenantsCell(page, "weu-01"), String(onStamp("weu-01")));
    await done(session);
  });

  test("drain weu-01, two moves at once: every tenant is moved or stays (pinned), the stamp is draining", async () => {
    const session = await open("weu-01");
    const { page } = session;
    await page.getByTestId("drain-button").click();
    const dialog = page.getByTestId("drain-dialog");
    await dialog.waitFor();
    // The targets first: every tenant with where it would go, nothing moved yet; each
    // stays in West Europe (weu-02 has room under the high band), the pinned one stays.
    const preview = page.locator('[data-testid="drain-preview"] [data-testid="drain-item"]');
    await waitForCount(page, '[data-testid="drain-preview"] [data-testid="drain-item"]', onStamp("weu-01"));
    const planned = await preview.evaluateAll((els) => els.map((e) => [e.dataset.tenant, e.dataset.state, e.textContent]));
    for (const [tenant, state, text] of planned) {
      if (tenant === "coho-winery-prod") assert.equal(state, "stays");
      else assert.match(text, /weu-02/, `${tenant}: ${text}`);
    }
    assert.equal((await page.getByTestId("drain-confirm").innerText()).trim(), `Start: move ${onStamp("weu-01") - 1} tenants`);
    // The preview is editable: untick a tenant to keep it on weu-01.
    const keptTenant = planned.find(([t]) => t !== "coho-winery-prod")[0];
    await page.locator(`[data-testid="drain-preview"] [data-testid="drain-item"][data-tenant="${keptTenant}"] [data-testid="drain-item-move"]`).uncheck();
    assert.equal((await page.getByTestId("drain-confirm").innerText()).trim(), `Start: move ${onStamp("weu-01") - 2} tenants`);
    assert.equal(await tenantsCell(page, "weu-01"), String(onStamp("weu-01")), "nothing moved by the preview");
    assert.equal(await page.getByTestId("drain-concurrency").inputValue(), "4");
    await page.getByTestId("drain-concurrency").selectOption("2");
    await page.evaluate(() => {
      window.__mostMoving = 0;
      new MutationObserver(() => {
        const n = document.querySelectorAll('[data-testid="drain-item"][data-state="moving"]').length;
        window.__mostMoving = Math.max(window.__mostMoving, n);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
    });
    await page.getByTestId("drain-confirm").click();
    await page.getByTestId("drain-progress").waitFor();
    await shot(page, "drain-1-progress.png");
    const summary = page.getByTestId("drain-done");
    await summary.waitFor();
    await shot(page, "drain-2-done.png");
    const states = await page.getByTestId("drain-item").evaluateAll((els) => els.map((e) => [e.dataset.tenant, e.dataset.state]));
    assert.equal(states.length, onStamp("weu-01"));
    assert.ok(states.every(([, s]) => s === "moved" || s === "stays"), JSON.stringify(states));
    assert.deepEqual(states.filter(([, s]) => s === "stays").map(([t]) => t).sort(), ["coho-winery-prod", keptTenant].sort());
    assert.match(await page.locator(`[data-testid="drain-item"][data-tenant="${keptTenant}"]`).innerText(), /kept on weu-01 by the operator/);
    assert.match(await page.locator('[data-testid="drain-item"][data-tenant="coho-winery-prod"]').innerText(), /pinned to weu-01/);
    const progress = page.getByTestId("drain-progress");
    assert.equal(await progress.getAttribute("data-moved"), String(onStamp("weu-01") - 2));
    assert.equal(await progress.getAttribute("data-finished"), "true");
    assert.match(await summary.innerText(), /Drain of weu-01: 7 moved, 2 stay\. Placements on weu-01 stay stopped/);
    const most = await page.evaluate(() => window.__mostMoving);
    assert.ok(most >= 1 && most <= 2, `at most 2 moves at once (saw ${most})`);
    await page.getByTestId("drain-close").click();
    await dialog.waitFor({ state: "detached" });
    // Nothing moves any more: the stamp's placements are stopped, it is not "draining".
    assert.match(await page.locator(stampRow("weu-01")).innerText(), /placements stopped/i);
    assert.equal(await tenantsCell(page, "weu-01"), "2");
    await waitForCount(page, TENANT_ROW, 2);
    await done(session);
  });
});
