//! What hybrid post-quantum key agreement costs (`cablesim bench`): the
//! hybrid envelope beside the classical one, a hybrid TLS handshake beside
//! a classical one, and a whole incident run under `e2e-pq` beside
//! `e2e-fs`. Every figure is measured here; the targets are in
//! [`super::PostQuantumFigures`].

use std::time::Instant;

use serde::Serialize;

use super::envelope::{self, Timed};
use super::options::BenchOptions;
use super::stats::{median, micros};
use super::tls_records::handshake_once;
use super::world::World;
use super::{BenchError, Target};
use crate::crypto::KeyAgreement;
use crate::model::{Network, Node, Role};
use crate::net::{Pki, tls};
use crate::report::RunReport;
use crate::scenario::{Preset, RunOutcome, Runner, Scenario};
use crate::wire::{DEFAULT_MAX_FRAME, Frame, encode_frame};

/// The incident a whole run is timed on.
pub(super) const RUN_SCENARIO: &str = "coreu-2018";

/// Handshakes timed for each key exchange (the median is reported).
const HANDSHAKES: usize = 21;

/// Hybrid against classical, measured.
#[derive(Debug, Clone, Serialize)]
pub struct PostQuantumFigures {
    /// Median µs to seal one cable for every recipient and open it at
    /// each, with hybrid keys (the classical figure is `envelope.ours_us`).
    pub hybrid_envelope_us: f64,
    /// `hybrid_envelope_us / envelope.ours_us`.
    pub envelope_ratio: f64,
    /// Target: at most 1.6.
    pub envelope_target: Target,
    /// Bytes of one sealed cable as a frame, classical keys.
    pub classical_envelope_bytes: usize,
    /// The same cable with hybrid keys.
    pub hybrid_envelope_bytes: usize,
    /// What each recipient key adds: the ML-KEM ciphertext and its length.
    pub extra_bytes_per_recipient: f64,
    /// Median µs of one in-memory mutual-TLS handshake over X25519.
    pub classical_handshake_us: f64,
    /// The same over X25519MLKEM768.
    pub hybrid_handshake_us: f64,
    /// Bytes one classical handshake puts on the wire, both directions.
    pub classical_handshake_bytes: usize,
    /// The same, hybrid.
    pub hybrid_handshake_bytes: usize,
    /// Seconds of `cablesim run coreu-2018 --config e2e-fs` (with 150
    /// cables over 110 days in a quick bench).
    pub classical_run_s: f64,
    /// Seconds of `cablesim run coreu-2018 --config e2e-pq` (150 cables
    /// over 110 days in a quick bench, likewise).
    pub hybrid_run_s: f64,
    /// `hybrid_run_s / classical_run_s`.
    pub run_ratio: f64,
    /// Target: at most 1.5.
    pub run_target: Target,
}

/// One whole run of [`RUN_SCENARIO`]: the scenario as run, its report and
/// its seconds, kept for the scenario's floor (`scenario_floor`).
pub(super) struct WholeRun {
    /// The preset applied.
    pub(super) preset: Preset,
    /// The scenario with the preset applied.
    pub(super) scenario: Scenario,
    /// What the run reported.
    pub(super) report: RunReport,
    /// Wall seconds of the run.
    pub(super) seconds: f64,
}

/// Measures everything above; `classical` is the classical envelope
/// figure already taken, so the two come from the same kind of loop. The
/// two whole runs are returned too, so that their floors need no runs of
/// their own.
pub(super) fn measure(
    options: &BenchOptions,
    classical: &Timed,
) -> Result<(PostQuantumFigures, [WholeRun; 2]), BenchError> {
    let classical_world = World::with_agreement(options, KeyAgreement::Classical)?;
    let hybrid_world = World::with_agreement(options, KeyAgreement::Hybrid)?;
    let hybrid = envelope::measure(&hybrid_world, options.cables)?;
    let envelope_ratio = hybrid.median_us / classical.median_us;
    let classical_envelope_bytes = sealed_bytes(&classical_world)?;
    let hybrid_envelope_bytes = sealed_bytes(&hybrid_world)?;
    let extra_bytes_per_recipient =
        (hybrid_envelope_bytes as f64 - classical_envelope_bytes as f64) / options.recipients.max(1) as f64;

    let network = Network::new([Node::new("bench-r001", Role::Mission)])
        .map_err(|e| BenchError::Incomplete(format!("the handshake network: {e}")))?;
    let pki = Pki::generate(&network)?;
    let (classical_handshake_us, classical_handshake_bytes) = handshakes(&pki, tls::KeyExchange::Classical)?;
    let (hybrid_handshake_us, hybrid_handshake_bytes) = handshakes(&pki, tls::KeyExchange::Hybrid)?;

    let classical_run = whole_run(options, Preset::E2eFs)?;
    let hybrid_run = whole_run(options, Preset::E2ePq)?;
    let (classical_run_s, hybrid_run_s) = (classical_run.seconds, hybrid_run.seconds);
    let run_ratio = hybrid_run_s / classical_run_s;
    let figures = PostQuantumFigures {
        hybrid_envelope_us: hybrid.median_us,
        envelope_ratio,
        envelope_target: Target::at_most(1.6, envelope_ratio),
        classical_envelope_bytes,
        hybrid_envelope_bytes,
        extra_bytes_per_recipient,
        classical_handshake_us,
        hybrid_handshake_us,
        classical_handshake_bytes,
        hybrid_handshake_bytes,
        classical_run_s,
        hybrid_run_s,
        run_ratio,
        run_target: Target::at_most(1.5, run_ratio),
    };
    Ok((figures, [classical_run, hybrid_run]))
}

/// The frame a sender submits for one cable to every recipient.
fn sealed_bytes(world: &World) -> Result<usize, BenchError> {
    let payload = world.seal("B", 0)?;
    let frame = encode_frame(&Frame::Submit { payload }, DEFAULT_MAX_FRAME)
        .map_err(|e| BenchError::Incomplete(format!("a sealed cable does not encode: {e}")))?;
    Ok(frame.len())
}

/// The median µs of [`HANDSHAKES`] handshakes (after one untimed), and the
/// bytes of one.
fn handshakes(pki: &Pki, kx: tls::KeyExchange) -> Result<(f64, usize), BenchError> {
    let bytes = handshake_once(pki, "bench-r001", kx)?;
    let mut times = Vec::with_capacity(HANDSHAKES);
    for _ in 0..HANDSHAKES {
        let start = Instant::now();
        handshake_once(pki, "bench-r001", kx)?;
        times.push(micros(start.elapsed()));
    }
    let median_us = median(&mut times).ok_or_else(|| BenchError::Incomplete("no handshake samples".into()))?;
    Ok((median_us, bytes))
}

/// One whole run of [`RUN_SCENARIO`] under `preset`, timed (fewer cables
/// over fewer days in a quick bench, [`BenchOptions::scenario`]).
fn whole_run(options: &BenchOptions, preset: Preset) -> Result<WholeRun, BenchError> {
    let mut scenario = options.scenario(RUN_SCENARIO)?;
    scenario.apply_preset(preset);
    let start = Instant::now();
    // The network the run leaves behind is dropped inside the timed span,
    // as a `cablesim run` drops it before it exits, and the run has the
    // runtime `cablesim run` gives it.
    let runtime = crate::net::cores::one_run_runtime()?;
    let RunOutcome { report, .. } = runtime
        .block_on(Runner::new(scenario.clone()).with_preset_name(preset.name()).run())
        .map_err(|e| BenchError::Incomplete(format!("{RUN_SCENARIO} under {preset}: {e}")))?;
    drop(runtime);
    let seconds = start.elapsed().as_secs_f64();
    Ok(WholeRun {
        preset,
        scenario,
        report,
        seconds,
    })
}
