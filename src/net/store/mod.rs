//! What the hub and each node keep between frames, behind one trait per
//! role (see "Durability" in ARCHITECTURE.md): the hub's delivery queues,
//! accepted ids, archive and key directory; a node's keys, inbox, sent
//! items and outbox.
//!
//! In-process runs keep everything in memory ([`MemoryHubStore`],
//! [`MemoryNodeStore`]); the multi-process mode keeps it in SQLite
//! ([`SqliteHubStore`], [`SqliteNodeStore`]). That is what lets the
//! protocol promise "acknowledged means stored": the hub acknowledges a
//! submit, and a node a delivery, only once the change is committed, so a
//! process killed at any moment loses nothing it acknowledged, and a peer
//! that did not get the acknowledgement sends again — which is why both
//! stores remember a digest of what they took, to tell that retry from a
//! replay.
//!
//! A node's store commits each change before the call returns. The hub's
//! SQLite store commits in groups: its calls change what it reads back at
//! once, and a [`Durable`] says when they are committed, one transaction
//! (one sync) for everything staged meanwhile — the hub's acknowledgement
//! waits on it, its lock does not.

use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

use serde::{Deserialize, Serialize};

use crate::crypto::{CablePayload, CryptoError, DirectoryEntry, IdentityKey, NodeKeys};
use crate::model::{Cable, CableContent, CableHeader, Day};

mod durable;
mod frame_bytes;
mod hub_memory;
mod hub_mirror;
mod node_memory;
mod shared_cables;
mod sqlite;
mod sqlite_commit;
mod sqlite_hub;
mod sqlite_node;

pub use durable::Durable;
pub use frame_bytes::FrameBytes;
pub use hub_memory::MemoryHubStore;
pub use node_memory::MemoryNodeStore;
pub use shared_cables::SharedCables;
#[cfg(test)]
pub(crate) use sqlite_hub::CommitGate;
pub use sqlite_hub::SqliteHubStore;
pub use sqlite_node::SqliteNodeStore;

/// A cable as a node files it, in its inbox or its sent items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCable {
    /// The routing header.
    pub header: CableHeader,
    /// Subject and body, decrypted.
    pub content: CableContent,
}

/// A SHA-256 digest of the bytes of a cable as it travelled: equal digests
/// under one cable id mean "the same cable sent again", different ones "a
/// different cable under a used id".
pub type CableDigest = [u8; 32];

/// The digest of some encoded bytes (the hub digests its `deliver` frame).
pub fn digest_bytes(bytes: &[u8]) -> CableDigest {
    crate::crypto::primitives::sha256(&[bytes])
}

/// The digest of a payload's wire encoding. Postcard encodes a value one
/// way only (and the decoder refuses non-canonical envelopes), so a
/// redelivered payload digests the same as the first delivery.
pub fn payload_digest(payload: &CablePayload) -> CableDigest {
    // Streamed into the hash: no copy of the encoding is made.
    struct Hasher(ring::digest::Context);
    impl std::io::Write for Hasher {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hasher = Hasher(ring::digest::Context::new(&ring::digest::SHA256));
    if let Err(e) = postcard::to_io(payload, &mut hasher) {
        // Writing to a hash cannot fail, and a payload that was decoded
        // always encodes.
        unreachable!("a payload always encodes: {e}");
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(hasher.0.finish().as_ref());
    out
}

/// Why a store could not do what it was asked. Every message names the
/// database file and the operation, so an operator knows where to look.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened, created or set up (a missing or
    /// unwritable directory, a path that is a directory, not a database).
    #[error("cannot open the store {}: {cause}", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// SQLite's reason.
        cause: rusqlite::Error,
    },
    /// Another process holds the store (two nodes started with the same
    /// name and data directory, or a hub started twice on one directory).
    #[error("cannot open the store {}: another process is using it", path.display())]
    InUse {
        /// The database file.
        path: PathBuf,
    },
    /// SQLite would not switch to write-ahead logging, on which the
    /// durability promise rests (some file systems cannot hold a WAL).
    #[error("cannot open the store {}: journal_mode is {found:?}, not \"wal\"", path.display())]
    NotWal {
        /// The database file.
        path: PathBuf,
        /// The journal mode SQLite answered with.
        found: String,
    },
    /// The database was written by a newer build, whose schema this one
    /// does not know.
    #[error("cannot open the store {}: schema version {found} is newer than this build's {supported}", path.display())]
    Schema {
        /// The database file.
        path: PathBuf,
        /// `user_version` found in the file.
        found: i64,
        /// The newest version this build reads.
        supported: i64,
    },
    /// A read or a transaction failed; nothing of a failed transaction was
    /// kept.
    #[error("store {}: {operation} failed: {cause}", path.display())]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What was being done ("accept a cable", "file a delivery").
        operation: &'static str,
        /// SQLite's reason.
        cause: rusqlite::Error,
    },
    /// The store was closed (or its process is ending) before it could
    /// say whether a change was committed: the change must be taken as
    /// not committed.
    #[error("store {}: {operation}: the store closed before the commit finished", path.display())]
    Unfinished {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        operation: &'static str,
    },
    /// A failed commit undid a change after it was read back (its
    /// sender must send it again).
    #[error("store {}: {operation}: a failed commit undid what was read before it", path.display())]
    Undone {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        operation: &'static str,
    },
    /// A record in the database does not decode.
    #[error("store {}: {operation}: corrupt record: {detail}", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        operation: &'static str,
        /// What is wrong with the record.
        detail: String,
    },
    /// The saved keys were refused (corrupt, another node's, another
    /// format): a node must not start with keys it cannot trust.
    #[error("store {}: saved keys refused: {cause}", path.display())]
    Keys {
        /// The database file.
        path: PathBuf,
        /// Why the keys were refused.
        cause: CryptoError,
    },
}

/// A cable the hub accepted, with its `deliver` frame encoded once for
/// every recipient.
#[derive(Debug)]
pub struct AcceptedCable {
    /// Cable id.
    pub id: String,
    /// Day the hub accepted it (the cable's day).
    pub day: Day,
    /// The encoded `deliver` frame, length prefix included.
    pub deliver_frame: Arc<[u8]>,
}

/// One archived cable: exactly the bytes the hub relayed.
#[derive(Debug, Clone)]
pub struct ArchivedCable {
    /// Cable id.
    pub id: String,
    /// The cable's day.
    pub day: Day,
    /// The encoded `deliver` frame (decode it with the wire codec to read
    /// it), whole or around a body the nodes share ([`FrameBytes`]).
    pub frame: FrameBytes,
}

/// What the hub keeps: every node's delivery queue, the ids (and digests)
/// of every cable it accepted, the archive, the directory entries nodes
/// published, and its current day.
pub trait HubStore: Send {
    /// The digest of the cable accepted under `id`, if one was: the hub
    /// tells a retry (same digest) from a replay (another digest) with it.
    fn accepted_digest(&self, id: &str) -> Result<Option<CableDigest>, StoreError>;

    /// Queues `cable` for every recipient, remembers its id and `digest`,
    /// and, if `archive`, archives it — all at once: once this returns Ok
    /// the store reads the cable back as accepted, and once
    /// [`HubStore::durable`] resolves after it, it will be delivered to
    /// each recipient whenever it connects, across restarts for a durable
    /// store.
    fn accept(
        &mut self,
        cable: AcceptedCable,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) -> Result<Arc<AcceptedCable>, StoreError>;

    /// Cables waiting for `node`'s acknowledgement, oldest first.
    fn pending(&self, node: &str) -> Result<Vec<Arc<AcceptedCable>>, StoreError>;

    /// Up to `limit` cables waiting for `node`, oldest first, after the
    /// `skip` oldest: the next ones to send when those are on their way.
    fn pending_window(&self, node: &str, skip: usize, limit: usize) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        Ok(self.pending(node)?.into_iter().skip(skip).take(limit).collect())
    }

    /// Number of cables waiting for `node`.
    fn pending_count(&self, node: &str) -> Result<usize, StoreError>;

    /// `node` acknowledged `cable`: it leaves the queue. Returns whether it
    /// was queued (a duplicate or unknown acknowledgement changes nothing).
    fn acknowledge(&mut self, node: &str, cable: &str) -> Result<bool, StoreError>;

    /// Drops archived cables that `archive_days` no longer keeps on `today`.
    fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) -> Result<(), StoreError>;

    /// The archive as it stands, oldest first.
    fn archive(&self) -> Result<Vec<ArchivedCable>, StoreError>;

    /// Number of archived cables.
    fn archive_len(&self) -> Result<usize, StoreError>;

    /// The hub's day as last saved with [`HubStore::save_day`], if ever.
    fn day(&self) -> Result<Option<Day>, StoreError>;

    /// Saves the hub's current day, so a restarted hub resumes on it.
    fn save_day(&mut self, day: Day) -> Result<(), StoreError>;

    /// Saves the directory entry a node published, replacing its last one.
    fn save_entry(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError>;

    /// Every directory entry saved, one per node: a restarted hub serves
    /// them, so nodes can still seal for a peer that has not reconnected.
    fn directory(&self) -> Result<Vec<DirectoryEntry>, StoreError>;

    /// Resolves once every change made so far is durable (committed with
    /// the ones staged beside it), or with the error that undid them. The
    /// hub acknowledges a cable only after this resolves. A store whose
    /// calls commit before they return (or that keeps nothing beyond the
    /// process) answers [`Durable::now`], the default.
    fn durable(&mut self) -> Durable {
        Durable::now()
    }

    /// How many group commits have failed so far. After one, a store reads
    /// back only what is committed (the staged changes of the failed
    /// commit, and of those queued behind it, are gone), so the hub ends
    /// every session: each starts again from the queues as they are. A
    /// store whose every call commits or fails alone never fails one: 0,
    /// the default.
    fn failed_commits(&self) -> u64 {
        0
    }
}

/// A cable a node sealed and has not yet seen acknowledged: what it resends,
/// byte for byte, after every reconnection.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    /// The cable as written (for the sent items and the `on_sent` taps).
    pub cable: Cable,
    /// The encoded `submit` frame, length prefix included: the sealed
    /// payload exactly as first sent. Resending it never re-seals.
    pub submit_frame: Arc<[u8]>,
}

/// Everything a node's store holds, as loaded when the node starts.
pub struct NodeRecord {
    /// Where it was loaded from (the database file), for error messages.
    pub origin: PathBuf,
    /// The agreement secrets saved with [`NodeStore::save_keys`]
    /// ([`NodeKeys::export_secrets`] bytes), if any; see
    /// [`NodeRecord::restore_keys`].
    pub keys: Option<Zeroizing<Vec<u8>>>,
    /// The node's day as last saved, if ever.
    pub day: Option<Day>,
    /// Received cables within retention, oldest first.
    pub inbox: Vec<StoredCable>,
    /// Sent cables within retention, oldest first.
    pub sent: Vec<StoredCable>,
    /// Cables not yet acknowledged by the hub, in submit order.
    pub outbox: Vec<OutboxEntry>,
    /// The directory entries of the last refresh: a restarted node seals
    /// with them until it can refresh (they are checked again when used).
    pub directory: Vec<DirectoryEntry>,
    /// Cables waiting for a recipient's keys, unsealed, in the order typed.
    pub waiting: Vec<Cable>,
}

impl NodeRecord {
    /// The saved keys of `name`, rebuilt around `identity` (the key of the
    /// node's certificate), or `None` if none were saved. Saved keys that
    /// do not import are an error naming the store, not a reason to make
    /// new ones: new keys could not open what was sealed for the old ones.
    pub fn restore_keys(&self, name: &str, identity: IdentityKey) -> Result<Option<NodeKeys>, StoreError> {
        let Some(bytes) = &self.keys else {
            return Ok(None);
        };
        NodeKeys::import_secrets(name, identity, bytes)
            .map(Some)
            .map_err(|cause| StoreError::Keys {
                path: self.origin.clone(),
                cause,
            })
    }
}

impl std::fmt::Debug for NodeRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeRecord")
            .field("origin", &self.origin)
            .field("keys", &self.keys.as_ref().map(|_| "[redacted]"))
            .field("day", &self.day)
            .field("inbox", &self.inbox.len())
            .field("sent", &self.sent.len())
            .field("outbox", &self.outbox.len())
            .field("directory", &self.directory.len())
            .field("waiting", &self.waiting.len())
            .finish()
    }
}

/// What a node's store knows of a delivery it is handed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filed {
    /// Not filed before (as far as the store knows).
    No,
    /// Filed before with the very same payload: the hub delivered again
    /// because it missed the acknowledgement.
    Same,
    /// Filed before with another payload under the same id.
    Different,
}

/// What a node keeps: its keys, its day, its inbox and sent items, the
/// digests of what it filed, its outbox, the directory of its last
/// refresh, and a counter for cable ids.
pub trait NodeStore: Send {
    /// Everything saved, for a node (re)starting.
    fn load(&self) -> Result<NodeRecord, StoreError>;

    /// Saves the node's agreement secrets (replacing what was saved).
    fn save_keys(&mut self, keys: &NodeKeys) -> Result<(), StoreError>;

    /// Saves the node's current day.
    fn save_day(&mut self, day: Day) -> Result<(), StoreError>;

    /// Saves the entries of a directory refresh, replacing the last ones.
    fn save_directory(&mut self, entries: &[DirectoryEntry]) -> Result<(), StoreError>;

    /// Keeps a cable that cannot be sealed yet (a recipient's keys are not
    /// known), unsealed, after those kept before it.
    fn queue_waiting(&mut self, cable: &Cable) -> Result<(), StoreError>;

    /// Puts a sealed cable in the outbox; committed before its submit frame
    /// leaves, so a crash after sending cannot lose it. A cable that was
    /// waiting for keys leaves the waiting ones in the same transaction, so
    /// a crash can neither lose it nor seal it twice.
    fn queue_outbox(&mut self, entry: &OutboxEntry) -> Result<(), StoreError>;

    /// The hub acknowledged `id`: it moves from the outbox to the sent
    /// items as `stored`, in one transaction. Returns whether it was in the
    /// outbox.
    fn mark_sent(&mut self, id: &str, stored: &StoredCable) -> Result<bool, StoreError>;

    /// The hub refused `id` for good, or it could not be sealed: it leaves
    /// the outbox (or the waiting cables) unsent.
    fn drop_outbox(&mut self, id: &str) -> Result<(), StoreError>;

    /// Whether a delivery of `id` was filed before and, if so, whether
    /// `payload` is the one filed — also after retention removed it from
    /// the inbox, so that a late redelivery is still recognised.
    fn filed(&self, id: &str, payload: &CablePayload) -> Result<Filed, StoreError>;

    /// Files the delivery of `payload`, opened as `header` and `content`
    /// (a [`StoredCable`]), in the inbox and remembers what it was;
    /// committed before the node acknowledges it. Taken in parts so the
    /// node need not copy a cable it still hands to its taps.
    fn file_inbox(
        &mut self,
        payload: &CablePayload,
        header: &CableHeader,
        content: &CableContent,
    ) -> Result<(), StoreError>;

    /// Drops inbox and sent cables that `retention_days` no longer keeps
    /// on `today`: a cable of day `d` is kept while `today - d` is less
    /// than `retention_days` (none: kept for ever).
    fn prune(&mut self, today: Day, retention_days: Option<u32>) -> Result<(), StoreError>;

    /// The next number of a persisted counter, starting at 1: the node
    /// process numbers the cables typed on its stdin with it, so ids stay
    /// unique across restarts.
    fn next_sequence(&mut self) -> Result<u64, StoreError>;

    /// The copy of `cable` the node keeps in memory, in its inbox or sent
    /// items, once this store has filed it: the node's own by default. A
    /// [`MemoryNodeStore`] made with [`MemoryNodeStore::sharing`] hands
    /// every node of an in-process network the same copy of a cable
    /// ([`SharedCables`]).
    fn keep(&self, cable: StoredCable) -> Arc<StoredCable> {
        Arc::new(cable)
    }
}
