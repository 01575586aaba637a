//! The live page of `--web` (README.md, "The live page"): the network map
//! of the HTML report, the days, the cables, each actor's haul and the
//! alarms, updated in a browser while the network runs, and the report at
//! the end.
//!
//! The board (`board.rs`) is the page's state; the feed (`feed.rs`)
//! shares it between the run and the browsers; the tracing layer
//! (`trace.rs`) fills it from the network's own log events, the runner's
//! live tally adds the analyst's measure; the server (`server.rs`) sends
//! it as server-sent events, behind a token off loopback (`token.rs`).
//! Across processes, the board follows the events they print
//! (`from_events.rs`): a launcher's children, or proxies that post them
//! to a hub's page (`feed_in.rs`).

mod board;
mod demo_watch;
mod feed;
mod feed_in;
mod from_events;
mod live_page;
mod server;
mod token;
mod trace;

pub use board::{
    ActorHaul, AlarmLine, AlarmState, Board, Counts, LeakState, LevelHaul, NodeState, Phase, RECENT_ALARMS, Snapshot,
    StorySection, StoryState, alarm_line,
};
pub use demo_watch::{AS_IT_HAPPENED, DemoFeed};
pub use feed::{LiveFeed, PageGuard};
pub use feed_in::{FEED_LIMIT, FeedError, parse_feed};
pub use from_events::board_from_event;
pub use live_page::{LivePage, REPORT_GRACE};
pub use server::{STATE_INTERVAL, WebError, WebServer};
pub use token::Access;
pub use trace::{attach, layer, listen};
