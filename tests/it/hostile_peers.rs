//! Hostile peers against a running hub, in-process (ARCHITECTURE.md, "Bad
//! input"): a flood of connections, handshakes that never finish, a node that
//! stops reading, bytes that are no TLS or no frame, an oversized frame, frames
//! out of order or replayed, an envelope whose header was altered and a cable
//! in another node's name. Each is refused with a logged reason (and the error
//! frame or alarm it deserves), the established nodes carry on, every cable
//! accepted before is delivered exactly once, and what the hub holds stays
//! within its limits (counted by the hub itself).
//!
//! Time is paused: the handshake timeout passes only when every task is
//! waiting, so "refused at once" and "timed out" are told apart exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use cablesim::crypto::{CablePayload, ClearCable, DirectoryEntry, KeyKind, NodeKeys, Opened, check_entry};
use cablesim::model::{
    Cable, Classification, Day, E2eMode, Network, Node, Role, SecurityConfig, Transport, recipients, stamp_canary,
};
use cablesim::net::{
    AcceptedCable, AlarmKind, Alarms, ArchivedCable, BoxStream, CableDigest, DayClock, DeliveryLoad, FrameSource, Hub,
    HubConfig, HubLimits, HubStore, KeyExchange, Link, MemoryHubStore, NodeConfig, NodeHandle, NodeTap, Pki,
    SendOutcome, StoreError, client_config, server_config,
};
use cablesim::scenario::HANDSHAKE_TIMEOUT;
use cablesim::wire::{DEFAULT_MAX_FRAME, ErrorCode, Frame, PROTOCOL_VERSION, encode_frame};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

const AT: &str = "at-mfa";
const BE: &str = "be-mfa";
const KYIV: &str = "del-kyiv";

fn network() -> Network {
    Network::new([
        Node::new(AT, Role::Ministry),
        Node::new(BE, Role::Ministry),
        Node::new(KYIV, Role::Mission),
    ])
    .unwrap()
}

fn cable(id: &str, from: &str, to: &[&str]) -> Cable {
    let mut cable = Cable {
        id: id.into(),
        day: 0,
        from: from.into(),
        to: to.iter().map(|n| (*n).to_owned()).collect(),
        classification: Classification::Restricted,
        subject: format!("subject of {id}"),
        body: format!("body of {id}"),
        canary: String::new(),
    };
    stamp_canary(&mut cable, 5, 0);
    cable
}

// ------------------------------------------------------------------ logs

/// Every event logged while the guard lives, as JSON objects: the hub's
/// reasons are asserted on, not just its answers.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A dispatcher that takes no event, alive for the whole test binary.
///
/// tracing caches whether each log site is wanted, once for the whole
/// process, when a thread first reaches it. While a single dispatcher
/// exists (a capture's), it asks only that thread's own default: a test
/// on another thread, with no subscriber, that reaches a site first
/// switches it off for the capture too, and the capture stays empty
/// (tokio-rs/tracing#3611). With this second one registered, tracing asks
/// every live dispatcher, the capture's among them, and leaves the answer
/// to each thread's own default.
static SECOND_DISPATCH: LazyLock<tracing::Dispatch> =
    LazyLock::new(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));

impl Logs {
    /// Captures the events of this thread (the tests' runtime is
    /// single-threaded, so every task of the test logs here).
    fn capture() -> (Logs, tracing::subscriber::DefaultGuard) {
        LazyLock::force(&SECOND_DISPATCH);
        let logs = Logs::default();
        let sink = logs.0.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || LogWriter(sink.clone()))
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    /// Events whose message is `message`.
    fn named(&self, message: &str) -> Vec<Value> {
        let bytes = self.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .filter(|event| event["message"] == message)
            .collect()
    }

    /// `(peer or node, cause or reason)` of the events named `message`, sorted.
    fn reasons(&self, message: &str) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .named(message)
            .iter()
            .map(|e| {
                let who = e["peer"].as_str().or(e["node"].as_str()).unwrap_or_default();
                let why = e["cause"].as_str().or(e["reason"].as_str()).unwrap_or_default();
                (who.to_owned(), why.to_owned())
            })
            .collect();
        all.sort();
        all
    }
}

// --------------------------------------------------------------- inboxes

/// Each node's deliveries in arrival order, and a bell rung on each one.
#[derive(Default)]
struct Inboxes {
    seen: Mutex<BTreeMap<String, Vec<String>>>,
    bell: Notify,
}

impl NodeTap for Inboxes {
    fn on_delivery(&self, _day: Day, node: &str, cable: &Opened) {
        self.seen
            .lock()
            .unwrap()
            .entry(node.to_owned())
            .or_default()
            .push(cable.header.id.clone());
        self.bell.notify_waiters();
    }
}

impl Inboxes {
    fn of(&self, node: &str) -> Vec<String> {
        self.seen.lock().unwrap().get(node).cloned().unwrap_or_default()
    }

    /// Waits until `node` has received `count` cables. Under paused time a
    /// wait that can never end fails after a minute of simulated time.
    async fn wait(&self, node: &str, count: usize) {
        let waiting = async {
            loop {
                let rung = self.bell.notified();
                tokio::pin!(rung);
                rung.as_mut().enable();
                if self.of(node).len() >= count {
                    return;
                }
                rung.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(60), waiting)
            .await
            .unwrap_or_else(|_| panic!("{node} got {:?}, not {count} cables", self.of(node)));
    }
}

// ----------------------------------------------------------------- world

/// A hub with the test's limits, and what nodes and raw peers need to join it.
struct World {
    hub: Hub,
    pki: Pki,
    security: SecurityConfig,
    clock: DayClock,
    alarms: Alarms,
    inboxes: Arc<Inboxes>,
}

impl World {
    fn new(transport: Transport, limits: HubLimits) -> World {
        World::with_store(transport, limits, Box::new(MemoryHubStore::new()))
    }

    fn with_store(transport: Transport, limits: HubLimits, store: Box<dyn HubStore>) -> World {
        let net = network();
        let pki = Pki::generate(&net).unwrap();
        let security = SecurityConfig {
            transport,
            e2e: E2eMode::Static,
            ..SecurityConfig::default()
        };
        let (clock, alarms) = (DayClock::new(), Alarms::new());
        let hub = Hub::with_store(
            HubConfig {
                network: net,
                security: security.clone(),
                tls: (transport != Transport::Plain)
                    .then(|| server_config(&pki, transport, KeyExchange::Classical).unwrap()),
                max_frame: DEFAULT_MAX_FRAME,
                handshake_timeout: HANDSHAKE_TIMEOUT,
                limits,
            },
            clock.clone(),
            alarms.clone(),
            Vec::new(),
            store,
        )
        .unwrap();
        World {
            hub,
            pki,
            security,
            clock,
            alarms,
            inboxes: Arc::new(Inboxes::default()),
        }
    }

    /// The default limits, under mutual TLS.
    fn mtls() -> World {
        World::new(Transport::Mtls, HubLimits::default())
    }

    fn keys(&self, name: &str) -> NodeKeys {
        let identity = self.pki.credentials(name).unwrap().identity.clone();
        NodeKeys::generate(name, E2eMode::Static, 7, identity, None)
    }

    /// A genuine node, connected over its own link.
    async fn join(&self, name: &str) -> NodeHandle {
        let config = NodeConfig {
            name: name.into(),
            network: network(),
            security: self.security.clone(),
            tls: (self.security.transport != Transport::Plain).then(|| {
                client_config(&self.pki, name, self.security.transport, true, KeyExchange::Classical).unwrap()
            }),
            trusted: self.pki.trusted_identities(),
            max_frame: DEFAULT_MAX_FRAME,
        };
        let link = Link::new(name, self.clock.clone(), Vec::new());
        let (hub, node) = (self.hub.clone(), name.to_owned());
        tokio::spawn(async move { hub.serve_link(link.hub_end, &node).await });
        NodeHandle::connect(
            config,
            self.keys(name),
            link.node_end,
            self.clock.clone(),
            self.alarms.clone(),
            vec![self.inboxes.clone() as Arc<dyn NodeTap>],
        )
        .await
        .unwrap()
    }

    /// A bare connection to the hub, served as `peer`, with `buffer` bytes
    /// of room each way.
    fn connect(&self, peer: &str, buffer: usize) -> (DuplexStream, JoinHandle<()>) {
        let (ours, theirs) = tokio::io::duplex(buffer);
        let (hub, peer) = (self.hub.clone(), peer.to_owned());
        (ours, tokio::spawn(async move { hub.serve(theirs, peer).await }))
    }

    /// A peer that completes mutual TLS with `name`'s real credentials and
    /// then speaks raw frames: a compromised node, or a buggy one.
    async fn raw(&self, peer: &str, name: &str, buffer: usize) -> RawPeer {
        let (ours, serving) = self.connect(peer, buffer);
        let config = client_config(&self.pki, name, Transport::Mtls, true, KeyExchange::Classical).unwrap();
        let tls = tokio_rustls::TlsConnector::from(config)
            .connect(cablesim::net::hub_server_name(), ours)
            .await
            .unwrap();
        let (read, out) = tokio::io::split(Box::new(tls) as BoxStream);
        RawPeer {
            frames: FrameSource::new(read, DEFAULT_MAX_FRAME),
            out,
            serving,
        }
    }

    /// A raw peer for `name` that said hello and published `keys`' entry.
    async fn raw_node(&self, name: &str, keys: &NodeKeys, buffer: usize) -> RawPeer {
        let mut raw = self.raw(&format!("raw:{name}"), name, buffer).await;
        raw.send(&hello(name)).await;
        raw.send(&Frame::Publish { entry: keys.publish() }).await;
        raw
    }

    /// `cable` sealed by `sender` for the recipients' `entries`, as a node
    /// would, with its header as R(c) says.
    fn seal(&self, sender: &NodeKeys, cable: &Cable, entries: &[DirectoryEntry]) -> CablePayload {
        let trusted = self.pki.trusted_identities();
        let keys: Vec<_> = entries
            .iter()
            .flat_map(|e| {
                check_entry(&e.node, e, KeyKind::Static, &trusted, true)
                    .unwrap()
                    .accepted
            })
            .collect();
        let to = recipients(&cable.from, &cable.to, &network(), self.security.distribution);
        CablePayload::seal(cable.header(to), &cable.content(), sender, &keys, true).unwrap()
    }

    /// `(node, kind, cable)` of every alarm so far, sorted.
    fn alarms(&self) -> Vec<(String, AlarmKind, Option<String>)> {
        self.alarms
            .sorted()
            .into_iter()
            .map(|a| (a.node, a.kind, a.cable))
            .collect()
    }
}

fn hello(node: &str) -> Frame {
    Frame::Hello {
        node: node.into(),
        protocol: PROTOCOL_VERSION,
    }
}

/// A frame-level peer over mutual TLS.
struct RawPeer {
    frames: FrameSource<ReadHalf<BoxStream>>,
    out: WriteHalf<BoxStream>,
    serving: JoinHandle<()>,
}

impl RawPeer {
    async fn send(&mut self, frame: &Frame) {
        self.send_bytes(&encode_frame(frame, DEFAULT_MAX_FRAME).unwrap()).await;
    }

    async fn send_bytes(&mut self, bytes: &[u8]) {
        self.out.write_all(bytes).await.unwrap();
        self.out.flush().await.unwrap();
    }

    /// The next frame; `None` once the hub has closed the connection.
    async fn next(&mut self) -> Option<Frame> {
        self.frames.next().await.unwrap()
    }

    async fn expect(&mut self) -> Frame {
        self.next().await.expect("the hub closed the connection")
    }

    /// The hub's last frames and its close: what a refused peer gets.
    async fn rest(mut self) -> Vec<Frame> {
        let mut frames = Vec::new();
        while let Some(frame) = self.next().await {
            frames.push(frame);
        }
        self.serving.await.unwrap();
        frames
    }

    /// Reads the directory answer to a request for `nodes`.
    async fn directory(&mut self, nodes: &[&str]) -> Vec<DirectoryEntry> {
        self.send(&Frame::DirectoryRequest {
            nodes: nodes.iter().map(|n| (*n).to_owned()).collect(),
        })
        .await;
        match self.expect().await {
            Frame::DirectoryAnswer { entries } => entries,
            other => panic!("expected a directory answer, got {other:?}"),
        }
    }

    /// Reads `count` deliveries, acknowledging each: their ids, in order.
    async fn take_deliveries(&mut self, count: usize) -> Vec<String> {
        let mut ids = Vec::new();
        while ids.len() < count {
            match self.expect().await {
                Frame::Deliver { payload } => {
                    let id = payload.header().id.clone();
                    self.send(&Frame::Ack { cable: id.clone() }).await;
                    ids.push(id);
                }
                other => panic!("expected a delivery, got {other:?}"),
            }
        }
        ids
    }
}

fn error(cable: Option<&str>, code: ErrorCode, detail: &str) -> Frame {
    Frame::Error {
        cable: cable.map(str::to_owned),
        code,
        detail: detail.into(),
    }
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// at-mfa and be-mfa joined, with their keys exchanged and one cable
/// accepted before anything hostile happens.
async fn two_nodes_and_a_cable_before(world: &World) -> (NodeHandle, NodeHandle) {
    let (at, be) = (world.join(AT).await, world.join(BE).await);
    for n in [&at, &be] {
        n.refresh_directory().await.unwrap();
    }
    assert_eq!(
        at.send(cable("C-before", AT, &[BE])).await.unwrap(),
        SendOutcome::Accepted
    );
    (at, be)
}

/// The two nodes still exchange cables, and each cable accepted reached
/// its recipient exactly once: `to_be` and `to_at` before, one more each
/// way now.
async fn they_carry_on(world: &World, at: &NodeHandle, be: &NodeHandle, to_be: &[&str], to_at: &[&str]) {
    assert_eq!(
        at.send(cable("C-after-1", AT, &[BE])).await.unwrap(),
        SendOutcome::Accepted
    );
    assert_eq!(
        be.send(cable("C-after-2", BE, &[AT])).await.unwrap(),
        SendOutcome::Accepted
    );
    world.hub.wait_idle().await;
    let with = |before: &[&str], after: &str| {
        let mut all = ids(before);
        all.push(after.into());
        all
    };
    assert_eq!(world.inboxes.of(BE), with(to_be, "C-after-1"));
    assert_eq!(world.inboxes.of(AT), with(to_at, "C-after-2"));
}

// ------------------------------------------------------- connection limit

#[tokio::test(start_paused = true)]
async fn a_connection_flood_past_the_limit_is_refused_and_established_nodes_carry_on() {
    const LIMIT: usize = 1000;
    const FLOOD: usize = 2500;
    let (logs, _guard) = Logs::capture();
    // Plain, so that a refused peer can be told why: a `busy` frame.
    let world = World::new(
        Transport::Plain,
        HubLimits {
            max_connections: LIMIT,
            ..HubLimits::default()
        },
    );
    let (at, be) = two_nodes_and_a_cable_before(&world).await;

    // Thousands of connections at once, none of which says anything.
    let start = Instant::now();
    let mut flood = tokio::task::JoinSet::new();
    let mut serving = Vec::new();
    for i in 0..FLOOD {
        let (mut ours, served) = world.connect(&format!("flood-{i}"), 1024);
        serving.push(served);
        flood.spawn(async move {
            let mut answer = Vec::new();
            ours.read_to_end(&mut answer).await.unwrap();
            (answer, start.elapsed())
        });
    }

    // The established nodes are served all along, and the hub holds
    // exactly its limit: two nodes and 998 silent peers.
    assert_eq!(
        at.send(cable("C-during", AT, &[BE])).await.unwrap(),
        SendOutcome::Accepted
    );
    world.inboxes.wait(BE, 2).await;
    assert_eq!(world.hub.open_connections(), LIMIT);

    let refusal = encode_frame(
        &error(
            None,
            ErrorCode::Busy,
            "the hub is at its limit of 1000 connections; try again later",
        ),
        DEFAULT_MAX_FRAME,
    )
    .unwrap();
    let (mut refused, mut timed_out) = (0, 0);
    while let Some(result) = flood.join_next().await {
        let (answer, elapsed) = result.unwrap();
        if answer == refusal {
            // At once: no handshake was waited for.
            assert_eq!(elapsed, Duration::ZERO);
            refused += 1;
        } else {
            // Admitted, then dropped for never saying hello.
            assert_eq!((answer.len(), elapsed), (0, HANDSHAKE_TIMEOUT));
            timed_out += 1;
        }
    }
    assert_eq!((refused, timed_out), (FLOOD - (LIMIT - 2), LIMIT - 2));
    for served in serving {
        served.await.unwrap();
    }
    assert_eq!(world.hub.open_connections(), 2);

    // Each refusal and each timeout is logged with its peer and reason.
    let logged = logs.reasons("connection refused");
    assert_eq!(logged.len(), refused);
    assert!(
        logged
            .iter()
            .all(|(peer, why)| peer.starts_with("flood-") && why == "the hub is at its limit of 1000 connections"),
        "{:?}",
        logged.first()
    );
    let ended = logs.reasons("session ended");
    assert_eq!(ended.len(), timed_out);
    assert!(
        ended.iter().all(|(_, why)| why == "no hello within 10s"),
        "{:?}",
        ended.first()
    );
    assert!(world.alarms.is_empty(), "load is no attack: {:?}", world.alarms());

    // The flood is gone: a new node gets in, and everything accepted was
    // delivered exactly once.
    let kyiv = world.join(KYIV).await;
    for n in [&at, &be, &kyiv] {
        n.refresh_directory().await.unwrap();
    }
    assert_eq!(
        kyiv.send(cable("C-kyiv", KYIV, &[AT])).await.unwrap(),
        SendOutcome::Accepted
    );
    they_carry_on(&world, &at, &be, &["C-before", "C-during"], &["C-kyiv"]).await;
    assert_eq!(world.hub.open_connections(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_handshake_that_never_finishes_times_out_and_frees_its_slot() {
    let (logs, _guard) = Logs::capture();
    let world = World::new(
        Transport::Mtls,
        HubLimits {
            max_connections: 4,
            ..HubLimits::default()
        },
    );
    let at = world.join(AT).await;
    let start = Instant::now();

    // Three peers hold the other three slots: one says nothing, one sends
    // the start of a TLS record and stops, one finishes TLS with a real
    // certificate and never says hello.
    let (_silent, silent) = world.connect("silent", 1024);
    let (mut partial_io, partial) = world.connect("partial", 1024);
    partial_io
        .write_all(&[0x16, 0x03, 0x01, 0x01, 0x00, 0x01])
        .await
        .unwrap();
    let mute = world.raw("mute", BE, 64 * 1024).await;
    assert_eq!(world.hub.open_connections(), 4);

    // The next one is refused at once, before any TLS: it reads a close.
    let (mut late_io, late) = world.connect("late", 1024);
    let mut answer = Vec::new();
    late_io.read_to_end(&mut answer).await.unwrap();
    late.await.unwrap();
    assert_eq!((answer.len(), start.elapsed()), (0, Duration::ZERO));
    assert_eq!(
        logs.reasons("connection refused"),
        [("late".to_owned(), "the hub is at its limit of 4 connections".to_owned())]
    );

    // The handshake deadline passes: all three are dropped, and only then.
    for stalled in [silent, partial, mute.serving] {
        stalled.await.unwrap();
    }
    assert_eq!(start.elapsed(), HANDSHAKE_TIMEOUT);
    assert_eq!(world.hub.open_connections(), 1);
    let why = "no hello within 10s".to_owned();
    assert_eq!(
        logs.reasons("session ended"),
        [
            ("mute".to_owned(), why.clone()),
            ("partial".to_owned(), why.clone()),
            ("silent".to_owned(), why)
        ]
    );
    assert!(world.alarms.is_empty(), "{:?}", world.alarms());

    // Their slots are free again.
    let (be, kyiv) = (world.join(BE).await, world.join(KYIV).await);
    for n in [&at, &be, &kyiv] {
        n.refresh_directory().await.unwrap();
    }
    assert_eq!(
        kyiv.send(cable("C-1", KYIV, &[AT, BE])).await.unwrap(),
        SendOutcome::Accepted
    );
    world.hub.wait_idle().await;
    assert_eq!(
        (world.inboxes.of(AT), world.inboxes.of(BE)),
        (ids(&["C-1"]), ids(&["C-1"]))
    );
    assert_eq!(world.hub.open_connections(), 3);
}

// ---------------------------------------------------------- backpressure

#[tokio::test(start_paused = true)]
async fn a_node_that_stops_reading_holds_one_window_and_slows_no_one() {
    const WINDOW: usize = 8;
    const CABLES: usize = 100;
    let world = World::new(
        Transport::Mtls,
        HubLimits {
            delivery_window: WINDOW,
            ..HubLimits::default()
        },
    );
    let (at, be) = (world.join(AT).await, world.join(BE).await);
    // del-kyiv publishes its keys, then reads nothing: its link (16 KiB)
    // fills, and the hub's writer for it stops.
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 16 * 1024).await;
    let _ = kyiv.directory(&[KYIV]).await;
    for n in [&at, &be] {
        n.refresh_directory().await.unwrap();
    }

    // at-mfa writes to both, or to be-mfa alone; be-mfa answers.
    let mut to_kyiv = Vec::new();
    let mut to_be = Vec::new();
    for i in 0..CABLES {
        let id = format!("C-{i:03}");
        let to: &[&str] = if i % 2 == 0 { &[BE, KYIV] } else { &[BE] };
        if i % 2 == 0 {
            to_kyiv.push(id.clone());
        }
        to_be.push(id.clone());
        assert_eq!(at.send(cable(&id, AT, to)).await.unwrap(), SendOutcome::Accepted);
        let reply = format!("R-{i:03}");
        assert_eq!(be.send(cable(&reply, BE, &[AT])).await.unwrap(), SendOutcome::Accepted);
    }
    world.inboxes.wait(BE, CABLES).await;
    world.inboxes.wait(AT, CABLES).await;
    assert_eq!(world.inboxes.of(BE), to_be, "be-mfa got exactly its cables, in order");
    assert_eq!(world.inboxes.of(AT).len(), CABLES);

    // The stalled node holds one window in the hub; the rest of its cables
    // are in the store, where they were all along.
    let load = world.hub.delivery_load(KYIV);
    assert_eq!(
        (load.connected, load.in_flight, load.queued),
        (true, WINDOW, CABLES / 2)
    );

    // It reads again: every cable, once, in order, never more than a
    // window out at a time (an acknowledgement just sent may not be
    // handled yet, so the count read here is at most a window).
    let mut got = Vec::new();
    let mut frame_lens = Vec::new();
    while got.len() < to_kyiv.len() {
        let frame = kyiv.expect().await;
        frame_lens.push(encode_frame(&frame, DEFAULT_MAX_FRAME).unwrap().len());
        let Frame::Deliver { payload } = frame else {
            panic!("expected a delivery, got {frame:?}");
        };
        let id = payload.header().id.clone();
        kyiv.send(&Frame::Ack { cable: id.clone() }).await;
        got.push(id);
        assert!(world.hub.delivery_load(KYIV).in_flight <= WINDOW);
    }
    assert_eq!(got, to_kyiv);
    // The window it held was its first deliveries, all of one length (the
    // same cable text to the same recipients), length prefixes included.
    assert!(frame_lens.iter().all(|&len| len == frame_lens[0]), "{frame_lens:?}");
    assert_eq!(load.in_flight_bytes, WINDOW * frame_lens[0]);
    world.hub.wait_idle().await;
    let idle = DeliveryLoad {
        connected: true,
        ..DeliveryLoad::default()
    };
    assert_eq!(
        (world.hub.delivery_load(KYIV), world.hub.delivery_load(BE)),
        (idle, idle)
    );
    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len());
    assert!(world.alarms.is_empty(), "{:?}", world.alarms());
}

#[tokio::test(start_paused = true)]
async fn a_node_that_asks_without_reading_is_no_longer_read() {
    const REPLIES: usize = 4;
    const ASKED: usize = 100_000;
    let world = World::new(
        Transport::Mtls,
        HubLimits {
            reply_queue: REPLIES,
            ..HubLimits::default()
        },
    );
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 16 * 1024).await;
    let _ = kyiv.directory(&[]).await;

    // Every request gets an answer. Unread answers stop the hub reading:
    // the requests back up to the sender, whose writes block. (The
    // timeout fires only once every task waits: nothing else can move.)
    let request = Frame::DirectoryRequest {
        nodes: vec!["nobody".into()],
    };
    let request = encode_frame(&request, DEFAULT_MAX_FRAME).unwrap();
    let requests: Vec<u8> = request.iter().copied().cycle().take(request.len() * ASKED).collect();
    let (read, mut out) = (kyiv.frames, kyiv.out);
    let mut asking = tokio::spawn(async move {
        out.write_all(&requests).await.unwrap();
        out.flush().await.unwrap();
        out
    });
    let blocked = tokio::time::timeout(Duration::from_secs(1), &mut asking).await;
    assert!(blocked.is_err(), "the hub read {ASKED} requests it could not answer");

    // Meanwhile everyone else is served.
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;

    // It reads again: every answer comes, and its writes go through.
    let mut frames = read;
    for _ in 0..ASKED {
        assert_eq!(
            frames.next().await.unwrap(),
            Some(Frame::DirectoryAnswer { entries: Vec::new() })
        );
    }
    asking.await.unwrap();
    assert!(world.alarms.is_empty(), "{:?}", world.alarms());
}

// --------------------------------------------------------- hostile bytes

#[tokio::test(start_paused = true)]
async fn fail_bytes_that_are_not_tls() {
    let (logs, _guard) = Logs::capture();
    let world = World::mtls();
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let (mut io, serving) = world.connect("prober", 1024);
    io.write_all(b"GET / HTTP/1.1\r\nHost: hub\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let _ = io.read_to_end(&mut answer).await;
    serving.await.unwrap();

    let alarms = world.alarms.sorted();
    assert_eq!(alarms.len(), 1, "{alarms:?}");
    assert_eq!((alarms[0].node.as_str(), alarms[0].kind), ("hub", AlarmKind::Malformed));
    assert!(alarms[0].detail.starts_with("peer prober: "), "{}", alarms[0].detail);
    let ended = logs.reasons("session ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].0, "prober");
    assert!(ended[0].1.starts_with("TLS handshake failed: "), "{}", ended[0].1);
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}

#[tokio::test(start_paused = true)]
async fn fail_garbage_inside_tls_before_and_after_hello() {
    let (logs, _guard) = Logs::capture();
    let world = World::mtls();
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    // A frame whose body is no frame: variant 0x7f does not exist.
    let garbage = [0, 0, 0, 6, 0x7f, 0xde, 0xad, 0xbe, 0xef, 0x00];
    let detail = "malformed frame: Serde Deserialization Error";

    // Instead of a hello.
    let mut early = world.raw("early", KYIV, 64 * 1024).await;
    early.send_bytes(&garbage).await;
    assert_eq!(early.rest().await, [error(None, ErrorCode::Malformed, detail)]);

    // After a hello.
    let kyiv_keys = world.keys(KYIV);
    let mut late = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let _ = late.directory(&[KYIV]).await;
    late.send_bytes(&garbage).await;
    assert_eq!(late.rest().await, [error(None, ErrorCode::Malformed, detail)]);

    assert_eq!(
        world.alarms(),
        [
            ("hub".to_owned(), AlarmKind::Malformed, None),
            ("hub".to_owned(), AlarmKind::Malformed, None)
        ]
    );
    let details: BTreeSet<String> = world.alarms.sorted().into_iter().map(|a| a.detail).collect();
    assert_eq!(
        details,
        BTreeSet::from([format!("from del-kyiv: {detail}"), format!("peer early: {detail}")])
    );
    let ended = logs.reasons("session ended");
    assert_eq!(
        ended,
        [
            ("early".to_owned(), detail.to_owned()),
            ("raw:del-kyiv".to_owned(), detail.to_owned())
        ]
    );
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}

#[tokio::test(start_paused = true)]
async fn fail_an_oversized_frame_before_its_body_is_read() {
    let (logs, _guard) = Logs::capture();
    let world = World::mtls();
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let _ = kyiv.directory(&[KYIV]).await;
    // Only the length prefix: the hub must refuse without waiting for
    // (or buffering) a byte of the body.
    let len = u32::try_from(DEFAULT_MAX_FRAME + 1).unwrap();
    kyiv.send_bytes(&len.to_be_bytes()).await;
    let detail = format!(
        "frame of {} bytes exceeds the limit of {DEFAULT_MAX_FRAME}",
        DEFAULT_MAX_FRAME + 1
    );
    assert_eq!(kyiv.rest().await, [error(None, ErrorCode::Oversized, &detail)]);
    assert_eq!(world.alarms(), [("hub".to_owned(), AlarmKind::Malformed, None)]);
    assert_eq!(logs.reasons("session ended"), [("raw:del-kyiv".to_owned(), detail)]);
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}

// -------------------------------------------------------- hostile frames

#[tokio::test(start_paused = true)]
async fn fail_frames_out_of_order() {
    let (logs, _guard) = Logs::capture();
    let world = World::mtls();
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);

    // A submit before the hello: refused, connection closed, nothing relayed.
    let mut eager = world.raw("eager", KYIV, 64 * 1024).await;
    let eager_cable = cable("C-eager", KYIV, &[AT]);
    let payload = CablePayload::Clear(ClearCable::new(
        eager_cable.header(ids(&[AT])),
        eager_cable.content(),
        None,
    ));
    eager.send(&Frame::Submit { payload }).await;
    assert_eq!(
        eager.rest().await,
        [error(None, ErrorCode::Unexpected, "expected hello, got submit")]
    );
    assert_eq!(world.hub.relayed(), 1);

    // After the hello: an acknowledgement before the delivery, a second
    // hello, and a frame only the hub sends are each refused; the
    // connection stays up.
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let _ = kyiv.directory(&[KYIV]).await;
    at.refresh_directory().await.unwrap();
    kyiv.send(&Frame::Ack {
        cable: "C-early".into(),
    })
    .await;
    let early_ack = "acknowledgement for cable C-early, which is not in flight on this connection";
    assert_eq!(kyiv.expect().await, error(None, ErrorCode::Unexpected, early_ack));
    kyiv.send(&hello(KYIV)).await;
    assert_eq!(
        kyiv.expect().await,
        error(None, ErrorCode::Unexpected, "unexpected hello frame from a node")
    );
    kyiv.send(&Frame::Ack {
        cable: "C-early".into(),
    })
    .await;
    assert_eq!(kyiv.expect().await, error(None, ErrorCode::Unexpected, early_ack));

    // The cable it acknowledged too early is still delivered, once.
    assert_eq!(
        at.send(cable("C-early", AT, &[KYIV])).await.unwrap(),
        SendOutcome::Accepted
    );
    assert_eq!(kyiv.take_deliveries(1).await, ["C-early"]);
    world.hub.wait_idle().await;
    assert_eq!(world.hub.delivery_load(KYIV).queued, 0);

    assert!(world.alarms.is_empty(), "{:?}", world.alarms());
    let refused = logs.reasons("frame refused");
    assert_eq!(
        refused,
        [
            (KYIV.to_owned(), early_ack.to_owned()),
            (KYIV.to_owned(), early_ack.to_owned()),
            (KYIV.to_owned(), "unexpected hello frame from a node".to_owned()),
        ]
    );
    assert_eq!(
        logs.reasons("session ended"),
        [("eager".to_owned(), "expected hello, got submit".to_owned())]
    );
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}

#[tokio::test(start_paused = true)]
async fn fail_replayed_frames() {
    let (logs, _guard) = Logs::capture();
    let world = World::mtls();
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let entries = kyiv.directory(&[AT]).await;
    at.refresh_directory().await.unwrap();

    // An old acknowledgement, sent again: refused, and nothing changes.
    assert_eq!(at.send(cable("C-1", AT, &[KYIV])).await.unwrap(), SendOutcome::Accepted);
    assert_eq!(kyiv.take_deliveries(1).await, ["C-1"]);
    world.hub.wait_idle().await;
    kyiv.send(&Frame::Ack { cable: "C-1".into() }).await;
    let replayed_ack = "acknowledgement for cable C-1, which is not in flight on this connection";
    assert_eq!(kyiv.expect().await, error(None, ErrorCode::Unexpected, replayed_ack));

    // The same submit twice: one relay, two acknowledgements (a node that
    // missed the first sends again). Another payload under its id: replay.
    let submit = Frame::Submit {
        payload: world.seal(&kyiv_keys, &cable("C-2", KYIV, &[AT]), &entries),
    };
    for _ in 0..2 {
        kyiv.send(&submit).await;
        assert_eq!(kyiv.expect().await, Frame::Ack { cable: "C-2".into() });
    }
    let mut other = cable("C-2", KYIV, &[AT]);
    other.body = "another body".into();
    kyiv.send(&Frame::Submit {
        payload: world.seal(&kyiv_keys, &other, &entries),
    })
    .await;
    assert_eq!(
        kyiv.expect().await,
        error(Some("C-2"), ErrorCode::Replay, "cable id C-2 was relayed before")
    );
    world.hub.wait_idle().await;
    assert_eq!(world.hub.relayed(), 3);
    assert_eq!(world.alarms(), [("hub".to_owned(), AlarmKind::Replay, None)]);
    assert_eq!(
        logs.reasons("frame refused"),
        [
            (KYIV.to_owned(), replayed_ack.to_owned()),
            (KYIV.to_owned(), "cable id C-2 was relayed before".to_owned()),
        ]
    );
    they_carry_on(&world, &at, &be, &["C-before"], &["C-2"]).await;
}

#[tokio::test(start_paused = true)]
async fn fail_a_cable_claiming_another_sender() {
    let (logs, _guard) = Logs::capture();
    let world = World::mtls();
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let entries = kyiv.directory(&[BE]).await;

    // del-kyiv seals a cable to be-mfa and puts at-mfa's name on it.
    let mut payload = world.seal(&kyiv_keys, &cable("C-forged", KYIV, &[BE]), &entries);
    let CablePayload::Sealed(envelope) = &mut payload else {
        panic!("static e2e seals")
    };
    envelope.header.cable.from = AT.into();
    kyiv.send(&Frame::Submit { payload }).await;
    assert_eq!(
        kyiv.expect().await,
        error(
            Some("C-forged"),
            ErrorCode::Rejected,
            "sender does not match the connection"
        )
    );
    assert_eq!(world.hub.relayed(), 1);
    let alarms = world.alarms.sorted();
    assert_eq!(alarms.len(), 1);
    assert_eq!(
        (alarms[0].node.as_str(), alarms[0].kind, alarms[0].detail.as_str()),
        (
            "hub",
            AlarmKind::SenderMismatch,
            "del-kyiv submitted C-forged claiming to be from at-mfa"
        )
    );
    assert_eq!(
        logs.reasons("frame refused"),
        [(KYIV.to_owned(), "sender does not match the connection".to_owned())]
    );
    // The connection stays up: del-kyiv may still send in its own name.
    let payload = world.seal(&kyiv_keys, &cable("C-own", KYIV, &[BE]), &entries);
    kyiv.send(&Frame::Submit { payload }).await;
    assert_eq!(kyiv.expect().await, Frame::Ack { cable: "C-own".into() });
    they_carry_on(&world, &at, &be, &["C-before", "C-own"], &[]).await;
}

#[tokio::test(start_paused = true)]
async fn fail_an_envelope_whose_header_was_altered() {
    let (logs, _guard) = Logs::capture();
    let world = World::mtls();
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let entries = kyiv.directory(&[BE]).await;
    let altered = |id: &str, edit: &dyn Fn(&mut cablesim::model::CableHeader)| {
        let mut payload = world.seal(&kyiv_keys, &cable(id, KYIV, &[BE]), &entries);
        let CablePayload::Sealed(envelope) = &mut payload else {
            panic!("static e2e seals")
        };
        edit(&mut envelope.header.cable);
        Frame::Submit { payload }
    };

    // Recipients that are not R(c): the hub refuses to route it.
    kyiv.send(&altered("C-routed", &|h| h.recipients.push(AT.into()))).await;
    assert_eq!(
        kyiv.expect().await,
        error(
            Some("C-routed"),
            ErrorCode::Rejected,
            r#"recipients ["be-mfa", "at-mfa"] are not R(c) = ["be-mfa"]"#
        )
    );
    // A consistent header the sealer never wrote (an addressee added, the
    // classification lowered): the hub can route it and does; the
    // recipients, who authenticate the header, refuse it with an alarm.
    kyiv.send(&altered("C-widened", &|h| {
        h.to.push(AT.into());
        h.recipients = recipients(&h.from, &h.to, &network(), world.security.distribution);
    }))
    .await;
    assert_eq!(
        kyiv.expect().await,
        Frame::Ack {
            cable: "C-widened".into()
        }
    );
    kyiv.send(&altered("C-lowered", &|h| {
        h.classification = Classification::Unclassified
    }))
    .await;
    assert_eq!(
        kyiv.expect().await,
        Frame::Ack {
            cable: "C-lowered".into()
        }
    );
    world.hub.wait_idle().await;

    let mut alarms = world.alarms();
    alarms.sort();
    assert_eq!(
        alarms,
        [
            (AT.to_owned(), AlarmKind::Aead, Some("C-widened".to_owned())),
            (BE.to_owned(), AlarmKind::Aead, Some("C-lowered".to_owned())),
            (BE.to_owned(), AlarmKind::Aead, Some("C-widened".to_owned())),
        ]
    );
    assert_eq!(
        logs.reasons("frame refused"),
        [(
            KYIV.to_owned(),
            r#"recipients ["be-mfa", "at-mfa"] are not R(c) = ["be-mfa"]"#.to_owned()
        )]
    );
    // Nothing altered reached an inbox; everything genuine did, once.
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}

// ---------------------------------------------------------- reconnection

/// `what`'s output; a wait that can never end (a connection the hub does
/// not close, a hub never idle) fails after a minute of paused time.
async fn within_a_minute<T>(what: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), what)
        .await
        .expect("still waiting after a minute")
}

#[tokio::test(start_paused = true)]
async fn a_second_connection_of_a_node_closes_its_first() {
    let (logs, _guard) = Logs::capture();
    let world = World::new(
        Transport::Mtls,
        HubLimits {
            delivery_window: 2,
            ..HubLimits::default()
        },
    );
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut first = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let _ = first.directory(&[KYIV]).await;
    at.refresh_directory().await.unwrap();
    for id in ["K-1", "K-2"] {
        assert_eq!(at.send(cable(id, AT, &[KYIV])).await.unwrap(), SendOutcome::Accepted);
    }
    let mut got = first.take_deliveries(2).await;
    // Both acknowledgements are handled before this request is answered.
    let _ = first.directory(&[KYIV]).await;
    assert_eq!(world.hub.open_connections(), 3);

    // The node connects again: the hub closes the first connection, with
    // nothing more sent on it, and frees its slot.
    let mut second = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    assert_eq!(
        within_a_minute(first.rest()).await,
        [],
        "the hub closes the first connection"
    );
    assert_eq!(world.hub.open_connections(), 3, "at-mfa, be-mfa and the second link");
    assert_eq!(world.hub.connected(), [AT, BE, KYIV]);

    // Cables queued since go to the second connection alone: each cable
    // reached the node once across the two.
    for id in ["K-3", "K-4", "K-5"] {
        assert_eq!(at.send(cable(id, AT, &[KYIV])).await.unwrap(), SendOutcome::Accepted);
    }
    got.extend(second.take_deliveries(3).await);
    assert_eq!(got, ["K-1", "K-2", "K-3", "K-4", "K-5"]);
    let _ = second.directory(&[KYIV]).await;
    world.hub.wait_idle().await;
    assert_eq!(
        world.hub.delivery_load(KYIV),
        DeliveryLoad {
            connected: true,
            ..DeliveryLoad::default()
        }
    );
    // A replacement is no failure: logged below WARN, and no alarm.
    assert_eq!(logs.reasons("session ended"), []);
    assert!(world.alarms.is_empty(), "{:?}", world.alarms());
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}

// ------------------------------------------------------ directory notices

/// Reads frames until `answers` directory answers came: the kinds read.
async fn until_answers(peer: &mut RawPeer, answers: usize) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    while kinds.iter().filter(|k| **k == "directory-answer").count() < answers {
        kinds.push(within_a_minute(peer.expect()).await.kind());
    }
    kinds
}

#[tokio::test(start_paused = true)]
async fn a_watching_node_hears_of_changes_once_until_it_asks_for_the_whole_directory() {
    let world = World::mtls();
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    kyiv.send(&Frame::DirectoryWatch).await;
    let _ = kyiv.directory(&[]).await;

    // be-mfa joins and publishes again, at-mfa joins: kyiv hears of the
    // first change only. be-mfa itself does not watch and hears nothing
    // (its `directory` would fail on any frame but the answer).
    let be_keys = world.keys(BE);
    let mut be = world.raw_node(BE, &be_keys, 64 * 1024).await;
    let _ = be.directory(&[BE]).await;
    be.send(&Frame::Publish {
        entry: be_keys.publish(),
    })
    .await;
    let _ = be.directory(&[BE]).await;
    let _at = world.join(AT).await;
    // Asking for some entries is not asking for all: still nothing new.
    kyiv.send(&Frame::DirectoryRequest { nodes: ids(&[AT]) }).await;
    let mut kinds = until_answers(&mut kyiv, 1).await;
    be.send(&Frame::Publish {
        entry: be_keys.publish(),
    })
    .await;
    let _ = be.directory(&[BE]).await;

    // Asking for the whole directory makes the next change news again.
    kyiv.send(&Frame::DirectoryRequest { nodes: Vec::new() }).await;
    kinds.extend(until_answers(&mut kyiv, 1).await);
    be.send(&Frame::Publish {
        entry: be_keys.publish(),
    })
    .await;
    let _ = be.directory(&[BE]).await;

    // Whatever the hub sent kyiv, in whatever order its writer took the
    // notices and the answers: two notices in all.
    kyiv.out.shutdown().await.unwrap();
    kinds.extend(within_a_minute(kyiv.rest()).await.iter().map(Frame::kind));
    let notices = kinds.iter().filter(|k| **k == "directory-changed").count();
    assert_eq!(notices, 2, "{kinds:?}");
    assert_eq!(kinds.len(), 4, "two answers and two notices: {kinds:?}");
    assert!(world.alarms.is_empty(), "{:?}", world.alarms());
}

// --------------------------------------------------------- store failures

/// A memory store whose next read of a delivery queue, or next recorded
/// acknowledgement, fails when asked to: a disk that hiccups while a node
/// drains its queue. It counts its reads of delivery queues.
#[derive(Default)]
struct Hiccups {
    store: MemoryHubStore,
    fail_window: Arc<std::sync::atomic::AtomicBool>,
    fail_ack: Arc<std::sync::atomic::AtomicBool>,
    window_reads: Arc<std::sync::atomic::AtomicUsize>,
}

fn hiccup() -> StoreError {
    StoreError::Sqlite {
        path: "hiccup.sqlite".into(),
        operation: "a test",
        cause: rusqlite::Error::InvalidQuery,
    }
}

impl HubStore for Hiccups {
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
    fn pending_window(&self, node: &str, skip: usize, limit: usize) -> Result<Vec<Arc<AcceptedCable>>, StoreError> {
        self.window_reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.fail_window.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return Err(hiccup());
        }
        self.store.pending_window(node, skip, limit)
    }
    fn pending_count(&self, node: &str) -> Result<usize, StoreError> {
        self.store.pending_count(node)
    }
    fn acknowledge(&mut self, node: &str, cable: &str) -> Result<bool, StoreError> {
        if self.fail_ack.swap(false, std::sync::atomic::Ordering::SeqCst) {
            return Err(hiccup());
        }
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
}

#[tokio::test(start_paused = true)]
async fn a_window_full_by_bytes_does_not_read_the_store() {
    let hiccups = Hiccups::default();
    let reads = hiccups.window_reads.clone();
    // One delivery fills the window's bytes; its count has room for eight.
    let world = World::with_store(
        Transport::Mtls,
        HubLimits {
            delivery_window: 8,
            delivery_window_bytes: 1,
            ..HubLimits::default()
        },
        Box::new(hiccups),
    );
    let (at, _be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let _ = kyiv.directory(&[KYIV]).await;
    at.refresh_directory().await.unwrap();
    let read_so_far = reads.load(std::sync::atomic::Ordering::SeqCst);
    // K-1 goes out at once; K-2 on is behind a window full by bytes, and
    // no relay asks the store for them.
    for i in 1..=6 {
        assert_eq!(
            at.send(cable(&format!("K-{i}"), AT, &[KYIV])).await.unwrap(),
            SendOutcome::Accepted
        );
    }
    assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), read_so_far);
    assert_eq!(world.hub.delivery_load(KYIV).in_flight, 1);
    // The acknowledgements of K-1 to K-5 free the window: one read each,
    // one cable each. The read for K-6 found the queue's end, so its own
    // acknowledgement reads nothing.
    let got = kyiv.take_deliveries(6).await;
    assert_eq!(got, ["K-1", "K-2", "K-3", "K-4", "K-5", "K-6"]);
    within_a_minute(world.hub.wait_idle()).await;
    assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), read_so_far + 5);
}

#[tokio::test(start_paused = true)]
async fn fail_store_hiccups_while_a_node_drains_lose_and_repeat_nothing() {
    let (logs, _guard) = Logs::capture();
    let hiccups = Hiccups::default();
    let (fail_window, fail_ack) = (hiccups.fail_window.clone(), hiccups.fail_ack.clone());
    let world = World::with_store(
        Transport::Mtls,
        HubLimits {
            delivery_window: 1,
            ..HubLimits::default()
        },
        Box::new(hiccups),
    );
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    let kyiv_keys = world.keys(KYIV);
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    let _ = kyiv.directory(&[KYIV]).await;
    at.refresh_directory().await.unwrap();
    for id in ["K-1", "K-2", "K-3"] {
        assert_eq!(at.send(cable(id, AT, &[KYIV])).await.unwrap(), SendOutcome::Accepted);
    }
    let k1_bytes = world.hub.delivery_load(KYIV).in_flight_bytes;
    assert_eq!(
        world.hub.delivery_load(KYIV),
        DeliveryLoad {
            connected: true,
            in_flight: 1,
            in_flight_bytes: k1_bytes,
            queued: 3,
        }
    );
    let away = |queued| DeliveryLoad {
        queued,
        ..DeliveryLoad::default()
    };

    // The store cannot give the next cable when K-1, the last in flight,
    // is acknowledged, and nothing else is relayed afterwards: the hub
    // ends the session (nobody would ask the store again), K-1 is off the
    // queue, and the hub is idle, not waiting for the node.
    fail_window.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(kyiv.take_deliveries(1).await, ["K-1"]);
    assert_eq!(within_a_minute(kyiv.rest()).await, [], "closed with nothing more sent");
    within_a_minute(world.hub.wait_idle()).await;
    assert_eq!(world.hub.delivery_load(KYIV), away(2));
    assert_eq!(world.hub.open_connections(), 2);
    // Its next connection gets the backlog, oldest first, once each.
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    assert_eq!(kyiv.take_deliveries(2).await, ["K-2", "K-3"]);
    world.hub.wait_idle().await;

    // The store cannot record the acknowledgement of K-4: the session
    // ends, K-4 stays queued, and the next connection gets it again (the
    // node recognises it and acknowledges it once more).
    assert_eq!(at.send(cable("K-4", AT, &[KYIV])).await.unwrap(), SendOutcome::Accepted);
    match kyiv.expect().await {
        Frame::Deliver { payload } => assert_eq!(payload.header().id, "K-4"),
        other => panic!("expected K-4, got {other:?}"),
    }
    fail_ack.store(true, std::sync::atomic::Ordering::SeqCst);
    kyiv.send(&Frame::Ack { cable: "K-4".into() }).await;
    assert_eq!(within_a_minute(kyiv.rest()).await, [], "closed with nothing more sent");
    within_a_minute(world.hub.wait_idle()).await;
    assert_eq!(world.hub.delivery_load(KYIV), away(1));
    let mut kyiv = world.raw_node(KYIV, &kyiv_keys, 64 * 1024).await;
    assert_eq!(kyiv.take_deliveries(1).await, ["K-4"]);
    let _ = kyiv.directory(&[KYIV]).await;
    world.hub.wait_idle().await;
    assert_eq!(
        world.hub.delivery_load(KYIV),
        DeliveryLoad {
            connected: true,
            ..DeliveryLoad::default()
        }
    );
    assert_eq!(
        logs.reasons("session ended"),
        [
            (
                "raw:del-kyiv".to_owned(),
                "the hub's store failed (cannot read the delivery queue: store hiccup.sqlite: a test failed: \
                 Query is not read-only); the node's queue waits for its next connection"
                    .to_owned()
            ),
            (
                "raw:del-kyiv".to_owned(),
                "the hub's store failed (cannot record the acknowledgement of K-4: store hiccup.sqlite: a test \
                 failed: Query is not read-only); the node's queue waits for its next connection"
                    .to_owned()
            ),
        ]
    );

    let errors: Vec<String> = logs
        .0
        .lock()
        .map(|bytes| String::from_utf8(bytes.clone()).unwrap())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|e| e["level"] == "ERROR")
        .map(|e| e["message"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        errors,
        ["cannot read the delivery queue", "cannot record an acknowledgement"]
    );
    assert!(world.alarms.is_empty(), "{:?}", world.alarms());
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}

#[tokio::test(start_paused = true)]
async fn fail_garbage_from_a_peer_that_reads_nothing_ends_within_the_timeout() {
    let (logs, _guard) = Logs::capture();
    let world = World::new(
        Transport::Mtls,
        HubLimits {
            reply_queue: 1,
            ..HubLimits::default()
        },
    );
    let (at, be) = two_nodes_and_a_cable_before(&world).await;
    // A link of 64 bytes each way: the hub's first answer already fills it.
    let kyiv = world.raw_node(KYIV, &world.keys(KYIV), 64).await;
    let request = encode_frame(&Frame::DirectoryRequest { nodes: Vec::new() }, DEFAULT_MAX_FRAME).unwrap();
    let mut bytes = [request.clone(), request].concat();
    bytes.extend([0, 0, 0, 6, 0x7f, 0xde, 0xad, 0xbe, 0xef, 0x00]);
    let (frames, mut out, serving) = (kyiv.frames, kyiv.out, kyiv.serving);
    let writing = tokio::spawn(async move {
        let _ = out.write_all(&bytes).await;
        let _ = out.flush().await;
        out
    });
    // The first answer blocks the writer, the second fills the reply
    // queue, the garbage ends the session: its refusal cannot be queued,
    // and the writer gets the handshake timeout to deliver what it holds.
    let start = Instant::now();
    serving.await.unwrap();
    assert_eq!(start.elapsed(), HANDSHAKE_TIMEOUT);
    assert_eq!(world.hub.open_connections(), 2);
    assert_eq!(world.alarms(), [("hub".to_owned(), AlarmKind::Malformed, None)]);
    assert_eq!(
        logs.reasons("session ended"),
        [(
            "raw:del-kyiv".to_owned(),
            "malformed frame: Serde Deserialization Error".to_owned()
        )]
    );
    drop((frames, writing));
    they_carry_on(&world, &at, &be, &["C-before"], &[]).await;
}
