//! The wire codec: round trips, partial input, limits and garbage.

use cablesim::crypto::{
    CablePayload, ClearCable, IdentityKey, KeyAgreement, KeyKind, NodeKeys, TrustedIdentities, check_entry,
};
use cablesim::model::{CableContent, CableHeader, Classification, E2eMode};
use cablesim::wire::{
    DEFAULT_MAX_FRAME, Decoded, ErrorCode, Frame, FrameReader, LENGTH_PREFIX, WireError, decode_frame, encode_frame,
};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,20}"
}

fn header() -> impl Strategy<Value = CableHeader> {
    (
        name(),
        0u32..5000,
        name(),
        prop::collection::vec(name(), 0..6),
        0usize..5,
    )
        .prop_map(|(id, day, from, to, level)| CableHeader {
            version: CableHeader::VERSION,
            id,
            day,
            from,
            recipients: to.clone(),
            to,
            classification: Classification::ALL[level],
        })
}

fn clear_payload() -> impl Strategy<Value = CablePayload> {
    (
        header(),
        ".{0,200}",
        ".{0,2000}",
        prop::option::of(prop::collection::vec(any::<u8>(), 64)),
    )
        .prop_map(|(header, subject, body, signature)| {
            CablePayload::Clear(ClearCable {
                header,
                content: CableContent { subject, body },
                signature,
            })
        })
}

/// A real sealed envelope and a real directory entry, with agreement keys
/// of the given kind, to round-trip what the crypto layer really produces.
fn sealed_payload_and_entry(agreement: KeyAgreement) -> (CablePayload, cablesim::crypto::DirectoryEntry) {
    let keys =
        |name: &str| NodeKeys::with_agreement(name, E2eMode::Static, 7, 1, agreement, IdentityKey::generate(), None);
    let (sender, recipient) = (keys("at-mfa"), keys("de-mfa"));
    let mut trusted = TrustedIdentities::new();
    trusted.insert("de-mfa", recipient.identity().public());
    let keys = check_entry("de-mfa", &recipient.publish(), KeyKind::Static, &trusted, true)
        .unwrap()
        .accepted;
    let header = CableHeader {
        version: CableHeader::VERSION,
        id: "C-000001".into(),
        day: 4,
        from: "at-mfa".into(),
        to: vec!["de-mfa".into()],
        recipients: vec!["de-mfa".into()],
        classification: Classification::Limite,
    };
    let content = CableContent {
        subject: "s".into(),
        body: "b".into(),
    };
    (
        CablePayload::seal(header, &content, &sender, &keys, true).unwrap(),
        recipient.publish(),
    )
}

fn frame() -> impl Strategy<Value = Frame> {
    let (sealed, entry) = sealed_payload_and_entry(KeyAgreement::Classical);
    let (hybrid_sealed, hybrid_entry) = sealed_payload_and_entry(KeyAgreement::Hybrid);
    prop_oneof![
        (name(), any::<u16>()).prop_map(|(node, protocol)| Frame::Hello { node, protocol }),
        clear_payload().prop_map(|payload| Frame::Submit { payload }),
        clear_payload().prop_map(|payload| Frame::Deliver { payload }),
        Just(Frame::Submit {
            payload: sealed.clone()
        }),
        Just(Frame::Deliver { payload: sealed }),
        Just(Frame::Deliver { payload: hybrid_sealed }),
        Just(Frame::Publish { entry: hybrid_entry }),
        name().prop_map(|cable| Frame::Ack { cable }),
        Just(Frame::Publish { entry: entry.clone() }),
        prop::collection::vec(name(), 0..10).prop_map(|nodes| Frame::DirectoryRequest { nodes }),
        (0usize..4).prop_map(move |n| Frame::DirectoryAnswer {
            entries: vec![entry.clone(); n]
        }),
        Just(Frame::DirectoryWatch),
        Just(Frame::DirectoryChanged),
        (
            prop::sample::select(vec![
                ErrorCode::Malformed,
                ErrorCode::Oversized,
                ErrorCode::Rejected,
                ErrorCode::Busy
            ]),
            ".{0,80}"
        )
            .prop_map(|(code, detail)| Frame::Error {
                cable: None,
                code,
                detail
            }),
    ]
}

proptest! {
    #[test]
    fn frames_round_trip(frame in frame()) {
        let bytes = encode_frame(&frame, DEFAULT_MAX_FRAME).unwrap();
        prop_assert_eq!(decode_frame(&bytes, DEFAULT_MAX_FRAME).unwrap(), Decoded::Frame { frame, consumed: bytes.len() });
    }

    #[test]
    fn any_truncation_needs_more_bytes(frame in frame()) {
        let bytes = encode_frame(&frame, DEFAULT_MAX_FRAME).unwrap();
        for cut in 0..bytes.len() {
            let expected = if cut < LENGTH_PREFIX { LENGTH_PREFIX } else { bytes.len() };
            prop_assert_eq!(decode_frame(&bytes[..cut], DEFAULT_MAX_FRAME).unwrap(), Decoded::NeedMore { needed: expected });
        }
    }

    #[test]
    fn concatenated_frames_decode_one_by_one_whatever_the_chunking(
        frames in prop::collection::vec(frame(), 1..8),
        chunk in 1usize..97,
    ) {
        let stream: Vec<u8> = frames.iter().flat_map(|f| encode_frame(f, DEFAULT_MAX_FRAME).unwrap()).collect();
        let mut reader = FrameReader::new(DEFAULT_MAX_FRAME);
        let mut out = Vec::new();
        for piece in stream.chunks(chunk) {
            reader.push(piece);
            while let Some(frame) = reader.next_frame().unwrap() {
                out.push(frame);
            }
        }
        prop_assert_eq!(out, frames);
        prop_assert_eq!(reader.buffered(), 0);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        match decode_frame(&bytes, 256) {
            Ok(Decoded::Frame { consumed, .. }) => prop_assert!(consumed <= bytes.len()),
            Ok(Decoded::NeedMore { needed }) => prop_assert!(needed > bytes.len()),
            Err(_) => {}
        }
    }
}

#[test]
fn fail_oversized_frame_is_refused_from_its_prefix_alone() {
    let max = 1000;
    let prefix = 1001u32.to_be_bytes();
    assert_eq!(decode_frame(&prefix, max), Err(WireError::Oversized { len: 1001, max }));
    let huge = u32::MAX.to_be_bytes();
    assert_eq!(
        decode_frame(&huge, DEFAULT_MAX_FRAME),
        Err(WireError::Oversized {
            len: u32::MAX as usize,
            max: DEFAULT_MAX_FRAME
        })
    );
}

#[test]
fn fail_encoding_an_oversized_frame() {
    let frame = Frame::Ack {
        cable: "x".repeat(2000),
    };
    let len = encode_frame(&frame, DEFAULT_MAX_FRAME).unwrap().len() - LENGTH_PREFIX;
    assert_eq!(encode_frame(&frame, 1000), Err(WireError::Oversized { len, max: 1000 }));
}

#[test]
fn fail_empty_frame() {
    assert_eq!(decode_frame(&[0, 0, 0, 0], DEFAULT_MAX_FRAME), Err(WireError::Empty));
}

#[test]
fn fail_garbage_body() {
    // Frame type 200 does not exist.
    let unknown_type = [0, 0, 0, 2, 0xc8, 0x01];
    assert!(matches!(
        decode_frame(&unknown_type, DEFAULT_MAX_FRAME),
        Err(WireError::Malformed(_))
    ));
    // An `ack` whose string runs past the end of the frame.
    let short_string = [0, 0, 0, 3, 0x03, 0x09, b'C'];
    assert!(matches!(
        decode_frame(&short_string, DEFAULT_MAX_FRAME),
        Err(WireError::Malformed(_))
    ));
    // Invalid UTF-8 in a node name.
    let bad_utf8 = [0, 0, 0, 5, 0x00, 0x02, 0xff, 0xfe, 0x01];
    assert!(matches!(
        decode_frame(&bad_utf8, DEFAULT_MAX_FRAME),
        Err(WireError::Malformed(_))
    ));
    // Plain text, as a confused HTTP client would send.
    assert!(decode_frame(b"GET / HTTP/1.1\r\n\r\n", DEFAULT_MAX_FRAME).is_err());
}

#[test]
fn fail_trailing_bytes_inside_a_frame() {
    let mut bytes = encode_frame(&Frame::Ack { cable: "C-1".into() }, DEFAULT_MAX_FRAME).unwrap();
    bytes.push(0);
    let len = (bytes.len() - LENGTH_PREFIX) as u32;
    bytes[..LENGTH_PREFIX].copy_from_slice(&len.to_be_bytes());
    assert_eq!(
        decode_frame(&bytes, DEFAULT_MAX_FRAME),
        Err(WireError::TrailingBytes(1))
    );
}

#[test]
fn reader_stays_failed_after_an_error() {
    let mut reader = FrameReader::new(100);
    reader.push(&1000u32.to_be_bytes());
    assert_eq!(reader.next_frame(), Err(WireError::Oversized { len: 1000, max: 100 }));
    reader.push(&encode_frame(&Frame::Ack { cable: "C-1".into() }, 100).unwrap());
    assert_eq!(reader.next_frame(), Err(WireError::Oversized { len: 1000, max: 100 }));
    assert_eq!(reader.buffered(), 0);
}

/// Hybrid keys are 1,184 bytes of ML-KEM key each, and a directory answer
/// carries every node's: the largest network `cablesim bench` builds (256
/// recipients and a sender, one key each) still fits one frame, with room
/// for about three times as many keys.
#[test]
fn hybrid_directory_of_the_largest_network_fits_one_frame() {
    let entries: Vec<_> = (0..257)
        .map(|i| {
            let name = format!("n{i:03}-mfa");
            NodeKeys::with_agreement(
                &name,
                E2eMode::ForwardSecret,
                7,
                1,
                KeyAgreement::Hybrid,
                IdentityKey::generate(),
                None,
            )
            .publish()
        })
        .collect();
    // One epoch key: tag, epoch 0, X25519 key, ML-KEM key with its
    // two-byte length, signature with its one-byte length.
    let key = postcard::to_stdvec(&entries[0].keys[0]).unwrap();
    assert_eq!(key.len(), 1 + 1 + 32 + 2 + 1184 + 1 + 64);
    // An entry: its 8-byte name with its length, the identity, one key.
    assert_eq!(
        postcard::to_stdvec(&entries[0]).unwrap().len(),
        1 + 8 + 32 + 1 + key.len()
    );
    let answer = encode_frame(&Frame::DirectoryAnswer { entries }, DEFAULT_MAX_FRAME).unwrap();
    assert_eq!(answer.len(), LENGTH_PREFIX + 1 + 2 + 257 * (1 + 8 + 32 + 1 + key.len()));
    assert!(answer.len() * 3 < DEFAULT_MAX_FRAME, "{} bytes", answer.len());
}
