fn main() {
    // Each command gets an `allow-<command>` permission; capabilities/ grants exactly these.
    // The names come from fleet-ops' command list, written to commands.txt by its
    // generator (a test fails when the file is stale).
    println!("cargo:rerun-if-changed=commands.txt");
    let names: Vec<&'static str> = include_str!("commands.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(names)),
    )
    .unwrap_or_else(|e| panic!("tauri build step failed: {e:#}"));
}
