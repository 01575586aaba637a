//! A node: connects to the hub, publishes its keys, sends cables sealed for
//! their recipients, and verifies, opens and files every delivery.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

use super::DayClock;
use super::alarm::{AlarmKind, AlarmSubject, Alarms};
use super::framed::{FramedError, Outgoing};
use super::hooks::NodeTap;
use crate::crypto::{
    AcceptPolicy, CablePayload, CryptoError, DirectoryEntry, KeyKind, NodeKeys, RecipientKey, ReplayGuard,
    TrustedIdentities, check_entry,
};
use crate::model::{
    Cable, CableContent, CableHeader, Day, E2eMode, Network, SecurityConfig, epoch_of, kept_on, recipients,
};
use crate::wire::{ErrorCode, Frame};

mod connection;

pub use connection::{BoxStream, ByteStream};
use connection::{Connection, establish, next_frame};

/// How a node is set up.
#[derive(Clone)]
pub struct NodeConfig {
    /// The node's name.
    pub name: String,
    /// The network (for R(c)).
    pub network: Network,
    /// Effective security settings, with this node's `verify_server`.
    pub security: SecurityConfig,
    /// The TLS client configuration; `None` under `transport = plain`.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// CA-certified identities of every node: for pinning and signatures.
    pub trusted: TrustedIdentities,
    /// Largest frame accepted or sent.
    pub max_frame: usize,
}

/// Why a node could not do what it was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The TLS handshake with the hub failed (for instance: the hub's
    /// certificate does not chain to the network CA).
    #[error("TLS handshake with the hub failed: {0}")]
    Handshake(std::io::Error),
    /// The hub refused the node or one of its cables.
    #[error("the hub refused: {code}: {detail}")]
    Refused {
        /// The hub's reason code.
        code: ErrorCode,
        /// The hub's explanation.
        detail: String,
    },
    /// The cable could not be sealed (e.g. no usable key for a recipient).
    #[error("cannot seal: {0}")]
    Seal(#[from] CryptoError),
    /// The connection failed or closed.
    #[error("connection to the hub lost: {0}")]
    Connection(String),
}

impl From<FramedError> for NodeError {
    fn from(e: FramedError) -> Self {
        NodeError::Connection(e.to_string())
    }
}

/// What happened to a cable the node was asked to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendOutcome {
    /// The hub acknowledged it: it is queued for every recipient.
    Accepted,
    /// Above `max_classification`: not sent on this network.
    Withheld,
}

/// A cable as a node files it, in its inbox or its sent items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCable {
    /// The routing header.
    pub header: CableHeader,
    /// Subject and body, decrypted.
    pub content: CableContent,
}

/// What a node holds: exactly what malware on it could read.
pub struct NodeState {
    /// Its keys (identity, and the e2e keys of its mode).
    pub keys: NodeKeys,
    /// Cables received, oldest first, within `retention_days`.
    pub inbox: VecDeque<StoredCable>,
    /// Cables sent, oldest first, within `retention_days`.
    pub sent: VecDeque<StoredCable>,
    replay: ReplayGuard,
    /// Directory entries fetched at the last refresh, not yet checked.
    directory: HashMap<String, DirectoryEntry>,
    /// Recipient keys checked (pinned) since the last refresh. Checking
    /// happens on first use: a node pays signature checks only for the
    /// nodes it writes to, once per refresh.
    recipient_keys: HashMap<String, Vec<RecipientKey>>,
}

type SendReply = oneshot::Sender<Result<SendOutcome, NodeError>>;

enum Command {
    EnterDay {
        day: Day,
        reply: oneshot::Sender<bool>,
    },
    RefreshDirectory {
        reply: oneshot::Sender<Result<(), NodeError>>,
    },
    Send {
        cable: Box<Cable>,
        reply: SendReply,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
    Reconnect {
        stream: BoxStream,
        reply: oneshot::Sender<Result<(), NodeError>>,
    },
}

enum Event {
    Command(Option<Command>),
    Frame(Result<Option<Frame>, FramedError>),
}

/// A running node. Commands go to its task; its state can be inspected.
#[derive(Clone)]
pub struct NodeHandle {
    name: Arc<str>,
    commands: mpsc::UnboundedSender<Command>,
    state: Arc<Mutex<NodeState>>,
}

struct Runtime {
    config: NodeConfig,
    clock: DayClock,
    alarms: Alarms,
    taps: Vec<Arc<dyn NodeTap>>,
    state: Arc<Mutex<NodeState>>,
    /// The current connection to the hub; `None` after it was lost.
    conn: Option<Connection>,
    pending_sends: HashMap<String, (Box<Cable>, SendReply)>,
    /// Replies waiting for a directory answer, in request order.
    pending_directory: VecDeque<DirectoryWaiter>,
}

enum DirectoryWaiter {
    /// An EnterDay waiting for its publish to be processed.
    Published(oneshot::Sender<bool>, bool),
    /// A refresh waiting for the entries.
    Refresh(oneshot::Sender<Result<(), NodeError>>),
}

impl std::fmt::Debug for NodeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeHandle")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn lock(state: &Mutex<NodeState>) -> MutexGuard<'_, NodeState> {
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl NodeHandle {
    /// Connects over `stream` (TLS if configured), says hello, publishes
    /// the node's keys, and waits until the hub has processed both: on
    /// return the node is part of the network.
    pub async fn connect<S>(
        config: NodeConfig,
        keys: NodeKeys,
        stream: S,
        clock: DayClock,
        alarms: Alarms,
        taps: Vec<Arc<dyn NodeTap>>,
    ) -> Result<NodeHandle, NodeError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let conn = establish(&config, keys.publish(), Box::new(stream), &clock, &alarms).await?;
        let name = config.name.clone();
        let state = Arc::new(Mutex::new(NodeState {
            keys,
            inbox: VecDeque::new(),
            sent: VecDeque::new(),
            replay: ReplayGuard::new(),
            directory: HashMap::new(),
            recipient_keys: HashMap::new(),
        }));
        let (commands, command_rx) = mpsc::unbounded_channel();
        let runtime = Runtime {
            config,
            clock,
            alarms,
            taps,
            state: state.clone(),
            conn: Some(conn),
            pending_sends: HashMap::new(),
            pending_directory: VecDeque::new(),
        };
        tokio::spawn(runtime.run(command_rx));
        Ok(NodeHandle {
            name: Arc::from(name),
            commands,
            state,
        })
    }

    /// Drops the current connection (cleanly) and connects again over
    /// `stream`: a node whose link was reset, or moved. Inbox, sent items
    /// and keys are kept; the hub resends whatever it still holds for it.
    pub fn reconnect<S>(&self, stream: S) -> impl Future<Output = Result<(), NodeError>> + use<S>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::Reconnect {
            stream: Box::new(stream),
            reply,
        });
        async move {
            queued?;
            rx.await.map_err(|_| stopped())?
        }
    }

    /// The node's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Moves to `day`: rotates epoch keys (publishing the new ones and
    /// waiting until the hub has them) and applies retention. Resolves to
    /// whether the node's published keys changed.
    ///
    /// Like every command, it is queued when called, not when awaited, so
    /// a caller can issue commands to many nodes and then await them all.
    pub fn enter_day(&self, day: Day) -> impl Future<Output = Result<bool, NodeError>> + use<> {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::EnterDay { day, reply });
        async move {
            queued?;
            rx.await.map_err(|_| stopped())
        }
    }

    /// Fetches the directory and checks every recipient key (pinning).
    pub fn refresh_directory(&self) -> impl Future<Output = Result<(), NodeError>> + use<> {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::RefreshDirectory { reply });
        async move {
            queued?;
            rx.await.map_err(|_| stopped())?
        }
    }

    /// Seals and submits `cable`; resolves when the hub acknowledged it.
    pub fn send(&self, cable: Cable) -> impl Future<Output = Result<SendOutcome, NodeError>> + use<> {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::Send {
            cable: Box::new(cable),
            reply,
        });
        async move {
            queued?;
            rx.await.map_err(|_| stopped())?
        }
    }

    /// Leaves the network cleanly: stops taking commands, sends what is
    /// queued, and closes the connection (with a TLS close_notify), so the
    /// hub sees an orderly goodbye rather than a lost peer.
    pub fn shutdown(&self) -> impl Future<Output = ()> + use<> {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::Shutdown { reply });
        async move {
            if queued.is_ok() {
                let _ = rx.await;
            }
        }
    }

    fn command(&self, command: Command) -> Result<(), NodeError> {
        self.commands.send(command).map_err(|_| stopped())
    }

    /// Runs `read` on the node's state (inbox, sent items, keys).
    pub fn inspect<T>(&self, read: impl FnOnce(&NodeState) -> T) -> T {
        read(&lock(&self.state))
    }
}

fn stopped() -> NodeError {
    NodeError::Connection("the node's task has stopped".into())
}

impl Runtime {
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
    /// and close it cleanly if it still can be.
    async fn lost(&mut self, why: &str) {
        self.fail_pending(why);
        if let Some(conn) = self.conn.take() {
            conn.close().await;
        }
    }

    async fn reconnect(&mut self, stream: BoxStream) -> Result<(), NodeError> {
        self.lost("the node is reconnecting").await;
        let entry = lock(&self.state).keys.publish();
        let conn = establish(&self.config, entry, stream, &self.clock, &self.alarms).await?;
        self.conn = Some(conn);
        Ok(())
    }

    fn fail_pending(&mut self, why: &str) {
        for (_, (_, reply)) in self.pending_sends.drain() {
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
            Command::RefreshDirectory { reply } => {
                self.send_frame(Frame::DirectoryRequest { nodes: Vec::new() });
                self.pending_directory.push_back(DirectoryWaiter::Refresh(reply));
            }
            Command::Send { cable, reply } => self.send(cable, reply),
            // Both are handled by the run loop itself.
            Command::Shutdown { reply } => {
                let _ = reply.send(());
            }
            Command::Reconnect { reply, .. } => {
                let _ = reply.send(Err(NodeError::Connection("reconnect outside the run loop".into())));
            }
        }
    }

    fn enter_day(&mut self, day: Day, reply: oneshot::Sender<bool>) {
        let retention = self.config.security.retention_days;
        let mut state = lock(&self.state);
        let before = state.keys.held_epochs();
        state.keys.enter_day(day);
        let rotated = state.keys.held_epochs() != before;
        state.inbox.retain(|c| kept_on(c.header.day, day, retention));
        state.sent.retain(|c| kept_on(c.header.day, day, retention));
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
        let mut state = lock(&self.state);
        state.directory = entries.into_iter().map(|e| (e.node.clone(), e)).collect();
        state.recipient_keys.clear();
    }

    /// The keys to wrap for when writing to `recipient`, checked against
    /// its certified identity under pinning. A refused key raises one alarm
    /// per refresh, not one per cable.
    fn pinned_keys(&self, state: &mut NodeState, recipient: &str) -> Vec<RecipientKey> {
        if let Some(keys) = state.recipient_keys.get(recipient) {
            return keys.clone();
        }
        let Some(wanted) = self.wanted_kind() else {
            return Vec::new();
        };
        let day = self.clock.today();
        let name = &self.config.name;
        let keys = match state.directory.get(recipient) {
            None => Vec::new(),
            Some(entry) => {
                match check_entry(
                    recipient,
                    entry,
                    wanted,
                    &self.config.trusted,
                    self.config.security.key_pinning,
                ) {
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
                }
            }
        };
        state.recipient_keys.insert(recipient.to_owned(), keys.clone());
        keys
    }

    fn send(&mut self, cable: Box<Cable>, reply: SendReply) {
        let security = &self.config.security;
        if cable.classification > security.max_classification {
            debug!(node = %self.config.name, cable = %cable.id, classification = %cable.classification, "withheld");
            let _ = reply.send(Ok(SendOutcome::Withheld));
            return;
        }
        let to = recipients(&cable.from, &cable.to, &self.config.network, security.distribution);
        let sealed = {
            let mut guard = lock(&self.state);
            let keys: Vec<RecipientKey> = to.iter().flat_map(|r| self.pinned_keys(&mut guard, r)).collect();
            CablePayload::seal(
                cable.header(to.clone()),
                &cable.content(),
                &guard.keys,
                &keys,
                security.signatures,
            )
        };
        if self.conn.is_none() {
            let _ = reply.send(Err(NodeError::Connection("not connected to the hub".into())));
            return;
        }
        match sealed {
            Ok(payload) => {
                debug!(
                    node = %self.config.name, cable = %cable.id, day = cable.day, from = %cable.from,
                    to = %cable.to.join(","), recipients = to.len(), classification = %cable.classification, "send"
                );
                self.send_frame(Frame::Submit { payload });
                self.pending_sends.insert(cable.id.clone(), (cable, reply));
            }
            Err(e) => {
                let _ = reply.send(Err(NodeError::Seal(e)));
            }
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
                    let _ = reply.send(Ok(()));
                }
                None => debug!(node = %self.config.name, "unrequested directory answer ignored"),
            },
            Frame::Error { cable, code, detail } => {
                warn!(node = %self.config.name, cable = ?cable, code = %code, detail = %detail, "the hub refused");
                if let Some((_, reply)) = cable.and_then(|id| self.pending_sends.remove(&id)) {
                    let _ = reply.send(Err(NodeError::Refused { code, detail }));
                }
            }
            other => warn!(node = %self.config.name, frame = other.kind(), "unexpected frame from the hub ignored"),
        }
    }

    fn acknowledged(&mut self, id: &str) {
        let Some((cable, reply)) = self.pending_sends.remove(id) else {
            debug!(node = %self.config.name, cable = %id, "acknowledgement for nothing pending");
            return;
        };
        let day = self.clock.today();
        let to = recipients(
            &cable.from,
            &cable.to,
            &self.config.network,
            self.config.security.distribution,
        );
        lock(&self.state).sent.push_back(StoredCable {
            header: cable.header(to),
            content: cable.content(),
        });
        for tap in &self.taps {
            tap.on_sent(day, &self.config.name, &cable);
        }
        let _ = reply.send(Ok(SendOutcome::Accepted));
    }

    /// Verifies and opens a delivery, files it, and acknowledges it. A
    /// delivery that fails any check raises an alarm and is acknowledged
    /// too: the node has decided, and the hub must not resend it forever.
    fn deliver(&mut self, payload: CablePayload) {
        let day = self.clock.today();
        let name = &self.config.name;
        let id = payload.header().id.clone();
        let from = payload.header().from.clone();
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
