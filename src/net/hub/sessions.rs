//! Each node's session as the router keeps it: registering a connection,
//! filling its delivery window from the store's queue, taking in its
//! acknowledgements, and ending it.

use tokio::sync::oneshot;
use tracing::{debug, error};

use super::{Hub, Session, SessionEnd, State, refusal};
use crate::net::framed::{FrameSender, Outgoing};
use crate::net::limits::DeliveryWindow;
use crate::wire::{ErrorCode, Frame};

impl Hub {
    /// Registers `node`'s session and sends it the oldest cables queued
    /// for it, up to its delivery window; the rest follow as it
    /// acknowledges. An older session of the node is ended (`end` of its
    /// own fires with [`SessionEnd::Replaced`]): it would otherwise keep a
    /// connection slot and a window of frames in its writer. `end` fires
    /// for this one when it is replaced in turn or the store fails it.
    pub(super) fn register(&self, node: &str, deliveries: FrameSender, end: oneshot::Sender<SessionEnd>) -> u64 {
        let mut guard = self.state();
        let state = &mut *guard;
        let id = state.next_session;
        state.next_session += 1;
        let queued = match state.sessions.remove(node) {
            Some(old) => {
                // Its queue is the node's: still counted, now for this session.
                let _ = old.end.send(SessionEnd::Replaced);
                old.queued
            }
            None => match state.store.pending_count(node) {
                Ok(queued) => {
                    state.pending_connected += queued;
                    queued
                }
                Err(e) => {
                    // Nothing is lost: the queue stays in the store, and
                    // the node's next connection counts it again.
                    error!(node = %node, cause = %e, "cannot count the delivery queue");
                    let _ = end.send(SessionEnd::StoreFailed(format!("cannot count the delivery queue: {e}")));
                    return id;
                }
            },
        };
        let mut window = DeliveryWindow::default();
        // Until the store says otherwise, it may hold cables for the node.
        window.set_behind(true);
        state.sessions.insert(
            node.to_owned(),
            Session {
                id,
                deliveries,
                window,
                queued,
                end,
                watching: false,
                notified: false,
            },
        );
        self.fill_window(state, node);
        id
    }

    /// Ends `node`'s session after its store failed it, so that nothing is
    /// stalled or lost for good.
    ///
    /// A failed read of the queue leaves the window short with nobody to
    /// ask again if nothing is in flight (no acknowledgement is coming),
    /// and a failed acknowledgement leaves its cable in flight for a node
    /// that will not acknowledge it twice on one connection: a window slot
    /// lost. Rather than keeping retries for either, the session ends: the
    /// store still holds the whole queue, the node connects again, and
    /// [`Hub::register`] fills a fresh window from the queue's oldest
    /// cable. A cable delivered again is one the node already filed: it
    /// recognises it and acknowledges it again. Nothing is lost, and
    /// nothing is sent twice on one connection.
    pub(super) fn end_session(state: &mut State, node: &str, reason: String) {
        if let Some(session) = state.sessions.remove(node) {
            state.pending_connected = state.pending_connected.saturating_sub(session.queued);
            let _ = session.end.send(SessionEnd::StoreFailed(reason));
        }
    }

    /// Sends `node` the next cables of its queue, oldest first, while its
    /// window has room. The store is the only source: a cable is sent when
    /// its turn comes, never from a copy held for a stalled node.
    pub(super) fn fill_window(&self, state: &mut State, node: &str) {
        let limits = &self.shared.config.limits;
        let Some(session) = state.sessions.get_mut(node) else {
            return;
        };
        let free = session.window.free_slots(limits);
        // Full by count or by bytes: nothing to fetch (and a read of the
        // store is not free, under the hub's lock).
        if !session.window.behind() || free == 0 || !session.window.has_room(1, limits) {
            return;
        }
        // The cables in flight are the oldest of the queue (see
        // DeliveryWindow): the next ones come after them.
        let next = match state.store.pending_window(node, session.window.len(), free) {
            Ok(next) => next,
            Err(e) => {
                error!(node = %node, cause = %e, "cannot read the delivery queue");
                Self::end_session(state, node, format!("cannot read the delivery queue: {e}"));
                return;
            }
        };
        let fetched = next.len();
        let mut all_sent = true;
        for cable in next {
            if !session.window.has_room(cable.deliver_frame.len(), limits) {
                all_sent = false;
                break;
            }
            let _ = session.deliveries.send(Outgoing::Encoded(cable.deliver_frame.clone()));
            session.window.push(cable);
        }
        // Fewer than asked for, all sent: the queue is all in flight.
        session.window.set_behind(!(all_sent && fetched < free));
    }

    pub(super) fn unregister(&self, node: &str, session_id: u64) {
        let mut state = self.state();
        if state.sessions.get(node).is_some_and(|s| s.id == session_id)
            && let Some(session) = state.sessions.remove(node)
        {
            state.pending_connected = state.pending_connected.saturating_sub(session.queued);
        }
        drop(state);
        // Its queue no longer counts towards "busy".
        self.shared.idle.notify_waiters();
    }

    /// `node` acknowledged `cable` on its session `session_id`. The cable
    /// must be one in flight there: an acknowledgement of something never
    /// delivered on it (early, replayed or made up) is refused, and the
    /// queue is left as it was, so a node cannot lose a cable by
    /// acknowledging it before it arrives.
    ///
    /// An acknowledgement from a session that has ended (replaced by a
    /// newer connection, or failed by the store), read before its
    /// connection closed, is ignored: the cable stays queued, so it is (or
    /// will be) delivered on the node's current connection, where the node
    /// recognises it and acknowledges it again. Recording it instead could
    /// take a cable out of the queue under the current session's window,
    /// which mirrors the queue's oldest entries: the next fetch would skip
    /// one cable. Delivered at least once, never lost.
    pub(super) fn delivered(&self, node: &str, session_id: u64, cable: &str) -> Option<Frame> {
        let mut guard = self.state();
        let state = &mut *guard;
        let Some(session) = state.sessions.get(node).filter(|s| s.id == session_id) else {
            drop(guard);
            debug!(node = %node, cable = %cable, "acknowledgement from an ended session ignored");
            return None;
        };
        if !session.window.contains(cable) {
            drop(guard);
            return Some(refusal(
                node,
                None,
                ErrorCode::Unexpected,
                format!("acknowledgement for cable {cable}, which is not in flight on this connection"),
            ));
        }
        match state.store.acknowledge(node, cable) {
            Ok(known) => {
                if let Some(session) = state.sessions.get_mut(node) {
                    // Gone from the queue: gone from the window, which
                    // mirrors the queue's oldest entries.
                    session.window.acknowledge(cable);
                    if known {
                        session.queued = session.queued.saturating_sub(1);
                        state.pending_connected = state.pending_connected.saturating_sub(1);
                    } else {
                        debug!(node = %node, cable = %cable, "acknowledgement for nothing pending");
                    }
                }
                self.fill_window(state, node);
            }
            Err(e) => {
                error!(node = %node, cable = %cable, cause = %e, "cannot record an acknowledgement");
                Self::end_session(
                    state,
                    node,
                    format!("cannot record the acknowledgement of {cable}: {e}"),
                );
            }
        }
        let idle = state.pending_connected == 0;
        drop(guard);
        if idle {
            self.shared.idle.notify_waiters();
        }
        None
    }
}
