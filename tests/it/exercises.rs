//! The workshop exercises (README.md, "For trainers: a 45-minute session")
//! and the built-in scenarios' own `[[expect]]` entries.
//!
//! Each exercise in `examples/exercises/` must fail as shipped, with
//! exactly the expectations that state its goal failing, and its answer in
//! `examples/exercises/answers/` must pass every expectation while
//! changing only what the exercise leaves open. Every built-in scenario
//! must pass its own expectations: they state the scenario's lesson as
//! measured counts.

use crate::support::runs::{self as shared_runs, OncePerKey};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cablesim::report::RunReport;
use cablesim::scenario::locks::{changed_fields, locked_changes};
use cablesim::scenario::{
    BUILTIN, Checked, ConfigChoice, Exercise, Scenario, Verdict, check_expectations, distinct_configs, judge,
};

/// The seven exercises, in the order the trainer session uses them.
const EXERCISES: [&str; 7] = [
    "coreu-broadcast",
    "coreu-detection",
    "late-intruder",
    "hotel-wifi",
    "forged-instruction",
    "ghost-key",
    "harvest",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn exercise_path(name: &str) -> PathBuf {
    root().join("examples/exercises").join(format!("{name}.toml"))
}

fn answer_path(name: &str) -> PathBuf {
    root().join("examples/exercises/answers").join(format!("{name}.toml"))
}

fn load(path: &Path) -> Scenario {
    Scenario::load(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The expectations of the file at `path` checked, once for all the tests
/// below that read them (as shipped: failing goals; answered: passing;
/// both: the figures measured).
fn checked(path: &Path) -> Arc<Checked> {
    static CHECKED: OncePerKey<PathBuf, Checked> = OncePerKey::new();
    CHECKED.get(&path.to_path_buf(), || {
        let scenario = load(path);
        check_expectations(&scenario).unwrap_or_else(|e| panic!("{}: {e}", scenario.name))
    })
}

/// Checks a file's expectations and returns, per verdict, its
/// expectation's name, its config as printed, and whether it passed.
fn verdicts(path: &Path) -> Vec<(String, String, bool)> {
    let checked = checked(path);
    checked
        .verdicts
        .iter()
        .map(|v| (v.expectation.clone(), v.config.to_string(), v.passed))
        .collect()
}

/// Every comparison a check made, with the value measured, and every cable
/// id found out of place: "phishers content <= 50 measured 215",
/// "insider unexpected C-000001".
fn measured(path: &Path) -> Vec<String> {
    let checked = checked(path);
    let mut lines = Vec::new();
    for verdict in &checked.verdicts {
        for actor in &verdict.actors {
            for (comparison, value, _) in &actor.measured {
                lines.push(format!("{} {comparison} measured {value}", actor.actor));
            }
            for id in &actor.missing {
                lines.push(format!("{} missing {id}", actor.actor));
            }
            for id in &actor.unexpected {
                lines.push(format!("{} unexpected {id}", actor.actor));
            }
        }
    }
    lines
}

/// The names of the failed verdicts, in order.
fn failed(verdicts: &[(String, String, bool)]) -> Vec<&str> {
    verdicts
        .iter()
        .filter(|(_, _, passed)| !passed)
        .map(|(name, _, _)| name.as_str())
        .collect()
}

#[test]
fn the_exercise_directory_holds_exactly_the_exercises_and_their_answers() {
    for dir in ["examples/exercises", "examples/exercises/answers"] {
        let mut names: Vec<String> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
            .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let mut expected: Vec<String> = EXERCISES.iter().map(|n| (*n).to_owned()).collect();
        expected.sort();
        assert_eq!(names, expected, "{dir}");
    }
}

#[test]
fn every_exercise_is_named_after_its_file_and_has_a_task_a_hint_and_locks() {
    for name in EXERCISES {
        let scenario = load(&exercise_path(name));
        assert_eq!(scenario.name, name);
        let exercise = scenario
            .exercise
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no [exercise]"));
        assert!(!exercise.task.trim().is_empty(), "{name}: empty task");
        let hint = exercise.hint.as_deref().unwrap_or_else(|| panic!("{name}: no hint"));
        assert!(
            hint.contains("cablesim explain"),
            "{name}: the hint points to no explanation"
        );
        // coreu-detection is the one exercise whose answer is the
        // adversary's window (the day the intruders are found): everything
        // else is locked, and its second goal checks they still got in.
        assert!(
            exercise.locked.iter().any(|l| l == "adversary") || name == "coreu-detection",
            "{name}: the adversaries are not locked"
        );
        assert!(!scenario.expectations.is_empty(), "{name}: no [[expect]]");
    }
}

/// The locks each exercise protects beyond the adversaries, as the task
/// states them: what a participant must not turn off to reach the goal.
#[test]
fn every_exercise_locks_what_its_task_protects() {
    let locks: [(&str, &[&str]); 7] = [
        (
            "coreu-broadcast",
            &["adversary", "scenario", "network", "max_classification"],
        ),
        (
            "coreu-detection",
            &[
                "scenario",
                "network",
                "cable",
                "transport",
                "verify_server",
                "e2e",
                "epoch_days",
                "signatures",
                "key_pinning",
                "distribution",
                "archive",
                "archive_days",
                "retention_days",
                "max_classification",
                "post_quantum",
            ],
        ),
        (
            "late-intruder",
            &["adversary", "scenario", "network", "distribution", "max_classification"],
        ),
        ("hotel-wifi", &["adversary", "scenario"]),
        ("forged-instruction", &["adversary", "network", "e2e"]),
        ("ghost-key", &["adversary", "scenario", "network", "e2e"]),
        (
            "harvest",
            &["adversary", "scenario", "network", "e2e", "archive", "archive_days"],
        ),
    ];
    for (name, expected) in locks {
        let scenario = load(&exercise_path(name));
        assert_eq!(scenario.exercise.unwrap().locked, expected, "{name}");
    }
}

#[test]
fn every_answer_changes_only_what_its_exercise_leaves_open() {
    for name in EXERCISES {
        let exercise = load(&exercise_path(name));
        let answer = load(&answer_path(name));
        assert_eq!(
            answer.name, exercise.name,
            "{name}: the answer must keep the exercise's name"
        );
        let changes: Vec<String> = locked_changes(&exercise, &answer)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(changes, Vec::<String>::new(), "{name}");
    }
}

/// The field each answer changes, read from the parsed files: the one
/// change the answer's comment explains.
/// The fields each answer changes, read from the parsed files (every
/// lockable field and part compared): the change its comment explains,
/// and nothing else.
#[test]
fn every_answer_changes_exactly_the_field_its_comment_explains() {
    let answers = [
        (
            "coreu-broadcast",
            "distribution: the exercise has broadcast, this file need-to-know",
        ),
        (
            "coreu-detection",
            "adversary[endpoint@cy-mfa].window.until: the exercise has none, this file 45",
        ),
        ("late-intruder", "retention_days: the exercise has none, this file 90"),
        (
            "hotel-wifi",
            "network[del-summit].verify_server: the exercise has false, this file true",
        ),
        (
            "forged-instruction",
            "signatures: the exercise has false, this file true",
        ),
        ("ghost-key", "key_pinning: the exercise has false, this file true"),
        ("harvest", "post_quantum: the exercise has off, this file both"),
    ];
    let everything: Vec<String> = Exercise::LOCKABLE.iter().map(|n| (*n).to_owned()).collect();
    for (name, change) in answers {
        let exercise = load(&exercise_path(name));
        let answer = load(&answer_path(name));
        let changes: Vec<String> = changed_fields(&exercise, &answer, &everything)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(changes, [change], "{name}");
        let text = std::fs::read_to_string(answer_path(name)).unwrap();
        assert!(
            text.starts_with("# Answer to the exercise"),
            "{name}: no comment at the top"
        );
    }
}

/// As shipped, exactly the goals fail; the expectations that only keep the
/// lesson honest (late-intruder's "read regardless") pass.
#[test]
fn every_exercise_fails_as_shipped_with_exactly_its_goals_failing() {
    let goals: [(&str, &[&str]); 7] = [
        ("coreu-broadcast", &["the phishers read at most 50 cables"]),
        ("coreu-detection", &["the phishers read at most 30 cables"]),
        (
            "late-intruder",
            &[
                "the late insider reads at most 100 cables",
                "the first months stay out of reach",
            ],
        ),
        (
            "hotel-wifi",
            &[
                "the man in the middle reads nothing of the summit",
                "the delegation notices the forged certificate",
            ],
        ),
        (
            "forged-instruction",
            &["no ministry believes a forgery", "every forgery raises an alarm"],
        ),
        (
            "ghost-key",
            &["the backbone reads no cable's text", "the ghost key is noticed"],
        ),
        (
            "harvest",
            &[
                "the recording opens no cable's text",
                "the state learns no more than the archive copy's headers",
            ],
        ),
    ];
    for (name, expected) in goals {
        let verdicts = verdicts(&exercise_path(name));
        assert_eq!(failed(&verdicts), expected, "{name}: {verdicts:?}");
    }
}

#[test]
fn every_answer_passes_every_expectation_of_its_exercise() {
    for name in EXERCISES {
        let answer = load(&answer_path(name));
        let verdicts = verdicts(&answer_path(name));
        assert_eq!(verdicts.len(), answer.expectations.len(), "{name}: one config each");
        assert_eq!(failed(&verdicts), Vec::<&str>::new(), "{name}: {verdicts:?}");
    }
}

/// The figures the exercises' and answers' comments state, as the checks
/// measure them: shipped, then answered.
#[test]
fn every_exercise_and_answer_measures_the_figures_its_comments_state() {
    let figures: [(&str, &[&str], &[&str]); 7] = [
        (
            "coreu-broadcast",
            &["phishers content <= 50 measured 215"],
            &["phishers content <= 50 measured 20"],
        ),
        (
            "coreu-detection",
            &["phishers content <= 30 measured 215"],
            &["phishers content <= 30 measured 27"],
        ),
        (
            "late-intruder",
            &[
                "insider content <= 100 measured 200",
                "insider unexpected C-000001",
                "insider unexpected C-000050",
            ],
            &["insider content <= 100 measured 84"],
        ),
        (
            "hotel-wifi",
            &[
                "wifi content == 0 measured 28",
                "wifi routing == 0 measured 28",
                "wifi alarms >= 1 measured 0",
            ],
            &[
                "wifi content == 0 measured 0",
                "wifi routing == 0 measured 0",
                "wifi alarms >= 1 measured 1",
            ],
        ),
        (
            "forged-instruction",
            &[
                "forger forged_accepted == 0 measured 24",
                "forger alarms >= 24 measured 0",
            ],
            &[
                "forger forged_accepted == 0 measured 0",
                "forger alarms >= 24 measured 24",
            ],
        ),
        (
            "ghost-key",
            &["snake content == 0 measured 175", "snake alarms >= 1 measured 0"],
            &["snake content == 0 measured 0", "snake alarms >= 1 measured 321"],
        ),
        (
            "harvest",
            &["state content == 0 measured 70", "state routing <= 60 measured 70"],
            &["state content == 0 measured 0", "state routing <= 60 measured 60"],
        ),
    ];
    for (name, shipped, answered) in figures {
        assert_eq!(measured(&exercise_path(name)), shipped, "{name} as shipped");
        assert_eq!(measured(&answer_path(name)), answered, "{name} answered");
    }
}

/// Every built-in scenario passes its own expectations, one verdict per
/// expectation and config, judged (as `check_expectations` judges them) on
/// one run per distinct config. The runs are the binary's shared ones
/// (`support/runs.rs`): the stories in `builtin_scenarios.rs` run the same
/// scenarios under the same presets. `cablesim check` itself, its lines
/// and its JUnit file are checked in `check_cli.rs`, where every file of
/// `examples/scenarios/` goes through it too.
#[test]
fn every_builtin_scenario_passes_its_own_expectations() {
    let runs = [
        ("coreu-2018", 6, 6),
        ("cablegate-2010", 3, 3),
        ("darroch-2019", 3, 3),
        ("ivbb-2018", 2, 2),
        ("harvest-now-decrypt-later", 3, 3),
        ("stolen-keys-later", 1, 1),
        ("hotel-wifi-mitm", 2, 2),
        ("forged-instruction", 2, 2),
    ];
    assert_eq!(
        runs.iter().map(|(name, _, _)| *name).collect::<Vec<_>>(),
        BUILTIN.iter().map(|b| b.name).collect::<Vec<_>>()
    );
    for (name, verdict_count, run_count) in runs {
        let scenario = BUILTIN.iter().find(|b| b.name == name).unwrap().load().unwrap();
        let configs = distinct_configs(&scenario);
        let reports: Vec<(ConfigChoice, Arc<RunReport>)> = configs
            .iter()
            .map(|&config| (config, shared_runs::report(&configured(&scenario, config))))
            .collect();
        let verdicts: Vec<Verdict> = scenario
            .expectations
            .iter()
            .flat_map(|expectation| expectation.configs.iter().map(move |&config| (expectation, config)))
            .map(|(expectation, config)| {
                let (_, report) = reports.iter().find(|(c, _)| *c == config).unwrap();
                judge(expectation, config, report)
            })
            .collect();
        let failed: Vec<String> = verdicts
            .iter()
            .filter(|v| !v.passed)
            .map(|v| format!("{} [{}]: {:?}", v.expectation, v.config, v.actors))
            .collect();
        assert_eq!(failed, Vec::<String>::new(), "{name}");
        assert_eq!(verdicts.len(), verdict_count, "{name}: verdicts");
        assert_eq!(reports.len(), run_count, "{name}: runs");
    }
}

/// `scenario` as `check_expectations` runs it under `config`.
fn configured(scenario: &Scenario, config: ConfigChoice) -> Scenario {
    let mut configured = scenario.clone();
    if let ConfigChoice::Preset(preset) = config {
        configured.apply_preset(preset);
    }
    configured
}
