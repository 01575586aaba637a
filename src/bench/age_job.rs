//! The same job with the `age` crate (age-encryption.org/v1): encrypt one
//! plaintext to N X25519 recipients, then decrypt it once as each of them,
//! through age's public API (`Encryptor::with_recipients`, `wrap_output`,
//! `Decryptor::new_buffered`, `decrypt`).
//!
//! Why age's decrypt-by-each is O(N²): an X25519 stanza names no
//! recipient — the spec keeps them anonymous on purpose — so an identity
//! cannot tell which stanza is its own. `Decryptor::decrypt` hands it every
//! stanza in turn, and `x25519::Identity::unwrap_stanza`
//! (age-0.12.1/src/native/x25519.rs) runs a Diffie-Hellman (and derives
//! its own public key for the salt) on each until the AEAD of one opens.
//! The k-th recipient pays k attempts: N(N+1)/2 for all N. Our envelope
//! names the key a wrap is for (its key id), so each recipient does one.

use std::io::{Read, Write};
use std::time::Instant;

use age::x25519;

use super::BenchError;
use super::cables;
use super::envelope::Timed;
use super::options::BenchOptions;
use super::stats::{median, micros};

/// N age identities and the plaintext they all receive.
pub(super) struct AgeParties {
    identities: Vec<x25519::Identity>,
    recipients: Vec<x25519::Recipient>,
    plaintext: Vec<u8>,
}

impl AgeParties {
    /// `recipients` fresh identities and a `size`-byte cable body.
    pub(super) fn new(recipients: usize, size: usize) -> AgeParties {
        let identities: Vec<x25519::Identity> = (0..recipients).map(|_| x25519::Identity::generate()).collect();
        AgeParties {
            recipients: identities.iter().map(x25519::Identity::to_public).collect(),
            identities,
            plaintext: cables::body(size).into_bytes(),
        }
    }

    /// The plaintext encrypted once to every recipient.
    pub(super) fn encrypt(&self) -> Result<Vec<u8>, BenchError> {
        let age_error = |e: &dyn std::fmt::Display| BenchError::Age(format!("encrypting: {e}"));
        let encryptor = age::Encryptor::with_recipients(self.recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| age_error(&e))?;
        let mut out = Vec::with_capacity(self.plaintext.len() + 256 * self.recipients.len());
        let mut writer = encryptor.wrap_output(&mut out).map_err(|e| age_error(&e))?;
        writer.write_all(&self.plaintext).map_err(|e| age_error(&e))?;
        writer.finish().map_err(|e| age_error(&e))?;
        Ok(out)
    }

    /// The job timed: encrypt once, decrypt as every recipient, and check
    /// each got the plaintext back.
    fn job(&self) -> Result<(), BenchError> {
        let ciphertext = self.encrypt()?;
        for identity in &self.identities {
            if decrypt(identity, &ciphertext)? != self.plaintext {
                return Err(BenchError::Age("a recipient decrypted other bytes".into()));
            }
        }
        Ok(())
    }
}

/// Decrypts `ciphertext` as `identity`, as a recipient of an age file does.
pub(super) fn decrypt(identity: &x25519::Identity, ciphertext: &[u8]) -> Result<Vec<u8>, BenchError> {
    let age_error = |e: &dyn std::fmt::Display| BenchError::Age(format!("decrypting: {e}"));
    // `new_buffered`, as age's docs advise for a slice: `Decryptor::new`
    // parses the header from an unbuffered reader and, at 31 stanzas, spends
    // about 7 ms doing so (measured here) — a cost of the API choice, not of
    // age's cryptography, which is what the bench compares.
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(|e| age_error(&e))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|e| age_error(&e))?;
    let mut plaintext = Vec::new();
    reader.read_to_end(&mut plaintext).map_err(|e| age_error(&e))?;
    Ok(plaintext)
}

/// Times up to `options.cables` jobs after one untimed, stopping early
/// once [`BenchOptions::AGE_BUDGET`] is spent and at least
/// [`BenchOptions::MIN_SAMPLES`] are in: at hundreds of recipients one
/// job takes seconds.
pub(super) fn measure(options: &BenchOptions) -> Result<Timed, BenchError> {
    let parties = AgeParties::new(options.recipients, options.size);
    parties.job()?;
    let began = Instant::now();
    let mut times = Vec::with_capacity(options.cables);
    while times.len() < options.cables
        && (times.len() < BenchOptions::MIN_SAMPLES || began.elapsed() < BenchOptions::AGE_BUDGET)
    {
        let start = Instant::now();
        parties.job()?;
        times.push(micros(start.elapsed()));
    }
    let samples = times.len();
    let median_us = median(&mut times).ok_or_else(|| BenchError::Incomplete("no age samples".into()))?;
    Ok(Timed { median_us, samples })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipient_decrypts_the_same_bytes() {
        let parties = AgeParties::new(3, 1000);
        let ciphertext = parties.encrypt().unwrap();
        for identity in &parties.identities {
            assert_eq!(decrypt(identity, &ciphertext).unwrap(), parties.plaintext);
        }
        parties.job().unwrap();
    }

    #[test]
    fn fail_decrypt_with_a_wrong_identity() {
        let parties = AgeParties::new(2, 100);
        let ciphertext = parties.encrypt().unwrap();
        let stranger = x25519::Identity::generate();
        assert!(matches!(decrypt(&stranger, &ciphertext), Err(BenchError::Age(_))));
    }

    #[test]
    fn fail_decrypt_tampered_ciphertext() {
        let parties = AgeParties::new(1, 100);
        let mut ciphertext = parties.encrypt().unwrap();
        let last = ciphertext.len() - 1;
        ciphertext[last] ^= 1;
        assert!(decrypt(&parties.identities[0], &ciphertext).is_err());
    }
}
