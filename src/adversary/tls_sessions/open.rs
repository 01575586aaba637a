//! Opening one direction's recorded records with its application traffic
//! secret, using rustls's own key schedule step and record decrypter.

use rustls::crypto::cipher::InboundOpaqueMessage;
use rustls::crypto::tls13::OkmBlock;
use rustls::{ContentType, ProtocolVersion, Tls13CipherSuite};
use zeroize::Zeroizing;

use super::TlsReadError;

/// The application bytes of one direction and how many records opened.
#[derive(Default)]
pub(super) struct Opened {
    pub(super) bytes: Vec<u8>,
    pub(super) records: usize,
}

/// Opens `records` (payloads of encrypted records, in order) with
/// `secret`, the direction's `*_TRAFFIC_SECRET_0`.
///
/// The first records are the encrypted handshake (EncryptedExtensions,
/// Certificate, ..., Finished), under handshake keys the application
/// secret cannot open. They are skipped until one opens as sequence
/// number 0; from there every record must open with the next number
/// (RFC 8446 §5.3), or the recording is damaged.
pub(super) fn direction(
    suite: &Tls13CipherSuite,
    secret: &[u8],
    records: &[Vec<u8>],
    direction: &'static str,
) -> Result<Opened, TlsReadError> {
    let expected = suite.common.hash_provider.output_len();
    if secret.len() != expected {
        return Err(TlsReadError::SecretLength {
            direction,
            expected,
            found: secret.len(),
        });
    }
    // RFC 8446 §7.3: key = HKDF-Expand-Label(secret, "key", "", key_length),
    // iv = HKDF-Expand-Label(secret, "iv", "", iv_length). rustls's own
    // functions for this step sit in `rustls::internal`, outside its
    // semver promise; they are used anyway because only they can build the
    // 16-byte `AeadKey` AES-128-GCM needs (the public constructor takes 32
    // bytes). Cargo.lock pins rustls, and the RFC 8448 tests pin the output.
    let expander = suite.hkdf_provider.expander_for_okm(&OkmBlock::new(secret));
    let key = rustls::internal::derive_traffic_key(expander.as_ref(), suite.aead_alg);
    let iv = rustls::internal::derive_traffic_iv(expander.as_ref());
    let mut decrypter = suite.aead_alg.decrypter(key, iv);

    let mut opened = Opened::default();
    let mut next_seq: Option<u64> = None;
    for record in records {
        let seq = next_seq.unwrap_or(0);
        // Decryption happens in place: the buffer ends up holding plaintext.
        let mut buffer = Zeroizing::new(record.clone());
        let message = InboundOpaqueMessage::new(ContentType::ApplicationData, ProtocolVersion::TLSv1_2, &mut buffer);
        // The decrypter checks the tag, removes the padding and reads the
        // inner content type (RFC 8446 §5.2, §5.4).
        match decrypter.decrypt(message, seq) {
            Ok(plain) => {
                // Post-handshake messages and alerts are not frames.
                if plain.typ == ContentType::ApplicationData {
                    opened.bytes.extend_from_slice(plain.payload);
                }
                opened.records += 1;
                next_seq = Some(seq.saturating_add(1));
            }
            Err(_) if next_seq.is_none() => {}
            Err(_) => return Err(TlsReadError::RecordFails { direction, seq }),
        }
    }
    Ok(opened)
}
