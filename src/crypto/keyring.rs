//! What one node holds: its identity, and the agreement keys of its e2e
//! mode, with forward-secret epochs that are deleted as time moves on.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::CryptoError;
use super::directory::{DirectoryEntry, KeyKind, PublishedKey};
use super::keys::{AgreementPublic, AgreementSecret, GroupKey, IdentityKey, KeyId};
use super::primitives::KEY_LEN;
use crate::model::{E2eMode, Epoch, epoch_of};

/// One piece of secret key material, named by its owner. This is what a
/// node opens envelopes with, and exactly what an endpoint implant or a
/// key thief copies (DESIGN §6: "keys an actor holds").
#[derive(Clone)]
#[non_exhaustive]
pub enum KeyMaterial {
    /// The network-wide `group` key: opens every envelope of the network.
    Group(GroupKey),
    /// A long-term X25519 key of `owner` (`static` mode).
    Static {
        /// Node whose directory entry lists the public half.
        owner: String,
        /// The private key.
        secret: AgreementSecret,
    },
    /// An epoch prekey of `owner` (`forward-secret` mode).
    Epoch {
        /// Node whose directory entry lists the public half.
        owner: String,
        /// The epoch it belongs to.
        epoch: Epoch,
        /// The private key.
        secret: AgreementSecret,
    },
    /// `owner`'s Ed25519 identity: signs cables and keys as the owner, and
    /// is the key of its TLS client certificate.
    Identity {
        /// Whose identity it is.
        owner: String,
        /// The private key.
        key: IdentityKey,
    },
}

impl KeyMaterial {
    /// The node the key belongs to (`*` for the shared group key).
    pub fn owner(&self) -> &str {
        match self {
            KeyMaterial::Group(_) => "*",
            KeyMaterial::Static { owner, .. }
            | KeyMaterial::Epoch { owner, .. }
            | KeyMaterial::Identity { owner, .. } => owner,
        }
    }

    /// The public key id the material answers to, if it opens wraps.
    pub fn key_id(&self) -> Option<KeyId> {
        match self {
            KeyMaterial::Group(key) => Some(key.key_id()),
            KeyMaterial::Static { secret, .. } | KeyMaterial::Epoch { secret, .. } => Some(secret.key_id()),
            KeyMaterial::Identity { .. } => None,
        }
    }

    /// A short human description for evidence ("static key of de-mfa",
    /// "epoch 5 key of de-mfa").
    pub fn describe(&self) -> String {
        match self {
            KeyMaterial::Group(_) => "group key".to_owned(),
            KeyMaterial::Static { owner, .. } => format!("static key of {owner}"),
            KeyMaterial::Epoch { owner, epoch, .. } => format!("epoch {epoch} key of {owner}"),
            KeyMaterial::Identity { owner, .. } => format!("identity key of {owner}"),
        }
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyMaterial({}, [redacted])", self.describe())
    }
}

/// How [`KeyMaterial`] is written down (an adversary's loot file): secrets
/// as their raw 32 bytes, an identity as its PKCS#8 DER. The copy made for
/// writing or reading is wiped when dropped.
#[derive(Serialize, Deserialize)]
#[serde(rename = "KeyMaterial", rename_all = "kebab-case")]
enum KeyMaterialRepr {
    Group {
        secret: [u8; KEY_LEN],
    },
    Static {
        owner: String,
        secret: [u8; KEY_LEN],
    },
    Epoch {
        owner: String,
        epoch: Epoch,
        secret: [u8; KEY_LEN],
    },
    Identity {
        owner: String,
        pkcs8: Vec<u8>,
    },
}

impl Drop for KeyMaterialRepr {
    fn drop(&mut self) {
        match self {
            KeyMaterialRepr::Group { secret }
            | KeyMaterialRepr::Static { secret, .. }
            | KeyMaterialRepr::Epoch { secret, .. } => secret.zeroize(),
            KeyMaterialRepr::Identity { pkcs8, .. } => pkcs8.zeroize(),
        }
    }
}

impl Serialize for KeyMaterial {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let repr = match self {
            KeyMaterial::Group(key) => KeyMaterialRepr::Group {
                secret: *key.as_bytes(),
            },
            KeyMaterial::Static { owner, secret } => KeyMaterialRepr::Static {
                owner: owner.clone(),
                secret: *secret.to_bytes(),
            },
            KeyMaterial::Epoch { owner, epoch, secret } => KeyMaterialRepr::Epoch {
                owner: owner.clone(),
                epoch: *epoch,
                secret: *secret.to_bytes(),
            },
            KeyMaterial::Identity { owner, key } => KeyMaterialRepr::Identity {
                owner: owner.clone(),
                pkcs8: key.pkcs8_der().to_vec(),
            },
        };
        repr.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for KeyMaterial {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = KeyMaterialRepr::deserialize(deserializer)?;
        Ok(match &repr {
            KeyMaterialRepr::Group { secret } => KeyMaterial::Group(GroupKey::from_bytes(*secret)),
            KeyMaterialRepr::Static { owner, secret } => KeyMaterial::Static {
                owner: owner.clone(),
                secret: AgreementSecret::from_bytes(*secret),
            },
            KeyMaterialRepr::Epoch { owner, epoch, secret } => KeyMaterial::Epoch {
                owner: owner.clone(),
                epoch: *epoch,
                secret: AgreementSecret::from_bytes(*secret),
            },
            KeyMaterialRepr::Identity { owner, pkcs8 } => KeyMaterial::Identity {
                owner: owner.clone(),
                key: IdentityKey::from_pkcs8(pkcs8).map_err(serde::de::Error::custom)?,
            },
        })
    }
}

/// Version of the [`NodeKeys::export_secrets`] format; an import refuses
/// any other, rather than guess at keys written by another build.
const SAVED_KEYS_VERSION: u8 = 1;

/// A node's agreement secrets as saved at rest (DESIGN §11): everything
/// [`NodeKeys`] holds except the identity, which lives with the node's
/// certificate. Wiped when dropped, whichever way it was made.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct SavedKeys {
    version: u8,
    name: String,
    #[zeroize(skip)]
    mode: E2eMode,
    epoch_days: u32,
    devices: u32,
    group: Option<[u8; KEY_LEN]>,
    statics: Vec<[u8; KEY_LEN]>,
    epochs: Vec<SavedEpoch>,
}

#[derive(Serialize, Deserialize, Zeroize)]
struct SavedEpoch {
    epoch: Epoch,
    secrets: Vec<[u8; KEY_LEN]>,
}

/// More agreement keys per period than any scenario uses: a bound on what a
/// corrupt or hostile key file can make an import allocate and generate.
const MAX_DEVICES: u32 = 1024;

impl SavedKeys {
    /// Checks that the record describes keys [`NodeKeys`] could have held:
    /// the secrets its mode uses and no others, one per device.
    fn check(&self, name: &str) -> Result<(), CryptoError> {
        if self.version != SAVED_KEYS_VERSION {
            return Err(CryptoError::BadKey("saved keys were written by another version"));
        }
        if self.name != name {
            return Err(CryptoError::BadKey("saved keys belong to another node"));
        }
        if self.epoch_days == 0 || self.devices == 0 || self.devices > MAX_DEVICES {
            return Err(CryptoError::BadKey(
                "saved keys have an impossible epoch length or device count",
            ));
        }
        let devices = self.devices as usize;
        let fits = match self.mode {
            E2eMode::Off => self.group.is_none() && self.statics.is_empty() && self.epochs.is_empty(),
            E2eMode::Group => self.group.is_some() && self.statics.is_empty() && self.epochs.is_empty(),
            E2eMode::Static => self.group.is_none() && self.statics.len() == devices && self.epochs.is_empty(),
            E2eMode::ForwardSecret => {
                self.group.is_none()
                    && self.statics.is_empty()
                    && !self.epochs.is_empty()
                    && self.epochs.iter().all(|e| e.secrets.len() == devices)
                    && self.epochs.windows(2).all(|w| w[0].epoch < w[1].epoch)
            }
        };
        if !fits {
            return Err(CryptoError::BadKey("saved keys do not match their e2e mode"));
        }
        Ok(())
    }
}

/// The keys one node holds at a given moment.
///
/// In `forward-secret` mode only the current epoch's prekeys are held:
/// [`NodeKeys::enter_epoch`] creates the new ones and drops (zeroizing) all
/// older ones, which is what makes a later key theft unable to open
/// recorded traffic of earlier epochs.
///
/// Cloning copies the secrets (each copy zeroizes itself when dropped): it
/// is how a node retries a connection with the same keys.
#[derive(Clone)]
pub struct NodeKeys {
    name: String,
    mode: E2eMode,
    epoch_days: u32,
    devices: usize,
    identity: IdentityKey,
    group: Option<GroupKey>,
    statics: Vec<AgreementSecret>,
    epochs: BTreeMap<Epoch, Vec<AgreementSecret>>,
}

impl NodeKeys {
    /// Fresh keys for `name` in `mode` with one device. `group` is the
    /// network key, needed (and only used) in `group` mode. In
    /// `forward-secret` mode the node starts in epoch 0.
    pub fn generate(
        name: &str,
        mode: E2eMode,
        epoch_days: u32,
        identity: IdentityKey,
        group: Option<GroupKey>,
    ) -> Self {
        Self::with_devices(name, mode, epoch_days, 1, identity, group)
    }

    /// Like [`NodeKeys::generate`] with `devices` agreement keys per
    /// period: a sender wraps the cable secret once for each of them.
    pub fn with_devices(
        name: &str,
        mode: E2eMode,
        epoch_days: u32,
        devices: usize,
        identity: IdentityKey,
        group: Option<GroupKey>,
    ) -> Self {
        let devices = devices.max(1);
        let mut keys = NodeKeys {
            name: name.to_owned(),
            mode,
            epoch_days: epoch_days.max(1),
            devices,
            identity,
            group: if mode == E2eMode::Group { group } else { None },
            statics: Vec::new(),
            epochs: BTreeMap::new(),
        };
        match mode {
            E2eMode::Static => keys.statics = (0..devices).map(|_| AgreementSecret::generate()).collect(),
            E2eMode::ForwardSecret => keys.enter_epoch(0),
            E2eMode::Off | E2eMode::Group => {}
        }
        keys
    }

    /// Moves to `epoch`: creates its prekeys if missing and deletes every
    /// older epoch's. Does nothing outside `forward-secret` mode. Going
    /// backwards never resurrects a deleted key.
    pub fn enter_epoch(&mut self, epoch: Epoch) {
        if self.mode != E2eMode::ForwardSecret {
            return;
        }
        if self.epochs.last_key_value().is_some_and(|(&latest, _)| latest > epoch) {
            return; // time does not run backwards; deleted keys stay deleted
        }
        // split_off keeps epochs ≥ `epoch`; the rest is dropped here and
        // each AgreementSecret zeroizes itself on drop.
        self.epochs = self.epochs.split_off(&epoch);
        let devices = self.devices;
        self.epochs
            .entry(epoch)
            .or_insert_with(|| (0..devices).map(|_| AgreementSecret::generate()).collect());
    }

    /// Enters the epoch of `day`.
    pub fn enter_day(&mut self, day: crate::model::Day) {
        self.enter_epoch(epoch_of(day, self.epoch_days));
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The e2e mode the keys are for.
    pub fn mode(&self) -> E2eMode {
        self.mode
    }

    /// Days per epoch.
    pub fn epoch_days(&self) -> u32 {
        self.epoch_days
    }

    /// The signing identity.
    pub fn identity(&self) -> &IdentityKey {
        &self.identity
    }

    /// The group key, in `group` mode.
    pub fn group(&self) -> Option<&GroupKey> {
        self.group.as_ref()
    }

    /// Epochs whose prekeys are still held, oldest first.
    pub fn held_epochs(&self) -> Vec<Epoch> {
        self.epochs.keys().copied().collect()
    }

    /// The private key answering to `key_id` for a wrap of `epoch` (`None`
    /// for static keys).
    pub(crate) fn agreement_key(&self, key_id: &KeyId, epoch: Option<Epoch>) -> Option<&AgreementSecret> {
        let pool: &[AgreementSecret] = match epoch {
            None => &self.statics,
            Some(e) => self.epochs.get(&e).map_or(&[], Vec::as_slice),
        };
        pool.iter().find(|k| &k.key_id() == key_id)
    }

    /// Whether an epoch's prekeys are held.
    pub(crate) fn holds_epoch(&self, epoch: Epoch) -> bool {
        self.epochs.contains_key(&epoch)
    }

    /// A copy of every secret held right now: what malware on the node or a
    /// key thief walks away with.
    pub fn copy_secrets(&self) -> Vec<KeyMaterial> {
        let mut out = vec![KeyMaterial::Identity {
            owner: self.name.clone(),
            key: self.identity.clone(),
        }];
        if let Some(group) = &self.group {
            out.push(KeyMaterial::Group(group.clone()));
        }
        out.extend(self.statics.iter().map(|secret| KeyMaterial::Static {
            owner: self.name.clone(),
            secret: secret.clone(),
        }));
        for (&epoch, secrets) in &self.epochs {
            out.extend(secrets.iter().map(|secret| KeyMaterial::Epoch {
                owner: self.name.clone(),
                epoch,
                secret: secret.clone(),
            }));
        }
        out
    }

    /// The agreement secrets (static keys, epoch prekeys with their epoch
    /// numbers, the group key) and the settings they were made under, as
    /// bytes to keep at rest so a restarted node opens what was sealed for
    /// it. The identity is not included: it is the key of the node's
    /// certificate and is kept with it. Secret! The buffer is wiped when
    /// dropped.
    pub fn export_secrets(&self) -> Zeroizing<Vec<u8>> {
        let saved = SavedKeys {
            version: SAVED_KEYS_VERSION,
            name: self.name.clone(),
            mode: self.mode,
            epoch_days: self.epoch_days,
            devices: u32::try_from(self.devices).unwrap_or(u32::MAX),
            group: self.group.as_ref().map(|g| *g.as_bytes()),
            statics: self.statics.iter().map(|k| *k.to_bytes()).collect(),
            epochs: self
                .epochs
                .iter()
                .map(|(&epoch, secrets)| SavedEpoch {
                    epoch,
                    secrets: secrets.iter().map(|k| *k.to_bytes()).collect(),
                })
                .collect(),
        };
        // Sized up front: a growing Vec would leave copies of the secrets
        // behind in the allocations it outgrew.
        let size = postcard::experimental::serialized_size(&saved).unwrap_or_else(|e| unreachable!("{e}"));
        let mut out = Zeroizing::new(vec![0u8; size]);
        if let Err(e) = postcard::to_slice(&saved, &mut out) {
            unreachable!("a buffer of the serialized size holds the keys: {e}");
        }
        out
    }

    /// Rebuilds the keys of `name` from [`NodeKeys::export_secrets`] bytes,
    /// with `identity` (the key of the node's certificate) re-attached.
    /// Refuses bytes that do not decode, carry trailing bytes, come from
    /// another format version or another node, or do not fit their mode.
    pub fn import_secrets(name: &str, identity: IdentityKey, bytes: &[u8]) -> Result<NodeKeys, CryptoError> {
        let (saved, rest) = postcard::take_from_bytes::<SavedKeys>(bytes)
            .map_err(|_| CryptoError::BadKey("saved keys do not decode"))?;
        if !rest.is_empty() {
            return Err(CryptoError::BadKey("saved keys are followed by stray bytes"));
        }
        saved.check(name)?;
        Ok(NodeKeys {
            name: saved.name.clone(),
            mode: saved.mode,
            epoch_days: saved.epoch_days,
            devices: saved.devices as usize,
            identity,
            group: saved.group.map(GroupKey::from_bytes),
            statics: saved.statics.iter().map(|b| AgreementSecret::from_bytes(*b)).collect(),
            epochs: saved
                .epochs
                .iter()
                .map(|e| {
                    (
                        e.epoch,
                        e.secrets.iter().map(|b| AgreementSecret::from_bytes(*b)).collect(),
                    )
                })
                .collect(),
        })
    }

    /// The node's directory entry: identity and every public agreement key
    /// currently held, each signed by the identity so that a pinning peer
    /// can tell them from keys slipped in by whoever serves the directory.
    pub fn publish(&self) -> DirectoryEntry {
        let mut keys: Vec<(KeyKind, AgreementPublic)> =
            self.statics.iter().map(|k| (KeyKind::Static, k.public())).collect();
        for (&epoch, secrets) in &self.epochs {
            keys.extend(secrets.iter().map(|k| (KeyKind::Epoch(epoch), k.public())));
        }
        let keys = keys
            .into_iter()
            .map(|(kind, public)| PublishedKey::signed(&self.name, kind, public, &self.identity))
            .collect();
        DirectoryEntry {
            node: self.name.clone(),
            identity: self.identity.public(),
            keys,
        }
    }
}

impl fmt::Debug for NodeKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeKeys")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .field("identity", &self.identity.public())
            .field("static_keys", &self.statics.len())
            .field("epochs", &self.held_epochs())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs_keys() -> NodeKeys {
        NodeKeys::generate("de-mfa", E2eMode::ForwardSecret, 7, IdentityKey::generate(), None)
    }

    #[test]
    fn entering_an_epoch_deletes_older_ones() {
        let mut keys = fs_keys();
        assert_eq!(keys.held_epochs(), vec![0]);
        keys.enter_day(6);
        assert_eq!(keys.held_epochs(), vec![0]);
        keys.enter_day(7);
        assert_eq!(keys.held_epochs(), vec![1]);
        keys.enter_epoch(5);
        assert_eq!(keys.held_epochs(), vec![5]);
        // Going back does not resurrect anything.
        keys.enter_epoch(2);
        assert_eq!(keys.held_epochs(), vec![5]);
    }

    #[test]
    fn rotation_makes_new_keys() {
        let mut keys = fs_keys();
        let before = keys.publish().keys[0].public;
        keys.enter_epoch(1);
        assert_ne!(keys.publish().keys[0].public, before);
    }

    #[test]
    fn copied_secrets_match_the_mode() {
        let group = GroupKey::generate();
        let kinds = |keys: &NodeKeys| {
            keys.copy_secrets()
                .iter()
                .map(KeyMaterial::describe)
                .collect::<Vec<_>>()
        };
        let g = NodeKeys::generate("a", E2eMode::Group, 7, IdentityKey::generate(), Some(group.clone()));
        assert_eq!(kinds(&g), ["identity key of a", "group key"]);
        let s = NodeKeys::with_devices("a", E2eMode::Static, 7, 2, IdentityKey::generate(), Some(group.clone()));
        assert_eq!(kinds(&s), ["identity key of a", "static key of a", "static key of a"]);
        let mut f = NodeKeys::generate("a", E2eMode::ForwardSecret, 7, IdentityKey::generate(), Some(group));
        f.enter_epoch(3);
        assert_eq!(kinds(&f), ["identity key of a", "epoch 3 key of a"]);
        let off = NodeKeys::generate("a", E2eMode::Off, 7, IdentityKey::generate(), None);
        assert_eq!(kinds(&off), ["identity key of a"]);
    }

    fn public_keys(keys: &NodeKeys) -> Vec<AgreementPublic> {
        keys.publish().keys.iter().map(|k| k.public).collect()
    }

    #[test]
    fn exported_secrets_import_to_the_same_keys() {
        let group = GroupKey::generate();
        let mut fs = NodeKeys::with_devices("a", E2eMode::ForwardSecret, 7, 2, IdentityKey::generate(), None);
        fs.enter_epoch(4);
        let cases = [
            fs,
            NodeKeys::with_devices("a", E2eMode::Static, 7, 3, IdentityKey::generate(), None),
            NodeKeys::generate("a", E2eMode::Group, 7, IdentityKey::generate(), Some(group)),
            NodeKeys::generate("a", E2eMode::Off, 7, IdentityKey::generate(), None),
        ];
        for keys in cases {
            let bytes = keys.export_secrets();
            let back = NodeKeys::import_secrets("a", keys.identity().clone(), &bytes).unwrap();
            assert_eq!(back.mode(), keys.mode());
            assert_eq!(back.epoch_days(), keys.epoch_days());
            assert_eq!(back.held_epochs(), keys.held_epochs());
            assert_eq!(public_keys(&back), public_keys(&keys));
            assert_eq!(back.group().map(GroupKey::key_id), keys.group().map(GroupKey::key_id));
            assert_eq!(back.identity().public(), keys.identity().public());
            // The next rotation still makes as many keys per epoch.
            let mut rotated = back.clone();
            rotated.enter_epoch(9);
            assert_eq!(rotated.publish().keys.len(), keys.publish().keys.len());
        }
    }

    #[test]
    fn fail_corrupt_or_foreign_saved_keys() {
        let keys = NodeKeys::with_devices("a", E2eMode::Static, 7, 2, IdentityKey::generate(), None);
        let bytes = keys.export_secrets();
        let import = |bytes: &[u8], name: &str| NodeKeys::import_secrets(name, IdentityKey::generate(), bytes);
        let refused = |r: Result<NodeKeys, CryptoError>| r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused(import(&bytes[..bytes.len() - 5], "a")).contains("do not decode"));
        assert!(refused(import(b"garbage", "a")).contains("saved keys"));
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(refused(import(&longer, "a")).contains("stray bytes"));
        assert!(refused(import(&bytes, "b")).contains("another node"));
        let mut version = bytes.to_vec();
        version[0] = 9;
        assert!(refused(import(&version, "a")).contains("another version"));
        // A static record claiming three devices with two keys.
        let mut devices = bytes.to_vec();
        let at = 1 + 1 + 1 + 1 + 1; // version, name length, "a", mode, epoch_days (7)
        assert_eq!(devices[at], 2);
        devices[at] = 3;
        assert!(refused(import(&devices, "a")).contains("do not match their e2e mode"));
    }

    #[test]
    fn key_material_round_trips_through_json_and_stays_redacted() {
        let group = GroupKey::generate();
        let mut keys = NodeKeys::generate("a", E2eMode::ForwardSecret, 7, IdentityKey::generate(), None);
        keys.enter_epoch(2);
        let mut all = keys.copy_secrets();
        all.push(KeyMaterial::Group(group));
        all.extend(NodeKeys::generate("b", E2eMode::Static, 7, IdentityKey::generate(), None).copy_secrets());
        let json = serde_json::to_string(&all).unwrap();
        let back: Vec<KeyMaterial> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.len(), all.len());
        for (a, b) in all.iter().zip(&back) {
            assert_eq!(a.describe(), b.describe());
            assert_eq!(a.key_id(), b.key_id());
            if let (KeyMaterial::Identity { key: ka, .. }, KeyMaterial::Identity { key: kb, .. }) = (a, b) {
                assert_eq!(ka.public(), kb.public());
            }
            assert!(format!("{b:?}").contains("redacted"));
        }
        let bad = r#"{"identity":{"owner":"a","pkcs8":[1,2,3]}}"#;
        assert!(serde_json::from_str::<KeyMaterial>(bad).is_err(), "fail_bad_identity");
    }

    #[test]
    fn published_entry_lists_every_device() {
        let s = NodeKeys::with_devices("a", E2eMode::Static, 7, 3, IdentityKey::generate(), None);
        let entry = s.publish();
        assert_eq!(entry.keys.len(), 3);
        assert!(entry.keys.iter().all(|k| k.kind == KeyKind::Static));
    }
}
