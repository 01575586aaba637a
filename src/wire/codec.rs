//! Length-prefixed framing: `[u32 big-endian length][postcard frame]`.
//!
//! The decoder is a pure function of the bytes seen so far, so the hub, a
//! node and a passive tap replaying a captured stream all use the very same
//! code — which is how a tap learns routing headers on a plain link.
#![warn(clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use super::Frame;

/// Bytes of the length prefix.
pub const LENGTH_PREFIX: usize = 4;

/// Default limit on a frame's body: large enough for a 64 KiB cable wrapped
/// for a few hundred recipients, small enough that a hostile peer cannot
/// make the hub buffer much.
pub const DEFAULT_MAX_FRAME: usize = 1024 * 1024;

/// Why bytes are not a frame. The connection that produced them cannot be
/// resynchronised and must be closed (after logging this reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The length prefix announces more than the limit. Detected from the
    /// prefix alone, before any of the body is buffered.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    Oversized {
        /// Announced (or, when encoding, actual) length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The length prefix is zero: no frame is empty.
    #[error("empty frame")]
    Empty,
    /// The body does not decode as a frame.
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// The body decoded but did not use all its bytes.
    #[error("malformed frame: {0} trailing bytes after the frame")]
    TrailingBytes(usize),
}

/// The result of looking at a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A whole frame, which used the first `consumed` bytes.
    Frame {
        /// The frame.
        frame: Frame,
        /// Bytes used, prefix included.
        consumed: usize,
    },
    /// Not enough bytes yet: at least `needed` bytes in total are required.
    NeedMore {
        /// Total buffer length needed before trying again.
        needed: usize,
    },
}

/// Encodes a frame with its length prefix, refusing frames over `max`.
pub fn encode_frame(frame: &Frame, max: usize) -> Result<Vec<u8>, WireError> {
    let mut out = vec![0u8; LENGTH_PREFIX];
    let mut out =
        postcard::to_extend(frame, std::mem::take(&mut out)).map_err(|e| WireError::Malformed(e.to_string()))?;
    let body_len = out.len().saturating_sub(LENGTH_PREFIX);
    if body_len > max {
        return Err(WireError::Oversized { len: body_len, max });
    }
    let prefix = u32::try_from(body_len).map_err(|_| WireError::Oversized { len: body_len, max })?;
    if let Some(head) = out.get_mut(..LENGTH_PREFIX) {
        head.copy_from_slice(&prefix.to_be_bytes());
    }
    Ok(out)
}

/// Decodes the first frame of `buf`, or says how many bytes are needed.
pub fn decode_frame(buf: &[u8], max: usize) -> Result<Decoded, WireError> {
    let Some(prefix) = buf.get(..LENGTH_PREFIX) else {
        return Ok(Decoded::NeedMore { needed: LENGTH_PREFIX });
    };
    let mut len_bytes = [0u8; LENGTH_PREFIX];
    len_bytes.copy_from_slice(prefix);
    let len = u32::from_be_bytes(len_bytes) as usize;
    if len == 0 {
        return Err(WireError::Empty);
    }
    if len > max {
        return Err(WireError::Oversized { len, max });
    }
    // len ≤ max ≤ usize::MAX - 4 in any sane configuration; saturate anyway.
    let total = len.saturating_add(LENGTH_PREFIX);
    let Some(body) = buf.get(LENGTH_PREFIX..total) else {
        return Ok(Decoded::NeedMore { needed: total });
    };
    let (frame, rest) = postcard::take_from_bytes::<Frame>(body).map_err(|e| WireError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(WireError::TrailingBytes(rest.len()));
    }
    Ok(Decoded::Frame { frame, consumed: total })
}

/// Reassembles frames from a byte stream that arrives in arbitrary pieces
/// (a socket, or a tap's capture of one direction of a link).
#[derive(Debug, Clone)]
pub struct FrameReader {
    buf: Vec<u8>,
    /// Where the undecoded bytes start in `buf`. Consumed bytes are dropped
    /// lazily, so that decoding a long capture frame by frame does not move
    /// the rest of the buffer after every frame.
    start: usize,
    max: usize,
    failed: Option<WireError>,
}

impl FrameReader {
    /// A reader enforcing `max` bytes per frame body.
    pub fn new(max: usize) -> Self {
        FrameReader {
            buf: Vec::new(),
            start: 0,
            max,
            failed: None,
        }
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            if self.start > 0 && self.start >= self.buf.len() / 2 {
                self.buf.drain(..self.start);
                self.start = 0;
            }
            self.buf.extend_from_slice(bytes);
        }
    }

    /// The next complete frame, `None` if more bytes are needed. After an
    /// error the reader stays failed: a length-prefixed stream cannot be
    /// resynchronised once a prefix is wrong.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, WireError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        match decode_frame(self.buf.get(self.start..).unwrap_or_default(), self.max) {
            Ok(Decoded::Frame { frame, consumed }) => {
                self.start = self.start.saturating_add(consumed);
                if self.start == self.buf.len() {
                    self.buf.clear();
                    self.start = 0;
                }
                Ok(Some(frame))
            }
            Ok(Decoded::NeedMore { .. }) => Ok(None),
            Err(err) => {
                self.buf = Vec::new();
                self.start = 0;
                self.failed = Some(err.clone());
                Err(err)
            }
        }
    }

    /// Bytes received but not yet part of a returned frame.
    pub fn buffered(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }
}
