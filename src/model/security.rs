//! The `[security]` settings (ARCHITECTURE.md, "Security options"), as plain
//! data.
//!
//! Parsing them from a scenario file and the named presets live in
//! `scenario`; everything below `scenario` only reads them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Classification, Distribution};

/// How each link between a node and the hub is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// Bytes in the clear: a tap reads every frame.
    Plain,
    /// TLS 1.3, the hub authenticated by certificate, nodes anonymous.
    Tls,
    /// TLS 1.3 with client certificates: the hub knows who is connecting.
    #[default]
    Mtls,
}

/// End-to-end cable encryption (ARCHITECTURE.md, "Security options").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum E2eMode {
    /// No end-to-end encryption: whoever relays or stores a cable reads it.
    Off,
    /// One symmetric key shared by every node: one stolen copy opens all.
    Group,
    /// A long-term X25519 key per node: a stolen key opens everything ever
    /// sent to that node, including ciphertext recorded years earlier.
    Static,
    /// Per-epoch X25519 prekeys, deleted when the epoch ends: a stolen key
    /// opens only its own epoch.
    #[default]
    ForwardSecret,
}

/// Hybrid post-quantum key agreement (ARCHITECTURE.md, "Security options"):
/// X25519 together with ML-KEM-768, so that a key agreement recorded today
/// stays closed to a quantum computer tomorrow while either half holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PostQuantum {
    /// Classical X25519 everywhere.
    #[default]
    Off,
    /// Every TLS handshake uses only the X25519MLKEM768 group.
    Transport,
    /// Every static and epoch key is a hybrid X25519 + ML-KEM-768 pair.
    E2e,
    /// Both.
    Both,
}

impl PostQuantum {
    /// Whether TLS handshakes use the hybrid group.
    pub fn on_transport(self) -> bool {
        matches!(self, PostQuantum::Transport | PostQuantum::Both)
    }

    /// Whether end-to-end keys and wraps are hybrid.
    pub fn end_to_end(self) -> bool {
        matches!(self, PostQuantum::E2e | PostQuantum::Both)
    }
}

macro_rules! named_enum {
    ($ty:ident, $err:ident, $what:literal, { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $ty {
            /// The name used in scenario files and reports.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        #[doc = concat!("The text was not a known ", $what, ".")]
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error("unknown {} {:?} (expected {})", $what, .0, [$($name),+].join(", "))]
        pub struct $err(pub String);

        impl FromStr for $ty {
            type Err = $err;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok($ty::$variant),)+
                    _ => Err($err(s.to_owned())),
                }
            }
        }
    };
}

named_enum!(Transport, UnknownTransport, "transport", {
    Plain => "plain", Tls => "tls", Mtls => "mtls",
});

named_enum!(E2eMode, UnknownE2eMode, "e2e mode", {
    Off => "off", Group => "group", Static => "static", ForwardSecret => "forward-secret",
});

named_enum!(PostQuantum, UnknownPostQuantum, "post_quantum value", {
    Off => "off", Transport => "transport", E2e => "e2e", Both => "both",
});

/// Every field of `[security]` with its effective value (ARCHITECTURE.md,
/// "Security options").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityConfig {
    /// Link protection.
    pub transport: Transport,
    /// Whether nodes check the hub's certificate chain (per-node overrides
    /// live on [`super::Node::verify_server`]).
    pub verify_server: bool,
    /// End-to-end mode.
    pub e2e: E2eMode,
    /// Prekey lifetime in days for `forward-secret`.
    pub epoch_days: u32,
    /// Whether senders sign every cable with their Ed25519 identity.
    pub signatures: bool,
    /// Whether directory keys are checked against CA-certified identities.
    pub key_pinning: bool,
    /// Who receives a cable besides its addressees.
    pub distribution: Distribution,
    /// Whether the hub keeps a copy of every frame it relays.
    pub archive: bool,
    /// How many days the hub archive keeps a cable (`None` = forever).
    pub archive_days: Option<u32>,
    /// How many days a node keeps inbox and sent items (`None` = forever).
    pub retention_days: Option<u32>,
    /// Cables above this level are not sent on this network.
    pub max_classification: Classification,
    /// Hybrid post-quantum key agreement on the links, end to end, or both.
    pub post_quantum: PostQuantum,
}

impl SecurityConfig {
    /// The names of every field, in one fixed order: the one list
    /// that `--set`, `explain` and their tests check themselves against.
    pub const FIELDS: [&'static str; 12] = [
        "transport",
        "verify_server",
        "e2e",
        "epoch_days",
        "signatures",
        "key_pinning",
        "distribution",
        "archive",
        "archive_days",
        "retention_days",
        "max_classification",
        "post_quantum",
    ];
}

impl Default for SecurityConfig {
    /// The defaults (ARCHITECTURE.md, "Security options"): mTLS, verified
    /// server, forward secrecy, weekly epochs, signatures, pinning,
    /// need-to-know, an archive kept forever, no retention limit, everything up
    /// to `secret` allowed.
    fn default() -> Self {
        SecurityConfig {
            transport: Transport::Mtls,
            verify_server: true,
            e2e: E2eMode::ForwardSecret,
            epoch_days: 7,
            signatures: true,
            key_pinning: true,
            distribution: Distribution::NeedToKnow,
            archive: true,
            archive_days: None,
            retention_days: None,
            max_classification: Classification::Secret,
            post_quantum: PostQuantum::Off,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in [Transport::Plain, Transport::Tls, Transport::Mtls] {
            assert_eq!(t.as_str().parse(), Ok(t));
        }
        for m in [E2eMode::Off, E2eMode::Group, E2eMode::Static, E2eMode::ForwardSecret] {
            assert_eq!(m.as_str().parse(), Ok(m));
        }
    }

    #[test]
    fn fields_lists_every_serialised_field_in_order() {
        let config = SecurityConfig {
            archive_days: Some(1),
            retention_days: Some(1),
            ..SecurityConfig::default()
        };
        let value = serde_json::to_value(config).unwrap();
        let names: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = SecurityConfig::FIELDS.to_vec();
        expected.sort_unstable();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn fail_unknown_mode_lists_the_choices() {
        let err = "pgp".parse::<E2eMode>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown e2e mode \"pgp\" (expected off, group, static, forward-secret)"
        );
    }
}
