//! What a proxy obtained, analysed (sans-IO): the analyst's findings as
//! `cablesim run` reports an actor when a scenario gives the canaries, and
//! in every case what was measured on the wire, unattributed.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::adversary::{
    Adversary, AdversaryKind, CableIndex, CaptureKind, Loot, count_records, decode_stream, looks_like_tls,
};
use crate::model::{CANARY_PREFIX, DayWindow, Transport, tokens_in};
use crate::report::{ActorReport, render_actor};
use crate::scenario::Scenario;
use crate::scenario::findings::actor_reports;
use crate::wire::Frame;

/// Cable ids the text summary lists before it only counts the rest.
const LISTED_IDS: usize = 20;

/// What a proxy returns when it stops.
pub struct ProxyOutcome {
    /// The adversary, with everything it collected: its `loot()` joins an
    /// orchestrator's combined report.
    pub adversary: Arc<dyn Adversary>,
    /// What it obtained, measured and analysed.
    pub report: ProxyReport,
}

impl std::fmt::Debug for ProxyOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyOutcome")
            .field("adversary", &self.adversary.name())
            .field("report", &self.report)
            .finish()
    }
}

impl ProxyOutcome {
    /// The human summary (see [`ProxyReport::to_text`]).
    pub fn to_text(&self) -> String {
        self.report.to_text()
    }

    /// The report as pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(&self.report)
    }
}

/// A proxy's report: where it sat, what crossed it, what that proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxyReport {
    /// Its name: `tap@NODE`, `mitm@NODE`.
    pub adversary: String,
    /// Tap or MITM.
    pub kind: AdversaryKind,
    /// The actor it reports as.
    pub actor: String,
    /// The node whose link it sat on.
    pub node: String,
    /// Days it was active.
    pub window: DayWindow,
    /// MITRE ATT&CK techniques of its kind.
    pub attack: Vec<String>,
    /// Where nodes connected.
    pub listen: SocketAddr,
    /// Where it carried them.
    pub upstream: SocketAddr,
    /// The link's transport as the scenario gives it (without one, the
    /// default `mtls`): what a MITM acted on, and the capture's hub port.
    pub transport: Transport,
    /// Whether `transport` came from a scenario.
    pub transport_from_scenario: bool,
    /// Node connections accepted.
    pub connections: u64,
    /// Of those, connections that ended in an error (hub unreachable, a
    /// reset): each is in the log with its peer.
    pub failed_connections: u64,
    /// Bytes from the node towards the hub, on the node's side.
    pub bytes_to_hub: u64,
    /// Bytes from the hub towards the node, on the node's side.
    pub bytes_to_node: u64,
    /// The capture, if one was asked for.
    pub pcap: Option<PcapOutcome>,
    /// What was measured in the loot, whatever the scenario.
    pub observed: Observed,
    /// What the analyst proves with the scenario's canaries.
    pub findings: ProxyFindings,
}

/// The capture written at exit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum PcapOutcome {
    /// The pcapng file is complete.
    Written {
        /// The file.
        path: PathBuf,
        /// Packets in it.
        packets: u64,
        /// TCP connections in it: one per node connection.
        connections: u64,
        /// TLS secret lines in its Decryption Secrets Block: none for a tap
        /// (it holds none); for a MITM, those of the TLS it negotiated with
        /// the node as the "hub", handshakes the node refused included (so
        /// Wireshark shows the refusal too).
        tls_secrets: u64,
    },
    /// The file could not be written; the findings are still here.
    Failed {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Measured in what the adversary obtained, attributed to nothing: what
/// anyone holding the bytes could count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// Protocol frames decoded from bytes in the clear (a plain link, or
    /// TLS the MITM terminated).
    pub frames: u64,
    /// TLS records whose content is encrypted.
    pub tls_records_encrypted: u64,
    /// TLS records in the clear (hellos, change_cipher_spec).
    pub tls_records_clear: u64,
    /// Cable ids read in clear frame headers (submits and deliveries), sorted.
    pub cable_ids_in_clear: Vec<String>,
    /// Distinct canary tokens (`CNRY-` + 32 hex digits) found anywhere in
    /// the loot: plaintext bodies, whichever cables they belong to.
    pub canary_tokens: u64,
}

/// What the analyst proves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "analysis", rename_all = "kebab-case")]
pub enum ProxyFindings {
    /// The scenario's canaries were searched for, as `cablesim run` does.
    Attributed {
        /// The scenario.
        scenario: String,
        /// Its seed (the canaries come from it).
        seed: u64,
        /// Cables in its index.
        cables: u64,
        /// The actor's report, exactly as in a run's report.
        actor: Box<ActorReport>,
    },
    /// No scenario, so no canary index: nothing can be tied to a cable.
    Unattributed,
}

impl ProxyReport {
    /// The actor's report, when a scenario gave the canaries.
    pub fn actor_report(&self) -> Option<&ActorReport> {
        match &self.findings {
            ProxyFindings::Attributed { actor, .. } => Some(actor),
            ProxyFindings::Unattributed => None,
        }
    }

    /// A few lines a trainer can read aloud: where the proxy sat, what
    /// crossed it, and the actor's table of `cablesim run`, or, without a
    /// scenario, a plain statement that nothing is attributed and what was
    /// measured instead.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{} (actor {}, ATT&CK {}) on the link of {}, {}",
            self.adversary,
            self.actor,
            self.attack.join(", "),
            self.node,
            window_text(self.window)
        );
        let _ = writeln!(
            out,
            "proxy {} -> hub {}, transport {}{}",
            self.listen,
            self.upstream,
            self.transport,
            if self.transport_from_scenario {
                ""
            } else {
                " (assumed: no scenario)"
            }
        );
        let _ = writeln!(
            out,
            "connections: {} accepted, {} failed; bytes: {} node->hub, {} hub->node",
            self.connections, self.failed_connections, self.bytes_to_hub, self.bytes_to_node
        );
        match &self.pcap {
            None => {}
            Some(PcapOutcome::Written {
                path,
                packets,
                connections,
                tls_secrets,
            }) => {
                let secrets = match (self.kind, tls_secrets) {
                    (AdversaryKind::Tap, _) => "no TLS secrets (a tap holds none)".to_owned(),
                    (_, 0) => "no TLS secrets (it negotiated no TLS with the node)".to_owned(),
                    (_, n) => format!("{n} TLS secrets of its own sessions with the node"),
                };
                let _ = writeln!(
                    out,
                    "capture: {} ({packets} packets, {connections} TCP connections, {secrets})",
                    path.display()
                );
            }
            Some(PcapOutcome::Failed { path, reason }) => {
                let _ = writeln!(out, "capture: NOT written to {}: {reason}", path.display());
            }
        }
        let o = &self.observed;
        match &self.findings {
            ProxyFindings::Attributed {
                scenario,
                seed,
                cables,
                actor,
            } => {
                let _ = writeln!(
                    out,
                    "scenario {scenario} (seed {seed}): the analyst searched for the canaries of its {cables} cables"
                );
                render_actor(&mut out, actor);
                let _ = writeln!(
                    out,
                    "on the wire: {} frames in the clear, {} TLS records ({} encrypted), {} cable ids in clear headers, {} distinct canary tokens",
                    o.frames,
                    o.tls_records_encrypted + o.tls_records_clear,
                    o.tls_records_encrypted,
                    o.cable_ids_in_clear.len(),
                    o.canary_tokens
                );
            }
            ProxyFindings::Unattributed => {
                let _ = writeln!(
                    out,
                    "no scenario: no canary index, so nothing is attributed to a cable; measured, unattributed:"
                );
                let _ = writeln!(
                    out,
                    "  {} frames in the clear, {} TLS records ({} encrypted)",
                    o.frames,
                    o.tls_records_encrypted + o.tls_records_clear,
                    o.tls_records_encrypted
                );
                let _ = writeln!(
                    out,
                    "  cable ids read in clear headers: {}",
                    list_ids(&o.cable_ids_in_clear)
                );
                let _ = writeln!(
                    out,
                    "  distinct canary tokens ({CANARY_PREFIX} + 32 hex) found: {}",
                    o.canary_tokens
                );
            }
        }
        // Alarms are raised where the checks run; a proxy sees none.
        let _ = writeln!(
            out,
            "alarms: raised by the node and the hub in their own processes (see their logs)"
        );
        out
    }
}

fn window_text(window: DayWindow) -> String {
    match (window.from, window.until) {
        (0, None) => "every day".to_owned(),
        (from, None) => format!("from day {from}"),
        (from, Some(until)) => format!("days {from} to {} (until day {until})", until.saturating_sub(1)),
    }
}

fn list_ids(ids: &[String]) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    let mut text = ids.iter().take(LISTED_IDS).cloned().collect::<Vec<_>>().join(", ");
    if ids.len() > LISTED_IDS {
        let _ = write!(text, " ... {} more (see --format json)", ids.len() - LISTED_IDS);
    }
    format!("{} ({text})", ids.len())
}

/// Connection and byte counts of a proxy's run.
pub(super) struct Totals {
    pub(super) connections: u64,
    pub(super) failed_connections: u64,
    pub(super) bytes_to_hub: u64,
    pub(super) bytes_to_node: u64,
}

/// Everything [`conclude`] turns into an outcome.
pub(super) struct Conclusion<'a> {
    pub(super) adversary: Arc<dyn Adversary>,
    pub(super) kind: AdversaryKind,
    pub(super) listen: SocketAddr,
    pub(super) upstream: SocketAddr,
    pub(super) node: String,
    pub(super) transport: Transport,
    pub(super) scenario: Option<&'a Scenario>,
    pub(super) index: Option<&'a CableIndex>,
    pub(super) totals: Totals,
    pub(super) pcap: Option<PcapOutcome>,
}

/// Measures the loot and, with a scenario, runs the analyst over it the
/// way the runner does for each actor (leaks logged under
/// `cablesim::leak`). A proxy sees no alarm, so none is counted.
pub(super) fn conclude(c: Conclusion<'_>) -> ProxyOutcome {
    let observed = observe(&c.adversary.loot());
    let findings = match (c.scenario, c.index) {
        (Some(scenario), Some(index)) => {
            let actor = actor_reports(std::slice::from_ref(&c.adversary), index, &[], None)
                .pop()
                .unwrap_or_default();
            ProxyFindings::Attributed {
                scenario: scenario.name.clone(),
                seed: scenario.seed,
                cables: index.len() as u64,
                actor: Box::new(actor),
            }
        }
        _ => ProxyFindings::Unattributed,
    };
    let report = ProxyReport {
        adversary: c.adversary.name().to_owned(),
        kind: c.kind,
        actor: c.adversary.actor().to_owned(),
        node: c.node,
        window: c.adversary.window(),
        attack: c.adversary.attack_techniques(),
        listen: c.listen,
        upstream: c.upstream,
        transport: c.transport,
        transport_from_scenario: c.scenario.is_some(),
        connections: c.totals.connections,
        failed_connections: c.totals.failed_connections,
        bytes_to_hub: c.totals.bytes_to_hub,
        bytes_to_node: c.totals.bytes_to_node,
        pcap: c.pcap,
        observed,
        findings,
    };
    ProxyOutcome {
        adversary: c.adversary,
        report,
    }
}

/// What anyone holding the byte captures of `loot` (all a link adversary
/// has) can count without knowing the cables: TLS records on encrypted
/// links; frames and their cable ids in bytes that were in the clear; and
/// canary-shaped tokens anywhere (ciphertext never holds one).
pub(crate) fn observe(loot: &Loot) -> Observed {
    let mut observed = Observed::default();
    let mut ids = BTreeSet::new();
    let mut tokens = BTreeSet::new();
    for capture in &loot.captures {
        // A proxy records link directions, one piece each: not copied.
        let bytes = capture.bytes.contiguous();
        canary_tokens(&bytes, &mut tokens);
        if capture.kind == CaptureKind::Wire && looks_like_tls(&bytes) {
            let records = count_records(&bytes);
            observed.tls_records_encrypted += records.encrypted;
            observed.tls_records_clear += records.clear;
            continue;
        }
        for frame in decode_stream(&bytes) {
            observed.frames += 1;
            if let Frame::Submit { payload } | Frame::Deliver { payload } = &frame {
                ids.insert(payload.header().id.clone());
            }
        }
    }
    observed.cable_ids_in_clear = ids.into_iter().collect();
    observed.canary_tokens = tokens.len() as u64;
    observed
}

/// Adds every canary-shaped token of `bytes` to `found`.
fn canary_tokens(bytes: &[u8], found: &mut BTreeSet<Vec<u8>>) {
    found.extend(tokens_in(bytes).map(|token| token.as_bytes().to_vec()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adversary::Capture;

    const A: &str = "CNRY-0123456789abcdef0123456789abcdef";
    const B: &str = "CNRY-ffffffffffffffffffffffffffffffff";

    fn count(bytes: &[u8]) -> usize {
        let mut found = BTreeSet::new();
        canary_tokens(bytes, &mut found);
        found.len()
    }

    #[test]
    fn canary_tokens_are_counted_once_each() {
        let text = format!("x{A}y{B}z{A}");
        assert_eq!(count(text.as_bytes()), 2);
    }

    #[test]
    fn fail_tokens_of_the_wrong_shape_are_not_canaries() {
        assert_eq!(count(b"CNRY-0123456789ABCDEF0123456789abcdef"), 0);
        assert_eq!(count(b"CNRY-0123456789abcdef"), 0);
        assert_eq!(count(b"CNRY-CNRY-"), 0);
        assert_eq!(count(b""), 0);
        // A token cut off at the end of a capture proves nothing.
        assert_eq!(count(&A.as_bytes()[..A.len() - 1]), 0);
    }

    #[test]
    fn a_token_right_after_a_broken_one_is_found() {
        let text = format!("CNRY-zz{A}");
        assert_eq!(count(text.as_bytes()), 1);
    }

    #[test]
    fn tls_bytes_count_as_records_not_frames() {
        let mut record = vec![23u8, 3, 3, 0, 4];
        record.extend_from_slice(b"\xaa\xbb\xcc\xdd");
        let loot = Loot {
            captures: vec![Capture {
                by: String::new(),
                via: "tap n->hub".into(),
                kind: CaptureKind::Wire,
                bytes: [record.clone(), record].concat().into(),
                link: None,
            }],
            ..Loot::default()
        };
        let observed = observe(&loot);
        assert_eq!(observed.tls_records_encrypted, 2);
        assert_eq!(observed.frames, 0);
        assert!(observed.cable_ids_in_clear.is_empty());
    }

    #[test]
    fn windows_read_as_days() {
        assert_eq!(window_text(DayWindow::new(0, None)), "every day");
        assert_eq!(window_text(DayWindow::new(3, None)), "from day 3");
        assert_eq!(window_text(DayWindow::new(3, Some(9))), "days 3 to 8 (until day 9)");
    }
}
