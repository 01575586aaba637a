//! # cablesim
//!
//! A small diplomatic cable network — a hub, foreign ministries, missions —
//! that encrypts end to end, can be attacked by pluggable adversaries, and
//! proves with evidence what leaked under each configuration.
//!
//! ## The model in one page
//!
//! * **Nodes** ([`model::Node`]) have a role: the one `hub` relay, `hq`,
//!   `ministry` or `mission`. Every node but the hub talks only to the hub.
//! * **Cables** ([`model::Cable`]) have an id, a day, a sender, addressees,
//!   a [`model::Classification`], a subject and a body. Every body carries a
//!   unique random *canary* ([`model::Canaries`]): a leak is counted only
//!   when an adversary's loot contains it.
//! * **Recipients** R(c) ([`model::recipients`]) are the addressees under
//!   `need-to-know`, plus every ministry and hq under `broadcast` — the
//!   COREU design that let one phished ministry read everyone's cables.
//! * **Time** is whole simulated days; key epochs (`epoch_days`) and
//!   retention windows are counted in days ([`model::Day`]).
//! * **End-to-end modes** ([`model::E2eMode`]): `off`; `group` (one shared
//!   key); `static` (a long-term X25519 key per node); `forward-secret`
//!   (per-epoch prekeys, deleted when the epoch ends). The [`crypto`]
//!   module seals a cable once and wraps its secret for each key of each
//!   recipient; the sender's Ed25519 signature rides inside the ciphertext.
//! * **The directory** ([`crypto::Directory`]) lists each node's public
//!   keys. With key pinning, a sender checks every key against the owner's
//!   CA-certified identity, so a hub cannot slip in a "ghost" key.
//! * **Frames** ([`wire::Frame`]) carry all of this over a link, length
//!   prefixed and size limited, decodable from partial input by the hub, a
//!   node or a tap alike.
//!
//! ```
//! use cablesim::model::{recipients, Distribution, Network};
//!
//! let network = Network::generated(28, 3, true);
//! let to = vec!["del-washington".to_string()];
//! // Broadcast: the addressee, every ministry but the sender, and hq.
//! let r = recipients("cy-mfa", &to, &network, Distribution::Broadcast);
//! assert_eq!(r.len(), 1 + 27 + 1);
//! ```
//!
//! ## Layout
//!
//! | module | role |
//! |---|---|
//! | [`model`] | nodes, cables, classification, days, R(c), the seeded generator, canaries |
//! | [`crypto`] | keys and epochs, the envelope, the key directory and pinning, replay guard (sans-IO) |
//! | [`wire`] | frames and the length-prefixed codec with limits (sans-IO) |
//! | [`net`] | the run's CA and certificates, TLS 1.3 configs, and the tokio side: links, hub, nodes |
//! | [`scenario`] | scenario files, presets and `--set`, the built-in catalog |
//!
//! Imports go downward: `model` ← `crypto` ← `wire`. None of these modules
//! performs I/O or reads a clock: days are passed in explicitly.
#![forbid(unsafe_code)]

pub mod adversary;
pub mod crypto;
pub mod model;
pub mod net;
pub mod report;
pub mod scenario;
pub mod wire;
