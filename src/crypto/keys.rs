//! Key types: Ed25519 identities, X25519 agreement keys (classical, or
//! hybrid with an ML-KEM-768 half), the group key.
//!
//! Every secret type zeroizes on drop and prints as `[redacted]` so that a
//! stray `{:?}` in a log line never leaks key material (STYLE habit 7).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::CryptoError;
use super::ml_kem::libcrux::{MlKemPublic, MlKemSecret};
use super::primitives::{
    KEY_LEN, ML_KEM_ENCAPSULATION_KEY_LEN, ML_KEM_SEED_LEN, SIGNATURE_LEN, ed25519_verify, random_bytes, sha256,
};

/// RFC 8410 §7: the fixed DER prefix of a PKCS#8 v1 Ed25519 private key,
/// after which the 32-byte seed follows. Used only to turn a raw seed (RFC
/// 8032 test vectors, imported keys) into the PKCS#8 form ring and rcgen read.
const PKCS8_V1_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// A node's long-term Ed25519 signing identity. Its public half is what the
/// network CA certifies; it signs cables and directory keys.
pub struct IdentityKey {
    // Kept so the key can be exported into a certificate (rcgen) or copied
    // by an adversary that steals it; ring offers no way back from a pair.
    pkcs8: Zeroizing<Vec<u8>>,
    pair: Ed25519KeyPair,
}

impl IdentityKey {
    /// A fresh random identity.
    pub fn generate() -> Self {
        let seed = random_bytes::<KEY_LEN>();
        Self::from_seed(&seed)
    }

    /// The identity whose RFC 8032 private key (seed) is `seed`.
    pub fn from_seed(seed: &[u8; KEY_LEN]) -> Self {
        let mut pkcs8 = Zeroizing::new(Vec::with_capacity(48));
        pkcs8.extend_from_slice(&PKCS8_V1_ED25519_PREFIX);
        pkcs8.extend_from_slice(seed);
        // A 32-byte seed is always a valid Ed25519 private key.
        Self::from_pkcs8(&pkcs8).unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// Loads an identity from a PKCS#8 (v1 or v2) DER document, as rcgen
    /// writes them.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, CryptoError> {
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map_err(|_| CryptoError::BadKey("not a PKCS#8 Ed25519 private key"))?;
        Ok(IdentityKey {
            pkcs8: Zeroizing::new(der.to_vec()),
            pair,
        })
    }

    /// The PKCS#8 DER document (secret!).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public half.
    pub fn public(&self) -> IdentityPublic {
        let mut out = [0u8; KEY_LEN];
        out.copy_from_slice(self.pair.public_key().as_ref());
        IdentityPublic(out)
    }

    /// An Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out.copy_from_slice(self.pair.sign(message).as_ref());
        out
    }
}

impl Clone for IdentityKey {
    fn clone(&self) -> Self {
        // The document parsed once already, so it parses again.
        Self::from_pkcs8(&self.pkcs8).unwrap_or_else(|e| unreachable!("{e}"))
    }
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityKey")
            .field("public", &self.public())
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IdentityPublic(pub [u8; KEY_LEN]);

impl IdentityPublic {
    /// Whether `sig` is a valid signature of `message` by this key.
    pub fn verify(&self, message: &[u8], sig: &[u8]) -> bool {
        ed25519_verify(&self.0, message, sig)
    }
}

impl fmt::Debug for IdentityPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdentityPublic({})", hex::encode(self.0))
    }
}

/// A short name for an agreement public key: the first 8 bytes of its
/// SHA-256. Wraps carry it so a recipient with several keys knows which one
/// to try, instead of trying them all.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeyId(pub [u8; 8]);

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

/// An X25519 public key (static or epoch prekey).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AgreementPublic(pub [u8; KEY_LEN]);

impl AgreementPublic {
    /// Its [`KeyId`].
    pub fn key_id(&self) -> KeyId {
        let digest = sha256(&[b"cablesim key id v1", &self.0]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }
}

impl fmt::Debug for AgreementPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgreementPublic({})", hex::encode(self.0))
    }
}

/// Whether a node's agreement keys are X25519 alone or hybrid (X25519 and
/// ML-KEM-768): `post_quantum = "e2e"` or `"both"` makes them hybrid
/// (ARCHITECTURE.md, "The envelope").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyAgreement {
    /// X25519 only.
    #[default]
    Classical,
    /// X25519 and ML-KEM-768: a wrap opens only with both secrets.
    Hybrid,
}

impl KeyAgreement {
    /// `Hybrid` when `hybrid` holds: the form the configuration gives it
    /// in (`PostQuantum::end_to_end`).
    pub fn hybrid_if(hybrid: bool) -> Self {
        if hybrid {
            KeyAgreement::Hybrid
        } else {
            KeyAgreement::Classical
        }
    }

    /// Whether keys of this kind carry an ML-KEM half.
    pub fn is_hybrid(self) -> bool {
        self == KeyAgreement::Hybrid
    }
}

/// The ML-KEM-768 encapsulation key, the post-quantum public half of a
/// hybrid agreement key. Boxed: at 1,184 bytes it would make every key
/// list it sits in heavy to move. Equal, hashed and encoded by its bytes
/// alone.
#[derive(Clone)]
pub struct KemPublic(
    Box<[u8; ML_KEM_ENCAPSULATION_KEY_LEN]>,
    Arc<OnceLock<Option<MlKemPublic>>>,
);

impl PartialEq for KemPublic {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for KemPublic {}

impl Hash for KemPublic {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl KemPublic {
    /// The key with these bytes; `None` unless exactly 1,184 of them.
    /// Whether they encode a valid key is checked when one first
    /// encapsulates to it (the FIPS 203 modulus check).
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; ML_KEM_ENCAPSULATION_KEY_LEN] = bytes.try_into().ok()?;
        Some(KemPublic(Box::new(array), Arc::default()))
    }

    /// The encoded key.
    pub fn as_bytes(&self) -> &[u8; ML_KEM_ENCAPSULATION_KEY_LEN] {
        &self.0
    }

    /// Encapsulates a fresh shared secret to this key: the ciphertext and
    /// the secret. The key is decoded and checked on the first call and
    /// kept decoded (clones share it), since a sender wraps for the same
    /// recipient key cable after cable.
    pub fn encapsulate(&self) -> Result<(Vec<u8>, Zeroizing<[u8; KEY_LEN]>), CryptoError> {
        let parsed = self.1.get_or_init(|| MlKemPublic::parse(self.0.as_ref()).ok());
        match parsed {
            Some(key) => key.encapsulate(),
            // Parse again for its error: a bad key is refused every time.
            None => MlKemPublic::parse(self.0.as_ref())?.encapsulate(),
        }
    }

    /// The [`KeyId`] of the hybrid key made of `x25519` and this key: it
    /// covers both halves, so a substituted ML-KEM half changes the id.
    pub fn hybrid_key_id(&self, x25519: &AgreementPublic) -> KeyId {
        let digest = sha256(&[b"cablesim hybrid key id v1", &x25519.0, self.0.as_ref()]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }
}

impl fmt::Debug for KemPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 2,368 hex digits would drown any log line: a prefix tells keys apart.
        write!(f, "KemPublic({}…)", hex::encode(&self.0[..8]))
    }
}

// As a byte string: postcard writes its length and the bytes, JSON a list.
impl Serialize for KemPublic {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0.as_ref())
    }
}

impl<'de> Deserialize<'de> for KemPublic {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl<'de> serde::de::Visitor<'de> for Bytes {
            type Value = KemPublic;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a {ML_KEM_ENCAPSULATION_KEY_LEN}-byte ML-KEM-768 encapsulation key")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<KemPublic, E> {
                KemPublic::from_slice(v).ok_or_else(|| E::invalid_length(v.len(), &self))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<KemPublic, A::Error> {
                let mut bytes = Vec::with_capacity(ML_KEM_ENCAPSULATION_KEY_LEN);
                while let Some(b) = seq.next_element::<u8>()? {
                    if bytes.len() == ML_KEM_ENCAPSULATION_KEY_LEN {
                        return Err(serde::de::Error::invalid_length(bytes.len() + 1, &self));
                    }
                    bytes.push(b);
                }
                self.visit_bytes(&bytes)
            }
        }
        deserializer.deserialize_bytes(Bytes)
    }
}

/// An agreement private key: long-term (`static` mode), per epoch
/// (`forward-secret`) or the one-shot ephemeral key of an envelope. An
/// X25519 key, and for hybrid keys also an ML-KEM-768 key.
///
/// The public half and its id are computed once, when the key is made or
/// loaded: a recipient needs both for every wrap it opens and an adversary
/// for every envelope it tries, and each would otherwise cost a base-point
/// multiplication (about a third of an X25519).
///
/// A hybrid key may also be held as its X25519 half alone
/// ([`AgreementSecret::x25519_half`]): what an adversary that can break
/// X25519 but not ML-KEM recovers. It keeps the hybrid key's public halves
/// and id, so it finds its wraps, but not the ML-KEM secret, so it cannot
/// open them.
#[derive(Clone)]
pub struct AgreementSecret {
    secret: StaticSecret,
    public: AgreementPublic,
    key_id: KeyId,
    /// The ML-KEM public half, for hybrid keys.
    kem_public: Option<KemPublic>,
    /// The ML-KEM secret: present for a whole hybrid key, absent for a
    /// classical key or an X25519 half.
    kem_secret: Option<MlKemSecret>,
}

impl AgreementSecret {
    /// A fresh random key.
    pub fn generate() -> Self {
        let bytes = random_bytes::<KEY_LEN>();
        Self::from_bytes(*bytes)
    }

    /// A fresh random hybrid key (X25519 and ML-KEM-768).
    pub fn generate_hybrid() -> Self {
        let bytes = random_bytes::<KEY_LEN>();
        Self::hybrid_from_bytes(*bytes, &random_bytes::<ML_KEM_SEED_LEN>())
    }

    /// A fresh random key of the given kind.
    pub fn generate_for(agreement: KeyAgreement) -> Self {
        match agreement {
            KeyAgreement::Classical => Self::generate(),
            KeyAgreement::Hybrid => Self::generate_hybrid(),
        }
    }

    /// The key with these 32 bytes (clamped by X25519 itself).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let secret = StaticSecret::from(bytes);
        let public = AgreementPublic(PublicKey::from(&secret).to_bytes());
        AgreementSecret {
            secret,
            public,
            key_id: public.key_id(),
            kem_public: None,
            kem_secret: None,
        }
    }

    /// The hybrid key with these X25519 bytes and ML-KEM-768 seed (d ‖ z).
    pub fn hybrid_from_bytes(bytes: [u8; KEY_LEN], kem_seed: &[u8; ML_KEM_SEED_LEN]) -> Self {
        let kem = MlKemSecret::from_seed(kem_seed);
        let mut key = Self::from_bytes(bytes).with_kem_public(KemPublic(Box::new(*kem.public()), Arc::default()));
        key.kem_secret = Some(kem);
        key
    }

    /// The X25519 half of a hybrid key whose ML-KEM public half is
    /// `kem_public`, without its ML-KEM secret (see [`Self::x25519_half`]).
    pub fn x25519_half_from_bytes(bytes: [u8; KEY_LEN], kem_public: KemPublic) -> Self {
        Self::from_bytes(bytes).with_kem_public(kem_public)
    }

    fn with_kem_public(mut self, kem_public: KemPublic) -> Self {
        self.key_id = kem_public.hybrid_key_id(&self.public);
        self.kem_public = Some(kem_public);
        self
    }

    /// This key without its ML-KEM secret: a classical key is returned
    /// whole; a hybrid key keeps its public halves and id, so it finds the
    /// wraps made for it, but opens none of them.
    pub fn x25519_half(&self) -> Self {
        AgreementSecret {
            kem_secret: None,
            ..self.clone()
        }
    }

    /// Whether this is a hybrid key (whole, or its X25519 half).
    pub fn is_hybrid(&self) -> bool {
        self.kem_public.is_some()
    }

    /// Whether this is the X25519 half of a hybrid key, without the
    /// ML-KEM secret.
    pub fn is_x25519_half(&self) -> bool {
        self.kem_public.is_some() && self.kem_secret.is_none()
    }

    /// The ML-KEM-768 public half of a hybrid key.
    pub fn kem_public(&self) -> Option<&KemPublic> {
        self.kem_public.as_ref()
    }

    /// The ML-KEM-768 seed of a whole hybrid key (secret!), for
    /// persistence and for theft.
    pub fn kem_seed(&self) -> Option<&[u8; ML_KEM_SEED_LEN]> {
        self.kem_secret.as_ref().map(MlKemSecret::seed)
    }

    /// The ML-KEM shared secret inside `ciphertext`, for a hybrid key.
    /// Without the ML-KEM secret (an X25519 half) it is what decapsulating
    /// with an unrelated key gives: pseudorandom bytes that open nothing,
    /// so such a holder fails where the real recipient succeeds, in the
    /// AEAD.
    pub(crate) fn decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        match (&self.kem_public, &self.kem_secret) {
            (_, Some(kem)) => kem.decapsulate(ciphertext),
            (Some(_), None) => MlKemSecret::generate().decapsulate(ciphertext),
            (None, None) => Err(CryptoError::MissingKey("a classical key holds no ML-KEM half".into())),
        }
    }

    /// The raw secret bytes (secret!), for persistence and for theft.
    pub fn to_bytes(&self) -> Zeroizing<[u8; KEY_LEN]> {
        Zeroizing::new(self.secret.to_bytes())
    }

    /// The public half.
    pub fn public(&self) -> AgreementPublic {
        self.public
    }

    /// The [`KeyId`] of the public half.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// X25519 with `their` public key. Refuses low-order points: with them
    /// the shared secret is all zeros whatever our key, so anyone could
    /// compute the wrap key.
    pub fn agree(&self, their: &AgreementPublic) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        let shared = self.secret.diffie_hellman(&PublicKey::from(their.0));
        if !shared.was_contributory() {
            return Err(CryptoError::WeakPublicKey);
        }
        Ok(Zeroizing::new(shared.to_bytes()))
    }
}

impl fmt::Debug for AgreementSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("AgreementSecret");
        out.field("public", &self.public());
        if let Some(kem_public) = &self.kem_public {
            out.field("kem_public", kem_public)
                .field("holds_kem_secret", &self.kem_secret.is_some());
        }
        out.field("secret", &"[redacted]").finish()
    }
}

/// The one symmetric key every node shares in `group` mode.
#[derive(Clone)]
pub struct GroupKey(Zeroizing<[u8; KEY_LEN]>);

impl GroupKey {
    /// A fresh random group key.
    pub fn generate() -> Self {
        GroupKey(random_bytes::<KEY_LEN>())
    }

    /// The group key with these bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        GroupKey(Zeroizing::new(bytes))
    }

    /// The raw key (secret!).
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// A public fingerprint, so wraps can say which group key sealed them
    /// without revealing it.
    pub fn key_id(&self) -> KeyId {
        let digest = sha256(&[b"cablesim group key id v1", self.0.as_ref()]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }
}

impl fmt::Debug for GroupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GroupKey({}, [redacted])", self.key_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7748 §6.1 and RFC 8032 §7.1 vectors, and Wycheproof's, run through
    // these types in tests/it/crypto_vectors.rs.

    #[test]
    fn fail_low_order_point() {
        let key = AgreementSecret::generate();
        assert_eq!(
            key.agree(&AgreementPublic([0; 32])).unwrap_err(),
            CryptoError::WeakPublicKey
        );
    }

    #[test]
    fn fail_garbage_pkcs8() {
        assert!(IdentityKey::from_pkcs8(b"not a key").is_err());
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let seed = [0x42u8; 32];
        let id = IdentityKey::from_seed(&seed);
        let agreement = AgreementSecret::from_bytes([0x42; 32]);
        let group = GroupKey::from_bytes([0x42; 32]);
        for text in [format!("{id:?}"), format!("{agreement:?}"), format!("{group:?}")] {
            assert!(text.contains("redacted"), "{text}");
            assert!(!text.contains(&hex::encode(seed)), "{text}");
            assert!(!text.contains("66, 66, 66"), "{text}");
        }
    }

    #[test]
    fn hybrid_debug_output_never_shows_secrets() {
        let seed = [0x42u8; 64];
        let key = AgreementSecret::hybrid_from_bytes([0x42; 32], &seed);
        for text in [format!("{key:?}"), format!("{:?}", key.x25519_half())] {
            assert!(text.contains("redacted"), "{text}");
            assert!(!text.contains(&hex::encode([0x42u8; 32])), "{text}");
            assert!(!text.contains("66, 66, 66"), "{text}");
        }
        assert!(format!("{:?}", key.x25519_half()).contains("holds_kem_secret: false"));
    }

    #[test]
    fn hybrid_key_id_covers_both_halves() {
        let key = AgreementSecret::hybrid_from_bytes([1; 32], &[2; 64]);
        let other_kem = AgreementSecret::hybrid_from_bytes([1; 32], &[3; 64]);
        let other_x25519 = AgreementSecret::hybrid_from_bytes([4; 32], &[2; 64]);
        assert_eq!(key.public(), other_kem.public());
        assert_ne!(key.key_id(), other_kem.key_id());
        assert_ne!(key.key_id(), other_x25519.key_id());
        assert_ne!(key.key_id(), key.public().key_id());
        assert_eq!(key.x25519_half().key_id(), key.key_id());
        assert!(key.x25519_half().kem_seed().is_none());
        assert_eq!(
            AgreementSecret::from_bytes([1; 32]).x25519_half().key_id(),
            key.public().key_id()
        );
        assert!(KemPublic::from_slice(&[0; 1183]).is_none());
    }

    #[test]
    fn kem_public_encapsulates_to_its_owner_again_and_again_and_from_clones() {
        let key = AgreementSecret::generate_hybrid();
        let public = key.kem_public().cloned().unwrap();
        let copy = public.clone();
        for kem in [&public, &public, &copy] {
            let (ciphertext, shared) = kem.encapsulate().unwrap();
            assert_eq!(*key.decapsulate(&ciphertext).unwrap(), *shared);
        }
        // Equality and hashing see the bytes only, decoded or not.
        assert_eq!(public, KemPublic::from_slice(copy.as_bytes()).unwrap());
    }

    #[test]
    fn fail_kem_public_out_of_range_is_refused_on_every_encapsulation() {
        // 0xff.. decodes to coefficients of 4095 ≥ q = 3329: the modulus
        // check refuses it, the first time and (from the kept result) after.
        let bad = KemPublic::from_slice(&[0xff; ML_KEM_ENCAPSULATION_KEY_LEN]).unwrap();
        for _ in 0..2 {
            assert!(matches!(bad.encapsulate(), Err(CryptoError::BadKey(_))));
        }
    }

    #[test]
    fn fail_decapsulating_with_a_classical_key() {
        let err = AgreementSecret::generate().decapsulate(&[0; 1088]).unwrap_err();
        assert!(matches!(err, CryptoError::MissingKey(_)));
    }

    #[test]
    fn pkcs8_round_trip_keeps_the_identity() {
        let id = IdentityKey::generate();
        let again = IdentityKey::from_pkcs8(id.pkcs8_der()).unwrap();
        assert_eq!(id.public(), again.public());
        assert_eq!(id.clone().public(), id.public());
    }
}
