// What the UI benchmarks share: opening the app painted, and simple statistics.

const PAINT_TIMEOUT = 120_000;
const WRAPPER = '[data-testid="world-map-wrapper"]';

/** A fresh context and page, loaded from the backend and painted. */
export async function openPainted(browser, server, viewport) {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url("/"));
  try {
    await page.waitForSelector(`${WRAPPER}[data-painted="true"]`, { timeout: PAINT_TIMEOUT });
  } catch {
    throw new Error(
      `the map never painted within ${PAINT_TIMEOUT / 1000}s (is WorldMap in the layout?)` +
        (errors.length ? `; page errors: ${errors.join(" | ")}` : ""),
    );
  }
  return { context, page, errors };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : NaN;
};
export const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : "—");

