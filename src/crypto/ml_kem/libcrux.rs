//! ML-KEM-768 over Cryspen's libcrux-ml-kem (formally verified, AVX2 when
//! the processor has it): the implementation the envelope uses (see the
//! parent module).

use libcrux_ml_kem::mlkem768::{self, MlKem768Ciphertext, MlKem768PrivateKey, MlKem768PublicKey};
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::CryptoError;
use crate::crypto::primitives::{KEY_LEN, ML_KEM_ENCAPSULATION_KEY_LEN, ML_KEM_SEED_LEN, random_bytes};

/// An ML-KEM-768 decapsulation key, kept with the seed it grew from (for
/// persistence and for theft) and its encoded encapsulation key.
#[derive(Clone)]
pub struct MlKemSecret {
    seed: Zeroizing<[u8; ML_KEM_SEED_LEN]>,
    /// The expanded decapsulation key (FIPS 203's 2,400-byte dk), wiped on
    /// drop below: the crate's type does not wipe itself.
    key: MlKem768PrivateKey,
    public: Box<[u8; ML_KEM_ENCAPSULATION_KEY_LEN]>,
}

impl Drop for MlKemSecret {
    fn drop(&mut self) {
        self.key[0..].zeroize();
    }
}

impl MlKemSecret {
    /// A fresh key from 64 bytes of the system generator.
    pub fn generate() -> Self {
        Self::from_seed(&random_bytes::<ML_KEM_SEED_LEN>())
    }

    /// The key that `seed` = d ‖ z determines (FIPS 203 Algorithm 16,
    /// ML-KEM.KeyGen_internal).
    pub fn from_seed(seed: &[u8; ML_KEM_SEED_LEN]) -> Self {
        let (mut key, public) = mlkem768::generate_key_pair(*seed).into_parts();
        let secret = MlKemSecret {
            seed: Zeroizing::new(*seed),
            key: MlKem768PrivateKey::from(key.as_slice()),
            public: Box::new(*public.as_slice()),
        };
        key[0..].zeroize();
        secret
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
        let ciphertext = MlKem768Ciphertext::try_from(ciphertext)
            .map_err(|_| CryptoError::BadKey("an ML-KEM-768 ciphertext is 1,088 bytes"))?;
        Ok(Zeroizing::new(mlkem768::decapsulate(&self.key, &ciphertext)))
    }
}

/// An ML-KEM-768 encapsulation key, checked once.
#[derive(Clone)]
pub struct MlKemPublic {
    key: MlKem768PublicKey,
}

impl MlKemPublic {
    /// Takes `public`, refusing anything but 1,184 bytes that pass the
    /// FIPS 203 §7.2 modulus check.
    pub fn parse(public: &[u8]) -> Result<Self, CryptoError> {
        let key = MlKem768PublicKey::try_from(public)
            .map_err(|_| CryptoError::BadKey("an ML-KEM-768 encapsulation key is 1,184 bytes"))?;
        if !mlkem768::validate_public_key(&key) {
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
        let (ciphertext, shared) = mlkem768::encapsulate(&self.key, *m);
        Ok((ciphertext.as_slice().to_vec(), Zeroizing::new(shared)))
    }
}
