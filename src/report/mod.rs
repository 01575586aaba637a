//! The ledger of a run and its renderings (DESIGN §9).

mod ledger;
mod matrix_text;
mod text;

pub use ledger::{ActorReport, CableCounts, Evidence, LevelCounts, RunReport};
pub use matrix_text::render_matrix;
pub use text::render_text;
