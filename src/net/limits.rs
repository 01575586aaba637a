//! What one hub lets its peers hold of it (see "Bad input" in
//! ARCHITECTURE.md): a hostile or merely stuck peer must not make the hub's
//! memory grow, nor slow anyone else down.
//!
//! Three things are bounded, each where it costs the hub something:
//!
//! - **connections** open at once, handshaking or established. Past the
//!   limit a new connection is closed before any TLS work is spent on it.
//! - **deliveries in flight** to one node: handed to its connection and not
//!   yet acknowledged. The rest wait in the store, which keeps every queued
//!   cable until it is acknowledged anyway, and go out as acknowledgements
//!   come back. A node that stops reading therefore holds at most one
//!   window of frames in the hub's buffers (the writer's queue and the TLS
//!   layer's), however many cables are addressed to it.
//! - **replies** queued for one node (acknowledgements of its submits,
//!   directory answers, refusals). When they pile up because the node does
//!   not read, the hub stops reading that node: a small request can no
//!   longer make the hub buffer a large answer without end.

use std::collections::VecDeque;
use std::sync::Arc;

use super::store::AcceptedCable;
use crate::model::Network;

/// The hub's bounds on what peers may make it hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubLimits {
    /// Connections open at once, handshaking or established. One more is
    /// refused (logged, and closed before any TLS work) until one ends.
    pub max_connections: usize,
    /// Deliveries one node may have in flight: sent and not acknowledged.
    pub delivery_window: usize,
    /// Bytes of deliveries one node may have in flight. One delivery is
    /// always let through, however large, so no cable is stuck behind it.
    pub delivery_window_bytes: usize,
    /// Replies one session may have queued, in all: those handed to its
    /// writer and not yet sent, and those waiting for the store's commit
    /// (an acknowledgement waits for its cable's). At the bound the hub
    /// stops reading that node's frames until the writer has sent some
    /// (the node reads its answers). Zero counts as one.
    pub reply_queue: usize,
}

impl HubLimits {
    /// Room for a thousand peers: far more than the networks a workshop
    /// runs (cablegate-2010 at full scale has 275 nodes), well below the
    /// file descriptors a process usually gets, and a flood past it costs
    /// the hub one accept and one close per connection.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

    /// The defaults, with room for every node of `network` to be connected
    /// twice at once (a reconnection opens before the old link is gone),
    /// however large the network.
    pub fn for_network(network: &Network) -> HubLimits {
        let defaults = HubLimits::default();
        HubLimits {
            max_connections: defaults.max_connections.max(network.len().saturating_mul(2)),
            ..defaults
        }
    }
}

impl Default for HubLimits {
    /// 1024 connections. A window of 256 deliveries or 8 MiB keeps a
    /// recipient's link busy while it acknowledges (a day of coreu-2018 is
    /// a few dozen cables per node) and caps a stalled node at a few MiB.
    /// 64 queued replies are more than a well-behaved node ever has
    /// outstanding: it reads continuously.
    fn default() -> Self {
        HubLimits {
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            delivery_window: 256,
            delivery_window_bytes: 8 * 1024 * 1024,
            reply_queue: 64,
        }
    }
}

/// What one session has in flight: the deliveries handed to its writer and
/// not yet acknowledged, oldest first.
///
/// They are always the oldest entries of the node's queue in the store:
/// deliveries go out in queue order, an acknowledgement removes its cable
/// from both, and new cables join the end of the queue. So the next cables
/// to send are the queue's entries after the first [`DeliveryWindow::len`]
/// ones, and the window never sends a cable twice on one connection.
#[derive(Debug, Default)]
pub(super) struct DeliveryWindow {
    in_flight: VecDeque<Arc<AcceptedCable>>,
    bytes: usize,
    /// The store holds cables for this node past those in flight: they
    /// must go out (from the store, in order) before any newer cable.
    behind: bool,
}

impl DeliveryWindow {
    /// Deliveries in flight.
    pub(super) fn len(&self) -> usize {
        self.in_flight.len()
    }

    /// Bytes of the deliveries in flight.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether cables wait in the store beyond those in flight.
    pub(super) fn behind(&self) -> bool {
        self.behind
    }

    /// Marks whether cables wait in the store beyond those in flight.
    pub(super) fn set_behind(&mut self, behind: bool) {
        self.behind = behind;
    }

    /// How many more deliveries may be fetched from the store now. A
    /// window configured as 0 still lets one through: nothing may wait
    /// for ever.
    pub(super) fn free_slots(&self, limits: &HubLimits) -> usize {
        limits.delivery_window.max(1).saturating_sub(self.in_flight.len())
    }

    /// Whether a delivery of `len` bytes may go out now: within both
    /// bounds, or the only one in flight.
    pub(super) fn has_room(&self, len: usize, limits: &HubLimits) -> bool {
        self.in_flight.is_empty()
            || (self.in_flight.len() < limits.delivery_window
                && self.bytes.saturating_add(len) <= limits.delivery_window_bytes)
    }

    /// Records `cable` as sent.
    pub(super) fn push(&mut self, cable: Arc<AcceptedCable>) {
        self.bytes = self.bytes.saturating_add(cable.deliver_frame.len());
        self.in_flight.push_back(cable);
    }

    /// Whether `id` is in flight.
    pub(super) fn contains(&self, id: &str) -> bool {
        self.in_flight.iter().any(|c| c.id == id)
    }

    /// `id` was acknowledged: it leaves the window. Returns whether it was
    /// in flight.
    pub(super) fn acknowledge(&mut self, id: &str) -> bool {
        // Acknowledgements come in delivery order: almost always the front.
        let Some(at) = self.in_flight.iter().position(|c| c.id == id) else {
            return false;
        };
        if let Some(cable) = self.in_flight.remove(at) {
            self.bytes = self.bytes.saturating_sub(cable.deliver_frame.len());
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cable(id: &str, len: usize) -> Arc<AcceptedCable> {
        Arc::new(AcceptedCable {
            id: id.into(),
            day: 0,
            deliver_frame: Arc::from(vec![0u8; len]),
        })
    }

    fn limits(frames: usize, bytes: usize) -> HubLimits {
        HubLimits {
            delivery_window: frames,
            delivery_window_bytes: bytes,
            ..HubLimits::default()
        }
    }

    #[test]
    fn the_window_holds_at_most_its_frames_and_bytes() {
        let limits = limits(3, 100);
        let mut window = DeliveryWindow::default();
        for id in ["a", "b", "c"] {
            assert!(window.has_room(30, &limits));
            window.push(cable(id, 30));
        }
        assert!(!window.has_room(1, &limits), "three frames are the window");
        assert_eq!((window.len(), window.bytes(), window.free_slots(&limits)), (3, 90, 0));
        assert!(window.acknowledge("b"));
        assert!(!window.acknowledge("b"), "acknowledged once");
        assert!(!window.acknowledge("z"), "never in flight");
        assert_eq!((window.len(), window.bytes()), (2, 60));
        assert!(!window.has_room(41, &limits), "60 + 41 bytes are over 100");
        assert!(window.has_room(40, &limits));
        assert!(window.contains("a") && window.contains("c") && !window.contains("b"));
    }

    #[test]
    fn one_delivery_larger_than_the_byte_window_still_goes_out_alone() {
        let limits = limits(8, 100);
        let mut window = DeliveryWindow::default();
        assert!(window.has_room(1000, &limits));
        window.push(cable("big", 1000));
        assert!(!window.has_room(1, &limits));
        assert!(window.acknowledge("big"));
        assert_eq!((window.len(), window.bytes()), (0, 0));
    }

    #[test]
    fn a_window_of_nothing_still_lets_one_delivery_through() {
        let limits = limits(0, 0);
        let mut window = DeliveryWindow::default();
        assert_eq!(window.free_slots(&limits), 1);
        assert!(window.has_room(10, &limits));
        window.push(cable("only", 10));
        assert_eq!(window.free_slots(&limits), 0);
        assert!(!window.has_room(10, &limits));
    }

    #[test]
    fn a_large_network_gets_room_for_every_node_twice() {
        use crate::model::{Node, Role};
        let small = Network::new([Node::new("at-mfa", Role::Ministry)]).unwrap();
        assert_eq!(HubLimits::for_network(&small), HubLimits::default());
        let large = Network::new((0..700).map(|i| Node::new(format!("m{i}"), Role::Mission))).unwrap();
        assert_eq!(HubLimits::for_network(&large).max_connections, 2 * large.len());
    }
}
