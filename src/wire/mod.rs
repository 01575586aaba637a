//! The wire format (sans-IO): frames and their length-prefixed codec with a
//! hard size limit. A decoder that distinguishes "needs more bytes" from
//! "this is not a frame" lets sockets, taps and fuzzers share one code path.

mod codec;
mod frame;

pub use codec::{DEFAULT_MAX_FRAME, Decoded, FrameReader, LENGTH_PREFIX, WireError, decode_frame, encode_frame};
pub use frame::{ErrorCode, Frame, PROTOCOL_VERSION};
