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
//! the in-memory one. The in-memory rate it is held to is measured here
//! too, in rounds taking turns with the durable ones on the same runtime,
//! so that both see the machine as it is at that moment.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::BenchError;
use super::cables::{self, DAY, SENDER};
use super::hub_relay;
use super::options::BenchOptions;
use super::stats::median_rate;
use crate::model::Day;
use crate::net::{HubStore, MemoryHubStore, SqliteHubStore};

/// The durable hub's relay rate and the in-memory hub's, each the median of
/// its [`BenchOptions::RATE_ROUNDS`] rounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DurableRates {
    /// Cables per second with the queues in SQLite.
    pub(super) durable: f64,
    /// Cables per second with the queues in memory.
    pub(super) memory: f64,
}

/// Both rates, on a runtime with a worker thread per core: rounds in
/// turn, in memory then over SQLite, each with a fresh hub and links
/// (and a fresh file for SQLite).
pub(super) fn measure(options: &BenchOptions) -> Result<DurableRates, BenchError> {
    let frames = cables::submit_frames(options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let expected = Tally::expected(options);
    let mut memory = Vec::with_capacity(BenchOptions::RATE_ROUNDS);
    let mut durable = Vec::with_capacity(BenchOptions::RATE_ROUNDS);
    for _ in 0..BenchOptions::RATE_ROUNDS {
        memory.push(runtime.block_on(hub_relay::relay_through(
            options,
            &frames,
            Box::new(MemoryHubStore::new()),
        ))?);
        let (rate, tally) = durable_round(&runtime, options, &frames)?;
        tally.check(&expected)?;
        durable.push(rate);
    }
    Ok(DurableRates {
        durable: median_rate(&durable)?,
        memory: median_rate(&memory)?,
    })
}

/// One round over SQLite, in a fresh file: its rate, and what the file
/// holds once the hub has closed it.
fn durable_round(
    runtime: &tokio::runtime::Runtime,
    options: &BenchOptions,
    frames: &[Vec<u8>],
) -> Result<(f64, Tally), BenchError> {
    let dir = Scratch::new()?;
    let path = dir.0.join("hub.sqlite");
    let store = SqliteHubStore::open(&path)?;
    // The hub is dropped when the round ends, and its store with it, which
    // commits what is staged and closes the file.
    let rate = runtime.block_on(hub_relay::relay_through(options, frames, Box::new(store)))?;
    Ok((rate, Tally::of(&path, options)?))
}

/// What the durable hub's file holds after a round, read back by opening
/// it again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tally {
    /// Cables of the round whose id and digest the file holds.
    accepted: usize,
    /// Cables still queued for any node of the network.
    queued: usize,
    /// Cables in the archive.
    archived: usize,
    /// Directory entries: one per node that opened a session.
    published: usize,
    /// The hub's day.
    day: Option<Day>,
}

impl Tally {
    /// A round that went as it should: every cable accepted and archived
    /// (the bench's security keeps an archive), every delivery
    /// acknowledged, every node's entry published, on the bench's day.
    fn expected(options: &BenchOptions) -> Tally {
        Tally {
            accepted: options.cables,
            queued: 0,
            archived: options.cables,
            published: options.recipients + 1,
            day: Some(DAY),
        }
    }

    /// An error unless this is `expected`.
    fn check(&self, expected: &Tally) -> Result<(), BenchError> {
        if self == expected {
            return Ok(());
        }
        Err(BenchError::Incomplete(format!(
            "after a round the durable hub's file holds {self:?}, not {expected:?}"
        )))
    }

    /// What the file at `path` holds of a round of `options`.
    fn of(path: &Path, options: &BenchOptions) -> Result<Tally, BenchError> {
        let store = SqliteHubStore::open(path)?;
        let names = cables::recipient_names(options.recipients);
        let mut accepted = 0;
        for i in 0..options.cables {
            let id = cables::header("F", i, &names).id;
            if store.accepted_digest(&id)?.is_some() {
                accepted += 1;
            }
        }
        let mut queued = store.pending_count(SENDER)?;
        for name in &names {
            queued += store.pending_count(name)?;
        }
        Ok(Tally {
            accepted,
            queued,
            archived: store.archive_len()?,
            published: store.directory()?.len(),
            day: store.day()?,
        })
    }
}

/// A directory of the system's temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    /// A fresh directory, named apart from every other of this process
    /// (rounds, and tests running side by side).
    fn new() -> Result<Scratch, BenchError> {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let n = MADE.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cablesim-bench-durable-{}-{n}", std::process::id()));
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
    fn the_file_holds_every_cable_acknowledged_by_every_recipient() {
        let options = BenchOptions::new(3, 200, 10).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let frames = cables::submit_frames(&options).unwrap();
        let (rate, tally) = durable_round(&runtime, &options, &frames).unwrap();
        assert!(rate.is_finite(), "{rate}");
        assert_eq!(
            tally,
            Tally {
                accepted: 10,
                queued: 0,
                archived: 10,
                published: 4,
                day: Some(0),
            }
        );
        assert_eq!(Tally::expected(&options), tally);
    }

    #[test]
    fn fail_a_file_that_does_not_hold_the_round() {
        let options = BenchOptions::new(3, 200, 10).unwrap();
        let dir = Scratch::new().unwrap();
        let path = dir.0.join("hub.sqlite");
        drop(SqliteHubStore::open(&path).unwrap());
        let tally = Tally::of(&path, &options).unwrap();
        let empty = Tally {
            accepted: 0,
            queued: 0,
            archived: 0,
            published: 0,
            day: None,
        };
        assert_eq!(tally, empty);
        assert_eq!(
            tally.check(&Tally::expected(&options)).unwrap_err().to_string(),
            BenchError::Incomplete(format!(
                "after a round the durable hub's file holds {empty:?}, not {:?}",
                Tally::expected(&options)
            ))
            .to_string()
        );
    }

    #[test]
    fn both_rates_come_from_rounds_in_turn() {
        // Counts are checked inside: a missing delivery or ack, or a file
        // that does not hold what the round acknowledged, is an error.
        let rates = measure(&BenchOptions::new(3, 200, 10).unwrap()).unwrap();
        assert!(rates.durable.is_finite() && rates.memory.is_finite(), "{rates:?}");
    }
}
