// Rollouts from the window on the demo fleet's real agents (a fresh fleet per test):
// a template version added, waves proposed and previewed on the map, a rollout going
// canary → waves with approvals while the map marks each stamp's state; a stamp whose
// upgrade fails halts the rollout and goes back to its version.
// The agents run with a test fault (named as such): tyo-01 fails any upgrade to 1.6.0.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { done, openDemo, shot, waitForText } from "./support/harness.mjs";

const PHASE = (phase) => `[data-testid="rollout"][data-phase="${phase}"]`;
const WAIT_ROLLOUT = { timeout: 60_000 };

describe("rollouts", () => {
  const env = useRolloutBackend();

  test("a new version goes canary → waves with approvals, the map marking each stamp, to every stamp", async () => {
    const session = await openDemo(env);
    const { page } = session;
    await page.getByTestId("template-new-version").click();
    await page.getByTestId("template-version-template").selectOption("standard");
    // The form suggests the newest standard version plus a minor.
    assert.equal(await page.getByTestId("template-version-version").inputValue(), "1.5.0");
    await page.getByTestId("template-version-notes").fill("faster search");
    await page.getByTestId("template-version-add").click();
    await page.locator('[data-testid="template-version-row"][data-template="standard"][data-version="1.5.0"]').waitFor();
    assert.match(await page.getByTestId("version-matrix").innerText(), /standard 1\.4\.0/);
    // The rollout form offers the new version at once (not the one it offered before).
    await page.waitForFunction(() => document.querySelector('[data-testid="rollout-target"]')?.value === "standard@1.5.0");

    await page.getByTestId("rollout-target").selectOption("standard@1.5.0");
    await page.getByTestId("rollout-bake").fill("0");
    await page.getByTestId("rollout-approval").check();
    await page.getByTestId("rollout-propose").click();
    const preview = page.getByTestId("rollout-preview");
    await preview.waitFor();
    assert.equal(await preview.getAttribute("data-waves"), "3");
    assert.match(await preview.innerText(), /^Wave 1: canary/);
    // The map previews the stamps the rollout takes (six active standard stamps).
    const map = page.getByTestId("world-map-wrapper");
    await page.waitForFunction(() => document.querySelector('[data-testid="world-map-wrapper"]')?.getAttribute("data-marks")?.split(",").length === 6);
    assert.equal(await map.getAttribute("data-marks"), "fra-01,syd-01,tyo-01,use-01,weu-01,weu-02");

    await page.getByTestId("rollout-start").click();
    await page.locator(PHASE("awaitingApproval")).waitFor(WAIT_ROLLOUT);
    assert.deepEqual(await page.getByTestId("rollout-wave").evaluateAll((ws) => ws.map((w) => w.dataset.status)), ["done", "current", "waiting"]);
    assert.equal(await page.locator('[data-testid="rollout-stamp"][data-state="upgraded"]').count(), 1);
    await waitForText(page, '[data-testid="rollout-reason"]', /wave 2 \(.*\) waits for approval/);
    // The status bar says so wherever the window is scrolled.
    await waitForText(page, '[data-testid="tray-rollout"]', /Rollout standard → 1\.5\.0: waiting for approval, 1 of 6 stamps/);
    assert.match(await page.locator(".world-map").innerText(), /Rollout: upgraded/);
    await shot(page, "rollout-awaiting-approval-map.png");
    await page.locator("#rollouts-title").scrollIntoViewIfNeeded();
    await page.locator('section[aria-labelledby="rollouts-title"]').screenshot({ path: "test-results/rollout-awaiting-approval.png", animations: "disabled" });

    await page.getByTestId("rollout-approve").click();
    await page.locator(`${PHASE("awaitingApproval")} [data-testid="rollout-wave"][data-status="done"] >> nth=1`).waitFor(WAIT_ROLLOUT);
    await page.getByTestId("rollout-approve").click();
    await page.locator(PHASE("done")).waitFor(WAIT_ROLLOUT);
    await waitForText(page, '[data-testid="rollout"]', /6 of 6 upgraded/);
    const stamps = JSON.parse(env.server.stampctl("-o", "json", "stamp", "list"));
    const standard = stamps.filter((s) => s.stamp.template === "standard" && s.stamp.status === "active");
    assert.deepEqual([...new Set(standard.map((s) => s.stamp.templateVersion))], ["1.5.0"]);
    await page.locator('[data-testid="version-matrix"] tr[data-version="standard 1.5.0"]').waitFor();
    // The map coloured by version: a legend per version, each stamp in its version's colour.
    await page.getByTestId("map-colour-version").click();
    const swatch = page.locator('[data-testid="map-legend-versions"] [data-version="standard 1.5.0"]');
    // The fleet reloads once the rollout has ended: the legend then counts all six.
    await waitForText(page, '[data-testid="map-legend-versions"] [data-version="standard 1.5.0"]', /standard 1\.5\.0\s*6/);
    const colour = await swatch.locator(".swatch").evaluate((e) => getComputedStyle(e).backgroundColor);
    const tints = await page.waitForFunction(() => {
      const list = JSON.parse(document.querySelector('[data-testid="world-map"]')?.dataset.markers || "[]");
      return list.some((m) => m.tint) ? list : null;
    });
    const markers = await tints.jsonValue();
    const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
    const tokyo = markers.find((m) => m.id === "gcp-asia-northeast1");
    assert.ok(tokyo, JSON.stringify(markers));
    assert.equal(rgb(tokyo.tint), colour, "Tokyo's one stamp is on 1.5.0");
    await page.getByTestId("world-map-wrapper").screenshot({ path: "test-results/map-by-version.png", animations: "disabled" });
    await done(session);
  });

  test("a stamp whose upgrade fails halts the rollout and is rolled back, and the map says so", async () => {
    env.server.stampctl("template", "add", "standard", "1.6.0");
    const session = await openDemo(env);
    const { page } = session;
    await page.getByTestId("rollout-target").selectOption("standard@1.6.0");
    await page.getByTestId("rollout-bake").fill("0");
    await page.getByTestId("rollout-rings").fill("1");
    await page.getByTestId("rollout-propose").click();
    await page.getByTestId("rollout-preview").waitFor();
    await page.getByTestId("rollout-start").click();
    await page.locator(PHASE("halted")).waitFor(WAIT_ROLLOUT);
    await waitForText(page, '[data-testid="rollout-reason"]', /halted: tyo-01: upgrade to 1\.6\.0 failed: .*fail-upgrade=1\.6\.0/);
    await page.locator('[data-testid="rollout-stamp"][data-stamp="tyo-01"][data-state="rolledBack"]').waitFor();
    assert.match(await page.locator(".world-map").innerText(), /Rollout: failed, rolled back/);
    const stamps = JSON.parse(env.server.stampctl("-o", "json", "stamp", "list"));
    assert.equal(stamps.find((s) => s.stamp.id === "tyo-01").stamp.templateVersion, "1.4.0");
    await shot(page, "rollout-halted.png");
    await done(session);
  });

  test("a rollout planned for later is a plan action: its waves on the what-if map, applied later", async () => {
    env.server.stampctl("template", "add", "standard", "1.5.0");
    const session = await openDemo(env);
    const { page } = session;
    await page.getByTestId("rollout-target").selectOption("standard@1.5.0");
    await page.getByTestId("rollout-bake").fill("0");
    await page.getByTestId("rollout-propose").click();
    await page.getByTestId("rollout-preview").waitFor();
    await page.getByTestId("rollout-plan-name").fill("q3-upgrade");
    await page.getByTestId("rollout-add-to-plan").click();
    // The plan opens beside the map; the what-if marks every stamp the rollout takes.
    await page.locator('[data-testid="plan-step"]').first().waitFor();
    await waitForText(page, '[data-testid="plan-step"]', /roll out standard@1\.5\.0 to 6 stamp\(s\) in 3 wave\(s\)/);
    await page.waitForFunction(() => document.querySelector('[data-testid="world-map-wrapper"]')?.getAttribute("data-marks") === "fra-01,syd-01,tyo-01,use-01,weu-01,weu-02");
    const change = page.locator('[data-testid="plan-change"][data-stamp-id="tyo-01"]');
    assert.match(await change.innerText(), /version 1\.4\.0 → 1\.5\.0 in wave [23]/);
    // Nothing ran: applying the plan is what starts the rollout.
    const stamps = JSON.parse(env.server.stampctl("-o", "json", "stamp", "list"));
    assert.equal(stamps.find((s) => s.stamp.id === "tyo-01").stamp.templateVersion, "1.4.0");
    env.server.stampctl("plan", "apply", "q3-upgrade");
    const after = JSON.parse(env.server.stampctl("-o", "json", "stamp", "list"));
    assert.equal(after.find((s) => s.stamp.id === "tyo-01").stamp.templateVersion, "1.5.0");
    await done(session);
  });
});

/** The demo backend, fresh per test, its agents started with the test fault. */
function useRolloutBackend() {
  return useBackendWith({ STAMP_FAULTS: "tyo-01:fail-upgrade=1.6.0" });
}

import { useBackend } from "./support/harness.mjs";
function useBackendWith(env) {
  return useBackend("demo", { fresh: true, env });
}
