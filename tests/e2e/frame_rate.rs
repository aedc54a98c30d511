//! The real window's frame rate at fleet scale, a benchmark (ignored by the test command;
//! `.ci/bench-fleet window-real` runs it on the release build, under Xvfb, against a
//! catalogue of simulated remote stamps it made: `STAMPFLEET_BENCH_CATALOGUE`, with
//! `STAMPFLEET_BENCH_STAMPS` stamps). The app as shipped (WebKit's compositing off),
//! through tauri-driver: once every stamp's health is in the window, the map is dragged
//! for 20 s while health keeps arriving (ui/bench/drag-probe.js, the drag the Chromium
//! benchmark makes), and the frame rate and the gaps between frames are printed, with
//! the times the page's own event loop was held (a gap the page's work made shows
//! there too). `STAMPFLEET_BENCH_HIDE=SELECTOR` hides elements before the drag, to find
//! which part of the page a long frame comes from (`map-only`: all but the map;
//! `offscreen[:I,J]`: the sections below the window, or those of them listed;
//! `offscreen-css=PROPERTY=VALUE`: that style on them instead). `STAMPFLEET_BENCH_PROBES=1`
//! prints what the page did around the drag's start (ui/bench/page-probes.js), and
//! `STAMPFLEET_BENCH_PERF=FILE` records `perf` over the whole machine for its first 2 s.
//! `STAMPFLEET_BENCH_SCRIPT_AT_START=JS` and `STAMPFLEET_BENCH_SCRIPT=JS` run a script in
//! the page as soon as the map painted and just before the drag, for experiments.
//! `STAMPFLEET_BENCH_COMPOSITING=1` runs the app with WebKit's compositing on, to compare.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use stampfleet_e2e::{app_binary, workspace_root, AppSession};

const DRAG_SECONDS: u32 = 20;
/// How long every stamp's health may take to reach the window.
const ALL_HEALTH_WITHIN: Duration = Duration::from_secs(300);

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: .ci/bench-fleet window-real"]
async fn the_map_while_health_streams_in_from_a_simulated_fleet() {
    let catalogue = PathBuf::from(
        std::env::var_os("STAMPFLEET_BENCH_CATALOGUE")
            .expect("STAMPFLEET_BENCH_CATALOGUE: run through .ci/bench-fleet window-real"),
    );
    let stamps: u64 = std::env::var("STAMPFLEET_BENCH_STAMPS")
        .expect("STAMPFLEET_BENCH_STAMPS")
        .parse()
        .unwrap();
    let home = catalogue.parent().unwrap().to_owned();
    let logs = tempfile::tempdir().unwrap();
    let compositing = std::env::var_os("STAMPFLEET_BENCH_COMPOSITING").is_some();
    let env: [(&str, &OsStr); 5] = [
        ("STAMPFLEET_CATALOGUE", catalogue.as_os_str()),
        ("STAMPFLEET_CONFIG_DIR", home.as_os_str()),
        ("STAMPFLEET_LOG_DIR", logs.path().as_os_str()),
        ("STAMPFLEET_SECRETS", "file".as_ref()),
        // As shipped: the harness keeps compositing on for the tests' sake.
        // (STAMPFLEET_BENCH_COMPOSITING=1: on, as the tests run it, to compare.)
        (
            "WEBKIT_DISABLE_COMPOSITING_MODE",
            if compositing { "0" } else { "1" }.as_ref(),
        ),
    ];
    let app = AppSession::launch(&app_binary(), &home, &env, &[]).await;
    app.find("[data-painted=true]").await;
    // STAMPFLEET_BENCH_SCRIPT_AT_START=JS: the same, run as soon as the map painted.
    if let Ok(js) = std::env::var("STAMPFLEET_BENCH_SCRIPT_AT_START") {
        let result = app.client.execute(&js, vec![]).await.unwrap();
        println!("script once the map painted: {result}");
    }
    // The page's event loop, looked at every 10 ms: a gap between frames that the page's
    // own work (script, style, layout, paint) made shows here too; one it did not make
    // (the app's main thread, the display) does not.
    app.client
        .execute(
            "window.__stampfleetLoopStalls = []; let last = performance.now(); \
             const look = () => { const now = performance.now(); \
               if (now - last > 60) window.__stampfleetLoopStalls.push([last, now - last]); \
               last = now; setTimeout(look, 10); }; setTimeout(look, 10);",
            vec![],
        )
        .await
        .unwrap();

    // Every stamp's health in the window: asked again every 100 ms (so the drag starts
    // within about that of the message that completes it), bounded.
    let deadline = Instant::now() + ALL_HEALTH_WITHIN;
    loop {
        let known = app
            .client
            .execute(
                "return Math.max(0, ...(window.__stampfleetHealthMessages ?? []).map((m) => m.known));",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0);
        if known >= stamps {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{known} of {stamps} stamps' health in the window after {ALL_HEALTH_WITHIN:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // STAMPFLEET_BENCH_SETTLE=1: the drag waits for the next health message (about 5 s),
    // past what the window does once every stamp's health first arrived.
    if std::env::var_os("STAMPFLEET_BENCH_SETTLE").is_some() {
        let count = "return (window.__stampfleetHealthMessages ?? []).length;";
        let messages = || async {
            let n = app.client.execute(count, vec![]).await.unwrap();
            n.as_u64().unwrap_or(0)
        };
        let before = messages().await;
        let deadline = Instant::now() + Duration::from_secs(30);
        while messages().await == before {
            assert!(Instant::now() < deadline, "no health message for 30 s");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    // STAMPFLEET_BENCH_HIDE=SELECTOR: those elements hidden before the drag, to find
    // which part of the page makes a long frame (`map-only`: all but the map).
    if let Ok(hide) = std::env::var("STAMPFLEET_BENCH_HIDE") {
        let hidden = app
            .client
            .execute(
                "const [sel] = arguments; const map = document.querySelector('[data-testid=world-map]'); \
                 const aside = []; for (let e = map; e && e !== document.body; e = e.parentElement) \
                   for (const s of e.parentElement.children) if (s !== e) aside.push(s); \
                 if (sel === 'map-only') { aside.forEach((s) => (s.style.display = 'none')); return []; } \
                 const below = aside.filter((s) => s.getBoundingClientRect().top > window.innerHeight); \
                 if (sel.startsWith('offscreen-css=')) { const [prop, value] = sel.slice(14).split('='); \
                   return below.map((s) => { s.style.setProperty(prop, value); return s.tagName; }); } \
                 if (sel.startsWith('offscreen')) { const only = sel.split(':')[1]?.split(',').map(Number); \
                   return below.map((s, i) => { const id = s.querySelector('[data-testid]')?.dataset.testid ?? s.tagName; \
                     if (!only || only.includes(i)) { s.style.display = 'none'; return `${i} ${id} hidden`; } return `${i} ${id}`; }); } \
                 document.querySelectorAll(sel).forEach((e) => (e.style.display = 'none')); return [];",
                vec![hide.into()],
            )
            .await
            .unwrap();
        println!("hidden before the drag: {hidden}");
    }
    // STAMPFLEET_BENCH_SCRIPT=JS: that script run in the page before the drag (its result
    // printed), for experiments the modes above do not cover.
    if let Ok(js) = std::env::var("STAMPFLEET_BENCH_SCRIPT") {
        let result = app.client.execute(&js, vec![]).await.unwrap();
        println!("script before the drag: {result}");
    }
    // STAMPFLEET_BENCH_PROBES=1: what the page did around a long frame (ui/bench/page-probes.js).
    let probes = std::env::var_os("STAMPFLEET_BENCH_PROBES").map(|_| {
        let js = std::fs::read_to_string(workspace_root().join("ui/bench/page-probes.js")).unwrap();
        format!("return ({js})(arguments[0]);")
    });
    if let Some(probes) = &probes {
        let before = app
            .client
            .execute(probes, vec!["install".into()])
            .await
            .unwrap();
        println!(
            "forced style and layout before the drag, then twice with every style changed (ms): {}",
            before["layout"]
        );
        println!("the page's sections: {}", before["sections"]);
        let shot = app.screenshot("frame-rate-before-drag.png").await;
        println!("the window before the drag: {}", shot.display());
    }
    let probe = std::fs::read_to_string(workspace_root().join("ui/bench/drag-probe.js")).unwrap();
    let script = format!(
        "const done = arguments[arguments.length - 1]; ({probe})(arguments[0], arguments[1]).then(done);"
    );
    app.client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(u64::from(DRAG_SECONDS) + 60)),
            None,
            None,
        ))
        .await
        .unwrap();
    // STAMPFLEET_BENCH_PERF=FILE: the whole machine profiled for the drag's first 2 s.
    let perf = std::env::var("STAMPFLEET_BENCH_PERF").ok().map(|out| {
        std::process::Command::new("perf")
            .args(["record", "-a", "-g", "-o", &out, "--", "sleep", "2"])
            .spawn()
            .unwrap()
    });
    let run = app
        .client
        .execute_async(
            &script,
            vec!["[data-testid=world-map]".into(), DRAG_SECONDS.into()],
        )
        .await
        .unwrap();
    if let Some(mut perf) = perf {
        perf.wait().unwrap();
    }
    let frames: Vec<f64> = run["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_f64().unwrap())
        .collect();
    let mut gaps: Vec<f64> = frames.windows(2).map(|w| w[1] - w[0]).collect();
    // Where the gaps over 100 ms fell (seconds into the drag), and when messages came.
    let at = |t: f64| (t - frames[0]) / 1000.0;
    let long: Vec<String> = frames
        .windows(2)
        .filter(|w| w[1] - w[0] > 100.0)
        .map(|w| format!("{:.0} ms at {:.2} s", w[1] - w[0], at(w[0])))
        .collect();
    let arrivals: Vec<String> = run["messages"]
        .as_array()
        .map(|m| {
            m.iter()
                .filter_map(|m| {
                    Some(format!(
                        "{:.2} s ({} stamps)",
                        at(m["at"].as_f64()?),
                        m["entries"]
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    gaps.sort_by(f64::total_cmp);
    let fps = (frames.len() - 1) as f64 * 1000.0 / (frames[frames.len() - 1] - frames[0]);
    let messages = run["messages"].as_array().map_or(0, Vec::len);
    println!(
        "the real window (WebKitGTK under Xvfb, compositing {}) with {stamps} stamps whose health streams in",
        if compositing { "on, not as shipped" } else { "off as shipped" }
    );
    println!(
        "drag on the map for {DRAG_SECONDS} s: frame rate {fps:.1} fps; gaps between frames p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {messages} health messages taken in meanwhile",
        quantile(&gaps, 0.95),
        quantile(&gaps, 0.99),
        gaps[gaps.len() - 1]
    );
    println!("  gaps over 100 ms: {long:?}; health messages at {arrivals:?}");
    let stalls = app
        .client
        .execute("return window.__stampfleetLoopStalls ?? [];", vec![])
        .await
        .unwrap();
    let stalls: Vec<String> = stalls
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| Some((s[0].as_f64()?, s[1].as_f64()?)))
                .filter(|(from, _)| *from >= frames[0] - 3000.0)
                .map(|(from, ms)| format!("{ms:.0} ms at {:.2} s", at(from)))
                .collect()
        })
        .unwrap_or_default();
    println!("  the page's event loop held over 60 ms (from 3 s before the drag): {stalls:?}");
    println!(
        "  pointer handlers over 50 ms [at, ms]: {}",
        run["slowHandlers"]
    );
    let mut last_size = None;
    for size in run["sizes"].as_array().into_iter().flatten() {
        let this = size.as_array().map(|s| s[1..].to_vec());
        if this != last_size {
            println!(
                "  the canvas (pixels, then its box in CSS px) at {:.2} s: {}",
                at(size[0].as_f64().unwrap_or(0.0)),
                serde_json::Value::from(this.clone())
            );
            last_size = this;
        }
    }
    if let Some(probes) = &probes {
        let shot = app.screenshot("frame-rate-after-drag.png").await;
        println!("the window after the drag: {}", shot.display());
        let seen = app
            .client
            .execute(probes, vec!["collect".into()])
            .await
            .unwrap();
        let near = |t: &serde_json::Value| {
            let when = at(t.as_f64().unwrap_or(0.0));
            (-3.0..3.0).contains(&when).then_some(when)
        };
        for (kind, records) in [
            ("invoked", "invokes"),
            ("slow callback", "slowCallbacks"),
            ("DOM changes", "mutations"),
        ] {
            for r in seen[records].as_array().into_iter().flatten() {
                if let Some(when) = near(&r[0]) {
                    println!(
                        "  {kind} at {when:.2} s: {} {} {}",
                        r[1],
                        r[2],
                        r.get(3).unwrap_or(&serde_json::Value::Null)
                    );
                }
            }
        }
    }
    // The map's own log of its last frames: draw time, and how the basemap was drawn.
    let frame_log = app
        .client
        .execute(
            "return [(window.__stampfleetMapFrames ?? []).slice(-2400), (window.__stampfleetBasemapPaths ?? []).slice(-2400)];",
            vec![],
        )
        .await
        .unwrap();
    let draws: Vec<f64> = frame_log[0]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    let paths: Vec<&str> = frame_log[1]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    let slow: Vec<String> = draws
        .iter()
        .enumerate()
        .filter(|(_, ms)| **ms > 50.0)
        .map(|(i, ms)| format!("{ms:.0} ms ({})", paths.get(i).copied().unwrap_or("?")))
        .collect();
    let count = |p: &str| paths.iter().filter(|x| **x == p).count();
    println!(
        "  the map's last {} draws: over 50 ms {slow:?}; basemap blit {}, render {}, direct {}",
        draws.len(),
        count("blit"),
        count("render"),
        count("direct")
    );
    app.stop().await;
}
