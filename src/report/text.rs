//! The short human summary of a run.

use std::fmt::Write;

use super::RunReport;

/// A few lines a trainer can read aloud.
pub fn render_text(report: &RunReport) -> String {
    let mut out = String::new();
    let s = &report.security;
    let c = &report.cables;
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "scenario {} (seed {}, {} days){}",
        report.scenario,
        report.seed,
        report.days,
        report
            .config
            .as_ref()
            .map(|p| format!(", config {p}"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "security: transport {}, e2e {}{}, signatures {}, pinning {}, {} distribution, archive {}, max {}{}",
        s.transport,
        s.e2e,
        if s.e2e == crate::model::E2eMode::ForwardSecret {
            format!(" ({}-day epochs)", s.epoch_days)
        } else {
            String::new()
        },
        on_off(s.signatures),
        on_off(s.key_pinning),
        s.distribution,
        if s.archive {
            s.archive_days
                .map_or("kept forever".to_owned(), |d| format!("kept {d} days"))
        } else {
            "off".to_owned()
        },
        s.max_classification,
        if s.post_quantum == crate::model::PostQuantum::Off {
            String::new()
        } else {
            format!(", post-quantum {}", s.post_quantum)
        }
    );
    let _ = writeln!(
        out,
        "cables: {} total, {} sent, {} withheld (above {}), {} delivered to every recipient ({} deliveries){}",
        c.total,
        c.sent,
        c.withheld,
        s.max_classification,
        c.delivered,
        c.deliveries,
        if c.failed > 0 {
            format!(", {} failed", c.failed)
        } else {
            String::new()
        }
    );
    if let Some(wire) = &report.wire {
        let _ = writeln!(out, "{}", wire.sentence());
    }
    if report.actors.is_empty() {
        let _ = writeln!(out, "adversaries: none");
    }
    for actor in &report.actors {
        render_actor(&mut out, actor);
    }
    // The log has one leak event per cable an actor holds; a terminal does
    // not show them unless asked, so say how many there are and how.
    let leak_events: usize = report.actors.iter().map(|actor| actor.routing.len()).sum();
    let _ = writeln!(
        out,
        "leak events: {leak_events}, one per cable an actor holds (--log-format json shows them)"
    );
    let _ = writeln!(out, "alarms: {}", report.alarms.len());
    for alarm in report.alarms.iter().take(10) {
        let _ = writeln!(
            out,
            "  day {} {} {}: {}",
            alarm.day, alarm.node, alarm.kind, alarm.detail
        );
    }
    if report.alarms.len() > 10 {
        let _ = writeln!(out, "  ... {} more (see --format json)", report.alarms.len() - 10);
    }
    out
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// One actor: what it is, then its leaks by classification (also the
/// summary of an adversary proxy of multi-process mode).
pub(crate) fn render_actor(out: &mut String, actor: &super::ActorReport) {
    let _ = writeln!(
        out,
        "actor {}: {} (ATT&CK {})",
        actor.actor,
        actor.adversaries.join(", "),
        actor.attack.join(", ")
    );
    let _ = writeln!(out, "  {:<14} {:>8} {:>8}", "classification", "content", "routing");
    for (level, counts) in &actor.by_classification {
        let _ = writeln!(
            out,
            "  {:<14} {:>8} {:>8}",
            level.as_str(),
            counts.content,
            counts.routing
        );
    }
    let _ = writeln!(
        out,
        "  {:<14} {:>8} {:>8}",
        "all",
        actor.content.len(),
        actor.routing.len()
    );
    // Distinct cables first: "28" for seven forgeries believed by four
    // ministries each would read as 28 cables.
    let _ = writeln!(
        out,
        "  traffic frames {}, forged cables accepted {} ({} acceptances), alarms caused {}",
        actor.traffic_frames, actor.forged_cables, actor.forged_accepted, actor.alarms
    );
    if let Some(first) = actor.evidence.first() {
        let _ = writeln!(out, "  for example {} via {}", first.cable, first.via);
    }
}
