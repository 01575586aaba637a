//! The scenario file exactly as written (README.md, "Scenario files"), before
//! validation.
//!
//! Every table denies unknown fields, so a misspelt key is an error rather
//! than a silently ignored setting: a trainer who writes `retention = 30`
//! must not get a run that keeps everything forever. Values that are later
//! checked against the rest of the file are [`Spanned`], so that the error
//! can name their line. Enumerated values (roles, levels, modes) are read as
//! strings and parsed by the model's `FromStr`, whose errors list the
//! accepted names.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub(super) scenario: Spanned<RawScenario>,
    pub(super) network: Option<Spanned<RawNetwork>>,
    #[serde(default)]
    pub(super) node: Vec<Spanned<RawNode>>,
    pub(super) security: Option<Spanned<RawSecurity>>,
    #[serde(default)]
    pub(super) cable: Vec<Spanned<RawCable>>,
    #[serde(default)]
    pub(super) adversary: Vec<Spanned<RawAdversary>>,
    #[serde(default)]
    pub(super) expect: Vec<Spanned<RawExpect>>,
    pub(super) exercise: Option<Spanned<RawExercise>>,
}

/// `[scenario]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Spanned<String>,
    #[serde(default)]
    pub(super) description: String,
    pub(super) seed: Spanned<u64>,
    pub(super) days: Spanned<u32>,
    /// Generated cables; absent when every cable is listed explicitly.
    pub(super) cables: Option<Spanned<u64>>,
    pub(super) mix: Option<Spanned<RawMix>>,
}

/// `[scenario.mix]`: relative weights of the generated classifications;
/// a level left out gets weight 0.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMix {
    pub(super) unclassified: Option<u32>,
    pub(super) limite: Option<u32>,
    pub(super) restricted: Option<u32>,
    pub(super) confidential: Option<u32>,
    pub(super) secret: Option<u32>,
}

/// `[network]`: how many nodes of each role to generate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNetwork {
    pub(super) ministries: Option<Spanned<usize>>,
    pub(super) missions: Option<Spanned<usize>>,
    #[serde(default)]
    pub(super) hq: bool,
}

/// One `[[node]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNode {
    pub(super) name: Spanned<String>,
    pub(super) role: Spanned<String>,
    pub(super) verify_server: Option<bool>,
}

/// `[security]`: every field of ARCHITECTURE.md, "Security options", each
/// optional so that an absent one keeps its default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecurity {
    pub(super) transport: Option<Spanned<String>>,
    pub(super) verify_server: Option<bool>,
    pub(super) e2e: Option<Spanned<String>>,
    pub(super) epoch_days: Option<Spanned<u32>>,
    pub(super) signatures: Option<bool>,
    pub(super) key_pinning: Option<bool>,
    pub(super) distribution: Option<Spanned<String>>,
    pub(super) archive: Option<bool>,
    pub(super) archive_days: Option<u32>,
    pub(super) retention_days: Option<u32>,
    pub(super) max_classification: Option<Spanned<String>>,
    pub(super) post_quantum: Option<Spanned<String>>,
}

/// One `[[cable]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCable {
    pub(super) id: Spanned<String>,
    pub(super) day: Spanned<u32>,
    pub(super) from: Spanned<String>,
    pub(super) to: Spanned<Vec<Spanned<String>>>,
    pub(super) classification: Spanned<String>,
    pub(super) subject: String,
    pub(super) body: String,
}

/// One `[[adversary]]`. Which fields a kind needs or refuses is checked
/// after parsing, so that the error can say which kind refused what.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAdversary {
    pub(super) kind: Spanned<String>,
    pub(super) at: Option<Spanned<String>>,
    pub(super) from_day: Option<Spanned<u32>>,
    pub(super) until_day: Option<Spanned<u32>>,
    pub(super) on_day: Option<Spanned<u32>>,
    pub(super) actor: Option<Spanned<String>>,
    pub(super) impersonate: Option<Spanned<String>>,
    pub(super) to: Option<Spanned<Vec<Spanned<String>>>>,
    /// ATT&CK technique ids replacing the kind's defaults.
    pub(super) attack: Option<Spanned<Vec<Spanned<String>>>>,
}

/// One `[[expect]]`. `name` and `actor` are required, but optional here so
/// that their absence is reported with the entry's line and name rather
/// than serde's generic "missing field".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExpect {
    pub(super) name: Option<Spanned<String>>,
    pub(super) actor: Option<Spanned<String>>,
    pub(super) configs: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) content: Option<Spanned<RawComparison>>,
    pub(super) routing: Option<Spanned<RawComparison>>,
    pub(super) traffic_frames: Option<Spanned<RawComparison>>,
    pub(super) forged_cables: Option<Spanned<RawComparison>>,
    pub(super) forged_accepted: Option<Spanned<RawComparison>>,
    pub(super) alarms: Option<Spanned<RawComparison>>,
    pub(super) leaked: Option<Spanned<Vec<Spanned<String>>>>,
    pub(super) not_leaked: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A comparison as written: `"<= 100"`, or a bare integer meaning `== N`.
/// Parsed later, so that its error can name the `[[expect]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RawComparison {
    /// A bare integer (possibly negative, which the loader refuses).
    Integer(i64),
    /// A string holding an operator and a count.
    Text(String),
}

impl<'de> Deserialize<'de> for RawComparison {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expecting;
        impl Visitor<'_> for Expecting {
            type Value = RawComparison;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a comparison such as \"<= 100\" or a whole number")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawComparison, E> {
                Ok(RawComparison::Integer(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawComparison, E> {
                i64::try_from(v)
                    .map(RawComparison::Integer)
                    .map_err(|_| E::custom(format!("{v} is too large")))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawComparison, E> {
                Ok(RawComparison::Text(v.to_owned()))
            }
        }
        deserializer.deserialize_any(Expecting)
    }
}

/// `[exercise]`: the task a participant is given and what they may not
/// change. `task` is required, optional here for the same reason as
/// [`RawExpect::name`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawExercise {
    pub(super) task: Option<Spanned<String>>,
    pub(super) hint: Option<String>,
    pub(super) locked: Option<Spanned<Vec<Spanned<String>>>>,
}
