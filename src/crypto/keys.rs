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

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    // RFC 8032 §7.1, TEST 1-3, through IdentityKey and IdentityPublic.
    #[test]
    fn rfc8032_ed25519_vectors() {
        let cases = [
            (
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
            (
                "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
                "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
                "af82",
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
            ),
        ];
        for (seed, public, msg, sig) in cases {
            let key = IdentityKey::from_seed(&h(seed).try_into().unwrap());
            assert_eq!(key.public().0.to_vec(), h(public));
            let message = h(msg);
            assert_eq!(key.sign(&message).to_vec(), h(sig));
            assert!(key.public().verify(&message, &h(sig)));
            let mut tampered = message.clone();
            tampered.push(0);
            assert!(!key.public().verify(&tampered, &h(sig)), "fail_tampered_message");
        }
    }

    // RFC 7748 §6.1: Alice and Bob, through AgreementSecret.
    #[test]
    fn rfc7748_diffie_hellman() {
        let alice = AgreementSecret::from_bytes(
            h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
                .try_into()
                .unwrap(),
        );
        let bob = AgreementSecret::from_bytes(
            h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
                .try_into()
                .unwrap(),
        );
        assert_eq!(
            alice.public().0.to_vec(),
            h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        );
        assert_eq!(
            bob.public().0.to_vec(),
            h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        );
        let shared = h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        assert_eq!(alice.agree(&bob.public()).unwrap().to_vec(), shared);
        assert_eq!(bob.agree(&alice.public()).unwrap().to_vec(), shared);
    }

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
