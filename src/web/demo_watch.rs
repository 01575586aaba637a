//! A demo on the live page: the story's sections as they are told, the
//! incident's run day by day, and the mitigation table filling in row by
//! row as each replay finishes.

use super::board::Board;
use super::feed::LiveFeed;
use super::trace::listen;
use crate::report::{RunReport, Taken};
use crate::scenario::{DemoWatcher, Progress};

/// Follows a demo onto a feed.
pub struct DemoFeed {
    feed: LiveFeed,
}

impl DemoFeed {
    /// A watcher that tells `feed`.
    pub fn new(feed: LiveFeed) -> DemoFeed {
        DemoFeed { feed }
    }
}

/// The first row of the table: the incident as it happened.
pub const AS_IT_HAPPENED: &str = "as it happened";

fn cells(label: &str, taken: Taken, forgeries: bool) -> Vec<String> {
    let mut row = vec![label.to_owned(), taken.content.to_string(), taken.routing.to_string()];
    if forgeries {
        row.push(taken.forged_accepted.to_string());
    }
    row
}

impl DemoWatcher for DemoFeed {
    fn section(&self, title: &str, text: &str) {
        self.feed.update(|board| board.story_section(title, text));
    }

    fn progress(&self, progress: &Progress) {
        self.feed.update(|board| board.progress(progress));
    }

    fn baseline(&self, _report: &RunReport) {
        // The replays run several networks at once: their sends and
        // deliveries are not the incident's, so the page stops counting.
        listen(false);
    }

    fn table(&self, baseline: Taken, labels: &[&str]) {
        let forgeries = baseline.forged_accepted > 0;
        let mut columns: Vec<String> = ["measure", "cables read", "headers seen"].map(str::to_owned).to_vec();
        if forgeries {
            columns.push("forged accepted".to_owned());
        }
        let pending = labels.iter().map(|l| (*l).to_owned()).collect();
        self.feed.update(|board: &mut Board| {
            board.story_table(columns, pending);
            board.story_row(cells(AS_IT_HAPPENED, baseline, forgeries));
        });
    }

    fn row(&self, label: &str, taken: Taken) {
        self.feed.update(|board| {
            let forgeries = board.snapshot().story.as_ref().is_some_and(|s| s.columns.len() == 4);
            board.story_row(cells(label, taken, forgeries));
        });
    }
}
