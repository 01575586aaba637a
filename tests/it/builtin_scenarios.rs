//! The built-in scenarios (`cablesim list`): each runs with no cable lost, and
//! each tells its story with figures that follow from the rules a run must
//! produce (ARCHITECTURE.md). Expected sets come from the independent oracle in
//! `support/rules.rs`, never from the runner, and are compared exactly.
//!
//! Every run below is also checked in full against the oracle — content,
//! routing and accepted forgeries of every actor — so that a variant a test
//! builds (a preset, a `--set`, an edited window) is held to the same rules
//! as the scenario as shipped.

use crate::support::{rules, runs};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use cablesim::adversary::{AdversaryKind, EXPLAIN_TOPICS, explain_topic};
use cablesim::model::{Cable, Classification, DayWindow, Network, Node};
use cablesim::net::AlarmKind;
use cablesim::report::RunReport;
use cablesim::scenario::{BUILTIN, Preset, Scenario, resolve};

/// A built-in by name.
fn builtin(name: &str) -> Scenario {
    resolve(name).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario (or reads the report of the binary's run of an equal
/// one: `support/runs.rs`), checks that no cable was lost (rule 9: every
/// sent cable reached every recipient) and that every actor got exactly
/// what the oracle predicts, and returns the report.
fn run(scenario: &Scenario) -> Arc<RunReport> {
    let report = runs::report(scenario);
    let cables = rules::all_cables(scenario).unwrap();
    let name = &scenario.name;
    assert_eq!(report.cables.failed, 0, "{name}: cables failed");
    assert_eq!(
        report.cables.delivered, report.cables.sent,
        "{name}: undelivered cables"
    );
    assert_eq!(report.cables.total, cables.len() as u64, "{name}");
    let withheld = rules::withheld(scenario, &cables).len() as u64;
    assert_eq!(report.cables.withheld, withheld, "{name}: withheld");
    assert_eq!(report.cables.sent, cables.len() as u64 - withheld, "{name}: sent");
    let deliveries: usize = rules::expected_deliveries(scenario, &cables)
        .values()
        .map(BTreeSet::len)
        .sum();
    assert_eq!(report.cables.deliveries, deliveries as u64, "{name}: deliveries");
    let expected = rules::expected_exposure(scenario, &cables);
    let actors: Vec<&String> = report.actors.iter().map(|a| &a.actor).collect();
    assert_eq!(actors, expected.keys().collect::<Vec<_>>(), "{name}: actors");
    for actor in &report.actors {
        let want = &expected[&actor.actor];
        let who = format!("{name}: {}", actor.actor);
        assert_ids(&as_set(&actor.content), &want.content, &format!("{who} content"));
        assert_ids(&as_set(&actor.routing), &want.routing, &format!("{who} routing"));
        assert_eq!(
            actor.forged_accepted, want.forged_accepted,
            "{name}: forgeries of {}",
            actor.actor
        );
        assert_eq!(
            actor.forged_cables, want.forged_cables,
            "{name}: forged cables of {}",
            actor.actor
        );
    }
    // Alarms too, where the rules count them (not a mitm's).
    if scenario.adversaries.iter().all(|a| a.kind != AdversaryKind::Mitm) {
        let alarms = rules::expected_alarms(scenario, &cables);
        for actor in &report.actors {
            assert_eq!(actor.alarms, alarms[&actor.actor], "{name}: alarms of {}", actor.actor);
        }
        assert_eq!(
            report.alarms.len() as u64,
            alarms.values().sum::<u64>(),
            "{name}: alarms"
        );
    }
    report
}

/// What the oracle says one actor of `scenario` obtains.
fn oracle(scenario: &Scenario, actor: &str) -> rules::Expected {
    let cables = rules::all_cables(scenario).unwrap();
    rules::expected_exposure(scenario, &cables)
        .remove(actor)
        .unwrap_or_else(|| panic!("no actor {actor} in {}", scenario.name))
}

/// Asserts two sets of cable ids are equal; on failure names what is
/// missing and what is extra rather than printing hundreds of ids.
#[track_caller]
fn assert_ids(actual: &BTreeSet<String>, expected: &BTreeSet<String>, what: &str) {
    if actual == expected {
        return;
    }
    let missing: Vec<&String> = expected.difference(actual).take(5).collect();
    let extra: Vec<&String> = actual.difference(expected).take(5).collect();
    panic!(
        "{what}: {} ids, expected {}; missing {} (first {missing:?}), extra {} (first {extra:?})",
        actual.len(),
        expected.len(),
        expected.difference(actual).count(),
        actual.difference(expected).count(),
    );
}

fn as_set(ids: &[String]) -> BTreeSet<String> {
    ids.iter().cloned().collect()
}

/// The content ids of one actor in a report.
fn content(report: &RunReport, actor: &str) -> BTreeSet<String> {
    as_set(&find(report, actor).content)
}

/// The routing ids of one actor in a report.
fn routing(report: &RunReport, actor: &str) -> BTreeSet<String> {
    as_set(&find(report, actor).routing)
}

fn find<'a>(report: &'a RunReport, actor: &str) -> &'a cablesim::report::ActorReport {
    report
        .actors
        .iter()
        .find(|a| a.actor == actor)
        .unwrap_or_else(|| panic!("no actor {actor} in {}", report.scenario))
}

/// The scenario's cables that satisfy `keep` and are sent (at or below
/// `max_classification`), by id: sets stated straight from the rules
/// (ARCHITECTURE.md, "The world" to "The rules a run must produce") for a
/// story, to set beside the oracle's.
fn sent_where(scenario: &Scenario, keep: impl Fn(&Cable) -> bool) -> BTreeSet<String> {
    rules::all_cables(scenario)
        .unwrap()
        .into_iter()
        .filter(|c| c.classification <= scenario.security.max_classification && keep(c))
        .map(|c| c.id)
        .collect()
}

/// The scenario with `edit` applied to one node (found by name), the
/// network rebuilt around it: a per-node setting has no `--set`.
fn with_node(mut scenario: Scenario, name: &str, edit: impl Fn(&mut Node)) -> Scenario {
    let nodes = scenario.network.endpoints().cloned().map(|mut node| {
        if node.name == name {
            edit(&mut node);
        }
        node
    });
    scenario.network = Network::new(nodes).unwrap();
    scenario.validate().unwrap();
    scenario
}

// ------------------------------------------------------------ the catalog

#[test]
fn every_builtin_runs_every_cable_to_every_recipient() {
    let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
    assert_eq!(
        names,
        [
            "coreu-2018",
            "cablegate-2010",
            "darroch-2019",
            "ivbb-2018",
            "harvest-now-decrypt-later",
            "stolen-keys-later",
            "hotel-wifi-mitm",
            "forged-instruction",
        ]
    );
    for builtin in BUILTIN {
        let scenario = builtin.load().unwrap_or_else(|e| panic!("{e}"));
        assert!(!scenario.adversaries.is_empty(), "{}: no incident", builtin.name);
        // `run` checks the cables sent and delivered, and every actor's
        // take, against the rules.
        run(&scenario);
    }
}

/// Every "Shown by" command in `cablesim explain` names a built-in and
/// applies to it: a renamed scenario or field cannot leave a dead hint.
#[test]
fn every_explain_hint_runs_a_builtin() {
    let mut hinted_kinds = 0;
    for topic in EXPLAIN_TOPICS {
        let text = explain_topic(topic).unwrap();
        let Some((_, hint)) = text.split_once("Shown by: ") else {
            continue;
        };
        hinted_kinds += usize::from(text.contains("(adversary)"));
        let commands: Vec<&str> = hint.split('`').skip(1).step_by(2).collect();
        assert!(!commands.is_empty(), "{topic}: {hint}");
        for command in commands {
            let words: Vec<&str> = command.split_whitespace().collect();
            let ["cablesim", "run", name, options @ ..] = words.as_slice() else {
                panic!("{topic}: not a run command: {command}");
            };
            assert!(BUILTIN.iter().any(|b| b.name == *name), "{topic}: {name}");
            let mut scenario = builtin(name);
            for pair in options.chunks(2) {
                match pair {
                    ["--config", preset] => scenario.apply_preset(preset.parse::<Preset>().unwrap()),
                    ["--set", assignment] => scenario.apply_set(assignment).unwrap(),
                    _ => panic!("{topic}: unexpected options in {command}"),
                }
            }
        }
    }
    assert_eq!(
        hinted_kinds,
        AdversaryKind::ALL.len(),
        "every adversary kind names its scenario"
    );
}

// ------------------------------------------------------------- coreu-2018

#[test]
fn coreu_the_phished_ministry_reads_every_cable_under_every_preset() {
    let base = builtin("coreu-2018");
    let every_sent = sent_where(&base, |_| true);
    assert!((1200..=1400).contains(&every_sent.len()), "{}", every_sent.len());
    for preset in Preset::ALL {
        let mut scenario = base.clone();
        scenario.apply_preset(preset);
        let report = run(&scenario);
        assert_ids(&content(&report, "phishers"), &every_sent, preset.name());
        assert_ids(&oracle(&scenario, "phishers").content, &every_sent, preset.name());
    }
}

#[test]
fn coreu_need_to_know_leaves_the_ministry_its_own_cables() {
    let mut scenario = builtin("coreu-2018");
    scenario.apply_set("distribution=need-to-know").unwrap();
    let report = run(&scenario);
    let leaked = content(&report, "phishers");
    assert_ids(&leaked, &oracle(&scenario, "phishers").content, "the oracle's set");
    // Only what cy-mfa sent or was addressed: under a tenth of the network.
    let involving_cy = sent_where(&scenario, |c| c.from == "cy-mfa" || c.to.iter().any(|t| t == "cy-mfa"));
    assert_ids(&leaked, &involving_cy, "cables to or from cy-mfa");
    assert!(leaked.len() * 10 < report.cables.sent as usize, "{}", leaked.len());
}

#[test]
fn coreu_retention_limits_the_reach_into_the_past() {
    let mut scenario = builtin("coreu-2018");
    scenario.apply_set("retention_days=90").unwrap();
    let report = run(&scenario);
    let leaked = content(&report, "phishers");
    assert_ids(&leaked, &oracle(&scenario, "phishers").content, "the oracle's set");
    // The malware lands on day 30, so everything is still kept on arrival:
    // retention changes nothing here, which is the lesson — it limits the
    // past, and this intrusion had little past to read.
    assert_ids(&leaked, &sent_where(&scenario, |_| true), "every cable sent");
}

#[test]
fn coreu_detection_after_ninety_days_stops_the_live_feed() {
    let mut scenario = builtin("coreu-2018");
    scenario.adversaries[0].window = DayWindow::new(30, Some(120));
    scenario.validate().unwrap();
    let report = run(&scenario);
    let leaked = content(&report, "phishers");
    assert_ids(&leaked, &oracle(&scenario, "phishers").content, "the oracle's set");
    assert_ids(
        &leaked,
        &sent_where(&scenario, |c| c.day < 120),
        "cables before day 120",
    );
}

// --------------------------------------------------------- cablegate-2010

#[test]
fn cablegate_the_insider_exports_the_whole_archive_of_its_day() {
    let scenario = builtin("cablegate-2010");
    assert_eq!(scenario.network.endpoints().count(), 275, "274 posts and State");
    assert_eq!(scenario.adversaries[0].day(), 360);
    let report = run(&scenario);
    let export = content(&report, "insider");
    assert_ids(&export, &oracle(&scenario, "insider").content, "the oracle's set");
    // Need-to-know does not matter: the central archive holds everything
    // relayed before the insider's day, in plaintext.
    assert_ids(
        &export,
        &sent_where(&scenario, |c| c.day < 360),
        "cables before day 360",
    );
    assert_ids(&routing(&report, "insider"), &export, "export routing");

    // The export's levels are those of the exported cables, and these
    // follow the published mix to within a percentage point.
    let levels: BTreeMap<Classification, u64> = rules::all_cables(&scenario)
        .unwrap()
        .into_iter()
        .filter(|c| export.contains(&c.id))
        .fold(BTreeMap::new(), |mut counts, c| {
            *counts.entry(c.classification).or_default() += 1;
            counts
        });
    let reported: BTreeMap<Classification, u64> = find(&report, "insider")
        .by_classification
        .iter()
        .filter(|(_, counts)| counts.content > 0)
        .map(|(level, counts)| (*level, counts.content))
        .collect();
    assert_eq!(reported, levels);
    let published = [
        (Classification::Unclassified, 133_887.0),
        (Classification::Confidential, 101_748.0),
        (Classification::Secret, 15_652.0),
    ];
    assert_eq!(levels.len(), published.len(), "{levels:?}");
    for (level, count) in published {
        let share = levels[&level] as f64 / export.len() as f64;
        let want = count / 251_287.0;
        assert!((share - want).abs() < 0.01, "{level}: {share:.4} vs {want:.4}");
    }
}

#[test]
fn cablegate_at_full_size_has_exactly_the_published_mix() {
    let mut scenario = builtin("cablegate-2010");
    assert_eq!(scenario.generated_cables, 2513, "a hundredth by default");
    scenario.apply_set("cables=251287").unwrap();
    // Quotas are exact, so the counts are the published ones to the cable.
    assert_eq!(scenario.mix.quotas(251_287), [133_887, 0, 0, 101_748, 15_652]);
    let generator = scenario.generator().unwrap();
    let mut counts = [0u64; 5];
    for cable in generator.cables() {
        counts[cable.classification as usize] += 1;
    }
    assert_eq!(counts, [133_887, 0, 0, 101_748, 15_652]);
}

#[test]
fn cablegate_end_to_end_encryption_leaves_the_export_headers_only() {
    let mut scenario = builtin("cablegate-2010");
    scenario.apply_preset(Preset::E2eFs);
    let report = run(&scenario);
    let want = oracle(&scenario, "insider");
    assert!(want.content.is_empty());
    assert!(content(&report, "insider").is_empty());
    let headers = sent_where(&scenario, |c| c.day < 360);
    assert_ids(&routing(&report, "insider"), &headers, "export routing");
}

// ----------------------------------------------------------- darroch-2019

#[test]
fn darroch_the_insider_recipient_reads_every_telegram_kept() {
    let scenario = builtin("darroch-2019");
    let report = run(&scenario);
    // Broadcast and nothing ever deleted: three years of every telegram.
    let everything = sent_where(&scenario, |_| true);
    assert_ids(&content(&report, "insider"), &everything, "every telegram sent");
}

#[test]
fn darroch_retention_shrinks_the_harvest() {
    let mut scenario = builtin("darroch-2019");
    let everything = sent_where(&scenario, |_| true);
    scenario.apply_set("retention_days=90").unwrap();
    let report = run(&scenario);
    let leaked = content(&report, "insider");
    assert_ids(&leaked, &oracle(&scenario, "insider").content, "the oracle's set");
    // On arrival (day 365) the department keeps cables with 365 − day <
    // 90, i.e. days 276 on; then two years of arrivals.
    let kept = sent_where(&scenario, |c| c.day > 365 - 90);
    assert_ids(&leaked, &kept, "telegrams from day 276 on");
    assert!(leaked.len() < everything.len());
}

// -------------------------------------------------------------- ivbb-2018

#[test]
fn ivbb_the_backbone_reads_its_year_and_the_archive() {
    let scenario = builtin("ivbb-2018");
    let report = run(&scenario);
    let leaked = content(&report, "snake");
    assert_ids(&leaked, &oracle(&scenario, "snake").content, "the oracle's set");
    // The archive taken on day 120 and everything relayed until day 485.
    assert_ids(
        &leaked,
        &sent_where(&scenario, |c| c.day < 485),
        "cables before day 485",
    );
    assert!(report.alarms.is_empty(), "{:?}", report.alarms);
}

#[test]
fn ivbb_end_to_end_with_pinning_leaves_the_backbone_nothing() {
    let mut scenario = builtin("ivbb-2018");
    scenario.apply_preset(Preset::E2eFs);
    let report = run(&scenario);
    assert!(content(&report, "snake").is_empty());
    let headers = sent_where(&scenario, |c| c.day < 485);
    assert_ids(&routing(&report, "snake"), &headers, "backbone routing");
    // The ghost key the hub slipped into the directory was refused: one
    // pinning alarm each time a sender checks a recipient's entry in a
    // directory fetched while the hub was taken. Senders fetch on day 0,
    // on the hub's first and last days (120, 485) and on the first day of
    // each 7-day epoch; so the fetches of days 120, 126, 133, ..., 483
    // (epochs 17 to 69: the day-120 fetch, then 52 epoch starts) each
    // count, per sender, the distinct recipients it sealed for until the
    // next fetch. The rules' count of that, 782 for this seed:
    let cables = rules::all_cables(&scenario).unwrap();
    let alarms = rules::expected_alarms(&scenario, &cables)["snake"];
    assert_eq!(alarms, 782);
    assert_eq!(find(&report, "snake").alarms, alarms);
    assert_eq!(report.alarms.len() as u64, alarms);
    assert!(report.alarms.iter().all(|a| a.kind == AlarmKind::KeyPinning));
    assert!(report.alarms.iter().all(|a| (120..485).contains(&a.day)));
}

#[test]
fn ivbb_without_pinning_the_ghost_key_reads_the_year_silently() {
    let mut scenario = builtin("ivbb-2018");
    scenario.apply_preset(Preset::E2eFs);
    scenario.apply_set("key_pinning=false").unwrap();
    let report = run(&scenario);
    let leaked = content(&report, "snake");
    assert_ids(&leaked, &oracle(&scenario, "snake").content, "the oracle's set");
    // Only what was sealed while the ghost was in the directory.
    let window = sent_where(&scenario, |c| (120..485).contains(&c.day));
    assert_ids(&leaked, &window, "cables of days 120-484");
    assert!(report.alarms.is_empty(), "{:?}", report.alarms);
}

// ---------------------------------------------- harvest-now-decrypt-later

/// The cables of harvest-now-decrypt-later's archive copy (every cable of
/// days 0-364) and of its tapped link (to or from del-geneva, days 0-729).
fn harvest_sets(scenario: &Scenario) -> (BTreeSet<String>, BTreeSet<String>) {
    let geneva = |c: &Cable| c.from == "del-geneva" || c.to.iter().any(|t| t == "del-geneva");
    let archive = sent_where(scenario, |c| c.day < 365);
    let recorded = sent_where(scenario, |c| c.day < 730 && geneva(c));
    (archive, recorded)
}

#[test]
fn harvest_a_quantum_computer_opens_the_recording_and_the_archive() {
    let scenario = builtin("harvest-now-decrypt-later");
    let (archive, recorded) = harvest_sets(&scenario);
    let everything: BTreeSet<String> = archive.union(&recorded).cloned().collect();
    let report = run(&scenario);
    assert_ids(&content(&report, "state"), &everything, "archive and recording");
    assert_ids(&routing(&report, "state"), &everything, "archive and recording");
    // Forward secrecy changes nothing: the public halves stay recorded.
    let mut fs = scenario.clone();
    fs.apply_set("e2e=forward-secret").unwrap();
    assert_ids(&content(&run(&fs), "state"), &everything, "forward secrecy");
}

#[test]
fn harvest_only_hybrid_key_agreement_on_both_keeps_it_closed() {
    let scenario = builtin("harvest-now-decrypt-later");
    let (archive, recorded) = harvest_sets(&scenario);
    let everything: BTreeSet<String> = archive.union(&recorded).cloned().collect();
    let none = BTreeSet::new();
    for (post_quantum, content_want, routing_want) in [
        // The links stay closed; the archive's envelopes still open.
        ("transport", &archive, &archive),
        // No text opens; the tapped link's classical TLS still shows headers.
        ("e2e", &none, &everything),
        // Closed, but for the archive's headers, which the hub routes by.
        ("both", &none, &archive),
    ] {
        let mut variant = scenario.clone();
        variant.apply_set(&format!("post_quantum={post_quantum}")).unwrap();
        let report = run(&variant);
        assert_ids(&content(&report, "state"), content_want, post_quantum);
        assert_ids(&routing(&report, "state"), routing_want, post_quantum);
    }
}

// ------------------------------------------------------ stolen-keys-later

#[test]
fn stolen_keys_a_static_key_opens_the_old_recording() {
    let scenario = builtin("stolen-keys-later");
    let report = run(&scenario);
    let opened = content(&report, "state");
    assert_ids(&opened, &oracle(&scenario, "state").content, "the oracle's set");
    // Everything recorded that was addressed to the mission; not what the
    // mission itself sent (no wrap for the sender), which stays routing.
    let addressed = sent_where(&scenario, |c| c.day < 365 && c.to.iter().any(|t| t == "del-geneva"));
    assert_ids(&opened, &addressed, "recorded cables to del-geneva");
    assert!(!opened.is_empty());
    let recorded = sent_where(&scenario, |c| {
        c.day < 365 && (c.from == "del-geneva" || c.to.iter().any(|t| t == "del-geneva"))
    });
    assert_ids(&routing(&report, "state"), &recorded, "recorded cables");
}

#[test]
fn stolen_keys_forward_secrecy_keeps_the_recording_closed() {
    let static_keys = builtin("stolen-keys-later");
    for variant in ["set", "preset"] {
        let mut scenario = static_keys.clone();
        if variant == "set" {
            scenario.apply_set("e2e=forward-secret").unwrap();
        } else {
            scenario.apply_preset(Preset::E2eFs);
            scenario.apply_set("transport=plain").unwrap();
        }
        let report = run(&scenario);
        // The key stolen on day 1000 belongs to an epoch long after the
        // recording stopped: it opens nothing recorded.
        assert!(oracle(&scenario, "state").content.is_empty(), "{variant}");
        assert!(content(&report, "state").is_empty(), "{variant}");
        let recording = oracle(&static_keys, "state").routing;
        assert_ids(&routing(&report, "state"), &recording, variant);
    }
}

// -------------------------------------------------------- hotel-wifi-mitm

#[test]
fn hotel_wifi_a_client_that_skips_the_check_is_read_both_ways() {
    let scenario = builtin("hotel-wifi-mitm");
    let report = run(&scenario);
    let read = content(&report, "wifi");
    assert_ids(&read, &oracle(&scenario, "wifi").content, "intercepted");
    let summit = |c: &Cable| c.from == "del-summit" || c.to.iter().any(|t| t == "del-summit");
    let summit_days = sent_where(&scenario, |c| (12..17).contains(&c.day) && summit(c));
    assert_ids(&read, &summit_days, "del-summit's cables of days 12-16");
    assert!(!read.is_empty());
    assert!(report.alarms.is_empty(), "{:?}", report.alarms);

    // A network-wide `--set verify_server=true` does not reach a node
    // with its own setting: the override wins, and the leak stays.
    let mut network_wide = scenario.clone();
    network_wide.apply_set("verify_server=true").unwrap();
    let report = run(&network_wide);
    assert_ids(&content(&report, "wifi"), &read, "with --set verify_server=true");
}

#[test]
fn hotel_wifi_verifying_the_hub_stops_it_with_one_alarm() {
    let scenario = with_node(builtin("hotel-wifi-mitm"), "del-summit", |node| {
        node.verify_server = Some(true);
    });
    let report = run(&scenario);
    assert!(content(&report, "wifi").is_empty());
    assert!(routing(&report, "wifi").is_empty());
    assert!(find(&report, "wifi").traffic_frames > 0, "bytes still pass through it");
    let refused: Vec<_> = report
        .alarms
        .iter()
        .filter(|a| a.kind == AlarmKind::CertificateRejected)
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!((refused[0].day, refused[0].node.as_str()), (12, "del-summit"));
    assert_eq!(report.alarms.len(), 1);
    assert_eq!(find(&report, "wifi").alarms, 1);
}

// ----------------------------------------------------- forged-instruction

#[test]
fn forged_instructions_are_believed_without_signatures() {
    let scenario = builtin("forged-instruction");
    let report = run(&scenario);
    let want = oracle(&scenario, "forger");
    // Four days, one forgery a day, each to the six ministries: four
    // forged cables, 24 acceptances.
    assert_eq!((want.forged_cables, want.forged_accepted), (4, 4 * 6));
    let forger = find(&report, "forger");
    assert_eq!((forger.forged_cables, forger.forged_accepted), (4, 24));
    assert!(report.alarms.is_empty(), "{:?}", report.alarms);
}

#[test]
fn forged_instructions_are_refused_with_signatures() {
    let unsigned = builtin("forged-instruction");
    let mut scenario = unsigned.clone();
    scenario.apply_set("signatures=true").unwrap();
    let report = run(&scenario);
    assert_eq!(oracle(&scenario, "forger").forged_accepted, 0);
    assert_eq!(oracle(&scenario, "forger").forged_cables, 0);
    assert_eq!(find(&report, "forger").forged_accepted, 0);
    assert_eq!(find(&report, "forger").forged_cables, 0);
    // One alarm for each forgery each ministry would have believed.
    let attempts = oracle(&unsigned, "forger").forged_accepted;
    assert_eq!(find(&report, "forger").alarms, attempts);
    assert_eq!(report.alarms.len() as u64, attempts);
    assert!(report.alarms.iter().all(|a| a.kind == AlarmKind::Signature));
}
