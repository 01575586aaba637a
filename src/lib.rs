//! # cablesim
//!
//! A small diplomatic cable network — a hub, foreign ministries, missions —
//! that encrypts end to end, can be attacked by pluggable adversaries, and
//! proves with evidence what leaked under each configuration.
//!
//! ## Map
//!
//! One module per layer, each importing only those listed before it
//! (ARCHITECTURE.md, "The layers"):
//!
//! * [`model`] — the world: nodes, cables, classification, days and epochs, R(c), the seeded generator, canaries.
//! * [`crypto`] — keys and epochs, the envelope, the key directory and pinning, the replay guard.
//! * [`wire`] — frames and the length-prefixed codec with its size limit.
//! * [`net`] — the hub and nodes over TLS 1.3 or plain bytes, links with tap points, hooks, alarms, PKI, stores.
//! * [`adversary`] — the [`adversary::Adversary`] trait, the eight kinds, their loot, the analyst.
//! * [`report`] — the run report and its renderings: text, JSON, Markdown, HTML, pcapng ([`report::pcap`]).
//! * [`scenario`] — scenario files, presets and `--set`, the built-in catalog, the day-by-day runner.
//! * [`multiprocess`] — the hub, nodes and link adversaries as processes over TCP, and the launcher.
//! * [`bench`](mod@bench) — `cablesim bench`: the envelope against age, the network against its crypto limit.
//! * [`cli`] — the command line: one file per command with its flags, shared flags declared once.
//!
//! `model`, `crypto`, `wire` and the analyst perform no I/O and read no
//! clock; tokio appears only where bytes move (`net`, the runner, the
//! processes, the MITM's middlebox, the bench's networks).
//! ARCHITECTURE.md tells the rest: the rules every run must produce, the
//! path of one cable from `cablesim run` to the report, determinism,
//! durability, and where to add an adversary, a preset or a command.
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
//! ## A threat test in a few lines
//!
//! Build a scenario in code (or load a TOML file), run it with one call,
//! and check the report, which is typed data measured from the run:
//!
//! ```
//! use cablesim::scenario::{Preset, Runner, Scenario};
//!
//! let mut scenario = Scenario::from_toml_str(r#"
//!     [scenario]
//!     name = "tapped mission"
//!     seed = 3
//!     days = 10
//!     cables = 12
//!     [network]
//!     ministries = 2
//!     missions = 2
//!     [[adversary]]
//!     kind = "tap"
//!     at = "del-washington"
//! "#, "inline.toml")?;
//! scenario.apply_preset(Preset::E2eFs);
//! let report = Runner::new(scenario).run_blocking()?.report;
//! // Mutual TLS and end-to-end encryption: the tap recovers nothing.
//! assert!(report.actors[0].content.is_empty());
//! assert!(report.actors[0].routing.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `Runner::run` is the async form; `Runner::with_adversary` adds an
//! adversary of your own (see `examples/custom_adversary.rs`).
#![forbid(unsafe_code)]

pub mod adversary;
pub mod bench;
pub mod cli;
pub mod crypto;
pub mod model;
pub mod multiprocess;
pub mod net;
pub mod report;
pub mod scenario;
pub mod web;
pub mod wire;
