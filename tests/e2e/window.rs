//! The real window: start on an empty catalogue, create the demo fleet with one click,
//! see stamps and tenants; a damaged catalogue shown as an error, left untouched; and
//! another catalogue opened from the Open dialog in a window of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use fantoccini::Locator;
use stampfleet_e2e::AppSession;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_fleet_is_one_click_away() {
    let (dir, catalogue, app) = AppSession::start_in_new_dir().await;

    assert_eq!(app.client.title().await.unwrap(), "Stampfleet");
    app.find("[data-testid=first-run]").await;
    app.click("[data-testid=create-demo]").await;

    let stamps = app.find_n("[data-testid=stamp-row]", 8).await;
    assert!(stamps[0].text().await.unwrap().contains('%'));
    app.find_n("[data-testid=tenant-row]", 60).await;
    let syd = app
        .find("[data-testid=stamp-row][data-stamp-id=syd-01] [role=meter]")
        .await;
    assert_eq!(
        syd.attr("aria-valuenow").await.unwrap().as_deref(),
        Some("88")
    );

    let search = app.find("[data-testid=tenant-search]").await;
    search.send_keys("contoso").await.unwrap();
    let rows = app.find_n("[data-testid=tenant-row]", 2).await;
    assert!(rows[0]
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("contoso"));
    // Select all, then delete: what a person does (WebDriver's clear() fires no input event).
    search.send_keys("\u{E009}a\u{E000}\u{E003}").await.unwrap();
    app.find_n("[data-testid=tenant-row]", 60).await;

    app.client
        .execute("window.scrollTo(0, 0)", vec![])
        .await
        .unwrap();
    let shot = app.screenshot("demo-fleet.png").await;
    println!("screenshot: {}", shot.display());
    app.stop().await;

    // What the window created is in the real catalogue file.
    let fleet = fleet_ops::Fleet::open(&catalogue).await.unwrap();
    let counts = fleet.info().await.unwrap().counts;
    assert_eq!(
        (counts.stamps, counts.tenants, counts.bindings),
        (8, 60, 60)
    );
    assert!(counts.audit_rows > 0);
    let log = std::fs::read_to_string(dir.path().join("stampfleet.log")).unwrap();
    assert!(log.contains("demo fleet created"), "log: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_catalogue_is_shown_as_an_error_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("broken.sqlite");
    std::fs::write(&catalogue, b"definitely not a database".repeat(40)).unwrap();
    let app = AppSession::start(&catalogue, dir.path()).await;

    let error = app.find("[data-testid=catalogue-error]").await;
    let text = error.text().await.unwrap();
    assert!(
        text.contains("broken.sqlite") && text.contains("not a Stampfleet catalogue"),
        "{text}"
    );
    assert!(app
        .client
        .find(Locator::Css("[data-testid=create-demo]"))
        .await
        .is_err());
    app.screenshot("catalogue-error.png").await;
    app.stop().await;
    assert_eq!(
        std::fs::read(&catalogue).unwrap(),
        b"definitely not a database".repeat(40)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_catalogue_opens_in_a_window_of_its_own() {
    let (dir, catalogue, app) = AppSession::start_in_new_dir().await;
    app.click("[data-testid=open-catalogue]").await;
    // This window's catalogue is the first recent one.
    app.wait_text(
        &format!(
            "[data-testid=recent-catalogue][data-location='{}']",
            catalogue.display()
        ),
        "this window",
    )
    .await;
    let other = dir.path().join("other.sqlite");
    app.type_into("[data-testid=open-location]", other.to_str().unwrap())
        .await;
    app.click("[data-testid=open-submit]").await;
    app.wait_text("[data-testid=open-done]", "opens in a new window")
        .await;
    // A second app process opens it (and creates the file): a readiness probe of that.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !other.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no window opened {}",
            other.display()
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let pattern = format!("--catalogue {}", other.display());
    let stopped = std::process::Command::new("pkill")
        .args(["-TERM", "-f", "--", &pattern])
        .status()
        .unwrap();
    assert!(stopped.success(), "the second window's process was running");
    app.stop().await;
}
