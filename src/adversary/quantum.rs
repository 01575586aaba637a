//! `quantum`: a cryptographically relevant quantum computer, available to
//! its actor from `from_day` on (harvest now, decrypt later).
//!
//! It sits nowhere in the network and records nothing itself. It works on
//! what its actor's other adversaries recorded — before or after it
//! arrived — and recovers the private key of any classical X25519 public
//! key in that material: the ephemeral and recipient keys of envelopes,
//! and the key shares of TLS sessions that negotiated plain X25519. What
//! it cannot recover is the ML-KEM half of a hybrid key (ARCHITECTURE.md,
//! "The rules a run must produce", rule 10), so whatever a hybrid key
//! agreement protected stays closed.
//!
//! Shor's algorithm is not simulated. The run keeps an escrow instead: a
//! copy of the classical X25519 private keys its nodes hold, taken each
//! day from every node (the keys exist in the run; a quantum computer
//! would compute them from their public halves). The escrow lives in
//! memory for the analyst only and is never written to disk or to a
//! report. Whether a key is classical is not decided here: a hybrid key
//! yields only its X25519 half, and the analyst finds out with the real
//! envelope code that the half does not open the wrap.
//!
//! It reads; it does not forge. Signatures and certificates are Ed25519,
//! which a quantum computer could also break — but forging a signature or
//! a TLS handshake matters only while the session runs, and a recording
//! cannot be talked back into. ATT&CK has no technique for breaking
//! cryptography, so its findings carry the recorder's techniques.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use super::loot::{Loot, QuantumRecovery, StolenKey};
use super::position::identity_from_spec;
use super::tls_escrow::TlsSecretEscrow;
use super::{Adversary, AdversarySpec, Position, Site};
use crate::crypto::{KeyId, KeyMaterial};
use crate::model::Epoch;

/// The classical X25519 private keys of a run's nodes, gathered as the run
/// goes: the stand-in for what a quantum computer computes from public
/// keys. One escrow serves every `quantum` adversary of a run.
#[derive(Default)]
pub struct KeyEscrow {
    state: Mutex<EscrowState>,
    tls: Arc<TlsSecretEscrow>,
}

#[derive(Default)]
struct EscrowState {
    /// Each node's held epochs at the last copy: keys are copied again
    /// only when they change.
    seen_epochs: BTreeMap<String, Vec<Epoch>>,
    /// Every X25519 key copied so far, once, by owner and key id.
    keys: BTreeMap<(String, KeyId), KeyMaterial>,
}

impl KeyEscrow {
    /// An empty escrow.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the agreement keys `node` holds today (`held_epochs` says
    /// which epochs they are for, so unchanged keys are not copied again).
    /// Only X25519 keys are kept: the group key is symmetric and the
    /// identity signs, and neither is an X25519 public key.
    pub fn record(&self, node: &str, held_epochs: Vec<Epoch>, copy: impl FnOnce() -> Vec<KeyMaterial>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.seen_epochs.get(node) == Some(&held_epochs) {
            return;
        }
        state.seen_epochs.insert(node.to_owned(), held_epochs);
        for key in copy() {
            let Some(classical) = key.x25519_half() else {
                continue;
            };
            if let Some(id) = classical.key_id() {
                state
                    .keys
                    .entry((classical.owner().to_owned(), id))
                    .or_insert(classical);
            }
        }
    }

    /// Every key recorded so far, in a fixed order.
    fn keys(&self) -> Vec<KeyMaterial> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.keys.values().cloned().collect()
    }

    /// The escrow of TLS application secrets, which the runner attaches to
    /// every node's TLS configuration when a run has a quantum computer.
    pub fn tls(&self) -> Arc<TlsSecretEscrow> {
        self.tls.clone()
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).keys.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A quantum computer, from `from_day` on.
pub struct Quantum {
    spec: AdversarySpec,
    escrow: Arc<KeyEscrow>,
    /// Days on which the computer existed: none means it never arrived
    /// within the run, and it recovers nothing.
    active_days: Mutex<BTreeSet<crate::model::Day>>,
}

impl Quantum {
    /// A quantum computer drawing on `escrow`.
    pub fn new(spec: AdversarySpec, escrow: Arc<KeyEscrow>) -> Self {
        Quantum {
            spec,
            escrow,
            active_days: Mutex::new(BTreeSet::new()),
        }
    }
}

impl Adversary for Quantum {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Recordings
    }

    /// Called for every node on every day of the run, inside the window or
    /// not: keys made before the computer arrives are the ones it breaks.
    fn on_day(&self, site: &Site<'_>) {
        if self.spec.window.contains(site.day) {
            self.active_days
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(site.day);
        }
        if let Some(node) = site.node {
            node.inspect(|state| {
                self.escrow.record(state.keys.name(), state.keys.held_epochs(), || {
                    state.keys.copy_secrets()
                });
            });
        }
    }

    fn loot(&self) -> Loot {
        let arrived = self
            .active_days
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .first()
            .copied();
        let Some(day) = arrived else {
            return Loot::default();
        };
        let keys = self
            .escrow
            .keys()
            .into_iter()
            .map(|key| StolenKey {
                by: String::new(),
                via: format!("quantum computer from day {day}: X25519 private key from its public key"),
                key,
            })
            .collect();
        Loot {
            quantum: Some(QuantumRecovery {
                by: String::new(),
                keys,
                tls: Some(self.escrow.tls()),
            }),
            ..Loot::default()
        }
    }
}
