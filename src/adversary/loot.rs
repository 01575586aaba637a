//! What adversaries collect: raw bytes, cables in the clear, stolen keys.
//! Loot is only material; what it proves is the analyst's business.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::crypto::{CablePayload, KeyMaterial};
use crate::model::{CableContent, CableHeader};

/// How a byte capture was obtained, which decides how the analyst reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaptureKind {
    /// Bytes as they crossed a wire: frames if the link was plain, TLS
    /// records otherwise. The analyst finds out which.
    Wire,
    /// The plaintext inside a TLS connection the adversary terminated.
    Decrypted,
    /// Stored frames (an archive export): decoded like a plain stream.
    Stored,
}

/// One byte stream an adversary recorded (one direction of a link, or an
/// exported archive), with the day each part was recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Capture {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// Where it came from, for evidence: "tap del-kyiv<->hub".
    pub via: String,
    /// How it was obtained.
    pub kind: CaptureKind,
    /// The bytes, in order.
    pub bytes: Vec<u8>,
}

/// A cable payload an adversary holds as a decoded object (the hub handles
/// frames after TLS, so it never needs to parse bytes).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeldPayload {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// Where it came from: "hub, relayed day 12".
    pub via: String,
    /// The cable, clear or sealed.
    pub payload: CablePayload,
}

/// A cable an adversary read in the clear (an endpoint's inbox, a printer).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// Where it came from: "endpoint cy-mfa inbox, day 10".
    pub via: String,
    /// Its routing header.
    pub header: CableHeader,
    /// Subject and body as read.
    pub content: CableContent,
}

/// A key an adversary holds, and how it got it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StolenKey {
    /// The adversary that obtained it (filled in by [`Loot::tag`]).
    pub by: String,
    /// "key-thief de-mfa, stolen day 40".
    pub via: String,
    /// The key.
    pub key: KeyMaterial,
}

/// Everything one adversary collected.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Loot {
    /// Raw byte streams.
    pub captures: Vec<Capture>,
    /// Decoded payloads.
    pub payloads: Vec<HeldPayload>,
    /// Cables read in the clear.
    pub documents: Vec<Document>,
    /// Keys.
    pub keys: Vec<StolenKey>,
    /// Deliveries of its forged cables that a recipient accepted.
    pub forged_accepted: u64,
}

impl Loot {
    /// Marks every item that does not say who obtained it as obtained by
    /// `adversary`, so that evidence can name the technique used.
    pub fn tag(mut self, adversary: &str) -> Loot {
        let name = || adversary.to_owned();
        for c in &mut self.captures {
            if c.by.is_empty() {
                c.by = name();
            }
        }
        for p in &mut self.payloads {
            if p.by.is_empty() {
                p.by = name();
            }
        }
        for d in &mut self.documents {
            if d.by.is_empty() {
                d.by = name();
            }
        }
        for k in &mut self.keys {
            if k.by.is_empty() {
                k.by = name();
            }
        }
        self
    }

    /// Adds everything of `other`.
    pub fn merge(&mut self, other: Loot) {
        self.captures.extend(other.captures);
        self.payloads.extend(other.payloads);
        self.documents.extend(other.documents);
        self.keys.extend(other.keys);
        self.forged_accepted += other.forged_accepted;
    }
}

/// The keys an actor's adversaries have stolen so far, shared live among
/// them: a MITM can use a client key that a key thief of the same actor
/// copied earlier in the run.
#[derive(Debug, Clone, Default)]
pub struct ActorKeys(Arc<Mutex<Vec<StolenKey>>>);

impl ActorKeys {
    /// No keys yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds stolen keys, skipping ones already held.
    pub fn add(&self, keys: impl IntoIterator<Item = StolenKey>) {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            let duplicate = held.iter().any(|k| same_key(&k.key, &key.key));
            if !duplicate {
                held.push(key);
            }
        }
    }

    /// A copy of every key held now.
    pub fn snapshot(&self) -> Vec<StolenKey> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The identity key of `node`, if stolen.
    pub fn identity_of(&self, node: &str) -> Option<crate::crypto::IdentityKey> {
        self.snapshot().into_iter().find_map(|k| match k.key {
            KeyMaterial::Identity { owner, key } if owner == node => Some(key),
            _ => None,
        })
    }
}

/// Whether two pieces of key material are the same key.
pub fn same_key(a: &KeyMaterial, b: &KeyMaterial) -> bool {
    match (a, b) {
        (KeyMaterial::Identity { owner: oa, key: ka }, KeyMaterial::Identity { owner: ob, key: kb }) => {
            oa == ob && ka.public() == kb.public()
        }
        // Descriptions first: comparing them is cheap, key ids are not.
        _ => a.describe() == b.describe() && a.key_id().is_some() && a.key_id() == b.key_id(),
    }
}
