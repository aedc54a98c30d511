// A CPU profile of the page (Chrome DevTools Protocol) around a stretch of a benchmark,
// summarized: where the busiest 100 ms of the stretch went, by function (self time).
// For finding what a long task is; `STAMPFLEET_BENCH_PROFILE=FILE` also writes the
// whole profile, which Chromium's DevTools opens (Performance panel, Load profile).
import { writeFileSync } from "node:fs";

const INTERVAL_US = 500;
const WINDOW_US = 100_000;

/** Starts profiling `page`; the returned function stops and summarizes. */
export async function startProfile(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
  await cdp.send("Profiler.start");
  return async () => {
    const { profile } = await cdp.send("Profiler.stop");
    if (process.env.STAMPFLEET_BENCH_PROFILE) {
      writeFileSync(process.env.STAMPFLEET_BENCH_PROFILE, JSON.stringify(profile));
    }
    return busiestWindow(profile);
  };
}

/** The 100 ms with the most samples outside idle and GC roots, and their functions. */
function busiestWindow(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const idle = new Set(["(idle)", "(program)"]);
  let t = profile.startTime;
  const samples = profile.samples.map((id, i) => {
    t += profile.timeDeltas[i];
    return { at: t, node: nodes.get(id) };
  });
  const busy = samples.filter((s) => !idle.has(s.node.callFrame.functionName));
  let best = { from: 0, to: 0 };
  for (let i = 0, j = 0; j < busy.length; j++) {
    while (busy[j].at - busy[i].at > WINDOW_US) i++;
    if (j - i > best.to - best.from) best = { from: i, to: j };
  }
  const inWindow = busy.slice(best.from, best.to + 1);
  const byFunction = new Map();
  for (const s of inWindow) {
    const f = s.node.callFrame;
    const name = `${f.functionName || "(anonymous)"} ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
  }
  const top = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  const ms = (n) => ((n * INTERVAL_US) / 1000).toFixed(1);
  return [
    `busiest 100 ms of the profile: ${ms(inWindow.length)} ms of samples, at ${((inWindow[0]?.at ?? 0) - profile.startTime) / 1e6} s`,
    ...top.map(([name, n]) => `  ${ms(n)} ms  ${name}`),
  ].join("\n");
}
