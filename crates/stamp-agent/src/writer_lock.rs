//! The store's one writer lock, with a fast lane. SQLite takes one writer at a time,
//! and the agent queues its writers here rather than in SQLite's busy handler. A move's
//! cut-over steps (freeze, catch-up, fence, activate) pause a tenant's writes until they
//! are done, so they take the fast lane: they go before every ordinary write that is
//! still waiting (a burst of twenty tenants' writes held a freeze back for 40 ms, first
//! come first served). An ordinary write waits at most for the fast lane to empty;
//! within a lane, first come, first served.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::oneshot;

#[derive(Default)]
pub struct WriterLock {
    state: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    held: bool,
    first: VecDeque<oneshot::Sender<()>>,
    ordinary: VecDeque<oneshot::Sender<()>>,
}

/// The lock, held until dropped (then handed to the next in line).
pub struct WriterGuard<'a> {
    lock: &'a WriterLock,
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        self.lock.hand_on();
    }
}

/// A place in line; dropped before its turn came (the request went away), it leaves the
/// line, and dropped just as the lock was handed to it, it hands the lock on.
struct Waiting<'a> {
    lock: &'a WriterLock,
    turn: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Some(mut turn) = self.turn.take() {
            turn.close();
            if turn.try_recv().is_ok() {
                self.lock.hand_on();
            }
        }
    }
}

impl WriterLock {
    /// In the ordinary lane.
    pub async fn lock(&self) -> WriterGuard<'_> {
        self.acquire(false).await
    }

    /// In the fast lane: before every ordinary writer still waiting.
    pub async fn lock_first(&self) -> WriterGuard<'_> {
        self.acquire(true).await
    }

    async fn acquire(&self, first: bool) -> WriterGuard<'_> {
        let turn = {
            let mut q = self.queue();
            if !q.held {
                q.held = true;
                return WriterGuard { lock: self };
            }
            let (tx, rx) = oneshot::channel();
            if first {
                q.first.push_back(tx);
            } else {
                q.ordinary.push_back(tx);
            }
            rx
        };
        let mut waiting = Waiting {
            lock: self,
            turn: Some(turn),
        };
        if let Some(turn) = waiting.turn.as_mut() {
            // A sender is only ever used up by a send: the lock was handed here.
            let _ = turn.await;
        }
        waiting.turn = None;
        WriterGuard { lock: self }
    }

    /// Hands the lock to the next waiter still waiting, fast lane first, or frees it.
    fn hand_on(&self) {
        let mut q = self.queue();
        while let Some(next) = q.first.pop_front().or_else(|| q.ordinary.pop_front()) {
            if next.send(()).is_ok() {
                return;
            }
        }
        q.held = false;
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        // The queue is never left half-changed, so a poisoned one is still sound.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Waiters queued behind a held lock: the fast lane goes first, each lane in order.
    #[tokio::test]
    async fn the_fast_lane_goes_before_waiting_ordinary_writers() {
        let lock = Arc::new(WriterLock::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let held = lock.lock().await;
        let mut tasks = Vec::new();
        for (name, first) in [
            ("a", false),
            ("b", false),
            ("F1", true),
            ("c", false),
            ("F2", true),
        ] {
            let (mine, order) = (lock.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                let _g = if first {
                    mine.lock_first().await
                } else {
                    mine.lock().await
                };
                order.lock().unwrap().push(name);
            }));
            // Queued in this order: each task is in line before the next is spawned.
            while {
                let q = lock.queue();
                q.first.len() + q.ordinary.len()
            } < tasks.len()
            {
                tokio::task::yield_now().await;
            }
        }
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["F1", "F2", "a", "b", "c"]);
    }

    /// A waiter that goes away leaves the line; the lock still reaches the next one.
    #[tokio::test]
    async fn a_waiter_that_goes_away_does_not_keep_the_lock() {
        let lock = Arc::new(WriterLock::default());
        let held = lock.lock().await;
        let gone = {
            let mine = lock.clone();
            tokio::spawn(async move {
                let _g = mine.lock_first().await;
            })
        };
        while lock.queue().first.is_empty() {
            tokio::task::yield_now().await;
        }
        gone.abort();
        let _ = gone.await;
        drop(held);
        free_again(&lock).await;
    }

    /// Handed the lock just as it went away (dropped before it ran again), a waiter
    /// hands it on instead of keeping it.
    #[tokio::test]
    async fn a_waiter_handed_the_lock_as_it_goes_away_hands_it_on() {
        let lock = Arc::new(WriterLock::default());
        let held = lock.lock().await;
        let gone = {
            let mine = lock.clone();
            tokio::spawn(async move {
                let _g = mine.lock().await;
            })
        };
        while lock.queue().ordinary.is_empty() {
            tokio::task::yield_now().await;
        }
        // One thread: the waiter cannot run between the hand-over and the abort.
        drop(held);
        assert!(lock.queue().held, "handed to the waiter");
        gone.abort();
        let _ = gone.await;
        free_again(&lock).await;
    }

    async fn free_again(lock: &WriterLock) {
        let bound = std::time::Duration::from_secs(10);
        let again = tokio::time::timeout(bound, lock.lock())
            .await
            .expect("the lock is free again");
        drop(again);
        assert!(!lock.queue().held);
    }
}
