//! Opening an envelope: the structural checks, recovering the cable
//! secret M with one key (as an adversary does) or as a recipient (strictly),
//! and decrypting the body with it.

use zeroize::Zeroizing;

use super::wrap_keys::{agreement_wrap_key, body_key, group_wrap_key, hybrid_wrap_key};
use super::{
    ENVELOPE_VERSION, Envelope, HYBRID_ENVELOPE_VERSION, HYBRID_WRAP_LEN, Inner, Opened, SealMode, WRAP_LEN, Wrap,
    signed_message,
};
use crate::crypto::CryptoError;
use crate::crypto::keyring::{KeyMaterial, NodeKeys};
use crate::crypto::keys::{AgreementPublic, AgreementSecret, GroupKey};
use crate::crypto::primitives::{KEY_LEN, ML_KEM_CIPHERTEXT_LEN, open_once};
use crate::model::{CableHeader, E2eMode, Epoch, epoch_of};

impl Envelope {
    /// Structural checks every opener runs before touching a key.
    fn validate(&self) -> Result<(), CryptoError> {
        let h = &self.header;
        let wrap_len = match h.version {
            ENVELOPE_VERSION => WRAP_LEN,
            HYBRID_ENVELOPE_VERSION if h.mode != SealMode::Group => HYBRID_WRAP_LEN,
            HYBRID_ENVELOPE_VERSION => {
                return Err(CryptoError::Malformed(
                    "a hybrid envelope in group mode: the group key is symmetric".into(),
                ));
            }
            other => return Err(CryptoError::UnsupportedVersion(other)),
        };
        if h.cable.version != CableHeader::VERSION {
            return Err(CryptoError::UnsupportedVersion(h.cable.version));
        }
        for wrap in &h.wraps {
            if wrap.sealed_secret.len() != wrap_len {
                return Err(CryptoError::WrapLength {
                    recipient: wrap.recipient.clone(),
                    len: wrap.sealed_secret.len(),
                    expected: wrap_len,
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

    /// Whether the wraps are hybrid (checked by [`Envelope::validate`]).
    pub fn is_hybrid(&self) -> bool {
        self.header.version == HYBRID_ENVELOPE_VERSION
    }

    fn open_agreement_wrap(
        &self,
        wrap: &Wrap,
        secret: &AgreementSecret,
    ) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        let h = &self.header;
        if secret.is_hybrid() != self.is_hybrid() {
            // The key ids differ between the kinds, so only a wrap that
            // names the wrong id gets here: not this key's wrap.
            return Err(CryptoError::NotARecipient(wrap.recipient.clone()));
        }
        let ephemeral = AgreementPublic(h.ephemeral);
        let shared = secret.agree(&ephemeral)?;
        if !self.is_hybrid() {
            let wrap_key = agreement_wrap_key(
                h.mode,
                wrap.epoch,
                &h.ephemeral,
                &secret.public(),
                &shared,
                &h.cable.id,
                &wrap.recipient,
            );
            return secret_from(open_once(&wrap_key, &[], &wrap.sealed_secret, "wrap")?);
        }
        // validate() checked the length, so the split is in range.
        let (kem_ciphertext, sealed) = wrap.sealed_secret.split_at(ML_KEM_CIPHERTEXT_LEN);
        let kem_shared = secret.decapsulate(kem_ciphertext)?;
        let wrap_key = hybrid_wrap_key(
            h.mode,
            wrap.epoch,
            &h.ephemeral,
            &secret.public(),
            kem_ciphertext,
            &kem_shared,
            &shared,
            &h.cable.id,
            &wrap.recipient,
        );
        secret_from(open_once(&wrap_key, &[], sealed, "wrap")?)
    }

    /// Recovers M as the recipient `keys.name()`, strictly: the mode must be
    /// the node's, each wrap's epoch must be the epoch of the cable's day,
    /// and that epoch's key must still be held.
    pub fn unwrap_for(&self, keys: &NodeKeys) -> Result<Zeroizing<[u8; KEY_LEN]>, CryptoError> {
        self.validate()?;
        let h = &self.header;
        let hybrid_wraps = self.is_hybrid();
        let hybrid_keys = keys.agreement().is_hybrid() && h.mode != SealMode::Group;
        if h.mode.e2e() != keys.mode() || hybrid_wraps != hybrid_keys {
            return Err(CryptoError::WrongMode {
                expected: mode_name(keys.mode(), hybrid_keys),
                found: mode_name(h.mode.e2e(), hybrid_wraps),
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

/// The name of an e2e mode in errors, saying "hybrid" for hybrid wraps.
fn mode_name(mode: E2eMode, hybrid: bool) -> &'static str {
    match (mode, hybrid) {
        (E2eMode::Static, true) => "hybrid static",
        (E2eMode::ForwardSecret, true) => "hybrid forward-secret",
        (mode, _) => mode.as_str(),
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
