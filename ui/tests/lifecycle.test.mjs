// A tenant's lifecycle and this machine's stamp providers from the window, on the demo
// fleet's real agents (a fresh fleet per test): a tenant suspended with a reason
// (badged), resumed, then offboarded (its data exported to a file, gone from the list,
// audited); an http provider added and offered by New stamp, a command provider
// (registered with stampctl) listed but never added from the window.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { DEMO_TENANTS, TENANT_ROW, done, openDemo, useBackend, waitForCount, waitForText } from "./support/harness.mjs";

const TENANT = DEMO_TENANTS[0].tenant.id;
const row = `${TENANT_ROW}[data-tenant-id="${TENANT}"]`;

describe("tenant lifecycle and stamp providers", () => {
  const env = useBackend("demo", { fresh: true });

  test("a tenant is suspended with a reason, resumed, then offboarded with its data exported", async () => {
    const session = await openDemo(env, { tenants: true });
    const { page } = session;
    await page.locator(`${row} [data-testid="tenant-lifecycle-menu"]`).selectOption("suspend");
    await page.getByTestId("tenant-lifecycle-reason").fill("invoice 2026-11 unpaid");
    await page.getByTestId("tenant-lifecycle-confirm").click();
    await waitForText(page, '[data-testid="tenant-lifecycle-done"]', new RegExp(`${TENANT} is suspended`));
    const badge = page.locator(`${row} [data-testid="tenant-suspended"]`);
    await badge.waitFor();
    assert.match(await badge.getAttribute("title"), /invoice 2026-11 unpaid/);
    const listed = JSON.parse(env.server.stampctl("-o", "json", "tenant", "list", "--search", TENANT));
    assert.ok(listed, "stampctl still lists it");

    await page.locator(`${row} [data-testid="tenant-lifecycle-menu"]`).selectOption("resume");
    await page.getByTestId("tenant-lifecycle-confirm").click();
    await badge.waitFor({ state: "detached" });

    await page.locator(`${row} [data-testid="tenant-lifecycle-menu"]`).selectOption("offboard");
    await waitForText(page, '[data-testid="tenant-lifecycle"]', /exported to a file beside the catalogue/);
    await page.getByTestId("tenant-lifecycle-confirm").click();
    const message = await page.getByTestId("tenant-lifecycle-done").innerText();
    const file = message.match(/exported to (\S+)\.$/)?.[1];
    assert.ok(file && existsSync(file), message);
    assert.equal(JSON.parse(readFileSync(file, "utf8")).tenant.id, TENANT);
    await waitForCount(page, row, 0);
    await page.locator(`[data-testid="audit-row"][data-entity="tenant"][data-entity-id="${TENANT}"]`).first().waitFor();
    await done(session);
  });

  test("stamp providers: an http provider added in the window is offered by New stamp; a command one only listed", async () => {
    const script = "/bin/true";
    env.server.stampctl("provider", "add", "iac", "--command", script);
    const session = await openDemo(env);
    const { page } = session;
    const panel = page.getByTestId("providers-panel");
    await page.locator('[data-testid="provider-row"][data-name="iac"][data-kind="command"]').waitFor();
    assert.match(await panel.innerText(), /never from this window/);
    await page.getByTestId("provider-name").fill("eu-service");
    await page.getByTestId("provider-url").fill("https://provisioning.example.com/stamps");
    await page.getByTestId("provider-add").click();
    await page.locator('[data-testid="provider-row"][data-name="eu-service"][data-kind="http"]').waitFor();
    // The window cannot turn the command provider into anything else.
    await page.getByTestId("provider-name").fill("iac");
    await page.getByTestId("provider-url").fill("https://elsewhere.example.com");
    await page.getByTestId("provider-add").click();
    await waitForText(page, '[data-testid="provider-error"]', /never adds or changes a command provider/);

    await page.getByTestId("new-stamp").click();
    const options = await page.getByTestId("new-stamp-provider").locator("option").allInnerTexts();
    assert.deepEqual(options, ["local (this machine)", "eu-service (http)", "iac (command)"]);
    await done(session);
  });
});
