//! `cablesim demo`: the incident replayed under each mitigation gives
//! exactly the figures the rules of ARCHITECTURE.md give for
//! each variant, end-to-end encryption changes nothing against an
//! endpoint, and the command's output reads well in a pipe and in 80
//! columns.

use crate::support::{rules, runs};

use std::collections::BTreeSet;
use std::process::Command;

use cablesim::model::{Distribution, E2eMode, Transport};
use cablesim::report::{Comparison, ComparisonRow, Palette, Taken};
use cablesim::scenario::{
    Change, Mitigation, Replays, Runner, STANDARD_MITIGATIONS, Scenario, Sharing, Story, mitigation_table,
    mitigation_table_with, resolve, tell,
};

/// A broadcast network of four ministries, hq and two missions, links
/// under mutual TLS and nothing end to end, and malware on one ministry
/// from day 120 on: late enough that 90-day retention has old cables to
/// delete, with a long live feed for detection to cut.
fn incident() -> Scenario {
    let text = include_str!("../fixtures/small-incident.toml");
    Scenario::from_toml_str(text, "small-incident.toml").unwrap()
}

/// What the rules say all actors of `scenario` take together.
fn expected(scenario: &Scenario) -> Taken {
    let cables = rules::all_cables(scenario).unwrap();
    let (mut content, mut routing, mut forged_accepted) = (BTreeSet::new(), BTreeSet::new(), 0);
    for actor in rules::expected_exposure(scenario, &cables).into_values() {
        content.extend(actor.content);
        routing.extend(actor.routing);
        forged_accepted += actor.forged_accepted;
    }
    Taken {
        content: content.len() as u64,
        routing: routing.len() as u64,
        forged_accepted,
    }
}

/// `scenario` after `assignments`, built here rather than by the library,
/// so that a variant the library gets wrong shows up as a wrong figure.
fn with_sets(scenario: &Scenario, assignments: &[&str]) -> Scenario {
    let mut variant = scenario.clone();
    for assignment in assignments {
        variant.apply_set(assignment).unwrap();
    }
    variant
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mitigation_table_has_the_figures_of_the_rules() {
    let scenario = incident();
    // A scenario without a story of its own is replayed under the
    // standard measures.
    assert_eq!(Story::of(&scenario).mitigations, STANDARD_MITIGATIONS);
    let table = mitigation_table(&scenario, STANDARD_MITIGATIONS).await.unwrap();

    let mut detected = scenario.clone();
    detected.adversaries[0].window.until = Some(150);
    let variants = [
        (
            "need-to-know distribution",
            with_sets(&scenario, &["distribution=need-to-know"]),
        ),
        ("90-day retention", with_sets(&scenario, &["retention_days=90"])),
        ("detected within 30 days", detected),
        (
            "end-to-end encryption (e2e-fs)",
            with_sets(
                &scenario,
                &["e2e=forward-secret", "signatures=true", "key_pinning=true"],
            ),
        ),
        (
            "need-to-know + 90-day retention",
            with_sets(&scenario, &["distribution=need-to-know", "retention_days=90"]),
        ),
    ];

    let baseline = expected(&scenario);
    assert_eq!(table.baseline, baseline);
    assert_eq!(table.rows.len(), variants.len());
    for (row, (label, variant)) in table.rows.iter().zip(&variants) {
        assert_eq!(row.label, *label);
        assert_eq!(row.taken, expected(variant), "{label}");
        assert!(!row.in_baseline, "{label}");
    }

    // Every measure but encryption cuts the take; encryption changes
    // nothing, because the malware reads what the ministry reads.
    let e2e = &table.rows[3];
    assert_eq!(e2e.taken, table.baseline);
    assert!(table.unchanged(e2e));
    for (i, row) in table.rows.iter().enumerate().filter(|(i, _)| *i != 3) {
        assert!(row.taken.content < baseline.content, "{i}: {row:?}");
    }
    // The combination is at least as good as each of its parts.
    assert!(table.rows[4].taken.content <= table.rows[0].taken.content.min(table.rows[1].taken.content));

    // Retention and detection are measured beside other runs (the
    // baseline's; need to know's for the combination), so the figures
    // above are those of folders kept under 90 days beside the nodes' own.
    let marks: Vec<(bool, Option<&str>)> = table.rows.iter().map(|r| (r.shared, r.shared_run.as_deref())).collect();
    let need_to_know = Some("need-to-know distribution");
    assert_eq!(
        marks,
        [
            (false, None),
            (true, None),
            (true, None),
            (false, None),
            (true, need_to_know)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_measure_already_in_place_is_the_baseline_and_says_so() {
    const ALREADY: &[Mitigation] = &[Mitigation {
        label: "mutual TLS",
        changes: &[Change::Set("transport=mtls")],
        if_unchanged: "does not help.",
    }];
    let table = mitigation_table(&incident(), ALREADY).await.unwrap();
    assert!(table.rows[0].in_baseline);
    assert_eq!(table.rows[0].taken, table.baseline);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_of_a_scenario_without_one_fits_80_columns_in_a_pipe() {
    let mut out = Vec::new();
    let table = tell(&incident(), Palette::new(false), false, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('\x1b'), "{text}");
    assert!(text.lines().all(|line| line.chars().count() <= 80), "{text}");
    assert!(text.starts_with("small-incident: one phished ministry"), "{text}");
    assert!(
        text.contains(&format!("apt (endpoint@be-mfa): {} cables", table.baseline.content)),
        "{text}"
    );
    assert!(text.contains("end-to-end encryption (e2e-fs) does not help"), "{text}");
}

/// One row of a printed mitigation table: the label (without the `*`
/// that marks a measure already in place), cables taken, headers seen.
fn table_rows<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, u64, u64)> {
    lines
        .skip_while(|line| !line.trim_start().starts_with("mitigation"))
        .skip_while(|line| !line.trim_start().starts_with("---"))
        .skip(1)
        // Rows end at a blank line or at the footnotes on `*`, `†` and `‡`.
        .take_while(|line| !line.trim().is_empty() && !line.trim_start().starts_with(['*', '†', '‡']))
        .map(|line| {
            let fields: Vec<&str> = line.split("  ").map(str::trim).filter(|f| !f.is_empty()).collect();
            let [label, content, routing, _change] = fields[..] else {
                panic!("not a row of the mitigation table: {line:?}");
            };
            let number = |n: &str| n.parse::<u64>().unwrap_or_else(|e| panic!("{n:?} in {line:?}: {e}"));
            let label = [" *", " †", " ‡"]
                .iter()
                .fold(label, |label, mark| label.trim_end_matches(mark))
                .to_owned();
            (label, number(content), number(routing))
        })
        .collect()
}

/// The fenced block of README.md that shows the demo's mitigation table,
/// line by line.
fn readme_table() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut blocks = readme.split("```").skip(1).step_by(2);
    let block = blocks
        .find(|block| block.contains("cables taken") && block.contains("mitigation"))
        .expect("README.md shows the demo's mitigation table in a fenced block");
    // The info string (`text`) ends the fence's first line.
    block.lines().skip(1).map(str::to_owned).collect()
}

/// What the rules say the actors of `scenario` take together: distinct
/// cables whose canary some actor recovered, and whose header some actor
/// decoded.
fn taken_by_rules(scenario: &Scenario) -> (u64, u64) {
    let cables = rules::all_cables(scenario).unwrap();
    let (mut content, mut routing) = (BTreeSet::new(), BTreeSet::new());
    for actor in rules::expected_exposure(scenario, &cables).into_values() {
        content.extend(actor.content);
        routing.extend(actor.routing);
    }
    (content.len() as u64, routing.len() as u64)
}

/// `cablesim demo` (COREU, the default) run once: its output reads well in
/// a pipe and in 80 columns, its mitigation table has the figures of the
/// rules for each measure, built here by hand, and README.md shows that
/// same table, so the README cannot go stale.
#[test]
fn cablesim_demo_of_coreu_prints_the_rules_figures_as_readme_shows_them() {
    let out = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .arg("demo")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains('\x1b'), "{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "{} columns: {line}", line.chars().count());
    }
    assert!(text.starts_with("COREU, 2018"), "{text}");
    assert!(
        text.contains("mitigation") && text.contains("cables taken") && text.contains("headers seen"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|line| line.contains("end-to-end encryption (e2e-fs) does not help: unchanged")),
        "{text}"
    );
    assert!(text.contains("What it teaches"), "{text}");

    // Each measure of the COREU story, applied by hand to the incident.
    let coreu = cablesim::scenario::resolve("coreu-2018").unwrap();
    let variant = |edit: &dyn Fn(&mut Scenario)| {
        let mut variant = coreu.clone();
        edit(&mut variant);
        variant
    };
    let need_to_know = |s: &mut Scenario| s.security.distribution = Distribution::NeedToKnow;
    let retention = |s: &mut Scenario| s.security.retention_days = Some(90);
    let variants = [
        ("none (as it happened)", coreu.clone()),
        ("need-to-know distribution", variant(&need_to_know)),
        ("90-day retention", variant(&retention)),
        (
            "detected within 30 days",
            variant(&|s: &mut Scenario| {
                for spec in &mut s.adversaries {
                    spec.window.until = Some(spec.window.from + 30);
                }
            }),
        ),
        (
            "end-to-end encryption (e2e-fs)",
            variant(&|s: &mut Scenario| {
                s.security.transport = Transport::Mtls;
                s.security.e2e = E2eMode::ForwardSecret;
                s.security.signatures = true;
                s.security.key_pinning = true;
            }),
        ),
        (
            "no encryption at all (plaintext)",
            variant(&|s: &mut Scenario| {
                s.security.transport = Transport::Plain;
                s.security.e2e = E2eMode::Off;
                s.security.signatures = false;
            }),
        ),
        (
            "need-to-know + 90-day retention",
            variant(&|s: &mut Scenario| {
                need_to_know(s);
                retention(s);
            }),
        ),
    ];
    let printed = table_rows(text.lines());
    let labels: Vec<&str> = printed.iter().map(|(label, ..)| label.as_str()).collect();
    assert_eq!(labels, variants.iter().map(|(label, _)| *label).collect::<Vec<_>>());
    for ((label, content, routing), (_, variant)) in printed.iter().zip(&variants) {
        assert_eq!((*content, *routing), taken_by_rules(variant), "{label}");
    }
    // The figures README.md states, and where they come from: the malware
    // on cy-mfa from day 30 reads every cable sent (at or below
    // `restricted`), since broadcast gives a ministry all of them, whatever
    // the crypto, and retention does not help because it reads them as
    // they arrive; need-to-know leaves the cables cy-mfa sent or was
    // addressed on; found after 30 days, it has what the ministry held on
    // day 30 and what arrived until day 60: every cable of days 0-59.
    let sent: Vec<_> = rules::all_cables(&coreu)
        .unwrap()
        .into_iter()
        .filter(|c| c.classification <= coreu.security.max_classification)
        .collect();
    let own = sent
        .iter()
        .filter(|c| c.from == "cy-mfa" || c.to.iter().any(|t| t == "cy-mfa"));
    let before_60 = sent.iter().filter(|c| c.day < 60);
    let (all, own, before_60) = (sent.len() as u64, own.count() as u64, before_60.count() as u64);
    assert_eq!((all, own, before_60), (1290, 65, 72));
    let figures: Vec<u64> = printed.iter().map(|(_, content, _)| *content).collect();
    assert_eq!(figures, [all, own, all, before_60, all, all, own]);

    // README.md shows exactly this table.
    let readme = readme_table();
    let start = text
        .lines()
        .position(|line| line == readme[0])
        .unwrap_or_else(|| panic!("the demo prints no line {:?} (README.md's table header)", readme[0]));
    let shown: Vec<&str> = text.lines().skip(start).take(readme.len()).collect();
    assert_eq!(
        shown, readme,
        "README.md's mitigation table differs from what `cablesim demo` prints"
    );
    assert_eq!(table_rows(readme.iter().map(String::as_str)), printed);
}

#[test]
fn fail_demo_of_an_unknown_scenario_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(["demo", "no-such-incident"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-incident"));
}

/// `table` with every row's `shared` mark cleared: what a table measured
/// with runs of their own says.
fn unmarked(table: &Comparison) -> Comparison {
    let mut table = table.clone();
    for row in &mut table.rows {
        row.shared = false;
        row.shared_run = None;
    }
    table
}

/// The labels of the rows `table` measured in another run, the
/// baseline's or another row's.
fn shared_labels(table: &Comparison) -> Vec<&str> {
    table
        .rows
        .iter()
        .filter(|r| r.shared)
        .map(|r| r.label.as_str())
        .collect()
}

/// `text` with `adversaries` in place of its own.
fn with_adversaries(text: &str, adversaries: &str) -> Scenario {
    let head = text.split("[[adversary]]").next().unwrap();
    Scenario::from_toml_str(&format!("{head}{adversaries}"), "inline.toml").unwrap()
}

/// `scenario`'s table as runs of their own measure it, built here: each
/// row's variant run alone, the baseline's figures for a row that leaves
/// the scenario as it is. The runs are the test binary's shared ones
/// (`support/runs.rs`), made as `cablesim run` makes them, so a variant
/// the stories of `builtin_scenarios.rs` also run is run once.
fn each_alone(scenario: &Scenario, mitigations: &[Mitigation]) -> Comparison {
    let baseline = Taken::of(&runs::report(scenario));
    let rows = mitigations
        .iter()
        .map(|mitigation| {
            let variant = mitigation.apply(scenario).unwrap();
            let in_baseline = variant == *scenario;
            ComparisonRow {
                label: mitigation.label.to_owned(),
                taken: if in_baseline {
                    baseline
                } else {
                    Taken::of(&runs::report(&variant))
                },
                in_baseline,
                shared: false,
                shared_run: None,
            }
        })
        .collect();
    Comparison {
        scenario: scenario.name.clone(),
        baseline,
        rows,
    }
}

/// Every demo's rows, measured both ways — detection rows in the
/// baseline's run where the rules allow it, then every row in a run of its
/// own — have exactly the same figures; and sharing is decided by the
/// adversaries' kinds: passive ones share (an endpoint, a tap with a key
/// thief, a hub that adds no ghost keys), a forger or a man in the middle
/// refuses, alone or beside a passive one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_has_the_same_figures_shared_or_in_a_run_of_its_own() {
    const FOUND: &[Mitigation] = &[Mitigation {
        label: "detected within 2 days",
        changes: &[Change::Dwell(2)],
        if_unchanged: "does not help.",
    }];
    let small = incident();
    let small_text = include_str!("../fixtures/small-incident.toml");
    let mitm = resolve("hotel-wifi-mitm").unwrap();
    let tap_and_forger = with_adversaries(
        small_text,
        "[[adversary]]\nkind = \"tap\"\nat = \"be-mfa\"\nfrom_day = 100\nactor = \"apt\"\n\
         [[adversary]]\nkind = \"forger\"\nimpersonate = \"hq\"\nfrom_day = 100\nuntil_day = 110\nactor = \"apt\"\n",
    );
    let hub = with_adversaries(small_text, "[[adversary]]\nkind = \"hub\"\nfrom_day = 100\n");
    // Retention and detection ride in the baseline's run; need to know
    // with retention in need to know's own.
    const RETENTION_AND_DETECTION: &[&str] = &[
        "90-day retention",
        "detected within 30 days",
        "need-to-know + 90-day retention",
    ];
    let cases: Vec<(Scenario, &[Mitigation], &[&str])> = vec![
        (small.clone(), STANDARD_MITIGATIONS, RETENTION_AND_DETECTION),
        (
            resolve("darroch-2019").unwrap(),
            Story::of(&resolve("darroch-2019").unwrap()).mitigations,
            RETENTION_AND_DETECTION,
        ),
        (
            resolve("ivbb-2018").unwrap(),
            Story::of(&resolve("ivbb-2018").unwrap()).mitigations,
            &["detected within 30 days"],
        ),
        (
            resolve("stolen-keys-later").unwrap(),
            Story::of(&resolve("stolen-keys-later").unwrap()).mitigations,
            &["recording found in 30 days"],
        ),
        (hub, STANDARD_MITIGATIONS, RETENTION_AND_DETECTION),
        (
            resolve("forged-instruction").unwrap(),
            Story::of(&resolve("forged-instruction").unwrap()).mitigations,
            &[],
        ),
        (mitm, FOUND, &[]),
        (tap_and_forger, FOUND, &[]),
    ];
    for (scenario, mitigations, shared) in cases {
        let name = &scenario.name;
        let together = mitigation_table_with(&scenario, mitigations, Sharing::Shared)
            .await
            .unwrap();
        assert_eq!(shared_labels(&together), shared, "{name}");
        assert_eq!(unmarked(&together), each_alone(&scenario, mitigations), "{name}");
        let hosted: Vec<(&str, &str)> = together
            .rows
            .iter()
            .filter_map(|row| Some((row.label.as_str(), row.shared_run.as_deref()?)))
            .collect();
        let in_need_to_know: &[(&str, &str)] = if shared == RETENTION_AND_DETECTION {
            &[("need-to-know + 90-day retention", "need-to-know distribution")]
        } else {
            &[]
        };
        assert_eq!(hosted, in_need_to_know, "{name}");
    }
}

/// COREU's demo measures its six measures in three runs, where runs of
/// their own would take six: the incident's, which its retention and
/// detection rows ride in and which end-to-end encryption already is;
/// need to know's, which need to know with retention rides in; and
/// plaintext's. The figures of those rows, and the marks that say where
/// each was measured, are checked against the rules and README.md by
/// `cablesim_demo_of_coreu_prints_the_rules_figures_as_readme_shows_them`,
/// whose `cablesim demo` makes these very runs; that a shared row and a
/// run of its own agree is checked run against run above, and that extra
/// actors leave a report as it is below.
#[test]
fn coreu_measures_six_measures_in_three_runs() {
    let coreu = resolve("coreu-2018").unwrap();
    let mitigations = Story::of(&coreu).mitigations;
    assert_eq!(mitigations.len(), 6);
    let shared = Replays::plan(&coreu, mitigations, Sharing::Shared).unwrap();
    let alone = Replays::plan(&coreu, mitigations, Sharing::EachAlone).unwrap();
    assert_eq!(
        shared.shared(),
        [
            "90-day retention",
            "detected within 30 days",
            "need-to-know + 90-day retention"
        ]
    );
    assert_eq!(alone.shared(), Vec::<&str>::new());
    assert_eq!((shared.runs(), alone.runs()), (3, 6));
}

/// Side groups under another retention (`measuring_also_retaining`): the
/// small incident's malware, beside its own run, takes what the rules give
/// it under 90-day retention, and under the run's own retention exactly
/// what the run's adversary takes; beside a 90-day run, kept for ever, it
/// takes what the rules give the incident as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn side_groups_under_another_retention_take_what_the_rules_give_it() {
    let small = incident();
    let kept = with_sets(&small, &["retention_days=90"]);
    let malware = small.adversaries.clone();
    let outcome = Runner::new(small.clone())
        .measuring_also_retaining(malware.clone(), Some(90))
        .measuring_also_retaining(malware.clone(), None)
        .run()
        .await
        .unwrap();
    assert_eq!(outcome.also, [expected(&kept), expected(&small)]);
    assert_eq!(outcome.also[1], Taken::of(&outcome.report));
    assert!(outcome.also[0].content < outcome.also[1].content, "{:?}", outcome.also);

    let back = Runner::new(kept.clone())
        .measuring_also_retaining(malware, None)
        .run()
        .await
        .unwrap();
    assert_eq!(back.also, [expected(&small)]);
    assert_eq!(Taken::of(&back.report), expected(&kept));
}

/// A table given the report of a baseline run that measured none of the
/// rows meant to ride in it fails with the first such row, and why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_a_shared_row_the_baseline_run_did_not_measure() {
    let small = incident();
    let replays = Replays::plan(&small, STANDARD_MITIGATIONS, Sharing::Shared).unwrap();
    // The baseline's run, without `replays.baseline(..)`: no side group.
    let outcome = Runner::new(small).run().await.unwrap();
    assert_eq!(outcome.also, []);
    let Err(err) = replays.finish(&outcome.report, &outcome.also, |_| {}).await else {
        panic!("a table without its shared rows' figures");
    };
    assert_eq!(
        err.to_string(),
        "the run \"90-day retention\" stopped: the run it rides in did not measure it"
    );
}

/// Extra actors leave the run's own report exactly as a run without them
/// writes it, byte for byte in JSON, and stay out of the live tally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_actors_stay_out_of_the_report_and_the_tally() {
    let scenario = incident();
    let found = cablesim::scenario::with_dwell(scenario.clone(), 30).unwrap();
    let tallied = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let seen = tallied.clone();
    let with = Runner::new(scenario.clone())
        .measuring_also(found.adversaries.clone())
        .measuring_also(found.adversaries.clone())
        .with_progress(10, move |progress| {
            let mut seen = seen.lock().unwrap();
            seen.extend(progress.actors.iter().map(|a| (a.actor.clone(), progress.actors.len())));
        })
        .run()
        .await
        .unwrap();
    let without = Runner::new(scenario).run().await.unwrap();
    let json = |report| serde_json::to_string(report).unwrap();
    assert_eq!(json(&with.report), json(&without.report));
    assert_eq!(*tallied.lock().unwrap(), BTreeSet::from([("apt".to_owned(), 1)]));
    assert_eq!(with.also.len(), 2);
    assert_eq!(with.also[0], with.also[1]);
    assert!(with.also[0].content < Taken::of(&without.report).content);
    assert_eq!(without.also, []);
}

/// A quantum computer measured on the side gets the session secrets a run
/// of its own would record for it, and so takes exactly what the rules
/// give its actor alone, even when the run's own adversary is malware
/// that needs none of them: every cable its tap recorded under classical
/// mutual TLS (a broadcast network, so every cable of the tap's window
/// crosses its link), none of which the tap could read by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quantum_side_group_takes_what_the_rules_give_it_alone() {
    let text = include_str!("../fixtures/small-incident.toml");
    let endpoint = incident();
    let tap = "[[adversary]]\nkind = \"tap\"\nat = \"be-mfa\"\nfrom_day = 0\nuntil_day = 100\nactor = \"state\"\n";
    let quantum = "[[adversary]]\nkind = \"quantum\"\nfrom_day = 200\nactor = \"state\"\n";
    let alone = with_adversaries(text, &format!("{tap}{quantum}"));
    let outcome = Runner::new(endpoint)
        .measuring_also(alone.adversaries.clone())
        .run()
        .await
        .unwrap();
    let rules = expected(&alone);
    assert_eq!(outcome.also, [rules]);
    let window = alone.adversaries[0].window;
    let recorded = rules::all_cables(&alone)
        .unwrap()
        .iter()
        .filter(|c| window.contains(c.day))
        .count() as u64;
    assert_eq!(rules.content, recorded);
    assert_eq!(
        expected(&with_adversaries(text, tap)).content,
        0,
        "the tap alone reads nothing"
    );
}

/// A side group beside an adversary that changes the network, or beside
/// one of the caller's own kind, is refused before the run starts: its
/// figures could not be those of a run of its own.
#[test]
fn fail_a_side_group_beside_an_active_or_unknown_adversary() {
    let mitm = resolve("hotel-wifi-mitm").unwrap();
    let found = cablesim::scenario::with_dwell(mitm.clone(), 30).unwrap();
    let refused = Runner::new(mitm).measuring_also(found.adversaries).run_blocking();
    let Err(cablesim::scenario::RunError::Unsupported(reason)) = refused else {
        panic!("a side group beside a man in the middle ran");
    };
    assert!(reason.contains("a mitm adversary changes the network"), "{reason}");
}
