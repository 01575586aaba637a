//! A hub store a test can read between steps and hand to a new hub after
//! a crash: every call goes to the store inside, so the hub runs on the
//! real [`HubStore`] implementation.

use std::sync::{Arc, Mutex, MutexGuard};

use cablesim::crypto::DirectoryEntry;
use cablesim::model::Day;
use cablesim::net::{AcceptedCable, ArchivedCable, CableDigest, Durable, HubStore, StoreError};

/// A [`HubStore`] shared between a hub and the test.
#[derive(Clone)]
pub(crate) struct SharedStore(Arc<Mutex<Box<dyn HubStore>>>);

impl SharedStore {
    pub(crate) fn new(store: impl HubStore + 'static) -> Self {
        SharedStore(Arc::new(Mutex::new(Box::new(store))))
    }

    fn lock(&self) -> MutexGuard<'_, Box<dyn HubStore>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The ids queued for `node`, oldest first.
    pub(crate) fn queued(&self, node: &str) -> Vec<String> {
        let pending = self.lock().pending(node).unwrap();
        pending.iter().map(|c| c.id.clone()).collect()
    }
}

impl HubStore for SharedStore {
    fn accepted_digest(&self, id: &str) -> Result<Option<CableDigest>, StoreError> {
        self.lock().accepted_digest(id)
    }
    fn accept(
        &mut self,
        cable: AcceptedCable,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) -> Result<Arc<AcceptedCable>, StoreError> {
        self.lock().accept(cable, digest, recipients, archive)
    }
    fn pending(&self, node: &str) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        self.lock().pending(node)
    }
    fn pending_window(&self, node: &str, skip: usize, limit: usize) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        self.lock().pending_window(node, skip, limit)
    }
    fn pending_count(&self, node: &str) -> Result<usize, StoreError> {
        self.lock().pending_count(node)
    }
    fn acknowledge(&mut self, node: &str, cable: &str) -> Result<bool, StoreError> {
        self.lock().acknowledge(node, cable)
    }
    fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) -> Result<(), StoreError> {
        self.lock().prune_archive(today, archive_days)
    }
    fn archive(&self) -> Result<Vec<ArchivedCable>, StoreError> {
        self.lock().archive()
    }
    fn archive_len(&self) -> Result<usize, StoreError> {
        self.lock().archive_len()
    }
    fn day(&self) -> Result<Option<Day>, StoreError> {
        self.lock().day()
    }
    fn save_day(&mut self, day: Day) -> Result<(), StoreError> {
        self.lock().save_day(day)
    }
    fn save_entry(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError> {
        self.lock().save_entry(entry)
    }
    fn directory(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        self.lock().directory()
    }
    fn durable(&mut self) -> Durable {
        self.lock().durable()
    }
    fn failed_commits(&self) -> u64 {
        self.lock().failed_commits()
    }
}
