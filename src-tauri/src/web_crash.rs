//! Recovers the window from a crash of its web content. WebKitGTK reports the end of
//! the web process that draws the page; the page is loaded again with
//! `?recovered=<reason>`, and the UI says what happened. The catalogue, running moves
//! and plan applies live in this process, not the page's: nothing of theirs is lost.

/// Watches the window's web content and reloads it when its process ends.
pub fn watch(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    if let Err(e) = window.with_webview(|platform| linux::reload_on_termination(&platform.inner()))
    {
        tracing::error!(error = %e, "cannot watch the window's web content");
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use webkit2gtk::{WebProcessTerminationReason, WebView, WebViewExt};

    pub fn reload_on_termination(view: &WebView) {
        view.connect_web_process_terminated(|view, reason| {
            let why = match reason {
                WebProcessTerminationReason::Crashed => "crashed",
                WebProcessTerminationReason::ExceededMemoryLimit => "memory",
                _ => "ended",
            };
            tracing::error!(
                reason = why,
                "the window's web content ended; loading it again"
            );
            let uri = view.uri().map(|u| u.to_string()).unwrap_or_default();
            let base = uri.split(['?', '#']).next().unwrap_or_default();
            view.load_uri(&format!("{base}?recovered={why}"));
        });
    }
}
