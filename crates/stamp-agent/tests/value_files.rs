//! Large values kept in files beside the agent's store (64 KiB and more): read back as
//! written, one file shared by a key and its log entry (and by a snapshot page's
//! values), removed with their tenant, swept at start when no row names them, carried
//! by a move (characters cut between the chunks a page arrives in too), and an import
//! whose file a crash cut copying its snapshot again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit as support;

use stamp_client::{ClientOptions, StampClient};
use stamp_protocol::{ImportSync, ProvisionTenant};
use support::wire::get_json;
use support::{import_acme_from, sync_until_caught_up, Agent};

const ADMIN_A: &str = "admin-token-of-stamp-a";
const ADMIN_B: &str = "admin-token-of-stamp-b";

/// A value kept in a file (100 KiB of `c`).
fn big(c: char) -> String {
    c.to_string().repeat(100 * 1024)
}

fn client(agent: &Agent, token: &str) -> StampClient {
    let options = ClientOptions {
        attempts: 1,
        ..ClientOptions::default()
    };
    StampClient::new(&agent.base, token.to_owned(), options).unwrap()
}

fn start(dir: &std::path::Path, stamp: &str, admin: &str) -> (Agent, StampClient) {
    let agent = Agent::start(dir, stamp, "azure-westeurope", 100, admin);
    let client = client(&agent, admin);
    (agent, client)
}

/// The names in the stamp's `values` directory, sorted.
fn value_files(dir: &std::path::Path, stamp: &str) -> Vec<String> {
    let values = Agent::data_file(dir, stamp, "values");
    let mut names: Vec<String> = std::fs::read_dir(values)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Provisions `tenant` and returns its token (the same after a restart: tenant tokens
/// are signed with the admin's).
async fn provision(admin: &StampClient, tenant: &str) -> String {
    let request = ProvisionTenant {
        display_name: format!("{tenant} Ltd"),
        size_units: 10,
    };
    admin
        .provision_tenant(tenant, &request, &format!("p-{tenant}"))
        .await
        .unwrap()
        .tenant_token
}

/// The cut-over of `acme` from a to b: freeze, catch up, fence, activate; its client on b.
async fn cut_over(
    (a, admin_a): (&Agent, &StampClient),
    (b, admin_b): (&Agent, &StampClient),
    request: &ImportSync,
) -> StampClient {
    admin_a.freeze("acme", 60, "f").await.unwrap();
    let last = sync_until_caught_up(admin_b, "acme", request, "frozen").await;
    admin_a.fence("acme", &b.base, "fence").await.unwrap();
    let proof = stamp_protocol::ActivateProof {
        source: a.base.clone(),
        transfer_token: request.transfer_token.clone(),
    };
    admin_b.activate("acme", &proof, "act").await.unwrap();
    admin_b.with_token(last.tenant_token)
}

#[tokio::test]
async fn large_values_live_in_files_shared_by_the_log_and_go_with_their_tenant() {
    let dir = tempfile::tempdir().unwrap();
    let (a, admin) = start(dir.path(), "a", ADMIN_A);
    let acme = admin.with_token(provision(&admin, "acme").await);
    acme.kv_put("acme", "k1", &big('x'), "w1").await.unwrap();
    acme.kv_put("acme", "small", "tiny", "w2").await.unwrap();
    assert_eq!(
        value_files(dir.path(), "a").len(),
        1,
        "one file, the large value's"
    );
    assert_eq!(acme.kv_get("acme", "k1").await.unwrap().value, big('x'));
    assert_eq!(acme.kv_get("acme", "small").await.unwrap().value, "tiny");

    // Overwritten: the log still names the first value, so both files stay.
    acme.kv_put("acme", "k1", &big('y'), "w3").await.unwrap();
    assert_eq!(value_files(dir.path(), "a").len(), 2);
    assert_eq!(acme.kv_get("acme", "k1").await.unwrap().value, big('y'));
    // The same key and value again: the same file (named by what it holds).
    acme.kv_put("acme", "k1", &big('x'), "w4").await.unwrap();
    assert_eq!(value_files(dir.path(), "a").len(), 2);
    // The log hands the values out whole (a move's catch-up reads it).
    let log = admin.changes("acme", 0).await.unwrap();
    let values: Vec<Option<&str>> = log.changes.iter().map(|c| c.value.as_deref()).collect();
    assert_eq!(
        values,
        [
            Some(big('x').as_str()),
            Some("tiny"),
            Some(big('y').as_str()),
            Some(big('x').as_str())
        ]
    );
    // The kept digest is the one a full recount of the values gives.
    let http = reqwest::Client::new();
    let full = get_json(
        &http,
        &a.url("/v1/tenants/acme/checksum?full=true"),
        ADMIN_A,
    )
    .await;
    let full: stamp_protocol::TenantChecksum = serde_json::from_value(full).unwrap();
    assert_eq!(admin.checksum("acme").await.unwrap(), full);

    // Set aside under the writer lock, removed after it, before the answer.
    admin.deprovision_tenant("acme", "gone").await.unwrap();
    assert_eq!(value_files(dir.path(), "a"), Vec::<String>::new());
}

#[tokio::test]
async fn files_no_row_names_are_swept_when_the_agent_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (a, admin) = start(dir.path(), "a", ADMIN_A);
    let token = provision(&admin, "acme").await;
    let acme = admin.with_token(token.clone());
    acme.kv_put("acme", "k1", &big('x'), "w1").await.unwrap();
    let kept = value_files(dir.path(), "a");
    assert_eq!(kept.len(), 1);
    drop(a);
    // What a crash leaves: a whole file whose row never committed, a half-written one,
    // one a sweep set aside and had not removed yet.
    let values = Agent::data_file(dir.path(), "a", "values");
    std::fs::write(values.join("0123456789abcdef0123456789abcdef"), "orphan").unwrap();
    std::fs::write(values.join(format!("{}.7.tmp", kept[0])), "half").unwrap();
    let aside = "fedcba9876543210fedcba9876543210.3.gone";
    std::fs::write(values.join(aside), "swept").unwrap();
    assert_eq!(value_files(dir.path(), "a").len(), 4);

    let (_a, admin) = start(dir.path(), "a", ADMIN_A);
    assert_eq!(value_files(dir.path(), "a"), kept);
    let acme = admin.with_token(token);
    assert_eq!(acme.kv_get("acme", "k1").await.unwrap().value, big('x'));
}

#[tokio::test]
async fn an_import_whose_value_file_a_crash_cut_copies_its_snapshot_again() {
    let dir = tempfile::tempdir().unwrap();
    let (a, admin_a) = start(dir.path(), "a", ADMIN_A);
    let (b, admin_b) = start(dir.path(), "b", ADMIN_B);
    let acme = admin_a.with_token(provision(&admin_a, "acme").await);
    for (i, c) in ['x', 'y', 'z'].into_iter().enumerate() {
        acme.kv_put("acme", &format!("big-{i}"), &big(c), &format!("b{i}"))
            .await
            .unwrap();
        acme.kv_put("acme", &format!("small-{i}"), "s", &format!("s{i}"))
            .await
            .unwrap();
    }
    let request = import_acme_from(&a, &admin_a).await;
    sync_until_caught_up(&admin_b, "acme", &request, "first").await;
    let source = admin_a.checksum("acme").await.unwrap();
    assert_eq!(
        admin_b.checksum("acme").await.unwrap().digest,
        source.digest
    );
    // One snapshot page: its three large values share one file.
    let written = value_files(dir.path(), "b");
    assert_eq!(written.len(), 1);

    // The target dies, and the import's file is cut short with it (as a power cut
    // loses what was not synced): at start the importing copy starts over.
    drop(b);
    let file = Agent::data_file(dir.path(), "b", "values").join(&written[0]);
    let cut = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    cut.set_len(150 * 1024).unwrap();
    drop(cut);
    let (b, admin_b) = start(dir.path(), "b", ADMIN_B);
    let restarted = admin_b.checksum("acme").await.unwrap();
    assert_eq!((restarted.keys, restarted.seq), (0, 0), "{restarted:?}");
    assert_eq!(
        value_files(dir.path(), "b").len(),
        0,
        "the cut file was swept"
    );

    sync_until_caught_up(&admin_b, "acme", &request, "again").await;
    assert_eq!(
        admin_b.checksum("acme").await.unwrap().digest,
        source.digest
    );
    // The cut-over; the values are served there.
    let on_b = cut_over((&a, &admin_a), (&b, &admin_b), &request).await;
    for (i, c) in ['x', 'y', 'z'].into_iter().enumerate() {
        let entry = on_b.kv_get("acme", &format!("big-{i}")).await.unwrap();
        assert_eq!(entry.value, big(c));
    }
    assert_eq!(
        value_files(dir.path(), "b"),
        written,
        "the same page, the same file"
    );
}

/// Large values of characters of 1 to 4 bytes, whose page arrives in chunks that cut
/// characters in two: the target writes them to its file from those chunks, and they
/// are the same values there (the same digest, each read back whole).
#[tokio::test]
async fn large_values_of_many_byte_characters_move_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (a, admin_a) = start(dir.path(), "a", ADMIN_A);
    let (b, admin_b) = start(dir.path(), "b", ADMIN_B);
    let acme = admin_a.with_token(provision(&admin_a, "acme").await);
    // 300 KB each, every character boundary shifted by one byte from the value before.
    let values: Vec<String> = (0..6)
        .map(|i| "x".repeat(i) + &"a€𝄞é".repeat(30_000))
        .collect();
    for (i, v) in values.iter().enumerate() {
        acme.kv_put("acme", &format!("k{i}"), v, &format!("w{i}"))
            .await
            .unwrap();
    }
    let request = import_acme_from(&a, &admin_a).await;
    sync_until_caught_up(&admin_b, "acme", &request, "copy").await;
    let source = admin_a.checksum("acme").await.unwrap();
    let copy = admin_b.checksum("acme").await.unwrap();
    assert_eq!((copy.keys, copy.digest), (source.keys, source.digest));
    let on_b = cut_over((&a, &admin_a), (&b, &admin_b), &request).await;
    for (i, v) in values.iter().enumerate() {
        let entry = on_b.kv_get("acme", &format!("k{i}")).await.unwrap();
        assert!(entry.value == *v, "k{i} differs after the move");
    }
}

/// A target asks for pages ahead of the one it writes (`skip`): each is the page that
/// follows, and names the key it follows so the target can tell when writes on the
/// source moved the boundaries. It asks for pages of 24 MiB (`pageBytes`); a caller
/// that does not gets 7 MiB, and one that asks for more is refused.
#[tokio::test]
async fn pages_asked_ahead_are_the_pages_that_follow_and_say_what_they_follow() {
    let dir = tempfile::tempdir().unwrap();
    let (a, admin) = start(dir.path(), "a", ADMIN_A);
    let acme = admin.with_token(provision(&admin, "acme").await);
    // 1 MB values: a page the client asks for holds about 24 MiB, so 60 of them make 3
    // pages.
    let mb = "v".repeat(1_000_000);
    for i in 0..60 {
        acme.kv_put("acme", &format!("k{i:02}"), &mb, &format!("w{i}"))
            .await
            .unwrap();
    }
    let mut pages = Vec::new();
    let mut after = String::new();
    loop {
        let page = admin.export_page("acme", &after).await.unwrap();
        assert_eq!(page.after, None, "asked without skip");
        pages.push(page.clone());
        match page.next_after {
            Some(next) => after = next,
            None => break,
        }
    }
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for skip in 1..pages.len() {
        let ahead = admin
            .export_page_ahead("acme", "", skip as u32)
            .await
            .unwrap();
        assert_eq!(ahead.after, pages[skip - 1].next_after, "skip {skip}");
        assert_eq!(ahead.entries, pages[skip].entries, "skip {skip}");
        assert_eq!(ahead.next_after, pages[skip].next_after, "skip {skip}");
    }
    let past = admin
        .export_page_ahead("acme", "", pages.len() as u32)
        .await
        .unwrap();
    assert!(past.entries.is_empty() && past.next_after.is_none());
    assert_eq!(
        past.after.as_deref(),
        Some("k59"),
        "past the end: after the last key"
    );
    let refused = admin.export_page_ahead("acme", "", 5).await;
    assert!(
        matches!(&refused, Err(stamp_client::ClientError::Rejected { status: 400, message, .. }) if message.contains("skip")),
        "{refused:?}"
    );
    assert_eq!(pages[0].entries.len(), 25, "24 MiB of 1 MB values");
    // Without `pageBytes`: 7 MiB, 7 values (in JSON, as a caller that asks nothing).
    let export = |query: &str| {
        reqwest::Client::new()
            .get(a.url(&format!("/v1/tenants/acme/export{query}")))
            .bearer_auth(ADMIN_A)
            .send()
    };
    let default: stamp_protocol::ExportPage = export("").await.unwrap().json().await.unwrap();
    assert_eq!(default.entries.len(), 7);
    assert_eq!(default.entries[..], pages[0].entries[..7]);
    let too_large = export("?pageBytes=33554432").await.unwrap();
    assert_eq!(too_large.status(), reqwest::StatusCode::BAD_REQUEST);
    let text = too_large.text().await.unwrap();
    assert!(text.contains("pageBytes"), "{text}");
}

/// A key overwritten with large values: the log entries the trim drops take their
/// files with them (checked after a restart, whose sweep has run before it listens).
#[tokio::test]
async fn the_files_of_trimmed_log_entries_go() {
    let dir = tempfile::tempdir().unwrap();
    let limits = ["--change-log-entries", "1", "--change-retention-secs", "0"];
    let agent = Agent::start_with(dir.path(), "a", "azure-westeurope", 100, ADMIN_A, &limits);
    let admin = client(&agent, ADMIN_A);
    let token = provision(&admin, "acme").await;
    let acme = admin.with_token(token.clone());
    // 260 writes: the trim at the 256th keeps the newest 4 entries (4 x 1 key).
    let value = |i: usize| format!("{i:04}{}", big('x'));
    for i in 0..260 {
        acme.kv_put("acme", "k", &value(i), &format!("w{i}"))
            .await
            .unwrap();
    }
    drop(agent);
    let agent = Agent::start_with(dir.path(), "a", "azure-westeurope", 100, ADMIN_A, &limits);
    let files = value_files(dir.path(), "a").len();
    assert!(
        (1..=8).contains(&files),
        "{files} files for 8 log entries at most"
    );
    let acme = client(&agent, ADMIN_A).with_token(token);
    assert_eq!(acme.kv_get("acme", "k").await.unwrap().value, value(259));
}
