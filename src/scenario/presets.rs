//! The named crypto configurations of `--config NAME` (ARCHITECTURE.md,
//! "Security options").
//!
//! A preset sets only the crypto fields — `transport`, `e2e`, `signatures`,
//! `post_quantum` and, for the end-to-end presets, `key_pinning` — so that the same
//! incident can be replayed under each of them with everything else
//! (distribution, archive, retention) as the scenario has it.

use std::fmt;
use std::str::FromStr;

use crate::model::{E2eMode, PostQuantum, SecurityConfig, Transport};

/// A named crypto configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// No protection at all: anyone on a link reads every cable.
    Plaintext,
    /// Mutual TLS on every link, nothing end to end: the hub sees plaintext.
    HopTls,
    /// mTLS plus one symmetric key shared by every node, signed and pinned.
    E2eGroup,
    /// mTLS plus a long-term X25519 key per node, signed and pinned.
    E2eStatic,
    /// mTLS plus per-epoch X25519 prekeys, signed and pinned.
    E2eFs,
    /// As `e2e-fs`, with hybrid X25519 + ML-KEM-768 key agreement on every
    /// link and for every end-to-end key.
    E2ePq,
}

impl Preset {
    /// Every preset, weakest first.
    pub const ALL: [Preset; 6] = [
        Preset::Plaintext,
        Preset::HopTls,
        Preset::E2eGroup,
        Preset::E2eStatic,
        Preset::E2eFs,
        Preset::E2ePq,
    ];

    /// The name used with `--config`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Plaintext => "plaintext",
            Preset::HopTls => "hop-tls",
            Preset::E2eGroup => "e2e-group",
            Preset::E2eStatic => "e2e-static",
            Preset::E2eFs => "e2e-fs",
            Preset::E2ePq => "e2e-pq",
        }
    }

    /// One line on what the preset protects and what it leaves open.
    pub fn description(self) -> &'static str {
        match self {
            Preset::Plaintext => "no TLS, no end-to-end encryption, no signatures: a tap on any link reads everything",
            Preset::HopTls => "mutual TLS on every link, nothing end to end: the hub and its archive hold plaintext",
            Preset::E2eGroup => {
                "mTLS + one group key shared by all nodes + signatures + pinning: one stolen key opens all"
            }
            Preset::E2eStatic => {
                "mTLS + a long-term key per node + signatures + pinning: a stolen key opens its node's past and future"
            }
            Preset::E2eFs => "mTLS + per-epoch prekeys + signatures + pinning: a stolen key opens only its own epoch",
            Preset::E2ePq => {
                "e2e-fs with hybrid X25519 + ML-KEM-768 on links and keys: recordings stay closed to a quantum computer"
            }
        }
    }

    /// Sets the crypto fields of `security` and nothing else.
    ///
    /// `plaintext` and `hop-tls` leave `key_pinning` alone: with no
    /// end-to-end keys there is nothing for it to pin.
    pub fn apply(self, security: &mut SecurityConfig) {
        let (transport, e2e) = match self {
            Preset::Plaintext => (Transport::Plain, E2eMode::Off),
            Preset::HopTls => (Transport::Mtls, E2eMode::Off),
            Preset::E2eGroup => (Transport::Mtls, E2eMode::Group),
            Preset::E2eStatic => (Transport::Mtls, E2eMode::Static),
            Preset::E2eFs | Preset::E2ePq => (Transport::Mtls, E2eMode::ForwardSecret),
        };
        security.transport = transport;
        security.e2e = e2e;
        security.signatures = e2e != E2eMode::Off;
        security.post_quantum = if self == Preset::E2ePq {
            PostQuantum::Both
        } else {
            PostQuantum::Off
        };
        if e2e != E2eMode::Off {
            security.key_pinning = true;
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The text was not a preset name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown preset {0:?} (expected plaintext, hop-tls, e2e-group, e2e-static, e2e-fs or e2e-pq)")]
pub struct UnknownPreset(pub String);

impl FromStr for Preset {
    type Err = UnknownPreset;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|preset| preset.name() == s)
            .ok_or_else(|| UnknownPreset(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for preset in Preset::ALL {
            assert_eq!(preset.name().parse(), Ok(preset));
            assert_eq!(preset.to_string(), preset.name());
            assert!(!preset.description().is_empty());
        }
    }

    #[test]
    fn fail_unknown_name_lists_every_preset() {
        let err = "tls".parse::<Preset>().unwrap_err().to_string();
        for preset in Preset::ALL {
            assert!(err.contains(preset.name()), "{err}");
        }
    }
}
