//! Classification levels, ordered from least to most sensitive.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How sensitive a cable is (ARCHITECTURE.md, "The world"). The derived order
/// is the sensitivity order, so `max_classification` checks are plain
/// comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    /// Public or releasable information.
    Unclassified,
    /// EU "LIMITE": not for public release; most COREU traffic.
    Limite,
    /// Restricted: disclosure would disadvantage the sender.
    Restricted,
    /// Confidential: disclosure would harm essential interests.
    Confidential,
    /// Secret: disclosure would seriously harm essential interests.
    Secret,
}

impl Classification {
    /// Every level, least sensitive first.
    pub const ALL: [Classification; 5] = [
        Classification::Unclassified,
        Classification::Limite,
        Classification::Restricted,
        Classification::Confidential,
        Classification::Secret,
    ];

    /// The lowercase name used in scenario files, reports and frames.
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Unclassified => "unclassified",
            Classification::Limite => "limite",
            Classification::Restricted => "restricted",
            Classification::Confidential => "confidential",
            Classification::Secret => "secret",
        }
    }

    /// The marking printed at the head of a cable, as registries write it.
    pub fn marking(self) -> &'static str {
        match self {
            Classification::Unclassified => "UNCLASSIFIED",
            Classification::Limite => "LIMITE",
            Classification::Restricted => "RESTRICTED",
            Classification::Confidential => "CONFIDENTIAL",
            Classification::Secret => "SECRET",
        }
    }
}

impl fmt::Display for Classification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the five level names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown classification {0:?} (expected unclassified, limite, restricted, confidential or secret)")]
pub struct UnknownClassification(pub String);

impl FromStr for Classification {
    type Err = UnknownClassification;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Classification::ALL
            .into_iter()
            .find(|level| level.as_str() == s)
            .ok_or_else(|| UnknownClassification(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered_by_sensitivity() {
        assert!(Classification::Unclassified < Classification::Limite);
        assert!(Classification::Limite < Classification::Restricted);
        assert!(Classification::Restricted < Classification::Confidential);
        assert!(Classification::Confidential < Classification::Secret);
    }

    #[test]
    fn names_round_trip() {
        for level in Classification::ALL {
            assert_eq!(level.as_str().parse::<Classification>(), Ok(level));
        }
    }

    #[test]
    fn fail_unknown_name() {
        assert_eq!(
            "top-secret".parse::<Classification>(),
            Err(UnknownClassification("top-secret".into()))
        );
    }
}
