//! Group commit for the hub's SQLite store: changes are staged in a queue
//! as the hub makes them, and one committer at a time drains everything
//! queued into one transaction, commits it (one sync of the write-ahead
//! log), then answers every change of it. Changes that arrive while a
//! commit is in flight share the next one.
//!
//! The committer runs on the runtime's blocking threads when the change is
//! staged inside a tokio runtime, so no worker thread and no lock of the
//! hub waits for a sync; outside a runtime, whoever waits on a
//! [`Durable`] commits on its own thread.
//!
//! A commit that fails is rolled back whole: every change of it, and every
//! change queued behind it (staged on top of it), is answered with the
//! error, and the mirror the hub reads from is loaded again from the file,
//! which holds exactly what was committed before.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use rusqlite::{Transaction, params};
use tokio::sync::oneshot;
use tracing::error;

use super::durable::{Durable, Start};
use super::hub_mirror;
use super::sqlite::{Db, EXPIRED, day_sql};
use super::{AcceptedCable, CableDigest, MemoryHubStore, StoreError};
use crate::model::Day;

/// Forgets the frame of cable `?1` if nothing needs it any more.
const RELEASE_FRAME: &str = "UPDATE cables SET frame = NULL WHERE id = ?1
    AND NOT EXISTS (SELECT 1 FROM queue WHERE cable = ?1)
    AND NOT EXISTS (SELECT 1 FROM archive WHERE cable = ?1)";

/// One change, as the committer writes it.
pub(super) enum Change {
    Accept {
        cable: Arc<AcceptedCable>,
        digest: CableDigest,
        recipients: Vec<String>,
        archive: bool,
    },
    Acknowledge {
        node: String,
        cable: String,
    },
    PruneArchive {
        today: Day,
        archive_days: Option<u32>,
    },
    SaveDay(Day),
    SaveEntry {
        node: String,
        entry: Vec<u8>,
    },
    /// Writes nothing: answered once everything queued before it is
    /// committed.
    Barrier,
}

impl Change {
    /// What it does, in the words of an error message.
    pub(super) fn operation(&self) -> &'static str {
        match self {
            Change::Accept { .. } => "accept a cable",
            Change::Acknowledge { .. } => "acknowledge a delivery",
            Change::PruneArchive { .. } => "prune the archive",
            Change::SaveDay(_) => "save the day",
            Change::SaveEntry { .. } => "save a directory entry",
            Change::Barrier => "commit what came before",
        }
    }

    fn write(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        match self {
            Change::Accept {
                cable,
                digest,
                recipients,
                archive,
            } => {
                // No queue (every recipient acknowledged it in this very
                // group) and no archive: nothing needs the frame.
                let frame = (!recipients.is_empty() || *archive).then_some(&*cable.deliver_frame);
                tx.prepare_cached("INSERT INTO cables (id, day, digest, frame) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![cable.id, day_sql(cable.day), digest, frame])?;
                let mut queue = tx.prepare_cached("INSERT INTO queue (node, cable) VALUES (?1, ?2)")?;
                for r in recipients {
                    queue.execute(params![r, cable.id])?;
                }
                if *archive {
                    tx.prepare_cached("INSERT INTO archive (cable, day) VALUES (?1, ?2)")?
                        .execute(params![cable.id, day_sql(cable.day)])?;
                }
            }
            Change::Acknowledge { node, cable } => {
                let removed = tx
                    .prepare_cached("DELETE FROM queue WHERE node = ?1 AND cable = ?2")?
                    .execute([node, cable])?;
                if removed > 0 {
                    tx.prepare_cached(RELEASE_FRAME)?.execute([cable])?;
                }
            }
            Change::PruneArchive { today, archive_days } => {
                // By day, not by position: cables from nodes on different
                // days (multi-process mode) are not archived in day order.
                let expired: Vec<String> = {
                    let mut stmt = tx.prepare_cached(&format!("SELECT cable FROM archive WHERE {EXPIRED}"))?;
                    let ids = stmt.query_map(params![day_sql(*today), archive_days], |row| row.get(0))?;
                    ids.collect::<Result<_, _>>()?
                };
                tx.prepare_cached(&format!("DELETE FROM archive WHERE {EXPIRED}"))?
                    .execute(params![day_sql(*today), archive_days])?;
                let mut release = tx.prepare_cached(RELEASE_FRAME)?;
                for id in &expired {
                    release.execute([id])?;
                }
            }
            Change::SaveDay(day) => {
                tx.prepare_cached(
                    "INSERT INTO meta (key, value) VALUES ('day', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute([day_sql(*day)])?;
            }
            Change::SaveEntry { node, entry } => {
                tx.prepare_cached(
                    "INSERT INTO directory (node, entry) VALUES (?1, ?2)
                     ON CONFLICT (node) DO UPDATE SET entry = excluded.entry",
                )?
                .execute(params![node, entry])?;
            }
            Change::Barrier => {}
        }
        Ok(())
    }
}

/// A staged change and who waits for its commit, if anyone.
struct Request {
    change: Change,
    answer: Option<oneshot::Sender<Result<(), StoreError>>>,
}

#[derive(Default)]
struct Queue {
    requests: Vec<Request>,
    /// A committer is running (or about to): a change staged now is taken
    /// by it, in its next transaction.
    committing: bool,
}

/// The hub store's shared half: the mirror it reads, the connection only
/// the committer uses, and the queue between them.
///
/// Locks are taken in one order — `db`, then `mirror`, then `queue` — and
/// none is held across a sync except `db`.
pub(super) struct HubDb {
    path: PathBuf,
    /// `None` once the store is closed.
    db: Mutex<Option<Db>>,
    mirror: Mutex<MemoryHubStore>,
    queue: Mutex<Queue>,
    /// Signalled whenever a committer finds the queue empty and stops.
    idle: Condvar,
    commits: AtomicU64,
    failures: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while committing leaves nothing half done that the file
    // does not undo itself (the transaction rolls back).
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl HubDb {
    pub(super) fn new(db: Db, mirror: MemoryHubStore) -> Arc<HubDb> {
        Arc::new(HubDb {
            path: db.path.clone(),
            db: Mutex::new(Some(db)),
            mirror: Mutex::new(mirror),
            queue: Mutex::new(Queue::default()),
            idle: Condvar::new(),
            commits: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        })
    }

    pub(super) fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// The mirror, for reading.
    pub(super) fn mirror(&self) -> MutexGuard<'_, MemoryHubStore> {
        lock(&self.mirror)
    }

    /// Transactions committed so far.
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Commits that failed so far.
    pub(super) fn failures(&self) -> u64 {
        self.failures.load(Ordering::Acquire)
    }

    /// Applies `apply` to the mirror and queues `change` for the next
    /// commit, both under the mirror's lock, so that a failed commit's
    /// reload sees either both or neither. With `wait`, the returned
    /// [`Durable`] resolves once `change` is committed.
    pub(super) fn stage<T>(
        self: &Arc<Self>,
        change: Change,
        wait: bool,
        apply: impl FnOnce(&mut MemoryHubStore) -> T,
    ) -> (T, Option<Durable>) {
        let operation = change.operation();
        let (answer, durable) = if wait {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(Durable::when(rx, self.path.clone(), operation)))
        } else {
            (None, None)
        };
        let mut mirror = lock(&self.mirror);
        let value = apply(&mut mirror);
        lock(&self.queue).requests.push(Request { change, answer });
        drop(mirror);
        // Inside a runtime the commit starts now, on a blocking thread;
        // outside one it waits for someone to wait on it.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            self.start_on(&runtime);
        }
        (value, durable.map(|d| d.started_by(self.starter())))
    }

    /// What a [`Durable`] runs when first waited on: a committer if none
    /// is running, on the runtime if there is one, else on this thread.
    fn starter(self: &Arc<Self>) -> Start {
        let me = Arc::downgrade(self);
        Arc::new(move || {
            let Some(me) = me.upgrade() else {
                return;
            };
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => me.start_on(&runtime),
                Err(_) => {
                    if me.claim() {
                        me.commit_until_empty();
                    }
                }
            }
        })
    }

    /// Marks a committer as running if none is and there is work: whoever
    /// gets `true` must run [`HubDb::commit_until_empty`].
    fn claim(&self) -> bool {
        let mut queue = lock(&self.queue);
        if queue.committing || queue.requests.is_empty() {
            return false;
        }
        queue.committing = true;
        true
    }

    fn start_on(self: &Arc<Self>, runtime: &tokio::runtime::Handle) {
        if !self.claim() {
            return;
        }
        let committer = Committer(Some(self.clone()));
        runtime.spawn_blocking(move || committer.run());
    }

    /// Commits group after group until the queue is empty, then stops.
    fn commit_until_empty(&self) {
        loop {
            // The connection first, then the queue: everything staged while
            // the previous commit (or anyone holding the connection) was
            // busy goes into this one.
            let mut db = lock(&self.db);
            let requests = {
                let mut queue = lock(&self.queue);
                if queue.requests.is_empty() {
                    queue.committing = false;
                    self.idle.notify_all();
                    return;
                }
                std::mem::take(&mut queue.requests)
            };
            let Some(db) = db.as_mut() else {
                // Closed: nothing can be committed any more.
                for r in requests {
                    let e = StoreError::Unfinished {
                        path: self.path.clone(),
                        operation: r.change.operation(),
                    };
                    answer(r, Err(e));
                }
                continue;
            };
            let mut requests = requests;
            match commit(db, &mut requests) {
                Ok(wrote) => {
                    if wrote {
                        self.commits.fetch_add(1, Ordering::Relaxed);
                    }
                    for r in requests {
                        answer(r, Ok(()));
                    }
                }
                Err(cause) => self.recover(db, requests, &cause),
            }
        }
    }

    /// After a failed commit: every change of it and every change queued
    /// behind it fails with `cause`, and the mirror becomes what the file
    /// holds.
    fn recover(&self, db: &Db, mut failed: Vec<Request>, cause: &rusqlite::Error) {
        error!(store = %self.path.display(), cause = %cause, changes = failed.len(), "a commit failed; every change of it is undone");
        {
            let mut mirror = lock(&self.mirror);
            failed.append(&mut lock(&self.queue).requests);
            match hub_mirror::load(db) {
                Ok(fresh) => *mirror = fresh,
                // The reads that failed will fail the next commit too.
                Err(e) => error!(store = %self.path.display(), cause = %e, "cannot reload the hub's store"),
            }
            self.failures.fetch_add(1, Ordering::Release);
        }
        for r in failed {
            let e = StoreError::Sqlite {
                path: self.path.clone(),
                operation: r.change.operation(),
                cause: copy(cause),
            };
            answer(r, Err(e));
        }
    }

    /// Commits what is staged and closes the file: nothing staged is left
    /// behind, and the file's lock is free once this returns.
    pub(super) fn close(&self) {
        if self.claim() {
            self.commit_until_empty();
        }
        let mut queue = lock(&self.queue);
        while queue.committing {
            queue = self.idle.wait(queue).unwrap_or_else(|p| p.into_inner());
        }
        drop(queue);
        lock(&self.db).take();
    }

    /// The connection, held: no commit can start until it is dropped.
    #[cfg(test)]
    pub(super) fn hold(&self) -> MutexGuard<'_, Option<Db>> {
        lock(&self.db)
    }
}

/// A committer handed to a blocking thread. If the runtime drops it
/// unrun (it is shutting down), it commits on the dropping thread
/// instead: a claimed queue is never left without a committer.
struct Committer(Option<Arc<HubDb>>);

impl Committer {
    fn run(mut self) {
        if let Some(db) = self.0.take() {
            db.commit_until_empty();
        }
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        if let Some(db) = self.0.take() {
            db.commit_until_empty();
        }
    }
}

/// Takes out of `requests` the acknowledgements of cables accepted in the
/// same group: the recipient goes from the accepted cable's recipients,
/// and the acknowledgement writes nothing. The file ends as if both were
/// written — the cable accepted, that queue row gone — without writing a
/// row only to delete it. Deliveries go out before the commit, so under
/// load many acknowledgements arrive while their cable's commit waits.
fn absorb_acknowledgements(requests: &mut [Request]) {
    let mut accepted: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for i in 0..requests.len() {
        // Every accept this acknowledgement could follow is before it.
        let (before, rest) = requests.split_at_mut(i);
        let Some(current) = rest.first_mut() else {
            break;
        };
        let absorbed = match &current.change {
            Change::Accept { cable, .. } => {
                accepted.insert(cable.id.clone(), i);
                false
            }
            Change::Acknowledge { node, cable } => {
                let accept = accepted.get(cable.as_str()).and_then(|&at| before.get_mut(at));
                match accept.map(|r| &mut r.change) {
                    Some(Change::Accept { recipients, .. }) => match recipients.iter().position(|r| r == node) {
                        Some(p) => {
                            recipients.remove(p);
                            true
                        }
                        None => false,
                    },
                    _ => false,
                }
            }
            _ => false,
        };
        if absorbed {
            current.change = Change::Barrier;
        }
    }
}

/// Writes every change of `requests` in one transaction and commits it.
/// `Ok(false)` if there was nothing to write.
fn commit(db: &mut Db, requests: &mut [Request]) -> rusqlite::Result<bool> {
    if requests.iter().all(|r| matches!(r.change, Change::Barrier)) {
        return Ok(false);
    }
    absorb_acknowledgements(requests);
    let tx = db.conn.transaction()?;
    for r in requests {
        r.change.write(&tx)?;
    }
    // Dropped on an error above: rolled back.
    tx.commit()?;
    Ok(true)
}

fn answer(request: Request, result: Result<(), StoreError>) {
    match request.answer {
        // The waiter may be gone (a session that ended): nobody to tell.
        Some(answer) => {
            let _ = answer.send(result);
        }
        None => {
            if let Err(e) = result {
                error!(cause = %e, "a change nobody waits for was not committed");
            }
        }
    }
}

/// The same error for another waiter: SQLite's own code and message, or
/// the text of an error that has none.
fn copy(cause: &rusqlite::Error) -> rusqlite::Error {
    match cause {
        rusqlite::Error::SqliteFailure(code, message) => rusqlite::Error::SqliteFailure(*code, message.clone()),
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

impl Drop for HubDb {
    fn drop(&mut self) {
        // Last owner gone: anything still staged is committed now.
        if self.claim() {
            self.commit_until_empty();
        }
    }
}

#[cfg(test)]
mod tests;
