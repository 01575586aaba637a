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

use serde::Deserialize;
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
