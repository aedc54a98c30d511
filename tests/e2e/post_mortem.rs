//! What a failed wait leaves behind: the window's screenshot, the page's outline and the
//! end of the app's log, and whether the web content ended under the test.

use std::path::PathBuf;

use crate::{workspace_root, AppSession};

/// What the app logs when WebKit's web process that draws its page ends
/// (src-tauri/src/web_crash.rs), and the line a post-mortem prints then: `.ci/e2e`
/// runs a test that failed with it once more (a crash of WebKit's compositor in Mesa's
/// software renderer under Xvfb, seen in CI, is outside the product; the product's own
/// answer to it, reloading the page, is tested in web_crash.rs).
const WEB_CONTENT_ENDED: &str = "the window's web content ended";
pub const WEB_CONTENT_CRASH_MARK: &str = "E2E-WEB-CONTENT-ENDED";

pub(crate) fn save_screenshot(name: &str, png: &[u8]) -> std::io::Result<PathBuf> {
    let dir = workspace_root().join("target/e2e-screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, png)?;
    Ok(path)
}

impl AppSession {
    /// What a failed wait leaves for whoever reads the CI log (the screenshot stays on
    /// the CI machine): first `what` failed (a CI log shown cut in its middle keeps its
    /// head and tail) and the errors the page shows, then the window's screenshot, the
    /// end of the app's own log, every health pill's state and the page's text. It never panics itself: when the session
    /// is gone (the app or its web content ended), what the log says is the post-mortem.
    pub(crate) async fn post_mortem(&self, what: &str) {
        eprintln!("e2e step failed: {what}");
        // Errors the page shows (a refused action is the usual reason a wait runs out).
        const ALERTS: &str = r#"
            return [...document.querySelectorAll("[role=alert], .error")]
                .map((e) => e.textContent.trim()).filter((t) => t !== "").join(" | ");
        "#;
        match self.client.execute(ALERTS, vec![]).await {
            Ok(serde_json::Value::String(alerts)) if !alerts.is_empty() => {
                eprintln!("errors on the page: {alerts}");
            }
            Ok(_) => eprintln!("errors on the page: none"),
            Err(e) => eprintln!("the page's errors could not be read: {e}"),
        }
        match self.client.screenshot().await {
            Ok(png) => match save_screenshot("failure.png", &png) {
                Ok(shot) => eprintln!("window at the failure: {}", shot.display()),
                Err(e) => eprintln!("the failure's screenshot could not be saved: {e}"),
            },
            Err(e) => eprintln!("no screenshot of the window at the failure: {e}"),
        }
        for log in [
            self.home.join("stampfleet.log"),
            self.home.join("logs/stampfleet.log"),
        ] {
            if let Ok(text) = std::fs::read_to_string(&log) {
                let lines: Vec<&str> = text.lines().collect();
                let tail = &lines[lines.len().saturating_sub(40)..];
                eprintln!("the end of {}:\n{}", log.display(), tail.join("\n"));
                if text.contains(WEB_CONTENT_ENDED) {
                    eprintln!("{WEB_CONTENT_CRASH_MARK}: the app's log says its web content ended (WebKit's web process); WebKitWebDriver ends its session then");
                }
            }
        }
        const OUTLINE: &str = r#"
            const pills = [...document.querySelectorAll("[data-health]")].map((e) => e.dataset.health);
            return "health pills: " + JSON.stringify(pills) + "\npage text: " + document.body.innerText.slice(0, 1500);
        "#;
        match self.client.execute(OUTLINE, vec![]).await {
            Ok(serde_json::Value::String(outline)) => eprintln!("{outline}"),
            other => eprintln!("the page's outline could not be read: {other:?}"),
        }
    }

    /// Saves a screenshot of the window under target/e2e-screenshots/.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = match self.client.screenshot().await {
            Ok(png) => png,
            Err(e) => {
                let what = format!("screenshot {name}: {e:?}");
                self.post_mortem(&what).await;
                panic!("{what}");
            }
        };
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        save_screenshot(name, &png).unwrap()
    }
}
