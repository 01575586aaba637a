//! The hub: one task per connection, a shared router, the key directory
//! and a store for the queues and the archive.
//!
//! A failing peer — a bad handshake, garbage bytes, a lie about who it is —
//! ends that peer's session with a logged reason and nothing else: the
//! accept loop and every other session carry on (see "Bad input" in
//! ARCHITECTURE.md). A failing store refuses the cable at hand as `busy`
//! (the node keeps it and sends it again); failing to read or update a
//! node's queue ends that node's session, whose next connection starts
//! from the queue; a failed group commit of a durable store ends every
//! session the same way; nothing else is taken down. One node has one session: a
//! newer connection ends the older. What a peer can make the hub hold —
//! connections, deliveries in flight, queued replies — is bounded by
//! [`HubLimits`].
//!
//! This file holds the router's state and its public face; a connection's
//! life is in `connection`, each node's session and delivery window in
//! `sessions`, accepting and queueing cables in `relay`, and the key
//! directory in `directory`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, oneshot};
use tracing::{error, info, warn};

use super::alarm::Alarms;
use super::framed::{FrameSender, Outgoing};
use super::hooks::HubTap;
use super::limits::{DeliveryWindow, HubLimits};
use super::store::{ArchivedCable, Durable, HubStore, MemoryHubStore, StoreError};
use super::{DayClock, Direction};
use crate::crypto::Directory;
use crate::model::{Day, Network, SecurityConfig};
use crate::wire::{ErrorCode, Frame};

mod connection;
mod directory;
mod relay;
mod sessions;
#[cfg(test)]
mod tests;

/// How the hub is set up.
#[derive(Clone)]
pub struct HubConfig {
    /// Who may connect.
    pub network: Network,
    /// Effective security settings.
    pub security: SecurityConfig,
    /// The TLS server configuration; `None` under `transport = plain`.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Largest frame accepted or sent.
    pub max_frame: usize,
    /// How long a peer may take to finish the TLS handshake and say hello,
    /// from the moment its connection is taken.
    pub handshake_timeout: Duration,
    /// What peers may make the hub hold: connections, deliveries in
    /// flight, queued replies.
    pub limits: HubLimits,
}

/// A running hub. Cheap to clone: clones share the same state.
#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
}

struct Shared {
    config: HubConfig,
    clock: DayClock,
    alarms: Alarms,
    taps: Vec<Arc<dyn HubTap>>,
    state: Mutex<State>,
    idle: Notify,
    /// One permit per open connection, handshaking or established: held by
    /// the connection's task, so a connection that ends or times out frees
    /// its slot whatever way it ends.
    connections: Arc<Semaphore>,
}

/// A node's current connection, as the router sees it.
struct Session {
    id: u64,
    /// To the connection's writer: deliveries only, never more than the
    /// window lets out.
    deliveries: FrameSender,
    /// What is in flight on it, and whether the store holds more.
    window: DeliveryWindow,
    /// Cables queued for the node, counted in `State::pending_connected`
    /// while this session is the node's: taken back out, exactly, when it
    /// ends, without asking the store again.
    queued: usize,
    /// Ends the connection from the hub's side (see [`SessionEnd`]).
    end: oneshot::Sender<SessionEnd>,
    /// The node sent [`Frame::DirectoryWatch`] on this connection.
    watching: bool,
    /// A [`Frame::DirectoryChanged`] went out and the node has not asked
    /// for the whole directory since: the next change needs no second
    /// notice, since the node's next request answers it too.
    notified: bool,
}

/// Why the hub ends a node's session itself. Either way the node's queue
/// stays in the store, and its next connection starts from the queue's
/// oldest cable.
#[derive(Debug)]
enum SessionEnd {
    /// The node connected again: one session per node, so one window per
    /// node, whoever opens connections in its name.
    Replaced,
    /// The store failed to read the node's queue or to record one of its
    /// acknowledgements (the reason).
    StoreFailed(String),
}

/// What the hub holds for one node, for operators and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeliveryLoad {
    /// Whether the node has a session.
    pub connected: bool,
    /// Deliveries sent on that session and not yet acknowledged (at most
    /// [`HubLimits::delivery_window`]).
    pub in_flight: usize,
    /// Their bytes, length prefixes included.
    pub in_flight_bytes: usize,
    /// Cables queued for the node in the store, those in flight included.
    pub queued: usize,
}

struct State {
    sessions: HashMap<String, Session>,
    next_session: u64,
    /// Queues, accepted ids, archive and saved directory entries: in memory
    /// in-process, in SQLite in multi-process mode. Called under this lock,
    /// which orders relays and acknowledgements anyway; no call waits for a
    /// commit (the SQLite store commits in groups, and a sender's
    /// acknowledgement waits on [`HubStore::durable`] outside the lock).
    store: Box<dyn HubStore>,
    /// [`HubStore::failed_commits`] as last seen: when it moves, every
    /// session ends (see [`Hub::state`]).
    failed_commits: u64,
    directory: Directory,
    /// The answer to a request for the whole directory, made once and sent
    /// to every node that asks until the directory changes: at a key
    /// rotation every node asks for all of it, one after the other.
    whole_directory: Option<directory::WholeAnswer>,
    relayed: u64,
    /// Deliveries queued for connected nodes and not yet acknowledged:
    /// the hub is idle when this is zero.
    pending_connected: usize,
}

impl Hub {
    /// A hub with no connections yet, keeping its queues and archive in
    /// memory (in-process runs).
    pub fn new(config: HubConfig, clock: DayClock, alarms: Alarms, taps: Vec<Arc<dyn HubTap>>) -> Hub {
        Self::build(config, clock, alarms, taps, Box::new(MemoryHubStore::new()))
    }

    /// A hub keeping its queues, accepted ids, archive and directory in
    /// `store` (a [`super::SqliteHubStore`] in multi-process mode). Cables
    /// the store still holds for a node are delivered when it connects, and
    /// the directory entries it holds are served until their nodes publish
    /// again. If the store saved a day later than `clock`'s, the clock is
    /// moved to it: a restarted hub resumes on the last day its store
    /// committed, never earlier (see "Durability" in ARCHITECTURE.md).
    pub fn with_store(
        config: HubConfig,
        clock: DayClock,
        alarms: Alarms,
        taps: Vec<Arc<dyn HubTap>>,
        store: Box<dyn HubStore>,
    ) -> Result<Hub, StoreError> {
        if let Some(day) = store.day()?
            && day > clock.today()
        {
            info!(day, "resuming on the store's day");
            clock.set(day);
        }
        let entries = store.directory()?;
        let hub = Self::build(config, clock, alarms, taps, store);
        hub.with_directory(|directory| {
            for entry in entries {
                directory.publish(entry);
            }
        });
        Ok(hub)
    }

    fn build(
        config: HubConfig,
        clock: DayClock,
        alarms: Alarms,
        taps: Vec<Arc<dyn HubTap>>,
        store: Box<dyn HubStore>,
    ) -> Hub {
        Hub {
            shared: Arc::new(Shared {
                clock,
                alarms,
                taps,
                state: Mutex::new(State {
                    sessions: HashMap::new(),
                    next_session: 0,
                    failed_commits: store.failed_commits(),
                    store,
                    directory: Directory::new(),
                    whole_directory: None,
                    relayed: 0,
                    pending_connected: 0,
                }),
                idle: Notify::new(),
                connections: Arc::new(Semaphore::new(
                    config.limits.max_connections.min(Semaphore::MAX_PERMITS),
                )),
                config,
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the queues half
        // updated in a way that matters more than stopping would.
        let mut state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // A failed group commit undid changes the sessions' windows and
        // counts were built on (cables queued, acknowledgements taken): every
        // session ends, and each node's next one starts from its queue as
        // the store now holds it. Nothing acknowledged is lost: no sender
        // was acknowledged for an undone cable.
        let failed = state.store.failed_commits();
        if failed != state.failed_commits {
            state.failed_commits = failed;
            let nodes: Vec<String> = state.sessions.keys().cloned().collect();
            for node in nodes {
                Self::end_session(&mut state, &node, "a commit of the hub's store failed".into());
            }
            self.shared.idle.notify_waiters();
        }
        state
    }

    fn today(&self) -> Day {
        self.shared.clock.today()
    }

    fn observe(&self, peer: &str, direction: Direction, frame: &Frame) {
        if self.shared.taps.is_empty() {
            return;
        }
        let day = self.today();
        for tap in &self.shared.taps {
            tap.on_frame(day, peer, direction, frame);
        }
    }

    /// Handles one frame from `node`'s session `session_id`, and returns
    /// the reply to send it, if any.
    fn handle(&self, node: &str, session_id: u64, frame: Frame) -> Option<Reply> {
        self.observe(node, Direction::ToHub, &frame);
        let now = |frame: Option<Frame>| frame.map(Reply::now);
        match frame {
            Frame::Submit { payload } => Some(self.submit(node, payload)),
            Frame::Ack { cable } => now(self.delivered(node, session_id, &cable)),
            Frame::Publish { entry } => now(self.publish(node, entry)),
            Frame::DirectoryRequest { nodes } => Some(Reply::sending(self.answer_directory(node, session_id, &nodes))),
            Frame::DirectoryWatch => {
                self.watch(node, session_id);
                None
            }
            other => now(Some(refusal(
                node,
                None,
                ErrorCode::Unexpected,
                format!("unexpected {} frame from a node", other.kind()),
            ))),
        }
    }

    /// The frame `reply` becomes once its commit is known: itself, or if
    /// the commit failed, a `busy` refusal of its cable (the node keeps the
    /// cable and sends it again).
    fn settle(&self, node: &str, reply: Reply, committed: Result<(), StoreError>) -> Outgoing {
        match committed {
            Ok(()) => reply.frame,
            Err(e) => {
                let cable = reply.cable.as_deref();
                error!(node = %node, cable = cable, cause = %e, "cable not accepted");
                // Ends every session if the failure undid staged changes.
                drop(self.state());
                Outgoing::Frame(refusal(
                    node,
                    cable,
                    ErrorCode::Busy,
                    format!("the hub could not store the cable: {e}"),
                ))
            }
        }
    }

    /// Moves the hub to `day`: the archive forgets what `archive_days` no
    /// longer keeps, and the store records the day. A store failure is
    /// logged: the archive is pruned again on the next day. Nothing waits
    /// for the store to commit it: see [`Hub::enter_day_durably`].
    pub fn enter_day(&self, day: Day) {
        drop(self.enter_day_durably(day));
    }

    /// [`Hub::enter_day`], and what resolves once the store has committed
    /// the day and its pruning: a hub process announces a day only then,
    /// so that a crash after the announcement cannot bring it back on an
    /// earlier day with cables that retention had already dropped.
    pub fn enter_day_durably(&self, day: Day) -> Durable {
        let archive_days = self.shared.config.security.archive_days;
        let mut state = self.state();
        if let Err(e) = state.store.prune_archive(day, archive_days) {
            error!(day, cause = %e, "cannot prune the archive");
        }
        match state.store.save_day(day) {
            Ok(()) => state.store.durable(),
            Err(e) => {
                error!(day, cause = %e, "cannot save the day");
                Durable::failed(e)
            }
        }
    }

    /// Resolves once every change the hub's store has made so far is
    /// committed: at once for a store that keeps nothing beyond the
    /// process. What to wait on before copying a durable hub's file when
    /// no acknowledgement did (a test's crash, a backup).
    pub fn committed(&self) -> Durable {
        self.state().store.durable()
    }

    /// Waits until every cable queued for a connected node has been
    /// acknowledged by it.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.shared.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.state().pending_connected == 0 {
                return;
            }
            notified.await;
        }
    }

    /// Names of the nodes connected right now, sorted.
    pub fn connected(&self) -> Vec<String> {
        let mut names: Vec<String> = self.state().sessions.keys().cloned().collect();
        names.sort();
        names
    }

    /// Connections open right now, handshaking or established: at most
    /// [`HubLimits::max_connections`].
    pub fn open_connections(&self) -> usize {
        let limit = self.shared.config.limits.max_connections.min(Semaphore::MAX_PERMITS);
        limit.saturating_sub(self.shared.connections.available_permits())
    }

    /// What the hub holds for `node`: its deliveries in flight and its
    /// queue (see [`DeliveryLoad`]).
    pub fn delivery_load(&self, node: &str) -> DeliveryLoad {
        let state = self.state();
        let queued = state.store.pending_count(node).unwrap_or_else(|e| {
            error!(node = %node, cause = %e, "cannot count the delivery queue");
            0
        });
        match state.sessions.get(node) {
            Some(session) => DeliveryLoad {
                connected: true,
                in_flight: session.window.len(),
                in_flight_bytes: session.window.bytes(),
                queued,
            },
            None => DeliveryLoad {
                queued,
                ..DeliveryLoad::default()
            },
        }
    }

    /// Cables relayed so far.
    pub fn relayed(&self) -> u64 {
        self.state().relayed
    }

    /// A copy of the archive as it stands: what an insider exports.
    pub fn archive_snapshot(&self) -> Vec<ArchivedCable> {
        self.state().store.archive().unwrap_or_else(|e| {
            error!(cause = %e, "cannot read the archive");
            Vec::new()
        })
    }

    /// Runs `edit` on the directory the hub serves (a hub adversary's view).
    pub fn with_directory<T>(&self, edit: impl FnOnce(&mut Directory) -> T) -> T {
        let mut state = self.state();
        state.whole_directory = None;
        edit(&mut state.directory)
    }
}

/// A reply to a node, sent once `durable` resolves: an acknowledgement
/// promises that its cable is committed. Replies leave in the order of the
/// frames they answer, so one waiting for a commit holds back those
/// behind it (never the node's deliveries, nor other nodes' replies).
struct Reply {
    durable: Durable,
    frame: Outgoing,
    /// The cable it acknowledges, named in the refusal if the commit fails.
    cable: Option<String>,
}

impl Reply {
    /// A reply that waits for nothing.
    fn now(frame: Frame) -> Reply {
        Reply::sending(Outgoing::Frame(frame))
    }

    /// A reply that waits for nothing, perhaps encoded already.
    fn sending(frame: Outgoing) -> Reply {
        Reply {
            durable: Durable::now(),
            frame,
            cable: None,
        }
    }
}

/// A refusal for `node`, logged with the reason it is given.
fn refusal(node: &str, cable: Option<&str>, code: ErrorCode, detail: String) -> Frame {
    warn!(node = %node, cable = cable, code = %code, reason = %detail, "frame refused");
    Frame::Error {
        cable: cable.map(str::to_owned),
        code,
        detail,
    }
}
