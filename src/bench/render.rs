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
    writeln!(
        out,
        "  cables/s      {:>12.1}      ({} threads, one chunk of cables each)",
        r.limit.cables_per_s, r.limit.threads
    )?;
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
    writeln!(out, "  cables/s      {:>12.1}", f.cables_per_s)?;
    writeln!(
        out,
        "  hub cables/s  {:>12.1}      (the library's hub alone, e2e off, between endpoints that only decode and ack)",
        f.hub_cables_per_s
    )?;
    writeln!(
        out,
        "  hub_vs_forwarder{:>10.3}      {}",
        f.hub_vs_forwarder,
        target(&f.target)
    )?;
    writeln!(out)?;

    let d = &r.durable;
    writeln!(
        out,
        "durable    the hub alone with its queues in SQLite (WAL, synchronous=FULL, group commit), file on this disk"
    )?;
    writeln!(
        out,
        "  cables/s      {:>12.1}      (every ack after its cable's commit; in memory {:.1})",
        d.cables_per_s, d.memory_cables_per_s
    )?;
    writeln!(
        out,
        "  durable_vs_memory{:>9.3}      {}",
        d.durable_vs_memory,
        target(&d.target)
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
    writeln!(out)?;

    writeln!(
        out,
        "scenario   a whole in-process run beside its crypto floor: the run's own seals, wraps, signatures,\n           \
         deliveries, key publications, entry checks, handshakes and TLS records, on every core"
    )?;
    for s in &r.scenario {
        let w = &s.work;
        writeln!(
            out,
            "  {} {:<7}{:>9.2} s  → floor {:.2} s ({} threads, best of {}; {} cables, {} deliveries, {} wraps, {} key publications, {} entry checks, {} handshakes, {} hop bytes)",
            s.scenario,
            s.config,
            s.run_s,
            s.floor_s,
            s.threads,
            s.rounds,
            w.cables,
            w.deliveries,
            w.wraps,
            w.key_publications,
            w.entry_checks,
            w.handshakes,
            w.hop_bytes
        )?;
        writeln!(
            out,
            "  run_vs_floor  {:>12.3}      {}",
            s.run_vs_floor,
            target(&s.target)
        )?;
    }
    writeln!(out)?;

    let d = &r.demo;
    writeln!(
        out,
        "demo       `cablesim demo {}` whole ({} cables): story, the incident's run, the mitigation table",
        d.scenario, d.cables
    )?;
    let shared = if d.shared.is_empty() {
        "none".to_owned()
    } else {
        d.shared.join(", ")
    };
    writeln!(
        out,
        "  demo          {:>9.2} s     ({} runs; in the incident's run: {shared})",
        d.demo_s, d.runs
    )?;
    writeln!(out, "  one run       {:>9.2} s", d.run_s)?;
    writeln!(
        out,
        "  floors        {:>9.2} s     (the crypto floors of its {} runs, each the best of {})",
        d.floors_s, d.runs, d.rounds
    )?;
    writeln!(
        out,
        "  demo_vs_run   {:>12.3}      {}",
        d.demo_vs_run,
        target(&d.run_target)
    )?;
    writeln!(
        out,
        "  demo_vs_floors{:>12.3}      {}",
        d.demo_vs_floors,
        target(&d.floors_target)
    )?;
    Ok(())
}

fn target(t: &Target) -> String {
    let op = if t.op == "<=" { "≤" } else { "≥" };
    let verdict = if t.met { "met" } else { "NOT met" };
    format!("target {op} {}: {verdict}", t.value)
}
