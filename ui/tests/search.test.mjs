// Tenant search on a catalogue of 2,500 tenants (`stampctl generate`, imported): an
// unselective search says "1,000+" and keeps paging, a selective one counts exactly;
// the tenant box says there are more than it counts.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { TENANT_ROW, WAIT, done, openPage, useBackend, waitForCount } from "./support/harness.mjs";

const PANEL = '[data-testid="tenant-panel"]';

describe("tenant search at more than a thousand tenants", () => {
  const env = useBackend("empty", {
    prepare: ({ dir, stampctl }) => {
      const file = join(dir, "fleet.json");
      stampctl("generate", "--stamps", "20", "--tenants", "2500", "--file", file);
      stampctl("import", file);
    },
  });

  /** Waits until the tenant panel's count says `total` (and whether it is capped). */
  async function waitForTotal(page, total, capped) {
    await page.waitForFunction(
      ([sel, t, c]) => {
        const panel = document.querySelector(sel);
        return panel?.dataset.total === String(t) && panel?.dataset.capped === String(c);
      },
      [PANEL, total, capped],
      { timeout: WAIT },
    );
  }

  test("'tenant' matches all 2,500: 1,000+, and the pages go on past the count", async () => {
    const session = await openPage(env.browser, env.server.origin, "/", { viewport: { width: 1440, height: 1400 } });
    const { page } = session;
    await page.getByTestId("tenant-search").fill("tenant");
    await waitForTotal(page, 1000, true);
    assert.match(await page.locator('section[aria-labelledby="tenants-title"]').innerText(), /Showing [\d,]+ of 1,000\+/);
    const first = await page.locator(TENANT_ROW).count();
    await page.getByTestId("tenants-show-more").click();
    await waitForCount(page, TENANT_ROW, first * 2);

    await page.getByTestId("tenant-search").fill("tenant 12");
    // Tenant 12, 120-129, 1200-1299: an exact count, no "+".
    await waitForTotal(page, 111, false);
    assert.match(await page.locator('section[aria-labelledby="tenants-title"]').innerText(), /of 111(?!\+)/);

    const locator = page.getByTestId("tenant-locator");
    await locator.fill("tenant");
    await page.getByText("More than 1,000 match; type more of the name.").waitFor();
    await done(session);
  });
});
