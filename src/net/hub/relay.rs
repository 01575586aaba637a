//! Accepting cables: the checks a submitted cable must pass, queueing it
//! for its recipients, archiving it, and injecting one as an insider would.

use std::sync::Arc;

use tracing::{debug, error};

use super::{Hub, Reply, refusal};
use crate::crypto::CablePayload;
use crate::model::{Day, HUB, recipients};
use crate::net::alarm::AlarmKind;
use crate::net::framed::Outgoing;
use crate::net::store::{AcceptedCable, Durable, StoreError, digest_bytes};
use crate::wire::{ErrorCode, Frame, encode_frame};

/// What became of a cable handed to [`Hub::relay`].
enum Relayed {
    /// Queued for its recipients now.
    Fresh,
    /// Accepted before with the very same bytes: a node that did not see
    /// the acknowledgement sent it again. Nothing is queued twice.
    Retransmission,
}

impl Hub {
    /// Relays a cable from `node`: checks it, queues it for every
    /// recipient, archives it, and acknowledges it once that is committed.
    /// Returns the acknowledgement, to send once the store's commit
    /// resolves, or the refusal.
    pub(super) fn submit(&self, node: &str, payload: CablePayload) -> Reply {
        let refused = Reply::now;
        let header = payload.header();
        let day = self.today();
        let config = &self.shared.config;
        if header.from != node {
            self.shared.alarms.raise(
                day,
                HUB,
                AlarmKind::SenderMismatch,
                format!("{node} submitted {} claiming to be from {}", header.id, header.from),
            );
            return refused(refusal(
                node,
                Some(&header.id),
                ErrorCode::Rejected,
                "sender does not match the connection".into(),
            ));
        }
        let expected = recipients(&header.from, &header.to, &config.network, config.security.distribution);
        if header.recipients != expected {
            return refused(refusal(
                node,
                Some(&header.id),
                ErrorCode::Rejected,
                format!("recipients {:?} are not R(c) = {expected:?}", header.recipients),
            ));
        }
        if let Some(unknown) = header.to.iter().find(|n| !config.network.contains(n) || *n == HUB) {
            return refused(refusal(
                node,
                Some(&header.id),
                ErrorCode::UnknownNode,
                format!("unknown addressee {unknown}"),
            ));
        }
        if header.classification > config.security.max_classification {
            return refused(refusal(
                node,
                Some(&header.id),
                ErrorCode::Rejected,
                format!("{} is above this network's maximum", header.classification),
            ));
        }
        let id = header.id.clone();
        match self.relay(day, payload, &expected, true) {
            Ok((relayed, durable)) => {
                if let Relayed::Retransmission = relayed {
                    debug!(node = %node, cable = %id, "retransmission");
                }
                // A retransmission too: its first copy may still be in a
                // commit under way.
                Reply {
                    durable,
                    frame: Outgoing::Frame(Frame::Ack { cable: id.clone() }),
                    cable: Some(id),
                }
            }
            Err((code, reason)) => {
                match code {
                    ErrorCode::Replay => {
                        self.shared
                            .alarms
                            .raise(day, HUB, AlarmKind::Replay, format!("{reason} from {node}"));
                    }
                    // No alarm: the store failed, not the node. No ack
                    // either: the node keeps the cable and sends it again.
                    ErrorCode::Busy => error!(node = %node, cable = %id, reason = %reason, "cable not accepted"),
                    _ => {}
                }
                refused(refusal(node, Some(&id), code, reason))
            }
        }
    }

    /// Queues a checked cable for `to` and pushes it to those connected
    /// whose window has room (the others get it from the store in turn).
    /// A cable id accepted before is a replay, unless `retry` allows the
    /// very same bytes again (a node that missed the acknowledgement).
    fn relay(
        &self,
        day: Day,
        payload: CablePayload,
        to: &[String],
        retry: bool,
    ) -> Result<(Relayed, Durable), (ErrorCode, String)> {
        let frame = Frame::Deliver { payload };
        let encoded =
            encode_frame(&frame, self.shared.config.max_frame).map_err(|e| (ErrorCode::Oversized, e.to_string()))?;
        // The frame lent the payload for encoding; its header is read in
        // place rather than copied (it names every recipient).
        let Frame::Deliver { payload } = &frame else {
            unreachable!("built as a deliver frame above")
        };
        let header = payload.header();
        // The digest of the frame the recipients get: the deliver frame is
        // a function of the submitted payload alone, so the same submit
        // gives the same digest and any other payload another one.
        let digest = digest_bytes(&encoded);
        let busy = |e: StoreError| (ErrorCode::Busy, format!("the hub could not store the cable: {e}"));
        let limits = &self.shared.config.limits;
        let mut guard = self.state();
        let state = &mut *guard;
        match state.store.accepted_digest(&header.id).map_err(busy)? {
            Some(known) if retry && known == digest => {
                return Ok((Relayed::Retransmission, state.store.durable()));
            }
            Some(_) => return Err((ErrorCode::Replay, format!("cable id {} was relayed before", header.id))),
            None => {}
        }
        let cable = state
            .store
            .accept(
                AcceptedCable {
                    id: header.id.clone(),
                    day: header.day,
                    deliver_frame: Arc::from(encoded),
                },
                digest,
                to,
                self.shared.config.security.archive,
            )
            .map_err(busy)?;
        // Deliveries go out before the commit: a recipient may hold a cable
        // a crash then undoes, but its sender is not acknowledged until the
        // commit, so it sends the cable again and the recipient recognises
        // the redelivery (see "Durability" in ARCHITECTURE.md).
        let durable = state.store.durable();
        let mut refill = Vec::new();
        for r in to {
            let Some(session) = state.sessions.get_mut(r) else {
                continue;
            };
            // Counted before any refill, which may end the session and
            // take its count back out.
            session.queued += 1;
            state.pending_connected += 1;
            let window = &mut session.window;
            if !window.behind() && window.has_room(cable.deliver_frame.len(), limits) {
                let _ = session.deliveries.send(Outgoing::Encoded(cable.deliver_frame.clone()));
                window.push(cable.clone());
            } else if window.behind() && window.free_slots(limits) > 0 {
                // Room, but older cables come first (a store that failed
                // to give them earlier): from the store, in order.
                refill.push(r);
            } else {
                window.set_behind(true);
            }
        }
        for r in refill {
            self.fill_window(state, r);
        }
        state.relayed += 1;
        let idle = state.pending_connected == 0;
        drop(guard);
        if idle {
            // A refill that failed ended the only busy session.
            self.shared.idle.notify_waiters();
        }
        debug!(
            cable = %header.id, day, from = %header.from, to = %header.to.join(","),
            recipients = to.len(), classification = %header.classification, "relay"
        );
        Ok((Relayed::Fresh, durable))
    }

    /// Injects a cable at the hub as if a node had submitted it, skipping
    /// the sender check: what an attacker inside the hub (or a forger with
    /// access to it) does. Recipients still run every check of their own.
    /// Any id accepted before is refused, even with the same bytes.
    pub fn inject(&self, payload: CablePayload) -> Result<(), String> {
        let header = payload.header().clone();
        let config = &self.shared.config;
        let to = recipients(&header.from, &header.to, &config.network, config.security.distribution);
        // Nobody waits for an injected cable's acknowledgement.
        self.relay(self.today(), payload, &to, false)
            .map(|(_, durable)| drop(durable))
            .map_err(|(_, reason)| reason)
    }
}
