//! The hub: one task per connection, a shared router, the key directory
//! and a store for the queues and the archive.
//!
//! A failing peer — a bad handshake, garbage bytes, a lie about who it is —
//! ends that peer's session with a logged reason and nothing else: the
//! accept loop and every other session carry on (STYLE habit 4). A failing
//! store refuses the cable at hand as `busy` (the node keeps it and sends
//! it again) and takes nothing else down.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Notify, mpsc};
use tracing::{debug, error, info, warn};

use super::alarm::{AlarmKind, AlarmSubject, Alarms};
use super::framed::{FrameSender, FrameSource, FramedError, Outgoing, write_frames};
use super::hooks::HubTap;
use super::store::{AcceptedCable, ArchivedCable, HubStore, MemoryHubStore, StoreError, digest_bytes};
use super::{DayClock, Direction, tls};
use crate::crypto::{CablePayload, Directory, DirectoryEntry};
use crate::model::{Day, HUB, Network, SecurityConfig, recipients};
use crate::wire::{ErrorCode, Frame, PROTOCOL_VERSION, encode_frame};

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
    /// How long a peer may take to finish the TLS handshake and say hello.
    pub handshake_timeout: Duration,
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
}

struct Session {
    id: u64,
    tx: FrameSender,
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

/// Why a session ended early; logged with the peer, never fatal to the hub.
#[derive(Debug, thiserror::Error)]
enum SessionError {
    #[error("TLS handshake failed: {0}")]
    Handshake(std::io::Error),
    #[error("no hello within {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Framed(#[from] FramedError),
    #[error("{0}")]
    Refused(String),
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
                config,
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

    /// Serves one connection until it ends. `peer` labels it in logs (a
    /// socket address, or the link's node name in-process). Every failure
    /// is logged and contained here.
    pub async fn serve<S>(&self, raw: S, peer: String)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.serve_as(raw, peer, None).await;
    }

    /// Serves the in-process link of `node`: like [`Hub::serve`], with
    /// alarms about the connection naming the link.
    pub async fn serve_link<S>(&self, raw: S, node: &str)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.serve_as(raw, format!("link:{node}"), Some(node)).await;
    }

    async fn serve_as<S>(&self, raw: S, peer: String, link: Option<&str>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let about = || link.map(AlarmSubject::link).unwrap_or_default();
        let result = match self.shared.config.tls.clone() {
            None => self.session(raw, None, &peer, link).await,
            Some(tls) => {
                let acceptor = tokio_rustls::TlsAcceptor::from(tls);
                let timeout = self.shared.config.handshake_timeout;
                match tokio::time::timeout(timeout, acceptor.accept(raw)).await {
                    Err(_) => Err(SessionError::Timeout(timeout)),
                    // A peer that hangs up before (or during) its hello is
                    // gone, not refused; only a handshake that fails on its
                    // content (a certificate) is an attack worth an alarm.
                    Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(SessionError::Handshake(e)),
                    Ok(Err(e)) => {
                        self.shared.alarms.raise_about(
                            self.today(),
                            HUB,
                            AlarmKind::CertificateRejected,
                            format!("peer {peer}: {e}"),
                            about(),
                        );
                        Err(SessionError::Handshake(e))
                    }
                    Ok(Ok(mut stream)) => {
                        // Every frame becomes whole records (see write_frames).
                        stream.get_mut().1.set_buffer_limit(None);
                        let certs: Option<Vec<CertificateDer<'static>>> =
                            stream.get_ref().1.peer_certificates().map(|c| c.to_vec());
                        self.session(stream, certs, &peer, link).await
                    }
                }
            }
        };
        if let Err(e) = result {
            warn!(peer = %peer, cause = %e, "session ended");
        }
    }

    async fn session<S>(
        &self,
        stream: S,
        certs: Option<Vec<CertificateDer<'static>>>,
        peer: &str,
        link: Option<&str>,
    ) -> Result<(), SessionError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let max_frame = self.shared.config.max_frame;
        let (read_half, write_half) = tokio::io::split(stream);
        let (tx, rx) = mpsc::unbounded_channel();
        let writer = tokio::spawn(write_frames(write_half, rx, max_frame));
        let mut source = FrameSource::new(read_half, max_frame);

        let timeout = self.shared.config.handshake_timeout;
        let hello = match tokio::time::timeout(timeout, source.next()).await {
            Err(_) => return Err(SessionError::Timeout(timeout)),
            Ok(result) => result,
        };
        let node = match hello {
            Ok(Some(Frame::Hello { node, protocol })) => {
                if let Err(reason) = self.admit(&node, protocol, certs.as_deref(), link) {
                    refuse(&tx, None, ErrorCode::NotAuthorized, &reason);
                    drop(tx);
                    let _ = writer.await;
                    return Err(SessionError::Refused(reason));
                }
                node
            }
            Ok(Some(other)) => {
                let reason = format!("expected hello, got {}", other.kind());
                refuse(&tx, None, ErrorCode::Unexpected, &reason);
                return Err(SessionError::Refused(reason));
            }
            Ok(None) => return Err(SessionError::Refused("closed before hello".into())),
            Err(e) => {
                if let FramedError::Wire(wire) = &e {
                    self.shared
                        .alarms
                        .raise(self.today(), HUB, AlarmKind::Malformed, format!("peer {peer}: {wire}"));
                }
                return Err(e.into());
            }
        };
        let session_id = self.register(&node, tx.clone());
        info!(node = %node, peer = %peer, "node connected");

        let result = loop {
            match source.next().await {
                Ok(Some(frame)) => self.handle(&node, &tx, frame),
                Ok(None) => break Ok(()),
                Err(e) => {
                    // Bytes that are not a frame are an attack (or a bug);
                    // a connection that drops is just a lost peer.
                    if let FramedError::Wire(wire) = &e {
                        self.shared.alarms.raise(
                            self.today(),
                            HUB,
                            AlarmKind::Malformed,
                            format!("from {node}: {wire}"),
                        );
                        refuse(&tx, None, ErrorCode::Malformed, &wire.to_string());
                    }
                    break Err(e.into());
                }
            }
        };
        self.unregister(&node, session_id);
        drop(tx);
        let _ = writer.await;
        info!(node = %node, "node disconnected");
        result
    }

    /// Checks a hello: a known node, a protocol we speak, and under mTLS a
    /// client certificate valid for the claimed name.
    fn admit(
        &self,
        node: &str,
        protocol: u16,
        certs: Option<&[CertificateDer<'static>]>,
        link: Option<&str>,
    ) -> Result<(), String> {
        if protocol != PROTOCOL_VERSION {
            return Err(format!(
                "protocol {protocol} not supported (expected {PROTOCOL_VERSION})"
            ));
        }
        if node == HUB || !self.shared.config.network.contains(node) {
            return Err(format!("unknown node {node:?}"));
        }
        if self.shared.config.security.transport == crate::model::Transport::Mtls
            && let Err(e) = tls::authenticate_peer(certs, node)
        {
            self.shared.alarms.raise_about(
                self.today(),
                HUB,
                AlarmKind::IdentityMismatch,
                format!("hello as {node}: {e}"),
                link.map(AlarmSubject::link).unwrap_or_default(),
            );
            return Err(e.to_string());
        }
        Ok(())
    }

    /// Registers `node`'s session (replacing an older one) and sends it
    /// every cable still queued for it.
    fn register(&self, node: &str, tx: FrameSender) -> u64 {
        let mut state = self.state();
        let id = state.next_session;
        state.next_session += 1;
        let pending = state.store.pending(node).unwrap_or_else(|e| {
            // Nothing is lost: the queue stays in the store, and the next
            // connection of the node tries again.
            error!(node = %node, cause = %e, "cannot read the delivery queue");
            Vec::new()
        });
        for cable in &pending {
            let _ = tx.send(Outgoing::Encoded(cable.deliver_frame.clone()));
        }
        if !state.sessions.contains_key(node) {
            state.pending_connected += pending.len();
        }
        state.sessions.insert(node.to_owned(), Session { id, tx });
        id
    }

    fn unregister(&self, node: &str, session_id: u64) {
        let mut state = self.state();
        if state.sessions.get(node).is_some_and(|s| s.id == session_id) {
            state.sessions.remove(node);
            let queued = state.store.pending_count(node).unwrap_or_else(|e| {
                error!(node = %node, cause = %e, "cannot count the delivery queue");
                0
            });
            state.pending_connected = state.pending_connected.saturating_sub(queued);
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

    fn handle(&self, node: &str, tx: &FrameSender, frame: Frame) {
        self.observe(node, Direction::ToHub, &frame);
        match frame {
            Frame::Submit { payload } => self.submit(node, tx, payload),
            Frame::Ack { cable } => self.delivered(node, &cable),
            Frame::Publish { entry } => self.publish(node, tx, entry),
            Frame::DirectoryRequest { nodes } => self.answer_directory(node, tx, &nodes),
            other => {
                let reason = format!("unexpected {} frame from a node", other.kind());
                warn!(node = %node, reason = %reason, "frame refused");
                refuse(tx, None, ErrorCode::Unexpected, &reason);
            }
        }
    }

    /// Relays a cable from `node`: checks it, queues it for every
    /// recipient, archives it, and only then acknowledges it.
    fn submit(&self, node: &str, tx: &FrameSender, payload: CablePayload) {
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
            refuse(
                tx,
                Some(&header.id),
                ErrorCode::Rejected,
                "sender does not match the connection",
            );
            return;
        }
        let expected = recipients(&header.from, &header.to, &config.network, config.security.distribution);
        if header.recipients != expected {
            refuse(
                tx,
                Some(&header.id),
                ErrorCode::Rejected,
                &format!("recipients {:?} are not R(c) = {expected:?}", header.recipients),
            );
            return;
        }
        if let Some(unknown) = header.to.iter().find(|n| !config.network.contains(n) || *n == HUB) {
            refuse(
                tx,
                Some(&header.id),
                ErrorCode::UnknownNode,
                &format!("unknown addressee {unknown}"),
            );
            return;
        }
        if header.classification > config.security.max_classification {
            refuse(
                tx,
                Some(&header.id),
                ErrorCode::Rejected,
                &format!("{} is above this network's maximum", header.classification),
            );
            return;
        }
        let id = header.id.clone();
        match self.relay(day, payload, &expected, true) {
            Ok(Relayed::Fresh) => {
                let _ = tx.send(Outgoing::Frame(Frame::Ack { cable: id }));
            }
            Ok(Relayed::Retransmission) => {
                debug!(node = %node, cable = %id, "retransmission");
                let _ = tx.send(Outgoing::Frame(Frame::Ack { cable: id }));
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
                refuse(tx, Some(&id), code, &reason);
            }
        }
    }

    /// Queues a checked cable for `to` and pushes it to those connected.
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
        let mut state = self.state();
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
        let mut pushed = 0;
        for r in to {
            if let Some(session) = state.sessions.get(r) {
                let _ = session.tx.send(Outgoing::Encoded(cable.deliver_frame.clone()));
                pushed += 1;
            }
        }
        state.pending_connected += pushed;
        state.relayed += 1;
        drop(state);
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

    fn delivered(&self, node: &str, cable: &str) {
        let mut state = self.state();
        let known = state.store.acknowledge(node, cable).unwrap_or_else(|e| {
            // The cable stays queued and is delivered again on the node's
            // next connection; the node recognises it and acknowledges again.
            error!(node = %node, cable = %cable, cause = %e, "cannot record an acknowledgement");
            false
        });
        if known && state.sessions.contains_key(node) {
            state.pending_connected = state.pending_connected.saturating_sub(1);
        }
        let idle = state.pending_connected == 0;
        drop(state);
        if !known {
            debug!(node = %node, cable = %cable, "acknowledgement for nothing pending");
        }
        if idle {
            self.shared.idle.notify_waiters();
        }
    }

    fn publish(&self, node: &str, tx: &FrameSender, entry: DirectoryEntry) {
        if entry.node != node {
            self.shared.alarms.raise(
                self.today(),
                HUB,
                AlarmKind::SenderMismatch,
                format!("{node} published a directory entry for {}", entry.node),
            );
            refuse(tx, None, ErrorCode::Rejected, "a node may only publish its own entry");
            return;
        }
        debug!(node = %node, keys = entry.keys.len(), "publish");
        let mut state = self.state();
        if let Err(e) = state.store.save_entry(&entry) {
            // Served from memory all the same; only a restart would lose it,
            // and the node publishes again when it reconnects.
            error!(node = %node, cause = %e, "cannot save a directory entry");
        }
        state.directory.publish(entry);
    }

    fn answer_directory(&self, node: &str, tx: &FrameSender, wanted: &[String]) {
        let mut entries: Vec<DirectoryEntry> = {
            let state = self.state();
            if wanted.is_empty() {
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
        let _ = tx.send(Outgoing::Frame(answer));
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

fn refuse(tx: &FrameSender, cable: Option<&str>, code: ErrorCode, detail: &str) {
    let _ = tx.send(Outgoing::Frame(Frame::Error {
        cable: cable.map(str::to_owned),
        code,
        detail: detail.to_owned(),
    }));
}
