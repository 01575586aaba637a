//! A node's store in memory, for in-process runs.

use std::path::PathBuf;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::{Filed, NodeRecord, NodeStore, OutboxEntry, SharedCables, StoreError};
use crate::crypto::{CablePayload, DirectoryEntry, NodeKeys};
use crate::model::{Cable, CableContent, CableHeader, Day};
use crate::net::StoredCable;

/// A [`NodeStore`] in memory. Its calls never fail.
///
/// It keeps only what a running node asks back from its store — the saved
/// keys and day, the counter — and no second copy of the inbox, sent items,
/// outbox, waiting cables or directory, which the node holds in memory already: a memory
/// store dies with its process, so there is no restart to reload them for,
/// and an in-process run with a quarter of a million cables should not
/// hold each twice. [`NodeStore::load`] on it therefore returns them empty.
///
/// Nor does it digest deliveries (a full-size run would hash gigabytes for
/// nothing): a redelivery needs a lost acknowledgement, which in-process
/// runs do not have, since they reconnect a node only once the hub is
/// idle. [`NodeStore::filed`] always answers [`Filed::No`], and the node's
/// replay guard refuses a second copy of an id, with an alarm, as it
/// always did.
///
/// What the node keeps it shares, if made with [`MemoryNodeStore::sharing`],
/// with the other nodes of the run: a cable filed by its sender and by
/// each recipient is then one copy in memory ([`SharedCables`]).
#[derive(Default)]
pub struct MemoryNodeStore {
    keys: Option<Zeroizing<Vec<u8>>>,
    day: Option<Day>,
    sequence: u64,
    shared: Option<SharedCables>,
}

impl MemoryNodeStore {
    /// An empty store; the node keeps copies of its own.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store whose node keeps the copies in `shared`, as every
    /// other node given the same `shared` does.
    pub fn sharing(shared: SharedCables) -> Self {
        MemoryNodeStore {
            shared: Some(shared),
            ..Self::default()
        }
    }
}

impl std::fmt::Debug for MemoryNodeStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryNodeStore")
            .field("keys", &self.keys.as_ref().map(|_| "[redacted]"))
            .field("day", &self.day)
            .field("sequence", &self.sequence)
            .field("shared", &self.shared.is_some())
            .finish()
    }
}

impl NodeStore for MemoryNodeStore {
    fn load(&self) -> Result<NodeRecord, StoreError> {
        Ok(NodeRecord {
            origin: PathBuf::from(":memory:"),
            keys: self.keys.clone(),
            day: self.day,
            inbox: Vec::new(),
            sent: Vec::new(),
            outbox: Vec::new(),
            directory: Vec::new(),
            waiting: Vec::new(),
        })
    }

    fn save_keys(&mut self, keys: &NodeKeys) -> Result<(), StoreError> {
        self.keys = Some(keys.export_secrets());
        Ok(())
    }

    fn save_day(&mut self, day: Day) -> Result<(), StoreError> {
        self.day = Some(day);
        Ok(())
    }

    fn save_directory(&mut self, _entries: &[DirectoryEntry]) -> Result<(), StoreError> {
        Ok(())
    }

    fn queue_waiting(&mut self, _cable: &Cable) -> Result<(), StoreError> {
        Ok(())
    }

    fn queue_outbox(&mut self, _entry: &OutboxEntry) -> Result<(), StoreError> {
        Ok(())
    }

    fn mark_sent(&mut self, _id: &str, _stored: &StoredCable) -> Result<bool, StoreError> {
        Ok(true)
    }

    fn drop_outbox(&mut self, _id: &str) -> Result<(), StoreError> {
        Ok(())
    }

    fn filed(&self, _id: &str, _payload: &CablePayload) -> Result<Filed, StoreError> {
        Ok(Filed::No)
    }

    fn file_inbox(&mut self, _: &CablePayload, _: &CableHeader, _: &CableContent) -> Result<(), StoreError> {
        Ok(())
    }

    fn prune(&mut self, _today: Day, _retention_days: Option<u32>) -> Result<(), StoreError> {
        Ok(())
    }

    fn next_sequence(&mut self) -> Result<u64, StoreError> {
        self.sequence += 1;
        Ok(self.sequence)
    }

    fn keep(&self, cable: StoredCable) -> Arc<StoredCable> {
        match &self.shared {
            Some(shared) => shared.share(cable),
            None => Arc::new(cable),
        }
    }
}
