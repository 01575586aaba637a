//! A node's agreement secrets at rest: the versioned record a
//! multi-process node keeps in its store so that, restarted, it opens what
//! was sealed for the keys it held; and the checks an import makes before
//! trusting a record that may be corrupt or hostile.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::NodeKeys;
use crate::crypto::CryptoError;
use crate::crypto::keys::{AgreementSecret, GroupKey, IdentityKey, KeyAgreement};
use crate::crypto::primitives::{KEY_LEN, ML_KEM_SEED_LEN};
use crate::model::{E2eMode, Epoch};

/// Version of the [`NodeKeys::export_secrets`] format for classical keys;
/// an import refuses any version it does not know, rather than guess at
/// keys written by another build.
const SAVED_KEYS_VERSION: u8 = 1;
/// The same format with hybrid agreement keys: each secret is its X25519
/// bytes and its ML-KEM-768 seed. A version of its own, so that neither
/// kind of record is ever read as the other.
const SAVED_HYBRID_KEYS_VERSION: u8 = 2;

/// A node's agreement secrets as saved at rest (see "Durability" in
/// ARCHITECTURE.md): everything [`NodeKeys`] holds except the identity,
/// which lives with the node's certificate. Wiped when dropped, whichever
/// way it was made. `S` is one agreement secret as saved: its 32 bytes
/// (classical) or [`SavedHybrid`].
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct SavedKeys<S: Zeroize> {
    version: u8,
    name: String,
    #[zeroize(skip)]
    mode: E2eMode,
    epoch_days: u32,
    devices: u32,
    group: Option<[u8; KEY_LEN]>,
    statics: Vec<S>,
    epochs: Vec<SavedEpoch<S>>,
}

#[derive(Serialize, Deserialize, Zeroize)]
struct SavedEpoch<S: Zeroize> {
    epoch: Epoch,
    secrets: Vec<S>,
}

/// A hybrid agreement secret at rest: the X25519 key and the ML-KEM-768
/// seed (d ‖ z, as two halves: serde has no 64-byte arrays).
#[derive(Serialize, Deserialize, Zeroize)]
struct SavedHybrid {
    x25519: [u8; KEY_LEN],
    kem_seed: [[u8; KEY_LEN]; 2],
}

/// One agreement secret in the form a [`SavedKeys`] record keeps it.
trait SavedSecret: Serialize + DeserializeOwned + Zeroize + Sized {
    /// The record version of this form.
    const VERSION: u8;
    /// The kind of keys this form holds.
    const AGREEMENT: KeyAgreement;
    fn save(secret: &AgreementSecret) -> Self;
    fn restore(&self) -> AgreementSecret;
}

impl SavedSecret for [u8; KEY_LEN] {
    const VERSION: u8 = SAVED_KEYS_VERSION;
    const AGREEMENT: KeyAgreement = KeyAgreement::Classical;
    fn save(secret: &AgreementSecret) -> Self {
        *secret.to_bytes()
    }
    fn restore(&self) -> AgreementSecret {
        AgreementSecret::from_bytes(*self)
    }
}

impl SavedSecret for SavedHybrid {
    const VERSION: u8 = SAVED_HYBRID_KEYS_VERSION;
    const AGREEMENT: KeyAgreement = KeyAgreement::Hybrid;
    fn save(secret: &AgreementSecret) -> Self {
        let mut kem_seed = [[0u8; KEY_LEN]; 2];
        // A node holds whole keys only: every hybrid key it has carries
        // its seed (an X25519 half is an adversary's, never saved here).
        if let Some(seed) = secret.kem_seed() {
            kem_seed[0].copy_from_slice(&seed[..KEY_LEN]);
            kem_seed[1].copy_from_slice(&seed[KEY_LEN..]);
        }
        SavedHybrid {
            x25519: *secret.to_bytes(),
            kem_seed,
        }
    }
    fn restore(&self) -> AgreementSecret {
        let mut seed = Zeroizing::new([0u8; ML_KEM_SEED_LEN]);
        seed[..KEY_LEN].copy_from_slice(&self.kem_seed[0]);
        seed[KEY_LEN..].copy_from_slice(&self.kem_seed[1]);
        AgreementSecret::hybrid_from_bytes(self.x25519, &seed)
    }
}

/// More agreement keys per period than any scenario uses: a bound on what a
/// corrupt or hostile key file can make an import allocate and generate.
const MAX_DEVICES: u32 = 1024;

impl<S: SavedSecret> SavedKeys<S> {
    fn of(keys: &NodeKeys) -> Self {
        SavedKeys {
            version: S::VERSION,
            name: keys.name.clone(),
            mode: keys.mode,
            epoch_days: keys.epoch_days,
            devices: u32::try_from(keys.devices).unwrap_or(u32::MAX),
            group: keys.group.as_ref().map(|g| *g.as_bytes()),
            statics: keys.statics.iter().map(S::save).collect(),
            epochs: keys
                .epochs
                .iter()
                .map(|(&epoch, secrets)| SavedEpoch {
                    epoch,
                    secrets: secrets.iter().map(S::save).collect(),
                })
                .collect(),
        }
    }

    fn encode(&self) -> Zeroizing<Vec<u8>> {
        // Sized up front: a growing Vec would leave copies of the secrets
        // behind in the allocations it outgrew.
        let size = postcard::experimental::serialized_size(self).unwrap_or_else(|e| unreachable!("{e}"));
        let mut out = Zeroizing::new(vec![0u8; size]);
        if let Err(e) = postcard::to_slice(self, &mut out) {
            unreachable!("a buffer of the serialized size holds the keys: {e}");
        }
        out
    }

    fn import(name: &str, identity: IdentityKey, bytes: &[u8]) -> Result<NodeKeys, CryptoError> {
        let (saved, rest) =
            postcard::take_from_bytes::<Self>(bytes).map_err(|_| CryptoError::BadKey("saved keys do not decode"))?;
        if !rest.is_empty() {
            return Err(CryptoError::BadKey("saved keys are followed by stray bytes"));
        }
        saved.check(name)?;
        Ok(NodeKeys {
            name: saved.name.clone(),
            mode: saved.mode,
            epoch_days: saved.epoch_days,
            devices: saved.devices as usize,
            agreement: S::AGREEMENT,
            identity,
            group: saved.group.map(GroupKey::from_bytes),
            statics: saved.statics.iter().map(S::restore).collect(),
            epochs: saved
                .epochs
                .iter()
                .map(|e| (e.epoch, e.secrets.iter().map(S::restore).collect()))
                .collect(),
        })
    }

    /// Checks that the record describes keys [`NodeKeys`] could have held:
    /// the secrets its mode uses and no others, one per device.
    fn check(&self, name: &str) -> Result<(), CryptoError> {
        if self.version != S::VERSION {
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

impl NodeKeys {
    /// The agreement secrets (static keys, epoch prekeys with their epoch
    /// numbers, the group key) and the settings they were made under, as
    /// bytes to keep at rest so a restarted node opens what was sealed for
    /// it. The identity is not included: it is the key of the node's
    /// certificate and is kept with it. Secret! The buffer is wiped when
    /// dropped.
    pub fn export_secrets(&self) -> Zeroizing<Vec<u8>> {
        match self.agreement {
            KeyAgreement::Classical => SavedKeys::<[u8; KEY_LEN]>::of(self).encode(),
            KeyAgreement::Hybrid => SavedKeys::<SavedHybrid>::of(self).encode(),
        }
    }

    /// Rebuilds the keys of `name` from [`NodeKeys::export_secrets`] bytes,
    /// with `identity` (the key of the node's certificate) re-attached.
    /// Refuses bytes that do not decode, carry trailing bytes, come from
    /// another format version or another node, or do not fit their mode.
    pub fn import_secrets(name: &str, identity: IdentityKey, bytes: &[u8]) -> Result<NodeKeys, CryptoError> {
        // The version is the record's first byte (postcard writes a u8
        // as itself): it says which form the secrets take.
        match bytes.first() {
            Some(&SAVED_HYBRID_KEYS_VERSION) => SavedKeys::<SavedHybrid>::import(name, identity, bytes),
            _ => SavedKeys::<[u8; KEY_LEN]>::import(name, identity, bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::AgreementPublic;

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

    fn hybrid(mode: E2eMode, devices: usize) -> NodeKeys {
        NodeKeys::with_agreement(
            "a",
            mode,
            7,
            devices,
            KeyAgreement::Hybrid,
            IdentityKey::generate(),
            None,
        )
    }

    #[test]
    fn hybrid_secrets_import_to_the_same_keys_ml_kem_halves_included() {
        let mut fs = hybrid(E2eMode::ForwardSecret, 2);
        fs.enter_epoch(4);
        for keys in [fs, hybrid(E2eMode::Static, 3)] {
            let bytes = keys.export_secrets();
            assert_eq!(bytes[0], SAVED_HYBRID_KEYS_VERSION);
            let back = NodeKeys::import_secrets("a", keys.identity().clone(), &bytes).unwrap();
            assert_eq!(back.agreement(), KeyAgreement::Hybrid);
            assert_eq!(back.held_epochs(), keys.held_epochs());
            // The published entries agree on both halves, signatures and all.
            assert_eq!(back.publish(), keys.publish());
            assert!(back.publish().keys.iter().all(|k| k.kem.is_some()));
            let seeds = |k: &NodeKeys| -> Vec<[u8; ML_KEM_SEED_LEN]> {
                k.copy_secrets()
                    .iter()
                    .filter_map(|m| match m {
                        crate::crypto::KeyMaterial::Static { secret, .. }
                        | crate::crypto::KeyMaterial::Epoch { secret, .. } => secret.kem_seed().copied(),
                        _ => None,
                    })
                    .collect()
            };
            assert_eq!(seeds(&back), seeds(&keys));
            assert_eq!(seeds(&keys).len(), keys.publish().keys.len());
            // A rotation after the restart makes hybrid keys again.
            let mut rotated = back.clone();
            rotated.enter_epoch(9);
            assert!(rotated.publish().keys.iter().all(|k| k.kem.is_some()));
        }
    }

    #[test]
    fn fail_hybrid_record_read_as_classical_or_cut_short() {
        let keys = hybrid(E2eMode::Static, 1);
        let bytes = keys.export_secrets();
        let refused = |bytes: &[u8]| {
            NodeKeys::import_secrets("a", IdentityKey::generate(), bytes)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        // Claiming the classical version, the record does not fit it.
        let mut classical = bytes.to_vec();
        classical[0] = SAVED_KEYS_VERSION;
        assert!(refused(&classical).contains("saved keys"));
        assert!(refused(&bytes[..bytes.len() - 1]).contains("do not decode"));
        // And a classical record claiming the hybrid version.
        let plain = NodeKeys::with_devices("a", E2eMode::Static, 7, 1, IdentityKey::generate(), None);
        let mut claimed = plain.export_secrets().to_vec();
        claimed[0] = SAVED_HYBRID_KEYS_VERSION;
        assert!(refused(&claimed).contains("saved keys"));
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
}
