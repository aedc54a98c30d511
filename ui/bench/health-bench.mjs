#!/usr/bin/env node
// The window at fleet scale while health streams in (a benchmark, not a test).
//
//   STAMPCTL=target/release/stampctl node bench/health-bench.mjs <catalogue.sqlite> --stamps N [--seconds 20]
//
// Run by `.ci/bench-fleet window`, which makes a catalogue of simulated remote stamps
// (fleet-sim) that answer health, some reporting new figures each round. Serves it with
// the real backend (`stampctl serve-ui`, which runs the app's health watcher) and opens
// the built app in headless Chromium (software rendering, frames capped at 60/s).
// Measures:
//   - how long after the map painted every stamp's health was in the window;
//   - a drag on the map (one in-page pointer event per frame) for SECONDS while health
//     keeps arriving: the frame rate, the gaps between frames, the page's long tasks
//     (over 50 ms: the window not answering), and the health messages taken in.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { launchBrowser, serveCatalogue } from "../tests/support/harness.mjs";
import { ms, openPainted, quantile } from "./common.mjs";
import { startProfile } from "./cpu-profile.mjs";

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { seconds: { type: "string", default: "20" }, stamps: { type: "string" } },
});
if (positionals.length !== 1 || !(Number(options.stamps) > 0)) {
  console.error("usage: node bench/health-bench.mjs <catalogue.sqlite> --stamps N [--seconds 20]");
  process.exit(2);
}
const SECONDS = Number(options.seconds);
const VIEWPORT = { width: 1440, height: 900 };
const CANVAS = '[data-testid="world-map"]';
const ALL_HEALTH_TIMEOUT = 180_000;

/** Long tasks from now on, kept on the page. */
async function watchLongTasks(page) {
  await page.evaluate(() => {
    globalThis.__benchLongTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) globalThis.__benchLongTasks.push({ at: e.startTime, ms: e.duration });
    }).observe({ type: "longtask", buffered: false });
  });
}

/** The drag (ui/bench/drag-probe.js, shared with the real window's probe). */
const DRAG_PROBE = readFileSync(new URL("./drag-probe.js", import.meta.url), "utf8");
async function dragWhileHealthArrives(page, seconds) {
  return page.evaluate(`(${DRAG_PROBE})(${JSON.stringify(CANVAS)}, ${seconds})`);
}

async function main() {
  const server = await serveCatalogue(resolve(positionals[0]), process.env);
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openPainted(browser, server, VIEWPORT);
    await watchLongTasks(page);
    const stamps = Number(options.stamps);
    const painted = await page.evaluate(() => performance.getEntriesByName("stampfleet:map-painted", "mark")[0]?.startTime ?? 0);
    const handle = await page.waitForFunction(
      (n) => (window.__stampfleetHealthMessages ?? []).find((m) => m.known >= n)?.at,
      stamps,
      { timeout: ALL_HEALTH_TIMEOUT, polling: 200 },
    );
    const allKnownAt = await handle.jsonValue();
    const stopProfile = await startProfile(page);
    const run = await dragWhileHealthArrives(page, SECONDS);
    const profiled = await stopProfile();
    const gaps = run.frames.slice(1).map((t, i) => t - run.frames[i]);
    const fps = ((run.frames.length - 1) * 1000) / (run.frames[run.frames.length - 1] - run.frames[0]);
    const long = run.longTasks.map((t) => t.ms);
    const entries = run.messages.map((m) => m.entries);
    console.log(`window with ${stamps} stamps whose health streams in (headless Chromium, ${VIEWPORT.width}x${VIEWPORT.height})`);
    console.log(`every stamp's health in the window: ${ms(allKnownAt - painted)} ms after the map painted`);
    console.log(`drag on the map for ${SECONDS} s while health arrives:`);
    console.log(`  frame rate ${fps.toFixed(1)} fps; gaps between frames p95 ${ms(quantile(gaps, 0.95))} ms, p99 ${ms(quantile(gaps, 0.99))} ms, max ${ms(Math.max(...gaps))} ms`);
    console.log(`  long tasks (> 50 ms): ${long.length}, longest ${long.length ? ms(Math.max(...long)) : "—"} ms, total ${ms(long.reduce((a, b) => a + b, 0))} ms`);
    console.log(`  health messages taken in: ${entries.length}, stamps named per message p50 ${quantile(entries, 0.5) ?? "—"}, max ${entries.length ? Math.max(...entries) : "—"}`);
    console.log(profiled);
    if (errors.length) console.log(`page errors: ${errors.join(" | ")}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
