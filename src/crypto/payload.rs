//! A cable as it travels, in any of the four e2e modes, and the two ends
//! of its journey: [`CablePayload::seal`] at the sender and
//! [`CablePayload::accept`] at a recipient.

use serde::{Deserialize, Serialize};

use super::CryptoError;
use super::directory::RecipientKey;
use super::envelope::{Envelope, HYBRID_ENVELOPE_VERSION, Opened, SealMode, encode, signed_message};
use super::keyring::{KeyMaterial, NodeKeys};
use super::keys::{IdentityKey, IdentityPublic};
use super::primitives::{KEY_LEN, sha256};
use super::replay::ReplayGuard;
use crate::model::{CableContent, CableHeader, E2eMode};

/// A cable without end-to-end encryption (`e2e = off`): readable by every
/// relay, archive and tap on an unencrypted link. It may still be signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearCable {
    /// Routing header.
    pub header: CableHeader,
    /// Subject and body, in the clear.
    pub content: CableContent,
    /// Ed25519 signature of the sender, if `signatures` is on.
    #[serde(with = "serde_bytes")]
    pub signature: Option<Vec<u8>>,
}

impl ClearCable {
    /// A clear cable, signed by `signer` if given.
    pub fn new(header: CableHeader, content: CableContent, signer: Option<&IdentityKey>) -> Self {
        let signature = signer.map(|id| id.sign(&signed_message(&clear_header_hash(&header), &content)).to_vec());
        ClearCable {
            header,
            content,
            signature,
        }
    }
}

/// What a `submit` or `deliver` frame carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CablePayload {
    /// `e2e = off`.
    Clear(ClearCable),
    /// `group`, `static` or `forward-secret`.
    Sealed(Envelope),
}

/// What a recipient demands before it accepts a cable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptPolicy {
    /// Refuse unsigned cables (`signatures = true`).
    pub require_signature: bool,
}

fn clear_header_hash(header: &CableHeader) -> [u8; KEY_LEN] {
    sha256(&[b"cablesim clear header v1\0", &encode(header)])
}

impl CablePayload {
    /// Seals a cable as `sender` in the sender's e2e mode. `keys` are the
    /// recipients' directory keys after [`super::check_entry`] (ignored
    /// under `off` and `group`); `sign` adds the sender's signature.
    pub fn seal(
        header: CableHeader,
        content: &CableContent,
        sender: &NodeKeys,
        keys: &[RecipientKey],
        sign: bool,
    ) -> Result<CablePayload, CryptoError> {
        let signer = sign.then(|| sender.identity());
        match sender.mode() {
            E2eMode::Off => Ok(CablePayload::Clear(ClearCable::new(header, content.clone(), signer))),
            E2eMode::Group => {
                let group = sender
                    .group()
                    .ok_or_else(|| CryptoError::MissingKey("the sender holds no group key".into()))?;
                Envelope::seal_group(header, content, group, signer).map(CablePayload::Sealed)
            }
            E2eMode::Static => {
                Envelope::seal_to_keys_as(header, content, SealMode::Static, sender.agreement(), keys, signer)
                    .map(CablePayload::Sealed)
            }
            E2eMode::ForwardSecret => Envelope::seal_to_keys_as(
                header,
                content,
                SealMode::ForwardSecret,
                sender.agreement(),
                keys,
                signer,
            )
            .map(CablePayload::Sealed),
        }
    }

    /// The routing header, readable by anyone who decodes the frame.
    pub fn header(&self) -> &CableHeader {
        match self {
            CablePayload::Clear(clear) => &clear.header,
            CablePayload::Sealed(envelope) => &envelope.header.cable,
        }
    }

    /// Whether the content is end-to-end encrypted.
    pub fn is_sealed(&self) -> bool {
        matches!(self, CablePayload::Sealed(_))
    }

    /// What anyone holding the payload reads without any key: the content
    /// of a clear cable, nothing of a sealed one.
    pub fn read_clear(&self) -> Option<Opened> {
        match self {
            CablePayload::Clear(clear) => Some(opened_clear(clear)),
            CablePayload::Sealed(_) => None,
        }
    }

    /// Opens the payload with one stolen or held key, as an adversary's
    /// analyst does: no signature or replay checks.
    pub fn open_with(&self, key: &KeyMaterial) -> Result<Opened, CryptoError> {
        match self {
            CablePayload::Clear(clear) => Ok(opened_clear(clear)),
            CablePayload::Sealed(envelope) => {
                let secret = envelope.unwrap_with(key)?;
                envelope.decrypt(&secret)
            }
        }
    }

    /// Everything a recipient checks before a cable enters its inbox:
    /// it is on the recipient list, the e2e mode is the network's (no
    /// downgrade to a clear cable), the envelope opens, the signature
    /// verifies under `sender` (the certified identity of `header.from`)
    /// when required, and the id was not accepted before.
    pub fn accept(
        &self,
        me: &NodeKeys,
        sender: Option<&IdentityPublic>,
        policy: AcceptPolicy,
        replay: &mut ReplayGuard,
    ) -> Result<Opened, CryptoError> {
        let header = self.header();
        if !header.recipients.iter().any(|r| r == me.name()) {
            return Err(CryptoError::NotARecipient(me.name().to_owned()));
        }
        let opened = match (self, me.mode()) {
            (CablePayload::Clear(clear), E2eMode::Off) => {
                if clear.header.version != CableHeader::VERSION {
                    return Err(CryptoError::UnsupportedVersion(clear.header.version));
                }
                opened_clear(clear)
            }
            (CablePayload::Sealed(envelope), mode) if mode != E2eMode::Off => {
                let secret = envelope.unwrap_for(me)?;
                envelope.decrypt(&secret)?
            }
            (payload, mode) => {
                return Err(CryptoError::WrongMode {
                    expected: mode.as_str(),
                    found: match payload {
                        CablePayload::Clear(_) => E2eMode::Off.as_str(),
                        CablePayload::Sealed(e) => e.header.mode.e2e().as_str(),
                    },
                });
            }
        };
        if policy.require_signature {
            let identity = sender.ok_or_else(|| {
                CryptoError::MissingKey(format!("no identity known for sender {}", opened.header.from))
            })?;
            if !opened.verify_signature(identity)? {
                return Err(CryptoError::MissingSignature(opened.header.id.clone()));
            }
        }
        replay.check_and_record(&opened.header.id)?;
        Ok(opened)
    }
}

/// What a sealed cable occupies on the wire, measured on its encoding: the
/// figures of the run report's wire costs (README.md, "Report files").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvelopeCost {
    /// Bytes of the whole envelope as encoded.
    pub bytes: u64,
    /// Wraps for one recipient key each; none in group mode, whose one
    /// wrap is under the key every node shares.
    pub key_wraps: u64,
    /// Bytes those wraps occupy in the encoding: each wrap's own encoding,
    /// which is exactly what it adds to the envelope (postcard writes a
    /// struct as its fields one after another and a list as its length
    /// followed by its items; only that length's varint grows, by one
    /// byte, from the 128th wrap on).
    pub key_wrap_bytes: u64,
    /// The kind of keys the secret was wrapped for.
    pub mode: SealMode,
    /// Whether the wraps are hybrid (envelope version 2).
    pub hybrid: bool,
}

impl CablePayload {
    /// What the envelope costs on the wire; `None` for a clear cable,
    /// which has no envelope.
    pub fn envelope_cost(&self) -> Option<EnvelopeCost> {
        let CablePayload::Sealed(envelope) = self else {
            return None;
        };
        let header = &envelope.header;
        let (key_wraps, key_wrap_bytes) = if header.mode == SealMode::Group {
            (0, 0)
        } else {
            (
                header.wraps.len() as u64,
                header.wraps.iter().map(|wrap| encode(wrap).len() as u64).sum(),
            )
        };
        Some(EnvelopeCost {
            bytes: envelope.to_bytes().len() as u64,
            key_wraps,
            key_wrap_bytes,
            mode: header.mode,
            hybrid: header.version == HYBRID_ENVELOPE_VERSION,
        })
    }
}

fn opened_clear(clear: &ClearCable) -> Opened {
    Opened {
        signed_message: clear
            .signature
            .as_ref()
            .map(|_| signed_message(&clear_header_hash(&clear.header), &clear.content)),
        header: clear.header.clone(),
        content: clear.content.clone(),
        signature: clear.signature.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::envelope::{ENVELOPE_VERSION, HYBRID_WRAP_LEN, SealedHeader, WRAP_LEN, Wrap};
    use crate::crypto::keys::KeyId;
    use crate::model::Classification;

    fn envelope(version: u8, mode: SealMode, wraps: Vec<Wrap>) -> CablePayload {
        CablePayload::Sealed(Envelope {
            header: SealedHeader {
                version,
                cable: CableHeader {
                    version: CableHeader::VERSION,
                    id: "c-1".into(),
                    day: 3,
                    from: "a".into(),
                    to: vec!["b".into()],
                    recipients: vec!["b".into()],
                    classification: Classification::Restricted,
                },
                mode,
                ephemeral: [0; KEY_LEN],
                wraps,
            },
            ciphertext: vec![7; 100],
        })
    }

    fn wrap(recipient: &str, epoch: Option<u32>, len: usize) -> Wrap {
        Wrap {
            recipient: recipient.into(),
            key_id: KeyId([1; 8]),
            epoch,
            sealed_secret: vec![9; len],
        }
    }

    #[test]
    fn a_wrap_costs_its_own_encoding() {
        // "b-mfa": 1 (length) + 5 (name) + 8 (key id) + 2 (Some, epoch 4)
        // + 1 (length 48) + 48 (WRAP_LEN) = 65 bytes.
        let two = envelope(
            ENVELOPE_VERSION,
            SealMode::ForwardSecret,
            vec![wrap("b-mfa", Some(4), WRAP_LEN); 2],
        );
        let cost = two.envelope_cost().unwrap();
        assert_eq!((cost.key_wraps, cost.key_wrap_bytes, cost.hybrid), (2, 130, false));
        // Without them the envelope is smaller by exactly those 130 bytes
        // (the list's length stays one byte).
        let none = envelope(ENVELOPE_VERSION, SealMode::ForwardSecret, Vec::new());
        assert_eq!(cost.bytes, none.envelope_cost().unwrap().bytes + 130);
        // Hybrid: the length 1,136 (HYBRID_WRAP_LEN) takes two varint
        // bytes: 1 + 5 + 8 + 2 + 2 + 1,136 = 1,154 bytes.
        let hybrid = envelope(
            HYBRID_ENVELOPE_VERSION,
            SealMode::ForwardSecret,
            vec![wrap("b-mfa", Some(4), HYBRID_WRAP_LEN)],
        );
        let cost = hybrid.envelope_cost().unwrap();
        assert_eq!((cost.key_wraps, cost.key_wrap_bytes, cost.hybrid), (1, 1154, true));
    }

    #[test]
    fn group_and_clear_cables_have_no_key_wraps() {
        let group = envelope(ENVELOPE_VERSION, SealMode::Group, vec![wrap("*", None, WRAP_LEN)]);
        let cost = group.envelope_cost().unwrap();
        assert_eq!(
            (cost.key_wraps, cost.key_wrap_bytes, cost.mode),
            (0, 0, SealMode::Group)
        );
        let clear = CablePayload::Clear(ClearCable {
            header: group.header().clone(),
            content: CableContent {
                subject: "s".into(),
                body: "b".into(),
            },
            signature: None,
        });
        assert_eq!(clear.envelope_cost(), None);
    }
}
