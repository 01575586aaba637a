//! Thin wrappers over ring and x25519-dalek: the only place that names a
//! primitive. Everything else in `crypto` calls these, so the known-answer
//! tests below and in `tests/it/crypto_vectors.rs` (Project Wycheproof, RFC 7748,
//! RFC 8032) exercise exactly the code paths the envelope uses.

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hkdf, signature};
use zeroize::Zeroizing;

use super::CryptoError;

/// Length of every symmetric key, X25519 key and hash in the envelope.
pub const KEY_LEN: usize = 32;
/// Poly1305 tag length.
pub const TAG_LEN: usize = 16;
/// Ed25519 signature length.
pub const SIGNATURE_LEN: usize = 64;

/// The AEAD the envelope uses. ChaCha20-Poly1305 is constant-time in
/// software, so results do not depend on AES-NI being present.
pub const AEAD_NAME: &str = "ChaCha20-Poly1305 (ring)";
/// The X25519 implementation.
pub const X25519_NAME: &str = "X25519 (x25519-dalek)";
/// The signature implementation.
pub const SIGNATURE_NAME: &str = "Ed25519 (ring)";

/// `N` bytes from the operating system's CSPRNG.
///
/// A failing system RNG leaves no safe way to continue (every key would be
/// predictable), so this aborts the operation by panicking instead of
/// returning an error that a caller might ignore.
pub fn random_bytes<const N: usize>() -> Zeroizing<[u8; N]> {
    let mut out = Zeroizing::new([0u8; N]);
    #[allow(clippy::expect_used)]
    SystemRandom::new()
        .fill(out.as_mut())
        .expect("the operating system's random number generator failed");
    out
}

/// SHA-256 of the concatenation of `parts`.
pub fn sha256(parts: &[&[u8]]) -> [u8; KEY_LEN] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(part);
    }
    let mut out = [0u8; KEY_LEN];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// HKDF-SHA256 (RFC 5869) producing `out.len()` bytes; `info` parts are
/// concatenated.
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[&[u8]], out: &mut [u8]) -> Result<(), CryptoError> {
    struct Len(usize);
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
        .extract(ikm)
        .expand(info, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| CryptoError::BadKey("HKDF output too long"))
}

/// A 32-byte key derived by HKDF-SHA256, zeroized on drop.
pub fn derive_key(salt: &[u8], ikm: &[u8], info: &[&[u8]]) -> Zeroizing<[u8; KEY_LEN]> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so this cannot fail.
    hkdf_sha256(salt, ikm, info, key.as_mut()).unwrap_or_else(|e| unreachable!("{e}"));
    key
}

fn aead_key(key: &[u8; KEY_LEN]) -> LessSafeKey {
    // Only fails on a wrong key length, which the array type rules out.
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, key).unwrap_or_else(|_| unreachable!()))
}

/// The nonce of every envelope seal: see [`seal_once`] for why one fixed
/// nonce is sound.
const ONCE_NONCE: [u8; 12] = [0; 12];

/// Seals `plaintext` under `key` with the all-zero nonce.
///
/// The zero nonce is sound only because every caller derives a fresh key
/// per message (from a fresh secret or a fresh ephemeral key): a key is
/// never used twice, so a nonce is never reused under it (the envelope never
/// uses random nonces under a long-lived key: ARCHITECTURE.md, "The envelope").
pub fn seal_once(key: &[u8; KEY_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(plaintext.len() + TAG_LEN);
    buf.extend_from_slice(plaintext);
    seal_once_in_place(key, aad, &mut buf);
    buf
}

/// [`seal_once`] on a buffer that already holds the plaintext.
pub fn seal_once_in_place(key: &[u8; KEY_LEN], aad: &[u8], buf: &mut Vec<u8>) {
    seal_in_place(key, ONCE_NONCE, aad, buf);
}

/// Opens what [`seal_once`] sealed; `what` names the part for the error.
pub fn open_once(key: &[u8; KEY_LEN], aad: &[u8], sealed: &[u8], what: &'static str) -> Result<Vec<u8>, CryptoError> {
    chacha20_poly1305_open(key, ONCE_NONCE, aad, sealed, what)
}

/// ChaCha20-Poly1305 (RFC 8439) with an explicit nonce: ciphertext with the
/// tag appended. [`seal_once`] is this with the all-zero nonce, so
/// known-answer tests with any nonce check the envelope's own code path.
pub fn chacha20_poly1305_seal(key: &[u8; KEY_LEN], nonce: [u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(plaintext.len() + TAG_LEN);
    buf.extend_from_slice(plaintext);
    seal_in_place(key, nonce, aad, &mut buf);
    buf
}

/// Opens ciphertext-with-tag sealed by [`chacha20_poly1305_seal`] under the
/// same nonce and AAD; [`open_once`] is this with the all-zero nonce. Any
/// altered byte, a truncated tag or the wrong key, nonce or AAD gives
/// [`CryptoError::Aead`] naming `what`.
pub fn chacha20_poly1305_open(
    key: &[u8; KEY_LEN],
    nonce: [u8; 12],
    aad: &[u8],
    sealed: &[u8],
    what: &'static str,
) -> Result<Vec<u8>, CryptoError> {
    let mut buf = sealed.to_vec();
    let len = aead_key(key)
        .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut buf)
        .map_err(|_| CryptoError::Aead(what))?
        .len();
    buf.truncate(len);
    Ok(buf)
}

fn seal_in_place(key: &[u8; KEY_LEN], nonce: [u8; 12], aad: &[u8], buf: &mut Vec<u8>) {
    aead_key(key)
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), buf)
        // ring only refuses inputs longer than ChaCha20's 256 GiB limit.
        .unwrap_or_else(|_| unreachable!("plaintext exceeds the AEAD limit"));
}

/// The X25519 function of RFC 7748 §5: scalar × u-coordinate.
pub fn x25519(scalar: [u8; KEY_LEN], u: [u8; KEY_LEN]) -> [u8; KEY_LEN] {
    x25519_dalek::x25519(scalar, u)
}

/// Verifies an Ed25519 signature (RFC 8032) by a 32-byte public key.
pub fn ed25519_verify(public: &[u8; KEY_LEN], message: &[u8], sig: &[u8]) -> bool {
    signature::UnparsedPublicKey::new(&signature::ED25519, public)
        .verify(message, sig)
        .is_ok()
}

/// FIPS 203 §8, ML-KEM-768: an encapsulation key is 1,184 bytes.
pub const ML_KEM_ENCAPSULATION_KEY_LEN: usize = 1184;
/// FIPS 203 §8, ML-KEM-768: a ciphertext is 1,088 bytes.
pub const ML_KEM_CIPHERTEXT_LEN: usize = 1088;
/// A decapsulation key is kept as its 64-byte seed (d ‖ z), the form FIPS
/// 203 recommends storing.
pub const ML_KEM_SEED_LEN: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    fn h32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    // RFC 7748 and Wycheproof vectors for X25519, and Wycheproof for HKDF and
    // ChaCha20-Poly1305, are in tests/it/crypto_vectors.rs.

    // RFC 5869 Appendix A.1.
    #[test]
    fn rfc5869_hkdf_sha256_case_1() {
        let ikm = [0x0b; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        let mut okm = [0u8; 42];
        hkdf_sha256(&salt, &ikm, &[&info[..5], &info[5..]], &mut okm).unwrap();
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    // RFC 8439 §2.8.2.
    #[test]
    fn rfc8439_chacha20_poly1305() {
        let key = h32("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        let nonce: [u8; 12] = hex::decode("070000004041424344454647").unwrap().try_into().unwrap();
        let aad = hex::decode("50515253c0c1c2c3c4c5c6c7").unwrap();
        let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let ct = chacha20_poly1305_seal(&key, nonce, &aad, pt);
        assert_eq!(hex::encode(&ct[pt.len()..]), "1ae10b594f09e26a7e902ecbd0600691");
        assert_eq!(hex::encode(&ct[..16]), "d31a8d34648e60db7b86afbc53ef7ec2");
        assert_eq!(chacha20_poly1305_open(&key, nonce, &aad, &ct, "test").unwrap(), pt);
    }

    #[test]
    fn fail_open_under_another_nonce() {
        let key = [7u8; 32];
        let sealed = chacha20_poly1305_seal(&key, [1; 12], b"aad", b"secret");
        assert_eq!(
            chacha20_poly1305_open(&key, [1; 12], b"aad", &sealed, "test").unwrap(),
            b"secret"
        );
        assert_eq!(
            chacha20_poly1305_open(&key, [2; 12], b"aad", &sealed, "test"),
            Err(CryptoError::Aead("test"))
        );
        // The envelope's nonce is zero, so a seal under any other nonce
        // does not open there.
        assert_eq!(open_once(&key, b"aad", &sealed, "test"), Err(CryptoError::Aead("test")));
    }

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            hex::encode(sha256(&[b"a", b"bc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn fail_open_with_wrong_key_or_aad() {
        let key = [7u8; 32];
        let sealed = seal_once(&key, b"aad", b"secret");
        assert_eq!(open_once(&key, b"aad", &sealed, "test").unwrap(), b"secret");
        assert_eq!(
            open_once(&[8u8; 32], b"aad", &sealed, "test"),
            Err(CryptoError::Aead("test"))
        );
        assert_eq!(open_once(&key, b"aaD", &sealed, "test"), Err(CryptoError::Aead("test")));
        assert_eq!(
            open_once(&key, b"aad", &sealed[..10], "test"),
            Err(CryptoError::Aead("test"))
        );
    }
}
