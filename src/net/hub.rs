//! The hub: one task per connection, a shared router, the key directory
//! and a store for the queues and the archive.
//!
//! A failing peer — a bad handshake, garbage bytes, a lie about who it is —
//! ends that peer's session with a logged reason and nothing else: the
//! accept loop and every other session carry on (STYLE habit 4). A failing
//! store refuses the cable at hand as `busy` (the node keeps it and sends
//! it again); failing to read or update a node's queue ends that node's
//! session, whose next connection starts from the queue; nothing else is
//! taken down. One node has one session: a newer connection ends the
//! older. What a peer can make the hub
//! hold — connections, deliveries in flight, queued replies — is bounded
//! by [`HubLimits`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, Semaphore, oneshot};
use tracing::{debug, error, info, warn};

use super::alarm::{AlarmKind, Alarms};
use super::framed::{FrameSender, Outgoing};
use super::hooks::HubTap;
use super::limits::{DeliveryWindow, HubLimits};
use super::store::{AcceptedCable, ArchivedCable, HubStore, MemoryHubStore, StoreError, digest_bytes};
use super::{DayClock, Direction};
use crate::crypto::{CablePayload, Directory, DirectoryEntry};
use crate::model::{Day, HUB, Network, SecurityConfig, recipients};
use crate::wire::{ErrorCode, Frame, encode_frame};

mod connection;

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
    /// in-process, in SQLite in multi-process mode. Called under this lock, which orders relays
    /// and acknowledgements anyway; a commit is a few milliseconds.
    store: Box<dyn HubStore>,
    directory: Directory,
    relayed: u64,
    /// Deliveries queued for connected nodes and not yet acknowledged:
    /// the hub is idle when this is zero.
    pending_connected: usize,
}

/// What became of a cable handed to [`Hub::relay`].
enum Relayed {
    /// Queued for its recipients now.
    Fresh,
    /// Accepted before with the very same bytes: a node that did not see
    /// the acknowledgement sent it again. Nothing is queued twice.
    Retransmission,
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
    /// moved to it: a restarted hub resumes on the day it stopped, never
    /// earlier.
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
                    store,
                    directory: Directory::new(),
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
        self.shared
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn today(&self) -> Day {
        self.shared.clock.today()
    }

    /// Registers `node`'s session and sends it the oldest cables queued
    /// for it, up to its delivery window; the rest follow as it
    /// acknowledges. An older session of the node is ended (`end` of its
    /// own fires with [`SessionEnd::Replaced`]): it would otherwise keep a
    /// connection slot and a window of frames in its writer. `end` fires
    /// for this one when it is replaced in turn or the store fails it.
    fn register(&self, node: &str, deliveries: FrameSender, end: oneshot::Sender<SessionEnd>) -> u64 {
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
    fn end_session(state: &mut State, node: &str, reason: String) {
        if let Some(session) = state.sessions.remove(node) {
            state.pending_connected = state.pending_connected.saturating_sub(session.queued);
            let _ = session.end.send(SessionEnd::StoreFailed(reason));
        }
    }

    /// Sends `node` the next cables of its queue, oldest first, while its
    /// window has room. The store is the only source: a cable is sent when
    /// its turn comes, never from a copy held for a stalled node.
    fn fill_window(&self, state: &mut State, node: &str) {
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

    fn unregister(&self, node: &str, session_id: u64) {
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
    fn handle(&self, node: &str, session_id: u64, frame: Frame) -> Option<Frame> {
        self.observe(node, Direction::ToHub, &frame);
        match frame {
            Frame::Submit { payload } => Some(self.submit(node, payload)),
            Frame::Ack { cable } => self.delivered(node, session_id, &cable),
            Frame::Publish { entry } => self.publish(node, entry),
            Frame::DirectoryRequest { nodes } => Some(self.answer_directory(node, session_id, &nodes)),
            Frame::DirectoryWatch => {
                self.watch(node, session_id);
                None
            }
            other => Some(refusal(
                node,
                None,
                ErrorCode::Unexpected,
                format!("unexpected {} frame from a node", other.kind()),
            )),
        }
    }

    /// Relays a cable from `node`: checks it, queues it for every
    /// recipient, archives it, and only then acknowledges it. Returns the
    /// acknowledgement or the refusal.
    fn submit(&self, node: &str, payload: CablePayload) -> Frame {
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
            return refusal(
                node,
                Some(&header.id),
                ErrorCode::Rejected,
                "sender does not match the connection".into(),
            );
        }
        let expected = recipients(&header.from, &header.to, &config.network, config.security.distribution);
        if header.recipients != expected {
            return refusal(
                node,
                Some(&header.id),
                ErrorCode::Rejected,
                format!("recipients {:?} are not R(c) = {expected:?}", header.recipients),
            );
        }
        if let Some(unknown) = header.to.iter().find(|n| !config.network.contains(n) || *n == HUB) {
            return refusal(
                node,
                Some(&header.id),
                ErrorCode::UnknownNode,
                format!("unknown addressee {unknown}"),
            );
        }
        if header.classification > config.security.max_classification {
            return refusal(
                node,
                Some(&header.id),
                ErrorCode::Rejected,
                format!("{} is above this network's maximum", header.classification),
            );
        }
        let id = header.id.clone();
        match self.relay(day, payload, &expected, true) {
            Ok(Relayed::Fresh) => Frame::Ack { cable: id },
            Ok(Relayed::Retransmission) => {
                debug!(node = %node, cable = %id, "retransmission");
                Frame::Ack { cable: id }
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
                refusal(node, Some(&id), code, reason)
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
    ) -> Result<Relayed, (ErrorCode, String)> {
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
            Some(known) if retry && known == digest => return Ok(Relayed::Retransmission),
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
        Ok(Relayed::Fresh)
    }

    /// Injects a cable at the hub as if a node had submitted it, skipping
    /// the sender check: what an attacker inside the hub (or a forger with
    /// access to it) does. Recipients still run every check of their own.
    /// Any id accepted before is refused, even with the same bytes.
    pub fn inject(&self, payload: CablePayload) -> Result<(), String> {
        let header = payload.header().clone();
        let config = &self.shared.config;
        let to = recipients(&header.from, &header.to, &config.network, config.security.distribution);
        self.relay(self.today(), payload, &to, false)
            .map(|_| ())
            .map_err(|(_, reason)| reason)
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
    fn delivered(&self, node: &str, session_id: u64, cable: &str) -> Option<Frame> {
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

    fn publish(&self, node: &str, entry: DirectoryEntry) -> Option<Frame> {
        if entry.node != node {
            self.shared.alarms.raise(
                self.today(),
                HUB,
                AlarmKind::SenderMismatch,
                format!("{node} published a directory entry for {}", entry.node),
            );
            return Some(refusal(
                node,
                None,
                ErrorCode::Rejected,
                "a node may only publish its own entry".into(),
            ));
        }
        debug!(node = %node, keys = entry.keys.len(), "publish");
        let mut state = self.state();
        if let Err(e) = state.store.save_entry(&entry) {
            // Served from memory all the same; only a restart would lose it,
            // and the node publishes again when it reconnects.
            error!(node = %node, cause = %e, "cannot save a directory entry");
        }
        state.directory.publish(entry);
        // Every other watching node hears of it, once until it asks again.
        let mut told = Vec::new();
        for (name, session) in &mut state.sessions {
            if name != node && session.watching && !session.notified {
                session.notified = true;
                let _ = session.deliveries.send(Outgoing::Frame(Frame::DirectoryChanged));
                told.push(name.clone());
            }
        }
        drop(state);
        for name in told {
            self.observe(&name, Direction::ToNode, &Frame::DirectoryChanged);
        }
        None
    }

    /// `node` wants to hear of directory changes on session `session_id`.
    fn watch(&self, node: &str, session_id: u64) {
        let mut state = self.state();
        if let Some(session) = state.sessions.get_mut(node)
            && session.id == session_id
        {
            session.watching = true;
        }
    }

    fn answer_directory(&self, node: &str, session_id: u64, wanted: &[String]) -> Frame {
        let mut entries: Vec<DirectoryEntry> = {
            let mut state = self.state();
            if wanted.is_empty() {
                // The answer holds every entry published so far: the next
                // change is news again.
                if let Some(session) = state.sessions.get_mut(node)
                    && session.id == session_id
                {
                    session.notified = false;
                }
                state.directory.entries().cloned().collect()
            } else {
                wanted.iter().filter_map(|n| state.directory.get(n).cloned()).collect()
            }
        };
        let day = self.today();
        for tap in &self.shared.taps {
            tap.on_directory_answer(day, node, &mut entries);
        }
        let answer = Frame::DirectoryAnswer { entries };
        self.observe(node, Direction::ToNode, &answer);
        answer
    }

    /// Moves the hub to `day`: the archive forgets what `archive_days` no
    /// longer keeps, and the store records the day. A store failure is
    /// logged: the archive is pruned again on the next day.
    pub fn enter_day(&self, day: Day) {
        let archive_days = self.shared.config.security.archive_days;
        let mut state = self.state();
        if let Err(e) = state.store.prune_archive(day, archive_days) {
            error!(day, cause = %e, "cannot prune the archive");
        }
        if let Err(e) = state.store.save_day(day) {
            error!(day, cause = %e, "cannot save the day");
        }
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
        edit(&mut self.state().directory)
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
