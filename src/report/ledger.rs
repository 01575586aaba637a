//! What a run produced: the JSON report of README.md, "Report files". Every
//! number here is counted from the run itself; nothing is looked up. Tests
//! and scripts rely on `scenario`, `seed`, `security`, `cables`, `actors`
//! and `alarms`; the other fields (the network, the adversaries, leaks
//! by day and by sender) are what the HTML and Markdown reports draw, and
//! more may be added.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::WireCosts;
use crate::model::{Classification, Day, DayWindow, Role, SecurityConfig};
use crate::net::Alarm;

/// The outcome of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// Scenario name.
    pub scenario: String,
    /// The seed the cables came from.
    pub seed: u64,
    /// The preset applied with `--config`, if any.
    pub config: Option<String>,
    /// Effective security settings.
    pub security: SecurityConfig,
    /// Days simulated.
    pub days: u32,
    /// What happened to the cables.
    pub cables: CableCounts,
    /// What each adversary actor obtained.
    pub actors: Vec<ActorReport>,
    /// Attacks detected by a node or the hub, sorted by day.
    pub alarms: Vec<Alarm>,
    /// Every node of the network, hub first, then by name: what the map
    /// of the HTML report draws.
    pub network: Vec<NetworkNode>,
    /// Every adversary of the run, in the order they were planted.
    pub adversaries: Vec<AdversaryEntry>,
    /// What the envelopes and TLS handshakes cost on the wire, measured in
    /// the run; absent from reports written before the field existed.
    #[serde(default)]
    pub wire: Option<WireCosts>,
}

/// One node of the network, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkNode {
    /// Unique name.
    pub name: String,
    /// Hub, hq, ministry or mission: where the map places it.
    pub role: Role,
}

/// Where an adversary sits, without the node's name (see
/// [`crate::adversary::Position`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// On the link between a node and the hub.
    Link,
    /// Inside the hub.
    Hub,
    /// Inside a node.
    Node,
    /// Nowhere in the network: it works on its actor's recordings.
    Recordings,
}

impl Placement {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Link => "link",
            Placement::Hub => "hub",
            Placement::Node => "node",
            Placement::Recordings => "recordings",
        }
    }
}

/// One adversary of the run: what it is, where and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdversaryEntry {
    /// Unique name: "tap@del-kyiv".
    pub name: String,
    /// Its kind ("tap", "endpoint", ...), or "custom" for an adversary
    /// added through [`crate::scenario::Runner::with_adversary`].
    pub kind: String,
    /// The actor it pools its loot with.
    pub actor: String,
    /// Link, hub or node.
    pub position: Placement,
    /// The node of a link or node position.
    pub node: Option<String>,
    /// The days it was active: `[from, until)`, `until` absent for the end
    /// of the run.
    pub window: DayWindow,
    /// MITRE ATT&CK techniques of its kind.
    pub attack: Vec<String>,
}

/// Cable counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CableCounts {
    /// Cables in the scenario (generated and listed).
    pub total: u64,
    /// Cables the hub accepted for relaying.
    pub sent: u64,
    /// Cables above `max_classification`: never sent on this network.
    pub withheld: u64,
    /// Sent cables that every recipient in R(c) accepted.
    pub delivered: u64,
    /// Accepted deliveries, one per cable and recipient: Σ |R(c)| when
    /// nothing goes wrong. Broadcast distribution shows up here.
    pub deliveries: u64,
    /// Cables a sender could not send (refused by the hub, no key for a
    /// recipient, sender offline).
    pub failed: u64,
}

/// What one actor (a group of adversaries pooling their loot) obtained.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorReport {
    /// Actor name.
    pub actor: String,
    /// Names of its adversaries.
    pub adversaries: Vec<String>,
    /// Cable ids whose canary was found in its loot.
    pub content: Vec<String>,
    /// Cable ids whose routing header it decoded (includes `content`).
    pub routing: Vec<String>,
    /// Encrypted frames seen only as sizes and times.
    pub traffic_frames: u64,
    /// Distinct forged cables that at least one recipient accepted as
    /// genuine.
    pub forged_cables: u64,
    /// Acceptances of forged cables: one per forged cable and recipient
    /// that accepted it, so a forgery believed by four ministries counts
    /// four here and one in `forged_cables`.
    pub forged_accepted: u64,
    /// Alarms its actions caused.
    pub alarms: u64,
    /// How each content leak was obtained.
    pub evidence: Vec<Evidence>,
    /// Content and routing counts per classification level.
    pub by_classification: BTreeMap<Classification, LevelCounts>,
    /// MITRE ATT&CK techniques of its adversaries.
    pub attack: Vec<String>,
    /// Leaked cables counted by the day each was sent, days without any
    /// left out: when the leaked material was written, for a timeline.
    pub leaks_by_day: Vec<DayCounts>,
    /// Leaked cables counted by the node that sent them: whose cables
    /// leaked, for the map.
    pub by_sender: BTreeMap<String, LevelCounts>,
}

/// Leaked cables sent on one day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    /// The day the cables were sent.
    pub day: Day,
    /// Cables whose canary was recovered.
    pub content: u64,
    /// Cables whose header was decoded (content included).
    pub routing: u64,
}

/// Leaked cables of one classification level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCounts {
    /// Cables whose canary was recovered.
    pub content: u64,
    /// Cables whose header was decoded (content included).
    pub routing: u64,
}

/// How one cable was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Cable id.
    pub cable: String,
    /// The path: "tap del-washington<->hub, plain", "endpoint cy-mfa inbox"...
    pub via: String,
    /// MITRE ATT&CK techniques of the adversaries involved.
    pub attack: Vec<String>,
    /// The cable's classification.
    pub classification: Classification,
    /// The day the cable was sent.
    pub day: Day,
    /// The node that sent it.
    pub from: String,
}
