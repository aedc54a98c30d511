// The map dragged in circles, one in-page pointer event per animation frame, for SECONDS,
// recording every frame's time, the health messages taken in meanwhile, the page's
// long tasks (when a PerformanceObserver for them was set up: `globalThis.__benchLongTasks`),
// the pointer handlers that held the page over 50 ms, and every 15th frame the canvas's
// size against its box (a read of the layout, clean by then, so cheap).
// One function expression, evaluated as is by ui/bench/health-bench.mjs (Chromium) and
// by tests/e2e/frame_rate.rs (the real window, through WebDriver).
(selector, seconds) =>
  new Promise((done) => {
    const canvas = document.querySelector(selector);
    const box = canvas.getBoundingClientRect();
    const centre = { x: box.left + box.width / 2, y: box.top + box.height / 2 };
    const radius = Math.min(140, box.height / 4);
    // Pointer events whose handlers held the page over 50 ms: [at, ms].
    const slowHandlers = [];
    const fire = (type, x, y) => {
      const before = performance.now();
      canvas.dispatchEvent(new PointerEvent(type, { pointerId: 7, clientX: x, clientY: y, buttons: 1, bubbles: true }));
      const after = performance.now();
      if (after - before > 50) slowHandlers.push([before, after - before]);
    };
    const frames = [];
    const start = performance.now();
    const messagesBefore = (window.__stampfleetHealthMessages ?? []).filter((m) => m.at < start).length;
    fire("pointerdown", centre.x, centre.y);
    // Every 15th frame: the canvas's pixels against its box on the page (CSS px).
    const sizes = [];
    const tick = (now) => {
      frames.push(now);
      if (frames.length % 15 === 1) {
        const r = canvas.getBoundingClientRect();
        sizes.push([now, canvas.width, canvas.height, r.width, r.height, r.left, r.top, { ...canvas.closest(".world-map")?.dataset }]);
      }
      const angle = frames.length * 0.08;
      fire("pointermove", centre.x + radius * Math.sin(angle), centre.y + radius * (1 - Math.cos(angle)) * 0.6);
      if (now - start < seconds * 1000) return void requestAnimationFrame(tick);
      fire("pointerup", centre.x, centre.y);
      const messages = (window.__stampfleetHealthMessages ?? []).filter((m) => m.at >= start);
      done({
        frames,
        elapsed: (performance.now() - start) / 1000,
        messages,
        messagesBefore,
        slowHandlers,
        sizes,
        longTasks: (globalThis.__benchLongTasks ?? []).filter((t) => t.at >= start),
      });
    };
    requestAnimationFrame(tick);
  })
