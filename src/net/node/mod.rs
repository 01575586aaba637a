//! A node: connects to the hub, publishes its keys, sends cables sealed for
//! their recipients, and verifies, opens and files every delivery.
//!
//! Whatever the node must not lose goes through its [`NodeStore`] before the
//! frame that depends on it leaves: a sealed cable is in the outbox before
//! its submit is sent, a delivery is filed before it is acknowledged. The
//! outbox is resent, byte for byte, after every connection; a delivery
//! filed before is acknowledged again without a second copy or an alarm.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch};

use super::DayClock;
use super::alarm::Alarms;
use super::framed::FramedError;
use super::hooks::NodeTap;
pub use super::store::StoredCable;
use super::store::{MemoryNodeStore, NodeStore, StoreError};
use crate::crypto::{CryptoError, DirectoryEntry, NodeKeys, RecipientKey, ReplayGuard, TrustedIdentities};
use crate::model::{Cable, Day, Network, SecurityConfig};
use crate::wire::{ErrorCode, WireError};

mod connection;
mod counted;
mod folders;
mod runtime;
mod waiting;

use connection::establish;
pub use connection::{BoxStream, ByteStream};
use folders::RetainedFolders;
pub use folders::{Folder, FolderView};
use runtime::Runtime;

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
    /// The node's store failed; what depended on it was not done (a cable
    /// not sent, or not recorded as sent).
    #[error("the node's store failed: {0}")]
    Store(#[from] StoreError),
    /// The sealed cable does not fit in a frame.
    #[error("cannot send the cable: {0}")]
    Encode(#[from] WireError),
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

/// What a node holds: exactly what malware on it could read.
pub struct NodeState {
    /// Its keys (identity, and the e2e keys of its mode).
    pub keys: NodeKeys,
    /// Cables received, oldest first, within `retention_days`. Shared,
    /// not copied, with the other nodes that filed the same cable when
    /// the node's store says so ([`NodeStore::keep`]).
    pub inbox: Folder,
    /// Cables sent, oldest first, within `retention_days`; shared as the
    /// inbox.
    pub sent: Folder,
    /// The folders it would hold under other retentions, kept beside its
    /// own on request ([`NodeHandle::also_retain`]).
    also_retained: Vec<RetainedFolders>,
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
        /// Wait for missing recipient keys instead of refusing the cable.
        wait_for_keys: bool,
    },
    KeepDirectoryCurrent {
        reply: oneshot::Sender<Result<(), NodeError>>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
    Reconnect {
        stream: BoxStream,
        reply: oneshot::Sender<Result<(), NodeError>>,
    },
    NextSequence {
        reply: oneshot::Sender<Result<u64, StoreError>>,
    },
    /// Seal a cable of a later day ahead of its send (see
    /// [`NodeHandle::prepare`]).
    Prepare {
        cable: Box<Cable>,
    },
}

/// A running node. Commands go to its task; its state can be inspected.
#[derive(Clone)]
pub struct NodeHandle {
    name: Arc<str>,
    commands: mpsc::UnboundedSender<Command>,
    state: Arc<Mutex<NodeState>>,
    /// Whether the node has a connection to the hub right now.
    connected: watch::Receiver<bool>,
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
    /// return the node is part of the network. Keeps its state in memory
    /// ([`MemoryNodeStore`]), as in-process runs do.
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
        let store = Box::new(MemoryNodeStore::new());
        Self::connect_with_store(config, keys, stream, clock, alarms, taps, store).await
    }

    /// Like [`NodeHandle::connect`], with the node's state in `store` (a
    /// [`super::SqliteNodeStore`] in multi-process mode): the inbox, sent
    /// items and outbox saved there are loaded, `keys` are saved if the
    /// store holds none yet, the directory of the last refresh is kept for
    /// sealing until the next one, and every outbox entry is resent once
    /// connected. The caller loads the saved keys first, with
    /// [`NodeStore::load`] and [`super::NodeRecord::restore_keys`], and
    /// passes them as `keys`. If the store saved a day later than
    /// `clock`'s, the clock is moved to it.
    pub async fn connect_with_store<S>(
        config: NodeConfig,
        keys: NodeKeys,
        stream: S,
        clock: DayClock,
        alarms: Alarms,
        taps: Vec<Arc<dyn NodeTap>>,
        mut store: Box<dyn NodeStore>,
    ) -> Result<NodeHandle, NodeError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let record = store.load()?;
        if record.keys.is_none() {
            store.save_keys(&keys)?;
        }
        if let Some(day) = record.day
            && day > clock.today()
        {
            clock.set(day);
        }
        let conn = establish(&config, keys.publish(), Box::new(stream), &clock, &alarms, &taps).await?;
        let name = config.name.clone();
        let state = Arc::new(Mutex::new(NodeState {
            keys,
            inbox: record.inbox.into_iter().map(|c| store.keep(c)).collect(),
            sent: record.sent.into_iter().map(|c| store.keep(c)).collect(),
            also_retained: Vec::new(),
            replay: ReplayGuard::new(),
            directory: record.directory.into_iter().map(|e| (e.node.clone(), e)).collect(),
            recipient_keys: HashMap::new(),
        }));
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (connected, connected_rx) = watch::channel(true);
        let runtime = Runtime {
            config,
            clock,
            alarms,
            taps,
            state: state.clone(),
            conn: Some(conn),
            connected,
            store,
            outbox: record.outbox.into(),
            pending_sends: HashMap::new(),
            pending_directory: VecDeque::new(),
            waiting: waiting::Waiting::restore(record.waiting),
            keep_current: false,
            stale: false,
            prepared: HashMap::new(),
        };
        runtime.start(command_rx);
        Ok(NodeHandle {
            name: Arc::from(name),
            commands,
            state,
            connected: connected_rx,
        })
    }

    /// Drops the current connection (cleanly) and connects again over
    /// `stream`: a node whose link was reset, or moved. Inbox, sent items
    /// and keys are kept; the node resends its outbox, and the hub
    /// whatever it still holds for it.
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

    /// Whether the node has a connection to the hub right now.
    pub fn is_connected(&self) -> bool {
        *self.connected.borrow()
    }

    /// Resolves once the node has no connection to the hub (at once if it
    /// has none now, or if its task has stopped): a supervisor awaits it,
    /// then calls [`NodeHandle::reconnect`] with backoff.
    pub fn disconnected(&self) -> impl Future<Output = ()> + use<> {
        let mut connected = self.connected.clone();
        async move {
            // An error means the task is gone, which is disconnected too.
            let _ = connected.wait_for(|up| !*up).await;
        }
    }

    /// The next number of the node's persisted cable counter (1, 2, …),
    /// for numbering cables typed by hand uniquely across restarts.
    pub fn next_sequence(&self) -> impl Future<Output = Result<u64, NodeError>> + use<> {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::NextSequence { reply });
        async move {
            queued?;
            Ok(rx.await.map_err(|_| stopped())??)
        }
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

    /// Seals `cable` now, for a [`NodeHandle::send`] of the same cable
    /// later: the seal is the send's CPU work, so a caller that knows
    /// tomorrow's cables can let it overlap today's deliveries. Nothing
    /// leaves the node and no tap, store or alarm hears of it: the send
    /// does all of that, on its own day, exactly as without a prepare. The
    /// node seals only with keys it already holds and entries it already
    /// checked, and forgets what it sealed if its keys rotate or a
    /// directory arrives before the send (the send then seals afresh), so
    /// a prepare never changes what is sent or what is checked when.
    pub fn prepare(&self, cable: Cable) {
        // A stopped node has nothing to prepare; the send will say so.
        let _ = self.command(Command::Prepare { cable: Box::new(cable) });
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

    /// Seals `cable`, keeps it in the outbox and submits it; resolves when
    /// the hub acknowledged it. Without a connection, or if the connection
    /// is lost first, this fails with [`NodeError::Connection`], but the
    /// cable stays in the outbox and is sent on the next connection (the
    /// `on_sent` taps tell when it is finally acknowledged).
    pub fn send(&self, cable: Cable) -> impl Future<Output = Result<SendOutcome, NodeError>> + use<> {
        self.send_with(cable, false)
    }

    /// Like [`NodeHandle::send`], except that a cable for a recipient whose
    /// keys the node does not have (it has not joined yet, or its entry was
    /// refused) is not refused: it is kept, unsealed and durably, with an
    /// `on_waiting` tap, and sealed and sent once, as soon as a directory
    /// refresh brings every key it needs. The future resolves only then
    /// (when the hub acknowledges it), or fails like `send`'s once it was
    /// sealed; waiting cables do not hold back later cables whose keys
    /// are known (see the `waiting` module).
    pub fn send_when_keyed(&self, cable: Cable) -> impl Future<Output = Result<SendOutcome, NodeError>> + use<> {
        self.send_with(cable, true)
    }

    fn send_with(
        &self,
        cable: Cable,
        wait_for_keys: bool,
    ) -> impl Future<Output = Result<SendOutcome, NodeError>> + use<> {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::Send {
            cable: Box::new(cable),
            reply,
            wait_for_keys,
        });
        async move {
            queued?;
            rx.await.map_err(|_| stopped())?
        }
    }

    /// From now on the node keeps its directory current by itself: it asks
    /// the hub to say when the directory changes ([`Frame::DirectoryWatch`]
    /// on this and every later connection), and fetches the whole directory
    /// after every reconnection and, while cables wait for keys, whenever
    /// the hub says it changed. Resolves once the first fetch is done (and
    /// the waiting cables it makes sendable are sealed and sent).
    ///
    /// Nodes whose refreshes are scheduled by someone else (the in-process
    /// runner, `cablesim network`) do not call it: each fetch is traffic an
    /// observer of the link sees.
    ///
    /// [`Frame::DirectoryWatch`]: crate::wire::Frame::DirectoryWatch
    pub fn keep_directory_current(&self) -> impl Future<Output = Result<(), NodeError>> + use<> {
        let (reply, rx) = oneshot::channel();
        let queued = self.command(Command::KeepDirectoryCurrent { reply });
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

    /// Keeps, beside the node's own folders, the inbox and sent items it
    /// would hold under `retention_days` (none: forever), starting from
    /// what it holds now: every cable it files from now on goes in both,
    /// and each day prunes each under its own retention, by the rule of
    /// the node's own ([`NodeState::folders`] reads them). Retention
    /// changes what a node holds and nothing it sends or receives, so the
    /// folders are exactly those of the same node under that retention,
    /// provided this is called before its first cable: what an adversary
    /// measured beside the run reads (`src/scenario/sharing.rs`).
    pub fn also_retain(&self, retention_days: Option<u32>) {
        lock(&self.state).also_retain(retention_days);
    }

    /// Runs `read` on the node's state (inbox, sent items, keys).
    pub fn inspect<T>(&self, read: impl FnOnce(&NodeState) -> T) -> T {
        read(&lock(&self.state))
    }
}

fn stopped() -> NodeError {
    NodeError::Connection("the node's task has stopped".into())
}

#[cfg(test)]
mod tests;
