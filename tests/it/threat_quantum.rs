//! Rule 10 of ARCHITECTURE.md: a quantum computer opens what its actor
//! recorded under classical X25519, whenever it was recorded, and nothing
//! else. Expected sets worked out by hand from the world of
//! `support/world.rs`.

use crate::support::world;

use world::{ALL, actor, config, content, ids, routing, run};

const TAP_AT: &str = "[[adversary]]\nkind = \"tap\"\nat = \"at-mfa\"\nactor = \"state\"\n";
const INSIDER_10: &str = "[[adversary]]\nkind = \"insider\"\non_day = 10\nactor = \"state\"\n";

fn quantum(from_day: u32) -> String {
    format!("[[adversary]]\nkind = \"quantum\"\nfrom_day = {from_day}\nactor = \"state\"\n")
}

fn with_post_quantum(security: &str, post_quantum: &str) -> String {
    format!("{security}post_quantum = \"{post_quantum}\"\n")
}

#[tokio::test(start_paused = true)]
async fn recorded_classical_envelopes_open_under_static_and_forward_secret_keys() {
    // The tap on at-mfa's plain link records C1 (to at), C2 (from at) and
    // C6 (to at). The computer recovers every recipient's X25519 key from
    // its public half, so all three open — C2 too, through del-kyiv's key,
    // and under forward secrecy as well: deleting a private key does not
    // delete its public half.
    for e2e in ["static", "forward-secret"] {
        let report = run(&config("plain", e2e), &format!("{TAP_AT}{}", quantum(11))).await;
        assert_eq!(content(&report, "state"), ids(&["C1", "C2", "C6"]), "{e2e}");
        assert_eq!(routing(&report, "state"), ids(&["C1", "C2", "C6"]), "{e2e}");
    }
}

#[tokio::test(start_paused = true)]
async fn group_envelopes_stay_closed_they_are_symmetric() {
    let report = run(&config("plain", "group"), &format!("{TAP_AT}{}", quantum(0))).await;
    assert_eq!(content(&report, "state"), ids(&[]));
    assert_eq!(routing(&report, "state"), ids(&["C1", "C2", "C6"]));
}

#[tokio::test(start_paused = true)]
async fn an_archive_export_opens_whatever_the_transport() {
    // The insider's export at the start of day 10 holds C1..C7 (all sent
    // before day 10), after TLS: the computer opens every envelope.
    let report = run(&config("mtls", "static"), &format!("{INSIDER_10}{}", quantum(10))).await;
    assert_eq!(content(&report, "state"), ids(&ALL));
    assert_eq!(actor(&report, "state").attack, ["T1052", "T1213"]);
}

#[tokio::test(start_paused = true)]
async fn alone_or_with_only_keys_it_learns_nothing() {
    let report = run(&config("plain", "static"), &quantum(0)).await;
    assert_eq!(routing(&report, "state"), ids(&[]));
    let thief = "[[adversary]]\nkind = \"key-thief\"\nat = \"at-mfa\"\non_day = 4\nactor = \"state\"\n";
    let report = run(&config("plain", "static"), &format!("{thief}{}", quantum(0))).await;
    assert_eq!(routing(&report, "state"), ids(&[]));
}

#[tokio::test(start_paused = true)]
async fn a_computer_that_arrives_after_the_run_opens_nothing() {
    // days = 12: from_day 12 is after the last day.
    let report = run(&config("plain", "static"), &format!("{TAP_AT}{}", quantum(12))).await;
    assert_eq!(content(&report, "state"), ids(&[]));
    assert_eq!(routing(&report, "state"), ids(&["C1", "C2", "C6"]));
}

#[tokio::test(start_paused = true)]
async fn transport_alone_does_not_protect_the_archive() {
    // Hybrid TLS keeps the links closed, but the hub's archive holds the
    // classical envelopes themselves.
    let security = with_post_quantum(&config("mtls", "forward-secret"), "transport");
    let report = run(&security, &format!("{INSIDER_10}{}", quantum(10))).await;
    assert_eq!(content(&report, "state"), ids(&ALL));
}

#[tokio::test(start_paused = true)]
async fn a_recorded_classical_tls_link_opens_like_a_plain_one() {
    // Mutual TLS with X25519: the recording of at-mfa's link opens, and
    // with e2e off the cables are in it: C1, C2 and C6.
    for e2e in ["off", "static"] {
        let report = run(&config("mtls", e2e), &format!("{TAP_AT}{}", quantum(11))).await;
        assert_eq!(content(&report, "state"), ids(&["C1", "C2", "C6"]), "{e2e}");
        assert_eq!(routing(&report, "state"), ids(&["C1", "C2", "C6"]), "{e2e}");
        let evidence = &actor(&report, "state").evidence;
        assert!(
            evidence
                .iter()
                .any(|e| e.via.contains("TLS (X25519) opened by a quantum computer")),
            "{e2e}: {evidence:?}"
        );
    }
    // Without the computer the same recording is traffic only.
    let report = run(&config("mtls", "off"), TAP_AT).await;
    assert_eq!(routing(&report, "state"), ids(&[]));
}

#[tokio::test(start_paused = true)]
async fn a_man_in_the_middle_reduced_to_pass_through_recorded_enough() {
    // at-mfa checks the hub's certificate, so the interception fails and
    // the MITM passes the TLS bytes through — and records them.
    let mitm = "[[adversary]]\nkind = \"mitm\"\nat = \"at-mfa\"\nactor = \"state\"\n";
    let report = run(&config("mtls", "off"), &format!("{mitm}{}", quantum(11))).await;
    assert_eq!(content(&report, "state"), ids(&["C1", "C2", "C6"]));
}

#[tokio::test(start_paused = true)]
async fn a_hybrid_tls_recording_stays_closed() {
    // The same recording as above, but every handshake used
    // X25519MLKEM768: the analyst reads 0x11EC from each ServerHello and
    // the computer, which cannot break ML-KEM, gets nothing released.
    for e2e in ["off", "static"] {
        let security = with_post_quantum(&config("mtls", e2e), "transport");
        let report = run(&security, &format!("{TAP_AT}{}", quantum(11))).await;
        assert_eq!(routing(&report, "state"), ids(&[]), "{e2e}");
        assert!(
            actor(&report, "state").traffic_frames > 0,
            "{e2e}: the recording is still there"
        );
    }
}
