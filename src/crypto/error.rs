//! Why a cryptographic operation refused its input.

use crate::model::Epoch;

/// Every way sealing, opening or checking keys can fail.
///
/// Recipients turn most of these into alarms (ARCHITECTURE.md, "Adversaries"):
/// they are what an attack on the envelope or the directory looks like from the
/// inside.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The envelope bytes do not decode, or decode to something that does
    /// not re-encode to the same bytes (a tampered or non-canonical encoding).
    #[error("malformed envelope: {0}")]
    Malformed(String),
    /// The envelope or header version is not one this build knows.
    #[error("unsupported envelope version {0}")]
    UnsupportedVersion(u8),
    /// The envelope uses a different e2e mode than this network.
    #[error("envelope sealed in {found} mode, network uses {expected}")]
    WrongMode {
        /// Mode of the network.
        expected: &'static str,
        /// Mode named by the envelope.
        found: &'static str,
    },
    /// No wrap in the envelope is addressed to a key this holder has.
    #[error("no wrap for {0} in this envelope")]
    NotARecipient(String),
    /// A wrap is not exactly secret + tag long.
    #[error("wrap for {recipient} has {len} bytes, expected {expected}")]
    WrapLength {
        /// Whose wrap it is.
        recipient: String,
        /// Its length.
        len: usize,
        /// The only valid length.
        expected: usize,
    },
    /// A wrap names an epoch whose key this holder does not have: either
    /// deleted (forward secrecy at work) or not yet created.
    #[error("no key for epoch {epoch} (held: {held:?})")]
    UnknownEpoch {
        /// Epoch named by the wrap.
        epoch: Epoch,
        /// Epochs whose keys are still held.
        held: Vec<Epoch>,
    },
    /// A wrap claims an epoch that is not the epoch of the cable's day.
    #[error("wrap for epoch {wrap} on a cable of epoch {cable}")]
    EpochMismatch {
        /// Epoch named by the wrap.
        wrap: Epoch,
        /// Epoch of the cable's day.
        cable: Epoch,
    },
    /// The X25519 exchange produced the all-zero output: the peer key is a
    /// low-order point, which would make the wrap key predictable.
    #[error("non-contributory X25519 public key")]
    WeakPublicKey,
    /// AEAD authentication failed: the wrap, header or body was altered,
    /// or the key is not the one it was sealed for.
    #[error("authentication failed while opening the {0}")]
    Aead(&'static str),
    /// The cable must be signed and carries no signature.
    #[error("cable {0} is not signed")]
    MissingSignature(String),
    /// The signature does not verify under the claimed sender's identity.
    #[error("bad signature on cable {cable} claiming to be from {from}")]
    BadSignature {
        /// Cable id.
        cable: String,
        /// Claimed sender.
        from: String,
    },
    /// The cable id has been accepted before.
    #[error("replayed cable id {0}")]
    Replay(String),
    /// This holder has no key of the kind the operation needs.
    #[error("missing key: {0}")]
    MissingKey(String),
    /// A directory entry or key failed the pinning check.
    #[error("directory entry for {node} refused: {reason}")]
    Directory {
        /// The node the entry claims to describe.
        node: String,
        /// Why it was refused.
        reason: String,
    },
    /// A key or signature is not the length its algorithm needs.
    #[error("bad key material: {0}")]
    BadKey(&'static str),
}
