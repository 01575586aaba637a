//! The simulated day, shared by every task of a run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::model::Day;

/// The current simulated day. The runner advances it between days, when no
/// cable is in flight, so every reader of one day sees the same value.
#[derive(Debug, Clone, Default)]
pub struct DayClock(Arc<AtomicU32>);

impl DayClock {
    /// A clock at day 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Today.
    pub fn today(&self) -> Day {
        self.0.load(Ordering::Acquire)
    }

    /// Moves to `day`.
    pub fn set(&self, day: Day) {
        self.0.store(day, Ordering::Release);
    }
}
