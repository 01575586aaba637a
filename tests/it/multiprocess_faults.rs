//! Durability across crashes (see "Durability" in ARCHITECTURE.md): three node
//! processes exchange 300 cables while the hub process is killed with SIGKILL
//! and restarted three times mid-stream, and one node is killed and restarted
//! too. Afterwards every cable the hub acknowledged is in every recipient's
//! inbox exactly once — in the events the nodes printed and in their SQLite
//! inboxes.

use crate::support::processes;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use processes::{ANY_PORT, Proc, certs, inbox_rows, spawn_hub, spawn_node, temp_dir};
use serde_json::Value;

const SCENARIO: &str = "tests/fixtures/trio.toml";
const NODES: [&str; 3] = ["at-mfa", "be-mfa", "del-kyiv"];
const ROUNDS: usize = 4;
const PER_ROUND: usize = 25;

struct Net {
    dir: PathBuf,
    /// Where the first hub listened: every later one listens there too,
    /// where the nodes reconnect.
    hub: String,
}

impl Net {
    fn hub(&self, generation: usize) -> Proc {
        spawn_hub(&self.dir, SCENARIO, &self.hub, &format!("hub#{generation}")).0
    }

    fn node(&self, name: &str, generation: usize) -> Proc {
        spawn_node(&self.dir, SCENARIO, name, &self.hub, &format!("{name}#{generation}"))
    }
}

/// The addressees of the `i`-th cable `from` sends: one other node, the
/// other one, or both.
fn addressees(from: &str, i: usize) -> Vec<&'static str> {
    let others: Vec<&'static str> = NODES.into_iter().filter(|n| *n != from).collect();
    match i % 3 {
        0 => vec![others[0]],
        1 => vec![others[1]],
        _ => others,
    }
}

/// The processes that ran as `name` and were killed.
fn lives<'a>(retired: &'a [Proc], name: &str) -> Vec<&'a Proc> {
    retired
        .iter()
        .filter(|p| p.label.starts_with(&format!("{name}#")))
        .collect()
}

/// The cable ids of the `event` events of `procs`.
fn ids(procs: &[&Proc], event: &str) -> BTreeSet<String> {
    procs
        .iter()
        .flat_map(|p| strings(&p.seen_named(event), "cable"))
        .collect()
}

fn strings(events: &[&Value], field: &str) -> Vec<String> {
    events
        .iter()
        .map(|e| e[field].as_str().expect("a string field").to_owned())
        .collect()
}

#[test]
fn nothing_accepted_is_lost_and_nothing_is_delivered_twice() {
    let dir = temp_dir("faults");
    certs(SCENARIO, &dir.join("certs"));
    let mut hub_generation = 0;
    let (mut hub, addr) = spawn_hub(&dir, SCENARIO, ANY_PORT, "hub#0");
    let net = Net {
        dir: dir.clone(),
        hub: addr,
    };
    let mut generations: BTreeMap<&str, usize> = NODES.iter().map(|n| (*n, 0)).collect();
    let mut nodes: BTreeMap<&str, Proc> = NODES.iter().map(|n| (*n, net.node(n, 0))).collect();
    // Everyone's keys are published once all have joined.
    for node in nodes.values_mut() {
        node.send("refresh");
        node.expect_event("refreshed");
    }
    // Events of processes that were killed, kept for the final count.
    let mut retired: Vec<Proc> = Vec::new();
    // What the killed node had filed when it died: a delivery filed just
    // before SIGKILL was never printed, and its redelivery is (rightly)
    // acknowledged without being filed or printed again.
    let mut filed_before_restart: BTreeSet<String> = BTreeSet::new();
    let data = dir.join("data");

    let mut typed: BTreeMap<&str, usize> = NODES.iter().map(|n| (*n, 0)).collect();
    for round in 0..ROUNDS {
        for i in 0..PER_ROUND {
            for from in NODES {
                *typed.get_mut(from).unwrap() += 1;
                let to = addressees(from, i).join(",");
                let line = format!("send {to} -- round {round} cable {i} from {from}");
                nodes.get_mut(from).unwrap().send(&line);
            }
        }
        if round + 1 < ROUNDS {
            // Mid-stream: some cables of the round are acknowledged, the
            // rest are in flight or still in the outboxes.
            nodes.get_mut("at-mfa").unwrap().expect_event("accepted");
            hub.kill();
            retired.push(hub);
            hub_generation += 1;
            hub = net.hub(hub_generation);
        }
        if round == 1 {
            // A node dies too; the hub keeps its deliveries until it is back.
            let mut dead = nodes.remove("be-mfa").unwrap();
            dead.kill();
            filed_before_restart = inbox_rows(&data, "be-mfa").into_keys().collect();
            retired.push(dead);
            let generation = generations.get_mut("be-mfa").unwrap();
            *generation += 1;
            nodes.insert("be-mfa", net.node("be-mfa", *generation));
        }
    }

    // Every cable typed on the nodes that never died is acknowledged in
    // the end: outboxes are resent after every reconnection.
    for from in ["at-mfa", "del-kyiv"] {
        let node = nodes.get_mut(from).unwrap();
        let expected: BTreeSet<String> = (1..=typed[from]).map(|n| format!("{from}-{n:06}")).collect();
        while !ids(&[&*node], "accepted").is_superset(&expected) {
            node.expect_event("accepted");
        }
    }
    // be-mfa: everything typed after its restart is acknowledged too (what
    // it had read before SIGKILL but not yet put in its outbox died with it).
    let restarted = nodes.get_mut("be-mfa").unwrap();
    while restarted.seen_named("accepted").len() < 2 * PER_ROUND {
        restarted.expect_event("accepted");
    }

    // Each recipient gets each acknowledged cable addressed to it.
    let mut expected_inbox: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for p in nodes.values().chain(retired.iter()) {
        for accepted in p.seen_named("accepted") {
            let id = accepted["cable"].as_str().unwrap().to_owned();
            for to in accepted["to"].as_array().expect("accepted names the addressees") {
                expected_inbox
                    .entry(to.as_str().unwrap().to_owned())
                    .or_default()
                    .insert(id.clone());
            }
        }
    }
    assert_eq!(expected_inbox.len(), NODES.len());
    let unprinted = |name: &str, retired: &[Proc]| -> BTreeSet<String> {
        if name != "be-mfa" {
            return BTreeSet::new();
        }
        let printed = ids(&lives(retired, name), "delivered");
        filed_before_restart.difference(&printed).cloned().collect()
    };
    for (name, expected) in &expected_inbox {
        let mut earlier = ids(&lives(&retired, name), "delivered");
        earlier.extend(unprinted(name, &retired));
        let node = nodes.get_mut(name.as_str()).unwrap();
        while !ids(&[&*node], "delivered")
            .union(&earlier)
            .cloned()
            .collect::<BTreeSet<_>>()
            .is_superset(expected)
        {
            node.expect_event("delivered");
        }
    }

    // Quiesce: the hub has nothing unacknowledged for anyone, and every
    // node has printed everything it did before answering `sync`.
    hub.send("idle");
    hub.expect_event("idle");
    for node in nodes.values_mut() {
        node.send("sync");
        node.expect_event("synced");
    }

    // The nodes leave cleanly: every event they printed is read, and their
    // databases are final.
    for node in nodes.values_mut() {
        node.send("quit");
        assert_eq!(node.wait(), Some(0));
    }

    // Exactly once: in the events, across restarts, and in the databases.
    // A cable of be-mfa acknowledged in the instant it was killed, before
    // it could print `accepted`, is the only kind allowed beyond the
    // expected set.
    for (name, expected) in &expected_inbox {
        let mut all = lives(&retired, name);
        all.extend(nodes.get(name.as_str()));
        let mut counts: BTreeMap<String, usize> = unprinted(name, &retired).into_iter().map(|id| (id, 1)).collect();
        for p in &all {
            for id in strings(&p.seen_named("delivered"), "cable") {
                *counts.entry(id).or_default() += 1;
            }
        }
        let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{name} was handed cables twice: {twice:?}");
        let delivered: BTreeSet<String> = counts.into_keys().collect();
        assert!(
            delivered.is_superset(expected),
            "{name} misses {:?}",
            expected.difference(&delivered)
        );
        let extra: Vec<&String> = delivered.difference(expected).collect();
        assert!(
            extra.iter().all(|id| id.starts_with("be-mfa-")),
            "{name} got unexpected {extra:?}"
        );
        let rows = inbox_rows(&data, name);
        assert!(rows.values().all(|n| *n == 1), "{name}'s inbox has duplicates");
        assert_eq!(rows.into_keys().collect::<BTreeSet<_>>(), delivered, "{name}'s inbox");
    }
    assert_eq!(hub.terminate(), Some(0), "SIGTERM is a clean exit");
    let _ = std::fs::remove_dir_all(&dir);
}
