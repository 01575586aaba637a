//! Rule 4 of ARCHITECTURE.md: a one-day key theft, alone and pooled with
//! recorded ciphertext (harvest now, decrypt later).

use crate::support::world;

use world::{config, content, ids, routing, run};

fn thief(node: &str, day: u32) -> String {
    format!("[[adversary]]\nkind = \"key-thief\"\nat = \"{node}\"\non_day = {day}\nactor = \"apt\"\n")
}

const TAP_AT: &str = "[[adversary]]\nkind = \"tap\"\nat = \"at-mfa\"\nactor = \"apt\"\n";
const INSIDER_10: &str = "[[adversary]]\nkind = \"insider\"\non_day = 10\nactor = \"apt\"\n";

#[tokio::test(start_paused = true)]
async fn alone_a_stolen_key_reads_nothing() {
    for e2e in ["group", "static", "forward-secret"] {
        let report = run(&config("plain", e2e), &thief("at-mfa", 4)).await;
        assert_eq!(content(&report, "apt"), ids(&[]), "{e2e}");
        assert_eq!(routing(&report, "apt"), ids(&[]), "{e2e}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_static_key_opens_every_recorded_cable_to_its_owner() {
    // The tap on at-mfa's plain link records C1 (to at), C2 (from at), C6
    // (to at). at-mfa's static key opens C1 and C6; C2 has no wrap for its
    // own sender.
    let report = run(&config("plain", "static"), &format!("{TAP_AT}{}", thief("at-mfa", 4))).await;
    assert_eq!(content(&report, "apt"), ids(&["C1", "C6"]));
    assert_eq!(routing(&report, "apt"), ids(&["C1", "C2", "C6"]));
}

#[tokio::test(start_paused = true)]
async fn a_forward_secret_key_opens_only_its_own_epoch() {
    // Day 4 is epoch 1: neither C1 (epoch 0) nor C6 (epoch 2).
    let report = run(
        &config("plain", "forward-secret"),
        &format!("{TAP_AT}{}", thief("at-mfa", 4)),
    )
    .await;
    assert_eq!(content(&report, "apt"), ids(&[]));
    // Day 8 is epoch 2: C6.
    let report = run(
        &config("plain", "forward-secret"),
        &format!("{TAP_AT}{}", thief("at-mfa", 8)),
    )
    .await;
    assert_eq!(content(&report, "apt"), ids(&["C6"]));
}

#[tokio::test(start_paused = true)]
async fn the_group_key_of_any_node_opens_everything_recorded() {
    let report = run(&config("plain", "group"), &format!("{TAP_AT}{}", thief("del-kyiv", 4))).await;
    assert_eq!(content(&report, "apt"), ids(&["C1", "C2", "C6"]));
}

#[tokio::test(start_paused = true)]
async fn pooled_with_an_insider_export() {
    // The export on day 10 holds all seven; be-mfa's static key opens those
    // addressed to be-mfa: C5, C7.
    let report = run(
        &config("mtls", "static"),
        &format!("{INSIDER_10}{}", thief("be-mfa", 0)),
    )
    .await;
    assert_eq!(content(&report, "apt"), ids(&["C5", "C7"]));
    assert_eq!(routing(&report, "apt"), ids(&world::ALL));
    // Under forward secrecy a day-0 theft holds epoch 0 only: C5 (epoch 2)
    // and C7 (epoch 3) stay closed.
    let report = run(
        &config("mtls", "forward-secret"),
        &format!("{INSIDER_10}{}", thief("be-mfa", 0)),
    )
    .await;
    assert_eq!(content(&report, "apt"), ids(&[]));
}
