// Shared set-up for the browser tests: a static server for ui/dist (with the
// app's production CSP), a headless Chromium, and pages that record anything
// a user would not want: requests leaving 127.0.0.1, CSP violations, errors.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DIST_DIR = join(UI_DIR, "dist");
export const RESULTS_DIR = join(UI_DIR, "test-results");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The CSP the Tauri window enforces. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src ipc: http://ipc.localhost";

/** The FleetOverview the real backend returns after "Create demo fleet". */
export const DEMO = JSON.parse(
  readFileSync(join(UI_DIR, "src", "generated", "demo-overview.json"), "utf8"),
);

/** Every tenant of the demo fleet (what listTenants pages through), by id. */
export const DEMO_TENANTS = JSON.parse(
  readFileSync(join(UI_DIR, "src", "generated", "demo-tenants.json"), "utf8"),
);

/** Default timeout for auto-waiting locators and waits. */
export const WAIT = 10_000;

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const m = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, m);
  }
  return newest;
}

/** Fails with a clear message unless ui/dist holds a build of the current sources. */
export function assertDistBuilt() {
  const index = join(DIST_DIR, "index.html");
  if (!existsSync(index)) {
    throw new Error(`${index} is missing: run \`npm run build\` in ui/ before \`npm test\``);
  }
  const built = statSync(index).mtimeMs;
  for (const source of [join(UI_DIR, "src"), join(UI_DIR, "index.html")]) {
    const changed = statSync(source).isDirectory() ? newestMtime(source) : statSync(source).mtimeMs;
    if (changed > built) {
      throw new Error(`ui/dist is older than ${source}: run \`npm run build\` again before \`npm test\``);
    }
  }
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH to override)`);
  }
}

/** Serves ui/dist on 127.0.0.1 (random port) with the production CSP. */
export async function startServer() {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, "");
    const file = join(DIST_DIR, rel === "" ? "index.html" : rel);
    if (!file.startsWith(DIST_DIR + sep) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-security-policy": CSP,
      "cache-control": "no-store",
    });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

export async function launchBrowser() {
  // chromium.launch gives every browser a fresh temporary profile directory
  // (user-data-dir) and removes it on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Opens `path` in a new context. The returned `problems` lists requests to a
 * host other than 127.0.0.1, console errors (CSP violations show up there)
 * and uncaught page errors.
 */
/** A suite's server and browser: started once before its tests (after checking that
 * ui/dist is fresh), closed after them with `endSuite`. */
export async function startSuite() {
  assertDistBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  return { server: await startServer(), browser: await launchBrowser() };
}

export async function endSuite(server, browser) {
  await browser?.close();
  await server?.close();
}

export async function openPage(browser, origin, path = "/", options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    colorScheme: "light",
    ...options,
  });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  const external = [];
  const errors = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol === "data:" || url.protocol === "blob:" || url.protocol === "about:") return;
    if (url.hostname !== "127.0.0.1") external.push(request.url());
  });
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  await page.goto(origin + path);
  return { page, context, external, errors };
}

/** Waits until exactly `n` elements match `selector`. */
export async function waitForCount(page, selector, n) {
  try {
    await page.waitForFunction(
      ([sel, count]) => document.querySelectorAll(sel).length === count,
      [selector, n],
      { timeout: WAIT },
    );
  } catch {
    const actual = await page.locator(selector).count();
    throw new Error(`expected ${n} × ${selector}, found ${actual}`);
  }
}

/** Waits until the world map has painted its markers; returns the wrapper's data. */
export async function waitForMap(page) {
  await page.waitForFunction(
    () => {
      const map = document.querySelector('[data-testid="world-map-wrapper"]');
      return map?.dataset.painted === "true" && Number(map.dataset.markerCount) > 0;
    },
    null,
    { timeout: WAIT },
  );
  return mapState(page);
}

/** The map's zoom, marker count and (while fewer than 300) drawn markers. */
export async function mapState(page) {
  return page.evaluate(() => {
    const map = document.querySelector('[data-testid="world-map-wrapper"]');
    const canvas = document.querySelector('[data-testid="world-map"]');
    return {
      zoom: Number(map?.dataset.zoom),
      markerCount: Number(map?.dataset.markerCount),
      markers: JSON.parse(canvas?.dataset.markers ?? "[]"),
    };
  });
}
