//! End-to-end cryptography (ARCHITECTURE.md, "Security options"), sans-IO: keys
//! and epochs, the envelope, the key directory and its pinning check, replay
//! protection.
//!
//! Primitives come only from ring (AEAD, HKDF, SHA-256, Ed25519),
//! x25519-dalek (X25519, because ring has no static X25519 keys) and
//! RustCrypto's ml-kem (ML-KEM-768, the post-quantum half of hybrid keys);
//! see [`primitives`], the one module that names them.

mod directory;
mod envelope;
mod error;
mod keyring;
mod keys;
mod payload;
pub mod primitives;
mod replay;

pub use directory::{
    Directory, DirectoryEntry, EntryCheck, KeyKind, PublishedKey, RecipientKey, RefusedKey, TrustedIdentities,
    check_entry, hybrid_key_statement, key_statement,
};
pub use envelope::{
    ENVELOPE_VERSION, Envelope, GROUP_RECIPIENT, HYBRID_ENVELOPE_VERSION, HYBRID_WRAP_LEN, Opened, SealMode,
    SealedHeader, WRAP_LEN, Wrap,
};
pub use error::CryptoError;
pub use keyring::{KeyMaterial, NodeKeys};
pub use keys::{
    AgreementPublic, AgreementSecret, GroupKey, IdentityKey, IdentityPublic, KemPublic, KeyAgreement, KeyId,
};
pub use payload::{AcceptPolicy, CablePayload, ClearCable};
// ML-KEM-768 for the hybrid TLS group in net::tls.
pub use primitives::{ML_KEM_CIPHERTEXT_LEN, ML_KEM_ENCAPSULATION_KEY_LEN, MlKemSecret, ml_kem_encapsulate};
pub use replay::ReplayGuard;
