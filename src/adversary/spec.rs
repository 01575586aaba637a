//! What a scenario says about an adversary: its kind, position, window and
//! actor. Pure data, validated against the network by `scenario`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::{Day, DayWindow, E2eMode};

/// The eight kinds of adversary (ARCHITECTURE.md, "Adversaries"): seven
/// positions in the network, and a capability that works on its actor's
/// recordings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdversaryKind {
    /// Records every byte on one node's link.
    Tap,
    /// Sits on one node's link and may intercept TLS, alter, inject, replay.
    Mitm,
    /// Controls the hub: its frames, archive and key directory.
    Hub,
    /// Malware on a node: inbox, sent items, keys, live arrivals.
    Endpoint,
    /// Copies a node's private keys on one day.
    KeyThief,
    /// Bulk-exports the hub archive on one day.
    Insider,
    /// Injects forged cables at the hub in someone else's name.
    Forger,
    /// A cryptographically relevant quantum computer from `from_day` on:
    /// it recovers the private key of any classical X25519 public key in
    /// its actor's material.
    Quantum,
}

impl AdversaryKind {
    /// Every kind, in the order ARCHITECTURE.md lists them.
    pub const ALL: [AdversaryKind; 8] = [
        AdversaryKind::Tap,
        AdversaryKind::Mitm,
        AdversaryKind::Hub,
        AdversaryKind::Endpoint,
        AdversaryKind::KeyThief,
        AdversaryKind::Insider,
        AdversaryKind::Forger,
        AdversaryKind::Quantum,
    ];

    /// The name used in scenario files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            AdversaryKind::Tap => "tap",
            AdversaryKind::Mitm => "mitm",
            AdversaryKind::Hub => "hub",
            AdversaryKind::Endpoint => "endpoint",
            AdversaryKind::KeyThief => "key-thief",
            AdversaryKind::Insider => "insider",
            AdversaryKind::Forger => "forger",
            AdversaryKind::Quantum => "quantum",
        }
    }

    /// Whether the kind sits at a node (`at` required) rather than at the hub.
    pub fn needs_node(self) -> bool {
        matches!(
            self,
            AdversaryKind::Tap | AdversaryKind::Mitm | AdversaryKind::Endpoint | AdversaryKind::KeyThief
        )
    }

    /// Whether the kind acts on a single day (`on_day`) rather than a window.
    pub fn single_day(self) -> bool {
        matches!(self, AdversaryKind::KeyThief | AdversaryKind::Insider)
    }

    /// Whether the kind, once active, stays active to the end of the run:
    /// it takes `from_day` and no `until_day`. A quantum computer that
    /// exists does not stop existing.
    pub fn open_ended(self) -> bool {
        matches!(self, AdversaryKind::Quantum)
    }

    /// Whether an adversary of this kind changes what the network does
    /// under the end-to-end mode `e2e`, rather than only watching it: a
    /// man in the middle alters handshakes and frames, a forger injects
    /// cables, a hub adds ghost keys to the directory (under `static` and
    /// `forward-secret` only; otherwise it only reads). A passive one can
    /// be measured in a run it shares with others (`matrix`'s columns,
    /// `demo`'s detection rows) and take exactly what it takes alone.
    pub fn changes_the_network(self, e2e: E2eMode) -> bool {
        match self {
            AdversaryKind::Mitm | AdversaryKind::Forger => true,
            AdversaryKind::Hub => matches!(e2e, E2eMode::Static | E2eMode::ForwardSecret),
            AdversaryKind::Tap
            | AdversaryKind::Endpoint
            | AdversaryKind::KeyThief
            | AdversaryKind::Insider
            | AdversaryKind::Quantum => false,
        }
    }

    /// The MITRE ATT&CK techniques of the position itself, used when a
    /// scenario does not name its incident's own (`attack` in
    /// [`AdversarySpec`]). An endpoint's is only what every endpoint does,
    /// reading the node: how it got in differs from incident to incident.
    pub fn attack_techniques(self) -> &'static [&'static str] {
        match self {
            AdversaryKind::Tap => &["T1040"],
            AdversaryKind::Mitm => &["T1557"],
            AdversaryKind::Hub => &["T1557", "T1213"],
            AdversaryKind::Endpoint => &["T1005"],
            AdversaryKind::KeyThief => &["T1552.004"],
            AdversaryKind::Insider => &["T1213", "T1052"],
            AdversaryKind::Forger => &["T1565.002"],
            // ATT&CK has no technique for breaking cryptography; what a
            // quantum computer opens was recorded under the recorder's.
            AdversaryKind::Quantum => &[],
        }
    }
}

impl fmt::Display for AdversaryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not an adversary kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown adversary kind {0:?} (expected tap, mitm, hub, endpoint, key-thief, insider, forger or quantum)")]
pub struct UnknownAdversaryKind(pub String);

impl FromStr for AdversaryKind {
    type Err = UnknownAdversaryKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AdversaryKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownAdversaryKind(s.to_owned()))
    }
}

/// One validated `[[adversary]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdversarySpec {
    /// Display name, unique in the scenario: `kind@node` or `kind`, with a
    /// `#2`, `#3`... suffix when the same kind and node appear again.
    pub name: String,
    /// The position.
    pub kind: AdversaryKind,
    /// The node it sits at, for kinds that need one.
    pub at: Option<String>,
    /// Days it is active: `[from_day, until_day)`, or the single `on_day`.
    pub window: DayWindow,
    /// Actors pool their loot; defaults to the adversary's own name.
    pub actor: String,
    /// For a forger: the node its cables claim to come from.
    pub impersonate: Option<String>,
    /// For a forger: the addressees of its cables (empty = every ministry).
    pub to: Vec<String>,
    /// The MITRE ATT&CK techniques of this adversary's incident, as its
    /// reporting supports them; empty = the kind's
    /// [`AdversaryKind::attack_techniques`]. A list replaces the kind's
    /// techniques rather than adding to them, so that a person with
    /// legitimate access is never tagged as phishing malware.
    #[serde(default)]
    pub attack: Vec<String>,
}

impl AdversarySpec {
    /// The day a single-day adversary acts (`on_day`), else the window start.
    pub fn day(&self) -> Day {
        self.window.from
    }

    /// The ATT&CK techniques its actions are reported under: its own
    /// `attack` list, else its kind's.
    pub fn attack_techniques(&self) -> Vec<String> {
        if self.attack.is_empty() {
            self.kind
                .attack_techniques()
                .iter()
                .map(|id| (*id).to_owned())
                .collect()
        } else {
            self.attack.clone()
        }
    }
}

/// Why `id` is not a MITRE ATT&CK technique id (`T` and four digits,
/// optionally a `.` and three more for a sub-technique: `T1566`,
/// `T1566.002`), or `None` when it is one. Only the form is checked:
/// the ATT&CK catalogue changes, and cablesim does not ship a copy.
pub fn attack_id_problem(id: &str) -> Option<&'static str> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let Some(rest) = id.strip_prefix('T') else {
        return Some("an ATT&CK technique id starts with a capital T, as in T1566 or T1566.002");
    };
    let ok = match rest.split_once('.') {
        None => digits(rest, 4),
        Some((technique, sub)) => digits(technique, 4) && digits(sub, 3),
    };
    (!ok).then_some(
        "an ATT&CK technique id is T and four digits, with an optional .NNN sub-technique, as in T1566 or T1566.002",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_ids_are_technique_or_sub_technique_ids() {
        for good in ["T1566", "T1566.002", "T0001", "T9999.999"] {
            assert_eq!(attack_id_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "T",
            "t1566",
            "1566",
            "T156",
            "T15660",
            "T1566.",
            "T1566.02",
            "T1566.0023",
            "T1566.002.001",
            "T1566 ",
            " T1566",
            "TA0001",
            "T15a6",
            "T1566.00a",
            "S0001",
        ] {
            assert!(attack_id_problem(bad).is_some(), "{bad:?} accepted");
        }
        assert!(attack_id_problem("t1566").unwrap().contains("capital T"));
    }

    #[test]
    fn an_attack_list_replaces_the_kinds_techniques() {
        let mut spec = AdversarySpec {
            name: "endpoint@cy-mfa".into(),
            kind: AdversaryKind::Endpoint,
            at: Some("cy-mfa".into()),
            window: DayWindow::new(30, None),
            actor: "phishers".into(),
            impersonate: None,
            to: Vec::new(),
            attack: Vec::new(),
        };
        assert_eq!(spec.attack_techniques(), ["T1005"]);
        spec.attack = vec!["T1566".into(), "T1078".into()];
        assert_eq!(spec.attack_techniques(), ["T1566", "T1078"]);
    }
}
