//! `cablesim bench` as the terminal shows it. Figures are rounded here
//! only; the JSON form carries them unrounded, so its ratios are exactly
//! the quotients of its figures.

use std::fmt::Write;

use super::{BenchReport, Target};

/// The report as text, a section per figure.
pub(super) fn text(report: &BenchReport) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_report(&mut out, report);
    out
}

fn write_report(out: &mut String, r: &BenchReport) -> std::fmt::Result {
    let (o, m) = (&r.options, &r.machine);
    writeln!(
        out,
        "cablesim bench: {} recipients, {}-byte cables, {} cables, {} cores; each rate the median of {} rounds, the limit their best",
        o.recipients, o.size, o.cables, m.cores, r.rate_rounds
    )?;
    writeln!(out, "backends: {}, {}, {}; {}", m.x25519, m.aead, m.signature, m.ml_kem)?;
    writeln!(out, "TLS: {} (rustls, ring), mutual TLS 1.3 on every hop", m.tls_suite)?;
    writeln!(out)?;

    let e = &r.envelope;
    writeln!(
        out,
        "envelope   seal one cable for {} recipients, then unwrap, decrypt and verify at each (median)",
        o.recipients
    )?;
    writeln!(
        out,
        "  ours          {:>12.1} µs   ({} samples)",
        e.ours_us, e.ours_samples
    )?;
    writeln!(
        out,
        "  age           {:>12.1} µs   ({} samples; {})",
        e.age_us, e.age_samples, m.age
    )?;
    writeln!(
        out,
        "  ratio_vs_age  {:>12.3}      {}",
        e.ratio_vs_age,
        target(&e.target)
    )?;
    writeln!(
        out,
        "  age decrypt-by-each is O(N²): its X25519 stanzas are anonymous, so each identity tries them in turn\n  \
         (age native/x25519.rs unwrap_stanza), one X25519 per try; our wraps name their key, one X25519 each."
    )?;
    writeln!(out)?;

    writeln!(
        out,
        "limit      the same E2E work plus TLS record protection of every hop, no sockets, tasks or queues"
    )?;
    let l = &r.limit;
    writeln!(
        out,
        "  cables/s      {:>12.1}      ({} threads, one chunk of cables each)",
        l.measured_cables_per_s, l.threads
    )?;
    if l.raised_by_pipeline {
        writeln!(
            out,
            "  ceiling       {:>12.1}      (a pipeline round did this work and more, faster: the limit's rounds fell short; a busy machine?)",
            l.cables_per_s
        )?;
    }
    writeln!(out)?;

    let p = &r.pipeline;
    writeln!(
        out,
        "pipeline   the in-process network: seal → mTLS → hub fan-out → mTLS → open, with acks"
    )?;
    writeln!(out, "  cables/s      {:>12.1}", p.cables_per_s)?;
    writeln!(
        out,
        "  ratio_vs_limit{:>12.3}      {}",
        p.ratio_vs_limit,
        target(&p.target)
    )?;
    writeln!(
        out,
        "  e2e off       {:>12.1}      (the same network with e2e and signatures off: hub and node runtimes)",
        p.hop_only_cables_per_s
    )?;
    writeln!(out)?;

    let f = &r.forwarder;
    writeln!(
        out,
        "forwarder  bare tokio-rustls fan-out: 1 mTLS ingress, {} mTLS egress, byte copies only ({} cables a round)",
        o.recipients, f.cables
    )?;
    writeln!(
        out,
        "  cables/s      {:>12.1}      (frames coalesced into full 16 KiB records)",
        f.cables_per_s
    )?;
    writeln!(
        out,
        "  per frame     {:>12.1}      (every frame its own record, by the hub's own writer, as the hub writes)",
        f.per_frame_cables_per_s
    )?;
    writeln!(
        out,
        "  hub cables/s  {:>12.1}      (the library's hub alone, e2e off, between endpoints that only decode and ack)",
        f.hub_cables_per_s
    )?;
    writeln!(
        out,
        "  hub_vs_forwarder{:>10.3}      {} (against the coalescing one)",
        f.hub_vs_forwarder,
        target(&f.target)
    )?;
    writeln!(
        out,
        "  hub_vs_per_frame_forwarder {:.3}  {} (against the same record discipline)",
        f.hub_vs_per_frame_forwarder,
        target(&f.per_frame_target)
    )?;
    writeln!(out)?;

    let q = &r.post_quantum;
    writeln!(
        out,
        "post-quantum  hybrid X25519 + ML-KEM-768 against classical X25519 (post_quantum, preset e2e-pq)"
    )?;
    writeln!(
        out,
        "  envelope      {:>12.1} µs   (hybrid keys; classical {:.1} µs above)",
        q.hybrid_envelope_us, e.ours_us
    )?;
    writeln!(
        out,
        "  envelope_ratio{:>12.3}      {}",
        q.envelope_ratio,
        target(&q.envelope_target)
    )?;
    writeln!(
        out,
        "  envelope bytes{:>12} → {} (+{:.0} per recipient key: the ML-KEM ciphertext)",
        q.classical_envelope_bytes, q.hybrid_envelope_bytes, q.extra_bytes_per_recipient
    )?;
    writeln!(
        out,
        "  handshake     {:>12.1} µs → {:.1} µs, {} → {} bytes (one mutual-TLS handshake, both directions)",
        q.classical_handshake_us, q.hybrid_handshake_us, q.classical_handshake_bytes, q.hybrid_handshake_bytes
    )?;
    writeln!(
        out,
        "  run           {:>12.2} s  → {:.2} s (`cablesim run {} --config e2e-fs`, then e2e-pq)",
        q.classical_run_s,
        q.hybrid_run_s,
        super::post_quantum::RUN_SCENARIO
    )?;
    writeln!(
        out,
        "  run_ratio     {:>12.3}      {}",
        q.run_ratio,
        target(&q.run_target)
    )?;
    Ok(())
}

fn target(t: &Target) -> String {
    let op = if t.op == "<=" { "≤" } else { "≥" };
    let verdict = if t.met { "met" } else { "NOT met" };
    format!("target {op} {}: {verdict}", t.value)
}
