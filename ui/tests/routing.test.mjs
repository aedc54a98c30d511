// Routing from the window, on the demo fleet's real agents and a real HAProxy: a router
// attached with `stampctl router haproxy-config` shows as not synced, "Sync now" sends
// it whole maps (in sync at the table's version); the selected tenant's route shows the
// router agreeing with its stamp, and the token "Issue token" shows works through
// HAProxy for that tenant (its stamp answers, not 401) and for no other (403).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { DEMO_TENANTS, TENANT_ROW, done, openDemo, useBackend, waitForText } from "./support/harness.mjs";

const TENANT = DEMO_TENANTS[0].tenant.id;
const OTHER = DEMO_TENANTS[1].tenant.id;

/** A loopback port nothing listens on now. */
function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

describe("routing", () => {
  const env = useBackend("demo");
  let pid = null;
  after(() => {
    if (pid) process.kill(pid, "SIGKILL");
  });

  test("a router synced from the window; a tenant's route and its fleet token through HAProxy", async () => {
    const port = await freePort();
    const dir = join(env.server.dir, "router");
    const files = JSON.parse(
      env.server.stampctl("-o", "json", "router", "haproxy-config", dir, "--listen", `127.0.0.1:${port}`),
    );
    execFileSync("haproxy", ["-D", "-f", files.config, "-p", join(dir, "haproxy.pid")], { stdio: "ignore" });
    pid = Number(readFileSync(join(dir, "haproxy.pid"), "utf8").trim());

    const session = await openDemo(env, { tenants: true });
    const { page } = session;
    const router = page.locator('[data-testid="router-row"][data-name="local"]');
    await router.waitFor();
    assert.equal(await router.getAttribute("data-state"), "never");
    await page.getByTestId("routers-sync").click();
    await waitForText(page, '[data-testid="routers-synced"]', /1 router\(s\) sent whole new maps/);
    const version = await page.getByTestId("routing-panel").getAttribute("data-version");
    await page.locator(`[data-testid="router-row"][data-name="local"][data-state="in-sync"][data-synced="${version}"]`).waitFor();

    await page.locator(`${TENANT_ROW}[data-tenant-id="${TENANT}"] td`).first().click();
    const stamp = DEMO_TENANTS[0].stamp;
    await page
      .locator(`[data-testid="tenant-route"][data-tenant="${TENANT}"][data-stamp="${stamp}"] [data-testid="tenant-route-router"][data-router="local"][data-agrees="true"]`)
      .waitFor();
    await page.getByTestId("tenant-token-issue").click();
    const shown = await page.getByTestId("tenant-token").locator("code").innerText();
    assert.match(shown, new RegExp(`^f\\.[a-z0-9]+\\.${TENANT}\\.\\d+\\.[A-Za-z0-9_-]+$`));

    const read = (tenant) =>
      fetch(`http://127.0.0.1:${port}/v1/tenants/${tenant}/kv/nothing-here`, {
        headers: { authorization: `Bearer ${shown}`, "x-tenant": tenant },
      });
    assert.equal((await read(TENANT)).status, 404, "its own stamp answers (no such key), not 401");
    assert.equal((await read(OTHER)).status, 403, "another tenant's data is refused");
    await done(session);
  });
});
