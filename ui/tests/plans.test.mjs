// Offline plans on the demo fleet (real local agents, fresh per test): making a plan (actions, warnings,
// the stamps it changes), the what-if map (before/after, marks, caption), the
// planners (rebalance, forecast), the plan file (export, a refused import, import),
// applying with progress, pause and resume, a refused apply, following an apply this
// window did not start, and "Start local stamps".
// The pause test runs its backend with the fleet-ops test hook STAMPFLEET_HOLD_APPLY=1,
// which holds an apply after its first action until a pause is asked for, so pausing
// needs no timing. The resumed apply is a real one: stampctl applies a plan and is
// killed after its first action (STAMPFLEET_CRASH_AT); the backend finishes it at start.
// "Start local stamps" is offered after a stamp's agent is really stopped.
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  DEMO, STAMP_ROW, done, openDemo, openPage, serveCatalogue, shot as saveShot, useBackend, waitForCount, waitForText,
} from "./support/harness.mjs";

const STEP = '[data-testid="plan-step"]';
const WARNING = '[data-testid="plan-warning"]';
const MAP = '[data-testid="world-map-wrapper"]';
const stampRow = (id) => `${STAMP_ROW}[data-stamp-id="${id}"]`;
const planRow = (name) => `[data-testid="plan-row"][data-plan-name="${name}"]`;
/** Every test is bounded: a stuck one fails instead of hanging the suite. */
const BOUNDED = { timeout: 60_000 };

/** Waits (bounded) until both elements lie inside the viewport at once, with no scrolling between them. */
async function bothInView(page, first, second) {
  const inView = ([a, b]) =>
    [a, b].every((selector) => {
      const box = document.querySelector(selector)?.getBoundingClientRect();
      return box !== undefined && box.top >= 0 && box.left >= 0 && box.right <= innerWidth && box.top < innerHeight - 40;
    });
  return page.waitForFunction(inView, [first, second], { timeout: 5_000 }).then(
    () => true,
    () => false,
  );
}

const SYD_02 = { "new-stamp": "syd-02", region: "azure-australiaeast", template: "standard@1.4.0" };
const MOVE_TO_SYD_02 = { tenant: "alpine-ski-house-prod", stamp: "syd-02" };

describe("offline plans (demo fleet)", () => {
  const env = useBackend("demo", { fresh: true });

  const open = () => openDemo(env, { viewport: { width: 1440, height: 1400 } });
  const shot = (page, file) => saveShot(page, file, { fullPage: true });
  const text = async (locator) => (await locator.innerText()).replace(/\s+/g, " ").trim();

  async function newPlan(page, name) {
    await page.getByTestId("plan-name").fill(name);
    await page.getByTestId("plan-create").click();
    await page.locator(`[data-testid="plan-detail"][data-plan-name="${name}"]`).waitFor();
    await page.locator(planRow(name)).waitFor();
  }

  /** Adds an action through the form and waits for its step. */
  async function addAction(page, kind, fields) {
    await page.getByTestId("plan-action-kind").selectOption(kind);
    for (const [field, value] of Object.entries(fields)) {
      const input = page.getByTestId(`plan-field-${field}`);
      if (field === "template" || field === "tier") await input.selectOption(value);
      else await input.fill(String(value));
    }
    const steps = await page.locator(STEP).count();
    await page.getByTestId("plan-action-add").click();
    await waitForCount(page, STEP, steps + 1);
  }

  async function planSyd02(page, name) {
    await newPlan(page, name);
    await addAction(page, "addStamp", SYD_02);
    await addAction(page, "moveTenant", MOVE_TO_SYD_02);
  }

  const mapMarks = (page) => page.locator(MAP).getAttribute("data-marks");
  const mapSubtitle = (page) => text(page.locator('section[aria-labelledby="map-title"] .subtitle'));

  test("make a plan: steps, warnings for bad actions, the changed stamps, the what-if map", BOUNDED, async () => {
    const session = await open();
    const { page } = session;
    assert.equal(await page.getByTestId("map-caption").count(), 0, "no caption without a plan");
    await newPlan(page, "q3");
    // The plan opens in the drawer beside its map: both in view at once.
    assert.equal(await page.getByTestId("side-drawer").getAttribute("data-showing"), "plan");
    assert.ok(await bothInView(page, MAP, '[data-testid="plan-detail"]'), "the plan editor and its map are visible together");
    // An empty plan changes nothing; syd-01, over the reserve already, is named apart.
    assert.equal(await page.getByTestId("plan-change").count(), 0);
    assert.match(await text(page.getByTestId("plan-over-untouched")), /^Over the reserve already, and the plan leaves it alone: syd-01\.$/);

    // A problem with the form names the field; nothing is added.
    await page.getByTestId("plan-action-kind").selectOption("moveTenant");
    await page.getByTestId("plan-action-add").click();
    assert.equal(await text(page.getByTestId("plan-error")), "Tenant id: enter the tenant's id.");
    assert.equal(await page.getByTestId("plan-field-tenant").getAttribute("aria-invalid"), "true");

    await addAction(page, "addStamp", SYD_02);
    await addAction(page, "moveTenant", MOVE_TO_SYD_02);
    assert.equal(await page.getByTestId("plan-error").count(), 0, "a good action clears the error");
    const steps = await page.locator(STEP).evaluateAll((els) => els.map((e) => e.querySelector(".description").textContent));
    assert.deepEqual(steps, ["add stamp syd-02 in azure-australiaeast (standard@1.4.0)", "move alpine-ski-house-prod to syd-02"]);
    // syd-01 was over the reserve; the plan brings it under: no warnings at all.
    await waitForCount(page, WARNING, 0);

    // Bad actions: a target the tenant's residency refuses, a stamp that does not exist.
    await addAction(page, "moveTenant", { tenant: "contoso-prod", stamp: "syd-01" });
    await addAction(page, "moveTenant", { tenant: "contoso-prod", stamp: "nope-01" });
    const stepWarnings = (i) => page.locator(`${STEP}[data-index="${i}"] ${WARNING}`);
    assert.match(await text(stepWarnings(2)), /syd-01 cannot take contoso-prod: .*outside the tenant's residency/);
    assert.equal(await text(stepWarnings(3)), "⚠ no stamp nope-01");
    assert.equal(await stepWarnings(1).count(), 0);
    await shot(page, "plan-1-warnings.png");
    await page.locator(`${STEP}[data-index="3"] [data-testid="plan-step-remove"]`).click();
    await waitForCount(page, STEP, 3);
    await page.locator(`${STEP}[data-index="2"] [data-testid="plan-step-remove"]`).click();
    await waitForCount(page, STEP, 2);
    await waitForCount(page, WARNING, 0);

    // The stamps it changes, in words.
    const change = (id) => page.locator(`[data-testid="plan-change"][data-stamp-id="${id}"]`);
    assert.equal(await text(change("syd-02")), "syd-02 (new): 0 → 46 of 1,000 units, 0 → 1 tenants");
    assert.equal(await text(change("syd-01")), "syd-01: 350 → 304 of 400 units, 10 → 9 tenants");
    assert.equal(await page.getByTestId("plan-change").count(), 2);

    // The what-if map: after the plan by default, the new stamp marked.
    assert.equal(await page.getByTestId("plan-side-after").getAttribute("aria-pressed"), "true");
    assert.equal(await text(page.getByTestId("map-caption")), "What-if: after plan q3");
    assert.deepEqual((await mapMarks(page)).split(","), ["syd-01", "syd-02"]);
    assert.match(await mapSubtitle(page), /· 9 stamps$/);
    // One truth: the banner says so, and the header, the stamp table and the capacity figures follow the plan.
    await page.getByTestId("what-if-banner").waitFor();
    assert.equal(await text(page.locator('[data-testid="totals-scope"] dd')), "after plan q3");
    assert.equal(await text(page.getByTestId("total-stamps")), "9");
    await waitForCount(page, STAMP_ROW, 9);
    assert.match(await text(page.locator('section[aria-labelledby="tenants-title"] .subtitle')), /live, not the plan$/);
    await shot(page, "plan-2-what-if.png");
    await page.getByTestId("drawer-tab-overview").click();
    await waitForText(page, 'section[aria-labelledby="capacity-title"] .subtitle', /^after plan q3$/);
    await page.getByTestId("drawer-tab-plan").click();
    await page.getByTestId("plan-side-before").click();
    await page.getByTestId("what-if-banner").waitFor({ state: "detached" });
    assert.equal(await page.getByTestId("totals-scope").count(), 0);
    assert.equal(await text(page.getByTestId("total-stamps")), "8");
    assert.equal(await page.getByTestId("plan-side-before").getAttribute("aria-pressed"), "true");
    assert.equal(await page.getByTestId("plan-side-after").getAttribute("aria-pressed"), "false");
    await waitForText(page, '[data-testid="map-caption"]', /^Before plan q3$/);
    await waitForText(page, 'section[aria-labelledby="map-title"] .subtitle', /· 8 stamps$/);
    await page.getByTestId("drawer-tab-overview").click();
    await waitForText(page, 'section[aria-labelledby="capacity-title"] .subtitle', /^whole fleet$/);
    await page.getByTestId("drawer-tab-plan").click();
    assert.match(await mapMarks(page), /syd-02/);
    // The same switch on the map itself, in step with the plan's.
    await page.getByTestId("map-plan-after").click();
    await waitForText(page, '[data-testid="map-caption"]', /^What-if: after plan q3$/);
    assert.equal(await page.getByTestId("plan-side-after").getAttribute("aria-pressed"), "true");
    assert.equal(await page.getByTestId("map-plan-after").getAttribute("aria-pressed"), "true");
    await page.getByTestId("plan-close").click();
    await page.getByTestId("map-caption").waitFor({ state: "detached" });
    assert.equal(await mapMarks(page), "");
    assert.match(await text(page.locator(planRow("q3"))), /q3 2 actions · not applied/);
    await done(session);
  });

  test("planners and the plan file: rebalance, forecast, export, a refused import, import", BOUNDED, async () => {
    const session = await open();
    const { page } = session;

    // The forecast panel: regions soonest full first; the map badges stamps full within 30 days.
    await page.getByTestId("forecast-region").first().waitFor();
    const regions = await page.getByTestId("forecast-region").evaluateAll((els) => els.map((e) => [e.dataset.days, e.textContent.trim()]));
    assert.equal(regions.length, DEMO.regions.length);
    // The demo's thirty days of usage: Australia East is past its reserve already,
    // West Europe has not grown.
    assert.equal(regions[0][1], "Region Australia East: full now");
    assert.match(regions[1][1], /^Region .+: full in about \d+ days$/);
    assert.equal(regions.at(-1)[1], "Region West Europe: not growing");
    const days = regions.map(([d]) => (d === "" ? Infinity : Number(d)));
    assert.deepEqual(days, [...days].sort((a, b) => a - b), "soonest first");
    await page.waitForFunction((sel) => document.querySelector(sel)?.dataset.forecastCount === "3", MAP);

    await newPlan(page, "balance");
    await page.getByTestId("plan-rebalance-limit").fill("60");
    await page.getByTestId("plan-rebalance").click();
    const result = page.getByTestId("plan-rebalance-result");
    await result.waitFor();
    // Residency keeps every over-full demo stamp's tenants in their region, where no
    // stamp has room under 60%: nothing to move, and each stamp says why.
    assert.match(await text(result), /^Proposed 0 moves, 0 units moved; lower bound 4 moves, 154 units/);
    assert.match(await text(result), /syd-01 stays over the limit: no stamp can take alpine-ski-house-prod \(46 units\) under the limit within its residency/);
    assert.equal(await page.locator(STEP).count(), 0);
    await page.getByTestId("plan-forecast").click();
    await page.getByTestId("plan-forecast-result").waitFor();
    const added = await page.locator(`${STEP} .description`).allTextContents();
    assert.deepEqual(added, [
      "add stamp fra-02 in aws-eu-central-1 (standard@1.4.0)",
      "add stamp syd-02 in azure-australiaeast (standard@1.4.0)",
      "add stamp syd-03 in azure-australiaeast (standard@1.4.0)",
      "add stamp tyo-02 in gcp-asia-northeast1 (standard@1.4.0)",
    ]);
    assert.match(await text(page.getByTestId("plan-forecast-result")), /^The forecast added 4 stamps to the plan\.$/);
    // Asked again, the forecast counts the stamps the plan adds: nothing more, and it says so.
    await page.getByTestId("plan-forecast").click();
    await waitForText(page, '[data-testid="plan-forecast-result"]', /^The forecast adds no stamps: no region runs out within 90 days, counting the stamps this plan adds\.$/);
    assert.equal(await page.locator(STEP).count(), 4);
    // The rebalance now uses the plan's own syd-02: syd-01's tenants stay in Australia East.
    await page.getByTestId("plan-rebalance").click();
    await waitForText(page, '[data-testid="plan-rebalance-result"]', /^Proposed [1-9]\d* moves?, .*; across regions: 0 of \d+ moves? \(0 km in all\)/);
    const moves = await page.locator(`${STEP} .description`).allTextContents();
    assert.ok(moves.slice(4).some((d) => /^move alpine-ski-house-\w+ to syd-02$/.test(d)), moves.join("\n"));
    await page.locator(`${STEP}[data-index="4"] [data-testid="plan-step-remove"]`).waitFor();
    while ((await page.locator(STEP).count()) > 4) {
      const n = await page.locator(STEP).count();
      await page.locator(`${STEP}[data-index="${n - 1}"] [data-testid="plan-step-remove"]`).click();
      await waitForCount(page, STEP, n - 1);
    }

    // Export: the file's text to copy, and a download.
    await page.getByTestId("plan-export").click();
    const exported = await page.getByTestId("plan-export-text").inputValue();
    assert.match(exported, /"schemaVersion": 1/);
    assert.equal(JSON.parse(exported).plan.actions.length, 4);
    assert.equal(await page.getByTestId("plan-download").getAttribute("download"), "balance.stampfleet-plan.json");
    assert.match(await page.getByTestId("plan-download").getAttribute("href"), /^blob:/);

    // A malformed file is refused, naming the field; nothing is imported.
    const file = JSON.parse(exported);
    file.plan.baseVersion = "yesterday";
    await page.getByTestId("plan-import-file").setInputFiles({
      name: "bad.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify(file)),
    });
    await waitForText(page, '[data-testid="plan-error"]', /^bad\.json: line 1, column \d+: plan\.baseVersion: invalid type: string "yesterday", expected i64$/);
    assert.equal(await page.getByTestId("plan-row").count(), 1);

    // Delete (with a confirm step), then import the exported file back.
    await page.getByTestId("plan-delete").click();
    await page.getByTestId("plan-delete-confirm").click();
    await page.getByTestId("plan-detail").waitFor({ state: "detached" });
    await waitForCount(page, '[data-testid="plan-row"]', 0);
    await page.getByTestId("plan-import-file").setInputFiles({
      name: "balance.stampfleet-plan.json",
      mimeType: "application/json",
      buffer: Buffer.from(exported),
    });
    await page.locator(planRow("balance")).waitFor();
    assert.match(await text(page.locator(planRow("balance"))), /4 actions/);
    await waitForCount(page, STEP, 4);

    // Keyboard: a plan row is a button; Enter selects it.
    await page.getByTestId("plan-close").click();
    await page.getByTestId("plan-detail").waitFor({ state: "detached" });
    await page.locator(planRow("balance")).focus();
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="plan-detail"][data-plan-name="balance"]').waitFor();
    await done(session);
  });

  test("a snapshot for planning offline: a new catalogue file with the fleet and its plans; never over a file", BOUNDED, async () => {
    const session = await open();
    const { page } = session;
    await newPlan(page, "q3");
    const file = join(env.server.dir, "laptop.sqlite");
    await page.getByTestId("snapshot-file").fill(file);
    await page.getByTestId("snapshot-take").click();
    const taken = page.getByTestId("snapshot-taken");
    await taken.waitFor();
    assert.match(await text(taken), new RegExp(`Written to ${file}: 8 stamps, 60 tenants, 1 plans`));
    await taken.scrollIntoViewIfNeeded();
    await saveShot(page, "plans-snapshot.png");
    // The file is a catalogue of its own: stampctl reads the plan there, and what it is.
    const info = env.server.stampctl.on(file)("info");
    assert.match(info, /a snapshot of .*, for planning/);
    // Opened, its window says what it is.
    const served = await serveCatalogue(file, { ...process.env, STAMPFLEET_CONFIG_DIR: env.server.dir });
    try {
      const copy = await openPage(env.browser, served.origin);
      await copy.page.getByTestId("snapshot-of").filter({ hasText: `snapshot of ${env.server.catalogue}, for planning` }).waitFor();
      await done(copy);
    } finally {
      await served.close();
    }
    assert.match(env.server.stampctl.on(file)("plan", "list"), /q3/);
    // Again to the same file: refused, the snapshot kept.
    await page.getByTestId("snapshot-take").click();
    await page.getByTestId("snapshot-error").filter({ hasText: "a file is there already" }).waitFor();
    await done(session);
  });

  test("apply: conflicts checked, progress action by action, then the live fleet holds the new stamp", BOUNDED, async () => {
    const session = await open();
    const { page } = session;
    await planSyd02(page, "q3");
    await page.getByTestId("plan-check").click();
    await page.getByTestId("plan-no-conflicts").waitFor();
    assert.equal(await text(page.getByTestId("plan-no-conflicts")), "No conflicts: the plan can be applied.");
    assert.equal(await text(page.getByTestId("plan-apply-status")), "Not applied yet.");

    // Records every progress value the bar shows.
    await page.evaluate(() => {
      const seen = (window.__planProgress = []);
      const note = () => {
        const bar = document.querySelector('[data-testid="plan-apply-progress"]');
        const value = bar && `${bar.getAttribute("aria-valuenow")}/${bar.getAttribute("aria-valuemax")} ${bar.textContent.trim()}`;
        if (value && seen.at(-1) !== value) seen.push(value);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.getByTestId("plan-apply").click();
    await waitForText(page, '[data-testid="plan-apply-status"]', /^Applied: 2 of 2 actions$/);
    const progress = await page.evaluate(() => window.__planProgress);
    assert.deepEqual(progress, ["0/2 Action 1 of 2", "1/2 Action 2 of 2", "2/2 Action 2 of 2"]);
    assert.equal(await page.getByTestId("plan-apply-progress").count(), 0, "no bar once applied");
    await page.locator(stampRow("syd-02")).waitFor();
    await waitForText(page, planRow("q3"), /2 actions · applied$/);
    await waitForText(page, '[data-testid="plan-drift"]', /^The catalogue changed [1-9]\d* times since this plan was made; the projection uses the fleet as it is now\.$/);
    await shot(page, "plan-3-applied.png");

    // The live fleet (the plan closed): the new stamp on the map and in the table, with its tenant.
    await page.getByTestId("plan-close").click();
    await waitForText(page, 'section[aria-labelledby="map-title"] .subtitle', /· 9 stamps$/);
    await page.locator(stampRow("syd-02")).click();
    await page.locator('[data-testid="tenant-row"][data-tenant-id="alpine-ski-house-prod"]').waitFor();
    await done(session);
  });

  test("pause mid-apply, then resume from the next action", BOUNDED, async () => {
    await env.renew("demo", { env: { STAMPFLEET_HOLD_APPLY: "1" } });
    const session = await open();
    const { page } = session;
    await planSyd02(page, "q3");
    await addAction(page, "changeCapacity", { stamp: "weu-01", capacity: 1200 });
    await page.getByTestId("plan-apply").click();
    // Held in action 1 until paused.
    const bar = page.getByTestId("plan-apply-progress");
    await bar.waitFor();
    await waitForText(page, '[data-testid="plan-apply-status"]', /^Applying: action 1 of 3$/);
    assert.equal(await bar.getAttribute("aria-valuenow"), "0");
    assert.equal(await bar.getAttribute("aria-valuemax"), "3");
    assert.equal(await bar.getAttribute("role"), "progressbar");
    assert.equal(await page.getByTestId("plan-apply").isDisabled(), true);
    await shot(page, "plan-4-applying.png");
    await page.getByTestId("plan-pause").click();
    await waitForText(page, '[data-testid="plan-apply-status"]', /^Paused before action 2 of 3$/);
    assert.equal(await text(page.getByTestId("plan-apply")), "Resume");
    await waitForText(page, planRow("q3"), /3 actions · paused at 1 of 3$/);
    assert.equal(await page.getByTestId("plan-error").count(), 0, "a pause is no error");
    await page.locator(stampRow("syd-02")).waitFor();

    // Half applied: the plan cannot be edited.
    await page.locator(`${STEP}[data-index="2"] [data-testid="plan-step-remove"]`).click();
    await waitForText(page, '[data-testid="plan-error"]', /applied up to action 1 of 3: finish applying it before editing it/);

    await page.getByTestId("plan-apply").click();
    await waitForText(page, '[data-testid="plan-apply-status"]', /^Applied: 3 of 3 actions$/);
    assert.equal(await text(page.getByTestId("plan-apply")), "Apply plan");
    await waitForText(page, stampRow("weu-01"), /1,200/);
    await done(session);
  });

  test("an apply killed after its first action is finished at start; the window shows it applied", BOUNDED, async () => {
    await env.renew("demo", {
      prepare: ({ stampctl }) => {
        stampctl("plan", "new", "resumed");
        stampctl("plan", "add", "resumed", "capacity", "weu-01", "1200");
        stampctl("plan", "add", "resumed", "json", JSON.stringify({
          action: "addStamp", stamp: "syd-02", region: "azure-australiaeast", template: "standard", version: "1.4.0",
        }));
        stampctl("plan", "add", "resumed", "move", "--to", "syd-02", "alpine-ski-house-prod");
        // Killed (abort) right after action 2 is journaled: action 1 is on the fleet.
        assert.throws(() => stampctl.withEnv({ STAMPFLEET_CRASH_AT: "action-2" })("plan", "apply", "resumed"));
        assert.match(stampctl("-o", "json", "plan", "list"), /"resumed"/);
      },
    });
    const session = await openPage(env.browser, env.server.origin, "/", { viewport: { width: 1440, height: 1400 } });
    const { page } = session;
    // The backend finished the apply at start: all three actions are on the fleet.
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length + 1);
    await waitForText(page, planRow("resumed"), /3 actions · applied$/);
    await waitForText(page, stampRow("weu-01"), /1,200/);
    await page.locator(planRow("resumed")).click();
    await waitForText(page, '[data-testid="plan-apply-status"]', /^Applied: 3 of 3 actions$/);
    assert.equal(await text(page.getByTestId("plan-apply")), "Apply plan");
    await page.getByTestId("plan-close").click();
    await page.locator(stampRow("syd-02")).click();
    await page.locator('[data-testid="tenant-row"][data-tenant-id="alpine-ski-house-prod"]').waitFor();
    assert.equal(await page.getByTestId("plan-error").count(), 0);
    await done(session);
  });

  test("a plan with conflicts is refused; the conflicts are listed", BOUNDED, async () => {
    const session = await open();
    const { page } = session;
    await newPlan(page, "bad");
    await addAction(page, "moveTenant", { tenant: "contoso-prod", stamp: "nope-01" });
    await page.getByTestId("plan-check").click();
    await waitForCount(page, '[data-testid="plan-conflict"]', 1);
    // syd-01 starts over the reserve, but the plan does not touch it: not a conflict.
    const conflicts = await page.getByTestId("plan-conflict").allTextContents();
    assert.deepEqual(conflicts, ["Action 1: no stamp nope-01"]);
    await page.getByTestId("plan-apply").click();
    await waitForText(page, '[data-testid="plan-apply-status"]', /^Refused: the plan has 1 conflict\(s\); nothing was applied\.$/);
    assert.deepEqual(await page.getByTestId("plan-conflict").allTextContents(), conflicts);
    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    await done(session);
  });

  test("Start local stamps: offered while a stamp does not answer; says what it started", BOUNDED, async () => {
    // weu-01's agent is stopped for real (its pid file names it), after the backend's
    // start-up (which brings local agents back) and while the window watches.
    const session = await open();
    const pid = Number(readFileSync(join(env.server.dir, "stamps", "weu-01", "data", "agent.pid"), "utf8").trim());
    process.kill(pid, "SIGTERM");
    const { page } = session;
    const start = page.getByTestId("start-local-stamps");
    await start.waitFor();
    await start.click();
    await waitForText(page, '[data-testid="start-local-stamps-result"]', /^Started 1 stamp: weu-01$/);
    await start.waitFor({ state: "detached" });
    await done(session);
  });
});
