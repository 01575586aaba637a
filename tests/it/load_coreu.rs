//! Load: every node of the built-in `coreu-2018` network sends at once.
//!
//! The network is the scenario's own (28 ministries, the Council, the
//! Commission, the EEAS and six delegations) under its own security
//! settings: mutual TLS, forward-secret envelopes, signatures, key pinning
//! and broadcast distribution, so each cable goes to some thirty
//! recipients. Every node queues [`CABLES_PER_NODE`] cables in the same
//! instant, then the test waits until the hub holds no unacknowledged
//! delivery.
//!
//! What is asserted is exact: every cable accepted, each delivered once to
//! each recipient of R(c) and to no one else, no alarm. What is measured —
//! throughput, submit-to-open latency, peak memory — is printed (run with
//! `--nocapture`) and never asserted: it depends on the machine. The whole
//! run is bounded by [`TIME_LIMIT`], so a stuck network fails the test
//! rather than hanging it.
//!
//! ```text
//! cargo test --locked --test it load_coreu:: -- --nocapture
//! ```

use crate::support::rules;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cablesim::crypto::Opened;
use cablesim::model::{Cable, Day};
use cablesim::net::{NodeTap, SendOutcome};
use cablesim::scenario::{Hooks, InProcessNetwork, builtin};

/// Cables each node sends: with 37 nodes and about thirty recipients a
/// cable, some 22,000 sealed-for, opened and filed deliveries.
const CABLES_PER_NODE: usize = 20;

/// The whole run, setup included, must finish within this.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// The day the load is played on: every cable is sealed with day-0 keys.
const DAY: Day = 0;

/// When each delivery was opened and filed, by (cable, recipient).
#[derive(Default)]
struct Arrivals(Mutex<Vec<(String, String, Instant)>>);

impl NodeTap for Arrivals {
    fn on_delivery(&self, _day: Day, node: &str, cable: &Opened) {
        let now = Instant::now();
        self.0
            .lock()
            .unwrap()
            .push((cable.header.id.clone(), node.to_owned(), now));
    }
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `VmHWM` of this process in KiB: the peak resident set so far. It holds
/// the test binary's own baseline (code, the test harness, the runtime),
/// not only what the network allocated, so the figure at the start of the
/// run is printed beside it.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status is readable on Linux");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/self/status has a VmHWM line")
}

/// `CABLES_PER_NODE` cables for every node: the scenario generator's
/// cables that the network carries (at most `max_classification`), dealt
/// out to the senders in turn and dated `DAY`. An addressee that is the
/// sender itself is dropped; R(c) under broadcast adds every ministry and
/// headquarters anyway.
fn cables_for_every_node(scenario: &cablesim::scenario::Scenario) -> BTreeMap<String, Vec<Cable>> {
    let senders: Vec<String> = scenario.network.endpoints().map(|n| n.name.clone()).collect();
    let max = scenario.security.max_classification;
    let generator = scenario.generator().unwrap();
    let mut generated = generator.cables().filter(|c| c.classification <= max);
    let mut out: BTreeMap<String, Vec<Cable>> = BTreeMap::new();
    for _ in 0..CABLES_PER_NODE {
        for sender in &senders {
            let mut cable = generated
                .next()
                .expect("the scenario generates enough cables for the load");
            cable.day = DAY;
            cable.from = sender.clone();
            cable.to.retain(|n| n != sender);
            out.entry(sender.clone()).or_default().push(cable);
        }
    }
    out
}

async fn run_load() {
    let rss_at_start = peak_rss_kib();
    let scenario = builtin("coreu-2018").unwrap().load().unwrap();
    let (network, security) = (&scenario.network, &scenario.security);
    let cables = cables_for_every_node(&scenario);
    let expected: BTreeMap<(String, String), u32> = cables
        .values()
        .flatten()
        .flat_map(|c| {
            // R(c) from the independent oracle, not the library's own.
            rules::recipients_of(network, security.distribution, &c.from, &c.to)
                .into_iter()
                .map(|r| ((c.id.clone(), r), 1))
        })
        .collect();
    let cable_count: usize = cables.values().map(Vec::len).sum();

    let setup = Instant::now();
    let arrivals = Arc::new(Arrivals::default());
    let hooks = Hooks {
        node_taps: vec![arrivals.clone()],
        ..Hooks::default()
    };
    let net = InProcessNetwork::start(network, security, &hooks).await.unwrap();
    assert!(net.failed.is_empty(), "nodes that could not join: {:?}", net.failed);
    assert_eq!(net.nodes.len(), cables.len(), "every endpoint joined");
    // Day 0 as the runner plays it: the keys of the day, then the
    // directory every sender seals with (checked, with pinning, at first use).
    net.hub.enter_day(DAY);
    let days: Vec<_> = net.nodes.values().map(|n| n.enter_day(DAY)).collect();
    for day in days {
        day.await.unwrap();
    }
    let refreshes: Vec<_> = net.nodes.values().map(|n| n.refresh_directory()).collect();
    for refresh in refreshes {
        refresh.await.unwrap();
    }
    let setup = setup.elapsed();

    // Every node's sends are queued in one sweep before any is awaited:
    // the nodes seal and submit concurrently, each in its own task.
    let start = Instant::now();
    let mut submitted: HashMap<String, Instant> = HashMap::with_capacity(cable_count);
    let mut sends = Vec::with_capacity(cable_count);
    for (sender, batch) in &cables {
        let node = &net.nodes[sender];
        for cable in batch {
            submitted.insert(cable.id.clone(), Instant::now());
            sends.push((cable.id.clone(), node.send(cable.clone())));
        }
    }
    for (id, send) in sends {
        assert_eq!(send.await.unwrap(), SendOutcome::Accepted, "{id}");
    }
    net.hub.wait_idle().await;
    let elapsed = start.elapsed();

    let arrivals = std::mem::take(&mut *arrivals.0.lock().unwrap());
    let mut delivered: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut latencies: Vec<Duration> = Vec::with_capacity(arrivals.len());
    for (id, node, at) in arrivals {
        latencies.push(at.duration_since(submitted[&id]));
        *delivered.entry((id, node)).or_default() += 1;
    }
    assert_eq!(delivered.len(), expected.len(), "deliveries: (cable, recipient) pairs");
    assert_eq!(
        delivered, expected,
        "each cable exactly once to each of R(c), to no one else"
    );
    assert!(net.alarms.is_empty(), "{:?}", net.alarms.sorted());
    for node in net.nodes.values() {
        node.shutdown().await;
    }

    latencies.sort_unstable();
    let seconds = elapsed.as_secs_f64();
    let deliveries = expected.len();
    println!(
        "load coreu-2018 (seed {}): {} nodes x {CABLES_PER_NODE} cables = {cable_count} cables, \
         {deliveries} deliveries ({}, e2e {}, signatures {}, {})",
        scenario.seed,
        cables.len(),
        security.transport,
        security.e2e,
        security.signatures,
        security.distribution,
    );
    println!(
        "  setup (PKI, {} TLS joins, day 0, directory): {:.2} s",
        cables.len(),
        setup.as_secs_f64()
    );
    println!("  all sent to hub idle: {seconds:.2} s");
    println!(
        "  throughput: {:.0} cables/s, {:.0} deliveries/s",
        cable_count as f64 / seconds,
        deliveries as f64 / seconds
    );
    println!(
        "  submit-to-open latency: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        percentile(&latencies, 50.0).as_secs_f64() * 1e3,
        percentile(&latencies, 99.0).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    );
    let rss_at_end = peak_rss_kib();
    println!(
        "  peak RSS (VmHWM, whole test process): {:.1} MiB at the end, {:.1} MiB before the network started",
        rss_at_end as f64 / 1024.0,
        rss_at_start as f64 / 1024.0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_coreu_node_sending_at_once_delivers_each_cable_once_to_each_recipient() {
    tokio::time::timeout(TIME_LIMIT, run_load())
        .await
        .unwrap_or_else(|_| panic!("the coreu-2018 load did not finish within {TIME_LIMIT:?}"));
}
