//! The node against a scripted hub over in-memory streams: the outbox is
//! resent byte for byte, redeliveries are acknowledged without a second
//! copy, and a node restarted from its SQLite store carries on.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};

use super::*;
use crate::crypto::{AcceptPolicy, CablePayload, GroupKey, IdentityKey, Opened};
use crate::model::{CableContent, CableHeader, Classification, E2eMode, Node, Role, Transport};
use crate::net::store::{NodeRecord, SqliteNodeStore};
use crate::net::{AlarmKind, Filed, OutboxEntry};
use crate::net::{FrameSource, LINK_BUFFER};
use crate::wire::DEFAULT_MAX_FRAME;
use crate::wire::{Frame, encode_frame};

fn network() -> Network {
    Network::new([Node::new("a", Role::Ministry), Node::new("b", Role::Ministry)]).unwrap()
}

fn security(e2e: E2eMode) -> SecurityConfig {
    SecurityConfig {
        transport: Transport::Plain,
        e2e,
        signatures: false,
        ..SecurityConfig::default()
    }
}

fn config(e2e: E2eMode, trusted: TrustedIdentities) -> NodeConfig {
    NodeConfig {
        name: "a".into(),
        network: network(),
        security: security(e2e),
        tls: None,
        trusted,
        max_frame: DEFAULT_MAX_FRAME,
    }
}

fn cable(id: &str, from: &str, to: &str) -> Cable {
    Cable {
        id: id.into(),
        day: 0,
        from: from.into(),
        to: vec![to.into()],
        classification: Classification::Restricted,
        subject: format!("subject of {id}"),
        body: format!("body of {id}"),
        canary: String::new(),
    }
}

/// What the taps of node "a" saw.
#[derive(Default)]
struct Seen {
    sent: Mutex<Vec<String>>,
    delivered: Mutex<Vec<String>>,
    waiting: Mutex<Vec<(String, Vec<String>)>>,
}

impl NodeTap for Seen {
    fn on_delivery(&self, _day: Day, _node: &str, cable: &Opened) {
        self.delivered.lock().unwrap().push(cable.header.id.clone());
    }

    fn on_sent(&self, _day: Day, _node: &str, cable: &Cable) {
        self.sent.lock().unwrap().push(cable.id.clone());
    }

    fn on_waiting(&self, _day: Day, _node: &str, cable: &Cable, missing: &[String]) {
        self.waiting.lock().unwrap().push((cable.id.clone(), missing.to_vec()));
    }
}

/// The hub's end of one connection, played by the test.
struct ScriptedHub {
    frames: FrameSource<ReadHalf<DuplexStream>>,
    out: WriteHalf<DuplexStream>,
}

impl ScriptedHub {
    /// Takes a node's hello, publish and directory request and answers.
    async fn accept(stream: DuplexStream) -> ScriptedHub {
        let (read, out) = tokio::io::split(stream);
        let mut hub = ScriptedHub {
            frames: FrameSource::new(read, DEFAULT_MAX_FRAME),
            out,
        };
        assert!(matches!(hub.next().await, Frame::Hello { .. }));
        assert!(matches!(hub.next().await, Frame::Publish { .. }));
        assert!(matches!(hub.next().await, Frame::DirectoryRequest { .. }));
        hub.send(&Frame::DirectoryAnswer { entries: Vec::new() }).await;
        hub
    }

    async fn next(&mut self) -> Frame {
        self.frames
            .next()
            .await
            .unwrap()
            .expect("the node closed the connection")
    }

    async fn send(&mut self, frame: &Frame) {
        self.out
            .write_all(&encode_frame(frame, DEFAULT_MAX_FRAME).unwrap())
            .await
            .unwrap();
    }

    /// The next frame, which must be a submit: its encoding.
    async fn submitted(&mut self) -> Vec<u8> {
        let frame = self.next().await;
        assert!(matches!(frame, Frame::Submit { .. }), "{}", frame.kind());
        encode_frame(&frame, DEFAULT_MAX_FRAME).unwrap()
    }

    async fn expect_ack(&mut self, id: &str) {
        match self.next().await {
            Frame::Ack { cable } => assert_eq!(cable, id),
            other => panic!("expected an ack of {id}, got {}", other.kind()),
        }
    }
}

struct Setup {
    e2e: E2eMode,
    identity: IdentityKey,
    group: GroupKey,
    clock: DayClock,
    alarms: Alarms,
    seen: Arc<Seen>,
}

impl Setup {
    fn new(e2e: E2eMode) -> Self {
        Setup {
            e2e,
            identity: IdentityKey::generate(),
            group: GroupKey::generate(),
            clock: DayClock::new(),
            alarms: Alarms::new(),
            seen: Arc::new(Seen::default()),
        }
    }

    /// Both nodes share one identity here: only "a" is under test.
    fn trusted(&self) -> TrustedIdentities {
        let mut trusted = TrustedIdentities::new();
        for name in ["a", "b"] {
            trusted.insert(name, self.identity.public());
        }
        trusted
    }

    fn keys(&self, name: &str) -> NodeKeys {
        NodeKeys::generate(name, self.e2e, 7, self.identity.clone(), Some(self.group.clone()))
    }

    /// Node "a" on `store`, connected to a scripted hub. Its keys are the
    /// saved ones if the store has any.
    async fn start(&self, store: Box<dyn NodeStore>) -> (NodeHandle, ScriptedHub) {
        let record: NodeRecord = store.load().unwrap();
        let keys = record
            .restore_keys("a", self.identity.clone())
            .unwrap()
            .unwrap_or_else(|| self.keys("a"));
        let (node_end, hub_end) = tokio::io::duplex(LINK_BUFFER);
        let taps: Vec<Arc<dyn NodeTap>> = vec![self.seen.clone()];
        let (node, hub) = tokio::join!(
            NodeHandle::connect_with_store(
                config(self.e2e, self.trusted()),
                keys,
                node_end,
                self.clock.clone(),
                self.alarms.clone(),
                taps,
                store
            ),
            ScriptedHub::accept(hub_end)
        );
        (node.unwrap(), hub)
    }

    /// A deliver frame of cable `id` from "b" to "a", freshly sealed.
    fn delivery(&self, id: &str) -> Frame {
        self.delivery_on(id, 0)
    }

    /// The delivery to "a" of a cable from "b" dated `day`.
    fn delivery_on(&self, id: &str, day: Day) -> Frame {
        let c = Cable {
            day,
            ..cable(id, "b", "a")
        };
        let payload =
            CablePayload::seal(c.header(vec!["a".into()]), &c.content(), &self.keys("b"), &[], false).unwrap();
        Frame::Deliver { payload }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cablesim-node-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The database and its WAL as a killed process leaves them, copied while
/// the store is open.
fn crash_copy(db: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    let target = to.join(db.file_name().unwrap());
    std::fs::copy(db, &target).unwrap();
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if wal.exists() {
        std::fs::copy(&wal, format!("{}-wal", target.display())).unwrap();
    }
    target
}

/// A directory request and its answer: when it returns, the node has
/// handled every frame the hub sent before.
async fn round_trip(node: &NodeHandle, hub: &mut ScriptedHub) {
    let refreshed = node.refresh_directory();
    assert!(matches!(hub.next().await, Frame::DirectoryRequest { .. }));
    hub.send(&Frame::DirectoryAnswer { entries: Vec::new() }).await;
    refreshed.await.unwrap();
}

fn ids(cables: &VecDeque<Arc<StoredCable>>) -> Vec<String> {
    cables.iter().map(|c| c.header.id.clone()).collect()
}

#[tokio::test]
async fn the_outbox_is_resent_byte_for_byte_after_a_reconnection() {
    // Group mode seals with a random nonce: a re-sealed cable would differ.
    let setup = Setup::new(E2eMode::Group);
    let (node, mut hub) = setup.start(Box::new(MemoryNodeStore::new())).await;
    assert!(node.is_connected());
    let pending = node.send(cable("C-1", "a", "b"));
    let first = hub.submitted().await;
    // The hub goes away before acknowledging.
    drop(hub);
    node.disconnected().await;
    assert!(!node.is_connected());
    assert!(matches!(pending.await, Err(NodeError::Connection(_))));
    // Written while offline: refused for now, kept for later.
    let offline = node.send(cable("C-2", "a", "b")).await;
    assert!(matches!(offline, Err(NodeError::Connection(_))), "{offline:?}");
    assert!(setup.seen.sent.lock().unwrap().is_empty());

    let (node_end, hub_end) = tokio::io::duplex(LINK_BUFFER);
    let (reconnected, mut hub) = tokio::join!(node.reconnect(node_end), ScriptedHub::accept(hub_end));
    reconnected.unwrap();
    assert!(node.is_connected());
    assert_eq!(hub.submitted().await, first, "the very same bytes, not a new seal");
    hub.submitted().await; // then C-2, in submit order
    hub.send(&Frame::Ack { cable: "C-1".into() }).await;
    hub.send(&Frame::Ack { cable: "C-2".into() }).await;
    round_trip(&node, &mut hub).await;
    // The acknowledgement of a resent cable still reaches the taps and the
    // sent items, though nobody waits for it any more.
    assert_eq!(*setup.seen.sent.lock().unwrap(), ["C-1", "C-2"]);
    assert_eq!(node.inspect(|s| ids(&s.sent)), ["C-1", "C-2"]);
}

#[tokio::test]
async fn a_redelivery_is_acknowledged_without_a_copy_or_an_alarm_but_another_payload_is_a_replay() {
    let dir = scratch("redelivery");
    let setup = Setup::new(E2eMode::Group);
    let (node, mut hub) = setup
        .start(Box::new(SqliteNodeStore::open(dir.join("a.db")).unwrap()))
        .await;
    let delivery = setup.delivery("C-7");
    hub.send(&delivery).await;
    hub.expect_ack("C-7").await;
    hub.send(&delivery).await;
    hub.expect_ack("C-7").await;
    assert_eq!(node.inspect(|s| ids(&s.inbox)), ["C-7"]);
    assert_eq!(*setup.seen.delivered.lock().unwrap(), ["C-7"]);
    assert!(setup.alarms.is_empty());

    // Same id, another sealing: authentic, but a replay.
    hub.send(&setup.delivery("C-7")).await;
    hub.expect_ack("C-7").await;
    let kinds: Vec<AlarmKind> = setup.alarms.sorted().iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AlarmKind::Replay]);
    assert_eq!(node.inspect(|s| ids(&s.inbox)), ["C-7"]);
}

/// Folders kept beside the node's own under other retentions are filed
/// as its own are and pruned each day under their own retention; one is
/// kept per retention, however often asked for, and none for a
/// retention nobody asked for.
#[tokio::test]
async fn folders_kept_under_another_retention_are_filed_and_pruned_beside_the_own() {
    let setup = Setup::new(E2eMode::Group);
    let (node, mut hub) = setup.start(Box::new(MemoryNodeStore::new())).await;
    for days in [Some(2), None, Some(2)] {
        node.also_retain(days);
    }
    hub.send(&setup.delivery_on("C-0", 0)).await;
    hub.expect_ack("C-0").await;
    send_and_ack(&node, &mut hub, "C-1").await;
    node.enter_day(1).await.unwrap();
    hub.send(&setup.delivery_on("C-2", 1)).await;
    hub.expect_ack("C-2").await;
    // Day 2 under two days' retention keeps day 1 only (2 - 1 < 2).
    node.enter_day(2).await.unwrap();

    let folders = |view| node.inspect(|s| s.folders(view).map(|(inbox, sent)| (ids(inbox), ids(sent))));
    let all = Some((vec!["C-0".to_owned(), "C-2".to_owned()], vec!["C-1".to_owned()]));
    assert_eq!(folders(FolderView::Own), all, "the node's own, kept for ever");
    assert_eq!(folders(FolderView::Retaining(None)), all);
    assert_eq!(
        folders(FolderView::Retaining(Some(2))),
        Some((vec!["C-2".to_owned()], vec![]))
    );
    assert_eq!(folders(FolderView::Retaining(Some(3))), None, "never asked for");
    assert_eq!(node.inspect(|s| s.also_retained.len()), 2);
}

#[tokio::test]
async fn a_memory_store_leaves_redeliveries_to_the_replay_guard_as_before() {
    let setup = Setup::new(E2eMode::Group);
    let (node, mut hub) = setup.start(Box::new(MemoryNodeStore::new())).await;
    let delivery = setup.delivery("C-7");
    for _ in 0..2 {
        hub.send(&delivery).await;
        hub.expect_ack("C-7").await;
    }
    assert_eq!(node.inspect(|s| ids(&s.inbox)), ["C-7"]);
    let kinds: Vec<AlarmKind> = setup.alarms.sorted().iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AlarmKind::Replay]);
}

#[tokio::test]
async fn a_restarted_node_resends_its_outbox_and_knows_what_it_filed() {
    let dir = scratch("restart");
    let path = dir.join("a.db");
    let setup = Setup::new(E2eMode::Group);
    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    assert_eq!(node.next_sequence().await.unwrap(), 1);
    let delivery = setup.delivery("C-2");
    hub.send(&delivery).await;
    hub.expect_ack("C-2").await;
    let _pending = node.send(cable("C-1", "a", "b"));
    let first = hub.submitted().await;
    // Killed with C-1 unacknowledged (it was committed before it was sent).
    let copy = crash_copy(&path, &dir.join("after-crash"));
    node.shutdown().await;
    drop(hub);

    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&copy).unwrap())).await;
    assert_eq!(node.inspect(|s| ids(&s.inbox)), ["C-2"]);
    assert_eq!(hub.submitted().await, first, "resent on connection, byte for byte");
    hub.send(&Frame::Ack { cable: "C-1".into() }).await;
    // The hub never saw our ack of C-2 and delivers it again.
    hub.send(&delivery).await;
    hub.expect_ack("C-2").await;
    assert_eq!(node.next_sequence().await.unwrap(), 2, "the counter survives");
    assert_eq!(node.inspect(|s| ids(&s.inbox)), ["C-2"]);
    assert_eq!(node.inspect(|s| ids(&s.sent)), ["C-1"]);
    assert_eq!(*setup.seen.sent.lock().unwrap(), ["C-1"]);
    assert_eq!(
        *setup.seen.delivered.lock().unwrap(),
        ["C-2"],
        "filed once, across the restart"
    );
    assert!(setup.alarms.is_empty());
    node.shutdown().await;

    let record = SqliteNodeStore::open(&copy).unwrap().load().unwrap();
    assert!(record.outbox.is_empty());
    assert_eq!(record.sent.len(), 1);
}

#[tokio::test]
async fn rotated_keys_and_the_day_are_saved_before_they_are_published() {
    let dir = scratch("rotation");
    let path = dir.join("a.db");
    let setup = Setup::new(E2eMode::ForwardSecret);
    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    // The live store is the node's (exclusive lock): read copies of it.
    let peeks = std::cell::Cell::new(0);
    let saved = |path: &Path| {
        peeks.set(peeks.get() + 1);
        let copy = crash_copy(path, &dir.join(format!("peek-{}", peeks.get())));
        let record = SqliteNodeStore::open(&copy).unwrap().load().unwrap();
        let keys = record.restore_keys("a", setup.identity.clone()).unwrap().unwrap();
        (record.day, keys.held_epochs(), keys.publish().keys[0].public)
    };
    let published = node.inspect(|s| s.keys.publish().keys[0].public);
    assert_eq!(saved(&path), (None, vec![0], published), "saved at start");

    setup.clock.set(7);
    let entered = node.enter_day(7);
    assert!(matches!(hub.next().await, Frame::Publish { .. }));
    assert!(matches!(hub.next().await, Frame::DirectoryRequest { .. }));
    hub.send(&Frame::DirectoryAnswer { entries: Vec::new() }).await;
    assert!(entered.await.unwrap(), "epoch 1 began");
    let published = node.inspect(|s| s.keys.publish().keys[0].public);
    assert_eq!(saved(&path), (Some(7), vec![1], published));
    node.shutdown().await;

    // A restart resumes on the saved day with the saved keys.
    let setup_again = Setup {
        clock: DayClock::new(),
        ..setup
    };
    let (node, _hub) = setup_again.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    assert_eq!(setup_again.clock.today(), 7);
    assert_eq!(node.inspect(|s| s.keys.publish().keys[0].public), published);
}

#[tokio::test]
async fn a_restarted_node_seals_with_the_directory_of_its_last_refresh() {
    let dir = scratch("directory");
    let path = dir.join("a.db");
    let setup = Setup::new(E2eMode::Static);
    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    let refreshed = node.refresh_directory();
    assert!(matches!(hub.next().await, Frame::DirectoryRequest { .. }));
    let b = setup.keys("b").publish();
    hub.send(&Frame::DirectoryAnswer { entries: vec![b] }).await;
    refreshed.await.unwrap();
    node.shutdown().await;
    drop(hub);

    // Restarted, and the hub goes away before any refresh: the cable is
    // sealed with the saved entry and waits in the outbox.
    let (node, hub) = setup.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    drop(hub);
    node.disconnected().await;
    let offline = node.send(cable("C-1", "a", "b")).await;
    assert!(matches!(offline, Err(NodeError::Connection(_))), "{offline:?}");
    let (node_end, hub_end) = tokio::io::duplex(LINK_BUFFER);
    let (reconnected, mut hub) = tokio::join!(node.reconnect(node_end), ScriptedHub::accept(hub_end));
    reconnected.unwrap();
    hub.submitted().await;
    assert!(setup.alarms.is_empty(), "{:?}", setup.alarms.sorted());
    node.shutdown().await;
}

#[tokio::test]
async fn a_refused_cable_leaves_the_outbox_but_a_busy_one_stays() {
    let dir = scratch("refused");
    let path = dir.join("a.db");
    let setup = Setup::new(E2eMode::Group);
    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    for (id, code) in [("C-1", ErrorCode::Rejected), ("C-2", ErrorCode::Busy)] {
        let pending = node.send(cable(id, "a", "b"));
        hub.submitted().await;
        hub.send(&Frame::Error {
            cable: Some(id.into()),
            code,
            detail: "no".into(),
        })
        .await;
        assert!(matches!(pending.await, Err(NodeError::Refused { code: c, .. }) if c == code));
    }
    // The live store is the node's (exclusive lock): read a copy of it.
    let outbox: Vec<String> = SqliteNodeStore::open(crash_copy(&path, &dir.join("peek")))
        .unwrap()
        .load()
        .unwrap()
        .outbox
        .iter()
        .map(|e| e.cable.id.clone())
        .collect();
    assert_eq!(outbox, ["C-2"]);
    node.shutdown().await;
}

/// A store that fails every write, to show what the node does then.
struct BrokenStore;

impl NodeStore for BrokenStore {
    fn load(&self) -> Result<NodeRecord, StoreError> {
        MemoryNodeStore::new().load()
    }
    fn save_keys(&mut self, _: &NodeKeys) -> Result<(), StoreError> {
        Ok(())
    }
    fn save_directory(&mut self, _: &[DirectoryEntry]) -> Result<(), StoreError> {
        Err(broken())
    }
    fn save_day(&mut self, _: Day) -> Result<(), StoreError> {
        Err(broken())
    }
    fn queue_waiting(&mut self, _: &Cable) -> Result<(), StoreError> {
        Err(broken())
    }
    fn queue_outbox(&mut self, _: &OutboxEntry) -> Result<(), StoreError> {
        Err(broken())
    }
    fn mark_sent(&mut self, _: &str, _: &StoredCable) -> Result<bool, StoreError> {
        Err(broken())
    }
    fn drop_outbox(&mut self, _: &str) -> Result<(), StoreError> {
        Err(broken())
    }
    fn filed(&self, _: &str, _: &CablePayload) -> Result<Filed, StoreError> {
        Ok(Filed::No)
    }
    fn file_inbox(&mut self, _: &CablePayload, _: &CableHeader, _: &CableContent) -> Result<(), StoreError> {
        Err(broken())
    }
    fn prune(&mut self, _: Day, _: Option<u32>) -> Result<(), StoreError> {
        Err(broken())
    }
    fn next_sequence(&mut self) -> Result<u64, StoreError> {
        Err(broken())
    }
}

fn broken() -> StoreError {
    StoreError::Corrupt {
        path: PathBuf::from("broken.db"),
        operation: "test",
        detail: "disk on fire".into(),
    }
}

#[tokio::test]
async fn fail_a_broken_store_sends_nothing_and_acknowledges_nothing() {
    let setup = Setup::new(E2eMode::Group);
    let (node, mut hub) = setup.start(Box::new(BrokenStore)).await;
    let err = node.send(cable("C-1", "a", "b")).await.unwrap_err();
    assert!(matches!(err, NodeError::Store(_)), "{err}");
    assert!(err.to_string().contains("broken.db"), "{err}");
    // A delivery it cannot file is not acknowledged, and its redelivery
    // is not taken for a replay.
    let delivery = setup.delivery("C-9");
    hub.send(&delivery).await;
    hub.send(&delivery).await;
    // The first frame after the deliveries is the request: no ack.
    round_trip(&node, &mut hub).await;
    assert!(node.next_sequence().await.is_err());
    node.shutdown().await;
    assert!(hub.frames.next().await.unwrap().is_none(), "no ack, no submit");
    assert!(setup.alarms.is_empty());
    assert!(node.inspect(|s| s.inbox.is_empty()));
}

/// The next frame the node sends, within a bound: a frame that never comes
/// fails the test instead of hanging it.
async fn next_within(hub: &mut ScriptedHub) -> Frame {
    tokio::time::timeout(std::time::Duration::from_secs(20), hub.next())
        .await
        .expect("the node sent nothing")
}

/// Keeps the node's directory current and answers its first fetch with
/// `entries`.
async fn keep_current(node: &NodeHandle, hub: &mut ScriptedHub, entries: Vec<DirectoryEntry>) {
    let kept = node.keep_directory_current();
    assert_eq!(next_within(hub).await, Frame::DirectoryWatch);
    assert_eq!(next_within(hub).await, Frame::DirectoryRequest { nodes: Vec::new() });
    hub.send(&Frame::DirectoryAnswer { entries }).await;
    kept.await.unwrap();
}

fn waiting_seen(setup: &Setup) -> Vec<(String, Vec<String>)> {
    setup.seen.waiting.lock().unwrap().clone()
}

#[tokio::test]
async fn a_cable_waits_for_its_recipients_keys_across_a_restart_and_goes_once() {
    let dir = scratch("waiting");
    let path = dir.join("a.db");
    let setup = Setup::new(E2eMode::Static);
    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    keep_current(&node, &mut hub, Vec::new()).await;
    // A change while nothing waits is not fetched...
    hub.send(&Frame::DirectoryChanged).await;
    let pending = node.send_when_keyed(cable("C-1", "a", "b"));
    // ...until a cable waits: b has no key, so C-1 is kept, announced, and
    // the change fetched at once.
    assert_eq!(
        next_within(&mut hub).await,
        Frame::DirectoryRequest { nodes: Vec::new() }
    );
    assert_eq!(waiting_seen(&setup), [("C-1".to_owned(), vec!["b".to_owned()])]);
    hub.send(&Frame::DirectoryAnswer { entries: Vec::new() }).await;
    round_trip(&node, &mut hub).await;
    // Killed while C-1 waits: it was stored before it was announced.
    let copy = crash_copy(&path, &dir.join("after-crash"));
    node.shutdown().await;
    drop(hub);
    assert!(pending.await.is_err(), "nobody acknowledged it");

    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&copy).unwrap())).await;
    keep_current(&node, &mut hub, Vec::new()).await;
    assert_eq!(
        waiting_seen(&setup).len(),
        2,
        "announced again in the new process: {:?}",
        waiting_seen(&setup)
    );
    // b publishes: the hub says so, the node fetches, seals and sends C-1.
    hub.send(&Frame::DirectoryChanged).await;
    assert_eq!(
        next_within(&mut hub).await,
        Frame::DirectoryRequest { nodes: Vec::new() }
    );
    hub.send(&Frame::DirectoryAnswer {
        entries: vec![setup.keys("b").publish()],
    })
    .await;
    match next_within(&mut hub).await {
        Frame::Submit { payload } => assert_eq!(payload.header().id, "C-1"),
        other => panic!("expected C-1's submit, got {}", other.kind()),
    }
    hub.send(&Frame::Ack { cable: "C-1".into() }).await;
    // Another refresh finds nothing left to send.
    round_trip(&node, &mut hub).await;
    assert_eq!(*setup.seen.sent.lock().unwrap(), ["C-1"]);
    assert_eq!(waiting_seen(&setup).len(), 2);
    node.shutdown().await;
    drop(hub);
    let record = SqliteNodeStore::open(&copy).unwrap().load().unwrap();
    assert!(record.waiting.is_empty() && record.outbox.is_empty());
    assert_eq!(record.sent.len(), 1);
}

#[tokio::test]
async fn a_reconnection_fetches_the_directory_and_sends_what_waited() {
    let setup = Setup::new(E2eMode::Static);
    let (node, mut hub) = setup.start(Box::new(MemoryNodeStore::new())).await;
    keep_current(&node, &mut hub, Vec::new()).await;
    let pending = node.send_when_keyed(cable("C-1", "a", "b"));
    round_trip(&node, &mut hub).await;
    assert_eq!(waiting_seen(&setup).len(), 1);
    drop(hub);
    node.disconnected().await;
    // Offline, a refresh cannot be answered: it fails at once.
    let offline = node.refresh_directory().await;
    assert!(matches!(offline, Err(NodeError::Connection(_))), "{offline:?}");

    let (node_end, hub_end) = tokio::io::duplex(LINK_BUFFER);
    let (reconnected, mut hub) = tokio::join!(node.reconnect(node_end), ScriptedHub::accept(hub_end));
    reconnected.unwrap();
    assert_eq!(next_within(&mut hub).await, Frame::DirectoryWatch, "watched again");
    assert_eq!(
        next_within(&mut hub).await,
        Frame::DirectoryRequest { nodes: Vec::new() }
    );
    hub.send(&Frame::DirectoryAnswer {
        entries: vec![setup.keys("b").publish()],
    })
    .await;
    hub.submitted().await;
    hub.send(&Frame::Ack { cable: "C-1".into() }).await;
    assert_eq!(pending.await.unwrap(), SendOutcome::Accepted);
    assert_eq!(*setup.seen.sent.lock().unwrap(), ["C-1"]);
}

#[tokio::test]
async fn only_a_cable_sent_when_keyed_waits_and_only_for_keys() {
    let setup = Setup::new(E2eMode::Static);
    let (node, mut hub) = setup.start(Box::new(MemoryNodeStore::new())).await;
    // Plain `send` refuses a cable for a recipient without a key, as before.
    let refused = node.send(cable("C-1", "a", "b")).await;
    assert!(
        matches!(&refused, Err(NodeError::Seal(e)) if e.to_string().contains("no usable key for recipient b")),
        "{refused:?}"
    );
    round_trip(&node, &mut hub).await;
    assert!(waiting_seen(&setup).is_empty());

    // Group mode needs no directory key: nothing waits.
    let group = Setup::new(E2eMode::Group);
    let (node, mut hub) = group.start(Box::new(MemoryNodeStore::new())).await;
    let sent = node.send_when_keyed(cable("C-2", "a", "b"));
    hub.submitted().await;
    hub.send(&Frame::Ack { cable: "C-2".into() }).await;
    assert_eq!(sent.await.unwrap(), SendOutcome::Accepted);
    assert!(waiting_seen(&group).is_empty());
}

#[tokio::test]
async fn fail_a_cable_that_cannot_be_kept_is_not_sent() {
    let setup = Setup::new(E2eMode::Static);
    let (node, mut hub) = setup.start(Box::new(BrokenStore)).await;
    let err = node.send_when_keyed(cable("C-1", "a", "b")).await.unwrap_err();
    assert!(matches!(err, NodeError::Store(_)), "{err}");
    assert!(waiting_seen(&setup).is_empty(), "not announced: not kept");
    round_trip(&node, &mut hub).await;
    node.shutdown().await;
    assert!(hub.frames.next().await.unwrap().is_none(), "no submit");
}

#[tokio::test]
async fn fail_a_waiting_cable_too_large_to_send_is_dropped_when_its_keys_come() {
    let dir = scratch("waiting-too-large");
    let path = dir.join("a.db");
    let setup = Setup::new(E2eMode::Static);
    let (node, mut hub) = setup.start(Box::new(SqliteNodeStore::open(&path).unwrap())).await;
    keep_current(&node, &mut hub, Vec::new()).await;
    let mut huge = cable("C-1", "a", "b");
    huge.body = "x".repeat(DEFAULT_MAX_FRAME + 1);
    let pending = node.send_when_keyed(huge);
    round_trip(&node, &mut hub).await;
    assert_eq!(waiting_seen(&setup).len(), 1);
    // b's keys come: C-1 is sealed, does not fit in a frame, and is given
    // up, in the store too, instead of being tried at every refresh.
    let refreshed = node.refresh_directory();
    assert_eq!(
        next_within(&mut hub).await,
        Frame::DirectoryRequest { nodes: Vec::new() }
    );
    hub.send(&Frame::DirectoryAnswer {
        entries: vec![setup.keys("b").publish()],
    })
    .await;
    refreshed.await.unwrap();
    let err = pending.await.unwrap_err();
    assert!(matches!(err, NodeError::Encode(_)), "{err}");
    let record = SqliteNodeStore::open(crash_copy(&path, &dir.join("peek")))
        .unwrap()
        .load()
        .unwrap();
    assert!(record.waiting.is_empty() && record.outbox.is_empty());
    // The next frame is this refresh's request: nothing was submitted.
    round_trip(&node, &mut hub).await;
    node.shutdown().await;
}

/// Sends `id` and acknowledges it: the payload the hub received.
async fn send_and_ack(node: &NodeHandle, hub: &mut ScriptedHub, id: &str) -> CablePayload {
    let pending = node.send(cable(id, "a", "b"));
    let Frame::Submit { payload } = hub.next().await else {
        panic!("expected the submit of {id}")
    };
    assert_eq!(payload.header().id, id, "nothing left before this send");
    hub.send(&Frame::Ack { cable: id.into() }).await;
    assert_eq!(pending.await.unwrap(), SendOutcome::Accepted);
    payload
}

/// Answers the node's refresh with `b`'s entry.
async fn refresh_with(node: &NodeHandle, hub: &mut ScriptedHub, b: &NodeKeys) {
    let refreshed = node.refresh_directory();
    assert!(matches!(hub.next().await, Frame::DirectoryRequest { .. }));
    hub.send(&Frame::DirectoryAnswer {
        entries: vec![b.publish()],
    })
    .await;
    refreshed.await.unwrap();
}

#[tokio::test]
async fn a_prepared_cable_is_sent_on_its_send_and_sealed_again_after_a_new_directory() {
    let setup = Setup::new(E2eMode::Static);
    let (node, mut hub) = setup.start(Box::new(MemoryNodeStore::new())).await;
    let opens_for = |payload: &CablePayload, b: &NodeKeys| {
        let policy = AcceptPolicy {
            require_signature: false,
        };
        payload
            .accept(b, None, policy, &mut crate::crypto::ReplayGuard::new())
            .is_ok()
    };
    let first = setup.keys("b");
    refresh_with(&node, &mut hub, &first).await;
    // The entry is checked by a first send; from then on a prepare seals.
    assert!(opens_for(&send_and_ack(&node, &mut hub, "C-0").await, &first));

    // Prepared, then sent: nothing leaves before the send (the next frame
    // is the send's submit), and the cable goes once, to the recipient's key.
    node.prepare(cable("C-1", "a", "b"));
    assert!(opens_for(&send_and_ack(&node, &mut hub, "C-1").await, &first));

    // Prepared under one directory, sent under the next: sealed again,
    // for the key the new entry lists.
    node.prepare(cable("C-2", "a", "b"));
    let second = setup.keys("b");
    refresh_with(&node, &mut hub, &second).await;
    let payload = send_and_ack(&node, &mut hub, "C-2").await;
    assert!(opens_for(&payload, &second) && !opens_for(&payload, &first));
    assert_eq!(*setup.seen.sent.lock().unwrap(), ["C-0", "C-1", "C-2"]);
    assert!(setup.alarms.is_empty(), "{:?}", setup.alarms.sorted());
    node.shutdown().await;
}
