//! Group commit: what shares a commit, when a change is durable, and what
//! a failed commit answers and keeps.

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
    fill_the_disk_for_doomed(&store);
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

#[test]
fn fail_a_retransmission_read_before_a_failed_commit_is_not_acknowledged_by_a_later_barrier() {
    let dir = scratch("group-undone");
    let path = dir.join("hub.db");
    let mut store = SqliteHubStore::open(&path).unwrap();
    fill_the_disk_for_doomed(&store);
    let doomed = accept(&mut store, "C-1", "doomed");
    // The sender sends C-1 again: the hub reads it back as accepted ...
    assert_eq!(store.accepted_digest("C-1").unwrap(), Some(digest("C-1")));
    // ... then the group holding C-1 fails and is undone ...
    assert!(doomed.wait_blocking().is_err());
    // ... so the barrier the retransmission is acknowledged on fails rather
    // than stand for a cable the file does not hold.
    let e = store.durable().wait_blocking().unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "store {}: commit what came before: a failed commit undid what was read before it",
            path.display()
        )
    );
    // Read after the failure, C-1 is unknown (its sender sends it anew),
    // and a barrier stands again.
    assert_eq!(store.accepted_digest("C-1").unwrap(), None);
    store.durable().wait_blocking().unwrap();
}

/// The disk fills up for whatever is queued for the node "doomed": a
/// commit holding such a row fails, as a full disk fails it.
fn fill_the_disk_for_doomed(store: &SqliteHubStore) {
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
}
