//! Traffic analysis of TLS: what a wiretap learns from an encrypted link
//! is the number and sizes of records, nothing inside them.
//!
//! Only the 5-byte record header (RFC 8446 §5.1) is read: content type,
//! legacy version, length. This is not a TLS implementation, just the
//! framing every record carries in the clear.
#![warn(clippy::indexing_slicing)]

/// RFC 8446 §5.1: `application_data`. In TLS 1.3 every encrypted record
/// (data, and the encrypted handshake and alerts) carries this outer type.
const APPLICATION_DATA: u8 = 23;
const HEADER: usize = 5;

/// Records seen in a byte stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCount {
    /// Encrypted records (outer type `application_data`).
    pub encrypted: u64,
    /// Plaintext records (handshake hellos, change_cipher_spec).
    pub clear: u64,
}

/// Whether `bytes` start like a TLS record: a known content type and a
/// 0x03 major version.
pub fn looks_like_tls(bytes: &[u8]) -> bool {
    matches!(bytes, [20..=23, 0x03, 0x01..=0x04, ..])
}

/// Counts the records of a TLS byte stream. Stops at the first header
/// that is not a TLS record header, or at a record cut off at the end.
pub fn count_records(bytes: &[u8]) -> RecordCount {
    count_whole_records(bytes).0
}

/// Counts the records of a TLS byte stream as [`count_records`] does, and
/// says how many bytes those whole records take: where to resume counting
/// when more of the stream arrives.
pub fn count_whole_records(bytes: &[u8]) -> (RecordCount, usize) {
    let mut count = RecordCount::default();
    let mut at = 0usize;
    while let Some(header) = bytes.get(at..at.saturating_add(HEADER)) {
        if !looks_like_tls(header) {
            break;
        }
        let len = usize::from(u16::from_be_bytes([
            header.get(3).copied().unwrap_or(0),
            header.get(4).copied().unwrap_or(0),
        ]));
        let end = at.saturating_add(HEADER).saturating_add(len);
        if end > bytes.len() {
            break;
        }
        if header.first() == Some(&APPLICATION_DATA) {
            count.encrypted += 1;
        } else {
            count.clear += 1;
        }
        at = end;
    }
    (count, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u8, len: u16) -> Vec<u8> {
        let mut r = vec![kind, 3, 3];
        r.extend_from_slice(&len.to_be_bytes());
        r.extend(std::iter::repeat_n(0xaa, len as usize));
        r
    }

    #[test]
    fn counts_encrypted_and_clear_records() {
        let mut stream = record(22, 40);
        stream.extend(record(20, 1));
        stream.extend(record(23, 300));
        stream.extend(record(23, 16));
        assert_eq!(count_records(&stream), RecordCount { encrypted: 2, clear: 2 });
    }

    #[test]
    fn whole_records_say_where_to_resume() {
        let mut stream = record(23, 10);
        stream.extend(record(22, 4));
        let whole = stream.len();
        stream.extend(record(23, 30).into_iter().take(12));
        assert_eq!(
            count_whole_records(&stream),
            (RecordCount { encrypted: 1, clear: 1 }, whole)
        );
        assert_eq!(count_whole_records(&[]), (RecordCount::default(), 0));
    }

    #[test]
    fn stops_at_garbage_and_cut_records() {
        let mut stream = record(23, 10);
        stream.extend(record(23, 10));
        stream.truncate(stream.len() - 1);
        assert_eq!(count_records(&stream).encrypted, 1);
        assert_eq!(count_records(b"\x00\x00\x00\x05hello").encrypted, 0);
        assert_eq!(count_records(&[]), RecordCount::default());
    }
}
