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

use std::time::Instant;

use rayon::prelude::*;

use super::BenchError;
use super::cables::{self, SENDER};
use super::options::BenchOptions;
use super::stats::{best_of_rounds, per_second};
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
