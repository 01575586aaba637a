//! Checks the oracle of `support/rules.rs` against expectations worked out by
//! hand, rule by rule (ARCHITECTURE.md, "The rules a run must produce"), on one
//! tiny network, so that tests comparing real runs with the oracle rest on
//! something checked.
//!
//! The network: `hq` (hq), `at-mfa` and `be-mfa` (ministries), `del-kyiv`
//! (mission); 20 days; weekly epochs (e0 = days 0-6, e1 = 7-13, e2 = 14-20).
//!
//! | cable | day | epoch | from | to | level | R need-to-know | R broadcast |
//! |---|---|---|---|---|---|---|---|
//! | C-1 | 1 | 0 | del-kyiv | hq | limite | hq | hq, at, be |
//! | C-2 | 3 | 0 | hq | at-mfa | restricted | at | at, be |
//! | C-3 | 8 | 1 | at-mfa | be-mfa | confidential | be | be, hq |
//! | C-4 | 10 | 1 | be-mfa | del-kyiv, hq | secret | kyiv, hq | kyiv, hq, at |
//! | C-5 | 15 | 2 | hq | del-kyiv | limite | kyiv | kyiv, at, be |
//!
//! Each test gives the derivation in its comments.

use crate::support::rules;

use std::collections::{BTreeMap, BTreeSet};

use cablesim::model::Network;
use cablesim::scenario::{Preset, Scenario};
use rules::Expected;

const NETWORK_AND_CABLES: &str = r#"
[scenario]
name = "oracle-selfcheck"
seed = 3
days = 20

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
id = "C-1"
day = 1
from = "del-kyiv"
to = ["hq"]
classification = "limite"
subject = "Readout"
body = "one"

[[cable]]
id = "C-2"
day = 3
from = "hq"
to = ["at-mfa"]
classification = "restricted"
subject = "Instruction"
body = "two"

[[cable]]
id = "C-3"
day = 8
from = "at-mfa"
to = ["be-mfa"]
classification = "confidential"
subject = "Bilateral"
body = "three"

[[cable]]
id = "C-4"
day = 10
from = "be-mfa"
to = ["del-kyiv", "hq"]
classification = "secret"
subject = "Sanctions"
body = "four"

[[cable]]
id = "C-5"
day = 15
from = "hq"
to = ["del-kyiv"]
classification = "limite"
subject = "Visit"
body = "five"
"#;

/// The tiny network under `preset`, then `sets`, with `adversaries` (TOML
/// `[[adversary]]` tables) appended.
fn scenario(preset: Preset, sets: &[&str], adversaries: &str) -> Scenario {
    let text = format!("{NETWORK_AND_CABLES}\n{adversaries}");
    let mut s = Scenario::from_toml_str(&text, "selfcheck.toml").unwrap_or_else(|e| panic!("{e}"));
    s.apply_preset(preset);
    for set in sets {
        s.apply_set(set).unwrap_or_else(|e| panic!("{e}"));
    }
    s
}

/// The oracle's answer, with the invariant routing ⊇ content checked for
/// every actor on the way.
fn oracle(s: &Scenario) -> BTreeMap<String, Expected> {
    let cables = rules::all_cables(s).unwrap();
    assert_eq!(cables.len(), 5);
    let expected = rules::expected_exposure(s, &cables);
    for (actor, e) in &expected {
        assert!(e.content.is_subset(&e.routing), "{actor}: routing ⊉ content");
    }
    expected
}

fn only(s: &Scenario) -> Expected {
    let mut all = oracle(s);
    assert_eq!(all.len(), 1, "{all:?}");
    all.pop_first().unwrap().1
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn leaks(content: &[&str], routing: &[&str]) -> Expected {
    Expected {
        content: ids(content),
        routing: ids(routing),
        forged_accepted: 0,
        forged_cables: 0,
        traffic: false,
    }
}

fn traffic_only() -> Expected {
    Expected {
        traffic: true,
        ..Expected::default()
    }
}

const ENDPOINT_HQ_5_12: &str = r#"
[[adversary]]
kind = "endpoint"
at = "hq"
from_day = 5
until_day = 12
"#;

#[test]
fn rule_1_endpoint_reads_held_and_live_cables_whatever_the_crypto() {
    // H(hq, 5): C-1 (to hq, day 1), C-2 (from hq, day 3).
    // Live in [5, 12): C-4 (day 10, to hq). C-3 does not involve hq,
    // C-5 is on day 15.
    for preset in Preset::ALL {
        let s = scenario(preset, &[], ENDPOINT_HQ_5_12);
        assert_eq!(
            only(&s),
            leaks(&["C-1", "C-2", "C-4"], &["C-1", "C-2", "C-4"]),
            "{preset}"
        );
    }
}

#[test]
fn rule_1_endpoint_reach_into_the_past_is_cut_by_retention() {
    // retention 3 at t = 5 keeps days > 2: C-2 (day 3) but not C-1 (day 1).
    let s = scenario(Preset::E2eFs, &["retention_days=3"], ENDPOINT_HQ_5_12);
    assert_eq!(only(&s), leaks(&["C-2", "C-4"], &["C-2", "C-4"]));
}

#[test]
fn rule_1_endpoint_under_broadcast_sees_more() {
    // Broadcast: hq ∈ R of C-1, C-3, C-4 and sends C-2, C-5.
    // H(hq, 5) = C-1, C-2; live [5, 12) = C-3 (day 8), C-4 (day 10).
    let s = scenario(Preset::E2eFs, &["distribution=broadcast"], ENDPOINT_HQ_5_12);
    assert_eq!(only(&s).content, ids(&["C-1", "C-2", "C-3", "C-4"]));
}

const TAP_AT_WHOLE_RUN: &str = r#"
[[adversary]]
kind = "tap"
at = "at-mfa"
"#;

#[test]
fn rule_2_tap_on_a_plain_link_without_e2e_reads_everything_on_it() {
    // at-mfa's link carries C-2 (to it) and C-3 (from it).
    let s = scenario(Preset::Plaintext, &[], TAP_AT_WHOLE_RUN);
    assert_eq!(only(&s), leaks(&["C-2", "C-3"], &["C-2", "C-3"]));
}

#[test]
fn rule_2_tap_on_a_plain_link_with_e2e_gets_routing_only() {
    let s = scenario(Preset::E2eStatic, &["transport=plain"], TAP_AT_WHOLE_RUN);
    assert_eq!(only(&s), leaks(&[], &["C-2", "C-3"]));
}

#[test]
fn rule_2_tap_on_tls_gets_traffic_only() {
    for transport in ["tls", "mtls"] {
        let s = scenario(Preset::HopTls, &[&format!("transport={transport}")], TAP_AT_WHOLE_RUN);
        assert_eq!(only(&s), traffic_only(), "{transport}");
    }
}

#[test]
fn rule_2_tap_window_selects_by_cable_day() {
    // [4, 9) on at-mfa's link: C-3 (day 8) only; C-2 is day 3.
    let s = scenario(
        Preset::Plaintext,
        &[],
        "[[adversary]]\nkind = \"tap\"\nat = \"at-mfa\"\nfrom_day = 4\nuntil_day = 9\n",
    );
    assert_eq!(only(&s), leaks(&["C-3"], &["C-3"]));
    // del-kyiv from day 16: its last cable is C-5 on day 15, so no frame
    // and not even traffic under TLS.
    let s = scenario(
        Preset::HopTls,
        &[],
        "[[adversary]]\nkind = \"tap\"\nat = \"del-kyiv\"\nfrom_day = 16\n",
    );
    assert_eq!(only(&s), Expected::default());
}

const HUB_FROM_9: &str = "[[adversary]]\nkind = \"hub\"\nfrom_day = 9\n";
const ALL: [&str; 5] = ["C-1", "C-2", "C-3", "C-4", "C-5"];

#[test]
fn rule_3_hub_without_e2e_reads_its_window_and_the_archive() {
    // Window [9, 20): C-4, C-5. Archive at day 9: C-1, C-2, C-3.
    let s = scenario(Preset::HopTls, &[], HUB_FROM_9);
    assert_eq!(only(&s), leaks(&ALL, &ALL));
    // No archive: the window only.
    let s = scenario(Preset::HopTls, &["archive=false"], HUB_FROM_9);
    assert_eq!(only(&s), leaks(&["C-4", "C-5"], &["C-4", "C-5"]));
    // archive_days 2 at t = 9 keeps days > 7: C-3 (day 8).
    let s = scenario(Preset::HopTls, &["archive_days=2"], HUB_FROM_9);
    assert_eq!(only(&s), leaks(&["C-3", "C-4", "C-5"], &["C-3", "C-4", "C-5"]));
}

#[test]
fn rule_3_hub_ghost_key_works_only_without_pinning() {
    // Pinning off: the ghost is wrapped for every cable of the window
    // (C-4, C-5); archived cables were sealed before, routing only.
    for preset in [Preset::E2eStatic, Preset::E2eFs] {
        let s = scenario(preset, &["key_pinning=false"], HUB_FROM_9);
        assert_eq!(only(&s), leaks(&["C-4", "C-5"], &ALL), "{preset}");
        let s = scenario(preset, &[], HUB_FROM_9);
        assert_eq!(only(&s), leaks(&[], &ALL), "{preset}");
    }
    // Group mode has no directory key to substitute.
    let s = scenario(Preset::E2eGroup, &["key_pinning=false"], HUB_FROM_9);
    assert_eq!(only(&s), leaks(&[], &ALL));
}

#[test]
fn rule_3_hub_opens_with_pooled_keys() {
    // Hub from day 0 captures every envelope. The endpoint on be-mfa over
    // [12, 14) sees nothing itself: retention 1 leaves nothing held at
    // t = 12 and no cable involves be-mfa on days 12-13. But it steals
    // be-mfa's epoch-1 key (days 12-13 are epoch 1), which opens C-3 (day
    // 8, epoch 1, be-mfa ∈ R) and not C-4 (be-mfa is its sender).
    let s = scenario(
        Preset::E2eFs,
        &["retention_days=1"],
        r#"
[[adversary]]
kind = "hub"
actor = "apt"

[[adversary]]
kind = "endpoint"
at = "be-mfa"
from_day = 12
until_day = 14
actor = "apt"
"#,
    );
    assert_eq!(only(&s), leaks(&["C-3"], &ALL));
}

fn tap_and_thief(tap_at: &str, thief_at: &str, day: u32, thief_actor: &str) -> String {
    format!(
        "[[adversary]]\nkind = \"tap\"\nat = \"{tap_at}\"\nactor = \"apt\"\n\n\
         [[adversary]]\nkind = \"key-thief\"\nat = \"{thief_at}\"\non_day = {day}\nactor = \"{thief_actor}\"\n"
    )
}

#[test]
fn rule_4_static_key_opens_everything_addressed_to_its_node_any_day() {
    // Tap on at-mfa (plain link) captures C-2 and C-3. at-mfa's static
    // key, stolen on the last day, opens C-2 (at-mfa ∈ R) but not C-3,
    // which at-mfa sent (no wrap for the sender).
    let s = scenario(
        Preset::E2eStatic,
        &["transport=plain"],
        &tap_and_thief("at-mfa", "at-mfa", 19, "apt"),
    );
    assert_eq!(only(&s), leaks(&["C-2"], &["C-2", "C-3"]));
}

#[test]
fn rule_4_forward_secret_key_opens_only_its_epoch() {
    // Tap on be-mfa captures C-3 (day 8, e1, to be-mfa) and C-4 (day 10,
    // e1, from be-mfa). Key of epoch(12) = 1 opens C-3 only.
    let s = scenario(
        Preset::E2eFs,
        &["transport=plain"],
        &tap_and_thief("be-mfa", "be-mfa", 12, "apt"),
    );
    assert_eq!(only(&s), leaks(&["C-3"], &["C-3", "C-4"]));
    // Key of epoch(5) = 0 opens neither.
    let s = scenario(
        Preset::E2eFs,
        &["transport=plain"],
        &tap_and_thief("be-mfa", "be-mfa", 5, "apt"),
    );
    assert_eq!(only(&s), leaks(&[], &["C-3", "C-4"]));
}

#[test]
fn rule_4_group_key_opens_every_captured_envelope() {
    // The group key from any node opens both C-2 and C-3 on at-mfa's link.
    let s = scenario(
        Preset::E2eGroup,
        &["transport=plain"],
        &tap_and_thief("at-mfa", "del-kyiv", 0, "apt"),
    );
    assert_eq!(only(&s), leaks(&["C-2", "C-3"], &["C-2", "C-3"]));
}

#[test]
fn rule_4_key_thief_alone_or_in_another_actor_leaks_nothing() {
    let s = scenario(
        Preset::E2eGroup,
        &["transport=plain"],
        &tap_and_thief("at-mfa", "del-kyiv", 0, "other"),
    );
    let all = oracle(&s);
    assert_eq!(all["apt"], leaks(&[], &["C-2", "C-3"]));
    assert_eq!(all["other"], Expected::default());
}

const INSIDER_DAY_9: &str = "[[adversary]]\nkind = \"insider\"\non_day = 9\nactor = \"apt\"\n";

#[test]
fn rule_5_insider_exports_the_archive_at_the_start_of_its_day() {
    // Archive at day 9: C-1, C-2, C-3 (C-4 is day 10, not yet archived).
    let s = scenario(Preset::HopTls, &[], INSIDER_DAY_9);
    assert_eq!(only(&s), leaks(&["C-1", "C-2", "C-3"], &["C-1", "C-2", "C-3"]));
    // archive_days 2: C-3 only. Archive off: nothing.
    let s = scenario(Preset::HopTls, &["archive_days=2"], INSIDER_DAY_9);
    assert_eq!(only(&s), leaks(&["C-3"], &["C-3"]));
    let s = scenario(Preset::HopTls, &["archive=false"], INSIDER_DAY_9);
    assert_eq!(only(&s), Expected::default());
}

#[test]
fn rule_5_insider_under_e2e_needs_keys() {
    let s = scenario(Preset::E2eStatic, &[], INSIDER_DAY_9);
    assert_eq!(only(&s), leaks(&[], &["C-1", "C-2", "C-3"]));
    // hq's static key opens C-1 (hq ∈ R), not C-2 (sent by hq); C-3 is
    // not for hq.
    let thief =
        format!("{INSIDER_DAY_9}\n[[adversary]]\nkind = \"key-thief\"\nat = \"hq\"\non_day = 0\nactor = \"apt\"\n");
    let s = scenario(Preset::E2eStatic, &[], &thief);
    assert_eq!(only(&s), leaks(&["C-1"], &["C-1", "C-2", "C-3"]));
}

const MITM_KYIV: &str = "[[adversary]]\nkind = \"mitm\"\nat = \"del-kyiv\"\nactor = \"apt\"\n";
const KYIV: [&str; 3] = ["C-1", "C-4", "C-5"];

/// The same scenario with `del-kyiv` given its own verify_server.
fn override_kyiv(mut s: Scenario, verify: bool) -> Scenario {
    let nodes = s.network.endpoints().cloned().map(|mut node| {
        if node.name == "del-kyiv" {
            node.verify_server = Some(verify);
        }
        node
    });
    s.network = Network::new(nodes).unwrap();
    s
}

#[test]
fn rule_6_mitm_on_plain_is_a_tap() {
    // del-kyiv's link: C-1 (from), C-4 (to), C-5 (to).
    let s = scenario(Preset::Plaintext, &[], MITM_KYIV);
    assert_eq!(only(&s), leaks(&KYIV, &KYIV));
}

#[test]
fn rule_6_mitm_against_a_verifying_node_passes_bytes_through() {
    for transport in ["tls", "mtls"] {
        let s = scenario(Preset::HopTls, &[&format!("transport={transport}")], MITM_KYIV);
        assert_eq!(only(&s), traffic_only(), "{transport}");
    }
    // A node override beats the [security] value.
    let s = override_kyiv(
        scenario(Preset::HopTls, &["transport=tls", "verify_server=false"], MITM_KYIV),
        true,
    );
    assert_eq!(only(&s), traffic_only());
}

#[test]
fn rule_6_mitm_intercepts_tls_when_the_node_does_not_verify() {
    let s = scenario(Preset::HopTls, &["transport=tls", "verify_server=false"], MITM_KYIV);
    assert_eq!(only(&s), leaks(&KYIV, &KYIV));
    let s = override_kyiv(scenario(Preset::HopTls, &["transport=tls"], MITM_KYIV), false);
    assert_eq!(only(&s), leaks(&KYIV, &KYIV));
    // Under e2e the interception yields headers only.
    let s = override_kyiv(scenario(Preset::E2eStatic, &["transport=tls"], MITM_KYIV), false);
    assert_eq!(only(&s), leaks(&[], &KYIV));
}

fn mitm_and_endpoint(mitm_from: u32, endpoint_from: u32) -> String {
    format!(
        "[[adversary]]\nkind = \"mitm\"\nat = \"del-kyiv\"\nfrom_day = {mitm_from}\nactor = \"apt\"\n\n\
         [[adversary]]\nkind = \"endpoint\"\nat = \"del-kyiv\"\nfrom_day = {endpoint_from}\nuntil_day = {}\nactor = \"apt\"\n",
        endpoint_from + 1
    )
}

#[test]
fn rule_6_mitm_on_mtls_needs_the_node_keys_first() {
    // Without stolen keys: pass-through.
    let s = scenario(Preset::HopTls, &["verify_server=false"], MITM_KYIV);
    assert_eq!(only(&s), traffic_only());
    // Endpoint on day 0 (sees no cable: none involves del-kyiv on day 0)
    // takes del-kyiv's keys; the mitm from day 2 then reads C-4 and C-5.
    let s = scenario(Preset::HopTls, &["verify_server=false"], &mitm_and_endpoint(2, 0));
    assert_eq!(only(&s), leaks(&["C-4", "C-5"], &["C-4", "C-5"]));
    // Theft on day 5, after the mitm started on day 2: pass-through; the
    // endpoint itself reads H(del-kyiv, 5) = C-1.
    let s = scenario(Preset::HopTls, &["verify_server=false"], &mitm_and_endpoint(2, 5));
    assert_eq!(
        only(&s),
        Expected {
            traffic: true,
            ..leaks(&["C-1"], &["C-1"])
        }
    );
}

fn forger(extra: &str) -> String {
    format!(
        "[[adversary]]\nkind = \"forger\"\nimpersonate = \"hq\"\nfrom_day = 0\nuntil_day = 3\nactor = \"apt\"\n{extra}"
    )
}

fn forged(s: &Scenario) -> u64 {
    oracle(s)["apt"].forged_accepted
}

/// Distinct forged cables believed by at least one recipient.
fn forged_cables(s: &Scenario) -> u64 {
    oracle(s)["apt"].forged_cables
}

#[test]
fn rule_7_forger_is_stopped_by_signatures_only() {
    // 3 days × R = {at-mfa, be-mfa} (every ministry, need-to-know) = 6
    // acceptances of 3 cables.
    assert_eq!(forged(&scenario(Preset::Plaintext, &[], &forger(""))), 6);
    assert_eq!(forged_cables(&scenario(Preset::Plaintext, &[], &forger(""))), 3);
    assert_eq!(forged(&scenario(Preset::HopTls, &[], &forger(""))), 6);
    for preset in [Preset::E2eStatic, Preset::E2eFs] {
        assert_eq!(forged(&scenario(preset, &[], &forger(""))), 0, "{preset}");
        assert_eq!(
            forged(&scenario(preset, &["signatures=false"], &forger(""))),
            6,
            "{preset}"
        );
    }
    assert_eq!(
        forged(&scenario(Preset::Plaintext, &["signatures=true"], &forger(""))),
        0
    );
    assert_eq!(
        forged_cables(&scenario(Preset::Plaintext, &["signatures=true"], &forger(""))),
        0
    );
}

#[test]
fn rule_7_forger_under_group_needs_the_group_key_by_the_day_it_forges() {
    let unsigned = ["signatures=false"];
    assert_eq!(forged(&scenario(Preset::E2eGroup, &unsigned, &forger(""))), 0);
    let thief =
        |day: u32| format!("\n[[adversary]]\nkind = \"key-thief\"\nat = \"at-mfa\"\non_day = {day}\nactor = \"apt\"\n");
    // Key taken on day 0: all 3 forgeries × 2 recipients.
    assert_eq!(forged(&scenario(Preset::E2eGroup, &unsigned, &forger(&thief(0)))), 6);
    // Key taken on day 1: forgeries of days 1 and 2 only.
    assert_eq!(forged(&scenario(Preset::E2eGroup, &unsigned, &forger(&thief(1)))), 4);
    assert_eq!(
        forged_cables(&scenario(Preset::E2eGroup, &unsigned, &forger(&thief(1)))),
        2
    );
}

#[test]
fn rule_7_forged_recipients_follow_the_distribution() {
    // Broadcast from hq to the ministries: R = at-mfa, be-mfa (hq is the
    // claimed sender) — still 2 per day.
    assert_eq!(
        forged(&scenario(Preset::Plaintext, &["distribution=broadcast"], &forger(""))),
        6
    );
    // Claiming to be del-kyiv under broadcast adds hq: 3 per day.
    let s = scenario(
        Preset::Plaintext,
        &["distribution=broadcast"],
        "[[adversary]]\nkind = \"forger\"\nimpersonate = \"del-kyiv\"\nuntil_day = 3\nactor = \"apt\"\n",
    );
    assert_eq!(forged(&s), 9);
    assert_eq!(forged_cables(&s), 3);
    // Explicit `to`, and a window clipped by the end of the run: days
    // 18 and 19 × R = {del-kyiv}.
    let s = scenario(
        Preset::Plaintext,
        &[],
        "[[adversary]]\nkind = \"forger\"\nimpersonate = \"hq\"\nto = [\"del-kyiv\"]\nfrom_day = 18\nuntil_day = 99\nactor = \"apt\"\n",
    );
    assert_eq!(forged(&s), 2);
    assert_eq!(forged_cables(&s), 2);
}

#[test]
fn rule_8_cables_above_the_ceiling_never_leak() {
    // max restricted withholds C-3 (confidential) and C-4 (secret).
    let s = scenario(
        Preset::Plaintext,
        &["max_classification=restricted", "distribution=broadcast"],
        "[[adversary]]\nkind = \"endpoint\"\nat = \"hq\"\n\n[[adversary]]\nkind = \"hub\"\n",
    );
    let cables = rules::all_cables(&s).unwrap();
    assert_eq!(rules::withheld(&s, &cables), ids(&["C-3", "C-4"]));
    let all = oracle(&s);
    let left = ids(&["C-1", "C-2", "C-5"]);
    assert_eq!(all["endpoint@hq"].content, left);
    assert_eq!(all["hub"].content, left);
    assert_eq!(all["hub"].routing, left);
}

#[test]
fn rule_9_without_adversaries_everyone_gets_r_of_c_and_nothing_leaks() {
    let s = scenario(Preset::E2eFs, &[], "");
    assert!(oracle(&s).is_empty());
    let cables = rules::all_cables(&s).unwrap();
    let inboxes = rules::expected_deliveries(&s, &cables);
    let expect: BTreeMap<String, BTreeSet<String>> = [
        ("hq", ids(&["C-1", "C-4"])),
        ("at-mfa", ids(&["C-2"])),
        ("be-mfa", ids(&["C-3"])),
        ("del-kyiv", ids(&["C-4", "C-5"])),
    ]
    .into_iter()
    .map(|(n, c)| (n.to_string(), c))
    .collect();
    assert_eq!(inboxes, expect);
    // Broadcast widens every list (see the table above); the sender never
    // receives its own cable.
    let s = scenario(Preset::E2eFs, &["distribution=broadcast"], "");
    let inboxes = rules::expected_deliveries(&s, &cables);
    assert_eq!(inboxes["hq"], ids(&["C-1", "C-3", "C-4"]));
    assert_eq!(inboxes["at-mfa"], ids(&["C-1", "C-2", "C-4", "C-5"]));
    assert_eq!(inboxes["be-mfa"], ids(&["C-1", "C-2", "C-3", "C-5"]));
    assert_eq!(inboxes["del-kyiv"], ids(&["C-4", "C-5"]));
}

#[test]
fn every_actor_appears_even_with_nothing() {
    // A key-thief alone and a forger stopped by signatures: both listed.
    let s = scenario(
        Preset::E2eFs,
        &[],
        "[[adversary]]\nkind = \"key-thief\"\nat = \"hq\"\non_day = 4\n\n\
         [[adversary]]\nkind = \"forger\"\nimpersonate = \"hq\"\n",
    );
    let all = oracle(&s);
    assert_eq!(all.keys().collect::<Vec<_>>(), ["forger", "key-thief@hq"]);
    assert!(all.values().all(|e| *e == Expected::default()));
}
