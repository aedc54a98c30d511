// What the page did around a long frame, for tests/e2e/frame_rate.rs
// (STAMPFLEET_BENCH_PROBES=1). One function expression, evaluated as is through WebDriver:
// "install" (before the drag) times a forced style and layout and counts each section's
// elements, then records from there on the DOM changes by section, the timer, frame and
// microtask callbacks over 30 ms, and every command the page invoked; "collect" returns
// those records. Timestamps are performance.now().
(action) => {
  if (action === "collect") {
    return { mutations: window.__benchMutations, slowCallbacks: window.__benchSlowCallbacks, invokes: window.__benchInvokes };
  }
  const fleet = document.querySelector(".fleet");
  const name = (section) => section.querySelector("h2")?.textContent ?? section.className;
  const layout = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    void document.body.offsetHeight;
    layout.push(performance.now() - start);
    document.body.style.setProperty("--bench-probe", String(i)); // inherited: every element's style again
  }
  const sections = [...fleet.children].map((s) => `${name(s)}: ${s.querySelectorAll("*").length} elements`);

  window.__benchMutations = [];
  const sectionOf = (node) => {
    for (let e = node.nodeType === 1 ? node : node.parentElement; e; e = e.parentElement)
      if (e.parentElement === fleet || e.parentElement?.parentElement === fleet) return name(e);
    return "outside";
  };
  new MutationObserver((records) => {
    const by = {};
    for (const r of records) {
      const what = `${sectionOf(r.target)}: ${r.type} ${r.attributeName ?? ""} on ${r.target.nodeName}`;
      by[what] = (by[what] ?? 0) + 1;
    }
    window.__benchMutations.push([performance.now(), records.length, by]);
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });

  window.__benchSlowCallbacks = [];
  const timed = (kind, f) =>
    typeof f !== "function"
      ? f
      : function (...args) {
          const start = performance.now();
          try {
            return f.apply(this, args);
          } finally {
            const ms = performance.now() - start;
            if (ms > 30) window.__benchSlowCallbacks.push([start, ms, kind, f.toString().slice(0, 160)]);
          }
        };
  for (const kind of ["requestAnimationFrame", "setTimeout", "setInterval", "queueMicrotask"]) {
    const original = window[kind];
    window[kind] = (f, ...rest) => original.call(window, timed(kind, f), ...rest);
  }

  window.__benchInvokes = [];
  const internals = window.__TAURI_INTERNALS__;
  const invoke = internals.invoke;
  internals.invoke = (command, ...rest) => {
    const start = performance.now();
    const answer = invoke.call(internals, command, ...rest);
    const note = (ms) => window.__benchInvokes.push([start, ms, command]);
    answer.then(() => note(performance.now() - start), () => note(-1));
    return answer;
  };
  return { layout, sections };
}
