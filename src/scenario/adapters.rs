//! Adapters from the network's hooks to adversaries: each adversary gets
//! exactly the material of its position, and only on its active days.

use std::sync::Arc;

use crate::adversary::{Adversary, Position};
use crate::crypto::{DirectoryEntry, Opened};
use crate::model::{Cable, Day};
use crate::net::{ConnectionId, Direction, HubTap, LinkTap, NodeTap};
use crate::wire::Frame;

/// A link adversary's view of its link: its bytes, on its active days
/// only. Shared with the TCP proxies of multi-process mode, so that a
/// window means the same there.
pub(crate) struct LinkView(pub(crate) Arc<dyn Adversary>);

impl LinkTap for LinkView {
    fn on_bytes(&self, day: Day, _node: &str, _connection: ConnectionId, direction: Direction, bytes: &[u8]) {
        if self.0.window().contains(day) {
            self.0.on_link_bytes(day, direction, bytes);
        }
    }
}

/// A hub adversary's view of the hub.
pub(crate) struct HubView(pub(crate) Arc<dyn Adversary>);

impl HubTap for HubView {
    fn on_frame(&self, day: Day, peer: &str, direction: Direction, frame: &Frame) {
        if self.0.window().contains(day) {
            self.0.on_hub_frame(day, peer, direction, frame);
        }
    }

    fn on_directory_answer(&self, day: Day, requester: &str, entries: &mut Vec<DirectoryEntry>) {
        if self.0.window().contains(day) {
            self.0.edit_directory(day, requester, entries);
        }
    }
}

/// Every node adversary's view of its node.
pub(crate) struct NodeViews(pub(crate) Vec<Arc<dyn Adversary>>);

impl NodeViews {
    fn at<'a>(&'a self, day: Day, node: &'a str) -> impl Iterator<Item = &'a Arc<dyn Adversary>> + 'a {
        self.0
            .iter()
            .filter(move |a| a.window().contains(day) && a.position() == Position::Node(node.to_owned()))
    }
}

impl NodeTap for NodeViews {
    fn on_delivery(&self, day: Day, node: &str, cable: &Opened) {
        for adversary in &self.0 {
            let here = adversary.position() == Position::Node(node.to_owned());
            if adversary.window().contains(day) && (here || adversary.watches_every_delivery()) {
                adversary.on_delivery(day, node, cable);
            }
        }
    }

    fn on_sent(&self, day: Day, node: &str, cable: &Cable) {
        for adversary in self.at(day, node) {
            adversary.on_sent(day, cable);
        }
    }
}
