//! Receiving: a delivery is checked, opened and filed before it is
//! acknowledged, and one that fails a check raises an alarm.

use tracing::{debug, error};

use super::Runtime;
use crate::crypto::{AcceptPolicy, CablePayload, CryptoError};
use crate::net::alarm::{AlarmKind, AlarmSubject};
use crate::net::node::{StoredCable, lock};
use crate::net::store::Filed;
use crate::wire::Frame;

impl Runtime {
    /// Verifies and opens a delivery, files it, and acknowledges it. A
    /// delivery that fails any check raises an alarm and is acknowledged
    /// too: the node has decided, and the hub must not resend it forever.
    pub(super) fn deliver(&mut self, payload: CablePayload) {
        let day = self.clock.today();
        let name = &self.config.name;
        let id = payload.header().id.clone();
        let from = payload.header().from.clone();
        match self.store.filed(&id, &payload) {
            // The very bytes filed before: the hub did not get our
            // acknowledgement (a lost connection, a crash on either side)
            // and delivered again. Acknowledge; file nothing, alarm nothing.
            // A byte-identical replay by a third party looks the same and
            // is harmless for the same reason: it adds nothing.
            Ok(Filed::Same) => {
                debug!(node = %name, cable = %id, "redelivery");
                self.send_frame(Frame::Ack { cable: id });
                return;
            }
            // Another payload under a filed id. A restarted node's replay
            // guard starts empty, so tell it: if the payload authenticates,
            // the checks below end in a replay alarm.
            Ok(Filed::Different) => {
                let _ = lock(&self.state).replay.check_and_record(&id);
            }
            Ok(Filed::No) => {}
            Err(e) => {
                // Not acknowledged: the hub keeps it and delivers it again.
                error!(node = %name, cable = %id, cause = %e, "cannot look up a delivery; not acknowledged");
                return;
            }
        }
        let policy = AcceptPolicy {
            require_signature: self.config.security.signatures,
        };
        let result = {
            let mut guard = lock(&self.state);
            let state = &mut *guard;
            payload.accept(&state.keys, self.config.trusted.get(&from), policy, &mut state.replay)
        };
        match result {
            Ok(opened) => {
                debug!(
                    node = %name, cable = %id, day, from = %from, to = %opened.header.to.join(","),
                    classification = %opened.header.classification, "deliver"
                );
                if let Err(e) = self.store.file_inbox(&payload, &opened.header, &opened.content) {
                    // Not filed, so not acknowledged: the hub delivers it
                    // again, and then it must not look like a replay.
                    error!(node = %name, cable = %id, cause = %e, "cannot file a delivery; not acknowledged");
                    lock(&self.state).replay.forget(&id);
                    return;
                }
                for tap in &self.taps {
                    tap.on_delivery(day, name, &opened);
                }
                let kept = self.store.keep(StoredCable {
                    header: opened.header,
                    content: opened.content,
                });
                lock(&self.state).file_received(kept);
            }
            Err(e) => {
                let kind = match &e {
                    CryptoError::Replay(_) => AlarmKind::Replay,
                    CryptoError::MissingSignature(_) | CryptoError::BadSignature { .. } => AlarmKind::Signature,
                    CryptoError::Malformed(_) => AlarmKind::Malformed,
                    _ => AlarmKind::Aead,
                };
                self.alarms.raise_about(
                    day,
                    name,
                    kind,
                    format!("cable {id} from {from}: {e}"),
                    AlarmSubject::cable(&id),
                );
            }
        }
        self.send_frame(Frame::Ack { cable: id });
    }
}
