//! What a scenario says about an adversary: its kind, position, window and
//! actor. Pure data, validated against the network by `scenario`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::{Day, DayWindow};

/// The seven positions of DESIGN §5.
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
}

impl AdversaryKind {
    /// Every kind, in DESIGN order.
    pub const ALL: [AdversaryKind; 7] = [
        AdversaryKind::Tap,
        AdversaryKind::Mitm,
        AdversaryKind::Hub,
        AdversaryKind::Endpoint,
        AdversaryKind::KeyThief,
        AdversaryKind::Insider,
        AdversaryKind::Forger,
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

    /// MITRE ATT&CK techniques (DESIGN §5).
    pub fn attack_techniques(self) -> &'static [&'static str] {
        match self {
            AdversaryKind::Tap => &["T1040"],
            AdversaryKind::Mitm => &["T1557"],
            AdversaryKind::Hub => &["T1557", "T1213"],
            AdversaryKind::Endpoint => &["T1566.002", "T1005"],
            AdversaryKind::KeyThief => &["T1552.004"],
            AdversaryKind::Insider => &["T1213", "T1052"],
            AdversaryKind::Forger => &["T1565.002"],
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
#[error("unknown adversary kind {0:?} (expected tap, mitm, hub, endpoint, key-thief, insider or forger)")]
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
}

impl AdversarySpec {
    /// The day a single-day adversary acts (`on_day`), else the window start.
    pub fn day(&self) -> Day {
        self.window.from
    }
}
