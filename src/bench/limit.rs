//! The crypto limit: every cable's E2E work plus the TLS record protection
//! of the bytes each hop carries, with nothing else — no sockets, tasks or
//! queues — on every core. A network can approach this rate, never beat it.
//!
//! Per cable: the sender seals, wraps and signs; the `submit` frame crosses
//! the sender's hop to the hub; the `deliver` frame crosses each
//! recipient's hop; each recipient unwraps, decrypts and verifies. Frames
//! are encoded with the real codec, so the TLS layer protects exactly the
//! bytes the network would send; acknowledgements (a few dozen bytes) are
//! left out.
//!
//! The pipeline does all of this work and more (frame decoding, tasks,
//! queues, acks), so a pipeline round faster than every limit round does
//! not beat the ceiling: it shows the limit's rounds fell short of it (on
//! a busy machine, where the pipeline's tokio and rayon threads together
//! win a larger share of the cores than the limit's rayon threads). The
//! ceiling is then that pipeline round ([`Ceiling`]), and the report says
//! so.

use std::time::Instant;

use rayon::prelude::*;

use super::BenchError;
use super::cables::{self, SENDER};
use super::options::BenchOptions;
use super::stats::{Rates, best_of_rounds, per_second};
use super::tls_records::Hop;
use super::world::World;
use crate::net::Pki;
use crate::wire::{DEFAULT_MAX_FRAME, Frame, encode_frame};

/// The limit and what it was measured with.
pub(super) struct Limit {
    /// Cables per second.
    pub(super) cables_per_s: f64,
    /// Threads used.
    pub(super) threads: usize,
    /// The TLS 1.3 suite the network's configurations negotiated.
    pub(super) tls_suite: String,
}

/// What `ratio_vs_limit` divides by: the fastest the limit's work was
/// done in this run, by the limit's own rounds or by a round of the
/// pipeline, which does the same work and more. Every round of either is a
/// rate the machine achieved for that work, so the best of them all is the
/// closest to the ceiling, and the pipeline's median is never above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ceiling {
    /// Cables per second.
    pub(super) cables_per_s: f64,
    /// Whether a pipeline round, not the limit's own best, set it.
    pub(super) set_by_pipeline: bool,
}

impl Ceiling {
    /// The ceiling given the limit's best round and the pipeline's rounds.
    pub(super) fn of(limit_best: f64, pipeline: &Rates) -> Ceiling {
        let set_by_pipeline = pipeline.best() > limit_best;
        Ceiling {
            cables_per_s: if set_by_pipeline { pipeline.best() } else { limit_best },
            set_by_pipeline,
        }
    }

    /// The pipeline's median against this ceiling: at most 1.0, because
    /// the median round is never above the best, and the ceiling never
    /// below the pipeline's best.
    pub(super) fn ratio_of(&self, pipeline: &Rates) -> f64 {
        pipeline.median() / self.cables_per_s
    }
}

/// One thread's share: its own TLS sessions (a rustls session belongs to
/// one thread at a time) and how many cables it handles.
struct Chunk {
    /// Labels the chunk's cable ids, unique across chunks.
    label: String,
    cables: usize,
    to_hub: Hop,
    to_recipients: Vec<Hop>,
}

impl Chunk {
    /// A chunk of `cables` cables with its sessions handshaken.
    fn new(pki: &Pki, label: String, cables: usize, recipients: &[String]) -> Result<Chunk, BenchError> {
        Ok(Chunk {
            label,
            cables,
            to_hub: Hop::new(pki, SENDER, true)?,
            to_recipients: recipients
                .iter()
                .map(|n| Hop::new(pki, n, false))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Runs `options.cables` cables on `cores` threads, one chunk each, and
/// returns the overall rate (the best of [`BenchOptions::RATE_ROUNDS`]
/// rounds, since it is a ceiling; each round's cables are new to fresh
/// replay guards). Sessions are handshaken before the clock
/// starts: a long-lived link pays its handshake once.
pub(super) fn measure(world: &World, options: &BenchOptions, cores: usize) -> Result<Limit, BenchError> {
    let threads = cores.clamp(1, options.cables);
    let pki = Pki::generate(&cables::network(options.recipients))?;
    let names = cables::recipient_names(options.recipients);
    let mut chunks = (0..threads)
        .map(|thread| {
            // The first `cables % threads` chunks take one more.
            let cables = options.cables / threads + usize::from(thread < options.cables % threads);
            Chunk::new(&pki, format!("L{thread}"), cables, &names)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tls_suite = chunks.first().map_or_else(|| "none".to_owned(), |c| c.to_hub.suite());
    // One untimed cable on sessions of its own, so that a failure shows
    // before the clock starts rather than as a meaningless rate.
    run_chunk(world, &mut Chunk::new(&pki, "W".to_owned(), 1, &names)?)?;

    let cables_per_s = best_of_rounds(BenchOptions::RATE_ROUNDS, || {
        let start = Instant::now();
        // On rayon's pool, one chunk per core: a seal's own parallel wraps
        // then share the same threads instead of competing with them.
        let results: Vec<Result<(), BenchError>> = chunks.par_iter_mut().map(|chunk| run_chunk(world, chunk)).collect();
        let elapsed = start.elapsed();
        results.into_iter().collect::<Result<(), _>>()?;
        Ok(per_second(options.cables, elapsed))
    })?;
    Ok(Limit {
        cables_per_s,
        threads,
        tls_suite,
    })
}

/// Every cable of one chunk, start to finish, one after the other.
fn run_chunk(world: &World, chunk: &mut Chunk) -> Result<(), BenchError> {
    let mut guards = world.fresh_guards();
    for index in 0..chunk.cables {
        let submit = Frame::Submit {
            payload: world.seal(&chunk.label, index)?,
        };
        chunk.to_hub.carry(&encode_frame(&submit, DEFAULT_MAX_FRAME)?)?;
        let Frame::Submit { payload } = submit else {
            unreachable!("built as a submit just above")
        };
        // The hub encodes one deliver frame and sends the same bytes to
        // every recipient, each over its own session.
        let deliver = Frame::Deliver { payload };
        let bytes = encode_frame(&deliver, DEFAULT_MAX_FRAME)?;
        for hop in &mut chunk.to_recipients {
            hop.carry(&bytes)?;
        }
        let Frame::Deliver { payload } = deliver else {
            unreachable!("built as a deliver just above")
        };
        world.accept_everywhere(&payload, &mut guards)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_limit_is_the_ceiling_unless_a_pipeline_round_beat_it() {
        let pipeline = Rates::of(&[300.0, 320.0, 310.0]).unwrap();
        assert_eq!(
            Ceiling::of(372.8, &pipeline),
            Ceiling {
                cables_per_s: 372.8,
                set_by_pipeline: false
            }
        );
        assert_eq!(Ceiling::of(372.8, &pipeline).ratio_of(&pipeline), 310.0 / 372.8);
        // A limit measured while something else held the cores: the
        // pipeline's best round is the ceiling, and the ratio its median's.
        let slow_limit = Ceiling::of(305.0, &pipeline);
        assert_eq!(
            slow_limit,
            Ceiling {
                cables_per_s: 320.0,
                set_by_pipeline: true
            }
        );
        assert_eq!(slow_limit.ratio_of(&pipeline), 310.0 / 320.0);
        // A tie is the limit's.
        assert!(!Ceiling::of(320.0, &pipeline).set_by_pipeline);
    }

    #[test]
    fn a_chunk_carries_one_submit_and_a_deliver_per_recipient() {
        let options = BenchOptions::new(3, 200, 2).unwrap();
        let world = World::new(&options).unwrap();
        let pki = Pki::generate(&cables::network(options.recipients)).unwrap();
        let names = cables::recipient_names(options.recipients);
        let mut chunk = Chunk::new(&pki, "T".to_owned(), 2, &names).unwrap();
        run_chunk(&world, &mut chunk).unwrap();
        // Frames under 16 KiB: one record each, per cable one to the hub
        // and one to each recipient, as the network writes them.
        assert_eq!(chunk.to_hub.records(), 2);
        for hop in &chunk.to_recipients {
            assert_eq!(hop.records(), 2);
        }
    }

    proptest! {
        #[test]
        fn the_pipeline_never_passes_the_ceiling(
            limit in 1e-3f64..1e6,
            pipeline in prop::collection::vec(1e-3f64..1e6, 1..9),
        ) {
            let pipeline = Rates::of(&pipeline).unwrap();
            let ceiling = Ceiling::of(limit, &pipeline);
            prop_assert!(ceiling.ratio_of(&pipeline) <= 1.0);
            prop_assert!(ceiling.cables_per_s >= limit);
            prop_assert_eq!(ceiling.set_by_pipeline, ceiling.cables_per_s != limit);
        }
    }
}
