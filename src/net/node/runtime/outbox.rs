//! Sending: a cable is withheld, held until its recipients' keys are
//! known, or sealed, kept in the outbox and submitted until the hub
//! acknowledges or refuses it.

use std::sync::Arc;

use tracing::{debug, error, warn};

use super::Runtime;
use crate::crypto::{CablePayload, CryptoError};
use crate::model::{Cable, recipients};
use crate::net::framed::Outgoing;
use crate::net::node::{NodeError, NodeState, SendOutcome, SendReply, StoredCable, lock};
use crate::net::store::OutboxEntry;
use crate::wire::{Frame, encode_frame};

impl Runtime {
    pub(super) fn send(&mut self, cable: Cable, reply: SendReply, wait_for_keys: bool) {
        let security = &self.config.security;
        if cable.classification > security.max_classification {
            debug!(node = %self.config.name, cable = %cable.id, classification = %cable.classification, "withheld");
            let _ = reply.send(Ok(SendOutcome::Withheld));
            return;
        }
        let to = recipients(&cable.from, &cable.to, &self.config.network, security.distribution);
        if wait_for_keys {
            let missing = self.missing_keys(&to);
            if !missing.is_empty() {
                self.hold(cable, reply, &missing);
                return;
            }
        }
        self.seal_and_submit(cable, &to, Some(reply), false);
    }

    /// Keeps `cable` until keys for `missing` are known: stored first, so
    /// that it outlives a crash like any cable not yet acknowledged.
    fn hold(&mut self, cable: Cable, reply: SendReply, missing: &[String]) {
        if let Err(e) = self.store.queue_waiting(&cable) {
            error!(node = %self.config.name, cable = %cable.id, cause = %e, "cannot keep the cable; not sent");
            let _ = reply.send(Err(NodeError::Store(e)));
            return;
        }
        debug!(node = %self.config.name, cable = %cable.id, missing = %missing.join(","), "waiting for keys");
        let day = self.clock.today();
        for tap in &self.taps {
            tap.on_waiting(day, &self.config.name, &cable, missing);
        }
        self.waiting.push(cable, reply);
        // The hub may have said the directory changed while nothing waited.
        self.fetch_if_stale();
    }

    /// Seals and sends, in the order typed, every waiting cable whose
    /// recipients all have keys now; announces the ones reloaded after a
    /// restart that still wait.
    pub(super) fn release_waiting(&mut self) {
        if self.waiting.is_empty() {
            return;
        }
        let mut waiting = std::mem::take(&mut self.waiting);
        let (network, distribution) = (&self.config.network, self.config.security.distribution);
        let released =
            waiting.release(|cable| self.missing_keys(&recipients(&cable.from, &cable.to, network, distribution)));
        self.waiting = waiting;
        let day = self.clock.today();
        for (cable, missing) in &released.announce {
            for tap in &self.taps {
                tap.on_waiting(day, &self.config.name, cable, missing);
            }
        }
        for ready in released.ready {
            let cable = ready.cable;
            let to = recipients(&cable.from, &cable.to, &self.config.network, distribution);
            debug!(node = %self.config.name, cable = %cable.id, "keys known; sending");
            self.seal_and_submit(cable, &to, ready.reply, true);
        }
    }

    /// Seals `cable` for `to`, keeps it in the outbox and submits it; the
    /// outcome goes to `reply`. A cable that was `waiting` and cannot be
    /// sealed or encoded leaves the store too: trying again at every
    /// refresh would fail the same way.
    /// Seals `cable` ahead of its send, if that changes nothing the send
    /// would do: not withheld, and every recipient's entry checked already
    /// (so that no check, and no alarm, happens before the send's day).
    pub(super) fn prepare(&mut self, cable: Cable) {
        if cable.classification > self.config.security.max_classification {
            return;
        }
        let to = recipients(
            &cable.from,
            &cable.to,
            &self.config.network,
            self.config.security.distribution,
        );
        let sealed = {
            let mut guard = lock(&self.state);
            if !self.all_checked(&guard, &to) {
                return;
            }
            self.seal(&mut guard, &cable, &to)
        };
        if let Ok(payload) = sealed {
            self.prepared.insert(cable.id.clone(), (cable, payload));
        }
    }

    /// The cable sealed for `to` with the keys checked since the last
    /// refresh (checking any not yet checked).
    fn seal(&self, state: &mut NodeState, cable: &Cable, to: &[String]) -> Result<CablePayload, CryptoError> {
        let keys = self.pinned_keys(state, to);
        CablePayload::seal(
            cable.header(to.to_vec()),
            &cable.content(),
            &state.keys,
            &keys,
            self.config.security.signatures,
        )
    }

    fn seal_and_submit(&mut self, cable: Cable, to: &[String], reply: Option<SendReply>, waiting: bool) {
        let prepared = match self.prepared.remove(&cable.id) {
            Some((sealed_from, payload)) if sealed_from == cable && payload.header().recipients == to => Some(payload),
            _ => None,
        };
        let sealed = match prepared {
            Some(payload) => Ok(payload),
            None => self.seal(&mut lock(&self.state), &cable, to),
        };
        let payload = match sealed {
            Ok(payload) => payload,
            Err(e) => {
                self.unsendable(&cable.id, waiting, reply, NodeError::Seal(e));
                return;
            }
        };
        let day = self.clock.today();
        for tap in &self.taps {
            tap.on_sealed(day, &self.config.name, &payload);
        }
        debug!(
            node = %self.config.name, cable = %cable.id, day = cable.day, from = %cable.from,
            to = %cable.to.join(","), recipients = to.len(), classification = %cable.classification, "send"
        );
        // Encoded once, here: these exact bytes go out now and after every
        // reconnection until the hub answers.
        let submit_frame = match encode_frame(&Frame::Submit { payload }, self.config.max_frame) {
            Ok(bytes) => Arc::from(bytes),
            Err(e) => {
                self.unsendable(&cable.id, waiting, reply, NodeError::Encode(e));
                return;
            }
        };
        let entry = OutboxEntry { cable, submit_frame };
        if let Err(e) = self.store.queue_outbox(&entry) {
            // A waiting cable stays waiting in the store: a restart tries
            // it again.
            error!(node = %self.config.name, cable = %entry.cable.id, cause = %e, "cannot queue the cable; not sent");
            if let Some(reply) = reply {
                let _ = reply.send(Err(NodeError::Store(e)));
            }
            return;
        }
        match (&self.conn, reply) {
            (Some(conn), reply) => {
                let _ = conn.out.send(Outgoing::Encoded(entry.submit_frame.clone()));
                if let Some(reply) = reply {
                    self.pending_sends.insert(entry.cable.id.clone(), reply);
                }
            }
            // Kept, like a cable whose connection is lost after it left:
            // the caller hears it was not acknowledged, the outbox sends
            // it on the next connection.
            (None, Some(reply)) => {
                let _ = reply.send(Err(NodeError::Connection("not connected to the hub".into())));
            }
            (None, None) => {}
        }
        self.outbox.push_back(entry);
    }

    /// `id` could not be sealed or encoded: the caller hears why, and a
    /// cable that was waiting leaves the store.
    fn unsendable(&mut self, id: &str, waiting: bool, reply: Option<SendReply>, error: NodeError) {
        if waiting && let Err(e) = self.store.drop_outbox(id) {
            error!(node = %self.config.name, cable = %id, cause = %e, "cannot drop an unsendable cable");
        }
        warn!(node = %self.config.name, cable = %id, cause = %error, "not sent");
        if let Some(reply) = reply {
            let _ = reply.send(Err(error));
        }
    }

    /// The hub refused `id` for good: it will not be resent.
    pub(super) fn drop_from_outbox(&mut self, id: &str) {
        let Some(at) = self.outbox.iter().position(|e| e.cable.id == id) else {
            return;
        };
        self.outbox.remove(at);
        if let Err(e) = self.store.drop_outbox(id) {
            // It would be resent after a restart, and refused again.
            error!(node = %self.config.name, cable = %id, cause = %e, "cannot drop a refused cable from the store");
        }
    }

    /// The hub acknowledged `id`: it moves from the outbox to the sent
    /// items, in the store first. This also happens for a cable resent
    /// after a reconnection or a restart, whose sender no longer waits.
    pub(super) fn acknowledged(&mut self, id: &str) {
        // Acknowledgements come in submit order: almost always the front.
        let Some(at) = self.outbox.iter().position(|e| e.cable.id == id) else {
            debug!(node = %self.config.name, cable = %id, "acknowledgement for nothing pending");
            return;
        };
        let Some(entry) = self.outbox.get(at) else {
            return;
        };
        let cable = &entry.cable;
        let to = recipients(
            &cable.from,
            &cable.to,
            &self.config.network,
            self.config.security.distribution,
        );
        let stored = StoredCable {
            header: cable.header(to),
            content: cable.content(),
        };
        if let Err(e) = self.store.mark_sent(id, &stored) {
            // Left in the outbox: resent on the next connection, the hub
            // acknowledges it again, and recording it is tried again.
            error!(node = %self.config.name, cable = %id, cause = %e, "cannot record a sent cable");
            if let Some(reply) = self.pending_sends.remove(id) {
                let _ = reply.send(Err(NodeError::Store(e)));
            }
            return;
        }
        let Some(entry) = self.outbox.remove(at) else {
            return;
        };
        let day = self.clock.today();
        let kept = self.store.keep(stored);
        lock(&self.state).file_sent(kept);
        for tap in &self.taps {
            tap.on_sent(day, &self.config.name, &entry.cable);
        }
        if let Some(reply) = self.pending_sends.remove(id) {
            let _ = reply.send(Ok(SendOutcome::Accepted));
        }
    }
}
