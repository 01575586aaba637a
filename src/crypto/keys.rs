//! Key types: Ed25519 identities, X25519 agreement keys, the group key.
//!
//! Every secret type zeroizes on drop and prints as `[redacted]` so that a
//! stray `{:?}` in a log line never leaks key material (STYLE habit 7).

use std::fmt;

use ring::signature::{Ed25519KeyPair, KeyPair};
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::CryptoError;
use super::primitives::{KEY_LEN, SIGNATURE_LEN, ed25519_verify, random_bytes, sha256};

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

/// An X25519 private key: long-term (`static` mode), per epoch
/// (`forward-secret`) or the one-shot ephemeral key of an envelope.
///
/// The public half and its id are computed once, when the key is made or
/// loaded: a recipient needs both for every wrap it opens and an adversary
/// for every envelope it tries, and each would otherwise cost a base-point
/// multiplication (about a third of an X25519).
#[derive(Clone)]
pub struct AgreementSecret {
    secret: StaticSecret,
    public: AgreementPublic,
    key_id: KeyId,
}

impl AgreementSecret {
    /// A fresh random key.
    pub fn generate() -> Self {
        let bytes = random_bytes::<KEY_LEN>();
        Self::from_bytes(*bytes)
    }

    /// The key with these 32 bytes (clamped by X25519 itself).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let secret = StaticSecret::from(bytes);
        let public = AgreementPublic(PublicKey::from(&secret).to_bytes());
        AgreementSecret {
            secret,
            public,
            key_id: public.key_id(),
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
        f.debug_struct("AgreementSecret")
            .field("public", &self.public())
            .field("secret", &"[redacted]")
            .finish()
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
    // these types in tests/crypto_vectors.rs.

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
    fn pkcs8_round_trip_keeps_the_identity() {
        let id = IdentityKey::generate();
        let again = IdentityKey::from_pkcs8(id.pkcs8_der()).unwrap();
        assert_eq!(id.public(), again.public());
        assert_eq!(id.clone().public(), id.public());
    }
}
