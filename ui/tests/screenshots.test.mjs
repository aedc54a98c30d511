// Screenshots for a human to look at (ui/test-results/, gitignored).
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DEMO_TENANTS, RESULTS_DIR, openPage, useBackend, waitForCount, waitForMap } from "./support/harness.mjs";

// `fleet`: the backend each shot is taken on (a demo fleet of real local agents, an
// empty catalogue, a file that is not a catalogue).
const SHOTS = [
  { file: "overview.png", fleet: "demo", ready: '[data-testid="tenant-row"]', colorScheme: "light" },
  // The size of the app's window: the map and the capacity charts fill it.
  { file: "overview-window.png", fleet: "demo", ready: '[data-testid="tenant-row"]', colorScheme: "light", window: { width: 1600, height: 1000 } },
  { file: "overview-dark.png", fleet: "demo", ready: '[data-testid="tenant-row"]', colorScheme: "dark" },
  { file: "first-run.png", fleet: "empty", ready: '[data-testid="create-demo"]', colorScheme: "light" },
  { file: "catalogue-error.png", fleet: "broken", ready: '[data-testid="catalogue-error"]', colorScheme: "light" },
];

describe("screenshots", () => {
  const env = useBackend();

  for (const shot of SHOTS) {
    test(`saves ${shot.file}`, async () => {
      if (shot.fleet !== "demo") await env.renew(shot.fleet);
      const { page, context, errors, external } = await openPage(env.browser, env.server.origin, "/", {
        colorScheme: shot.colorScheme,
        ...(shot.window ? { viewport: shot.window } : {}),
      });
      if (shot.ready === '[data-testid="tenant-row"]') {
        await waitForCount(page, shot.ready, DEMO_TENANTS.length);
        await waitForMap(page);
      } else {
        await page.locator(shot.ready).waitFor();
      }
      await page.screenshot({ path: join(RESULTS_DIR, shot.file), fullPage: !shot.window, animations: "disabled" });
      assert.deepEqual(errors, []);
      assert.deepEqual(external, []);
      await context.close();
    });
  }
});
