//! One piece of secret key material as an adversary copies it, and the
//! form it is written down in (an adversary's loot file), wiped when
//! dropped and redacted when printed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

use crate::crypto::keys::{AgreementSecret, GroupKey, IdentityKey, KemPublic, KeyId};
use crate::crypto::primitives::{KEY_LEN, ML_KEM_SEED_LEN};
use crate::model::Epoch;

/// One piece of secret key material, named by its owner. This is what a
/// node opens envelopes with, and exactly what an endpoint implant or a
/// key thief copies (ARCHITECTURE.md, "Keys an actor holds").
#[derive(Clone)]
#[non_exhaustive]
pub enum KeyMaterial {
    /// The network-wide `group` key: opens every envelope of the network.
    Group(GroupKey),
    /// A long-term agreement key of `owner` (`static` mode): X25519, or
    /// hybrid (X25519 and ML-KEM-768).
    Static {
        /// Node whose directory entry lists the public half.
        owner: String,
        /// The private key.
        secret: AgreementSecret,
    },
    /// An epoch prekey of `owner` (`forward-secret` mode), classical or
    /// hybrid.
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
    /// "epoch 5 key of de-mfa", "X25519 half of static key of de-mfa").
    pub fn describe(&self) -> String {
        let half = match self {
            KeyMaterial::Static { secret, .. } | KeyMaterial::Epoch { secret, .. } if secret.is_x25519_half() => {
                "X25519 half of "
            }
            _ => "",
        };
        match self {
            KeyMaterial::Group(_) => "group key".to_owned(),
            KeyMaterial::Static { owner, .. } => format!("{half}static key of {owner}"),
            KeyMaterial::Epoch { owner, epoch, .. } => format!("{half}epoch {epoch} key of {owner}"),
            KeyMaterial::Identity { owner, .. } => format!("identity key of {owner}"),
        }
    }

    /// Whether this is a hybrid agreement key (whole, or its X25519 half).
    pub fn is_hybrid(&self) -> bool {
        match self {
            KeyMaterial::Static { secret, .. } | KeyMaterial::Epoch { secret, .. } => secret.is_hybrid(),
            KeyMaterial::Group(_) | KeyMaterial::Identity { .. } => false,
        }
    }

    /// The X25519 half of an agreement key: what an adversary able to break
    /// X25519 but not ML-KEM-768 recovers of it. For a classical key that
    /// is the whole key, and it opens exactly what the key opens; for a
    /// hybrid key it finds its wraps but opens none (the ML-KEM shared
    /// secret stays unknown, so the AEAD refuses). `None` for the group
    /// key and identities, which hold no X25519 agreement key.
    pub fn x25519_half(&self) -> Option<KeyMaterial> {
        match self {
            KeyMaterial::Static { owner, secret } => Some(KeyMaterial::Static {
                owner: owner.clone(),
                secret: secret.x25519_half(),
            }),
            KeyMaterial::Epoch { owner, epoch, secret } => Some(KeyMaterial::Epoch {
                owner: owner.clone(),
                epoch: *epoch,
                secret: secret.x25519_half(),
            }),
            KeyMaterial::Group(_) | KeyMaterial::Identity { .. } => None,
        }
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyMaterial({}, [redacted])", self.describe())
    }
}

/// How [`KeyMaterial`] is written down (an adversary's loot file): secrets
/// as their raw 32 bytes, an identity as its PKCS#8 DER, the ML-KEM half of
/// a hybrid key as its 64-byte seed (or, for an X25519 half, its public
/// key). Classical keys keep the variants and bytes they had before hybrid
/// keys existed; hybrid ones come after. The copy made for writing or
/// reading is wiped when dropped.
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
    HybridStatic {
        owner: String,
        secret: [u8; KEY_LEN],
        kem: KemRepr,
    },
    HybridEpoch {
        owner: String,
        epoch: Epoch,
        secret: [u8; KEY_LEN],
        kem: KemRepr,
    },
}

/// The ML-KEM half of a hybrid key as written down.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum KemRepr {
    /// The whole key: its 64-byte seed (secret).
    Seed(Vec<u8>),
    /// An X25519 half: the ML-KEM public key only.
    PublicOnly(KemPublic),
}

impl KemRepr {
    fn of(secret: &AgreementSecret) -> Option<KemRepr> {
        match (secret.kem_seed(), secret.kem_public()) {
            (Some(seed), _) => Some(KemRepr::Seed(seed.to_vec())),
            (None, Some(public)) => Some(KemRepr::PublicOnly(public.clone())),
            (None, None) => None,
        }
    }

    fn secret<E: serde::de::Error>(&self, x25519: [u8; KEY_LEN]) -> Result<AgreementSecret, E> {
        Ok(match self {
            KemRepr::Seed(seed) => {
                let seed: &[u8; ML_KEM_SEED_LEN] = seed
                    .as_slice()
                    .try_into()
                    .map_err(|_| E::custom("an ML-KEM-768 seed is 64 bytes"))?;
                AgreementSecret::hybrid_from_bytes(x25519, seed)
            }
            KemRepr::PublicOnly(public) => AgreementSecret::x25519_half_from_bytes(x25519, public.clone()),
        })
    }
}

impl Drop for KeyMaterialRepr {
    fn drop(&mut self) {
        match self {
            KeyMaterialRepr::Group { secret }
            | KeyMaterialRepr::Static { secret, .. }
            | KeyMaterialRepr::Epoch { secret, .. } => secret.zeroize(),
            KeyMaterialRepr::HybridStatic { secret, kem, .. } | KeyMaterialRepr::HybridEpoch { secret, kem, .. } => {
                secret.zeroize();
                if let KemRepr::Seed(seed) = kem {
                    seed.zeroize();
                }
            }
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
            KeyMaterial::Static { owner, secret } => match KemRepr::of(secret) {
                None => KeyMaterialRepr::Static {
                    owner: owner.clone(),
                    secret: *secret.to_bytes(),
                },
                Some(kem) => KeyMaterialRepr::HybridStatic {
                    owner: owner.clone(),
                    secret: *secret.to_bytes(),
                    kem,
                },
            },
            KeyMaterial::Epoch { owner, epoch, secret } => match KemRepr::of(secret) {
                None => KeyMaterialRepr::Epoch {
                    owner: owner.clone(),
                    epoch: *epoch,
                    secret: *secret.to_bytes(),
                },
                Some(kem) => KeyMaterialRepr::HybridEpoch {
                    owner: owner.clone(),
                    epoch: *epoch,
                    secret: *secret.to_bytes(),
                    kem,
                },
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
            KeyMaterialRepr::HybridStatic { owner, secret, kem } => KeyMaterial::Static {
                owner: owner.clone(),
                secret: kem.secret(*secret)?,
            },
            KeyMaterialRepr::HybridEpoch {
                owner,
                epoch,
                secret,
                kem,
            } => KeyMaterial::Epoch {
                owner: owner.clone(),
                epoch: *epoch,
                secret: kem.secret(*secret)?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::NodeKeys;
    use crate::model::E2eMode;

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
    fn hybrid_key_material_and_x25519_halves_round_trip_and_stay_redacted() {
        let mut keys = NodeKeys::with_agreement(
            "a",
            E2eMode::ForwardSecret,
            7,
            2,
            crate::crypto::KeyAgreement::Hybrid,
            IdentityKey::generate(),
            None,
        );
        keys.enter_epoch(2);
        let mut all = keys.copy_secrets();
        let halves: Vec<KeyMaterial> = all.iter().filter_map(KeyMaterial::x25519_half).collect();
        assert_eq!(halves.len(), 2);
        assert!(halves.iter().all(|h| h.describe() == "X25519 half of epoch 2 key of a"));
        all.extend(halves);
        // Postcard is the loot file's format, JSON the one people read.
        let bytes = postcard::to_stdvec(&all).unwrap();
        let from_postcard: Vec<KeyMaterial> = postcard::from_bytes(&bytes).unwrap();
        let json = serde_json::to_string(&all).unwrap();
        let from_json: Vec<KeyMaterial> = serde_json::from_str(&json).unwrap();
        for back in [from_postcard, from_json] {
            assert_eq!(back.len(), 5);
            for (a, b) in all.iter().zip(&back) {
                assert_eq!(a.describe(), b.describe());
                assert_eq!(a.key_id(), b.key_id());
                assert_eq!(a.is_hybrid(), b.is_hybrid());
                assert!(format!("{b:?}").contains("redacted"));
                if let (KeyMaterial::Epoch { secret: sa, .. }, KeyMaterial::Epoch { secret: sb, .. }) = (a, b) {
                    assert_eq!(sa.kem_seed(), sb.kem_seed());
                    assert_eq!(sa.kem_public(), sb.kem_public());
                }
            }
        }
        // A classical key's half is the key itself; the group key and
        // identities have none.
        let classical = NodeKeys::generate("b", E2eMode::Static, 7, IdentityKey::generate(), None).copy_secrets();
        let half = classical[1].x25519_half().unwrap();
        assert_eq!(half.describe(), classical[1].describe());
        assert_eq!(half.key_id(), classical[1].key_id());
        assert!(classical[0].x25519_half().is_none());
        assert!(KeyMaterial::Group(GroupKey::generate()).x25519_half().is_none());
        let bad = r#"{"hybrid-static":{"owner":"a","secret":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"kem":{"seed":[1,2,3]}}}"#;
        assert!(
            serde_json::from_str::<KeyMaterial>(bad).is_err(),
            "fail_short_ml_kem_seed"
        );
    }
}
