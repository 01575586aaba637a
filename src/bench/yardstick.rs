//! The hub and the two forwarders it is held to (`hub_vs_forwarder`,
//! `hub_vs_per_frame_forwarder`), measured in rounds taking turns — the
//! hub, the coalescing forwarder, the per-frame forwarder, the hub again —
//! on one runtime, so that all three see the machine alike. A round lasts
//! a few tenths of a second: measured one kind after the other, a machine
//! that grew busier between the hub's rounds and the forwarders' moved the
//! ratios by more than any change to the hub.

use super::BenchError;
use super::cables;
use super::forwarder::{self, Records};
use super::hub_relay;
use super::options::BenchOptions;
use super::stats::median_rate;

/// Cables per second through each, the median of its
/// [`BenchOptions::RATE_ROUNDS`] rounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct HubAndForwarders {
    /// The library's hub alone ([`hub_relay`]).
    pub(super) hub: f64,
    /// The forwarder whose frames share records ([`Records::Coalescing`]).
    pub(super) coalescing: f64,
    /// The forwarder writing a record per frame, as the hub does
    /// ([`Records::PerFrame`]).
    pub(super) per_frame: f64,
}

/// All three rates, on a runtime with a worker thread per core, each round
/// with fresh links (and a fresh hub).
pub(super) fn measure(options: &BenchOptions) -> Result<HubAndForwarders, BenchError> {
    let frames = cables::submit_frames(options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let rounds = BenchOptions::RATE_ROUNDS;
    let (mut hub, mut coalescing, mut per_frame) = (
        Vec::with_capacity(rounds),
        Vec::with_capacity(rounds),
        Vec::with_capacity(rounds),
    );
    for _ in 0..rounds {
        hub.push(runtime.block_on(hub_relay::relay_all(options, &frames))?);
        coalescing.push(
            runtime
                .block_on(forwarder::forward_all(options, &frames, Records::Coalescing))?
                .rate,
        );
        per_frame.push(
            runtime
                .block_on(forwarder::forward_all(options, &frames, Records::PerFrame))?
                .rate,
        );
    }
    Ok(HubAndForwarders {
        hub: median_rate(&hub)?,
        coalescing: median_rate(&coalescing)?,
        per_frame: median_rate(&per_frame)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hub_and_both_forwarders_each_get_a_rate() {
        // Every round checks its own counts: a frame some recipient did
        // not decode (and, through the hub, an ack it did not take) is an
        // error, not a rate.
        let rates = measure(&BenchOptions::new(3, 200, 10).unwrap()).unwrap();
        for (name, rate) in [
            ("hub", rates.hub),
            ("coalescing", rates.coalescing),
            ("per frame", rates.per_frame),
        ] {
            assert!(rate.is_finite() && rate > 0.0, "{name}: {rate}");
        }
    }
}
