#!/usr/bin/env node
// World map benchmark (not a test): paint time and pan frame rate of the map
// in the built app, over a given catalogue.
//
//   npm run build
//   STAMPCTL=target/release/stampctl node bench/map-bench.mjs <catalogue.sqlite> [--loads 5] [--seconds 3] [--uncapped] [--dist DIR] [--screenshots DIR]
//
// Serves the catalogue with the real backend (`stampctl serve-ui`, the app's CSP) and
// opens the app in headless Chromium. Measures:
//   - paint time: performance mark "stampfleet:map-painted" minus
//     "stampfleet:overview-arrived", over fresh page loads (median, max);
//   - panning: continuous mouse drags at three zoom levels, reporting frames
//     the map drew per second and per-frame draw time (window.__stampfleetMapFrames).
// Headless Chromium renders in software (--disable-gpu) and caps frames at the
// display rate (60/s) unless --uncapped; numbers are this machine's, not a spec.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { CHROMIUM, DIST_DIR, STAMPCTL, launchBrowser, serveCatalogue } from "../tests/support/harness.mjs";
import { median, ms, openPainted, quantile } from "./common.mjs";

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    loads: { type: "string", default: "5" },
    seconds: { type: "string", default: "3" },
    dist: { type: "string", default: DIST_DIR },
    uncapped: { type: "boolean", default: false },
    screenshots: { type: "string" },
  },
});
if (positionals.length !== 1) {
  console.error("usage: node bench/map-bench.mjs <catalogue.sqlite> [--loads 5] [--seconds 3] [--uncapped] [--dist DIR] [--screenshots DIR]");
  process.exit(2);
}
const CATALOGUE = resolve(positionals[0]);
/** The overview the window will get: where the bench zooms and pans. */
const overview = JSON.parse(
  execFileSync(STAMPCTL, ["--catalogue", CATALOGUE, "-o", "json", "overview"], { encoding: "utf8", maxBuffer: 256 << 20 }),
);
const LOADS = Number(options.loads);
const PAN_SECONDS = Number(options.seconds);
const ROOT = resolve(options.dist);
const VIEWPORT = { width: 1440, height: 900 };
const WRAPPER = '[data-testid="world-map-wrapper"]';
const MOVES_PER_BATCH = 4;
const CANVAS = '[data-testid="world-map"]';

if (!existsSync(`${ROOT}/index.html`)) {
  console.error(`${ROOT}/index.html is missing: run \`npm run build\` in ui/ first`);
  process.exit(2);
}

async function browserFor() {
  if (!options.uncapped) return launchBrowser();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-gpu-vsync", "--disable-frame-rate-limit"],
  });
}

async function measurePaint(page) {
  return page.evaluate(() => {
    const mark = (name) => performance.getEntriesByName(name, "mark")[0]?.startTime ?? NaN;
    const arrived = mark("stampfleet:overview-arrived");
    const painted = mark("stampfleet:map-painted");
    return { arrived, painted, paint: painted - arrived };
  });
}

const zoomOf = async (page) => Number(await page.locator(WRAPPER).getAttribute("data-zoom"));

/** Wheel-zooms to about `target` around a screen point (one wheel event per step of ≤ ×2). */
async function zoomTo(page, at, target) {
  await page.mouse.move(at.x, at.y);
  for (let i = 0; i < 20; i++) {
    const k = await zoomOf(page);
    if (Math.abs(Math.log(target / k)) < 0.02) break;
    const step = Math.max(-Math.LN2, Math.min(Math.LN2, Math.log(target / k)));
    await page.mouse.wheel(0, -step / 0.002);
    await page.waitForFunction(([sel, before]) => document.querySelector(sel)?.dataset.zoom !== before, [WRAPPER, k.toFixed(2)], { timeout: 5000 }).catch(() => {});
  }
}

/** A screen point over Europe: the drawn marker standing for European regions nearest the middle, else a guess. */
async function europePoint(page, box) {
  const european = new Set(
    overview.regions
      .filter(({ region }) => region.latitude > 35 && region.latitude < 72 && region.longitude > -12 && region.longitude < 35)
      .map(({ region }) => region.id),
  );
  const regionOfStamp = new Map(overview.stamps.map((s) => [s.stamp.id, s.stamp.region]));
  const regionsOf = (m) =>
    m.kind === "cluster" ? m.id.slice("cluster:".length).split(",") : m.kind === "stamp" ? [regionOfStamp.get(m.id)] : [m.id];
  const list = JSON.parse((await page.locator(CANVAS).getAttribute("data-markers")) ?? "[]");
  const distance = (m) => Math.hypot(m.x - box.width / 2, m.y - box.height / 2);
  const hits = list.filter((m) => regionsOf(m).some((id) => european.has(id))).sort((a, b) => distance(a) - distance(b));
  if (hits.length > 0) return { x: box.x + hits[0].x, y: box.y + hits[0].y };
  return { x: box.x + box.width * 0.52, y: box.y + box.height * 0.22 };
}

/** Drags in circles for `seconds`, many small moves; returns frame stats from the page. */
async function pan(page, box, seconds) {
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.evaluate(() => {
    window.__stampfleetMapFrames = [];
    window.__stampfleetMapFrameTimes = [];
    const probe = { rafs: 0, start: performance.now(), running: true };
    const tick = () => {
      if (!probe.running) return;
      probe.rafs++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    globalThis.__benchProbe = probe;
  });
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  const radius = Math.min(140, box.height / 4);
  const started = Date.now();
  let moves = 0;
  // Moves go out in small pipelined batches so input arrives faster than frames can be drawn.
  while (Date.now() - started < seconds * 1000) {
    const batch = [];
    for (let i = 0; i < MOVES_PER_BATCH; i++, moves++) {
      const angle = moves * 0.03;
      batch.push(page.mouse.move(centre.x + radius * Math.sin(angle), centre.y + radius * (1 - Math.cos(angle)) * 0.6));
    }
    await Promise.all(batch);
  }
  await page.mouse.up();
  const stats = await page.evaluate(() => {
    const probe = globalThis.__benchProbe;
    probe.running = false;
    const elapsed = (performance.now() - probe.start) / 1000;
    return {
      frames: [...(window.__stampfleetMapFrames ?? [])],
      times: [...(window.__stampfleetMapFrameTimes ?? [])],
      rafs: probe.rafs,
      elapsed,
    };
  });
  return { ...stats, moves };
}

/**
 * Drags in the same circles with one pointer event per animation frame, dispatched in
 * the page (as a real mouse at >= 60 Hz delivers them), so that input delivery over
 * the DevTools protocol does not limit the frame rate: this measures rendering alone.
 */
async function panPerFrame(page, seconds) {
  return page.evaluate(
    ([selector, seconds]) =>
      new Promise((resolve) => {
        const canvas = document.querySelector(selector);
        const box = canvas.getBoundingClientRect();
        const centre = { x: box.left + box.width / 2, y: box.top + box.height / 2 };
        const radius = Math.min(140, box.height / 4);
        const fire = (type, x, y) =>
          canvas.dispatchEvent(
            new PointerEvent(type, { pointerId: 7, clientX: x, clientY: y, buttons: 1, bubbles: true }),
          );
        window.__stampfleetMapFrames = [];
        window.__stampfleetMapFrameTimes = [];
        fire("pointerdown", centre.x, centre.y);
        const start = performance.now();
        let rafs = 0;
        const tick = (now) => {
          rafs++;
          const angle = rafs * 0.08;
          fire("pointermove", centre.x + radius * Math.sin(angle), centre.y + radius * (1 - Math.cos(angle)) * 0.6);
          if (now - start < seconds * 1000) {
            requestAnimationFrame(tick);
            return;
          }
          fire("pointerup", centre.x, centre.y);
          resolve({
            frames: [...window.__stampfleetMapFrames],
            times: [...window.__stampfleetMapFrameTimes],
            rafs,
            elapsed: (performance.now() - start) / 1000,
            moves: rafs,
          });
        };
        requestAnimationFrame(tick);
      }),
    [CANVAS, seconds],
  );
}

async function main() {
  const server = await serveCatalogue(CATALOGUE, process.env, ROOT);
  const browser = await browserFor();
  const lines = [];
  const out = (s = "") => lines.push(s);
  try {
    const paints = [];
    const sinceNavigation = [];
    for (let i = 0; i < LOADS; i++) {
      const { context, page } = await openPainted(browser, server, VIEWPORT);
      const { painted, paint } = await measurePaint(page);
      paints.push(paint);
      sinceNavigation.push(painted);
      await context.close();
    }

    const { context, page, errors } = await openPainted(browser, server, VIEWPORT);
    const box = await page.locator(CANVAS).boundingBox();
    const levels = [];
    const measureLevel = async (label) => {
      await page.waitForTimeout(300);
      const markers = Number(await page.locator(WRAPPER).getAttribute("data-marker-count"));
      const k = await zoomOf(page);
      if (options.screenshots) {
        await page.screenshot({ path: join(options.screenshots, `map-bench-${label.replace(/\W+/g, "-").toLowerCase()}.png`) });
      }
      const stats = await pan(page, box, PAN_SECONDS);
      levels.push({ label, k, markers, ...stats });
      const perFrame = await panPerFrame(page, PAN_SECONDS);
      levels.push({ label: `${label}, per-frame`, k, markers, ...perFrame });
    };
    await zoomTo(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, 1.5);
    await measureLevel("world");
    const europe = await europePoint(page, box);
    await zoomTo(page, europe, 8);
    await measureLevel("Europe");
    // The drags are closed loops, so the map is back where it was; zoom on over European markers.
    await zoomTo(page, await europePoint(page, box), 40);
    await measureLevel("max zoom");
    await context.close();

    out(`Stampfleet world map benchmark  (${new Date().toISOString()})`);
    out(`overview: ${positionals[0]}`);
    out(`stamps: ${overview.stamps.length}   regions: ${overview.regions.length}   viewport: ${VIEWPORT.width}x${VIEWPORT.height} CSS px, dpr 1`);
    out(`chromium: ${CHROMIUM} headless, software rendering${options.uncapped ? ", frame rate uncapped" : ", frame rate capped by vsync"}`);
    out();
    out(`paint time (map-painted − overview-arrived), ${LOADS} fresh loads`);
    out(`  median ${ms(median(paints))} ms   max ${ms(Math.max(...paints))} ms   runs: ${paints.map(ms).join(", ")}`);
    out(`  (map painted ${ms(median(sinceNavigation))} ms after navigation start, median)`);
    out();
    out(`panning: continuous drag for ${PAN_SECONDS} s per level`);
    const header = ["level", "zoom", "markers", "moves", "pan fps", "p95 gap ms", "rAF/s", "draw p50 ms", "draw p95 ms", "draw max ms"];
    // Frame rate while the pan is in progress: frames drawn between the first and the
    // last pan frame, and the 95th percentile of the gaps between consecutive frames.
    const panFps = (t) => (t.length < 2 ? 0 : ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]));
    const gaps = (t) => t.slice(1).map((v, i) => v - t[i]);
    const rows = levels.map((l) => [
      l.label,
      l.k.toFixed(2),
      String(l.markers),
      String(l.moves),
      panFps(l.times).toFixed(1),
      ms(quantile(gaps(l.times), 0.95)),
      (l.rafs / l.elapsed).toFixed(1),
      ms(quantile(l.frames, 0.5)),
      ms(quantile(l.frames, 0.95)),
      ms(Math.max(...l.frames)),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const row = (cells) => "  " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    out(row(header));
    out(row(widths.map((w) => "-".repeat(w))));
    for (const r of rows) out(row(r));
    out();
    out("pan fps: frames the map drew per second from its first to its last pan frame;");
    out("p95 gap: 95th percentile of the time between consecutive map frames (16.7 ms = 60 fps);");
    out("rAF/s: the browser's frame rate over the whole measurement, setup included.");
    out("markers: markers drawn in the frame before the pan started.");
    out("'per-frame' rows drive the same drag with one in-page pointer event per animation frame;");
    out("the others with mouse moves over the DevTools protocol, whose delivery can skip frames.");
    if (errors.length) out(`page errors: ${errors.join(" | ")}`);
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(lines.join("\n"));
}

main().catch((error) => {
  console.error(error.message ?? error);
  process.exit(1);
});
