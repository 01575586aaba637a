//! The live page of `--web` (README.md, "The live page"): the network map
//! of the HTML report, the days, the cables, each actor's haul and the
//! alarms, updated in a browser while the network runs, and the report at
//! the end.
//!
//! The board (`board.rs`) is the page's state; the feed (`feed.rs`)
//! shares it between the run and the browsers; the tracing layer
//! (`trace.rs`) fills it from the network's own log events, the runner's
//! daily tally adds the analyst's measure; the server (`server.rs`) sends
//! it as server-sent events, behind a token off loopback (`token.rs`).

mod board;
mod feed;
mod live_page;
mod server;
mod token;
mod trace;

pub use board::{
    ActorHaul, AlarmLine, AlarmState, Board, Counts, LeakState, LevelHaul, NodeState, Phase, RECENT_ALARMS, Snapshot,
    StorySection, StoryState, alarm_line,
};
pub use feed::{LiveFeed, PageGuard};
pub use live_page::{LivePage, REPORT_GRACE};
pub use server::{STATE_INTERVAL, WebError, WebServer};
pub use token::Access;
pub use trace::{attach, layer, listen};
