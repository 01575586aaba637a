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
use super::hub_mirror::Mirror;
use super::sqlite::{Db, EXPIRED, day_sql};
use super::{AcceptedCable, CableDigest, StoreError};
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
    mirror: Mutex<Mirror>,
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
    pub(super) fn new(db: Db, mirror: Mirror) -> Arc<HubDb> {
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
    pub(super) fn mirror(&self) -> MutexGuard<'_, Mirror> {
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
        apply: impl FnOnce(&mut Mirror) -> T,
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
            match Mirror::load(db) {
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
mod tests {
    use futures_util::FutureExt;

    use super::super::hub_memory::tests::{cable, digest};
    use super::super::sqlite::tests::{crash_copy, scratch};
    use super::super::{HubStore, SqliteHubStore};
    use super::*;

    fn ids(store: &SqliteHubStore, node: &str) -> Vec<String> {
        store.pending(node).unwrap().iter().map(|c| c.id.clone()).collect()
    }

    /// Stages `id` for `to` and asks when it is durable.
    fn accept(store: &mut SqliteHubStore, id: &str, to: &str) -> Durable {
        store.accept(cable(id, 0), digest(id), &[to.into()], true).unwrap();
        store.durable()
    }

    #[test]
    fn without_a_runtime_one_wait_commits_everything_staged_in_one_transaction() {
        let dir = scratch("group-blocking");
        let mut store = SqliteHubStore::open(dir.join("hub.db")).unwrap();
        let waits: Vec<Durable> = (0..8).map(|i| accept(&mut store, &format!("C-{i}"), "a")).collect();
        assert_eq!(store.commits(), 0, "staged, not committed");
        assert_eq!(ids(&store, "a").len(), 8, "read back at once");
        let mut waits = waits.into_iter();
        waits.next().unwrap().wait_blocking().unwrap();
        assert_eq!(store.commits(), 1, "eight changes, one commit");
        for w in waits {
            w.wait_blocking().unwrap();
        }
        assert_eq!(store.commits(), 1);
        // One at a time: a commit each, as before group commit.
        for i in 8..11 {
            accept(&mut store, &format!("C-{i}"), "a").wait_blocking().unwrap();
        }
        assert_eq!(store.commits(), 4);
        // A wait with nothing staged writes nothing.
        store.durable().wait_blocking().unwrap();
        assert_eq!(store.commits(), 4);
    }

    // Holding the connection across awaits is the point: the committer,
    // on a blocking thread, waits for it while the test looks.
    #[expect(clippy::await_holding_lock, reason = "the commit is held on purpose")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn changes_staged_while_a_commit_is_held_share_the_next_and_none_is_durable_before_it() {
        let dir = scratch("group-held");
        let path = dir.join("hub.db");
        let mut store = SqliteHubStore::open(&path).unwrap();
        let shared = store.shared.clone();
        let held = shared.hold();
        let mut waits: Vec<Durable> = (0..16).map(|i| accept(&mut store, &format!("C-{i}"), "a")).collect();
        store.acknowledge("a", "C-0").unwrap();
        let mut last = store.durable();
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        for w in waits.iter_mut().chain([&mut last]) {
            assert!(w.now_or_never().is_none(), "durable while the commit is held");
        }
        assert_eq!(store.commits(), 0);
        drop(held);
        for w in waits {
            w.await.unwrap();
        }
        last.await.unwrap();
        assert_eq!(store.commits(), 1, "seventeen changes, one commit");
        // What a kill leaves now holds all of them.
        let copy = crash_copy(&path, &dir.join("after"));
        drop(store);
        let reopened = SqliteHubStore::open(&copy).unwrap();
        assert_eq!(
            ids(&reopened, "a"),
            (1..16).map(|i| format!("C-{i}")).collect::<Vec<_>>()
        );
    }

    #[test]
    fn fail_a_commit_answers_every_change_of_it_and_behind_it_and_keeps_what_was_committed() {
        let dir = scratch("group-fail");
        let path = dir.join("hub.db");
        let mut store = SqliteHubStore::open(&path).unwrap();
        accept(&mut store, "C-0", "a").wait_blocking().unwrap();
        // The disk fills up for whatever is queued for "doomed".
        store
            .shared
            .hold()
            .as_ref()
            .unwrap()
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER full BEFORE INSERT ON queue WHEN NEW.node = 'doomed'
                 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
            )
            .unwrap();
        let fine = accept(&mut store, "C-1", "a");
        let doomed = accept(&mut store, "C-2", "doomed");
        assert!(store.acknowledge("a", "C-0").unwrap());
        let after = store.durable();
        assert_eq!(ids(&store, "a"), ["C-1"], "staged changes are read back");
        for (wait, operation) in [
            (fine, "accept a cable"),
            (doomed, "accept a cable"),
            (after, "commit what came before"),
        ] {
            let e = wait.wait_blocking().unwrap_err().to_string();
            assert_eq!(
                e,
                format!("store {}: {operation} failed: database or disk is full", path.display())
            );
        }
        assert_eq!((store.commits(), store.failed_commits()), (1, 1));
        // Back to what is committed: C-0 still queued, C-1 and C-2 never
        // accepted (their senders were told, and will send them again).
        assert_eq!(ids(&store, "a"), ["C-0"]);
        assert_eq!(store.accepted_digest("C-0").unwrap(), Some(digest("C-0")));
        assert_eq!(store.accepted_digest("C-1").unwrap(), None);
        assert_eq!(store.accepted_digest("C-2").unwrap(), None);
        // The next commit works, and a kill keeps both.
        accept(&mut store, "C-1", "a").wait_blocking().unwrap();
        let copy = crash_copy(&path, &dir.join("after"));
        drop(store);
        let reopened = SqliteHubStore::open(&copy).unwrap();
        assert_eq!(ids(&reopened, "a"), ["C-0", "C-1"]);
        assert_eq!(reopened.failed_commits(), 0);
    }

    #[test]
    fn an_acknowledgement_in_its_cables_group_writes_no_queue_row_and_the_file_ends_the_same() {
        let dir = scratch("group-absorb");
        let path = dir.join("hub.db");
        let mut store = SqliteHubStore::open(&path).unwrap();
        store
            .accept(cable("C-1", 0), digest("C-1"), &["a".into(), "b".into()], false)
            .unwrap();
        store
            .accept(cable("C-2", 0), digest("C-2"), &["a".into()], false)
            .unwrap();
        assert!(store.acknowledge("a", "C-1").unwrap());
        assert!(store.acknowledge("a", "C-2").unwrap());
        assert!(!store.acknowledge("a", "C-2").unwrap(), "a second ack changes nothing");
        store.durable().wait_blocking().unwrap();
        assert_eq!(store.commits(), 1);
        let copy = crash_copy(&path, &dir.join("after"));
        drop(store);
        let reopened = SqliteHubStore::open(&copy).unwrap();
        assert_eq!(ids(&reopened, "a"), Vec::<String>::new());
        assert_eq!(ids(&reopened, "b"), ["C-1"]);
        assert_eq!(reopened.accepted_digest("C-2").unwrap(), Some(digest("C-2")));
        let frames: Vec<(String, Option<Vec<u8>>)> = {
            let held = reopened.shared.hold();
            let conn = &held.as_ref().unwrap().conn;
            let mut stmt = conn.prepare("SELECT id, frame FROM cables ORDER BY id").unwrap();
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        // C-1 still queued for b keeps its frame; nothing needs C-2's.
        assert_eq!(
            frames,
            [
                ("C-1".to_owned(), Some(b"frame of C-1".to_vec())),
                ("C-2".to_owned(), None)
            ]
        );
    }

    #[test]
    fn fail_a_change_staged_after_the_store_closed_is_unfinished() {
        let dir = scratch("group-closed");
        let store = SqliteHubStore::open(dir.join("hub.db")).unwrap();
        let shared = store.shared.clone();
        drop(store);
        let (_, wait) = shared.stage(Change::SaveDay(3), true, |_| ());
        let e = wait.unwrap().wait_blocking().unwrap_err().to_string();
        assert!(
            e.ends_with("save the day: the store closed before the commit finished"),
            "{e}"
        );
    }

    #[test]
    fn dropping_the_store_commits_what_is_staged_and_frees_the_file() {
        let dir = scratch("group-drop");
        let path = dir.join("hub.db");
        let mut store = SqliteHubStore::open(&path).unwrap();
        drop(accept(&mut store, "C-1", "a"));
        store.save_day(5).unwrap();
        drop(store);
        let reopened = SqliteHubStore::open(&path).unwrap();
        assert_eq!(ids(&reopened, "a"), ["C-1"]);
        assert_eq!(reopened.day().unwrap(), Some(5));
    }
}
