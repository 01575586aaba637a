//! Adversaries (ARCHITECTURE.md, "Adversaries") and the analyst that turns
//! what they collect into evidence (ARCHITECTURE.md, "The rules a run must
//! produce").
//!
//! | file | role |
//! |---|---|
//! | `spec`, `spec_text` | what a scenario or `--adversary` asks for |
//! | `position` | the [`Adversary`] trait: position, window, hooks, loot |
//! | `loot` | what adversaries collect; keys shared within an actor |
//! | `tap`, `mitm`, `hub`, `endpoint`, `key_thief`, `insider`, `forger`, `quantum` | the eight kinds, one file each |
//! | `build` | adversaries from specs |
//! | `analyst`, `tls_records` | decoding, decryption with stolen keys, canary search (sans-IO) |
//! | `tls_sessions`, `tls_escrow` | recorded TLS 1.3 sessions: the negotiated group, decryption with escrowed secrets (sans-IO reader) |
//! | `explain` | plain-words descriptions for `cablesim explain` |

mod analyst;
mod build;
mod endpoint;
mod explain;
mod forger;
mod hub;
mod insider;
mod key_thief;
mod loot;
mod mitm;
mod position;
mod quantum;
mod spec;
mod spec_text;
mod tap;
mod tls_escrow;
mod tls_records;
mod tls_sessions;

pub use analyst::{Analyst, CableIndex, Exposure, Found, decode_stream};
pub use build::{BuildContext, BuildError, build_adversaries};
pub use endpoint::Endpoint;
pub use explain::{EXPLAIN_TOPICS, explain, explain_topic};
pub use forger::Forger;
pub use hub::HubCompromise;
pub use insider::Insider;
pub use key_thief::KeyThief;
pub use loot::{
    ActorKeys, Capture, CaptureBytes, CaptureKind, Document, HeldPayload, LinkSide, Loot, QuantumRecovery, StolenKey,
    same_key,
};
pub use mitm::Mitm;
pub use position::{Adversary, Position, Site};
pub use quantum::{KeyEscrow, Quantum};
pub use spec::{AdversaryKind, AdversarySpec, UnknownAdversaryKind, attack_id_problem};
pub use spec_text::{SpecError, SpecProblem, parse_adversary_spec, parse_adversary_specs};
pub use tap::Tap;
pub use tls_escrow::TlsSecretEscrow;
pub use tls_records::{RecordCount, count_records, count_whole_records, looks_like_tls};
pub use tls_sessions::{
    KeyShare, RecordedSession, SessionPlaintext, TlsReadError, TrafficSecrets, decrypt, recorded_sessions,
};
