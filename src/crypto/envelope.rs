//! The end-to-end envelope (ARCHITECTURE.md, "The envelope"), in the spirit of
//! age and of Signal's sealed sender v2.
//!
//! ```text
//! M        = 32 fresh random bytes                       (one per cable)
//! body key = HKDF(ikm = M, info = "cablesim body v1")
//! wrap     = AEAD(HKDF(salt = eph_pub ‖ rcpt_pub, ikm = X25519(eph, rcpt),
//!                      info = mode ‖ epoch ‖ cable id ‖ recipient name), M)
//!            for every key of every recipient (group mode: one wrap under
//!            a key derived from the group key and a random salt)
//! header   = version, cable header (id, day, from, to, recipients,
//!            classification), mode, eph_pub, wraps
//! body     = AEAD(body key, aad = SHA-256(header),
//!                 content ‖ Ed25519(sender, header hash ‖ content hash))
//! ```
//!
//! With hybrid keys (`post_quantum = "e2e"` or `"both"`) the envelope is
//! version 2 and each wrap also encapsulates to the recipient key's
//! ML-KEM-768 half, in the manner of X-Wing's combiner:
//!
//! ```text
//! (ct, ss_kem) = ML-KEM-768.Encaps(rcpt_kem_pub)
//! wrap         = ct ‖ AEAD(HKDF(salt = ct ‖ eph_pub ‖ rcpt_x25519_pub,
//!                               ikm  = ss_kem ‖ X25519(eph, rcpt),
//!                               info = "cablesim hybrid wrap v1" ‖ mode ‖
//!                                      epoch ‖ cable id ‖ recipient name), M)
//! ```
//!
//! so the wrap key stays secret while either shared secret does.
//!
//! Every AEAD key is used exactly once (it is derived from a fresh M or a
//! fresh ephemeral key), so the nonce is fixed at zero rather than random
//! (see [`super::primitives::seal_once`]). The signature travels inside the
//! ciphertext, so the hub cannot even learn who vouched for a cable, and it
//! covers the header hash, so it binds the sender and every recipient name.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::CryptoError;
use super::directory::{KeyKind, RecipientKey};
use super::keys::{AgreementSecret, GroupKey, IdentityKey, IdentityPublic, KeyAgreement, KeyId};
use super::primitives::{KEY_LEN, ML_KEM_CIPHERTEXT_LEN, SIGNATURE_LEN, TAG_LEN, random_bytes, seal_once, sha256};
use crate::model::{CableContent, CableHeader, E2eMode, Epoch};

mod open;
mod wrap_keys;

use wrap_keys::{agreement_wrap_key, body_key, group_wrap_key, hybrid_wrap_key};

/// The version of envelopes with classical (X25519) wraps, and of every
/// `group` envelope.
pub const ENVELOPE_VERSION: u8 = 1;

/// The version of envelopes with hybrid (X25519 and ML-KEM-768) wraps: a
/// version of its own, so a hybrid envelope is never read as a classical
/// one, nor the reverse.
pub const HYBRID_ENVELOPE_VERSION: u8 = 2;

/// A wrap is the 32-byte cable secret plus its tag, nothing else.
pub const WRAP_LEN: usize = KEY_LEN + TAG_LEN;

/// A hybrid wrap is the ML-KEM-768 ciphertext followed by a classical-sized
/// wrap.
pub const HYBRID_WRAP_LEN: usize = ML_KEM_CIPHERTEXT_LEN + WRAP_LEN;

/// From this many recipient keys on, a seal computes its wraps on all cores.
const PARALLEL_WRAPS: usize = 4;

/// The wrap recipient name used by the single group-mode wrap.
pub const GROUP_RECIPIENT: &str = "*";

/// Which kind of key the cable secret was wrapped for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SealMode {
    /// One wrap under the shared group key.
    Group,
    /// One wrap per long-term key of each recipient.
    Static,
    /// One wrap per current-epoch prekey of each recipient.
    ForwardSecret,
}

impl SealMode {
    /// The network e2e mode this seal mode belongs to.
    pub fn e2e(self) -> E2eMode {
        match self {
            SealMode::Group => E2eMode::Group,
            SealMode::Static => E2eMode::Static,
            SealMode::ForwardSecret => E2eMode::ForwardSecret,
        }
    }

    fn tag(self) -> u8 {
        match self {
            SealMode::Group => 1,
            SealMode::Static => 2,
            SealMode::ForwardSecret => 3,
        }
    }
}

/// The cable secret M, wrapped for one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wrap {
    /// Node the wrap is for ([`GROUP_RECIPIENT`] in group mode).
    pub recipient: String,
    /// Which of the recipient's keys it is for.
    pub key_id: KeyId,
    /// The epoch of that key (`forward-secret` only).
    pub epoch: Option<Epoch>,
    /// AEAD(wrap key, M): exactly [`WRAP_LEN`] bytes; in a hybrid envelope
    /// preceded by the ML-KEM-768 ciphertext for the recipient key,
    /// [`HYBRID_WRAP_LEN`] bytes in all.
    #[serde(with = "serde_bytes")]
    pub sealed_secret: Vec<u8>,
}

/// Everything in the clear: what the hub needs to route, and what the
/// recipients need to find their wrap. All of it is authenticated as the
/// body's AAD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedHeader {
    /// [`ENVELOPE_VERSION`], or [`HYBRID_ENVELOPE_VERSION`] for hybrid wraps.
    pub version: u8,
    /// Routing metadata of the cable.
    pub cable: CableHeader,
    /// Kind of keys the wraps are for.
    pub mode: SealMode,
    /// The sender's one-shot X25519 public key (group mode: a random salt).
    pub ephemeral: [u8; KEY_LEN],
    /// One wrap per recipient key.
    pub wraps: Vec<Wrap>,
}

/// A sealed cable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The authenticated cleartext header.
    pub header: SealedHeader,
    /// AEAD of the content and signature.
    #[serde(with = "serde_bytes")]
    pub ciphertext: Vec<u8>,
}

/// What is inside the ciphertext.
#[derive(Serialize, Deserialize)]
struct Inner {
    content: CableContent,
    #[serde(with = "serde_bytes")]
    signature: Option<Vec<u8>>,
}

/// A cable as a recipient (or an adversary holding a key) recovered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The routing header.
    pub header: CableHeader,
    /// Subject and body.
    pub content: CableContent,
    /// The sender's signature, if it signed.
    pub signature: Option<Vec<u8>>,
    /// The exact bytes the signature covers, built when the cable is
    /// opened, and only if it carries a signature: hashing every body on
    /// receipt would cost a network without signatures as much as one with
    /// them.
    pub(crate) signed_message: Option<Vec<u8>>,
}

impl Opened {
    /// Checks the signature against `sender`, the identity of `header.from`.
    /// `Ok(false)` means "not signed"; a present but wrong signature is an error.
    pub fn verify_signature(&self, sender: &IdentityPublic) -> Result<bool, CryptoError> {
        let (Some(sig), Some(message)) = (&self.signature, &self.signed_message) else {
            return Ok(false);
        };
        if sig.len() == SIGNATURE_LEN && sender.verify(message, sig) {
            Ok(true)
        } else {
            Err(CryptoError::BadSignature {
                cable: self.header.id.clone(),
                from: self.header.from.clone(),
            })
        }
    }
}

/// The message a sender signs: both hashes, domain-separated.
pub(crate) fn signed_message(header_hash: &[u8; KEY_LEN], content: &CableContent) -> Vec<u8> {
    let content_hash = sha256(&[b"cablesim content v1\0", &encode(content)]);
    let mut msg = Vec::with_capacity(24 + 2 * KEY_LEN);
    msg.extend_from_slice(b"cablesim signature v1\0");
    msg.extend_from_slice(header_hash);
    msg.extend_from_slice(&content_hash);
    msg
}

/// postcard cannot fail on these types (no maps with non-string keys, no
/// unsupported serde features), so encoding is infallible here.
pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).unwrap_or_else(|e| unreachable!("postcard encoding failed: {e}"))
}

impl Envelope {
    /// Seals for every node of `header.recipients` under the shared group key.
    pub fn seal_group(
        header: CableHeader,
        content: &CableContent,
        group: &GroupKey,
        signer: Option<&IdentityKey>,
    ) -> Result<Envelope, CryptoError> {
        let secret = random_bytes::<KEY_LEN>();
        // The salt makes the wrap key unique per envelope even if a cable
        // id were ever reused, so the zero nonce stays safe.
        let salt = *random_bytes::<KEY_LEN>();
        let wrap_key = group_wrap_key(group, &salt, &header.id);
        let wrap = Wrap {
            recipient: GROUP_RECIPIENT.to_owned(),
            key_id: group.key_id(),
            epoch: None,
            sealed_secret: seal_once(&wrap_key, &[], secret.as_ref()),
        };
        Self::finish(
            header,
            ENVELOPE_VERSION,
            SealMode::Group,
            salt,
            vec![wrap],
            &secret,
            content,
            signer,
        )
    }

    /// Seals for `keys`, the checked directory keys of the recipients (all
    /// static, or all of the epoch of the cable's day). Every recipient in
    /// `header.recipients` must have at least one key: a cable nobody on
    /// the list can open is an error, not a silent loss. The keys are all
    /// classical or all hybrid (a hybrid envelope then); see
    /// [`Envelope::seal_to_keys_as`] to demand one kind.
    pub fn seal_to_keys(
        header: CableHeader,
        content: &CableContent,
        mode: SealMode,
        keys: &[RecipientKey],
        signer: Option<&IdentityKey>,
    ) -> Result<Envelope, CryptoError> {
        let agreement = KeyAgreement::hybrid_if(keys.first().is_some_and(RecipientKey::is_hybrid));
        Self::seal_to_keys_as(header, content, mode, agreement, keys, signer)
    }

    /// [`Envelope::seal_to_keys`] for a sender whose keys are of kind
    /// `agreement`: every recipient key must be of that kind too, so a
    /// hybrid sender never wraps a cable for a classical key.
    pub fn seal_to_keys_as(
        header: CableHeader,
        content: &CableContent,
        mode: SealMode,
        agreement: KeyAgreement,
        keys: &[RecipientKey],
        signer: Option<&IdentityKey>,
    ) -> Result<Envelope, CryptoError> {
        if mode == SealMode::Group {
            return Err(CryptoError::MissingKey("group mode seals with the group key".into()));
        }
        if let Some(missing) = header.recipients.iter().find(|r| !keys.iter().any(|k| &k.node == *r)) {
            return Err(CryptoError::MissingKey(format!(
                "no usable key for recipient {missing}"
            )));
        }
        let hybrid = agreement.is_hybrid();
        let mut epochs = Vec::with_capacity(keys.len());
        for key in keys {
            if key.is_hybrid() != hybrid {
                return Err(CryptoError::MissingKey(format!(
                    "key {} of {} is {}, the seal {}",
                    key.key_id(),
                    key.node,
                    if key.is_hybrid() { "hybrid" } else { "classical" },
                    if hybrid { "hybrid" } else { "classical" },
                )));
            }
            epochs.push(match (mode, key.kind) {
                (SealMode::Static, KeyKind::Static) => None,
                (SealMode::ForwardSecret, KeyKind::Epoch(e)) => Some(e),
                _ => {
                    return Err(CryptoError::MissingKey(format!(
                        "key {} of {} is not a {mode:?} key",
                        key.key_id(),
                        key.node
                    )));
                }
            });
        }
        let secret = random_bytes::<KEY_LEN>();
        // One ephemeral key for all wraps (as in sealed sender v2): the HKDF
        // salt and info bind each wrap to its recipient key and name, so
        // wraps cannot be swapped, and sealing costs one X25519 per key.
        let ephemeral = AgreementSecret::generate();
        let ephemeral_public = ephemeral.public().0;
        let wrap_for = |(key, epoch): (&RecipientKey, &Option<Epoch>)| -> Result<Wrap, CryptoError> {
            let shared = ephemeral.agree(&key.public)?;
            let sealed_secret = match &key.kem {
                None => {
                    let wrap_key = agreement_wrap_key(
                        mode,
                        *epoch,
                        &ephemeral_public,
                        &key.public,
                        &shared,
                        &header.id,
                        &key.node,
                    );
                    seal_once(&wrap_key, &[], secret.as_ref())
                }
                Some(kem) => {
                    // ML-KEM needs no sender key: a fresh encapsulation per
                    // recipient key, its ciphertext ahead of the AEAD.
                    let (mut sealed, kem_shared) = kem.encapsulate()?;
                    let wrap_key = hybrid_wrap_key(
                        mode,
                        *epoch,
                        &ephemeral_public,
                        &key.public,
                        &sealed,
                        &kem_shared,
                        &shared,
                        &header.id,
                        &key.node,
                    );
                    sealed.extend_from_slice(&seal_once(&wrap_key, &[], secret.as_ref()));
                    sealed
                }
            };
            Ok(Wrap {
                recipient: key.node.clone(),
                key_id: key.key_id(),
                epoch: *epoch,
                sealed_secret,
            })
        };
        // The X25519s (and encapsulations) are independent, so a long
        // recipient list is shared out over the cores; a short one is not
        // worth the hand-off.
        let wraps = if keys.len() >= PARALLEL_WRAPS {
            keys.par_iter()
                .zip(epochs.par_iter())
                .map(wrap_for)
                .collect::<Result<Vec<_>, _>>()?
        } else {
            keys.iter()
                .zip(epochs.iter())
                .map(wrap_for)
                .collect::<Result<Vec<_>, _>>()?
        };
        let version = if hybrid {
            HYBRID_ENVELOPE_VERSION
        } else {
            ENVELOPE_VERSION
        };
        Self::finish(header, version, mode, ephemeral_public, wraps, &secret, content, signer)
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        cable: CableHeader,
        version: u8,
        mode: SealMode,
        ephemeral: [u8; KEY_LEN],
        wraps: Vec<Wrap>,
        secret: &[u8; KEY_LEN],
        content: &CableContent,
        signer: Option<&IdentityKey>,
    ) -> Result<Envelope, CryptoError> {
        let header = SealedHeader {
            version,
            cable,
            mode,
            ephemeral,
            wraps,
        };
        let header_hash = hash_sealed_header(&header);
        let signature = signer.map(|id| id.sign(&signed_message(&header_hash, content)).to_vec());
        let inner = Zeroizing::new(encode(&Inner {
            content: content.clone(),
            signature,
        }));
        let ciphertext = seal_once(&body_key(secret), &header_hash, &inner);
        Ok(Envelope { header, ciphertext })
    }

    /// SHA-256 of the encoded header: the body's AAD.
    pub fn header_hash(&self) -> [u8; KEY_LEN] {
        hash_sealed_header(&self.header)
    }

    /// The envelope's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes an envelope, refusing trailing bytes and any encoding that
    /// does not re-encode to exactly the input (so no two byte strings
    /// carry the same envelope).
    pub fn from_bytes(bytes: &[u8]) -> Result<Envelope, CryptoError> {
        let (envelope, rest): (Envelope, _) =
            postcard::take_from_bytes(bytes).map_err(|e| CryptoError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CryptoError::Malformed(format!("{} trailing bytes", rest.len())));
        }
        if envelope.to_bytes() != bytes {
            return Err(CryptoError::Malformed("non-canonical encoding".into()));
        }
        Ok(envelope)
    }
}

fn hash_sealed_header(header: &SealedHeader) -> [u8; KEY_LEN] {
    sha256(&[b"cablesim header v1\0", &encode(header)])
}
