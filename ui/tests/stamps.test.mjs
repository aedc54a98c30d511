// Stamp lifecycle from the UI on the demo fleet (real local agents, a fresh fleet
// per test): provisioning a new stamp, the detail panel with live health, drain /
// resume / retire, a lost admin token entered again.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DEMO, STAMP_ROW, done, openDemo, shot, useBackend, waitForCount } from "./support/harness.mjs";
import { startOutsideStamp } from "./support/outsideStamp.mjs";

const DIALOG = '[data-testid="new-stamp-dialog"]';
const row = (id) => `${STAMP_ROW}[data-stamp-id="${id}"]`;

/** What the dialog suggests for the first region: code letters + next number. */
function suggestedId() {
  const region = DEMO.regions[0].region;
  const prefix = region.code.toLowerCase().replace(/[^a-z]/g, "").slice(0, 3);
  const inRegion = DEMO.stamps.filter((s) => s.stamp.region === region.id).length;
  return `${prefix}-${String(inRegion + 1).padStart(2, "0")}`;
}

describe("stamps: provisioning, detail and lifecycle", () => {
  const env = useBackend("demo", { fresh: true });

  const demo = () => openDemo(env);

  test("New stamp: suggested id, progress to 100, new healthy row selected", async () => {
    const session = await demo();
    const { page } = session;
    const id = suggestedId();
    assert.equal(id, "euc-03");
    await page.getByTestId("new-stamp").click();
    const dialog = page.locator(DIALOG);
    await dialog.waitFor();
    assert.equal(await dialog.getAttribute("role"), "dialog");
    assert.equal(await dialog.getAttribute("aria-modal"), "true");
    assert.equal(await page.getByTestId("new-stamp-id").inputValue(), id);
    const template = await page.getByTestId("new-stamp-template").inputValue();
    const expected = DEMO.templates.find((t) => `${t.name}@${t.version}` === template);
    assert.ok(expected, `template option ${template}`);
    assert.equal(await page.getByTestId("new-stamp-capacity").inputValue(), String(expected.capacityUnits));

    // Record every progress value the bar shows.
    await page.evaluate(() => {
      window.__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector('[data-testid="provision-progress"]');
        const value = bar?.getAttribute("aria-valuenow");
        if (value !== null && value !== undefined && window.__progress.at(-1) !== value) {
          window.__progress.push(value);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId("new-stamp-submit").click();
    await page.getByTestId("provision-progress").waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="provision-progress"]')?.getAttribute("aria-valuenow")) >= 60);
    await shot(page, "new-stamp-progress.png");
    await dialog.waitFor({ state: "detached" });
    const seen = (await page.evaluate(() => window.__progress)).map(Number);
    assert.equal(seen.at(-1), 100, `progress values: ${seen}`);
    assert.ok(seen.includes(30) && seen.includes(60), `progress values: ${seen}`);

    await waitForCount(page, STAMP_ROW, DEMO.stamps.length + 1);
    const newRow = page.locator(row(id));
    assert.equal(await newRow.getAttribute("aria-selected"), "true");
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === "healthy",
      `${row(id)} [data-testid="stamp-row-health"]`,
    );
    assert.match(await newRow.innerText(), /active/i);
    const detail = page.getByTestId("stamp-detail");
    await page.waitForFunction(() => document.querySelector('[data-testid="stamp-health"]')?.textContent?.trim() === "Healthy");
    assert.match(await detail.innerText(), /http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(await page.getByText(`${DEMO.stamps.length + 1} stamps`, { exact: true }).count(), 1);
    await done(session);
  });

  test("an invalid id shows the inline message and disables submit; Escape closes", async () => {
    const session = await demo();
    const { page } = session;
    await page.getByTestId("new-stamp").click();
    const input = page.getByTestId("new-stamp-id");
    const submit = page.getByTestId("new-stamp-submit");
    assert.equal(await submit.isDisabled(), false);
    for (const [bad, message] of [
      ["Wes-03", /lowercase letter/],
      ["3wes", /lowercase letter/],
      ["wes--03", /two '-'/],
      ["wes-", /end with '-'/],
      ["wes_03", /only lowercase letters/],
      ["syd-01", /already exists/],
    ]) {
      await input.fill(bad);
      assert.match(await page.getByTestId("new-stamp-id-message").innerText(), message, bad);
      assert.equal(await submit.isDisabled(), true, bad);
      assert.equal(await input.getAttribute("aria-invalid"), "true");
    }
    await input.fill("wes-77");
    assert.equal(await submit.isDisabled(), false);
    await page.keyboard.press("Escape");
    await page.locator(DIALOG).waitFor({ state: "detached" });
    assert.equal(await page.locator(STAMP_ROW).count(), DEMO.stamps.length);
    await done(session);
  });

  test("detail panel shows the stamp and its health", async () => {
    const session = await demo();
    const { page } = session;
    const syd = DEMO.stamps.find((s) => s.stamp.id === "syd-01");
    await page.locator(row("syd-01")).click();
    const detail = page.getByTestId("stamp-detail");
    await detail.waitFor();
    const text = await detail.innerText();
    assert.match(text, /syd-01/);
    assert.ok(text.includes(`${syd.stamp.template}@${syd.stamp.templateVersion}`), text);
    assert.match(text, /88%/);
    // Its agent answers: healthy, with the software version it reports, and no fix offered.
    await page.waitForFunction(() => document.querySelector('[data-testid="stamp-health"]')?.textContent?.trim() === "Healthy");
    assert.match(await detail.innerText(), /http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(await page.getByTestId("health-fix-start").count(), 0);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.trim() === "healthy",
      `${row("syd-01")} [data-testid="stamp-row-health"]`,
    );
    await page.locator(row("syd-01")).click();
    await detail.waitFor({ state: "detached" });
    await done(session);
  });

  test("drain syd-01, Retire is refused while it holds 10 tenants, Resume works", async () => {
    const session = await demo();
    const { page } = session;
    const syd = DEMO.stamps.find((s) => s.stamp.id === "syd-01");
    assert.equal(syd.tenantCount, 10);
    await page.locator(row("syd-01")).click();
    await page.getByTestId("stamp-drain").click();
    await page.getByTestId("stamp-retire").waitFor();
    assert.match(await page.locator(row("syd-01")).innerText(), /placements stopped/i);
    assert.match(await page.getByTestId("stamp-detail-status").innerText(), /placements stopped/i);
    await page.getByTestId("stamp-retire").click();
    const error = page.getByTestId("stamp-action-error");
    await error.waitFor();
    assert.equal(
      (await error.innerText()).trim(),
      "stamp syd-01 still holds 10 tenant(s); move them before retiring it",
    );
    assert.match(await page.locator(row("syd-01")).innerText(), /placements stopped/i);
    await page.getByTestId("stamp-resume").click();
    await page.getByTestId("stamp-drain").waitFor();
    assert.match(await page.locator(row("syd-01")).innerText(), /active/i);
    assert.equal(await page.locator(row("syd-01")).getAttribute("aria-selected"), "true");
    await done(session);
  });

  test("a stamp drained from a terminal shows as draining in the open window, with no reload", async () => {
    const session = await demo();
    const { page } = session;
    assert.match(await page.locator(row("syd-01")).innerText(), /active/i);
    // Another process (another operator's stampctl) changes the catalogue.
    env.server.stampctl("stamp", "drain", "syd-01", "--no-moves");
    await page.locator(row("syd-01")).filter({ hasText: /placements stopped/i }).waitFor();
    await done(session);
  });

  test("the audit log names who drained syd-01, and shows another operator's change when filtered by name", async () => {
    await env.renew("demo", { env: { STAMPFLEET_OPERATOR: "alice" } });
    const session = await demo();
    const { page } = session;
    assert.equal((await page.getByTestId("operator").innerText()).trim(), "as alice");
    await page.locator(row("syd-01")).click();
    await page.getByTestId("stamp-drain").click();
    await page.getByTestId("stamp-retire").waitFor();
    const drained = page
      .locator('[data-testid="audit-row"][data-entity="stamp"][data-entity-id="syd-01"]')
      .filter({ hasText: 'status: "active" -> "draining"' });
    await drained.waitFor();
    const cells = await drained.locator("td").allInnerTexts();
    assert.deepEqual(cells.slice(1, 3).map((c) => c.trim()), ["alice", "set-status"]);

    // Bob plans from a terminal; filtered by his name, the window lists only his change.
    env.server.stampctl.withEnv({ STAMPFLEET_OPERATOR: "bob" })("plan", "new", "q9");
    await page.getByTestId("audit-actor").fill("bob");
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
      return rows.length === 1 && rows[0].dataset.actor === "bob" && rows[0].dataset.entityId === "q9";
    });
    assert.match(await page.getByTestId("audit-row").innerText(), /create plan\s+q9/);
    await page.getByTestId("audit-actor").fill("nobody");
    await page.getByText("No change matches these filters.").waitFor();

    // The stamp's History: only syd-01's changes, newest first; exported as CSV.
    await page.getByTestId("stamp-history").click();
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
      return rows.length >= 2 && rows.every((r) => r.dataset.entityId === "syd-01");
    });
    assert.equal(await page.getByTestId("audit-actor").inputValue(), "");
    assert.equal(await page.getByTestId("audit-id").inputValue(), "syd-01");
    await page.getByTestId("audit-export-csv").click();
    const csv = (await page.getByTestId("audit-export-text").inputValue()).trim().split("\n");
    assert.equal(csv[0], "row,at,actor,via,action,entity,entity_id,change,before,after");
    assert.match(csv[1], /,alice,set-status,update,stamp,syd-01,/);
    assert.equal(csv.length, (await page.getByTestId("audit-row").count()) + 1);
    await done(session);
  });

  test("Add existing: a stamp started outside Stampfleet is adopted with its tenant; one the catalogue places elsewhere is a conflict", async () => {
    const token = "outside-admin-token-0001";
    const outside = await startOutsideStamp(env.server.dir, {
      id: "ext-01",
      region: "aws-eu-central-1",
      token,
      tenants: [["shop-new", 10], ["a-datum-prod", 52]],
    });
    try {
      const session = await demo();
      const { page } = session;
      await page.getByTestId("adopt-stamp").click();
      await page.getByTestId("adopt-stamp-dialog").waitFor();
      await page.getByTestId("adopt-id").fill("ext-01");
      await page.locator('[data-testid="adopt-region"] option[value="aws-eu-central-1"]').waitFor({ state: "attached" });
      await page.getByTestId("adopt-region").selectOption("aws-eu-central-1");
      await page.getByTestId("adopt-template").selectOption("standard@1.4.0");
      await page.getByTestId("adopt-endpoint").fill(outside.base);
      await page.getByTestId("adopt-token").fill("a-wrong-token-00000000");
      await page.getByTestId("adopt-submit").click();
      await page.getByTestId("adopt-error").waitFor();
      assert.match(await page.getByTestId("adopt-error").innerText(), /refused the admin token given for ext-01; nothing was adopted/);

      await page.getByTestId("adopt-token").fill(token);
      await page.getByTestId("adopt-submit").click();
      const report = page.getByTestId("adopt-report");
      await report.waitFor();
      assert.match(await report.innerText(), /ext-01 is in the catalogue: 1 tenant\(s\) added, 0 known tenant\(s\) bound, 500 units/);
      assert.equal((await page.getByTestId("adopt-conflicts").innerText()).trim(), "a-datum-prod: the catalogue says it lives on weu-01");
      await page.getByTestId("adopt-done").click();
      await page.getByTestId("adopt-stamp-dialog").waitFor({ state: "detached" });
      await waitForCount(page, STAMP_ROW, DEMO.stamps.length + 1);
      await page.locator(`${row("ext-01")}[aria-selected="true"]`).waitFor();
      await page.waitForFunction(() => document.querySelector('[data-testid="stamp-health"]')?.textContent?.trim() === "Healthy");
      await done(session);
    } finally {
      outside.stop();
    }
  });

  test("Add existing from a file: three outside stamps adopted 16 at a time with a progress bar; a wrong token is named", async () => {
    const stamps = [];
    try {
      for (const [i, region] of ["aws-eu-central-1", "aws-us-east-1", "gcp-asia-northeast1"].entries()) {
        const token = `bulk-admin-token-${i}-0123456789abcdef`;
        const id = `bulk-0${i + 1}`;
        stamps.push({ id, region, token, ...(await startOutsideStamp(env.server.dir, { id, region, token, tenants: [[`bulk-tenant-${i}`, 5]] })) });
      }
      const rows = stamps.map((s, i) => `${s.id},${s.region},standard,1.4.0,${s.base},${i === 2 ? "not-its-token-0123456789" : s.token}`);
      const csv = ["id,region,template,version,endpoint,token", ...rows].join("\n") + "\n";
      const session = await demo();
      const { page } = session;
      await page.getByTestId("adopt-stamp").click();
      await page.getByTestId("adopt-stamp-dialog").waitFor();
      await page.getByTestId("adopt-file-input").setInputFiles({ name: "stamps.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await page.locator('[data-testid="adopt-file-summary"][data-done="3"]').waitFor();
      assert.equal(await page.getByTestId("adopt-file-summary").getAttribute("data-failed"), "1");
      assert.match(await page.locator('[data-testid="adopt-file-outcome"][data-stamp="bulk-03"]').innerText(), /token/i);
      assert.equal(await page.getByTestId("adopt-file-progress").getAttribute("aria-valuenow"), "3");
      await page.getByTestId("adopt-cancel").click();
      await waitForCount(page, STAMP_ROW, DEMO.stamps.length + 2);
      await page.locator(`${row("bulk-01")}`).waitFor();
      await done(session);
    } finally {
      for (const s of stamps) s.stop();
    }
  });

  test("Drift: a tenant provisioned on weu-01 behind the catalogue's back is found and adopted with one click", async () => {
    const stamps = JSON.parse(env.server.stampctl("-o", "json", "stamp", "list"));
    const endpoint = stamps.find((s) => s.stamp.id === "weu-01").stamp.endpoint;
    const token = readFileSync(join(env.server.dir, "stamps", "weu-01", "admin.token"), "utf8").trim();
    const put = await fetch(`${endpoint}/v1/tenants/ghost-shop`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": "behind-the-back" },
      body: JSON.stringify({ displayName: "Ghost Shop", sizeUnits: 7 }),
    });
    assert.ok(put.ok, `${put.status}`);
    const session = await demo();
    const { page } = session;
    await page.getByTestId("drift-check").click();
    const finding = page.locator('[data-testid="drift-finding"][data-kind="orphan"][data-tenant="ghost-shop"]');
    await finding.waitFor();
    assert.equal(await page.getByTestId("drift-finding").count(), 1);
    assert.match(await finding.innerText(), /Not in the catalogue[\s\S]*ghost-shop on weu-01[\s\S]*the stamp serves it \(7 units\); the catalogue does not place it/);
    // The map marks the stamp that differs, and its legend says what the mark means.
    const map = page.getByTestId("world-map-wrapper");
    await page.locator('[data-testid="world-map-wrapper"][data-marks="weu-01"]').waitFor();
    assert.match(await page.locator(".world-map").innerText(), /Differs from the catalogue/);
    await finding.getByTestId("drift-repair").click();
    await page.getByTestId("drift-none").waitFor();
    assert.equal(await map.getAttribute("data-marks"), "");
    assert.equal(
      (await page.getByTestId("drift-done").innerText()).trim(),
      "Repaired: ghost-shop adopted onto weu-01 (review its tier and residency).",
    );
    await page.locator('[data-testid="audit-row"][data-entity="binding"][data-entity-id="ghost-shop"]').waitFor();
    await done(session);
  });

  test("Drift: after a first check, the stamps are checked again in the background (a clock the test moves)", async () => {
    const session = await demo();
    const { page } = session;
    await page.clock.install();
    await page.getByTestId("drift-check").click();
    await page.getByTestId("drift-none").waitFor();
    const stamps = JSON.parse(env.server.stampctl("-o", "json", "stamp", "list"));
    const endpoint = stamps.find((s) => s.stamp.id === "weu-02").stamp.endpoint;
    const token = readFileSync(join(env.server.dir, "stamps", "weu-02", "admin.token"), "utf8").trim();
    const put = await fetch(`${endpoint}/v1/tenants/night-shift`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": "night-shift" },
      body: JSON.stringify({ displayName: "Night shift", sizeUnits: 2 }),
    });
    assert.ok(put.ok, `${put.status}`);
    // Nothing is asked before ten minutes have passed; then the finding appears unasked.
    await page.clock.fastForward("09:00");
    assert.equal(await page.locator('[data-testid="drift-finding"][data-tenant="night-shift"]').count(), 0);
    await page.clock.fastForward("01:05");
    await page.locator('[data-testid="drift-finding"][data-tenant="night-shift"]').waitFor();
    await done(session);
  });

  test("Drift: a finding ignored with a reason leaves the list, is listed as ignored and can come back", async () => {
    const stamps = JSON.parse(env.server.stampctl("-o", "json", "stamp", "list"));
    const endpoint = stamps.find((s) => s.stamp.id === "weu-01").stamp.endpoint;
    const token = readFileSync(join(env.server.dir, "stamps", "weu-01", "admin.token"), "utf8").trim();
    const put = await fetch(`${endpoint}/v1/tenants/load-test`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": "load-test" },
      body: JSON.stringify({ displayName: "Load test", sizeUnits: 3 }),
    });
    assert.ok(put.ok, `${put.status}`);
    const session = await demo();
    const { page } = session;
    await page.getByTestId("drift-check").click();
    const finding = page.locator('[data-testid="drift-finding"][data-tenant="load-test"]');
    await finding.getByTestId("drift-ignore").click();
    await page.getByTestId("drift-ignore-reason").fill("the SRE load test, until Friday");
    await page.getByTestId("drift-ignore-confirm").click();
    await page.getByTestId("drift-none").waitFor();
    const ignored = page.locator('[data-testid="drift-ignored"][data-count="1"]');
    await ignored.waitFor();
    await ignored.locator("summary").click();
    assert.match(await ignored.innerText(), /load-test on weu-01, "the SRE load test, until Friday"/);
    await page.locator('[data-testid="audit-row"][data-entity="drift"][data-entity-id="orphan:weu-01:load-test"]').waitFor();
    await ignored.getByTestId("drift-unignore").click();
    await finding.waitFor();
    await done(session);
  });

  test("a stamp whose token is lost says so, refuses a wrong token, takes the right one", async () => {
    // The token is gone from the secret store and from the agent's own directory.
    const secrets = join(env.server.dir, "secrets");
    const kept = readdirSync(secrets).find((f) => f.endsWith(".weu-01.admin"));
    rmSync(join(secrets, kept));
    const tokenFile = join(env.server.dir, "stamps", "weu-01", "admin.token");
    const rightToken = readFileSync(tokenFile, "utf8").trim();
    renameSync(tokenFile, `${tokenFile}.aside`);
    const session = await openDemo(env);
    const { page } = session;
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="attention"]')?.textContent?.includes("not checked: no admin token"),
    );
    await page.locator(row("weu-01")).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="stamp-health"]')?.textContent?.trim() === "Unknown");
    assert.match(await page.getByTestId("stamp-health-detail").innerText(), /no admin token for this stamp/);
    const save = page.getByTestId("health-fix-save-token");
    assert.equal(await save.isDisabled(), true, "nothing to save before a token is typed");
    await page.getByTestId("health-fix-token").fill("wrong");
    await save.click();
    const result = page.getByTestId("health-fix-result");
    await result.waitFor();
    assert.match((await result.innerText()).trim(), /^stamp weu-01 at http:\/\/127\.0\.0\.1:\d+ refused this token; nothing was stored$/);
    assert.equal(await result.getAttribute("role"), "alert");
    await page.getByTestId("health-fix-token").fill(rightToken);
    await save.click();
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="stamp-health-detail"]')?.textContent?.includes("no admin token"),
    );
    assert.equal((await result.innerText()).trim(), "Token checked against the stamp and saved");
    await page.getByTestId("health-fix-token").waitFor({ state: "detached" });
    await done(session);
  });
});
