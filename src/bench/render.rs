//! `cablesim bench` as the terminal shows it. Figures are rounded here
//! only; the JSON form carries them unrounded, so its ratios are exactly
//! the quotients of its figures.

use std::fmt::Write;

use super::{AGE_NOT_BUILT, BenchReport, EnvelopeFigures, Target};

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

    write_envelope(out, &r.envelope, o.recipients, m.age)?;
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

    let d = &r.durable;
    writeln!(
        out,
        "durable    the hub alone with its queues in SQLite (WAL, synchronous=FULL, group commit), file on this disk"
    )?;
    writeln!(
        out,
        "  cables/s      {:>12.1}      (every ack after its cable's commit; in memory, rounds in turn: {:.1})",
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
        q.hybrid_envelope_us, r.envelope.ours_us
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
            "  {} {:<7}{:>9.2} s  → floor {:.2} s ({} threads, best of {}; {} days, {} cables, {} deliveries, {} wraps, {} key publications, {} entry checks, {} handshakes, {} hop bytes)",
            s.scenario,
            s.config,
            s.run_s,
            s.floor_s,
            s.threads,
            s.rounds,
            s.days,
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
        "demo       `cablesim demo {}` whole ({} cables, {} days): story, the incident's run, the mitigation table",
        d.scenario, d.cables, d.days
    )?;
    let shared = if d.shared.is_empty() {
        "none".to_owned()
    } else {
        d.shared.join(", ")
    };
    writeln!(
        out,
        "  demo          {:>9.2} s     ({} runs; measured in another's: {shared})",
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

/// The envelope's lines: ours, and age's beside it when this build has
/// it, or why not.
fn write_envelope(out: &mut String, e: &EnvelopeFigures, recipients: usize, age: Option<&str>) -> std::fmt::Result {
    writeln!(
        out,
        "envelope   seal one cable for {recipients} recipients, then unwrap, decrypt and verify at each (median)"
    )?;
    writeln!(
        out,
        "  ours          {:>12.1} µs   ({} samples)",
        e.ours_us, e.ours_samples
    )?;
    let (Some(age_us), Some(samples), Some(ratio), Some(t), Some(age)) =
        (e.age_us, e.age_samples, e.ratio_vs_age, &e.target, age)
    else {
        let why = e.age_not_measured.unwrap_or(AGE_NOT_BUILT);
        return writeln!(out, "  age           not measured: {why}");
    };
    writeln!(out, "  age           {age_us:>12.1} µs   ({samples} samples; {age})")?;
    writeln!(out, "  ratio_vs_age  {ratio:>12.3}      {}", target(t))?;
    writeln!(
        out,
        "  age decrypt-by-each is O(N²): its X25519 stanzas are anonymous, so each identity tries them in turn\n  \
         (age native/x25519.rs unwrap_stanza), one X25519 per try; our wraps name their key, one X25519 each."
    )
}

fn target(t: &Target) -> String {
    let op = if t.op == "<=" { "≤" } else { "≥" };
    let verdict = if t.met { "met" } else { "NOT met" };
    format!("target {op} {}: {verdict}", t.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::AGE_NAME;
    use crate::bench::envelope::Timed;

    fn timed(median_us: f64, samples: usize) -> Timed {
        Timed { median_us, samples }
    }

    #[test]
    fn a_build_without_age_says_how_to_get_it_and_prints_no_age_figure() {
        let e = EnvelopeFigures::new(&timed(5000.0, 200), None);
        assert_eq!(
            (e.age_us, e.ratio_vs_age, e.target, e.age_samples),
            (None, None, None, None)
        );
        let mut out = String::new();
        write_envelope(&mut out, &e, 31, None).unwrap();
        assert_eq!(
            out.lines().last(),
            Some(
                "  age           not measured: the age comparison is not in this build: build with \
                 `--features age-compare` (cargo run --release --features age-compare -- bench)"
            )
        );
        assert!(!out.contains("ratio_vs_age") && !out.contains("target"), "{out}");
    }

    #[test]
    fn a_build_with_age_prints_its_figures_and_the_ratio() {
        let e = EnvelopeFigures::new(&timed(5000.0, 200), Some(&timed(40000.0, 115)));
        assert_eq!(e.ratio_vs_age, Some(0.125));
        assert_eq!(e.age_not_measured, None);
        let mut out = String::new();
        write_envelope(&mut out, &e, 31, Some(AGE_NAME)).unwrap();
        assert!(
            out.contains("  age                40000.0 µs   (115 samples; age 0.12.1"),
            "{out}"
        );
        assert!(
            out.contains("  ratio_vs_age         0.125      target ≤ 0.5: met"),
            "{out}"
        );
        assert!(!out.contains("not measured"), "{out}");
    }
}
