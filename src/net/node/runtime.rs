//! The node's task: one loop that takes commands from the handle and
//! frames from the hub, seals and sends, opens and files, and keeps the
//! store ahead of every frame that depends on it.
//!
//! This file holds the loop, the connection and the commands; choosing and
//! checking recipients' keys is in `keys`, sending and the outbox in
//! `outbox`, and receiving deliveries in `inbox`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, error, warn};

use super::connection::{BoxStream, Connection, establish, next_frame};
use super::waiting::Waiting;
use super::{Command, NodeConfig, NodeError, NodeState, SendReply, lock};
use crate::crypto::CablePayload;
use crate::model::{Cable, Day};
use crate::net::DayClock;
use crate::net::alarm::Alarms;
use crate::net::framed::{FramedError, Outgoing};
use crate::net::hooks::NodeTap;
use crate::net::store::{NodeStore, OutboxEntry};
use crate::wire::{ErrorCode, Frame};

mod inbox;
mod keys;
mod outbox;

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
    /// Cables sealed ahead of their send ([`Command::Prepare`]), by id,
    /// with the cable they were sealed from. Cleared when the keys rotate
    /// or a directory arrives: what was sealed may no longer be what the
    /// send would seal.
    pub(super) prepared: HashMap<String, (Cable, CablePayload)>,
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
        let conn = establish(&self.config, entry, stream, &self.clock, &self.alarms, &self.taps).await?;
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
            Command::Prepare { cable } => self.prepare(*cable),
        }
    }

    fn enter_day(&mut self, day: Day, reply: oneshot::Sender<bool>) {
        let retention = self.config.security.retention_days;
        let mut state = lock(&self.state);
        let before = state.keys.held_epochs();
        state.keys.enter_day(day);
        let rotated = state.keys.held_epochs() != before;
        state.apply_retention(day, retention);
        let name = &self.config.name;
        // New keys are saved before they are published: a node that
        // crashed after publishing keys it had not saved could never open
        // what was sealed for them.
        if rotated {
            self.prepared.clear();
        }
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
}
