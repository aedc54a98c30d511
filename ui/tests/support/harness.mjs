// Shared set-up for the browser tests: the real backend (`stampctl serve-ui`: the
// app's commands on fleet-ops, over a fresh catalogue in a temporary directory, with
// the demo fleet's real local stamp agents when asked), serving ui/dist with the
// app's production CSP; a headless Chromium; and pages that record anything a user
// would not want: requests leaving 127.0.0.1, CSP violations, errors.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { after, before, beforeEach } from "node:test";
import { chromium } from "playwright-core";

export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const REPO_DIR = resolve(UI_DIR, "..");
export const DIST_DIR = join(UI_DIR, "dist");
/** The stampctl .ci/build-app built (it finds stamp-agent beside itself). */
export const STAMPCTL = process.env.STAMPCTL ?? join(REPO_DIR, "target", "debug", "stampctl");
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

/** The stamp table's rows and the tenant list's rows. */
export const STAMP_ROW = '[data-testid="stamp-row"]';
export const TENANT_ROW = '[data-testid="tenant-row"]';

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

/** Each backend's token, by origin: `openPage` puts it in the page's address. */
const TOKENS = new Map();

/**
 * `stampctl serve-ui` on `catalogue` (which it may create), serving DIST_DIR; answers
 * once the backend's start-up recovery is done and it listens. `close()` stops it.
 */
export async function serveCatalogue(catalogue, env = process.env, dist = DIST_DIR) {
  const child = spawn(STAMPCTL, ["--catalogue", catalogue, "serve-ui", "--ui", dist], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr = [];
  child.stderr.on("data", (chunk) => stderr.push(chunk));
  const exited = new Promise((ok) => child.once("exit", ok));
  const address = await new Promise((ok, fail) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", ok);
    child.once("exit", () => fail(new Error(`stampctl serve-ui exited: ${Buffer.concat(stderr)}`)));
  });
  const [origin, token] = address.replace(/^serving the UI at /, "").split("/#token=");
  TOKENS.set(origin, token);
  return {
    origin,
    /** The page's address, the server's token in it. */
    url: (path = "/") => `${origin}${path}#token=${token}`,
    async close() {
      child.kill("SIGTERM");
      await exited;
      TOKENS.delete(origin);
    },
  };
}

/**
 * The real backend on a fresh catalogue: `kind` "empty", "demo" (the demo fleet, its
 * agents running) or "broken" (a file that is not a catalogue). `prepare` runs on the
 * catalogue before the server starts (the backend's own start-up recovery runs after
 * it); `env` is added to the server's environment (fleet-ops test hooks).
 * `stampctl(...args)` runs stampctl on the same catalogue (`stampctl.withEnv(env)(...args)`
 * with more environment, `stampctl.on(file)(...args)` on another catalogue).
 */
export async function startBackend(kind = "demo", { env = {}, prepare } = {}) {
  if (!existsSync(STAMPCTL)) {
    throw new Error(`${STAMPCTL} is missing: run .ci/build-app first (or set STAMPCTL)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "stampfleet-ui-"));
  const catalogue = join(dir, "catalogue.sqlite");
  // Recent catalogues go to the test's directory, not the user's config.
  const fullEnv = { ...process.env, STAMPFLEET_CATALOGUE: catalogue, STAMPFLEET_CONFIG_DIR: dir, ...env };
  const run = (extra, on = catalogue) => (...args) =>
    execFileSync(STAMPCTL, ["--catalogue", on, ...args], {
      env: { ...fullEnv, ...extra },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  const stampctl = run({});
  /** stampctl with more environment (a fleet-ops test hook). */
  stampctl.withEnv = run;
  /** stampctl on another catalogue (a snapshot the test made). */
  stampctl.on = (other) => run({}, other);
  if (kind === "demo") stampctl("demo");
  if (kind === "broken") writeFileSync(catalogue, "this is not a catalogue\n");
  await prepare?.({ dir, catalogue, stampctl });
  const served = await serveCatalogue(catalogue, fullEnv);
  const { origin } = served;
  return {
    origin,
    dir,
    catalogue,
    stampctl,
    async close() {
      await served.close();
      if (kind !== "broken") stampctl("stop-agents");
      rmSync(dir, { recursive: true, force: true });
    },
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
export async function startSuite(kind = "demo", options = {}) {
  assertDistBuilt();
  mkdirSync(RESULTS_DIR, { recursive: true });
  return { server: await startBackend(kind, options), browser: await launchBrowser() };
}

/** A fresh backend in place of `server` (for a test that changes the fleet). */
export async function renewBackend(server, kind = "demo", options = {}) {
  await server?.close();
  return startBackend(kind, options);
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
  const token = TOKENS.get(origin);
  if (token === undefined) throw new Error(`no backend serves ${origin}`);
  await page.goto(`${origin}${path}#token=${token}`);
  return { page, context, external, errors };
}

/**
 * Opens the app on the suite's demo fleet (`env` from useBackend) and waits for every
 * stamp row; with `tenants`, for every tenant row too; with `map`, for the painted map
 * too (its state is `session.map`). Other options go to openPage (viewport, colorScheme).
 */
export async function openDemo(env, { tenants = false, map = false, ...options } = {}) {
  const session = await openPage(env.browser, env.server.origin, "/", options);
  await waitForCount(session.page, STAMP_ROW, DEMO.stamps.length);
  if (tenants) await waitForCount(session.page, TENANT_ROW, DEMO_TENANTS.length);
  if (map) session.map = await waitForMap(session.page);
  return session;
}

/** openDemo, then the dialog that the button `button` opens (test ids), shown. */
export async function openDemoDialog(env, button, dialog, options = {}) {
  const session = await openDemo(env, options);
  await session.page.getByTestId(button).click();
  await session.page.getByTestId(dialog).waitFor();
  return session;
}

/** Saves a screenshot of the page to ui/test-results/`file`, animations stopped. */
export function shot(page, file, options = {}) {
  return page.screenshot({ path: join(RESULTS_DIR, file), animations: "disabled", ...options });
}

/** Waits (bounded) until the first match's text, spaces folded, matches the pattern. */
export async function waitForText(page, selector, pattern) {
  try {
    await page.waitForFunction(
      ([sel, source, flags]) => new RegExp(source, flags).test((document.querySelector(sel)?.textContent ?? "").replace(/\s+/g, " ")),
      [selector, pattern.source, pattern.flags],
      { timeout: WAIT },
    );
  } catch {
    const actual = await page.locator(selector).first().textContent().catch(() => null);
    throw new Error(`${selector}: expected ${pattern}, found ${JSON.stringify(actual)}`);
  }
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

/**
 * Registers a suite's set-up: a browser, and a backend of `kind` before its tests (a
 * fresh one before each test with `fresh`: a test that changes the fleet gets its
 * own), both closed after them. `env.server` and `env.browser` are the current ones;
 * `await env.renew(kind, options)` swaps the backend inside a test.
 */
export function useBackend(kind = "demo", { fresh = false, ...backendOptions } = {}) {
  const env = { server: undefined, browser: undefined };
  env.renew = async (k = kind, options = backendOptions) => {
    env.server = await renewBackend(env.server, k, options);
    return env.server;
  };
  before(async () => {
    ({ server: env.server, browser: env.browser } = await startSuite(kind, backendOptions));
  });
  if (fresh) beforeEach(() => env.renew());
  after(() => endSuite(env.server, env.browser));
  return env;
}

/** Ends a page's test: no console error or CSP violation, no request that left
 * 127.0.0.1; then closes its context. */
export async function done(session) {
  assert.deepEqual(session.errors, [], "console errors or CSP violations");
  assert.deepEqual(session.external, [], "requests left 127.0.0.1");
  await session.context.close();
}
