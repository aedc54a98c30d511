//! The health watcher over the demo fleet's real local agents, which push their health:
//! after the first round it holds a question open to each and polls none of them (and
//! the window's next message names none of them again), so a
//! tenant provisioned straight on a stamp reaches the watcher only by that stamp's push;
//! a stamp whose endpoint changes is polled again (and says it is unreachable there); a
//! stamp that never answers holds up no round.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use fleet_core::StampId;
use fleet_ops::{HealthState, StampHealth};
use stamp_protocol::ProvisionTenant;
use testkit as support;
use tokio::sync::mpsc;

/// The next round that satisfies `wanted`, within 40 rounds (a round each 250 ms, or
/// as long as the round takes).
async fn round_where(
    rounds: &mut mpsc::UnboundedReceiver<Vec<StampHealth>>,
    what: &str,
    wanted: impl Fn(&[StampHealth]) -> bool,
) -> Vec<StampHealth> {
    let mut last = Vec::new();
    for _ in 0..40 {
        last = rounds.recv().await.expect("the watcher ended");
        if wanted(&last) {
            return last;
        }
    }
    panic!("no round where {what}; the last: {last:#?}");
}

/// The window's health watcher on `fleet`, a round each 250 ms, and its rounds.
fn watching(
    fleet: &fleet_ops::Fleet,
) -> (
    tokio::task::JoinHandle<()>,
    mpsc::UnboundedReceiver<Vec<StampHealth>>,
) {
    let (tx, rounds) = mpsc::unbounded_channel();
    let fleet = fleet.clone();
    let watcher = tokio::spawn(async move {
        fleet
            .watch_health(Duration::from_millis(250), 0, move |round| {
                tx.send(round).is_ok()
            })
            .await;
    });
    (watcher, rounds)
}

/// Drops the listener and waits (bounded) for the watcher to end.
async fn stop(
    watcher: tokio::task::JoinHandle<()>,
    rounds: mpsc::UnboundedReceiver<Vec<StampHealth>>,
) {
    drop(rounds);
    tokio::time::timeout(Duration::from_secs(30), watcher)
        .await
        .expect("the watcher did not end after its listener went")
        .unwrap();
}

fn of<'a>(round: &'a [StampHealth], stamp: &StampId) -> &'a StampHealth {
    round.iter().find(|h| &h.stamp == stamp).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_health_reaches_the_watcher_without_a_poll() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _, _stop) = support::demo::demo_fleet(dir.path(), true).await;
    let (watcher, mut rounds) = watching(&fleet);
    let first = rounds.recv().await.unwrap();
    // Asked once; each answered with a tag, so each pushes from then on.
    assert!(
        first
            .iter()
            .all(|h| h.state == HealthState::Healthy && h.pushed),
        "{first:#?}"
    );
    let stamps = first.len();
    // The next round's answers are the pushes, the same health: the window's next
    // message names no stamp (it named them all once, a 3 MB message at 10,000 stamps).
    let mut delta = fleet_ops::HealthDelta::default();
    assert!(delta.next(first.clone()).full);
    let second = rounds.recv().await.unwrap();
    assert_eq!(second.len(), stamps);
    assert!(second.iter().all(|h| h.pushed), "{second:#?}");
    let named = delta.next(second);
    assert!(named.changed.is_empty(), "{:#?}", named.changed);

    // A tenant provisioned straight on a stamp, not through the catalogue.
    let stamp = first[0].stamp.clone();
    let before = first[0].tenant_count.unwrap();
    let client = fleet.stamp_client(&stamp).await.unwrap();
    let request = ProvisionTenant {
        display_name: "Pushed Ltd".into(),
        size_units: 1,
    };
    client
        .provision_tenant("pushed-ltd", &request, "push-1")
        .await
        .unwrap();
    let seen = round_where(&mut rounds, "the new tenant was pushed", |r| {
        of(r, &stamp).tenant_count == Some(before + 1)
    })
    .await;
    assert!(of(&seen, &stamp).pushed, "{:?}", of(&seen, &stamp));

    // Its endpoint moves to a port where nothing listens: asked there, unreachable.
    fleet
        .set_stamp_endpoint(&stamp, "http://127.0.0.1:9")
        .await
        .unwrap();
    let moved = round_where(&mut rounds, "the moved stamp was asked again", |r| {
        of(r, &stamp).state == HealthState::Unreachable
    })
    .await;
    assert!(!of(&moved, &stamp).pushed);
    assert!(moved.iter().filter(|h| h.stamp != stamp).all(|h| h.pushed));

    // The window goes: the watcher ends, and its open questions with it.
    stop(watcher, rounds).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stamp_that_does_not_answer_holds_up_no_round() {
    let dir = tempfile::tempdir().unwrap();
    let (fleet, _, _stop) = support::demo::demo_fleet(dir.path(), true).await;
    // One stamp's endpoint takes connections and never answers (a poll gives up at 3 s).
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = silent.local_addr().unwrap();
    let _held = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let overview = fleet.overview().await.unwrap();
    let stamp = overview.stamps[0].stamp.id.clone();
    fleet
        .set_stamp_endpoint(&stamp, &format!("http://{address}"))
        .await
        .unwrap();
    let (watcher, mut rounds) = watching(&fleet);
    // A round waits 500 ms for its polls: rounds come while the silent stamp is still
    // being asked (unknown, no problem found yet) and the others have answered.
    round_where(&mut rounds, "the silent stamp was being asked", |r| {
        let silent = of(r, &stamp);
        (silent.state, silent.problem) == (HealthState::Unknown, None)
            && r.iter()
                .filter(|h| h.stamp != stamp)
                .all(|h| h.state == HealthState::Healthy)
    })
    .await;
    // Rounds go on meanwhile; the poll's timeout lands in a later one.
    round_where(&mut rounds, "the silent stamp timed out", |r| {
        of(r, &stamp).problem == Some(fleet_ops::HealthProblem::TimedOut)
    })
    .await;
    stop(watcher, rounds).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_subscribes_again_ends_its_earlier_watcher() {
    use fleet_ops::commands::{sink, watch_health_in_background};
    let dir = tempfile::tempdir().unwrap();
    let fleet = support::demo::offline_demo(dir.path()).await;
    let subscribe = |session: &str| {
        let (tx, rx) = mpsc::unbounded_channel::<fleet_ops::HealthUpdate>();
        watch_health_in_background(&fleet, session, &sink(move |round| tx.send(round).is_ok()))
            .unwrap();
        rx
    };
    let mut first = subscribe("page-1");
    let mut other_page = subscribe("page-2");
    assert!(first.recv().await.is_some());
    // The page's watchdog subscribes again: the new watcher reports, the earlier one
    // ends at its next round (its sender goes with it), the other page's goes on.
    let mut again = subscribe("page-1");
    // A new subscription's first message names every stamp, whatever the earlier sent.
    let whole = again.recv().await.unwrap();
    assert!(whole.full);
    let watched = fleet
        .overview()
        .await
        .unwrap()
        .stamps
        .iter()
        .filter(|v| {
            matches!(
                v.stamp.status,
                fleet_core::StampStatus::Active | fleet_core::StampStatus::Draining
            )
        })
        .count();
    assert!(watched > 0);
    assert_eq!(whole.changed.len(), watched);
    let ended = tokio::time::timeout(Duration::from_secs(30), async {
        while first.recv().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the earlier watcher of page-1 still reports");
    assert!(other_page.recv().await.is_some());
    // Later messages name only what changed since the one before.
    assert!(!other_page.recv().await.unwrap().full);
}
