// The tenant onboarding wizard on the demo fleet (real local agents, fresh per test): details, the
// placement proposal with its explanation, onboarding with progress, and the
// fleet updated in place. Screenshots of each step go to ui/test-results/.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  DEMO, STAMP_ROW, done, openDemoDialog, shot, useBackend, waitForCount, waitForMap, waitForText,
} from "./support/harness.mjs";

const DIALOG = '[data-testid="onboard-dialog"]';
const row = (id) => `${STAMP_ROW}[data-stamp-id="${id}"]`;
const EU_STAMPS = DEMO.stamps
  .filter((s) => ["azure-westeurope", "aws-eu-central-1"].includes(s.stamp.region))
  .map((s) => s.stamp.id);
const WINDOW = { width: 1600, height: 1000 };

describe("onboarding wizard", () => {
  const env = useBackend("demo", { fresh: true });

  const openWizard = () => openDemoDialog(env, "onboard-button", "onboard-dialog", { viewport: WINDOW });


  test("NL tenant: derived id, EU proposal with reasons, onboarded and counted", async () => {
    const session = await openWizard();
    const { page } = session;
    await waitForMap(page);
    await page.getByTestId("onboard-name").fill("Contoso Bank (NL)");
    assert.equal(await page.getByTestId("onboard-id").inputValue(), "contoso-bank-nl");
    await page.getByTestId("onboard-tier").selectOption("premium");
    await page.getByTestId("onboard-size").fill("25");
    await page.getByTestId("onboard-residency-country").selectOption("NL");
    assert.match(await page.getByTestId("onboard-residency").innerText(), /NL/);
    await shot(page, "onboard-1-details.png");

    await page.getByTestId("onboard-next").click();
    const proposal = page.getByTestId("onboard-proposal");
    await proposal.waitFor();
    const proposed = await page.getByTestId("onboard-proposed-stamp").getAttribute("data-stamp-id");
    assert.ok(EU_STAMPS.includes(proposed), `proposed ${proposed}`);
    assert.match(await proposal.innerText(), new RegExp(proposed));
    assert.ok((await page.getByTestId("onboard-alternative").count()) >= 1);
    const rejections = page.getByTestId("onboard-rejections");
    await rejections.locator("summary").click();
    assert.match(await rejections.innerText(), /residency: \d+/);
    assert.ok((await rejections.locator('[data-rule="residency"]').count()) > 0);
    assert.match(await rejections.innerText(), /outside the tenant's residency/);
    await shot(page, "onboard-2-proposal.png");

    const before = DEMO.stamps.find((s) => s.stamp.id === proposed).tenantCount;
    await page.getByTestId("onboard-confirm").click();
    await page.getByTestId("onboard-progress").waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="onboard-progress"] [role="progressbar"]')?.getAttribute("aria-valuenow")) >= 40,
    );
    await shot(page, "onboard-3-progress.png");
    await page.locator(DIALOG).waitFor({ state: "detached" });
    const confirmation = page.getByTestId("onboard-done");
    await confirmation.waitFor();
    assert.match(await confirmation.innerText(), new RegExp(`Contoso Bank \\(NL\\) lives on\\s+${proposed}`));
    await page.waitForFunction(() => document.querySelector('[data-testid="onboard-done"]')?.getBoundingClientRect().top >= 0 && window.scrollY < 200);
    await shot(page, "onboard-4-done.png");
    assert.equal(await page.locator(row(proposed)).getAttribute("aria-selected"), "true");
    await page.waitForFunction(
      ([sel, n]) => document.querySelector(sel)?.querySelectorAll("td")[5]?.textContent?.trim() === String(n),
      [row(proposed), before + 1],
    );
    await page.locator('[data-testid="tenant-row"]', { hasText: "contoso-bank-nl" }).waitFor();
    await waitForCount(page, '[data-testid="tenant-row"]', before + 1);
    await done(session);
  });

  test("residency picked on the map, home location: the proposal is in the region, with its distance", async () => {
    const session = await openWizard();
    const { page } = session;
    await page.getByTestId("onboard-name").fill("Northwind (DE)");
    const map = page.getByTestId("onboard-residency-map");
    const dot = (id) => map.locator(`[data-region="${id}"]`);
    assert.equal(await map.locator("[data-region]").count(), DEMO.regions.length);
    const frankfurt = dot("aws-eu-central-1");
    assert.equal(await frankfurt.getAttribute("role"), "checkbox");
    assert.equal(await frankfurt.getAttribute("aria-checked"), "false");
    assert.match(await frankfurt.locator("title").textContent(), /Europe \(Frankfurt\) \(aws-eu-central-1\), DE/);

    await frankfurt.click();
    assert.equal(await frankfurt.getAttribute("aria-checked"), "true");
    // The lists show the same state: a chip, and the region can no longer be added.
    assert.match(await page.getByTestId("onboard-residency").innerText(), /Europe \(Frankfurt\)/);
    const listed = page.getByTestId("onboard-residency-region").locator('option[value="aws-eu-central-1"]');
    assert.equal(await listed.isDisabled(), true);

    // Keyboard: Space toggles Tokyo in, Enter out again; the Remove button unchecks a dot.
    const tokyo = dot("gcp-asia-northeast1");
    await tokyo.focus();
    await page.keyboard.press("Space");
    assert.equal(await tokyo.getAttribute("aria-checked"), "true");
    await page.keyboard.press("Enter");
    assert.equal(await tokyo.getAttribute("aria-checked"), "false");
    assert.equal(await page.locator(DIALOG).getAttribute("data-step"), "1");
    await page.getByTestId("onboard-residency-region").selectOption("aws-us-east-1");
    assert.equal(await dot("aws-us-east-1").getAttribute("aria-checked"), "true");
    await page.getByRole("button", { name: "Remove region aws-us-east-1" }).click();
    assert.equal(await dot("aws-us-east-1").getAttribute("aria-checked"), "false");

    // A chosen country dims the dots it rules out.
    await page.getByTestId("onboard-residency-country").selectOption("DE");
    assert.match(await dot("azure-westeurope").getAttribute("class"), /\bdimmed\b/);
    assert.doesNotMatch(await frankfurt.getAttribute("class"), /\bdimmed\b/);

    const home = page.getByTestId("onboard-home");
    const labels = await home.locator("option").allInnerTexts();
    assert.deepEqual(labels, ["None", ...DEMO.regions.map((r) => `Near ${r.region.displayName} (${r.region.country})`).sort()]);
    await home.selectOption({ label: "Near West Europe (NL)" });
    await shot(page, "onboard-1-residency-map.png");

    await page.getByTestId("onboard-next").click();
    const proposed = page.getByTestId("onboard-proposed-stamp");
    await proposed.waitFor();
    const stamp = await proposed.getAttribute("data-stamp-id");
    const region = DEMO.stamps.find((s) => s.stamp.id === stamp).stamp.region;
    assert.equal(region, "aws-eu-central-1", `proposed ${stamp} in ${region}`);
    // Amsterdam to Frankfurt, as the engine measures it.
    assert.equal(await proposed.getByTestId("onboard-distance").innerText(), "363 km from home");
    // Free units counted as the stamp table counts them (capacity minus used), the reserve named.
    const view = DEMO.stamps.find((s) => s.stamp.id === stamp);
    const words = await proposed.getByTestId("onboard-free-after").innerText();
    const [total, above, reserve] = words
      .match(/^([\d,]+) units free after, ([\d,]+) above the ([\d,]+)-unit reserve$/)
      .slice(1)
      .map((n) => Number(n.replace(/,/g, "")));
    assert.equal(total, above + reserve, words);
    assert.ok(total < view.capacity.totalUnits - view.capacity.usedUnits, words);
    assert.match(await page.locator('section[aria-label="Proposed stamp"]').innerText(), /Why: .*363 km from the tenant's home/);
    await shot(page, "onboard-2-distance.png");

    // Back to the details: the map still shows the choice.
    await page.getByRole("button", { name: "Back" }).click();
    assert.equal(await dot("aws-eu-central-1").getAttribute("aria-checked"), "true");
    assert.equal(await page.getByTestId("onboard-home").inputValue(), "azure-westeurope");
    await done(session);
  });

  test("every invalid field says what is wrong beside it, at once; the id's format is shown up front", async () => {
    const session = await openWizard();
    const { page } = session;
    const next = page.getByTestId("onboard-next");
    const idHelp = page.getByTestId("onboard-id-help");
    assert.equal((await idHelp.innerText()).trim(), "Lowercase letters a–z, digits and '-'; starts with a letter; at most 63.");
    // Three problems, all shown after one Next, each by its field.
    await page.getByTestId("onboard-id").fill("9fabrikam");
    await page.getByTestId("onboard-size").fill("0");
    await next.click();
    assert.equal((await page.getByTestId("onboard-problem-displayName").innerText()).trim(), "Enter a name.");
    assert.equal((await idHelp.innerText()).trim(), "Start with a lowercase letter (a–z).");
    assert.equal((await page.getByTestId("onboard-problem-sizeUnits").innerText()).trim(), "Enter a whole number of capacity units above 0.");
    for (const field of ["onboard-name", "onboard-id", "onboard-size"]) {
      assert.equal(await page.getByTestId(field).getAttribute("aria-invalid"), "true", field);
    }
    // Fixed one by one, each message goes as its field is fixed; the form is kept.
    await page.getByTestId("onboard-name").fill("Fabrikam");
    await page.getByTestId("onboard-problem-displayName").waitFor({ state: "detached" });
    await page.getByTestId("onboard-id").fill("fabrikam");
    await waitForText(page, '[data-testid="onboard-id-help"]', /^Lowercase letters/);
    // Edited by hand: the id no longer follows the name.
    await page.getByTestId("onboard-name").fill("Fabrikam Ltd");
    assert.equal(await page.getByTestId("onboard-id").inputValue(), "fabrikam");
    await next.click();
    assert.equal(await page.getByTestId("onboard-proposal").count(), 0);
    assert.equal(await page.getByTestId("onboard-problem-sizeUnits").count(), 1);
    assert.equal(await page.getByTestId("onboard-name").inputValue(), "Fabrikam Ltd");
    await page.keyboard.press("Escape");
    await page.locator(DIALOG).waitFor({ state: "detached" });
    await done(session);
  });

  test("no stamp fits: one click provisions the proposed stamp and onboards the tenant onto it", async () => {
    const session = await openWizard();
    const { page } = session;
    await page.getByTestId("onboard-name").fill("Nintendo");
    await page.getByTestId("onboard-tier").selectOption("enterprise");
    await page.getByTestId("onboard-size").fill("100");
    await page.getByTestId("onboard-isolation").selectOption("dedicated");
    await page.getByTestId("onboard-residency-country").selectOption("JP");
    await page.getByTestId("onboard-next").click();
    await waitForText(page, '[data-testid="onboard-proposal"]', /No stamp fits/);
    const button = page.getByTestId("onboard-provision-and-place");
    const label = (await button.innerText()).trim();
    const [, id] = label.match(/^Provision (\S+) and place here$/) ?? [];
    assert.ok(id, label);
    await button.click();
    await page.locator(DIALOG).waitFor({ state: "detached" });
    // The window shows where it lives: the new stamp, in the fleet's totals too.
    await page.locator(row(id)).waitFor();
    await waitForText(page, '[data-testid="total-stamps"]', new RegExp(`^${DEMO.stamps.length + 1}$`));
    assert.match(await page.locator(row(id)).innerText(), /dedicated@/);
    const lives = env.server.stampctl("-o", "json", "tenant", "list", "--search", "nintendo");
    assert.equal(JSON.parse(lives)[0].stamp, id);
    await done(session);
  });

  test("residency in a country without a region is refused, with no confirm", async () => {
    const session = await openWizard();
    const { page } = session;
    await page.getByTestId("onboard-name").fill("Polar Research");
    await page.getByTestId("onboard-residency-code").fill("aq");
    await page.getByTestId("onboard-residency-add").click();
    assert.match(await page.getByTestId("onboard-residency").innerText(), /AQ/);
    await page.getByTestId("onboard-next").click();
    const refusal = page.getByTestId("onboard-refusal");
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /no known region satisfies the residency \(countries AQ\)/);
    assert.equal(await page.getByTestId("onboard-confirm").count(), 0);
    await shot(page, "onboard-2-refusal.png");
    await done(session);
  });
});
