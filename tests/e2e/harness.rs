//! Drives the real Stampfleet binary in a real window: tauri-driver in front of
//! WebKitWebDriver, under the Xvfb display the test command provides.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

mod post_mortem;
pub use post_mortem::WEB_CONTENT_CRASH_MARK;

/// How long any one wait in these tests may take before it fails.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The desktop binary under test: $STAMPFLEET_APP, else target/debug/stampfleet.
pub fn app_binary() -> PathBuf {
    let path = std::env::var_os("STAMPFLEET_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/stampfleet"));
    assert!(
        path.is_file(),
        "{} is missing: build the UI and the app first (npm --prefix ui run build && cargo build -p stampfleet)",
        path.display()
    );
    path
}

fn tauri_driver() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([home.join(".cargo/bin")])
        .map(|d| d.join("tauri-driver"));
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .expect("tauri-driver is not installed: cargo install tauri-driver --locked")
}

/// tauri-driver's own output, kept under target/e2e-logs/ for post-mortems.
fn driver_log(port: u16) -> std::fs::File {
    let dir = workspace_root().join("target/e2e-logs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::File::create(dir.join(format!("tauri-driver-{port}.log"))).unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One app session: a tauri-driver process and a WebDriver client on it.
pub struct AppSession {
    pub client: Client,
    driver: Child,
    /// The catalogue's directory: local stamp agents the app started live under it.
    home: PathBuf,
}

impl AppSession {
    /// Starts the app on `catalogue`, logging into `log_dir`, with this build's agent
    /// and file secrets.
    pub async fn start(catalogue: &Path, log_dir: &Path) -> Self {
        let agent = workspace_root().join("target/debug/stamp-agent");
        let config = catalogue.parent().unwrap().as_os_str();
        let env: [(&str, &std::ffi::OsStr); 5] = [
            ("STAMPFLEET_CATALOGUE", catalogue.as_os_str()),
            ("STAMPFLEET_CONFIG_DIR", config),
            ("STAMPFLEET_LOG_DIR", log_dir.as_os_str()),
            ("STAMPFLEET_AGENT", agent.as_os_str()),
            ("STAMPFLEET_SECRETS", "file".as_ref()),
        ];
        Self::launch(&app_binary(), catalogue.parent().unwrap(), &env, &[]).await
    }

    /// `start` on `catalogue.sqlite` (not made yet) in a new directory, which is
    /// returned with the catalogue's path and the session (removed when dropped).
    pub async fn start_in_new_dir() -> (tempfile::TempDir, PathBuf, Self) {
        let dir = tempfile::tempdir().unwrap();
        let catalogue = dir.path().join("catalogue.sqlite");
        let app = Self::start(&catalogue, dir.path()).await;
        (dir, catalogue, app)
    }

    /// `start_in_new_dir` on the demo fleet (created in the window), with this test
    /// process on file secrets too (it reads the stamps' tokens).
    pub async fn start_on_demo() -> (tempfile::TempDir, PathBuf, Self) {
        std::env::set_var("STAMPFLEET_SECRETS", "file");
        let (dir, catalogue, app) = Self::start_in_new_dir().await;
        app.create_demo().await;
        (dir, catalogue, app)
    }

    /// Starts `app` with `env` set and the variables in `remove` unset; `home` is the
    /// catalogue's directory (its local stamp agents are stopped at the end).
    pub async fn launch(
        app: &Path,
        home: &Path,
        env: &[(&str, &std::ffi::OsStr)],
        remove: &[&str],
    ) -> Self {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the end-to-end tests under xvfb-run"
        );
        let port = free_port();
        let native_port = free_port();
        let mut command = Command::new(tauri_driver());
        command.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ]);
        for name in remove {
            command.env_remove(name);
        }
        // The app turns WebKit's accelerated compositing off by itself (a smaller
        // footprint, .ci/bench-footprint measures it without automation); under
        // WebKitWebDriver that mode now and then left a command unanswered for minutes
        // (two real-window runs in two, each once), so the window under test keeps it on.
        command.env("WEBKIT_DISABLE_COMPOSITING_MODE", "0");
        let mut driver = command
            .envs(env.iter().copied())
            // Never inherit our pipes: a lingering driver would hold the test's output open.
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(driver_log(port)))
            .spawn()
            .expect("start tauri-driver");
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = driver.try_wait().unwrap() {
                panic!("tauri-driver exited early: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on port {port} within {WAIT:?}"
            );
            // A readiness probe of the real condition, bounded by the deadline.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        caps.insert("browserName".into(), "wry".into());
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session with the app");
        let timeouts = fantoccini::wd::TimeoutConfiguration::new(Some(WAIT), Some(WAIT), None);
        client
            .update_timeouts(timeouts)
            .await
            .expect("set WebDriver timeouts");
        let home = home.to_owned();
        Self {
            client,
            driver,
            home,
        }
    }

    /// Waits for the first element matching `css`. WebKitWebDriver now and then fails a
    /// find with "Could not parse element info" while the page re-renders (the element
    /// it found went away as it described it); the find is asked again, within the same
    /// deadline.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .client
                .wait()
                .at_most(left)
                .for_element(Locator::Css(css))
                .await
            {
                Ok(element) => return element,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.message.contains("parse element info") && !left.is_zero() =>
                {
                    eprintln!("find {css}: {}; asking again", e.message);
                }
                Err(e) => {
                    let what = format!("no element {css} within {WAIT:?}: {e}");
                    self.post_mortem(&what).await;
                    panic!("{what}")
                }
            }
        }
    }

    /// Clicks the first element matching `css` (waiting for it), brought to the middle
    /// of the window first: WebKitWebDriver scrolls an element only to the window's
    /// edge, where the activity tray (fixed at the foot) would take the click.
    /// A disabled control is waited for until it is enabled (a click on it would be
    /// lost without a word, as a user's would be).
    pub async fn click(&self, css: &str) {
        self.wait_enabled(css).await;
        let element = self.find(css).await;
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })",
                vec![serde_json::to_value(&element).unwrap()],
            )
            .await
            .unwrap_or_else(|e| panic!("scroll to {css}: {e:?}"));
        if let Err(e) = element.click().await {
            let what = format!("click {css}: {e:?}");
            self.post_mortem(&what).await;
            panic!("{what}");
        }
    }

    /// Waits until the first element matching `css` is there and not disabled (a
    /// MutationObserver in the page tells when).
    pub async fn wait_enabled(&self, css: &str) {
        const WATCH: &str = r#"
            const [css, done] = arguments;
            const ready = () => { const e = document.querySelector(css); return e !== null && !e.disabled; };
            if (ready()) { done(true); return; }
            const watcher = new MutationObserver(() => { if (ready()) { watcher.disconnect(); done(true); } });
            watcher.observe(document.body, { childList: true, subtree: true, attributes: true });
        "#;
        if let Err(e) = self.client.execute_async(WATCH, vec![css.into()]).await {
            let what = format!("{css} not there and enabled within {WAIT:?}: {e}");
            self.post_mortem(&what).await;
            panic!("{what}");
        }
    }

    /// Clicks the first element matching `css` (waiting for it) from inside the page.
    /// For the Move dialog's submit button, which WebKitWebDriver's native click misses
    /// (the click lands, the form is not submitted; the same click works in Chromium,
    /// and a script's click works here): seen since the dialog lists refused targets
    /// in a scrolled table, not understood yet.
    /// Also for the rollout panel's buttons and checkbox, where native clicks were seen
    /// lost now and then in CI and here (a form left unsubmitted, a box left clear, no
    /// error): the page above that panel changes height as health arrives, and a click
    /// computed before such a shift lands beside its target. Waits for the control to
    /// be enabled first, as `click` does.
    pub async fn press(&self, css: &str) {
        self.wait_enabled(css).await;
        let element = self.find(css).await;
        self.client
            .execute(
                "arguments[0].click()",
                vec![serde_json::to_value(&element).unwrap()],
            )
            .await
            .unwrap_or_else(|e| panic!("press {css}: {e:?}"));
    }

    /// Types `text` into the first element matching `css` (waiting for it).
    pub async fn type_into(&self, css: &str, text: &str) {
        self.find(css)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Sets the checkbox matching `css` to `on` from inside the page (a click, so its
    /// `input` and `change` events fire as a user's would), and checks that it holds it.
    /// WebKitWebDriver's native click on the rollout planner's "Approve each wave" was
    /// seen lost in CI: the box stayed clear and the rollout ran without its gates.
    pub async fn set_checked(&self, css: &str, on: bool) {
        const SET: &str = r#"
            const [box, on] = arguments;
            if (box.checked !== on) box.click();
            return box.checked;
        "#;
        let what = format!("set {css} to {on}");
        self.in_page(css, SET, on.into(), on.into(), &what).await;
    }

    /// Runs `script` in the page on the first element matching `css` (waiting for it)
    /// and `arg`; an answer other than `want` fails the test as `what`.
    async fn in_page(
        &self,
        css: &str,
        script: &str,
        arg: serde_json::Value,
        want: serde_json::Value,
        what: &str,
    ) {
        let element = self.find(css).await;
        let args = vec![serde_json::to_value(&element).unwrap(), arg];
        let answer = self.client.execute(script, args).await;
        if !matches!(&answer, Ok(got) if *got == want) {
            let what = format!("{what}: {answer:?}");
            self.post_mortem(&what).await;
            panic!("{what}");
        }
    }

    /// Picks the option of value `value` in the select matching `css`.
    ///
    /// Chosen from inside the page as a user's choice ends (the select's value set, then
    /// its `input` and `change` events): WebKitWebDriver's click on the `<option>`
    /// failed once in CI with an empty error, the select on screen and holding it.
    pub async fn choose(&self, css: &str, value: &str) {
        const CHOOSE: &str = r#"
            const [select, value] = arguments;
            if (![...select.options].some((o) => o.value === value)) return "no option " + value;
            select.value = value;
            select.dispatchEvent(new Event("input", { bubbles: true }));
            select.dispatchEvent(new Event("change", { bubbles: true }));
            return "chosen";
        "#;
        let what = format!("choose {value} in {css}");
        self.in_page(css, CHOOSE, value.into(), "chosen".into(), &what)
            .await;
    }

    /// "Create demo fleet" on an empty catalogue, then waits for the map to paint it.
    pub async fn create_demo(&self) {
        self.click("[data-testid=create-demo]").await;
        self.find("[data-painted=true]").await;
    }

    /// Waits until exactly `n` elements match `css` (a MutationObserver in the page
    /// tells when), and returns them.
    pub async fn find_n(&self, css: &str, n: usize) -> Vec<fantoccini::elements::Element> {
        const WATCH: &str = r#"
            const [css, n, done] = arguments;
            const ok = () => document.querySelectorAll(css).length === n;
            if (ok()) { done(true); return; }
            const watcher = new MutationObserver(() => { if (ok()) { watcher.disconnect(); done(true); } });
            watcher.observe(document.body, { childList: true, subtree: true, attributes: true });
        "#;
        let waited = self
            .client
            .execute_async(WATCH, vec![css.into(), n.into()])
            .await;
        let found = self.client.find_all(Locator::Css(css)).await.unwrap();
        if waited.is_err() || found.len() != n {
            let what = format!("{css}: {} elements, expected {n}", found.len());
            self.post_mortem(&what).await;
        }
        assert!(
            waited.is_ok() && found.len() == n,
            "{css}: {} elements, expected {n} ({waited:?})",
            found.len()
        );
        found
    }

    /// Waits until an element matching `css` has text containing `needle` (a
    /// MutationObserver in the page tells when), and returns that text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        const WATCH: &str = r#"
            const [css, needle, done] = arguments;
            const hit = () => [...document.querySelectorAll(css)].map((e) => e.textContent).find((t) => t.includes(needle));
            if (hit() !== undefined) { done(hit()); return; }
            const watcher = new MutationObserver(() => {
                const t = hit();
                if (t !== undefined) { watcher.disconnect(); done(t); }
            });
            watcher.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
        "#;
        match self
            .client
            .execute_async(WATCH, vec![css.into(), needle.into()])
            .await
        {
            Ok(serde_json::Value::String(text)) => text,
            other => {
                let what = format!("no {css} with {needle:?} within {WAIT:?} ({other:?})");
                self.post_mortem(&what).await;
                let seen = self
                    .client
                    .execute(
                        "return [...document.querySelectorAll(arguments[0])].map((e) => e.textContent).join(' | ')",
                        vec![css.into()],
                    )
                    .await;
                panic!("no {css} with {needle:?} within {WAIT:?} ({other:?}); seen: {seen:?}");
            }
        }
    }

    /// Clicks with the real pointer at (`x`, `y`) CSS pixels from `element`'s top-left
    /// corner (for canvas content such as map markers), scrolling it into view first.
    pub async fn click_at(&self, element: &fantoccini::elements::Element, x: f64, y: f64) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
        const PLACE: &str = r#"
            const [el, x, y] = arguments;
            const r = el.getBoundingClientRect();
            window.scrollBy(0, r.top + y - window.innerHeight / 2);
            const after = el.getBoundingClientRect();
            return [after.left + x, after.top + y];
        "#;
        let at = self
            .client
            .execute(
                PLACE,
                vec![serde_json::to_value(element).unwrap(), x.into(), y.into()],
            )
            .await
            .unwrap();
        let (vx, vy) = (at[0].as_f64().unwrap(), at[1].as_f64().unwrap());
        let pointer = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo {
                duration: None,
                x: vx.round(),
                y: vy.round(),
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(pointer).await.unwrap();
        let _ = self.client.release_actions().await;
    }

    /// Ends the session and stops tauri-driver with SIGTERM (SIGKILL would leave
    /// WebKitWebDriver behind).
    pub async fn stop(self) {
        let _ = self.client.clone().close().await;
        // Drop stops tauri-driver and the stamp agents.
    }
}

impl Drop for AppSession {
    /// Stops tauri-driver with SIGTERM (SIGKILL would leave WebKitWebDriver and the app
    /// behind), also when a test fails half-way, then the local stamp agents the app
    /// started (they run detached by design).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.driver.id().to_string()])
            .status();
        let deadline = Instant::now() + WAIT;
        while matches!(self.driver.try_wait(), Ok(None)) {
            if Instant::now() > deadline {
                let _ = self.driver.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.wait();
        let pattern = format!("stamp-agent .* --data-dir {}/stamps/", self.home.display());
        let _ = Command::new("pkill")
            .args(["-TERM", "-f", "--", &pattern])
            .status();
    }
}
