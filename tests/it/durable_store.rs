//! Durable queues (see "Durability" in ARCHITECTURE.md): a hub retried with the
//! same cable acknowledges it again without relaying it twice, refuses another
//! cable under a used id, and a hub killed with cables in its queues delivers
//! each of them exactly once after a restart from its SQLite store.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cablesim::crypto::{CablePayload, ClearCable, DirectoryEntry, GroupKey, IdentityKey, NodeKeys, TrustedIdentities};
use cablesim::model::{
    Cable, Classification, Day, E2eMode, Network, Node, Role, SecurityConfig, Transport, recipients,
};
use cablesim::net::{
    AcceptedCable, AlarmKind, Alarms, ArchivedCable, CableDigest, DayClock, Durable, FrameSource, Hub, HubConfig,
    HubLimits, HubStore, LINK_BUFFER, MemoryHubStore, NodeConfig, NodeHandle, NodeStore, NodeTap, SqliteHubStore,
    SqliteNodeStore, StoreError,
};
use cablesim::wire::{DEFAULT_MAX_FRAME, ErrorCode, Frame, PROTOCOL_VERSION, encode_frame};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::support::crash_copy as crash;
use crash::crash_copy;

const NODES: [&str; 2] = ["at-mfa", "be-mfa"];

fn network() -> Network {
    Network::new(NODES.map(|n| Node::new(n, Role::Ministry))).unwrap()
}

fn security(e2e: E2eMode) -> SecurityConfig {
    SecurityConfig {
        transport: Transport::Plain,
        e2e,
        ..SecurityConfig::default()
    }
}

fn hub_config(e2e: E2eMode) -> HubConfig {
    HubConfig {
        network: network(),
        security: security(e2e),
        tls: None,
        max_frame: DEFAULT_MAX_FRAME,
        handshake_timeout: Duration::from_secs(10),
        limits: HubLimits::default(),
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

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cablesim-durable-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A frame-level client: says hello as `node` and speaks raw frames.
struct RawNode {
    frames: FrameSource<tokio::io::ReadHalf<DuplexStream>>,
    out: tokio::io::WriteHalf<DuplexStream>,
}

impl RawNode {
    async fn hello(hub: &Hub, node: &str) -> RawNode {
        let (ours, theirs) = tokio::io::duplex(LINK_BUFFER);
        let served = hub.clone();
        let label = node.to_owned();
        tokio::spawn(async move { served.serve(theirs, label).await });
        let (read, out) = tokio::io::split(ours);
        let mut raw = RawNode {
            frames: FrameSource::new(read, DEFAULT_MAX_FRAME),
            out,
        };
        raw.send(&Frame::Hello {
            node: node.into(),
            protocol: PROTOCOL_VERSION,
        })
        .await;
        raw
    }

    async fn send(&mut self, frame: &Frame) {
        self.out
            .write_all(&encode_frame(frame, DEFAULT_MAX_FRAME).unwrap())
            .await
            .unwrap();
    }

    async fn next(&mut self) -> Frame {
        self.frames
            .next()
            .await
            .unwrap()
            .expect("the hub closed the connection")
    }
}

fn clear_payload(id: &str, body: &str) -> CablePayload {
    let mut c = cable(id, "at-mfa", "be-mfa");
    c.body = body.into();
    let security = security(E2eMode::Off);
    let to = recipients(&c.from, &c.to, &network(), security.distribution);
    CablePayload::Clear(ClearCable::new(c.header(to), c.content(), None))
}

#[tokio::test]
async fn the_same_submit_twice_is_one_relay_and_two_acks_another_payload_is_a_replay() {
    for store in [
        Box::new(MemoryHubStore::new()) as Box<dyn HubStore>,
        Box::new(SqliteHubStore::open(scratch("retry").join("hub.db")).unwrap()),
    ] {
        let alarms = Alarms::new();
        let hub = Hub::with_store(
            hub_config(E2eMode::Off),
            DayClock::new(),
            alarms.clone(),
            Vec::new(),
            store,
        )
        .unwrap();
        let mut node = RawNode::hello(&hub, "at-mfa").await;
        let submit = Frame::Submit {
            payload: clear_payload("C-1", "original"),
        };
        for _ in 0..2 {
            node.send(&submit).await;
            assert_eq!(node.next().await, Frame::Ack { cable: "C-1".into() });
        }
        assert_eq!(hub.relayed(), 1, "relayed once");
        assert!(alarms.is_empty(), "a retry is no attack");

        node.send(&Frame::Submit {
            payload: clear_payload("C-1", "forged"),
        })
        .await;
        match node.next().await {
            Frame::Error { cable, code, .. } => {
                assert_eq!((cable.as_deref(), code), (Some("C-1"), ErrorCode::Replay));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        let kinds: Vec<AlarmKind> = alarms.sorted().iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [AlarmKind::Replay]);
        assert_eq!(hub.relayed(), 1);
        // The hub's own injection path never takes a known id, same bytes or not.
        assert!(hub.inject(clear_payload("C-1", "original")).is_err());
    }
}

/// A link whose two directions can each be cut: bytes sent into a cut
/// direction are read and thrown away, as a connection dying under them.
#[derive(Clone, Default)]
struct Valves {
    to_hub_cut: Arc<AtomicBool>,
    to_node_cut: Arc<AtomicBool>,
}

async fn pump(
    mut from: tokio::io::ReadHalf<DuplexStream>,
    mut to: tokio::io::WriteHalf<DuplexStream>,
    cut: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if !cut.load(Ordering::SeqCst) && to.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

/// A hub and the tasks serving its connections, so a test can kill it.
struct RunningHub {
    hub: Hub,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningHub {
    fn start(store: Box<dyn HubStore>, clock: &DayClock, alarms: &Alarms) -> RunningHub {
        let hub = Hub::with_store(
            hub_config(E2eMode::Static),
            clock.clone(),
            alarms.clone(),
            Vec::new(),
            store,
        )
        .unwrap();
        RunningHub { hub, tasks: Vec::new() }
    }

    /// A fresh link to this hub for `node`, through valves.
    fn link(&mut self, node: &str) -> (DuplexStream, Valves) {
        let (node_end, node_side) = tokio::io::duplex(LINK_BUFFER);
        let (hub_side, hub_end) = tokio::io::duplex(LINK_BUFFER);
        let valves = Valves::default();
        let hub = self.hub.clone();
        let label = node.to_owned();
        self.tasks
            .push(tokio::spawn(async move { hub.serve(hub_end, label).await }));
        let (node_read, node_write) = tokio::io::split(node_side);
        let (hub_read, hub_write) = tokio::io::split(hub_side);
        self.tasks
            .push(tokio::spawn(pump(node_read, hub_write, valves.to_hub_cut.clone())));
        self.tasks
            .push(tokio::spawn(pump(hub_read, node_write, valves.to_node_cut.clone())));
        (node_end, valves)
    }

    /// Kills the hub: every session and link task stops where it is.
    fn kill(self) {
        for task in self.tasks {
            task.abort();
        }
    }
}

/// Counts what the taps of every node saw.
#[derive(Default)]
struct Seen {
    delivered: std::sync::Mutex<Vec<(String, String)>>,
    sent: std::sync::Mutex<Vec<String>>,
    filed: tokio::sync::Notify,
}

impl NodeTap for Seen {
    fn on_delivery(&self, _day: Day, node: &str, cable: &cablesim::crypto::Opened) {
        self.delivered
            .lock()
            .unwrap()
            .push((node.to_owned(), cable.header.id.clone()));
        self.filed.notify_one();
    }

    fn on_sent(&self, _day: Day, _node: &str, cable: &Cable) {
        self.sent.lock().unwrap().push(cable.id.clone());
    }
}

struct Member {
    name: &'static str,
    identity: IdentityKey,
    db: PathBuf,
}

struct World {
    dir: PathBuf,
    members: Vec<Member>,
    trusted: TrustedIdentities,
    clock: DayClock,
    alarms: Alarms,
    seen: Arc<Seen>,
}

impl World {
    fn new(name: &str) -> World {
        let dir = scratch(name);
        let members: Vec<Member> = NODES
            .iter()
            .map(|&name| Member {
                name,
                identity: IdentityKey::generate(),
                db: dir.join(format!("{name}.db")),
            })
            .collect();
        let mut trusted = TrustedIdentities::new();
        for m in &members {
            trusted.insert(m.name, m.identity.public());
        }
        World {
            dir,
            members,
            trusted,
            clock: DayClock::new(),
            alarms: Alarms::new(),
            seen: Arc::new(Seen::default()),
        }
    }

    fn member(&self, name: &str) -> &Member {
        self.members.iter().find(|m| m.name == name).unwrap()
    }

    /// Starts `name` from its database (saved keys if any) over `stream`.
    async fn start(&self, name: &str, db: &Path, stream: DuplexStream) -> NodeHandle {
        let member = self.member(name);
        let store = SqliteNodeStore::open(db).unwrap();
        let keys = store
            .load()
            .unwrap()
            .restore_keys(name, member.identity.clone())
            .unwrap()
            .unwrap_or_else(|| NodeKeys::generate(name, E2eMode::Static, 7, member.identity.clone(), None::<GroupKey>));
        let config = NodeConfig {
            name: name.into(),
            network: network(),
            security: security(E2eMode::Static),
            tls: None,
            trusted: self.trusted.clone(),
            max_frame: DEFAULT_MAX_FRAME,
        };
        let taps: Vec<Arc<dyn NodeTap>> = vec![self.seen.clone()];
        NodeHandle::connect_with_store(
            config,
            keys,
            stream,
            self.clock.clone(),
            self.alarms.clone(),
            taps,
            Box::new(store),
        )
        .await
        .unwrap()
    }

    /// Waits until the nodes have filed `n` deliveries in all.
    async fn filed(&self, n: usize) {
        while self.delivered().len() < n {
            self.seen.filed.notified().await;
        }
    }

    fn delivered(&self) -> Vec<(String, String)> {
        self.seen.delivered.lock().unwrap().clone()
    }
}

fn pair(node: &str, id: &str) -> (String, String) {
    (node.to_owned(), id.to_owned())
}

fn inbox(node: &NodeHandle) -> Vec<String> {
    node.inspect(|s| s.inbox.iter().map(|c| c.header.id.clone()).collect())
}

#[tokio::test]
async fn a_hub_killed_mid_stream_and_restarted_from_its_store_delivers_everything_exactly_once() {
    let world = World::new("restart");
    let hub_db = world.dir.join("hub.db");
    let mut hub = RunningHub::start(
        Box::new(SqliteHubStore::open(&hub_db).unwrap()),
        &world.clock,
        &world.alarms,
    );
    hub.hub.enter_day(3);
    world.clock.set(3);
    let (link, _) = hub.link("at-mfa");
    let at = world.start("at-mfa", &world.member("at-mfa").db, link).await;
    let (link, be_valves) = hub.link("be-mfa");
    let be = world.start("be-mfa", &world.member("be-mfa").db, link).await;
    at.refresh_directory().await.unwrap();

    // C-1 goes through. C-2: be-mfa files it, but its ack never reaches the hub.
    at.send(cable("C-1", "at-mfa", "be-mfa")).await.unwrap();
    hub.hub.wait_idle().await;
    be_valves.to_hub_cut.store(true, Ordering::SeqCst);
    at.send(cable("C-2", "at-mfa", "be-mfa")).await.unwrap();
    world.filed(2).await;
    // be-mfa goes away; C-3 waits in the hub's queue.
    let be_db = crash_copy(&world.member("be-mfa").db, &world.dir.join("be-after"));
    be.shutdown().await;
    at.send(cable("C-3", "at-mfa", "be-mfa")).await.unwrap();

    // Kill the hub: its files as they are, every task stopped.
    let hub_db = crash_copy(&hub_db, &world.dir.join("hub-after"));
    assert_eq!(hub.hub.relayed(), 3);
    hub.kill();
    at.disconnected().await;

    let hub_clock = DayClock::new();
    let mut hub = RunningHub::start(
        Box::new(SqliteHubStore::open(&hub_db).unwrap()),
        &hub_clock,
        &world.alarms,
    );
    assert_eq!(hub_clock.today(), 3, "the restarted hub resumes on its day");
    let (link, _) = hub.link("at-mfa");
    at.reconnect(link).await.unwrap();
    // be-mfa is still down, but the restarted hub serves the directory
    // entry it published before: at-mfa can seal for it.
    at.refresh_directory().await.unwrap();
    at.send(cable("C-4", "at-mfa", "be-mfa")).await.unwrap();
    let (link, _) = hub.link("be-mfa");
    let be = world.start("be-mfa", &be_db, link).await;
    hub.hub.wait_idle().await;

    assert_eq!(
        inbox(&be),
        ["C-1", "C-2", "C-3", "C-4"],
        "each once: C-2 redelivered and recognised"
    );
    let delivered = ["C-1", "C-2", "C-3", "C-4"].map(|id| pair("be-mfa", id));
    assert_eq!(world.delivered(), delivered);
    assert_eq!(hub.hub.relayed(), 1, "the restarted hub relayed only C-4 anew");
    assert!(world.alarms.is_empty(), "{:?}", world.alarms.sorted());
    // The archive came back too.
    let archived: Vec<String> = hub.hub.archive_snapshot().into_iter().map(|c| c.id).collect();
    assert_eq!(archived, ["C-1", "C-2", "C-3", "C-4"]);
    at.shutdown().await;
    be.shutdown().await;
    hub.kill();
}

#[tokio::test]
async fn a_cable_the_hub_took_but_never_acknowledged_is_resent_and_relayed_once() {
    let world = World::new("lost-ack");
    let hub_db = world.dir.join("hub.db");
    let mut hub = RunningHub::start(
        Box::new(SqliteHubStore::open(&hub_db).unwrap()),
        &world.clock,
        &world.alarms,
    );
    let (link, at_valves) = hub.link("at-mfa");
    let at = world.start("at-mfa", &world.member("at-mfa").db, link).await;
    let (link, _) = hub.link("be-mfa");
    let be = world.start("be-mfa", &world.member("be-mfa").db, link).await;
    at.refresh_directory().await.unwrap();

    // The hub accepts C-1 and delivers it, but at-mfa never hears the ack.
    at_valves.to_node_cut.store(true, Ordering::SeqCst);
    let pending = at.send(cable("C-1", "at-mfa", "be-mfa"));
    world.filed(1).await;
    hub.hub.wait_idle().await;
    // The hub took C-1: its group commit is made. Nothing else waits for
    // it here, since the ack it releases never reaches at-mfa.
    hub.hub.committed().await.unwrap();
    // Both processes die now.
    let hub_db = crash_copy(&hub_db, &world.dir.join("hub-after"));
    let at_db = crash_copy(&world.member("at-mfa").db, &world.dir.join("at-after"));
    hub.kill();
    at.shutdown().await;
    assert!(pending.await.is_err(), "the sender never learnt the outcome");
    assert!(world.seen.sent.lock().unwrap().is_empty());

    let mut hub = RunningHub::start(
        Box::new(SqliteHubStore::open(&hub_db).unwrap()),
        &world.clock,
        &world.alarms,
    );
    let (link, _) = hub.link("be-mfa");
    be.reconnect(link).await.unwrap();
    let (link, _) = hub.link("at-mfa");
    let at = world.start("at-mfa", &at_db, link).await;
    // A directory round trip: the hub has answered the resubmit by then.
    at.refresh_directory().await.unwrap();
    hub.hub.wait_idle().await;

    assert_eq!(
        *world.seen.sent.lock().unwrap(),
        ["C-1"],
        "acknowledged on resubmission"
    );
    assert_eq!(at.inspect(|s| s.sent.len()), 1);
    assert_eq!(hub.hub.relayed(), 0, "a retransmission, not a second relay");
    assert_eq!(inbox(&be), ["C-1"]);
    assert_eq!(world.delivered(), [pair("be-mfa", "C-1")]);
    assert!(world.alarms.is_empty(), "{:?}", world.alarms.sorted());
    at.shutdown().await;
    // The store is the node's while it runs; read it once it has let go.
    let record = SqliteNodeStore::open(&at_db).unwrap().load().unwrap();
    assert!(record.outbox.is_empty());
    be.shutdown().await;
    hub.kill();
}

#[test]
fn fail_stores_on_unusable_paths_name_the_file() {
    let dir = scratch("bad-paths");
    let missing = dir.join("no/such/dir/node.db");
    for path in [dir.clone(), missing] {
        let hub = SqliteHubStore::open(&path).unwrap_err().to_string();
        let node = SqliteNodeStore::open(&path).unwrap_err().to_string();
        for err in [hub, node] {
            assert!(err.contains(&path.display().to_string()), "{err}");
        }
    }
}

#[test]
fn fail_a_node_store_with_corrupt_keys_is_refused_naming_the_file() {
    let dir = scratch("corrupt-keys");
    let path = dir.join("node.db");
    let identity = IdentityKey::generate();
    let mut store = SqliteNodeStore::open(&path).unwrap();
    store
        .save_keys(&NodeKeys::generate(
            "at-mfa",
            E2eMode::Static,
            7,
            identity.clone(),
            None,
        ))
        .unwrap();
    drop(store);
    // Another node's keys are refused too: they would open nothing.
    let record = SqliteNodeStore::open(&path).unwrap().load().unwrap();
    let err = record.restore_keys("be-mfa", identity.clone()).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("another node"), "{err}");

    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute("UPDATE secrets SET bytes = x'01ff'", []).unwrap();
    drop(db);
    let record = SqliteNodeStore::open(&path).unwrap().load().unwrap();
    let err = record.restore_keys("at-mfa", identity).unwrap_err().to_string();
    assert!(err.contains(&path.display().to_string()), "{err}");
    assert!(err.contains("saved keys refused"), "{err}");
}

/// One process owns a store: a second opener (two nodes started with the
/// same name and data directory) is refused, naming the file, and the
/// store opens again once its owner has let go.
#[test]
fn a_store_in_use_is_refused_until_its_owner_lets_go() {
    let dir = scratch("in-use");
    let path = dir.join("at-mfa.sqlite");
    let owner = SqliteNodeStore::open(&path).unwrap();
    let err = SqliteNodeStore::open(&path).unwrap_err().to_string();
    assert_eq!(
        err,
        format!("cannot open the store {}: another process is using it", path.display())
    );
    drop(owner);
    SqliteNodeStore::open(&path).expect("free again");
    let hub_path = dir.join("hub.sqlite");
    let _hub = SqliteHubStore::open(&hub_path).unwrap();
    assert!(SqliteHubStore::open(&hub_path).is_err());
}

// ------------------------------------------------------- commits in groups

/// How the test tells the hub that a commit is done, or failed.
type CommitAnswer = oneshot::Sender<Result<(), StoreError>>;

/// A memory store whose commits the test answers by hand: what a store
/// that commits in groups looks like to the hub while a commit is slow,
/// or fails.
#[derive(Default)]
struct HandCommitted {
    store: MemoryHubStore,
    answers: Arc<Mutex<Vec<CommitAnswer>>>,
    failed: Arc<AtomicU64>,
}

impl HubStore for HandCommitted {
    fn accepted_digest(&self, id: &str) -> Result<Option<CableDigest>, StoreError> {
        self.store.accepted_digest(id)
    }
    fn accept(
        &mut self,
        cable: AcceptedCable,
        digest: CableDigest,
        recipients: &[String],
        archive: bool,
    ) -> Result<Arc<AcceptedCable>, StoreError> {
        self.store.accept(cable, digest, recipients, archive)
    }
    fn pending(&self, node: &str) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        self.store.pending(node)
    }
    fn pending_count(&self, node: &str) -> Result<usize, StoreError> {
        self.store.pending_count(node)
    }
    fn acknowledge(&mut self, node: &str, cable: &str) -> Result<bool, StoreError> {
        self.store.acknowledge(node, cable)
    }
    fn prune_archive(&mut self, today: Day, archive_days: Option<u32>) -> Result<(), StoreError> {
        self.store.prune_archive(today, archive_days)
    }
    fn archive(&self) -> Result<Vec<ArchivedCable>, StoreError> {
        self.store.archive()
    }
    fn archive_len(&self) -> Result<usize, StoreError> {
        self.store.archive_len()
    }
    fn day(&self) -> Result<Option<Day>, StoreError> {
        self.store.day()
    }
    fn save_day(&mut self, day: Day) -> Result<(), StoreError> {
        self.store.save_day(day)
    }
    fn save_entry(&mut self, entry: &DirectoryEntry) -> Result<(), StoreError> {
        self.store.save_entry(entry)
    }
    fn directory(&self) -> Result<Vec<DirectoryEntry>, StoreError> {
        self.store.directory()
    }
    fn durable(&mut self) -> Durable {
        let (answer, durable) = oneshot::channel();
        self.answers.lock().unwrap().push(answer);
        Durable::when(durable, "hand.db".into(), "accept a cable")
    }
    fn failed_commits(&self) -> u64 {
        self.failed.load(Ordering::SeqCst)
    }
}

/// Whether `node` is sent anything before every task is idle (time is
/// paused: the hour passes only once nothing else can happen).
async fn quiet(node: &mut RawNode) -> bool {
    tokio::time::timeout(Duration::from_secs(3600), node.frames.next())
        .await
        .is_err()
}

#[tokio::test(start_paused = true)]
async fn an_ack_leaves_only_after_its_cables_commit_in_order_and_a_failed_commit_is_refused_busy() {
    let store = HandCommitted::default();
    let (answers, failed) = (store.answers.clone(), store.failed.clone());
    let alarms = Alarms::new();
    let hub = Hub::with_store(
        hub_config(E2eMode::Off),
        DayClock::new(),
        alarms.clone(),
        Vec::new(),
        Box::new(store),
    )
    .unwrap();
    let mut node = RawNode::hello(&hub, "at-mfa").await;
    for id in ["C-1", "C-2"] {
        node.send(&Frame::Submit {
            payload: clear_payload(id, "body"),
        })
        .await;
    }
    // A reply that waits for nothing still leaves after those before it.
    node.send(&Frame::DirectoryRequest { nodes: Vec::new() }).await;
    assert!(quiet(&mut node).await, "nothing leaves while both commits are held");
    assert_eq!(hub.relayed(), 2, "both read and queued meanwhile");
    let mut held = std::mem::take(&mut *answers.lock().unwrap());
    assert_eq!(held.len(), 2);
    let first = held.remove(0);
    held.remove(0).send(Ok(())).unwrap();
    assert!(quiet(&mut node).await, "C-2 committed, but C-1's ack comes first");
    first.send(Ok(())).unwrap();
    assert_eq!(node.next().await, Frame::Ack { cable: "C-1".into() });
    assert_eq!(node.next().await, Frame::Ack { cable: "C-2".into() });
    assert!(matches!(node.next().await, Frame::DirectoryAnswer { .. }));

    // A failed commit: the cable is refused as busy (the node keeps it and
    // sends it again), and every session ends, to start again from the
    // queues the store holds now.
    node.send(&Frame::Submit {
        payload: clear_payload("C-3", "body"),
    })
    .await;
    assert!(quiet(&mut node).await);
    let answer = answers.lock().unwrap().pop().unwrap();
    failed.store(1, Ordering::SeqCst);
    answer
        .send(Err(StoreError::Sqlite {
            path: "hand.db".into(),
            operation: "accept a cable",
            cause: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("database or disk is full".into()),
            ),
        }))
        .unwrap();
    match node.next().await {
        Frame::Error { cable, code, detail } => {
            assert_eq!((cable.as_deref(), code), (Some("C-3"), ErrorCode::Busy));
            assert_eq!(
                detail,
                "the hub could not store the cable: store hand.db: accept a cable failed: database or disk is full"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(node.frames.next().await.unwrap().is_none(), "the session ended");
    assert!(alarms.is_empty(), "a failing store is no attack");
}
