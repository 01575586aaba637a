//! The real network, in process: the library's [`Hub`](crate::net::Hub)
//! and [`NodeHandle`](crate::net::NodeHandle)s over in-memory duplex links with mutual TLS, started
//! as the runner starts them ([`InProcessNetwork`]). One sender sends every
//! cable to the N recipients; the clock runs from the first send until
//! every recipient has filed every cable and the hub holds no
//! unacknowledged delivery.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::BenchError;
use super::cables::{self, DAY, SENDER};
use super::options::BenchOptions;
use super::stats::{Rates, per_second, rates_of_rounds};
use crate::crypto::Opened;
use crate::model::{Day, Distribution, E2eMode, SecurityConfig, Transport};
use crate::net::{NodeTap, SendOutcome};
use crate::scenario::{Hooks, InProcessNetwork};

/// What the nodes do to each cable besides TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Crypto {
    /// The default `[security]` settings: `forward-secret` envelopes, signed.
    EndToEnd,
    /// The `hop-tls` preset: e2e and signatures off, so what is timed is
    /// the hub and the node runtimes (framing, filing, acknowledging)
    /// without the envelope. The hub alone is `hub_relay`.
    HopOnly,
}

/// The network's settings under `crypto`: mutual TLS on every link, and
/// R(c) = the addressees, so every cable goes to the N recipients and no
/// one else.
pub(super) fn security(crypto: Crypto) -> SecurityConfig {
    let defaults = SecurityConfig {
        transport: Transport::Mtls,
        distribution: Distribution::NeedToKnow,
        ..SecurityConfig::default()
    };
    match crypto {
        Crypto::EndToEnd => defaults,
        Crypto::HopOnly => SecurityConfig {
            e2e: E2eMode::Off,
            signatures: false,
            ..defaults
        },
    }
}

/// Counts the cables filed in every inbox.
#[derive(Default)]
struct Deliveries(AtomicUsize);

impl NodeTap for Deliveries {
    fn on_delivery(&self, _day: Day, _node: &str, _cable: &Opened) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Cables per second through the network in each of
/// [`BenchOptions::RATE_ROUNDS`] rounds (a fresh network each; the figure
/// is their median, and their best bounds the limit from below), on a
/// runtime with a worker thread per core.
pub(super) fn measure(options: &BenchOptions, crypto: Crypto) -> Result<Rates, BenchError> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rates_of_rounds(BenchOptions::RATE_ROUNDS, || {
        runtime.block_on(send_all(options, crypto))
    })
}

async fn send_all(options: &BenchOptions, crypto: Crypto) -> Result<f64, BenchError> {
    let security = security(crypto);
    let deliveries = Arc::new(Deliveries::default());
    let hooks = Hooks {
        node_taps: vec![deliveries.clone()],
        ..Hooks::default()
    };
    let net = InProcessNetwork::start(&cables::network(options.recipients), &security, &hooks).await?;
    if let Some((node, e)) = net.failed.first() {
        return Err(BenchError::Incomplete(format!("{node} could not join: {e}")));
    }
    let sender = net
        .nodes
        .get(SENDER)
        .ok_or_else(|| BenchError::Incomplete(format!("{SENDER} is not connected")))?;
    // Day 0 as the runner plays it: keys of the day, then the directory
    // the sender seals with (checked with pinning).
    net.hub.enter_day(DAY);
    for node in net.nodes.values() {
        node.enter_day(DAY).await?;
    }
    sender.refresh_directory().await?;

    let names = cables::recipient_names(options.recipients);
    let content = cables::content(options.size);
    let cables: Vec<_> = (0..options.cables)
        .map(|i| cables::cable("P", i, &names, &content))
        .collect();
    let start = Instant::now();
    // Every send is queued before any is awaited, as the runner does: the
    // sender seals and submits in its own task while the hub relays.
    let sends: Vec<_> = cables.into_iter().map(|cable| sender.send(cable)).collect();
    for send in sends {
        if send.await? != SendOutcome::Accepted {
            return Err(BenchError::Incomplete("a bench cable was withheld".into()));
        }
    }
    net.hub.wait_idle().await;
    let elapsed = start.elapsed();

    let expected = options.cables * options.recipients;
    let filed = deliveries.0.load(Ordering::Relaxed);
    for node in net.nodes.values() {
        node.shutdown().await;
    }
    if filed != expected {
        let alarms: Vec<String> = net.alarms.sorted().into_iter().take(3).map(|a| a.detail).collect();
        return Err(BenchError::Incomplete(format!(
            "the pipeline filed {filed} deliveries of {expected}; first alarms: {alarms:?}"
        )));
    }
    Ok(per_second(options.cables, elapsed))
}
