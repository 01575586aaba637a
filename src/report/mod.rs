//! The ledger of a run and its renderings (DESIGN §9).

mod ledger;
mod text;

pub use ledger::{ActorReport, CableCounts, Evidence, LevelCounts, RunReport};
pub use text::render_text;
