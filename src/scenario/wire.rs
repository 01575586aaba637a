//! The wire costs of a run, counted as it goes: every envelope a sender
//! seals and every TLS handshake a node completes (in multi-process mode,
//! each node process counts its own).

use std::collections::BTreeSet;
use std::sync::Mutex;

use crate::crypto::{CablePayload, SealMode};
use crate::model::Day;
use crate::net::{Handshake, NodeTap};
use crate::report::WireCosts;

/// Sums what the nodes report. The sums do not depend on the order the
/// nodes' tasks report in, so a seeded run gives the same figures.
#[derive(Default)]
pub(crate) struct WireTally(Mutex<Sums>);

#[derive(Default)]
struct Sums {
    costs: WireCosts,
    groups: BTreeSet<String>,
    agreements: BTreeSet<&'static str>,
}

impl WireTally {
    /// The figures so far.
    pub(crate) fn costs(&self) -> WireCosts {
        let sums = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let join = |names: Vec<&str>| (!names.is_empty()).then(|| names.join(", "));
        WireCosts {
            tls_group: join(sums.groups.iter().map(String::as_str).collect()),
            e2e_agreement: join(sums.agreements.iter().copied().collect()),
            ..sums.costs.clone()
        }
    }
}

impl NodeTap for WireTally {
    fn on_sealed(&self, _day: Day, _node: &str, payload: &CablePayload) {
        let Some(cost) = payload.envelope_cost() else {
            return;
        };
        let mut sums = self.0.lock().unwrap_or_else(|p| p.into_inner());
        sums.costs.envelopes += 1;
        sums.costs.envelope_bytes += cost.bytes;
        sums.costs.wraps += cost.key_wraps;
        sums.costs.wrap_bytes += cost.key_wrap_bytes;
        sums.agreements.insert(match (cost.mode, cost.hybrid) {
            (SealMode::Group, _) => "group key",
            (_, true) => "X25519 + ML-KEM-768",
            (_, false) => "X25519",
        });
    }

    fn on_handshake(&self, _day: Day, _node: &str, handshake: &Handshake) {
        let mut sums = self.0.lock().unwrap_or_else(|p| p.into_inner());
        sums.costs.handshakes += 1;
        sums.costs.handshake_bytes += handshake.sent + handshake.received;
        if let Some(group) = &handshake.group {
            sums.groups.insert(group.clone());
        }
    }
}
