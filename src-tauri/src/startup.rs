//! Start-up failures as one line on standard error and an exit code: no display, a
//! display that cannot be opened, a panic. Never a GTK backtrace.

/// Checks that a window can be opened here before the window toolkit is asked to.
pub fn check_display() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !set("DISPLAY") && !set("WAYLAND_DISPLAY") {
            return Err("no display: set DISPLAY or run under a desktop session".to_owned());
        }
        // GTK initialised here once; the window toolkit finds it initialised later.
        gtk::init().map_err(|e| {
            let display = std::env::var("WAYLAND_DISPLAY")
                .or_else(|_| std::env::var("DISPLAY"))
                .unwrap_or_default();
            format!(
                "cannot open the display {display:?} ({e}): set DISPLAY or run under a desktop session"
            )
        })?;
    }
    Ok(())
}

/// A panic becomes one line naming where it happened and the log; the full report
/// (with a backtrace when `RUST_BACKTRACE` asks for one) goes to the log.
pub fn install_panic_hook() {
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        return; // the default hook prints the backtrace a developer asked for
    }
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(%message, %place, "internal error");
        eprintln!("stampfleet: internal error: {message}{place} (the log has more)");
    }));
}

/// WebKitGTK composites the page through OpenGL; with no GPU (a VM, a remote desktop,
/// Xvfb) Mesa's software renderer then holds about 160 MiB in the web process (measured
/// with `.ci/bench-footprint`: 313 MiB with it, 153 MiB without). The window is a 2D
/// canvas and tables, which need none of it, so compositing is off unless the user set
/// `WEBKIT_DISABLE_COMPOSITING_MODE` (to 0 to keep it). Called before any thread starts.
pub fn lean_webview() {
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}
