//! End-to-end cryptography (ARCHITECTURE.md, "Security options"), sans-IO: keys
//! and epochs, the envelope, the key directory and its pinning check, replay
//! protection.
//!
//! Primitives come only from ring (AEAD, HKDF, SHA-256, Ed25519),
//! x25519-dalek (X25519, because ring has no static X25519 keys), see
//! [`primitives`], and for ML-KEM-768, the post-quantum half of hybrid
//! keys, libcrux-ml-kem and RustCrypto's ml-kem, see [`ml_kem`].

mod directory;
mod envelope;
mod error;
mod keyring;
mod keys;
pub mod ml_kem;
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
pub use payload::{AcceptPolicy, CablePayload, ClearCable, EnvelopeCost};
pub use primitives::{ML_KEM_CIPHERTEXT_LEN, ML_KEM_ENCAPSULATION_KEY_LEN};
pub use replay::ReplayGuard;
