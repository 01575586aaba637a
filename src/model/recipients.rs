//! R(c): who receives a cable (ARCHITECTURE.md, "The world").

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Network, Role};

/// How widely a cable is distributed beyond its addressees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Distribution {
    /// COREU-like: every ministry and hq receives every cable, whoever it
    /// is addressed to. One compromised ministry then reads everything.
    Broadcast,
    /// Only the addressees receive it.
    #[default]
    NeedToKnow,
}

impl Distribution {
    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Distribution::Broadcast => "broadcast",
            Distribution::NeedToKnow => "need-to-know",
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not a distribution name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown distribution {0:?} (expected broadcast or need-to-know)")]
pub struct UnknownDistribution(pub String);

impl FromStr for Distribution {
    type Err = UnknownDistribution;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "broadcast" => Ok(Distribution::Broadcast),
            "need-to-know" => Ok(Distribution::NeedToKnow),
            _ => Err(UnknownDistribution(s.to_owned())),
        }
    }
}

/// R(c), sorted and without duplicates: with `need-to-know`, the addressees;
/// with `broadcast`, the addressees plus every `ministry` and `hq` node;
/// in both cases minus the sender (a node does not receive its own cable).
pub fn recipients(from: &str, to: &[String], network: &Network, distribution: Distribution) -> Vec<String> {
    let mut set: BTreeSet<&str> = to.iter().map(String::as_str).collect();
    if distribution == Distribution::Broadcast {
        set.extend(network.names_with_role(Role::Ministry));
        set.extend(network.names_with_role(Role::Hq));
    }
    set.remove(from);
    set.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Node;

    fn net() -> Network {
        Network::new([
            Node::new("hq", Role::Hq),
            Node::new("at-mfa", Role::Ministry),
            Node::new("cy-mfa", Role::Ministry),
            Node::new("de-mfa", Role::Ministry),
            Node::new("del-kyiv", Role::Mission),
            Node::new("del-washington", Role::Mission),
        ])
        .unwrap()
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn need_to_know_is_the_addressees() {
        let r = recipients(
            "del-kyiv",
            &names(&["de-mfa", "at-mfa"]),
            &net(),
            Distribution::NeedToKnow,
        );
        assert_eq!(r, names(&["at-mfa", "de-mfa"]));
    }

    #[test]
    fn broadcast_adds_every_ministry_and_hq_but_not_missions() {
        let r = recipients("del-kyiv", &names(&["del-washington"]), &net(), Distribution::Broadcast);
        assert_eq!(r, names(&["at-mfa", "cy-mfa", "de-mfa", "del-washington", "hq"]));
    }

    #[test]
    fn the_sender_never_receives_its_own_cable() {
        let r = recipients("cy-mfa", &names(&["cy-mfa", "hq"]), &net(), Distribution::Broadcast);
        assert_eq!(r, names(&["at-mfa", "de-mfa", "hq"]));
        let r = recipients("hq", &names(&["hq"]), &net(), Distribution::NeedToKnow);
        assert!(r.is_empty());
    }

    #[test]
    fn distribution_names_parse() {
        assert_eq!("broadcast".parse(), Ok(Distribution::Broadcast));
        assert_eq!("need-to-know".parse(), Ok(Distribution::NeedToKnow));
        assert!("everyone".parse::<Distribution>().is_err());
    }
}
