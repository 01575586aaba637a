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
use super::keyring::{KeyMaterial, NodeKeys};
use super::keys::{AgreementPublic, AgreementSecret, GroupKey, IdentityKey, IdentityPublic, KeyId};
use super::primitives::{KEY_LEN, SIGNATURE_LEN, TAG_LEN, derive_key, open_once, random_bytes, seal_once, sha256};
use crate::model::{CableContent, CableHeader, E2eMode, Epoch, epoch_of};

/// The only envelope version this build reads and writes.
pub const ENVELOPE_VERSION: u8 = 1;

/// A wrap is the 32-byte cable secret plus its tag, nothing else.
pub const WRAP_LEN: usize = KEY_LEN + TAG_LEN;

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
    /// AEAD(wrap key, M): exactly [`WRAP_LEN`] bytes.
    pub sealed_secret: Vec<u8>,
}

/// Everything in the clear: what the hub needs to route, and what the
/// recipients need to find their wrap. All of it is authenticated as the
/// body's AAD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedHeader {
    /// [`ENVELOPE_VERSION`].
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
    pub ciphertext: Vec<u8>,
}

/// What is inside the ciphertext.
#[derive(Serialize, Deserialize)]
struct Inner {
    content: CableContent,
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

fn length_prefixed(s: &str) -> [u8; 4] {
    (s.len() as u32).to_be_bytes()
}

fn agreement_wrap_key(
    mode: SealMode,
    epoch: Option<Epoch>,
    ephemeral: &[u8; KEY_LEN],
    recipient_key: &AgreementPublic,
    shared: &[u8; KEY_LEN],
    cable_id: &str,
    recipient: &str,
) -> Zeroizing<[u8; KEY_LEN]> {
    let mut salt = [0u8; 2 * KEY_LEN];
    salt[..KEY_LEN].copy_from_slice(ephemeral);
    salt[KEY_LEN..].copy_from_slice(&recipient_key.0);
    let epoch_bytes = epoch.map_or([0xff; 4], u32::to_be_bytes);
    derive_key(
        &salt,
        shared,
        &[
            b"cablesim wrap v1\0",
            &[mode.tag()],
            &epoch_bytes,
            &length_prefixed(cable_id),
            cable_id.as_bytes(),
            &length_prefixed(recipient),
            recipient.as_bytes(),
        ],
    )
}

fn group_wrap_key(group: &GroupKey, salt: &[u8; KEY_LEN], cable_id: &str) -> Zeroizing<[u8; KEY_LEN]> {
    derive_key(
        salt,
        group.as_bytes(),
        &[
            b"cablesim group wrap v1\0",
            &length_prefixed(cable_id),
            cable_id.as_bytes(),
        ],
    )
}

fn body_key(secret: &[u8; KEY_LEN]) -> Zeroizing<[u8; KEY_LEN]> {
    derive_key(&[], secret, &[b"cablesim body v1\0"])
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
        Self::finish(header, SealMode::Group, salt, vec![wrap], &secret, content, signer)
    }

    /// Seals for `keys`, the checked directory keys of the recipients (all
    /// static, or all of the epoch of the cable's day). Every recipient in
    /// `header.recipients` must have at least one key: a cable nobody on
    /// the list can open is an error, not a silent loss.
    pub fn seal_to_keys(
        header: CableHeader,
        content: &CableContent,
        mode: SealMode,
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
        let mut epochs = Vec::with_capacity(keys.len());
        for key in keys {
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
            let wrap_key = agreement_wrap_key(
                mode,
                *epoch,
                &ephemeral_public,
                &key.public,
                &shared,
                &header.id,
                &key.node,
            );
            Ok(Wrap {
                recipient: key.node.clone(),
                key_id: key.key_id(),
                epoch: *epoch,
                sealed_secret: seal_once(&wrap_key, &[], secret.as_ref()),
            })
        };
        // The X25519s are independent, so a long recipient list is shared
        // out over the cores; a short one is not worth the hand-off.
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
        Self::finish(header, mode, ephemeral_public, wraps, &secret, content, signer)
    }

    fn finish(
        cable: CableHeader,
        mode: SealMode,
        ephemeral: [u8; KEY_LEN],
        wraps: Vec<Wrap>,
        secret: &[u8; KEY_LEN],
        content: &CableContent,
        signer: Option<&IdentityKey>,
    ) -> Result<Envelope, CryptoError> {
        let header = SealedHeader {
            version: ENVELOPE_VERSION,
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

    /// Structural checks every opener runs before touching a key.
    fn validate(&self) -> Result<(), CryptoError> {
        let h = &self.header;
        if h.version != ENVELOPE_VERSION {
            return Err(CryptoError::UnsupportedVersion(h.version));
        }
        if h.cable.version != CableHeader::VERSION {
            return Err(CryptoError::UnsupportedVersion(h.cable.version));
        }
        for wrap in &h.wraps {
            if wrap.sealed_secret.len() != WRAP_LEN {
                return Err(CryptoError::WrapLength {
                    recipient: wrap.recipient.clone(),
                    len: wrap.sealed_secret.len(),
                    expected: WRAP_LEN,
                });
            }
            let epoch_ok = match h.mode {
                SealMode::ForwardSecret => wrap.epoch.is_some(),
                SealMode::Group | SealMode::Static => wrap.epoch.is_none(),
            };
            if !epoch_ok {
                return Err(CryptoError::Malformed(format!(
                    "wrap for {} has epoch {:?} in {:?} mode",
                    wrap.recipient, wrap.epoch, h.mode
                )));
            }
        }
        Ok(())
    }

    /// Recovers M with one piece of key material, as an adversary does with
    /// each key it holds. No signature or replay check: an attacker does
    /// not care whether the cable is genuine, only what it says.
    pub fn unwrap_with(&self, key: &KeyMaterial) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        self.validate()?;
        let h = &self.header;
        match key {
            KeyMaterial::Group(group) => {
                let wrap = h
                    .wraps
                    .iter()
                    .find(|w| h.mode == SealMode::Group && w.key_id == group.key_id())
                    .ok_or_else(|| CryptoError::NotARecipient("group key".into()))?;
                self.open_group_wrap(wrap, group)
            }
            KeyMaterial::Static { owner, secret } => self.open_agreement_wraps(owner, SealMode::Static, None, secret),
            KeyMaterial::Epoch { owner, epoch, secret } => {
                self.open_agreement_wraps(owner, SealMode::ForwardSecret, Some(*epoch), secret)
            }
            KeyMaterial::Identity { owner, .. } => Err(CryptoError::NotARecipient(format!("identity key of {owner}"))),
        }
    }

    fn open_group_wrap(&self, wrap: &Wrap, group: &GroupKey) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        let wrap_key = group_wrap_key(group, &self.header.ephemeral, &self.header.cable.id);
        secret_from(open_once(&wrap_key, &[], &wrap.sealed_secret, "wrap")?)
    }

    fn open_agreement_wraps(
        &self,
        owner: &str,
        mode: SealMode,
        epoch: Option<Epoch>,
        secret: &AgreementSecret,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        let h = &self.header;
        let key_id = secret.key_id();
        let wrap = h
            .wraps
            .iter()
            .find(|w| h.mode == mode && w.recipient == owner && w.key_id == key_id && w.epoch == epoch)
            .ok_or_else(|| CryptoError::NotARecipient(owner.to_owned()))?;
        self.open_agreement_wrap(wrap, secret)
    }

    fn open_agreement_wrap(
        &self,
        wrap: &Wrap,
        secret: &AgreementSecret,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        let h = &self.header;
        let ephemeral = AgreementPublic(h.ephemeral);
        let shared = secret.agree(&ephemeral)?;
        let wrap_key = agreement_wrap_key(
            h.mode,
            wrap.epoch,
            &h.ephemeral,
            &secret.public(),
            &shared,
            &h.cable.id,
            &wrap.recipient,
        );
        secret_from(open_once(&wrap_key, &[], &wrap.sealed_secret, "wrap")?)
    }

    /// Recovers M as the recipient `keys.name()`, strictly: the mode must be
    /// the node's, each wrap's epoch must be the epoch of the cable's day,
    /// and that epoch's key must still be held.
    pub fn unwrap_for(&self, keys: &NodeKeys) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        self.validate()?;
        let h = &self.header;
        if h.mode.e2e() != keys.mode() {
            return Err(CryptoError::WrongMode {
                expected: keys.mode().as_str(),
                found: h.mode.e2e().as_str(),
            });
        }
        if h.mode == SealMode::Group {
            let group = keys
                .group()
                .ok_or_else(|| CryptoError::MissingKey("this node holds no group key".into()))?;
            return self.unwrap_with(&KeyMaterial::Group(group.clone()));
        }
        let mut last_error = CryptoError::NotARecipient(keys.name().to_owned());
        for wrap in h.wraps.iter().filter(|w| w.recipient == keys.name()) {
            if let Some(e) = wrap.epoch {
                let cable_epoch = epoch_of(h.cable.day, keys.epoch_days());
                if e != cable_epoch {
                    return Err(CryptoError::EpochMismatch {
                        wrap: e,
                        cable: cable_epoch,
                    });
                }
                if !keys.holds_epoch(e) {
                    return Err(CryptoError::UnknownEpoch {
                        epoch: e,
                        held: keys.held_epochs(),
                    });
                }
            }
            // Several devices may share a name; a wrap for a key we do not
            // hold belongs to another device, so it is skipped, not fatal.
            let Some(secret) = keys.agreement_key(&wrap.key_id, wrap.epoch) else {
                continue;
            };
            match self.open_agreement_wrap(wrap, secret) {
                Ok(m) => return Ok(m),
                Err(e) => last_error = e,
            }
        }
        Err(last_error)
    }

    /// Decrypts the body with a recovered M.
    pub fn decrypt(&self, secret: &[u8; KEY_LEN]) -> Result<Opened, CryptoError> {
        let header_hash = self.header_hash();
        let plaintext = Zeroizing::new(open_once(&body_key(secret), &header_hash, &self.ciphertext, "body")?);
        let (inner, rest): (Inner, _) = postcard::take_from_bytes(&plaintext)
            .map_err(|e| CryptoError::Malformed(format!("inside the body: {e}")))?;
        if !rest.is_empty() {
            return Err(CryptoError::Malformed("trailing bytes inside the body".into()));
        }
        Ok(Opened {
            signed_message: inner
                .signature
                .as_ref()
                .map(|_| signed_message(&header_hash, &inner.content)),
            header: self.header.cable.clone(),
            content: inner.content,
            signature: inner.signature,
        })
    }
}

fn secret_from(bytes: Vec<u8>) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
    let bytes = Zeroizing::new(bytes);
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    if bytes.len() != KEY_LEN {
        return Err(CryptoError::Malformed("unwrapped secret has the wrong length".into()));
    }
    out.copy_from_slice(&bytes);
    Ok(out)
}

fn hash_sealed_header(header: &SealedHeader) -> [u8; KEY_LEN] {
    sha256(&[b"cablesim header v1\0", &encode(header)])
}
