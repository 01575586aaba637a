//! The board shared between the run that changes it and the browsers
//! that watch it. A change costs a lock and a counter; browsers are told
//! through a `watch` channel, which keeps only the latest value, so a
//! browser that reads slowly (or never) skips to the newest state and
//! memory never grows with it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, watch};

use super::board::Board;
use crate::report::{RenderError, RunReport, render_html};

/// The live state of a run, shared: clone it freely.
#[derive(Clone)]
pub struct LiveFeed(Arc<Shared>);

struct Shared {
    board: Mutex<Board>,
    /// The board's `seq` after each change.
    changes: watch::Sender<u64>,
    /// The latest state as JSON, made once per change however many
    /// browsers ask.
    json: Mutex<(u64, Arc<str>)>,
    /// The report, once the run is over.
    report_html: Mutex<Option<Arc<str>>>,
    /// Pages with the event stream open, and those sent the final state
    /// (see [`PageGuard::sent_the_final_state`]).
    pages: AtomicU64,
    /// Times the report was fetched.
    fetched: AtomicU64,
    fetch: Notify,
}

impl LiveFeed {
    /// A feed for `skeleton`'s network.
    pub fn new(skeleton: &RunReport) -> LiveFeed {
        let board = Board::new(skeleton);
        let (changes, _) = watch::channel(0);
        LiveFeed(Arc::new(Shared {
            board: Mutex::new(board),
            changes,
            json: Mutex::new((u64::MAX, Arc::from(""))),
            report_html: Mutex::new(None),
            pages: AtomicU64::new(0),
            fetched: AtomicU64::new(0),
            fetch: Notify::new(),
        }))
    }

    /// Changes the board with `change` and tells the browsers.
    pub fn update(&self, change: impl FnOnce(&mut Board)) {
        let seq = {
            let mut board = lock(&self.0.board);
            change(&mut board);
            board.snapshot().seq
        };
        self.0.changes.send_replace(seq);
    }

    /// The latest state as JSON, and whether it is the final one (the
    /// report is ready).
    pub fn state_json(&self) -> (Arc<str>, bool) {
        let board = lock(&self.0.board);
        let snapshot = board.snapshot();
        let mut cached = lock(&self.0.json);
        if cached.0 != snapshot.seq {
            // Every field is a string, a number, a bool or a list of them.
            let text = serde_json::to_string(snapshot).unwrap_or_else(|_| "{}".to_owned());
            *cached = (snapshot.seq, Arc::from(text));
        }
        (cached.1.clone(), snapshot.report)
    }

    /// A receiver that wakes when the board changes.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.0.changes.subscribe()
    }

    /// The run is over: renders `report` for the page to become, and
    /// shows its final figures.
    pub fn finish(&self, report: &RunReport) -> Result<(), RenderError> {
        let html = render_html(report)?;
        *lock(&self.0.report_html) = Some(Arc::from(html));
        self.update(|board| board.finish(report));
        Ok(())
    }

    /// The report, once the run is over (counted as fetched).
    pub fn report_html(&self) -> Option<Arc<str>> {
        let html = lock(&self.0.report_html).clone();
        if html.is_some() {
            self.0.fetched.fetch_add(1, Ordering::SeqCst);
            self.0.fetch.notify_waiters();
        }
        html
    }

    /// A page opened the event stream; it counts until the guard drops,
    /// or for good once it was sent the final state.
    pub fn page_opened(&self) -> PageGuard {
        self.0.pages.fetch_add(1, Ordering::SeqCst);
        PageGuard {
            feed: self.clone(),
            report_due: false,
        }
    }

    /// Pages with the event stream open now, and pages that were sent the
    /// final state: those fetch the report next.
    pub fn pages(&self) -> u64 {
        self.0.pages.load(Ordering::SeqCst)
    }

    /// Waits, at most `limit`, until every page open now has fetched the
    /// report: the run's process must not leave before the room has it.
    pub async fn wait_for_pages(&self, limit: Duration) {
        let wanted = self.pages();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.0.fetch.notified();
            if self.0.fetched.load(Ordering::SeqCst) >= wanted {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }

    /// Waits until a page has opened the event stream.
    pub async fn wait_for_a_page(&self) {
        let mut changes = self.watch();
        while self.pages() == 0 {
            if changes.changed().await.is_err() {
                return;
            }
        }
    }

    fn pages_changed(&self) {
        // Wakes `wait_for_a_page` without changing the board.
        self.0.changes.send_modify(|_| {});
    }
}

/// Counts one open page while it lives.
pub struct PageGuard {
    feed: LiveFeed,
    /// The page was sent the final state and fetches the report next.
    report_due: bool,
}

impl PageGuard {
    /// Announces the page (after it was counted).
    pub fn announce(&self) {
        self.feed.pages_changed();
    }

    /// The page was sent the final state: its stream ends, and the page
    /// still counts, since it fetches the report next. Were it to stop
    /// counting, a run that looked for open pages a moment after the
    /// stream ended would find none and leave before the page fetched the
    /// report.
    pub fn sent_the_final_state(&mut self) {
        self.report_due = true;
    }
}

impl Drop for PageGuard {
    fn drop(&mut self) {
        if !self.report_due {
            self.feed.0.pages.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The board holds counters only: one left half-updated by a panic
    // elsewhere is still worth showing.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
