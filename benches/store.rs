//! The hub's SQLite store (write-ahead log, `synchronous = FULL`, the file
//! in the system's temporary directory on this machine's disk): a cable
//! accepted for 31 recipients — its id and digest, its `deliver` frame, a
//! queue row per recipient and the archive row — and committed, one
//! commit per cable as a hub that commits each cable under its lock did,
//! against a group of 16 cables in one commit, as the hub's group commit
//! does when 16 arrive while a commit is in flight (see "Durability" in
//! ARCHITECTURE.md). Throughput is in cables.
//!
//! `cargo bench --bench store`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use cablesim::net::{AcceptedCable, HubStore, SqliteHubStore, digest_bytes};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const RECIPIENTS: usize = 31;
const GROUP: usize = 16;
/// About the size of a 4096-byte cable's `deliver` frame for 31 recipients.
const FRAME_LEN: usize = 6 * 1024;

/// A fresh database in the system's temporary directory.
fn fresh(name: &str) -> (PathBuf, SqliteHubStore) {
    let dir = std::env::temp_dir().join(format!("cablesim-bench-store-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let store = SqliteHubStore::open(dir.join("hub.sqlite")).expect("a fresh store");
    (dir, store)
}

/// Stages cable `n` for every recipient; durable once a later wait says so.
fn accept(store: &mut SqliteHubStore, n: &mut u64, recipients: &[String], frame: &Arc<[u8]>) {
    *n += 1;
    let id = format!("B-{n}");
    let digest = digest_bytes(id.as_bytes());
    store
        .accept(
            AcceptedCable {
                id,
                day: 0,
                deliver_frame: frame.clone(),
            },
            digest,
            recipients,
            true,
        )
        .expect("staged");
}

fn commits(c: &mut Criterion) {
    let recipients: Vec<String> = (0..RECIPIENTS).map(|i| format!("member-{i:02}")).collect();
    let frame: Arc<[u8]> = Arc::from(vec![0x5a; FRAME_LEN]);
    let mut group = c.benchmark_group("hub_store");

    group.throughput(Throughput::Elements(1));
    let (dir, mut store) = fresh("per-cable");
    let mut n = 0;
    group.bench_function("accept_31_commit_each", |b| {
        b.iter(|| {
            accept(&mut store, &mut n, &recipients, &frame);
            // Outside a runtime, waiting commits what is staged: this cable.
            store.durable().wait_blocking().expect("committed");
        })
    });
    // Once, untimed: one commit per cable, none lost.
    assert_eq!(store.commits(), n);
    assert_eq!(store.pending_count("member-00").expect("a count"), n as usize);
    drop(store);
    let _ = std::fs::remove_dir_all(dir);

    group.throughput(Throughput::Elements(GROUP as u64));
    let (dir, mut store) = fresh("grouped");
    let mut n = 0;
    group.bench_function("accept_31_commit_per_16", |b| {
        b.iter(|| {
            for _ in 0..GROUP {
                accept(&mut store, &mut n, &recipients, &frame);
            }
            store.durable().wait_blocking().expect("committed");
        })
    });
    assert_eq!(store.commits() * GROUP as u64, n, "one commit per group");
    drop(store);
    let _ = std::fs::remove_dir_all(dir);
    group.finish();
}

fn config() -> Criterion {
    // As the other benches: ten samples of two seconds.
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .nresamples(10_000)
}

criterion_group! {
    name = benches;
    config = config();
    targets = commits
}
criterion_main!(benches);
