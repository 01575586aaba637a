//! This project's envelope, timed one cable at a time: seal for every
//! recipient, then accept at every recipient (unwrap, decrypt, verify).

use std::time::Instant;

use super::BenchError;
use super::stats::{median, micros};
use super::world::World;

/// A median and how many samples it was taken over.
pub(super) struct Timed {
    /// Median µs of one job.
    pub(super) median_us: f64,
    /// Samples taken.
    pub(super) samples: usize,
}

/// Times `samples` cables (after one untimed, to warm the caches and make
/// sure the job succeeds before it is timed), on one core: age works on
/// one, and a seal would otherwise spread its wraps over all of them, so
/// the comparison would depend on the machine's core count.
pub(super) fn measure(world: &World, samples: usize) -> Result<Timed, BenchError> {
    let one_core = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| BenchError::Incomplete(format!("cannot start a one-thread pool: {e}")))?;
    one_core.install(|| measure_here(world, samples))
}

fn measure_here(world: &World, samples: usize) -> Result<Timed, BenchError> {
    job(world, "W", 0)?;
    let mut times = Vec::with_capacity(samples);
    for index in 0..samples {
        let start = Instant::now();
        job(world, "E", index)?;
        times.push(micros(start.elapsed()));
    }
    let median_us = median(&mut times).ok_or_else(|| BenchError::Incomplete("no envelope samples".into()))?;
    Ok(Timed { median_us, samples })
}

/// One cable, end to end. Fresh replay guards: each sample is a new cable
/// to every recipient, as in a run.
fn job(world: &World, run: &str, index: usize) -> Result<(), BenchError> {
    let mut guards = world.fresh_guards();
    let payload = world.seal(run, index)?;
    world.accept_everywhere(&payload, &mut guards)
}
