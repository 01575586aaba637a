//! Where adversaries (and tests) attach to a running network, besides the
//! link taps of [`super::LinkTap`]. Each hook sees exactly what its
//! position gives: the hub's frames after TLS, a node's decrypted arrivals.

use super::Direction;
use crate::crypto::{CablePayload, DirectoryEntry, Opened};
use crate::model::{Cable, Day};
use crate::wire::Frame;

/// Something inside the hub process.
pub trait HubTap: Send + Sync {
    /// A frame the hub received from `peer` ([`Direction::ToHub`]) or sent
    /// to it ([`Direction::ToNode`]), after TLS. A relayed cable appears
    /// once as the sender's `submit`; its deliveries are not repeated.
    fn on_frame(&self, day: Day, peer: &str, direction: Direction, frame: &Frame) {
        let _ = (day, peer, direction, frame);
    }

    /// The hub is about to answer `requester`'s directory request with
    /// `entries`; a hub that serves a poisoned directory edits them here.
    fn on_directory_answer(&self, day: Day, requester: &str, entries: &mut Vec<DirectoryEntry>) {
        let _ = (day, requester, entries);
    }
}

/// Something inside a node process.
pub trait NodeTap: Send + Sync {
    /// `node` accepted a delivered cable and stored it in its inbox.
    fn on_delivery(&self, day: Day, node: &str, cable: &Opened) {
        let _ = (day, node, cable);
    }

    /// `node` sent a cable and the hub acknowledged it.
    fn on_sent(&self, day: Day, node: &str, cable: &Cable) {
        let _ = (day, node, cable);
    }

    /// `node` keeps `cable` until it has keys for `missing`, the
    /// recipients it has none for (see
    /// [`NodeHandle::send_when_keyed`](crate::net::NodeHandle::send_when_keyed)).
    fn on_waiting(&self, day: Day, node: &str, cable: &Cable, missing: &[String]) {
        let _ = (day, node, cable, missing);
    }

    /// `node` sealed `payload` for a cable it is about to submit: once per
    /// cable, however often the same bytes are resent.
    fn on_sealed(&self, day: Day, node: &str, payload: &CablePayload) {
        let _ = (day, node, payload);
    }

    /// `node` completed a TLS handshake with whoever answered on its link
    /// (the hub, or a man in the middle), before saying hello.
    fn on_handshake(&self, day: Day, node: &str, handshake: &Handshake) {
        let _ = (day, node, handshake);
    }
}

/// One completed TLS handshake, measured on the node's side of the
/// connection, below TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// Bytes the node wrote until the handshake completed: its hello, and
    /// (under mutual TLS) its certificate, signature and finished message.
    pub sent: u64,
    /// Bytes the node read until then: the server's whole flight.
    pub received: u64,
    /// The key exchange group negotiated, as TLS names it
    /// ("X25519", "X25519MLKEM768").
    pub group: Option<String>,
}
