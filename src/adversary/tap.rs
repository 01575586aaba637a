//! `tap`: a wiretap on one node's link (ATT&CK T1040, Network Sniffing).
//! It records every byte in both directions while active, and nothing
//! else: what those bytes reveal depends on the transport and the
//! end-to-end mode, and is for the analyst to find out.

use std::sync::Mutex;

use super::loot::{Capture, CaptureKind, LinkSide, Loot};
use super::position::identity_from_spec;
use super::{Adversary, AdversarySpec, Position};
use crate::model::Day;
use crate::net::Direction;

/// A passive wiretap.
pub struct Tap {
    spec: AdversarySpec,
    node: String,
    /// Bytes towards the hub, then towards the node.
    streams: Mutex<[Vec<u8>; 2]>,
}

impl Tap {
    /// A tap on `node`'s link.
    pub fn new(spec: AdversarySpec, node: String) -> Self {
        Tap {
            spec,
            node,
            streams: Mutex::new([Vec::new(), Vec::new()]),
        }
    }
}

/// Both directions of a recorded link as captures named after it.
pub(super) fn link_captures(label: &str, node: &str, streams: &[Vec<u8>; 2], kind: CaptureKind) -> Vec<Capture> {
    let [up, down] = streams;
    [
        (up, format!("{label} {node}->hub"), true),
        (down, format!("{label} hub->{node}"), false),
    ]
    .into_iter()
    .filter(|(bytes, _, _)| !bytes.is_empty())
    .map(|(bytes, via, to_hub)| Capture {
        by: String::new(),
        via,
        kind,
        bytes: bytes.as_slice().into(),
        link: Some(LinkSide {
            node: node.to_owned(),
            to_hub,
        }),
    })
    .collect()
}

/// Index of a direction in a `[to hub, to node]` pair.
pub(super) fn slot(direction: Direction) -> usize {
    match direction {
        Direction::ToHub => 0,
        Direction::ToNode => 1,
    }
}

impl Adversary for Tap {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Link(self.node.clone())
    }

    fn on_link_bytes(&self, _day: Day, direction: Direction, bytes: &[u8]) {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(stream) = streams.get_mut(slot(direction)) {
            stream.extend_from_slice(bytes);
        }
    }

    fn loot(&self) -> Loot {
        let streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        Loot {
            captures: link_captures("tap", &self.node, &streams, CaptureKind::Wire),
            ..Loot::default()
        }
    }
}
