//! A typed cable waits for its recipients' keys; it is never refused for
//! them. Five nodes of six join, one of them types 150 cables at once, a
//! third of them to the others and two thirds to the council, which has not
//! joined, and the hub is killed with SIGKILL and restarted three times
//! while it types. The sender is killed and restarted too, with the
//! council's cables still waiting; then the council joins. Every cable is
//! delivered to each of its addressees exactly once — in the events the
//! nodes printed and in their SQLite inboxes — and none is refused.

use crate::support::processes;

use std::collections::{BTreeMap, BTreeSet};

use processes::{ANY_PORT, Proc, certs, inbox_rows, spawn_hub, spawn_node, temp_dir};
use serde_json::Value;

const SCENARIO: &str = "tests/fixtures/late-council.toml";
const SENDER: &str = "at-mfa";
/// Joined before the sender types; the council joins last.
const EARLY: [&str; 4] = ["be-mfa", "cy-mfa", "del-kyiv", "del-nyc"];
const COUNCIL: &str = "council";
const BURSTS: usize = 3;
const PER_BURST: usize = 50;

/// The addressees of the `i`-th cable typed: the council, the council with
/// be-mfa, or two nodes that have joined.
fn addressees(i: usize) -> &'static [&'static str] {
    match i % 3 {
        0 => &[COUNCIL],
        1 => &["be-mfa", COUNCIL],
        _ => &["cy-mfa", "del-nyc"],
    }
}

/// The id the sender gives its `i`-th typed cable (its counter starts at 1).
fn id(i: usize) -> String {
    format!("{SENDER}-{:06}", i + 1)
}

/// The cable ids of `procs`' `event` events, with how often each came.
fn counts(procs: &[&Proc], event: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for p in procs {
        for e in p.seen_named(event) {
            let id = e["cable"].as_str().expect("a cable id").to_owned();
            *counts.entry(id).or_default() += 1;
        }
    }
    counts
}

fn ids(p: &Proc, event: &str) -> BTreeSet<String> {
    counts(&[p], event).into_keys().collect()
}

/// Reads `p`'s events until it has printed `event` for every id of `want`.
fn until(p: &mut Proc, event: &str, want: &BTreeSet<String>) {
    while !ids(p, event).is_superset(want) {
        p.expect(event, |e| e["event"] == event);
    }
}

/// Each id of `ids` once.
fn once(ids: &BTreeSet<String>) -> BTreeMap<String, usize> {
    ids.iter().map(|id| (id.clone(), 1)).collect()
}

#[test]
fn cables_wait_for_a_late_recipient_across_hub_and_sender_restarts_and_arrive_once() {
    let dir = temp_dir("waiting");
    certs(SCENARIO, &dir.join("certs"));
    let data = dir.join("data");
    let (mut hub, addr) = spawn_hub(&dir, SCENARIO, ANY_PORT, "hub#0");
    let mut nodes: BTreeMap<&str, Proc> = EARLY
        .iter()
        .map(|n| (*n, spawn_node(&dir, SCENARIO, n, &addr, n)))
        .collect();
    // `connected` means keys published and directory fetched: it may type.
    let mut sender = spawn_node(&dir, SCENARIO, SENDER, &addr, "at-mfa#0");

    // What each node must end up with, derived from the addressing rule.
    let typed = BURSTS * PER_BURST;
    let mut expected: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for i in 0..typed {
        for to in addressees(i) {
            expected.entry(to).or_default().insert(id(i));
        }
    }
    let for_council: BTreeSet<String> = expected[COUNCIL].clone();
    let all: BTreeSet<String> = (0..typed).map(id).collect();
    let not_for_council: BTreeSet<String> = all.difference(&for_council).cloned().collect();
    assert_eq!((for_council.len(), not_for_council.len()), (100, 50));

    let mut retired: Vec<Proc> = Vec::new();
    for burst in 0..BURSTS {
        for i in burst * PER_BURST..(burst + 1) * PER_BURST {
            sender.send(&format!(
                "send {} -- cable {i} of the burst {burst}",
                addressees(i).join(",")
            ));
        }
        // Mid-stream: the sender has handled some of the burst, not
        // necessarily all, when the hub dies.
        sender.expect("a cable handled", |e| {
            e["event"] == "waiting" || e["event"] == "accepted"
        });
        hub.kill();
        retired.push(hub);
        hub = spawn_hub(&dir, SCENARIO, &addr, &format!("hub#{}", burst + 1)).0;
    }

    // Whatever did not reach the hub is resent once the sender is back;
    // the council's cables wait, each announced once, for the council alone.
    until(&mut sender, "accepted", &not_for_council);
    until(&mut sender, "waiting", &for_council);
    let waiting = sender.seen_named("waiting");
    assert_eq!(waiting.len(), for_council.len(), "each announced once");
    assert!(
        waiting.iter().all(|e| e["for"] == serde_json::json!([COUNCIL])),
        "{waiting:?}"
    );
    let refused: Vec<&Value> = sender
        .seen_named("error")
        .into_iter()
        .filter(|e| {
            !e["detail"]
                .as_str()
                .unwrap_or_default()
                .starts_with("not acknowledged yet")
        })
        .collect();
    assert!(refused.is_empty(), "refused: {refused:?}");

    // The sender dies with 100 cables waiting: they are in its database.
    sender.kill();
    retired.push(sender);
    let mut sender = spawn_node(&dir, SCENARIO, SENDER, &addr, "at-mfa#1");
    assert_eq!(
        ids(&sender, "waiting"),
        for_council,
        "announced again after the restart"
    );
    assert!(sender.seen_named("accepted").is_empty());

    // The council joins: the hub tells the sender, which fetches its keys
    // and sends every waiting cable, once.
    let mut council = spawn_node(&dir, SCENARIO, COUNCIL, &addr, COUNCIL);
    until(&mut sender, "accepted", &for_council);
    until(&mut council, "delivered", &expected[COUNCIL]);
    for (name, node) in nodes.iter_mut() {
        if let Some(want) = expected.get(name) {
            until(node, "delivered", want);
        }
    }

    // Quiesce: the hub holds nothing unacknowledged, every node has printed
    // what it did, and the nodes leave cleanly.
    hub.send("idle");
    hub.expect_event("idle");
    nodes.insert(SENDER, sender);
    nodes.insert(COUNCIL, council);
    for node in nodes.values_mut() {
        node.send("sync");
        node.expect_event("synced");
        node.send("quit");
        assert_eq!(node.wait(), Some(0), "{} quits cleanly", node.label);
    }

    // Every cable acknowledged exactly once over both of the sender's lives.
    let senders: Vec<&Proc> = retired
        .iter()
        .chain(nodes.get(SENDER))
        .filter(|p| p.label.starts_with(SENDER))
        .collect();
    assert_eq!(counts(&senders, "accepted"), once(&all));
    // Each addressee got each of its cables exactly once, and nobody else
    // got any: in the events and in the databases.
    for (name, node) in &nodes {
        let want = expected.get(name).cloned().unwrap_or_default();
        assert_eq!(counts(&[node], "delivered"), once(&want), "{name}'s deliveries");
        assert_eq!(inbox_rows(&data, name), once(&want), "{name}'s inbox");
    }
    assert_eq!(hub.terminate(), Some(0), "SIGTERM is a clean exit");
    let _ = std::fs::remove_dir_all(&dir);
}
