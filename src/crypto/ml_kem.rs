//! ML-KEM-768 (FIPS 203), the post-quantum half of hybrid keys, from two
//! independent implementations behind the same two types:
//!
//! - [`libcrux`]: Cryspen's libcrux-ml-kem, formally verified (hax and F*)
//!   and using AVX2 where the processor has it. The envelope uses it: a
//!   hybrid cable runs one encapsulation per recipient key at the sender and
//!   one decapsulation at each recipient, so ML-KEM's speed is the envelope's
//!   (README.md, "Benchmarks").
//! - [`rustcrypto`]: RustCrypto's ml-kem, in pure Rust. The hybrid TLS group
//!   (X25519MLKEM768) uses it: one encapsulation per handshake.
//!
//! Both take a key from its 64-byte seed d ‖ z (FIPS 203 Algorithm 16), so
//! the same seed gives the same key in either; the tests below check that
//! each decapsulates what the other encapsulated, and tests/it/crypto_vectors_mlkem.rs
//! runs the Wycheproof vectors through both.

pub mod libcrux;
pub mod rustcrypto;

/// Which implementation does what, as `cablesim bench` reports it.
pub const ML_KEM_NAMES: &str = "ML-KEM-768: libcrux-ml-kem (envelope), RustCrypto ml-kem (TLS group)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::CryptoError;
    use crate::crypto::primitives::{ML_KEM_CIPHERTEXT_LEN, ML_KEM_ENCAPSULATION_KEY_LEN};

    /// The same checks for both implementations.
    macro_rules! both {
        ($($name:ident => $body:expr;)*) => {
            mod for_libcrux {
                use super::*;
                use super::libcrux::{MlKemPublic, MlKemSecret};
                $( #[test] fn $name() { $body } )*
            }
            mod for_rustcrypto {
                use super::*;
                use super::rustcrypto::{MlKemPublic, MlKemSecret};
                $( #[test] fn $name() { $body } )*
            }
        };
    }

    both! {
        round_trip_and_sizes => {
            let secret = MlKemSecret::generate();
            let (ciphertext, sent) = MlKemPublic::parse(secret.public()).unwrap().encapsulate().unwrap();
            assert_eq!(ciphertext.len(), ML_KEM_CIPHERTEXT_LEN);
            assert_eq!(*secret.decapsulate(&ciphertext).unwrap(), *sent);
            let again = MlKemSecret::from_seed(secret.seed());
            assert_eq!(again.public(), secret.public());
        };
        fail_altered_ciphertext_gives_another_secret => {
            let secret = MlKemSecret::generate();
            let (mut ciphertext, sent) = MlKemPublic::parse(secret.public()).unwrap().encapsulate().unwrap();
            ciphertext[0] ^= 1;
            assert_ne!(*secret.decapsulate(&ciphertext).unwrap(), *sent);
            assert!(matches!(secret.decapsulate(&ciphertext[1..]), Err(CryptoError::BadKey(_))));
        };
        fail_bad_encapsulation_key => {
            assert!(matches!(MlKemPublic::parse(&[0u8; 100]), Err(CryptoError::BadKey(_))));
            // Every coefficient 0xfff is above q = 3329: the modulus check refuses it.
            assert!(matches!(
                MlKemPublic::parse(&[0xff; ML_KEM_ENCAPSULATION_KEY_LEN]),
                Err(CryptoError::BadKey(_))
            ));
        };
    }

    #[test]
    fn one_seed_gives_one_key_and_each_opens_what_the_other_sealed() {
        for seed in [[0u8; 64], [0x5a; 64], core::array::from_fn(|i| i as u8)] {
            let fast = libcrux::MlKemSecret::from_seed(&seed);
            let pure = rustcrypto::MlKemSecret::from_seed(&seed);
            assert_eq!(fast.public(), pure.public());
            let m = [seed[1] ^ 0x33; 32];
            let (c1, k1) = libcrux::MlKemPublic::parse(fast.public())
                .unwrap()
                .encapsulate_with(&m)
                .unwrap();
            let (c2, k2) = rustcrypto::MlKemPublic::parse(pure.public())
                .unwrap()
                .encapsulate_with(&m)
                .unwrap();
            assert_eq!((&c1, &*k1), (&c2, &*k2));
            assert_eq!(*pure.decapsulate(&c1).unwrap(), *k1);
            assert_eq!(*fast.decapsulate(&c2).unwrap(), *k2);
            // Implicit rejection agrees too: an altered ciphertext gives the
            // same pseudorandom secret in both.
            let mut bad = c1.clone();
            bad[7] ^= 0x80;
            assert_eq!(*pure.decapsulate(&bad).unwrap(), *fast.decapsulate(&bad).unwrap());
        }
    }
}
