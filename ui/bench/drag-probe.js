// The map dragged in circles, one in-page pointer event per animation frame, for SECONDS,
// recording every frame's time, the health messages taken in meanwhile and the page's
// long tasks (when a PerformanceObserver for them was set up: `globalThis.__benchLongTasks`).
// One function expression, evaluated as is by ui/bench/health-bench.mjs (Chromium) and
// by tests/e2e/frame_rate.rs (the real window, through WebDriver).
(selector, seconds) =>
  new Promise((done) => {
    const canvas = document.querySelector(selector);
    const box = canvas.getBoundingClientRect();
    const centre = { x: box.left + box.width / 2, y: box.top + box.height / 2 };
    const radius = Math.min(140, box.height / 4);
    const fire = (type, x, y) =>
      canvas.dispatchEvent(new PointerEvent(type, { pointerId: 7, clientX: x, clientY: y, buttons: 1, bubbles: true }));
    const frames = [];
    const start = performance.now();
    const messagesBefore = (window.__stampfleetHealthMessages ?? []).filter((m) => m.at < start).length;
    fire("pointerdown", centre.x, centre.y);
    const tick = (now) => {
      frames.push(now);
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
        longTasks: (globalThis.__benchLongTasks ?? []).filter((t) => t.at >= start),
      });
    };
    requestAnimationFrame(tick);
  })
