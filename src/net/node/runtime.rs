//! The node's task: one loop that takes commands from the handle and
//! frames from the hub, seals and sends, opens and files, and keeps the
//! store ahead of every frame that depends on it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, error, warn};

use super::connection::{BoxStream, Connection, establish, next_frame};
use super::waiting::{Waiting, without_key};
use super::{Command, NodeConfig, NodeError, NodeState, SendOutcome, SendReply, StoredCable, lock};
use crate::crypto::{
    AcceptPolicy, CablePayload, CryptoError, DirectoryEntry, EntryCheck, KeyKind, RecipientKey, check_entry,
};
use crate::model::{Cable, Day, E2eMode, epoch_of, expired, recipients};
use crate::net::DayClock;
use crate::net::alarm::{AlarmKind, AlarmSubject, Alarms};
use crate::net::framed::{FramedError, Outgoing};
use crate::net::hooks::NodeTap;
use crate::net::store::{Filed, NodeStore, OutboxEntry};
use crate::wire::{ErrorCode, Frame, encode_frame};

enum Event {
    Command(Option<Command>),
    Frame(Result<Option<Frame>, FramedError>),
}

/// The node's task: owns the connection and the store, and is the only
/// writer of the node's state.
pub(super) struct Runtime {
    pub(super) config: NodeConfig,
    pub(super) clock: DayClock,
    pub(super) alarms: Alarms,
    pub(super) taps: Vec<Arc<dyn NodeTap>>,
    pub(super) state: Arc<Mutex<NodeState>>,
    /// The current connection to the hub; `None` after it was lost.
    pub(super) conn: Option<Connection>,
    /// Tells [`super::NodeHandle::disconnected`] when `conn` comes and goes.
    pub(super) connected: watch::Sender<bool>,
    /// Keys, inbox, sent items and outbox, kept before frames depend on them.
    pub(super) store: Box<dyn NodeStore>,
    /// Cables sealed and not yet acknowledged, in submit order: resent
    /// after every (re)connection until the hub acknowledges or refuses
    /// them. Mirrors the store's outbox.
    pub(super) outbox: VecDeque<OutboxEntry>,
    /// Who waits for the outcome of an outbox entry, by cable id. A
    /// connection loss fails the wait; the entry stays in the outbox.
    pub(super) pending_sends: HashMap<String, SendReply>,
    /// Replies waiting for a directory answer, in request order.
    pub(super) pending_directory: VecDeque<DirectoryWaiter>,
    /// Cables kept until their recipients' keys are known, unsealed.
    pub(super) waiting: Waiting<SendReply>,
    /// Set by [`Command::KeepDirectoryCurrent`]: watch the directory and
    /// fetch it after every connection.
    pub(super) keep_current: bool,
    /// The hub said the directory changed and the node has not asked for
    /// it since.
    pub(super) stale: bool,
}

pub(super) enum DirectoryWaiter {
    /// An EnterDay waiting for its publish to be processed.
    Published(oneshot::Sender<bool>, bool),
    /// A refresh waiting for the entries.
    Refresh(oneshot::Sender<Result<(), NodeError>>),
    /// A fetch the node made by itself (after a reconnection, or because
    /// the directory changed): the entries are kept, nobody is told.
    Update,
}

impl Runtime {
    /// Runs the node on its established connection: the outbox is resent
    /// first, then commands and frames are handled until shutdown.
    pub(super) fn start(self, commands: mpsc::UnboundedReceiver<Command>) {
        self.resubmit();
        tokio::spawn(self.run(commands));
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let goodbye = loop {
            // Decide first, act after: the select borrows the connection.
            let event = tokio::select! {
                command = commands.recv() => Event::Command(command),
                frame = next_frame(&mut self.conn) => Event::Frame(frame),
            };
            match event {
                Event::Command(Some(Command::Shutdown { reply })) => break Some(reply),
                Event::Command(Some(Command::Reconnect { stream, reply })) => {
                    let _ = reply.send(self.reconnect(stream).await);
                }
                Event::Command(Some(command)) => self.command(command),
                Event::Command(None) => break None,
                Event::Frame(Ok(Some(frame))) => self.frame(frame),
                Event::Frame(Ok(None)) => self.lost("the hub closed the connection").await,
                Event::Frame(Err(e)) => {
                    warn!(node = %self.config.name, cause = %e, "connection to the hub failed");
                    self.lost(&e.to_string()).await;
                }
            }
        };
        self.lost("the node shut down").await;
        if let Some(reply) = goodbye {
            let _ = reply.send(());
        }
    }

    /// The connection is gone (or being given up): fail what waits on it
    /// and close it cleanly if it still can be. The outbox is kept.
    async fn lost(&mut self, why: &str) {
        self.fail_pending(why);
        self.connected.send_replace(false);
        if let Some(conn) = self.conn.take() {
            conn.close().await;
        }
    }

    async fn reconnect(&mut self, stream: BoxStream) -> Result<(), NodeError> {
        self.lost("the node is reconnecting").await;
        let entry = lock(&self.state).keys.publish();
        let conn = establish(&self.config, entry, stream, &self.clock, &self.alarms).await?;
        self.conn = Some(conn);
        self.connected.send_replace(true);
        self.resubmit();
        if self.keep_current {
            // What was published while the node was away is fetched now;
            // the watch lasts one connection, so it is asked for again.
            self.send_frame(Frame::DirectoryWatch);
            self.request_directory(DirectoryWaiter::Update);
        }
        Ok(())
    }

    /// Asks for the whole directory; `waiter` gets the answer. Without a
    /// connection there is no answer to wait for: a refresh fails at once.
    fn request_directory(&mut self, waiter: DirectoryWaiter) {
        if self.conn.is_none() {
            if let DirectoryWaiter::Refresh(reply) = waiter {
                let _ = reply.send(Err(NodeError::Connection("not connected to the hub".into())));
            }
            return;
        }
        self.send_frame(Frame::DirectoryRequest { nodes: Vec::new() });
        self.pending_directory.push_back(waiter);
        // The answer holds whatever made the directory change.
        self.stale = false;
    }

    /// Fetches the directory if the hub said it changed and a cable waits
    /// for keys: a change nobody waits for is fetched with the next refresh.
    fn fetch_if_stale(&mut self) {
        if self.keep_current && self.stale && !self.waiting.is_empty() {
            self.request_directory(DirectoryWaiter::Update);
        }
    }

    /// Sends every outbox entry again, in order and byte for byte: the hub
    /// acknowledges a cable it already accepted without relaying it twice,
    /// and relays one it never got. Re-sealing instead would make a
    /// different payload under the same id, which the hub must refuse as a
    /// replay.
    fn resubmit(&self) {
        let Some(conn) = &self.conn else {
            return;
        };
        for entry in &self.outbox {
            debug!(node = %self.config.name, cable = %entry.cable.id, "resubmit");
            let _ = conn.out.send(Outgoing::Encoded(entry.submit_frame.clone()));
        }
    }

    fn fail_pending(&mut self, why: &str) {
        for (_, reply) in self.pending_sends.drain() {
            let _ = reply.send(Err(NodeError::Connection(why.to_owned())));
        }
        for waiter in self.pending_directory.drain(..) {
            if let DirectoryWaiter::Refresh(reply) = waiter {
                let _ = reply.send(Err(NodeError::Connection(why.to_owned())));
            }
        }
    }

    fn send_frame(&self, frame: Frame) {
        if let Some(conn) = &self.conn {
            let _ = conn.out.send(Outgoing::Frame(frame));
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::EnterDay { day, reply } => self.enter_day(day, reply),
            Command::RefreshDirectory { reply } => self.request_directory(DirectoryWaiter::Refresh(reply)),
            Command::KeepDirectoryCurrent { reply } => {
                self.keep_current = true;
                self.send_frame(Frame::DirectoryWatch);
                self.request_directory(DirectoryWaiter::Refresh(reply));
            }
            Command::Send {
                cable,
                reply,
                wait_for_keys,
            } => self.send(*cable, reply, wait_for_keys),
            // Both are handled by the run loop itself.
            Command::Shutdown { reply } => {
                let _ = reply.send(());
            }
            Command::Reconnect { reply, .. } => {
                let _ = reply.send(Err(NodeError::Connection("reconnect outside the run loop".into())));
            }
            Command::NextSequence { reply } => {
                let _ = reply.send(self.store.next_sequence());
            }
        }
    }

    fn enter_day(&mut self, day: Day, reply: oneshot::Sender<bool>) {
        let retention = self.config.security.retention_days;
        let mut state = lock(&self.state);
        let before = state.keys.held_epochs();
        state.keys.enter_day(day);
        let rotated = state.keys.held_epochs() != before;
        state.inbox.retain(|c| !expired(c.header.day, day, retention));
        state.sent.retain(|c| !expired(c.header.day, day, retention));
        let name = &self.config.name;
        // New keys are saved before they are published: a node that
        // crashed after publishing keys it had not saved could never open
        // what was sealed for them.
        if rotated && let Err(e) = self.store.save_keys(&state.keys) {
            error!(node = %name, day, cause = %e, "cannot save the rotated keys");
        }
        if let Err(e) = self.store.save_day(day) {
            error!(node = %name, day, cause = %e, "cannot save the day");
        }
        if let Err(e) = self.store.prune(day, retention) {
            error!(node = %name, day, cause = %e, "cannot apply retention to the store");
        }
        if rotated {
            let entry = state.keys.publish();
            drop(state);
            self.send_frame(Frame::Publish { entry });
            // Reply once the hub has processed the publish: the answer to
            // this request comes after it on the same connection.
            self.send_frame(Frame::DirectoryRequest {
                nodes: vec![self.config.name.clone()],
            });
            self.pending_directory
                .push_back(DirectoryWaiter::Published(reply, true));
        } else {
            let _ = reply.send(false);
        }
    }

    fn wanted_kind(&self) -> Option<KeyKind> {
        let security = &self.config.security;
        match security.e2e {
            E2eMode::Static => Some(KeyKind::Static),
            E2eMode::ForwardSecret => Some(KeyKind::Epoch(epoch_of(self.clock.today(), security.epoch_days))),
            E2eMode::Off | E2eMode::Group => None,
        }
    }

    /// Keeps a fresh directory answer; its entries are checked when first
    /// needed (see [`Runtime::pinned_keys`]).
    fn store_directory(&mut self, entries: Vec<DirectoryEntry>) {
        // Saved so that a restarted node can seal before it can refresh;
        // failing that, it only has to wait for a refresh.
        if let Err(e) = self.store.save_directory(&entries) {
            warn!(node = %self.config.name, cause = %e, "cannot save the directory");
        }
        let mut state = lock(&self.state);
        state.directory = entries.into_iter().map(|e| (e.node.clone(), e)).collect();
        state.recipient_keys.clear();
    }

    /// The keys to wrap for when writing to `recipients`, each checked
    /// against its certified identity under pinning. Entries are checked
    /// once per directory refresh, all at once over the cores (each is an
    /// Ed25519 verification per key); a refused key raises one alarm per
    /// refresh, not one per cable.
    fn pinned_keys(&self, state: &mut NodeState, recipients: &[String]) -> Vec<RecipientKey> {
        /// From this many unchecked entries on, they are checked on all cores.
        const PARALLEL_CHECKS: usize = 4;
        let Some(wanted) = self.wanted_kind() else {
            return Vec::new();
        };
        let unchecked: Vec<(&String, Option<&DirectoryEntry>)> = recipients
            .iter()
            .filter(|r| !state.recipient_keys.contains_key(*r))
            .map(|r| (r, state.directory.get(r)))
            .collect();
        let trusted = &self.config.trusted;
        let pinning = self.config.security.key_pinning;
        let check = |(recipient, entry): &(&String, Option<&DirectoryEntry>)| {
            let check = match entry {
                None => Ok(EntryCheck::default()),
                Some(entry) => check_entry(recipient, entry, wanted, trusted, pinning),
            };
            ((*recipient).clone(), check)
        };
        // Usually every entry is checked already, or only a few are new:
        // a hand-off to other cores pays only for a long list.
        let checked: Vec<(String, Result<EntryCheck, CryptoError>)> = if unchecked.len() >= PARALLEL_CHECKS {
            unchecked.par_iter().map(check).collect()
        } else {
            unchecked.iter().map(check).collect()
        };
        let day = self.clock.today();
        let name = &self.config.name;
        for (recipient, check) in checked {
            let keys = match check {
                Ok(check) => {
                    for refused in &check.refused {
                        self.alarms.raise(
                            day,
                            name,
                            AlarmKind::KeyPinning,
                            format!("key {} in {}'s entry: {}", refused.key_id, refused.node, refused.reason),
                        );
                    }
                    check.accepted
                }
                Err(e) => {
                    self.alarms.raise(day, name, AlarmKind::KeyPinning, e.to_string());
                    Vec::new()
                }
            };
            state.recipient_keys.insert(recipient, keys);
        }
        recipients
            .iter()
            .flat_map(|r| state.recipient_keys.get(r).cloned().unwrap_or_default())
            .collect()
    }

    /// The recipients of `to` the node has no usable key for; none when
    /// the e2e mode needs no directory key.
    fn missing_keys(&self, to: &[String]) -> Vec<String> {
        if self.wanted_kind().is_none() {
            return Vec::new();
        }
        let keys = self.pinned_keys(&mut lock(&self.state), to);
        without_key(to, &keys)
    }

    fn send(&mut self, cable: Cable, reply: SendReply, wait_for_keys: bool) {
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
    fn release_waiting(&mut self) {
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
    fn seal_and_submit(&mut self, cable: Cable, to: &[String], reply: Option<SendReply>, waiting: bool) {
        let security = &self.config.security;
        let sealed = {
            let mut guard = lock(&self.state);
            let keys = self.pinned_keys(&mut guard, to);
            CablePayload::seal(
                cable.header(to.to_vec()),
                &cable.content(),
                &guard.keys,
                &keys,
                security.signatures,
            )
        };
        let payload = match sealed {
            Ok(payload) => payload,
            Err(e) => {
                self.unsendable(&cable.id, waiting, reply, NodeError::Seal(e));
                return;
            }
        };
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

    fn frame(&mut self, frame: Frame) {
        match frame {
            Frame::Deliver { payload } => self.deliver(payload),
            Frame::Ack { cable } => self.acknowledged(&cable),
            Frame::DirectoryAnswer { entries } => match self.pending_directory.pop_front() {
                Some(DirectoryWaiter::Published(reply, rotated)) => {
                    let _ = reply.send(rotated);
                }
                Some(DirectoryWaiter::Refresh(reply)) => {
                    self.store_directory(entries);
                    self.release_waiting();
                    let _ = reply.send(Ok(()));
                }
                Some(DirectoryWaiter::Update) => {
                    self.store_directory(entries);
                    self.release_waiting();
                }
                None => debug!(node = %self.config.name, "unrequested directory answer ignored"),
            },
            Frame::DirectoryChanged => {
                self.stale = true;
                self.fetch_if_stale();
            }
            Frame::Error { cable, code, detail } => {
                warn!(node = %self.config.name, cable = ?cable, code = %code, detail = %detail, "the hub refused");
                if let Some(id) = cable {
                    // `busy` is the hub's store failing, not a verdict on
                    // the cable: keep it for the next connection.
                    if code != ErrorCode::Busy {
                        self.drop_from_outbox(&id);
                    }
                    if let Some(reply) = self.pending_sends.remove(&id) {
                        let _ = reply.send(Err(NodeError::Refused { code, detail }));
                    }
                }
            }
            other => warn!(node = %self.config.name, frame = other.kind(), "unexpected frame from the hub ignored"),
        }
    }

    /// The hub refused `id` for good: it will not be resent.
    fn drop_from_outbox(&mut self, id: &str) {
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
    fn acknowledged(&mut self, id: &str) {
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
        lock(&self.state).sent.push_back(stored);
        for tap in &self.taps {
            tap.on_sent(day, &self.config.name, &entry.cable);
        }
        if let Some(reply) = self.pending_sends.remove(id) {
            let _ = reply.send(Ok(SendOutcome::Accepted));
        }
    }

    /// Verifies and opens a delivery, files it, and acknowledges it. A
    /// delivery that fails any check raises an alarm and is acknowledged
    /// too: the node has decided, and the hub must not resend it forever.
    fn deliver(&mut self, payload: CablePayload) {
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
                lock(&self.state).inbox.push_back(StoredCable {
                    header: opened.header,
                    content: opened.content,
                });
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
