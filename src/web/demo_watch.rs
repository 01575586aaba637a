//! A demo on the live page: the story's sections as they are told, the
//! incident's run day by day, and the mitigation table filling in row by
//! row as each replay finishes, each row saying which run measured it.

use super::board::Board;
use super::feed::LiveFeed;
use super::trace::listen;
use crate::report::{ComparisonRow, RunReport, Taken};
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

/// The column of acceptances of forgeries, present when the incident had any.
const FORGED: &str = "forged accepted";

/// The last column: which run a row's figures come from.
const MEASURED_IN: &str = "measured in";
/// A row with a run of its own (the incident's, or a replay).
const OWN_RUN: &str = "its own run";
/// A row measured in the incident's run, as extra actors.
const BASELINE_RUN: &str = "the incident's run";
/// A row whose measure the incident already had.
const ALREADY_IN_PLACE: &str = "the incident's run (already in place)";

fn cells(label: &str, taken: Taken, forgeries: bool, measured_in: &str) -> Vec<String> {
    let mut row = vec![label.to_owned(), taken.content.to_string(), taken.routing.to_string()];
    if forgeries {
        row.push(taken.forged_accepted.to_string());
    }
    row.push(measured_in.to_owned());
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
            columns.push(FORGED.to_owned());
        }
        columns.push(MEASURED_IN.to_owned());
        let pending = labels.iter().map(|l| (*l).to_owned()).collect();
        self.feed.update(|board: &mut Board| {
            board.story_table(columns, pending);
            board.story_row(cells(AS_IT_HAPPENED, baseline, forgeries, OWN_RUN));
        });
    }

    fn row(&self, row: &ComparisonRow) {
        let measured_in = match (row.in_baseline, row.shared, &row.shared_run) {
            (true, _, _) => ALREADY_IN_PLACE.to_owned(),
            (false, true, None) => BASELINE_RUN.to_owned(),
            (false, true, Some(host)) => format!("the run of {host:?}"),
            (false, false, _) => OWN_RUN.to_owned(),
        };
        self.feed.update(|board| {
            let story = board.snapshot().story.as_ref();
            let forgeries = story.is_some_and(|s| s.columns.iter().any(|c| c == FORGED));
            board.story_row(cells(&row.label, row.taken, forgeries, &measured_in));
        });
    }
}
