//! Adversary proxies over real TCP (README.md, "Run it across laptops"): a hub
//! served on a 127.0.0.1 socket, nodes connecting over sockets — one of them,
//! del-kyiv, through a `tap` or `mitm` proxy — and the proxy's findings checked
//! against rules 2 and 6 of ARCHITECTURE.md, worked out by hand below.
//!
//! ```text
//! nodes: hq, at-mfa, be-mfa, del-kyiv; need-to-know, so R(c) = c.to
//! id  day from      to                 involves del-kyiv?
//! C1  0   del-kyiv  at-mfa             yes (sender)
//! C2  1   at-mfa    del-kyiv           yes
//! C3  1   be-mfa    at-mfa             no
//! C4  2   hq        del-kyiv, be-mfa   yes
//! C5  3   del-kyiv  hq                 yes (sender)
//! C6  3   at-mfa    be-mfa             no
//! ```
//!
//! The capture is checked with tshark (Debian: `apt-get install tshark`,
//! which `.ci/run` does); without it those checks are skipped with a
//! message, except under `CI=true`, where tshark is installed and its
//! absence fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cablesim::crypto::NodeKeys;
use cablesim::model::{DayWindow, Transport};
use cablesim::multiprocess::proxy::{PcapOutcome, Proxy, ProxyFindings, ProxyKind, ProxyOptions, ProxyOutcome};
use cablesim::net::{
    AlarmKind, Alarms, DayClock, Hub, HubConfig, HubLimits, NodeConfig, NodeError, NodeHandle, Pki, SendOutcome, tls,
};
use cablesim::scenario::{HANDSHAKE_TIMEOUT, Preset, Scenario};
use cablesim::wire::DEFAULT_MAX_FRAME;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

const TAPPED: &str = "del-kyiv";

const WORLD: &str = r#"
[scenario]
name = "proxy link"
seed = 11
days = 4
cables = 0

[[node]]
name = "hq"
role = "hq"
[[node]]
name = "at-mfa"
role = "ministry"
[[node]]
name = "be-mfa"
role = "ministry"
[[node]]
name = "del-kyiv"
role = "mission"

[[cable]]
id = "C1"
day = 0
from = "del-kyiv"
to = ["at-mfa"]
classification = "limite"
subject = "Grain corridor"
body = "Readout of the meeting."
[[cable]]
id = "C2"
day = 1
from = "at-mfa"
to = ["del-kyiv"]
classification = "restricted"
subject = "Instructions"
body = "Please raise the matter."
[[cable]]
id = "C3"
day = 1
from = "be-mfa"
to = ["at-mfa"]
classification = "limite"
subject = "Visit"
body = "Programme attached."
[[cable]]
id = "C4"
day = 2
from = "hq"
to = ["del-kyiv", "be-mfa"]
classification = "confidential"
subject = "Sanctions"
body = "Next package."
[[cable]]
id = "C5"
day = 3
from = "del-kyiv"
to = ["hq"]
classification = "limite"
subject = "Reply"
body = "Noted."
[[cable]]
id = "C6"
day = 3
from = "at-mfa"
to = ["be-mfa"]
classification = "limite"
subject = "Trade"
body = "Figures."
"#;

/// The cables del-kyiv sends or receives: rule 2's {c : n ∈ {c.from} ∪ R(c)}.
const KYIV_CABLES: [&str; 4] = ["C1", "C2", "C4", "C5"];

/// Each cable of del-kyiv crosses its link as two frames at least (a
/// submit and its ack, or a delivery and its ack), each in its own
/// encrypted record.
const MIN_KYIV_RECORDS: u64 = 2 * KYIV_CABLES.len() as u64;

/// Bounds every test: a hang fails instead of blocking CI.
const TEST_LIMIT: Duration = Duration::from_secs(60);

fn world(preset: Preset) -> Scenario {
    let mut scenario = Scenario::from_toml_str(WORLD, "proxy_tcp.rs").unwrap();
    scenario.apply_preset(preset);
    scenario
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A hub on 127.0.0.1 and the nodes of a scenario, as separate processes
/// would have them: the same hub and node code, over sockets.
struct Net {
    scenario: Scenario,
    pki: Pki,
    hub: Hub,
    hub_addr: SocketAddr,
    clock: DayClock,
    alarms: Alarms,
    nodes: BTreeMap<String, NodeHandle>,
}

impl Net {
    async fn start(scenario: Scenario) -> Net {
        let pki = Pki::generate(&scenario.network).unwrap();
        let (clock, alarms) = (DayClock::new(), Alarms::new());
        let transport = scenario.security.transport;
        let hub = Hub::new(
            HubConfig {
                network: scenario.network.clone(),
                security: scenario.security.clone(),
                tls: (transport != Transport::Plain)
                    .then(|| tls::server_config(&pki, transport, tls::KeyExchange::Classical).unwrap()),
                max_frame: DEFAULT_MAX_FRAME,
                handshake_timeout: HANDSHAKE_TIMEOUT,
                limits: HubLimits::default(),
            },
            clock.clone(),
            alarms.clone(),
            Vec::new(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hub_addr = listener.local_addr().unwrap();
        let serving = hub.clone();
        tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                let hub = serving.clone();
                tokio::spawn(async move { hub.serve(stream, peer.to_string()).await });
            }
        });
        Net {
            scenario,
            pki,
            hub,
            hub_addr,
            clock,
            alarms,
            nodes: BTreeMap::new(),
        }
    }

    fn config(&self, name: &str) -> NodeConfig {
        let security = &self.scenario.security;
        let tls_on = security.transport != Transport::Plain;
        NodeConfig {
            name: name.to_owned(),
            network: self.scenario.network.clone(),
            security: security.clone(),
            tls: tls_on.then(|| {
                tls::client_config(
                    &self.pki,
                    name,
                    security.transport,
                    security.verify_server,
                    tls::KeyExchange::Classical,
                )
                .unwrap()
            }),
            trusted: self.pki.trusted_identities(),
            max_frame: DEFAULT_MAX_FRAME,
        }
    }

    fn keys(&self, name: &str) -> NodeKeys {
        let security = &self.scenario.security;
        let identity = self.pki.credentials(name).unwrap().identity.clone();
        NodeKeys::generate(name, security.e2e, security.epoch_days, identity, None)
    }

    /// One connection attempt of `name` to `addr`.
    async fn try_join(&self, name: &str, keys: NodeKeys, addr: SocketAddr) -> Result<NodeHandle, NodeError> {
        let stream = TcpStream::connect(addr).await.unwrap();
        NodeHandle::connect(
            self.config(name),
            keys,
            stream,
            self.clock.clone(),
            self.alarms.clone(),
            Vec::new(),
        )
        .await
    }

    /// Every node but the tapped one joins the hub directly.
    async fn join_others(&mut self) {
        let names: Vec<String> = self
            .scenario
            .network
            .endpoints()
            .map(|n| n.name.clone())
            .filter(|n| n != TAPPED)
            .collect();
        for name in names {
            let handle = self.try_join(&name, self.keys(&name), self.hub_addr).await.unwrap();
            self.nodes.insert(name, handle);
        }
    }

    /// Plays every day as the runner does (ARCHITECTURE.md, "The world"), with
    /// the proxy's clock kept on the same day, then lets every node leave
    /// cleanly.
    async fn play(&self, proxy_clock: &DayClock) {
        for day in 0..self.scenario.days {
            self.clock.set(day);
            proxy_clock.set(day);
            self.hub.enter_day(day);
            for node in self.nodes.values() {
                node.enter_day(day).await.unwrap();
            }
            for cable in self.scenario.cables.iter().filter(|c| c.day == day) {
                let outcome = self.nodes[&cable.from].send(cable.clone()).await.unwrap();
                assert_eq!(outcome, SendOutcome::Accepted, "{}", cable.id);
            }
            self.hub.wait_idle().await;
        }
        for node in self.nodes.values() {
            node.shutdown().await;
        }
    }
}

/// A proxy on del-kyiv's link, running until the returned sender fires.
async fn start_proxy(
    opts: ProxyOptions,
) -> (
    SocketAddr,
    DayClock,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<ProxyOutcome>,
) {
    let proxy = Proxy::bind(opts).await.unwrap();
    let (addr, clock) = (proxy.local_addr(), proxy.clock());
    let (stop, stopped) = oneshot::channel::<()>();
    let running = tokio::spawn(async move {
        proxy
            .run(async {
                let _ = stopped.await;
            })
            .await
            .unwrap()
    });
    (addr, clock, stop, running)
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("proxy-tcp-{test}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options(kind: ProxyKind, net: &Net, pcap: Option<PathBuf>) -> ProxyOptions {
    let mut opts = ProxyOptions::new("127.0.0.1:0".parse().unwrap(), net.hub_addr, kind, TAPPED);
    opts.pcap = pcap;
    opts.scenario = Some(net.scenario.clone());
    opts
}

/// A whole run with del-kyiv behind a proxy: its outcome.
async fn run_through_proxy(net: &mut Net, opts: ProxyOptions) -> ProxyOutcome {
    let (addr, proxy_clock, stop, running) = start_proxy(opts).await;
    net.join_others().await;
    let kyiv = net.try_join(TAPPED, net.keys(TAPPED), addr).await.unwrap();
    net.nodes.insert(TAPPED.to_owned(), kyiv);
    net.play(&proxy_clock).await;
    stop.send(()).unwrap();
    running.await.unwrap()
}

fn actor_sets(outcome: &ProxyOutcome) -> (BTreeSet<String>, BTreeSet<String>, u64) {
    let actor = outcome.report.actor_report().expect("a scenario was given");
    (
        actor.content.iter().cloned().collect(),
        actor.routing.iter().cloned().collect(),
        actor.traffic_frames,
    )
}

/// Whether the tests run under continuous integration (`CI=true`, which
/// `.ci/run` exports), where every tool they use is installed.
fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// TCP conversations tshark finds in the capture, or `None` (with a
/// message) when tshark is not installed. Under CI a missing tshark fails
/// the test: the check must never pass by being skipped there.
fn tshark_tcp_conversations(pcap: &Path) -> Option<usize> {
    let out = match Command::new("tshark")
        .args(["-r", &pcap.display().to_string(), "-q", "-z", "conv,tcp"])
        .output()
    {
        Ok(out) => out,
        Err(e) if under_ci() => {
            panic!("cannot run tshark ({e}) under CI=true, where .ci/run installs it; apt-get install tshark")
        }
        Err(e) => {
            eprintln!(
                "SKIPPED the tshark check of {}: cannot run tshark ({e}); apt-get install tshark",
                pcap.display()
            );
            return None;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "tshark cannot read {}: {}",
        pcap.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(stdout.lines().filter(|line| line.contains("<->")).count())
}

/// Checks the capture: `connections` TCP connections, and TLS secrets
/// exactly when the adversary negotiated TLS itself.
fn assert_capture(outcome: &ProxyOutcome, path: &Path, connections: u64, own_tls: bool) {
    match &outcome.report.pcap {
        Some(PcapOutcome::Written {
            path: written,
            packets,
            connections: recorded,
            tls_secrets,
        }) => {
            assert_eq!(written, path);
            assert!(*packets > 0);
            assert_eq!(*recorded, connections);
            assert_eq!(*tls_secrets > 0, own_tls, "{tls_secrets} TLS secrets");
        }
        other => panic!("capture not written: {other:?}"),
    }
    if let Some(conversations) = tshark_tcp_conversations(path) {
        assert_eq!(
            conversations as u64,
            connections,
            "TCP conversations in {}",
            path.display()
        );
    }
}

// Rule 2, `plain` + e2e off: content = routing = the cables of the node.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tap_on_a_plain_link_reads_exactly_the_cables_of_its_node() {
    tokio::time::timeout(TEST_LIMIT, async {
        let mut net = Net::start(world(Preset::Plaintext)).await;
        let pcap = scratch("tap-plain").join("tap.pcapng");
        let opts = options(ProxyKind::Tap, &net, Some(pcap.clone()));
        let outcome = run_through_proxy(&mut net, opts).await;
        println!("{}", outcome.to_text());

        let (content, routing, traffic) = actor_sets(&outcome);
        assert_eq!(content, ids(&KYIV_CABLES));
        assert_eq!(routing, ids(&KYIV_CABLES));
        assert_eq!(traffic, 0);
        let actor = outcome.report.actor_report().unwrap();
        assert_eq!(actor.actor, "tap@del-kyiv");
        assert_eq!(actor.attack, vec!["T1040".to_owned()]);
        let vias: BTreeSet<&str> = actor.evidence.iter().map(|e| e.via.as_str()).collect();
        assert_eq!(
            vias,
            BTreeSet::from(["tap del-kyiv->hub, plain", "tap hub->del-kyiv, plain"])
        );

        let report = &outcome.report;
        assert_eq!((report.connections, report.failed_connections), (1, 0));
        assert!(report.bytes_to_hub > 0 && report.bytes_to_node > 0);
        assert_eq!(
            report.observed.cable_ids_in_clear,
            KYIV_CABLES.map(String::from).to_vec()
        );
        assert_eq!(report.observed.canary_tokens, KYIV_CABLES.len() as u64);
        assert_eq!(report.observed.tls_records_encrypted, 0);
        assert_capture(&outcome, &pcap, 1, false);

        // The adversary handed back holds the loot the analyst read.
        assert!(!outcome.adversary.loot().captures.is_empty());
        let json: serde_json::Value = serde_json::from_str(&outcome.to_json().unwrap()).unwrap();
        assert_eq!(json["findings"]["analysis"], "attributed");
        assert_eq!(json["findings"]["actor"]["content"].as_array().unwrap().len(), 4);
        let text = outcome.to_text();
        assert!(
            text.contains("actor tap@del-kyiv: tap@del-kyiv (ATT&CK T1040)"),
            "{text}"
        );
        assert!(text.contains("  all                   4        4"), "{text}");
    })
    .await
    .expect("test bounded");
}

// Rule 2 with a window: only the cables of days in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tap_sees_only_the_days_of_its_window() {
    tokio::time::timeout(TEST_LIMIT, async {
        let mut net = Net::start(world(Preset::Plaintext)).await;
        let mut opts = options(ProxyKind::Tap, &net, None);
        opts.window = DayWindow::new(2, None);
        opts.actor = Some("apt".to_owned());
        let outcome = run_through_proxy(&mut net, opts).await;
        let (content, routing, _) = actor_sets(&outcome);
        assert_eq!(content, ids(&["C4", "C5"]));
        assert_eq!(routing, ids(&["C4", "C5"]));
        assert_eq!(outcome.report.actor_report().unwrap().actor, "apt");
        assert_eq!(outcome.report.pcap, None);
    })
    .await
    .expect("test bounded");
}

// Rule 2, `mtls`: traffic only, even with nothing end to end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tap_on_an_mtls_link_sees_traffic_only() {
    tokio::time::timeout(TEST_LIMIT, async {
        let mut net = Net::start(world(Preset::HopTls)).await;
        let pcap = scratch("tap-mtls").join("tap.pcapng");
        let opts = options(ProxyKind::Tap, &net, Some(pcap.clone()));
        let outcome = run_through_proxy(&mut net, opts).await;
        let (content, routing, traffic) = actor_sets(&outcome);
        assert_eq!(content, BTreeSet::new());
        assert_eq!(routing, BTreeSet::new());
        assert!(traffic >= MIN_KYIV_RECORDS, "traffic frames {traffic}");
        let observed = &outcome.report.observed;
        assert_eq!(observed.frames, 0);
        assert!(observed.cable_ids_in_clear.is_empty());
        assert_eq!(observed.canary_tokens, 0);
        assert_eq!(observed.tls_records_encrypted, traffic);
        assert_capture(&outcome, &pcap, 1, false);
    })
    .await
    .expect("test bounded");
}

// Rule 6: a node that verifies the hub refuses the MITM's certificate
// (one alarm), retries, and the MITM passes its bytes through: traffic only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mitm_refused_by_a_verifying_node_falls_back_to_pass_through() {
    tokio::time::timeout(TEST_LIMIT, async {
        let mut net = Net::start(world(Preset::HopTls)).await;
        assert!(net.scenario.security.verify_server);
        let dir = scratch("mitm-mtls");
        let certs = dir.join("certs");
        net.pki.write_pem(&certs).unwrap();
        let pcap = dir.join("mitm.pcapng");
        let (addr, proxy_clock, stop, running) =
            start_proxy(options(ProxyKind::Mitm { certs }, &net, Some(pcap.clone()))).await;
        net.join_others().await;

        let keys = net.keys(TAPPED);
        let first = net.try_join(TAPPED, keys.clone(), addr).await;
        assert!(matches!(first, Err(NodeError::Handshake(_))), "{first:?}");
        let alarms = net.alarms.sorted();
        assert_eq!(alarms.len(), 1, "{alarms:?}");
        assert_eq!(alarms[0].kind, AlarmKind::CertificateRejected);
        assert_eq!(alarms[0].node, TAPPED);
        let kyiv = net.try_join(TAPPED, keys, addr).await.unwrap();
        net.nodes.insert(TAPPED.to_owned(), kyiv);
        net.play(&proxy_clock).await;
        stop.send(()).unwrap();
        let outcome = running.await.unwrap();
        println!("{}", outcome.to_text());

        assert_eq!(net.alarms.len(), 1, "the pass-through raised no further alarm");
        let (content, routing, traffic) = actor_sets(&outcome);
        assert_eq!(content, BTreeSet::new());
        assert_eq!(routing, BTreeSet::new());
        assert!(traffic >= MIN_KYIV_RECORDS, "traffic frames {traffic}");
        assert_eq!(outcome.report.actor_report().unwrap().attack, vec!["T1557".to_owned()]);
        assert_eq!((outcome.report.connections, outcome.report.failed_connections), (2, 0));
        // The refused attempt and the carried connection; the secrets of
        // the MITM's side of the refused handshake, with which Wireshark
        // shows the node's alert.
        assert_capture(&outcome, &pcap, 2, true);
    })
    .await
    .expect("test bounded");
}

// Rule 6, `plain`: as tap@n.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mitm_on_a_plain_link_reads_like_a_tap() {
    tokio::time::timeout(TEST_LIMIT, async {
        let mut net = Net::start(world(Preset::Plaintext)).await;
        let certs = scratch("mitm-plain").join("certs");
        net.pki.write_pem(&certs).unwrap();
        let opts = options(ProxyKind::Mitm { certs }, &net, None);
        let outcome = run_through_proxy(&mut net, opts).await;
        let (content, routing, traffic) = actor_sets(&outcome);
        assert_eq!(content, ids(&KYIV_CABLES));
        assert_eq!(routing, ids(&KYIV_CABLES));
        assert_eq!(traffic, 0);
        assert!(net.alarms.is_empty());
    })
    .await
    .expect("test bounded");
}

// Without a scenario there are no canaries to attribute: the summary says
// so, and reports what it measured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_scenario_nothing_is_attributed_and_the_summary_says_so() {
    tokio::time::timeout(TEST_LIMIT, async {
        let mut net = Net::start(world(Preset::Plaintext)).await;
        let mut opts = options(ProxyKind::Tap, &net, None);
        opts.scenario = None;
        let outcome = run_through_proxy(&mut net, opts).await;
        println!("{}", outcome.to_text());
        assert_eq!(outcome.report.findings, ProxyFindings::Unattributed);
        assert!(outcome.report.actor_report().is_none());
        let observed = &outcome.report.observed;
        assert_eq!(observed.cable_ids_in_clear, KYIV_CABLES.map(String::from).to_vec());
        assert_eq!(observed.canary_tokens, KYIV_CABLES.len() as u64);
        let text = outcome.to_text();
        assert!(text.contains("no scenario: no canary index"), "{text}");
        assert!(
            text.contains("cable ids read in clear headers: 4 (C1, C2, C4, C5)"),
            "{text}"
        );
        assert!(text.contains("found: 4"), "{text}");
    })
    .await
    .expect("test bounded");
}

// A connection that cannot reach the hub ends alone; the proxy serves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_hub_ends_only_that_connection() {
    tokio::time::timeout(TEST_LIMIT, async {
        // A port that was just free: nothing listens on it.
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = closed.local_addr().unwrap();
        drop(closed);
        let opts = ProxyOptions::new("127.0.0.1:0".parse().unwrap(), upstream, ProxyKind::Tap, TAPPED);
        let (addr, _, stop, running) = start_proxy(opts).await;
        for _ in 0..2 {
            let mut node = TcpStream::connect(addr).await.unwrap();
            // The proxy closes the node's connection once the hub refused.
            let mut buf = [0u8; 1];
            let read = tokio::io::AsyncReadExt::read(&mut node, &mut buf).await;
            assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
        }
        stop.send(()).unwrap();
        let outcome = running.await.unwrap();
        assert_eq!((outcome.report.connections, outcome.report.failed_connections), (2, 2));
        assert_eq!((outcome.report.bytes_to_hub, outcome.report.bytes_to_node), (0, 0));
    })
    .await
    .expect("test bounded");
}

// Shutdown with a connection still open: it is closed, counted and captured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_live_connections_and_reports_them() {
    tokio::time::timeout(TEST_LIMIT, async {
        let hub = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut opts = ProxyOptions::new(
            "127.0.0.1:0".parse().unwrap(),
            hub.local_addr().unwrap(),
            ProxyKind::Tap,
            TAPPED,
        );
        let pcap = scratch("shutdown").join("live.pcapng");
        opts.pcap = Some(pcap.clone());
        let (addr, _, stop, running) = start_proxy(opts).await;
        let mut node = TcpStream::connect(addr).await.unwrap();
        let (mut upstream, _) = hub.accept().await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut node, b"hello").await.unwrap();
        let mut buf = [0u8; 5];
        tokio::io::AsyncReadExt::read_exact(&mut upstream, &mut buf)
            .await
            .unwrap();
        assert_eq!(&buf, b"hello");

        stop.send(()).unwrap();
        let outcome = running.await.unwrap();
        let mut rest = Vec::new();
        let read = tokio::io::AsyncReadExt::read_to_end(&mut node, &mut rest).await;
        assert!(
            matches!(read, Ok(0) | Err(_)),
            "the node's connection is closed: {read:?}"
        );
        let report = &outcome.report;
        assert_eq!((report.connections, report.failed_connections), (1, 0));
        assert_eq!((report.bytes_to_hub, report.bytes_to_node), (5, 0));
        assert_eq!(report.observed.frames, 0, "five bytes are no frame");
        assert_capture(&outcome, &pcap, 1, false);
    })
    .await
    .expect("test bounded");
}
