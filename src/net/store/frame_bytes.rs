//! The bytes of an archived frame, whole or around a body the nodes share.
//!
//! Without end-to-end encryption the hub's archive holds every cable in
//! the clear, and so do the sender's sent items and each recipient's inbox:
//! the body, most of a cable's bytes, would be in memory once in the
//! archived frame and once more in the nodes' shared copy
//! ([`SharedCables`]). The in-memory hub store of an in-process run
//! therefore keeps such a frame as the bytes before the body, the nodes'
//! copy of the cable, and the bytes after it: the same bytes in order, of
//! which the body is stored once.

use std::sync::Arc;

use super::{SharedCables, StoredCable};
use crate::crypto::CablePayload;
use crate::wire::{Decoded, Frame, decode_frame};

/// The bytes of one stored frame. Cloning shares them.
#[derive(Clone)]
pub struct FrameBytes(Repr);

#[derive(Clone)]
enum Repr {
    Whole(Arc<[u8]>),
    /// `rest[..at]`, then the body of `cable`, then `rest[at..]`.
    AroundBody {
        rest: Arc<[u8]>,
        at: usize,
        cable: Arc<StoredCable>,
    },
}

impl FrameBytes {
    /// The frame's bytes, in order, in at most three pieces.
    pub fn pieces(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let (before, body, after): (&[u8], &[u8], &[u8]) = match &self.0 {
            Repr::Whole(frame) => (frame, &[], &[]),
            Repr::AroundBody { rest, at, cable } => {
                let (before, after) = rest.split_at(*at);
                (before, cable.content.body.as_bytes(), after)
            }
        };
        [before, body, after].into_iter().filter(|piece| !piece.is_empty())
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Whole(frame) => frame.len(),
            Repr::AroundBody { rest, cable, .. } => rest.len() + cable.content.body.len(),
        }
    }

    /// Whether the frame has no bytes (a stored frame never has).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes in one piece (copied together if kept around a body).
    pub fn to_vec(&self) -> Vec<u8> {
        self.pieces().collect::<Vec<_>>().concat()
    }

    /// The bytes, if kept whole.
    pub fn whole(&self) -> Option<&Arc<[u8]>> {
        match &self.0 {
            Repr::Whole(frame) => Some(frame),
            Repr::AroundBody { .. } => None,
        }
    }

    /// The nodes' copy of the cable whose body the frame is kept around.
    pub fn shared_cable(&self) -> Option<&Arc<StoredCable>> {
        match &self.0 {
            Repr::Whole(_) => None,
            Repr::AroundBody { cable, .. } => Some(cable),
        }
    }

    /// `frame` kept around the body of the clear cable it delivers, with
    /// the cable in `shared` for the nodes that file it; whole if it is
    /// anything else (a sealed cable's body is not in its frame).
    pub(super) fn sharing_body(frame: Arc<[u8]>, shared: &SharedCables) -> FrameBytes {
        let Ok(Decoded::Frame {
            frame: Frame::Deliver {
                payload: CablePayload::Clear(clear),
            },
            ..
        }) = decode_frame(&frame, frame.len())
        else {
            return FrameBytes::from(frame);
        };
        // A clear cable is encoded last in its frame, its body followed
        // only by its signature: an option, then, if present, the length
        // and the bytes.
        let after = match &clear.signature {
            None => 1,
            Some(signature) => 1 + varint_len(signature.len()) + signature.len(),
        };
        let body = clear.content.body.as_bytes();
        let Some(start) = frame.len().checked_sub(after + body.len()) else {
            return FrameBytes::from(frame);
        };
        // Checked rather than trusted: the pieces are the frame's bytes
        // whatever the encoding does.
        if frame.get(start..start + body.len()) != Some(body) {
            return FrameBytes::from(frame);
        }
        let (before, rest) = frame.split_at(start);
        let after = rest.get(body.len()..).unwrap_or_default();
        let rest: Arc<[u8]> = [before, after].concat().into();
        let cable = shared.share(StoredCable {
            header: clear.header,
            content: clear.content,
        });
        FrameBytes(Repr::AroundBody { rest, at: start, cable })
    }
}

/// Bytes of postcard's variable-length encoding of `n`: seven bits a byte.
fn varint_len(mut n: usize) -> usize {
    let mut bytes = 1;
    while n >= 0x80 {
        n >>= 7;
        bytes += 1;
    }
    bytes
}

impl From<Arc<[u8]>> for FrameBytes {
    fn from(frame: Arc<[u8]>) -> Self {
        FrameBytes(Repr::Whole(frame))
    }
}

impl std::fmt::Debug for FrameBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameBytes")
            .field("len", &self.len())
            .field("shares_a_body", &self.shared_cable().is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{ClearCable, IdentityKey};
    use crate::model::{CableContent, CableHeader, Classification};
    use crate::wire::{DEFAULT_MAX_FRAME, encode_frame};

    fn stored(body: &str) -> StoredCable {
        StoredCable {
            header: CableHeader {
                version: CableHeader::VERSION,
                id: "C-1".into(),
                day: 2,
                from: "at-mfa".into(),
                to: vec!["be-mfa".into()],
                recipients: vec!["be-mfa".into()],
                classification: Classification::Confidential,
            },
            content: CableContent {
                subject: "subject".into(),
                body: body.into(),
            },
        }
    }

    fn deliver(cable: &StoredCable, signer: Option<&IdentityKey>) -> Arc<[u8]> {
        let clear = ClearCable::new(cable.header.clone(), cable.content.clone(), signer);
        let frame = Frame::Deliver {
            payload: CablePayload::Clear(clear),
        };
        encode_frame(&frame, DEFAULT_MAX_FRAME).unwrap().into()
    }

    #[test]
    fn a_clear_frame_is_kept_around_the_nodes_copy_of_its_body() {
        let signer = IdentityKey::generate();
        // Bodies whose length takes one, two and three bytes to encode,
        // signed and not.
        for len in [5, 200, 20_000] {
            for signer in [None, Some(&signer)] {
                let shared = SharedCables::new(crate::net::DayClock::new());
                let cable = stored(&"b".repeat(len));
                let frame = deliver(&cable, signer);
                let kept = FrameBytes::sharing_body(frame.clone(), &shared);
                assert_eq!(kept.to_vec(), &*frame, "the same bytes, in order");
                assert_eq!(kept.len(), frame.len());
                assert_eq!(kept.pieces().count(), 3);
                let filed = shared.share(cable);
                let in_frame = kept.shared_cable().expect("kept around the body");
                assert!(Arc::ptr_eq(in_frame, &filed), "the node files the hub's copy");
                assert!(kept.whole().is_none());
            }
        }
    }

    #[test]
    fn a_frame_without_a_clear_cable_is_kept_whole() {
        let shared = SharedCables::new(crate::net::DayClock::new());
        let ack: Arc<[u8]> = encode_frame(&Frame::Ack { cable: "C-1".into() }, DEFAULT_MAX_FRAME)
            .unwrap()
            .into();
        let kept = FrameBytes::sharing_body(ack.clone(), &shared);
        assert!(Arc::ptr_eq(kept.whole().unwrap(), &ack));
        assert_eq!(kept.pieces().collect::<Vec<_>>(), [&*ack]);
        let junk: Arc<[u8]> = Arc::from(&b"\0\0\0\x03abc"[..]);
        assert!(FrameBytes::sharing_body(junk, &shared).whole().is_some());
    }

    #[test]
    fn varint_lengths() {
        assert_eq!([0, 127, 128, 16_383, 16_384].map(varint_len), [1, 1, 2, 2, 3]);
    }
}
