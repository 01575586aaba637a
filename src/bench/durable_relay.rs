//! The durable hub, for `durable_vs_memory`: the hub-alone round of
//! `hub_relay` (the same endpoints, cables and clock), with the hub's
//! queues, accepted ids and archive in a [`SqliteHubStore`] — write-ahead
//! log, `synchronous = FULL`, as the multi-process hub keeps them — in a
//! fresh file in the system's temporary directory each round, on this
//! machine's disk (see "Durability" in ARCHITECTURE.md).
//!
//! Every acknowledgement the sender counts follows its cable's commit, so
//! what is timed includes every sync the store makes; the store commits
//! in groups, and the figure shows how close that brings a durable hub to
//! the in-memory one.

use std::path::PathBuf;

use super::BenchError;
use super::cables;
use super::hub_relay;
use super::options::BenchOptions;
use super::stats::median_of_rounds;
use crate::net::SqliteHubStore;

/// Cables per second through the hub over SQLite (the median of
/// [`BenchOptions::RATE_ROUNDS`], a fresh hub, links and database each),
/// on a runtime with a worker thread per core.
pub(super) fn measure(options: &BenchOptions) -> Result<f64, BenchError> {
    let frames = cables::submit_frames(options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut round = 0;
    median_of_rounds(BenchOptions::RATE_ROUNDS, || {
        round += 1;
        let dir = Scratch::new(round)?;
        let store = SqliteHubStore::open(dir.0.join("hub.sqlite"))?;
        runtime.block_on(hub_relay::relay_through(options, &frames, Box::new(store)))
    })
}

/// A directory of the system's temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(round: usize) -> Result<Scratch, BenchError> {
        let dir = std::env::temp_dir().join(format!("cablesim-bench-durable-{}-{round}", std::process::id()));
        // Left over from a run that was killed: a fresh file every round.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipient_gets_and_acknowledges_every_cable_through_sqlite() {
        // Counts are checked inside: a missing delivery or ack is an error.
        let rate = measure(&BenchOptions::new(3, 200, 10).unwrap()).unwrap();
        assert!(rate.is_finite() && rate > 0.0, "{rate}");
    }
}
