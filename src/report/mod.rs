//! The ledger of a run and its renderings (DESIGN §9).

mod ledger;
mod live;
mod matrix_text;
mod style;
mod table;
mod text;

pub use ledger::{ActorReport, CableCounts, Evidence, LevelCounts, RunReport};
pub use live::{DayBar, Holding, RunsSpinner, counted, holdings_text};
pub use matrix_text::render_matrix;
pub use style::{Palette, TERMINAL_WIDTH, Tone, render_section, wrap};
pub use table::{Comparison, ComparisonRow, Taken, render_comparison};
pub use text::render_text;
