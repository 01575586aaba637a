//! One live page for one command: renders the page for the run's
//! network, starts the server, connects the log's events to it, and at
//! the end hands it the report and waits for the browsers to take it.

use std::net::SocketAddr;
use std::time::Duration;

use super::feed::LiveFeed;
use super::from_events::board_from_event;
use super::server::{WebError, WebServer};
use super::trace::attach;
use crate::multiprocess::control::Event;
use crate::report::{RunReport, render_live_page};
use crate::scenario::Progress;

/// How long a finished run waits for its open pages to fetch the report
/// before the process leaves.
pub const REPORT_GRACE: Duration = Duration::from_secs(10);

/// A live page being served.
pub struct LivePage {
    feed: LiveFeed,
    server: WebServer,
}

impl LivePage {
    /// Serves the live page of `planned` (a report with nothing measured:
    /// the scenario, its network and adversaries) on `addr`.
    pub async fn open(addr: SocketAddr, planned: &RunReport) -> Result<LivePage, WebError> {
        let page = render_live_page(planned, &serde_json::json!({}))?;
        let feed = LiveFeed::new(planned);
        attach(&feed);
        let server = WebServer::start(addr, page, feed.clone()).await?;
        Ok(LivePage { feed, server })
    }

    /// The page's address, with its token when it needs one.
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The feed, for what the log does not carry (a demo's story).
    pub fn feed(&self) -> &LiveFeed {
        &self.feed
    }

    /// A progress callback for [`crate::scenario::Runner::with_progress`]:
    /// the day and the analyst's measure of each actor's haul.
    pub fn progress(&self) -> impl Fn(&Progress) + Send + Sync + 'static {
        let feed = self.feed.clone();
        move |progress: &Progress| feed.update(|board| board.progress(progress))
    }

    /// A callback for the events processes print (`cablesim network`'s
    /// children): each is applied to the board as it arrives.
    pub fn events(&self) -> impl Fn(&str, &Event) + Send + Sync + 'static {
        let feed = self.feed.clone();
        move |child: &str, event: &Event| feed.update(|board| board_from_event(board, child, event))
    }

    /// The page shows something that runs until stopped (a hub): running
    /// from now, never a report.
    pub fn serving(&self) {
        self.feed.update(super::board::Board::start);
    }

    /// Waits until a browser has the page open.
    pub async fn wait_for_a_browser(&self) {
        self.feed.wait_for_a_page().await;
    }

    /// The run is over: the page shows `report`'s figures and becomes the
    /// report; waits (at most [`REPORT_GRACE`]) until every open page has
    /// fetched it and the answers are sent.
    pub async fn finish(self, report: &RunReport) -> Result<(), WebError> {
        let deadline = tokio::time::Instant::now() + REPORT_GRACE;
        self.feed.finish(report)?;
        self.feed.wait_for_pages(REPORT_GRACE).await;
        // The pages have asked for the report; the process leaves once the
        // answers are on their way out, within the same grace.
        self.server
            .close(deadline.saturating_duration_since(tokio::time::Instant::now()))
            .await;
        Ok(())
    }

    /// The run failed: the page says so.
    pub fn fail(&self) {
        self.feed.update(super::board::Board::fail);
    }
}
