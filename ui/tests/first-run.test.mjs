// First run on an empty catalogue, the unreadable-catalogue screen, and the
// guarantee that the UI never talks to anything but its own origin.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEMO, DEMO_TENANTS, STAMP_ROW, openPage, useBackend, waitForCount } from "./support/harness.mjs";

/** What the backend says of a catalogue file that is not one. */
const brokenMessage = (path) =>
  `${path}: not a Stampfleet catalogue (it is not an SQLite database); the file was left untouched`;

describe("first run and failures", () => {
  const env = useBackend("empty");

  test("empty catalogue: welcome screen, then 'Create demo fleet' loads the fleet", async () => {
    const { page, context, errors, external } = await openPage(env.browser, env.server.origin, "/");
    await page.getByRole("heading", { name: "Your catalogue is empty" }).waitFor();
    await page.getByText("8 stamps over 5 regions and 3 providers, with 60 tenants").waitFor();
    await page.getByText("stampctl import FILE").waitFor();
    assert.equal(await page.locator('[data-testid="stamp-row"]').count(), 0);

    const button = page.getByTestId("create-demo");
    assert.equal((await button.innerText()).trim(), "Create demo fleet");
    await button.click();
    await page.waitForSelector('[data-testid="create-demo"][aria-busy="true"]:disabled');

    await waitForCount(page, STAMP_ROW, DEMO.stamps.length);
    await waitForCount(page, '[data-testid="tenant-row"]', DEMO_TENANTS.length);
    const ids = await page
      .locator('[data-testid="stamp-row"]')
      .evaluateAll((rows) => rows.map((r) => r.dataset.stampId));
    assert.deepEqual(ids, DEMO.stamps.map((s) => s.stamp.id));
    assert.equal(await page.getByTestId("first-run").count(), 0);
    assert.equal((await page.getByTestId("total-stamps").innerText()).trim(), "8");
    assert.equal((await page.getByTestId("total-tenants").innerText()).trim(), "60");
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    await context.close();
  });

  test("a file that is not a catalogue: the error screen with the backend's message", async () => {
    await env.renew("broken");
    const { page, context, errors, external } = await openPage(env.browser, env.server.origin, "/");
    const screen = page.getByTestId("catalogue-error");
    await screen.waitFor();
    assert.equal((await page.getByTestId("error-message").innerText()).trim(), brokenMessage(env.server.catalogue));
    await page.getByRole("heading", { name: "The catalogue could not be opened" }).waitFor();
    assert.equal(await page.getByTestId("first-run").count(), 0);
    assert.equal(await page.locator('[data-testid="stamp-row"]').count(), 0);
    // Retrying fails the same way and lands on the same screen.
    await page.getByRole("button", { name: "Try again" }).click();
    await screen.waitFor();
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    await context.close();
  });

  test("after the app reloaded a crashed page, the window says so once; dismissed, it is gone", async () => {
    const { page, context } = await openPage(env.browser, env.server.origin, "/?recovered=crashed");
    const notice = page.getByTestId("web-recovered");
    await notice.waitFor();
    assert.match(await notice.innerText(), /The window's content crashed and was loaded again\. Nothing was lost/);
    assert.equal(new URL(page.url()).search, "", "a later reload does not say it again");
    await page.getByTestId("web-recovered-dismiss").click();
    await notice.waitFor({ state: "detached" });
    await context.close();
  });

  test("no request ever goes to a host other than 127.0.0.1", async () => {
    const seen = [];
    const external = [];
    for (const kind of ["empty", "demo", "broken"]) {
      await env.renew(kind);
      const session = await openPage(env.browser, env.server.origin, "/");
      session.page.on("request", (r) => seen.push(r.url()));
      if (kind === "empty") {
        await session.page.getByTestId("create-demo").click();
      }
      if (kind !== "broken") {
        await waitForCount(session.page, STAMP_ROW, DEMO.stamps.length);
        await session.page.locator('[data-stamp-id="syd-01"]').click();
        await session.page.getByTestId("tenant-search").fill("contoso");
        await session.page.getByTestId("tenant-locator").fill("contoso");
      } else {
        await session.page.getByTestId("catalogue-error").waitFor();
      }
      // Every panel has asked the backend once the tenant search has answered.
      if (kind !== "broken") await waitForCount(session.page, '[data-testid="tenant-row"]', DEMO_TENANTS.filter((t) => /contoso/i.test(`${t.tenant.id} ${t.tenant.displayName}`) && t.stamp === "syd-01").length);
      external.push(...session.external);
      assert.deepEqual(session.errors, []);
      await session.context.close();
    }
    assert.deepEqual(external, [], `requests left 127.0.0.1: ${external.join(", ")}`);
    assert.ok(seen.every((u) => new URL(u).hostname === "127.0.0.1"), seen.join(", "));
  });
});
