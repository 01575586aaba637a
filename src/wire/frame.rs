//! The frames nodes and the hub exchange.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::crypto::{CablePayload, DirectoryEntry};

/// The protocol version a `hello` announces.
pub const PROTOCOL_VERSION: u16 = 1;

/// One message on a link. A node opens with [`Frame::Hello`]; after that
/// either side may send any frame its role allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Frame {
    /// First frame of a node: who it claims to be. Under mTLS the hub
    /// checks the claim against the client certificate.
    Hello {
        /// The node's name.
        node: String,
        /// [`PROTOCOL_VERSION`] of the sender.
        protocol: u16,
    },
    /// A node submits a cable for relaying. The hub answers with
    /// [`Frame::Ack`] only once the cable is queued for every recipient.
    Submit {
        /// The cable, clear or sealed.
        payload: CablePayload,
    },
    /// The hub delivers a cable to one recipient, which answers with
    /// [`Frame::Ack`] once it has stored (or rejected) it.
    Deliver {
        /// The cable, as submitted.
        payload: CablePayload,
    },
    /// Acknowledges a submit (hub → node) or a delivery (node → hub).
    Ack {
        /// Id of the cable acknowledged.
        cable: String,
    },
    /// A node publishes its current directory entry (on connect and at
    /// every epoch change).
    Publish {
        /// The signed entry.
        entry: DirectoryEntry,
    },
    /// A node asks for the directory entries of some nodes (empty = all).
    DirectoryRequest {
        /// Names wanted.
        nodes: Vec<String>,
    },
    /// The hub's answer to [`Frame::DirectoryRequest`].
    DirectoryAnswer {
        /// The entries the hub has (possibly tampered with, hence pinning).
        entries: Vec<DirectoryEntry>,
    },
    /// Something was refused.
    Error {
        /// The cable the refusal is about, if any (a refused submit).
        cable: Option<String>,
        /// Machine-readable reason.
        code: ErrorCode,
        /// Human-readable detail.
        detail: String,
    },
    /// A node asks to be told, for the rest of this connection, when
    /// another node publishes a directory entry (see
    /// [`Frame::DirectoryChanged`]). A node that keeps its directory current
    /// sends it on every connection; nodes whose refreshes are scheduled
    /// (in-process runs, `cablesim network`) do not.
    DirectoryWatch,
    /// The hub tells a watching node that the directory changed since the
    /// node last asked for the whole of it. It carries nothing: the node
    /// asks with a [`Frame::DirectoryRequest`] for all entries, and gets
    /// them through the same answer, pinning checks and adversaries as any
    /// refresh. The hub sends at most one between two such requests, so a
    /// node that does not ask again costs it nothing more.
    DirectoryChanged,
}

impl Frame {
    /// Short lowercase name of the frame type, for logs and dissectors.
    pub fn kind(&self) -> &'static str {
        match self {
            Frame::Hello { .. } => "hello",
            Frame::Submit { .. } => "submit",
            Frame::Deliver { .. } => "deliver",
            Frame::Ack { .. } => "ack",
            Frame::Publish { .. } => "publish",
            Frame::DirectoryRequest { .. } => "directory-request",
            Frame::DirectoryAnswer { .. } => "directory-answer",
            Frame::Error { .. } => "error",
            Frame::DirectoryWatch => "directory-watch",
            Frame::DirectoryChanged => "directory-changed",
        }
    }

    /// The cable carried, for `submit` and `deliver`.
    pub fn payload(&self) -> Option<&CablePayload> {
        match self {
            Frame::Submit { payload } | Frame::Deliver { payload } => Some(payload),
            _ => None,
        }
    }
}

/// Why a peer refused something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A frame could not be decoded.
    Malformed,
    /// A frame exceeded the size limit.
    Oversized,
    /// The frame was not expected in this state (e.g. no `hello` yet).
    Unexpected,
    /// The peer is not who it claims (certificate and name disagree).
    NotAuthorized,
    /// A cable names a node that does not exist.
    UnknownNode,
    /// The cable was refused (bad signature, replay, tampering...).
    Rejected,
    /// The receiver is over capacity; try again later.
    Busy,
    /// The cable was accepted before (same id).
    Replay,
}

impl ErrorCode {
    /// Lowercase name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::Oversized => "oversized",
            ErrorCode::Unexpected => "unexpected",
            ErrorCode::NotAuthorized => "not-authorized",
            ErrorCode::UnknownNode => "unknown-node",
            ErrorCode::Rejected => "rejected",
            ErrorCode::Busy => "busy",
            ErrorCode::Replay => "replay",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
