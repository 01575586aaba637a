//! The ledger of a run and its renderings (README.md, "Report files"): text for
//! the terminal, and the JSON, Markdown and HTML files of `--report`.

mod dissector;
mod ledger;
mod live;
mod map;
mod map_space;
mod matrix;
mod matrix_text;
pub mod pcap;
mod render;
mod style;
mod table;
mod text;
mod timeline;
mod view;
mod wire;

pub use dissector::lua_dissector;
pub use ledger::{
    ActorReport, AdversaryEntry, CableCounts, DayCounts, Evidence, LevelCounts, NetworkNode, Placement, RunReport,
};
pub use live::{DayBar, Holding, RunsSpinner, counted, holdings_text};
pub use matrix::{Matrix, MatrixCell, MatrixWire};
pub use matrix_text::render_matrix;
pub use render::{
    RenderError, ReportFormat, UnknownReportFormat, render_html, render_json, render_live_page, render_markdown,
};
pub use style::{Palette, TERMINAL_WIDTH, Tone, render_section, wrap};
pub use table::{Comparison, ComparisonRow, Taken, render_comparison};
pub(crate) use text::render_actor;
pub use text::render_text;
pub use view::MAX_TABLE_ROWS;
pub use wire::WireCosts;
pub(crate) use wire::grouped;
