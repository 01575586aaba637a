//! The key directory the hub serves, and the pinning check that makes it
//! safe to fetch keys from an untrusted hub.
//!
//! The 2018 "ghost" proposal was for the service operator to add an extra,
//! silent recipient to a targeted user's conversations, under a warrant; a
//! hub adversary here generalises it to every entry it serves. A client
//! that takes the directory at its word wraps every message for the ghost
//! too. The
//! defence is pinning: every key must carry a signature by its owner's
//! identity, and that identity must be the one the network CA certified —
//! something the directory's server cannot forge (ARCHITECTURE.md, rule 3).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CryptoError;
use super::keys::{AgreementPublic, AgreementSecret, IdentityKey, IdentityPublic, KemPublic, KeyId};
use crate::model::Epoch;

/// Which period an agreement key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyKind {
    /// A long-term key (`static` mode).
    Static,
    /// A prekey of one epoch (`forward-secret` mode).
    Epoch(Epoch),
}

impl KeyKind {
    /// The epoch, for epoch keys.
    pub fn epoch(self) -> Option<Epoch> {
        match self {
            KeyKind::Static => None,
            KeyKind::Epoch(e) => Some(e),
        }
    }
}

/// One agreement key in a directory entry, with its owner's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedKey {
    /// Static or epoch key.
    pub kind: KeyKind,
    /// The X25519 public key.
    pub public: AgreementPublic,
    /// The ML-KEM-768 public half of a hybrid key; `None` for a classical
    /// key.
    pub kem: Option<KemPublic>,
    /// Ed25519 signature by the owner's identity over
    /// [`key_statement`] (classical) or [`hybrid_key_statement`] (hybrid);
    /// empty or wrong for a key the owner never published.
    pub signature: Vec<u8>,
}

impl PublishedKey {
    /// A classical key signed by `identity` as belonging to `node`.
    pub fn signed(node: &str, kind: KeyKind, public: AgreementPublic, identity: &IdentityKey) -> Self {
        Self::signed_parts(node, kind, public, None, identity)
    }

    /// The public halves of `secret` (classical or hybrid), signed by
    /// `identity` as belonging to `node`.
    pub fn signed_secret(node: &str, kind: KeyKind, secret: &AgreementSecret, identity: &IdentityKey) -> Self {
        Self::signed_parts(node, kind, secret.public(), secret.kem_public().cloned(), identity)
    }

    fn signed_parts(
        node: &str,
        kind: KeyKind,
        public: AgreementPublic,
        kem: Option<KemPublic>,
        identity: &IdentityKey,
    ) -> Self {
        let mut key = PublishedKey {
            kind,
            public,
            kem,
            signature: Vec::new(),
        };
        key.signature = identity.sign(&key.statement(node)).to_vec();
        key
    }

    /// What the owner signs for this key: [`key_statement`] or, for a
    /// hybrid key, [`hybrid_key_statement`].
    pub fn statement(&self, node: &str) -> Vec<u8> {
        match &self.kem {
            None => key_statement(node, self.kind, &self.public),
            Some(kem) => hybrid_key_statement(node, self.kind, &self.public, kem),
        }
    }

    /// The key's id (covering both halves of a hybrid key).
    pub fn key_id(&self) -> KeyId {
        key_id_of(&self.public, self.kem.as_ref())
    }

    /// The key as a sender wraps for it, listed under `node`.
    pub fn recipient(&self, node: &str) -> RecipientKey {
        RecipientKey {
            node: node.to_owned(),
            kind: self.kind,
            public: self.public,
            kem: self.kem.clone(),
        }
    }
}

fn key_id_of(public: &AgreementPublic, kem: Option<&KemPublic>) -> KeyId {
    match kem {
        None => public.key_id(),
        Some(kem) => kem.hybrid_key_id(public),
    }
}

/// How a [`PublishedKey`] is encoded. A classical key is written exactly as
/// before hybrid keys existed (the kind's tag, the epoch, the key, the
/// signature), so classical directories keep their bytes; a hybrid key
/// takes two further tags, so it is never read as a classical one.
#[derive(Serialize, Deserialize)]
#[serde(rename = "PublishedKey")]
enum PublishedKeyRepr {
    Static {
        public: AgreementPublic,
        #[serde(with = "serde_bytes")]
        signature: Vec<u8>,
    },
    Epoch {
        epoch: Epoch,
        public: AgreementPublic,
        #[serde(with = "serde_bytes")]
        signature: Vec<u8>,
    },
    HybridStatic {
        public: AgreementPublic,
        kem: KemPublic,
        #[serde(with = "serde_bytes")]
        signature: Vec<u8>,
    },
    HybridEpoch {
        epoch: Epoch,
        public: AgreementPublic,
        kem: KemPublic,
        #[serde(with = "serde_bytes")]
        signature: Vec<u8>,
    },
}

impl Serialize for PublishedKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (public, signature) = (self.public, self.signature.clone());
        let repr = match (self.kind, self.kem.clone()) {
            (KeyKind::Static, None) => PublishedKeyRepr::Static { public, signature },
            (KeyKind::Epoch(epoch), None) => PublishedKeyRepr::Epoch {
                epoch,
                public,
                signature,
            },
            (KeyKind::Static, Some(kem)) => PublishedKeyRepr::HybridStatic { public, kem, signature },
            (KeyKind::Epoch(epoch), Some(kem)) => PublishedKeyRepr::HybridEpoch {
                epoch,
                public,
                kem,
                signature,
            },
        };
        repr.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PublishedKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (kind, public, kem, signature) = match PublishedKeyRepr::deserialize(deserializer)? {
            PublishedKeyRepr::Static { public, signature } => (KeyKind::Static, public, None, signature),
            PublishedKeyRepr::Epoch {
                epoch,
                public,
                signature,
            } => (KeyKind::Epoch(epoch), public, None, signature),
            PublishedKeyRepr::HybridStatic { public, kem, signature } => {
                (KeyKind::Static, public, Some(kem), signature)
            }
            PublishedKeyRepr::HybridEpoch {
                epoch,
                public,
                kem,
                signature,
            } => (KeyKind::Epoch(epoch), public, Some(kem), signature),
        };
        Ok(PublishedKey {
            kind,
            public,
            kem,
            signature,
        })
    }
}

/// What an owner signs to publish a classical key: the owner's name, the
/// key's kind and epoch, and the key, so a signature for one node, epoch or
/// key cannot be moved to another.
pub fn key_statement(node: &str, kind: KeyKind, public: &AgreementPublic) -> Vec<u8> {
    statement(b"cablesim directory key v1\0", node, kind, &[&public.0])
}

/// What an owner signs to publish a hybrid key: as [`key_statement`], over
/// both public halves and under its own label, so that neither statement
/// verifies as the other (a hybrid key stripped of its ML-KEM half is not
/// a signed classical key, and the reverse), and a substituted ML-KEM half
/// breaks the signature as a substituted X25519 key does.
pub fn hybrid_key_statement(node: &str, kind: KeyKind, public: &AgreementPublic, kem: &KemPublic) -> Vec<u8> {
    statement(
        b"cablesim directory hybrid key v1\0",
        node,
        kind,
        &[&public.0, kem.as_bytes()],
    )
}

fn statement(label: &[u8], node: &str, kind: KeyKind, halves: &[&[u8]]) -> Vec<u8> {
    let mut msg = Vec::with_capacity(label.len() + 9 + node.len() + halves.iter().map(|h| h.len()).sum::<usize>());
    msg.extend_from_slice(label);
    msg.extend_from_slice(&(node.len() as u32).to_be_bytes());
    msg.extend_from_slice(node.as_bytes());
    match kind {
        KeyKind::Static => msg.push(0),
        KeyKind::Epoch(e) => {
            msg.push(1);
            msg.extend_from_slice(&e.to_be_bytes());
        }
    }
    for half in halves {
        msg.extend_from_slice(half);
    }
    msg
}

/// A node's entry in the directory: who it is and which keys to wrap for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryEntry {
    /// The node the entry describes.
    pub node: String,
    /// Its Ed25519 identity as claimed by the entry (pinning compares it
    /// with the certified one).
    pub identity: IdentityPublic,
    /// Its current agreement keys, one per device.
    pub keys: Vec<PublishedKey>,
}

/// The directory as the hub holds it: the latest entry of every node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    entries: BTreeMap<String, DirectoryEntry>,
}

impl Directory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores (or replaces) a node's entry.
    pub fn publish(&mut self, entry: DirectoryEntry) {
        self.entries.insert(entry.node.clone(), entry);
    }

    /// A node's entry.
    pub fn get(&self, node: &str) -> Option<&DirectoryEntry> {
        self.entries.get(node)
    }

    /// A node's entry, mutably: what a hub adversary edits to add a ghost.
    pub fn get_mut(&mut self, node: &str) -> Option<&mut DirectoryEntry> {
        self.entries.get_mut(node)
    }

    /// Every entry, by node name.
    pub fn entries(&self) -> impl Iterator<Item = &DirectoryEntry> {
        self.entries.values()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the directory is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The identities the network CA certified, by node name: the trust anchor
/// of pinning and of signature checks. Filled from the CA-issued
/// certificates, never from the directory itself.
///
/// Every node of a run holds the same table: clones share it (a network
/// of 275 nodes would otherwise hold 275 copies of 275 identities), and a
/// clone that is changed gets a table of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedIdentities {
    by_node: Arc<BTreeMap<String, IdentityPublic>>,
}

impl TrustedIdentities {
    /// No identities.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the certified identity of `node`.
    pub fn insert(&mut self, node: &str, identity: IdentityPublic) {
        Arc::make_mut(&mut self.by_node).insert(node.to_owned(), identity);
    }

    /// The certified identity of `node`.
    pub fn get(&self, node: &str) -> Option<&IdentityPublic> {
        self.by_node.get(node)
    }
}

/// A key that passed the directory check: safe to wrap for (under pinning),
/// or at least what the directory said (without).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientKey {
    /// The recipient the key was listed under.
    pub node: String,
    /// Static or epoch key.
    pub kind: KeyKind,
    /// The X25519 public key.
    pub public: AgreementPublic,
    /// The ML-KEM-768 public half of a hybrid key.
    pub kem: Option<KemPublic>,
}

impl RecipientKey {
    /// The key's id (covering both halves of a hybrid key).
    pub fn key_id(&self) -> KeyId {
        key_id_of(&self.public, self.kem.as_ref())
    }

    /// Whether the key is hybrid (X25519 and ML-KEM-768).
    pub fn is_hybrid(&self) -> bool {
        self.kem.is_some()
    }
}

/// A key the pinning check refused, and why: each one is an alarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedKey {
    /// The node whose entry listed it.
    pub node: String,
    /// The refused key's id.
    pub key_id: KeyId,
    /// Why it was refused.
    pub reason: String,
}

/// The outcome of checking one entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryCheck {
    /// Keys to wrap for.
    pub accepted: Vec<RecipientKey>,
    /// Keys refused by pinning (empty without pinning).
    pub refused: Vec<RefusedKey>,
}

/// Which keys of `entry` a sender should wrap for when writing to `node`,
/// wanting keys of kind `wanted` (a static key, or a prekey of the current
/// epoch).
///
/// With `pinning`, the entry's identity must be the CA-certified identity
/// of `node` (otherwise the whole entry is refused), and every key must be
/// signed by it (otherwise that key is refused and reported, and the rest
/// are still used). Without pinning, every key of the wanted kind is taken
/// as given — which is exactly what lets a ghost key in.
pub fn check_entry(
    node: &str,
    entry: &DirectoryEntry,
    wanted: KeyKind,
    trusted: &TrustedIdentities,
    pinning: bool,
) -> Result<EntryCheck, CryptoError> {
    let refuse_entry = |reason: &str| CryptoError::Directory {
        node: node.to_owned(),
        reason: reason.to_owned(),
    };
    if entry.node != node {
        return Err(refuse_entry(&format!("the entry describes {:?}", entry.node)));
    }
    let mut check = EntryCheck::default();
    if !pinning {
        check.accepted = entry
            .keys
            .iter()
            .filter(|k| k.kind == wanted)
            .map(|k| k.recipient(node))
            .collect();
        return Ok(check);
    }
    let certified = trusted
        .get(node)
        .ok_or_else(|| refuse_entry("no CA-certified identity for this node"))?;
    if &entry.identity != certified {
        return Err(refuse_entry("the entry's identity is not the CA-certified one"));
    }
    for key in &entry.keys {
        let signed = certified.verify(&key.statement(node), &key.signature);
        if !signed {
            check.refused.push(RefusedKey {
                node: node.to_owned(),
                key_id: key.key_id(),
                reason: "key not signed by the owner's certified identity".to_owned(),
            });
        } else if key.kind == wanted {
            check.accepted.push(key.recipient(node));
        }
        // A correctly signed key of another epoch is stale, not an attack:
        // it is skipped without an alarm.
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keyring::NodeKeys;
    use crate::crypto::keys::AgreementSecret;
    use crate::model::E2eMode;

    fn setup() -> (NodeKeys, TrustedIdentities) {
        let keys = NodeKeys::generate("de-mfa", E2eMode::Static, 7, IdentityKey::generate(), None);
        let mut trusted = TrustedIdentities::new();
        trusted.insert("de-mfa", keys.identity().public());
        (keys, trusted)
    }

    fn ghost_entry(keys: &NodeKeys) -> (DirectoryEntry, AgreementPublic) {
        let mut entry = keys.publish();
        let ghost = AgreementSecret::generate().public();
        // The hub signs the ghost with its own identity: a valid signature,
        // but not by the owner.
        let hub_identity = IdentityKey::generate();
        entry
            .keys
            .push(PublishedKey::signed("de-mfa", KeyKind::Static, ghost, &hub_identity));
        (entry, ghost)
    }

    #[test]
    fn genuine_entry_passes_pinning() {
        let (keys, trusted) = setup();
        let check = check_entry("de-mfa", &keys.publish(), KeyKind::Static, &trusted, true).unwrap();
        assert_eq!(check.accepted.len(), 1);
        assert!(check.refused.is_empty());
    }

    #[test]
    fn fail_pinning_refuses_the_ghost_key_and_keeps_the_real_one() {
        let (keys, trusted) = setup();
        let (entry, ghost) = ghost_entry(&keys);
        let check = check_entry("de-mfa", &entry, KeyKind::Static, &trusted, true).unwrap();
        assert_eq!(check.accepted.len(), 1);
        assert_ne!(check.accepted[0].public, ghost);
        assert_eq!(check.refused.len(), 1);
        assert_eq!(check.refused[0].key_id, ghost.key_id());
    }

    #[test]
    fn without_pinning_the_ghost_key_is_accepted() {
        let (keys, trusted) = setup();
        let (entry, ghost) = ghost_entry(&keys);
        let check = check_entry("de-mfa", &entry, KeyKind::Static, &trusted, false).unwrap();
        assert_eq!(check.accepted.len(), 2);
        assert!(check.accepted.iter().any(|k| k.public == ghost));
        assert!(check.refused.is_empty());
    }

    #[test]
    fn fail_pinning_refuses_a_substituted_identity() {
        let (keys, trusted) = setup();
        let impostor = NodeKeys::generate("de-mfa", E2eMode::Static, 7, IdentityKey::generate(), None);
        let err = check_entry("de-mfa", &impostor.publish(), KeyKind::Static, &trusted, true).unwrap_err();
        assert!(matches!(err, CryptoError::Directory { ref reason, .. } if reason.contains("not the CA-certified")));
        // Without pinning the impostor's keys are taken.
        let check = check_entry("de-mfa", &impostor.publish(), KeyKind::Static, &trusted, false).unwrap();
        assert_eq!(check.accepted.len(), 1);
        let _ = keys;
    }

    #[test]
    fn fail_unknown_node_under_pinning() {
        let (keys, _) = setup();
        let err = check_entry(
            "de-mfa",
            &keys.publish(),
            KeyKind::Static,
            &TrustedIdentities::new(),
            true,
        )
        .unwrap_err();
        assert!(matches!(err, CryptoError::Directory { .. }));
    }

    #[test]
    fn fail_entry_for_another_node() {
        let (keys, trusted) = setup();
        let err = check_entry("fr-mfa", &keys.publish(), KeyKind::Static, &trusted, false).unwrap_err();
        assert!(matches!(err, CryptoError::Directory { ref node, .. } if node == "fr-mfa"));
    }

    #[test]
    fn fail_signature_moved_to_another_epoch() {
        let mut keys = NodeKeys::generate("de-mfa", E2eMode::ForwardSecret, 7, IdentityKey::generate(), None);
        keys.enter_epoch(3);
        let mut trusted = TrustedIdentities::new();
        trusted.insert("de-mfa", keys.identity().public());
        let mut entry = keys.publish();
        entry.keys[0].kind = KeyKind::Epoch(4);
        let check = check_entry("de-mfa", &entry, KeyKind::Epoch(4), &trusted, true).unwrap();
        assert!(check.accepted.is_empty());
        assert_eq!(check.refused.len(), 1);
    }

    fn hybrid_setup() -> (NodeKeys, TrustedIdentities) {
        let keys = NodeKeys::with_agreement(
            "de-mfa",
            E2eMode::Static,
            7,
            1,
            crate::crypto::KeyAgreement::Hybrid,
            IdentityKey::generate(),
            None,
        );
        let mut trusted = TrustedIdentities::new();
        trusted.insert("de-mfa", keys.identity().public());
        (keys, trusted)
    }

    #[test]
    fn genuine_hybrid_entry_passes_pinning_with_both_halves() {
        let (keys, trusted) = hybrid_setup();
        let entry = keys.publish();
        let check = check_entry("de-mfa", &entry, KeyKind::Static, &trusted, true).unwrap();
        assert_eq!(check.accepted, vec![entry.keys[0].recipient("de-mfa")]);
        assert!(check.accepted[0].is_hybrid());
        assert!(check.refused.is_empty());
        // The id covers both halves: it is neither half's own.
        assert_ne!(check.accepted[0].key_id(), entry.keys[0].public.key_id());
    }

    #[test]
    fn fail_pinning_refuses_a_substituted_ml_kem_half() {
        let (keys, trusted) = hybrid_setup();
        let mut entry = keys.publish();
        let hub_kem = AgreementSecret::generate_hybrid().kem_public().cloned();
        entry.keys[0].kem = hub_kem;
        let check = check_entry("de-mfa", &entry, KeyKind::Static, &trusted, true).unwrap();
        assert!(check.accepted.is_empty());
        assert_eq!(
            check.refused,
            vec![RefusedKey {
                node: "de-mfa".into(),
                key_id: entry.keys[0].key_id(),
                reason: "key not signed by the owner's certified identity".into(),
            }]
        );
        // Without pinning the substituted half is taken, as a ghost is.
        let loose = check_entry("de-mfa", &entry, KeyKind::Static, &trusted, false).unwrap();
        assert_eq!(loose.accepted[0].kem, entry.keys[0].kem);
    }

    #[test]
    fn fail_pinning_refuses_a_substituted_x25519_half_of_a_hybrid_key() {
        let (keys, trusted) = hybrid_setup();
        let mut entry = keys.publish();
        entry.keys[0].public = AgreementSecret::generate().public();
        let check = check_entry("de-mfa", &entry, KeyKind::Static, &trusted, true).unwrap();
        assert!(check.accepted.is_empty());
        assert_eq!(check.refused.len(), 1);
    }

    #[test]
    fn fail_statements_do_not_cross_between_classical_and_hybrid() {
        let (keys, trusted) = hybrid_setup();
        let hybrid = keys.publish().keys[0].clone();
        // A hybrid key stripped of its ML-KEM half: the signature covers
        // the hybrid statement, not a classical one.
        let stripped = PublishedKey {
            kem: None,
            ..hybrid.clone()
        };
        // A classical key signed by the owner, dressed up with an ML-KEM half.
        let classical = PublishedKey::signed("de-mfa", KeyKind::Static, hybrid.public, keys.identity());
        let dressed = PublishedKey {
            kem: hybrid.kem.clone(),
            ..classical.clone()
        };
        for forged in [stripped, dressed] {
            let entry = DirectoryEntry {
                keys: vec![forged],
                ..keys.publish()
            };
            let check = check_entry("de-mfa", &entry, KeyKind::Static, &trusted, true).unwrap();
            assert!(check.accepted.is_empty());
            assert_eq!(check.refused.len(), 1);
        }
        assert_ne!(
            key_statement("de-mfa", KeyKind::Static, &hybrid.public),
            hybrid.statement("de-mfa")
        );
        // The genuine classical one still passes.
        let entry = DirectoryEntry {
            keys: vec![classical],
            ..keys.publish()
        };
        assert_eq!(
            check_entry("de-mfa", &entry, KeyKind::Static, &trusted, true)
                .unwrap()
                .accepted
                .len(),
            1
        );
    }

    #[test]
    fn classical_keys_encode_as_before_and_hybrid_ones_round_trip() {
        let identity = IdentityKey::from_seed(&[1; 32]);
        let public = AgreementSecret::from_bytes([2; 32]).public();
        let key = PublishedKey::signed("a", KeyKind::Epoch(300), public, &identity);
        let bytes = postcard::to_stdvec(&key).unwrap();
        // kind tag 1, epoch 300 as a varint, the 32-byte key, then the
        // 64-byte signature with its length: the layout of a plain struct.
        let mut expected = vec![1, 0xac, 0x02];
        expected.extend_from_slice(&public.0);
        expected.push(64);
        expected.extend_from_slice(&key.signature);
        assert_eq!(bytes, expected);
        assert_eq!(postcard::from_bytes::<PublishedKey>(&bytes).unwrap(), key);

        let secret = AgreementSecret::hybrid_from_bytes([2; 32], &[3; 64]);
        for kind in [KeyKind::Static, KeyKind::Epoch(300)] {
            let key = PublishedKey::signed_secret("a", kind, &secret, &identity);
            let bytes = postcard::to_stdvec(&key).unwrap();
            assert_eq!(bytes[0], if kind == KeyKind::Static { 2 } else { 3 });
            assert_eq!(postcard::from_bytes::<PublishedKey>(&bytes).unwrap(), key);
            let json = serde_json::to_string(&key).unwrap();
            assert_eq!(serde_json::from_str::<PublishedKey>(&json).unwrap(), key);
        }
        // An ML-KEM half one byte short does not decode.
        let key = PublishedKey::signed_secret("a", KeyKind::Static, &secret, &identity);
        let mut bytes = postcard::to_stdvec(&key).unwrap();
        let kem_len_at = 1 + 32;
        assert_eq!(bytes[kem_len_at..kem_len_at + 2], [0xa0, 0x09]); // 1184
        bytes[kem_len_at] = 0x9f;
        bytes.remove(kem_len_at + 2);
        assert!(postcard::from_bytes::<PublishedKey>(&bytes).is_err());
    }

    #[test]
    fn stale_epoch_keys_are_skipped_quietly() {
        let mut keys = NodeKeys::generate("de-mfa", E2eMode::ForwardSecret, 7, IdentityKey::generate(), None);
        keys.enter_epoch(3);
        let mut trusted = TrustedIdentities::new();
        trusted.insert("de-mfa", keys.identity().public());
        let check = check_entry("de-mfa", &keys.publish(), KeyKind::Epoch(4), &trusted, true).unwrap();
        assert_eq!(check, EntryCheck::default());
    }
}
