//! One recorded direction of a link, cut into what the session reader
//! needs: whole plaintext handshake messages (reassembled across records)
//! and the payloads of encrypted records, in the order they crossed.

use super::hello::Reader;
use crate::adversary::looks_like_tls;

/// RFC 8446 §5.1: record content types.
const HANDSHAKE: u8 = 22;
const APPLICATION_DATA: u8 = 23;
const HEADER: usize = 5;
/// RFC 8446 §5.2: the largest encrypted record (2^14 + 256). A longer
/// length field is not TLS, and the stream cannot be followed past it.
const MAX_RECORD: usize = (1 << 14) + 256;

/// A piece of one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    /// A plaintext handshake message: its type and body.
    Handshake { kind: u8, body: Vec<u8> },
    /// The payload of an encrypted record (outer type application_data).
    Encrypted(Vec<u8>),
}

/// The pieces of `stream`, in order.
///
/// change_cipher_spec records (sent only for middlebox compatibility in
/// TLS 1.3) and plaintext alerts carry nothing to read and are skipped.
/// Where the bytes stop being TLS records (a recording that starts or
/// resumes inside a record, or damage), reading resumes at the next
/// record that starts a hello: the connections after it are still whole.
pub(super) fn pieces(stream: &[u8]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    // Plaintext handshake bytes that do not yet make a whole message.
    let mut pending = Vec::new();
    let mut rest = stream;
    loop {
        let Some((kind, payload, after)) = next_record(rest) else {
            match next_hello_record(rest) {
                Some(at) => {
                    pending.clear();
                    rest = rest.get(at..).unwrap_or_default();
                    continue;
                }
                None => break,
            }
        };
        rest = after;
        match kind {
            HANDSHAKE => {
                pending.extend_from_slice(payload);
                while let Some((kind, body, used)) = handshake_message(&pending) {
                    pieces.push(Piece::Handshake { kind, body });
                    pending.drain(..used);
                }
            }
            APPLICATION_DATA => {
                // Hellos never straddle encrypted records: what is pending
                // is the unfinished end of an earlier connection.
                pending.clear();
                pieces.push(Piece::Encrypted(payload.to_vec()));
            }
            _ => {}
        }
    }
    pieces
}

/// Where, after the first byte of `bytes`, a plaintext handshake record
/// begins whose first message is a ClientHello (1) or ServerHello (2).
fn next_hello_record(bytes: &[u8]) -> Option<usize> {
    (1..bytes.len()).find(|&at| matches!(bytes.get(at..), Some([HANDSHAKE, 3, 1..=4, _, _, 1 | 2, ..])))
}

/// The first record of `bytes`: its content type, payload and what follows.
fn next_record(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let header = bytes.get(..HEADER)?;
    if !looks_like_tls(header) {
        return None;
    }
    let mut r = Reader(header);
    let kind = r.u8()?;
    r.take(2)?; // legacy_record_version
    let len = usize::from(u16::from_be_bytes(r.take(2)?.try_into().ok()?));
    if len > MAX_RECORD {
        return None;
    }
    let (payload, after) = bytes.get(HEADER..)?.split_at_checked(len)?;
    Some((kind, payload, after))
}

/// The first whole handshake message of `bytes` (RFC 8446 §4: type,
/// 24-bit length, body) and how many bytes it took.
fn handshake_message(bytes: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let mut r = Reader(bytes);
    let kind = r.u8()?;
    let len = r.u24()?;
    let body = r.take(len)?;
    Some((kind, body.to_vec(), 4 + len))
}
