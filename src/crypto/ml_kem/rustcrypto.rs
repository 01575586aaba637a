//! ML-KEM-768 over RustCrypto's `ml-kem` crate (pure Rust, FIPS 203): the
//! implementation the hybrid TLS group uses (see the parent module).

use zeroize::Zeroizing;

use crate::crypto::CryptoError;
use crate::crypto::primitives::{KEY_LEN, ML_KEM_ENCAPSULATION_KEY_LEN, ML_KEM_SEED_LEN, random_bytes};

/// The ML-KEM-768 types of the `ml-kem` crate.
type MlKemDecapsulation = <ml_kem::MlKem768 as ml_kem::KemCore>::DecapsulationKey;
type MlKemEncapsulation = <ml_kem::MlKem768 as ml_kem::KemCore>::EncapsulationKey;

/// An ML-KEM-768 decapsulation key, kept with the seed it grew from (for
/// persistence and for theft) and its encoded encapsulation key.
#[derive(Clone)]
pub struct MlKemSecret {
    seed: Zeroizing<[u8; ML_KEM_SEED_LEN]>,
    key: MlKemDecapsulation,
    public: Box<[u8; ML_KEM_ENCAPSULATION_KEY_LEN]>,
}

impl MlKemSecret {
    /// A fresh key from 64 bytes of the system generator.
    pub fn generate() -> Self {
        Self::from_seed(&random_bytes::<ML_KEM_SEED_LEN>())
    }

    /// The key that `seed` = d ‖ z determines (FIPS 203 Algorithm 16,
    /// ML-KEM.KeyGen_internal).
    pub fn from_seed(seed: &[u8; ML_KEM_SEED_LEN]) -> Self {
        use ml_kem::{EncodedSizeUser, KemCore};
        let (d, z) = seed.split_at(KEY_LEN);
        let d = ml_kem::B32::try_from(d).unwrap_or_else(|_| unreachable!("half of 64 bytes is 32"));
        let z = ml_kem::B32::try_from(z).unwrap_or_else(|_| unreachable!("half of 64 bytes is 32"));
        let (key, public_key) = ml_kem::MlKem768::generate_deterministic(&d, &z);
        let mut public = Box::new([0u8; ML_KEM_ENCAPSULATION_KEY_LEN]);
        public.copy_from_slice(public_key.as_bytes().as_slice());
        MlKemSecret {
            seed: Zeroizing::new(*seed),
            key,
            public,
        }
    }

    /// The seed (secret!).
    pub fn seed(&self) -> &[u8; ML_KEM_SEED_LEN] {
        &self.seed
    }

    /// The encoded encapsulation key.
    pub fn public(&self) -> &[u8; ML_KEM_ENCAPSULATION_KEY_LEN] {
        &self.public
    }

    /// The shared secret inside `ciphertext`. A ciphertext of the right
    /// length always yields 32 bytes: an altered or forged one yields a
    /// pseudorandom secret (FIPS 203's implicit rejection), so the failure
    /// shows where the secret is used, as an AEAD error.
    pub fn decapsulate(&self, ciphertext: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        use ml_kem::kem::Decapsulate;
        let ciphertext = ml_kem::Ciphertext::<ml_kem::MlKem768>::try_from(ciphertext)
            .map_err(|_| CryptoError::BadKey("an ML-KEM-768 ciphertext is 1,088 bytes"))?;
        let shared = self
            .key
            .decapsulate(&ciphertext)
            .unwrap_or_else(|()| unreachable!("ML-KEM decapsulation is infallible"));
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        out.copy_from_slice(shared.as_slice());
        Ok(out)
    }
}

/// An ML-KEM-768 encapsulation key, decoded and checked once. Decoding
/// costs a SHA3-256 of the whole key and a pass over its coefficients, so a
/// sender that wraps for the same recipient key cable after cable keeps it
/// decoded.
#[derive(Clone)]
pub struct MlKemPublic {
    key: MlKemEncapsulation,
}

impl MlKemPublic {
    /// Decodes `public`, refusing anything but 1,184 bytes that pass the
    /// FIPS 203 §7.2 modulus check.
    pub fn parse(public: &[u8]) -> Result<Self, CryptoError> {
        use ml_kem::EncodedSizeUser;
        let encoded = ml_kem::Encoded::<MlKemEncapsulation>::try_from(public)
            .map_err(|_| CryptoError::BadKey("an ML-KEM-768 encapsulation key is 1,184 bytes"))?;
        let key = MlKemEncapsulation::from_bytes(&encoded);
        // Decoding reduces every coefficient mod q, so a key holding one
        // ≥ q does not encode back to itself.
        if key.as_bytes() != encoded {
            return Err(CryptoError::BadKey("not a valid ML-KEM-768 encapsulation key"));
        }
        Ok(MlKemPublic { key })
    }

    /// Encapsulates a fresh shared secret: the ciphertext and the secret.
    pub fn encapsulate(&self) -> Result<(Vec<u8>, Zeroizing<[u8; KEY_LEN]>), CryptoError> {
        self.encapsulate_with(&random_bytes::<KEY_LEN>())
    }

    /// [`MlKemPublic::encapsulate`] with the message `m` given (FIPS 203
    /// Algorithm 17, ML-KEM.Encaps_internal): for known-answer tests only,
    /// since reusing `m` reuses the secret.
    pub fn encapsulate_with(&self, m: &[u8; KEY_LEN]) -> Result<(Vec<u8>, Zeroizing<[u8; KEY_LEN]>), CryptoError> {
        use ml_kem::EncapsulateDeterministic;
        let (ciphertext, shared) = self
            .key
            .encapsulate_deterministic(&ml_kem::B32::from(*m))
            .map_err(|_| CryptoError::BadKey("ML-KEM-768 encapsulation failed"))?;
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        out.copy_from_slice(shared.as_slice());
        Ok((ciphertext.as_slice().to_vec(), out))
    }
}
