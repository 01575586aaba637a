//! The workshop exercises (README.md, "For trainers: a 45-minute session")
//! and the built-in scenarios' own `[[expect]]` entries.
//!
//! Each exercise in `examples/exercises/` must fail as shipped, with
//! exactly the expectations that state its goal failing, and its answer in
//! `examples/exercises/answers/` must pass every expectation while
//! changing only what the exercise leaves open. Every built-in scenario
//! must pass its own expectations: they state the scenario's lesson as
//! measured counts.

use std::path::{Path, PathBuf};

use cablesim::scenario::locks::{changed_fields, locked_changes};
use cablesim::scenario::{Exercise, Scenario};

/// The six exercises, in the order the trainer session uses them.
const EXERCISES: [&str; 6] = [
    "coreu-broadcast",
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

#[test]
fn the_exercise_directory_holds_exactly_the_six_exercises_and_their_answers() {
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
        assert!(
            exercise.locked.iter().any(|l| l == "adversary"),
            "{name}: the adversaries are not locked"
        );
        assert!(!scenario.expectations.is_empty(), "{name}: no [[expect]]");
    }
}

/// The locks each exercise protects beyond the adversaries, as the task
/// states them: what a participant must not turn off to reach the goal.
#[test]
fn every_exercise_locks_what_its_task_protects() {
    let locks: [(&str, &[&str]); 6] = [
        (
            "coreu-broadcast",
            &["adversary", "scenario", "network", "max_classification"],
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
