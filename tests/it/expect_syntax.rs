//! `[[expect]]` and `[exercise]` in scenario files (README.md, "Scenario
//! files"): what loads, what it yields, and every way an entry is refused
//! at load time, before any run, with the line a test writer has to fix.

use cablesim::scenario::{
    ActorSelector, Comparison, ConfigChoice, Exercise, Expectation, Measure, Op, Preset, Scenario, ScenarioError,
};

/// A valid head: 2 generated ministries (at-mfa, be-mfa), 4 days, 3
/// generated cables (C-000001 to C-000003) and one listed (L1); two
/// actors, "phishers" and the tap's default actor, its name "tap@be-mfa".
/// Malformed variants append to it, so their lines start at 28.
const HEAD: &str = "\
[scenario]
name = \"t\"
seed = 1
days = 4
cables = 3

[network]
ministries = 2

[[cable]]
id = \"L1\"
day = 0
from = \"at-mfa\"
to = [\"be-mfa\"]
classification = \"limite\"
subject = \"s\"
body = \"b\"

[[adversary]]
kind = \"endpoint\"
at = \"at-mfa\"
actor = \"phishers\"

[[adversary]]
kind = \"tap\"
at = \"be-mfa\"

";

fn load(text: &str) -> Result<Scenario, ScenarioError> {
    Scenario::from_toml_str(text, "bad.toml")
}

fn with(extra: &str) -> String {
    format!("{HEAD}{extra}")
}

/// Asserts that `text` is refused at `line`, that this line of the text
/// contains `marker` (so the expected number is checked against the text
/// itself), and that the reason mentions every one of `names`.
#[track_caller]
fn refused_at(text: &str, line: usize, marker: &str, names: &[&str]) -> ScenarioError {
    let at = text.lines().nth(line - 1).unwrap_or_default();
    assert!(
        at.contains(marker),
        "line {line} of the test text is {at:?}, not a line with {marker:?}"
    );
    let err = load(text).expect_err("the scenario should be refused");
    assert_eq!(err.file, "bad.toml");
    assert_eq!(err.line, Some(line), "{err}");
    for name in names {
        assert!(
            err.reason.contains(name),
            "reason {:?} does not name {name:?}",
            err.reason
        );
    }
    assert_eq!(err.to_string(), format!("bad.toml:{line}: {}", err.reason));
    err
}

const EVERY_PRESET: [&str; 7] = [
    "as-written",
    "plaintext",
    "hop-tls",
    "e2e-group",
    "e2e-static",
    "e2e-fs",
    "e2e-pq",
];

// ---------------------------------------------------------------- loading

#[test]
fn the_head_alone_has_no_expectations_and_no_exercise() {
    let s = load(HEAD).unwrap();
    assert_eq!(s.expectations, []);
    assert_eq!(s.exercise, None);
    assert_eq!(s.adversaries[1].actor, "tap@be-mfa");
}

#[test]
fn every_field_of_an_expectation_is_read() {
    let s = load(&with(
        "\
[[expect]]
name = \"all of it\"
actor = \"phishers\"
configs = [\"e2e-fs\", \"as-written\", \"plaintext\"]
alarms = 3
content = \"<=100\"
routing = \" > 0 \"
traffic_frames = \">= 7\"
forged_cables = \"< 2\"
forged_accepted = \"== 0\"
leaked = [\"L1\", \"C-000002\"]
not_leaked = [\"C-000003\"]

[[expect]]
name = \"the defaults\"
actor = \"*\"
content = 0
",
    ))
    .unwrap();
    let c = |measure, op, value| Comparison { measure, op, value };
    assert_eq!(
        s.expectations,
        [
            Expectation {
                name: "all of it".into(),
                actor: ActorSelector::One("phishers".into()),
                configs: vec![
                    ConfigChoice::Preset(Preset::E2eFs),
                    ConfigChoice::AsWritten,
                    ConfigChoice::Preset(Preset::Plaintext),
                ],
                // In the order of the report's columns, whatever the file's.
                comparisons: vec![
                    c(Measure::Content, Op::Le, 100),
                    c(Measure::Routing, Op::Gt, 0),
                    c(Measure::TrafficFrames, Op::Ge, 7),
                    c(Measure::ForgedCables, Op::Lt, 2),
                    c(Measure::ForgedAccepted, Op::Eq, 0),
                    c(Measure::Alarms, Op::Eq, 3),
                ],
                leaked: vec!["L1".into(), "C-000002".into()],
                not_leaked: vec!["C-000003".into()],
                line: 28,
            },
            Expectation {
                name: "the defaults".into(),
                actor: ActorSelector::Every,
                configs: vec![ConfigChoice::AsWritten],
                comparisons: vec![c(Measure::Content, Op::Eq, 0)],
                leaked: vec![],
                not_leaked: vec![],
                line: 41,
            },
        ]
    );
}

#[test]
fn an_exercise_is_read() {
    let s = load(&with(
        "\
[exercise]
task = \"Keep the phishers out.\"
hint = \"Who receives a cable?\"
locked = [\"distribution\", \"adversary\"]

[[expect]]
name = \"n\"
actor = \"phishers\"
content = 0
",
    ))
    .unwrap();
    assert_eq!(
        s.exercise,
        Some(Exercise {
            task: "Keep the phishers out.".into(),
            hint: Some("Who receives a cable?".into()),
            locked: vec!["distribution".into(), "adversary".into()],
            line: 28,
        })
    );
    let bare = load(&with("[exercise]\ntask = \"t\"\n")).unwrap();
    assert_eq!(bare.exercise.map(|e| (e.hint, e.locked)), Some((None, vec![])));
}

#[test]
fn every_lockable_name_is_accepted() {
    let names: Vec<String> = Exercise::LOCKABLE.iter().map(|n| format!("{n:?}")).collect();
    let s = load(&with(&format!(
        "[exercise]\ntask = \"t\"\nlocked = [{}]\n",
        names.join(", ")
    )))
    .unwrap();
    assert_eq!(s.exercise.unwrap().locked, Exercise::LOCKABLE);
}

#[test]
fn every_generated_id_and_listed_id_is_a_cable() {
    let s = load(&with(
        "[[expect]]\nname = \"n\"\nactor = \"phishers\"\nleaked = [\"C-000001\", \"C-000003\"]\nnot_leaked = [\"L1\"]\n",
    ))
    .unwrap();
    assert_eq!(s.expectations[0].leaked, ["C-000001", "C-000003"]);
}

// ---------------------------------------------------------------- refused

#[test]
fn fail_unknown_field_in_expect() {
    let text = with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\ncontnet = 3\n");
    refused_at(
        &text,
        31,
        "contnet",
        &["unknown field `contnet`", "content", "not_leaked"],
    );
}

#[test]
fn fail_unknown_field_in_exercise() {
    let text = with("[exercise]\ntask = \"t\"\nsolution = \"x\"\n");
    refused_at(
        &text,
        30,
        "solution",
        &["unknown field `solution`", "task", "hint", "locked"],
    );
}

#[test]
fn fail_two_exercise_tables() {
    // A file sets at most one exercise; TOML itself refuses a second table.
    let text = with("[exercise]\ntask = \"t\"\n[exercise]\ntask = \"u\"\n");
    refused_at(&text, 30, "[exercise]", &["duplicate key"]);
}

#[test]
fn fail_missing_name() {
    let text =
        with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\ncontent = 0\n\n[[expect]]\nactor = \"phishers\"\n");
    refused_at(&text, 33, "[[expect]]", &["[[expect]] #2", "name is missing"]);
}

#[test]
fn fail_missing_actor_lists_the_actors() {
    let text = with("[[expect]]\nname = \"n\"\ncontent = 0\n");
    refused_at(
        &text,
        28,
        "[[expect]]",
        &[
            "[[expect]] \"n\"",
            "actor is missing",
            "\"phishers\", \"tap@be-mfa\"",
            "\"*\"",
        ],
    );
}

#[test]
fn fail_empty_name() {
    let text = with("[[expect]]\nname = \" \"\nactor = \"phishers\"\ncontent = 0\n");
    refused_at(&text, 29, "name", &["[[expect]] #1", "name is empty"]);
}

#[test]
fn fail_duplicate_name_names_the_first_line() {
    let text = with(
        "[[expect]]\nname = \"n\"\nactor = \"phishers\"\ncontent = 0\n\n[[expect]]\nname = \"n\"\nactor = \"*\"\ncontent = 1\n",
    );
    refused_at(
        &text,
        34,
        "name",
        &["[[expect]] \"n\"", "used twice", "first on line 28"],
    );
}

#[test]
fn fail_unknown_actor_lists_the_actors() {
    let text = with("[[expect]]\nname = \"n\"\nactor = \"phisher\"\ncontent = 0\n");
    refused_at(
        &text,
        30,
        "actor",
        &[
            "[[expect]] \"n\"",
            "actor = \"phisher\" is not an actor",
            "\"phishers\", \"tap@be-mfa\"",
            "\"*\" for every actor",
        ],
    );
}

#[test]
fn fail_an_adversary_name_is_not_its_actor() {
    // The endpoint is named "endpoint@at-mfa", but its actor is "phishers":
    // the report, and so an expectation, knows it by the actor.
    let text = with("[[expect]]\nname = \"n\"\nactor = \"endpoint@at-mfa\"\ncontent = 0\n");
    refused_at(&text, 30, "actor", &["\"endpoint@at-mfa\" is not an actor"]);
}

#[test]
fn fail_any_actor_without_adversaries() {
    let head = HEAD.split("[[adversary]]").next().unwrap_or_default();
    let text = format!("{head}[[expect]]\nname = \"n\"\nactor = \"*\"\ncontent = 0\n");
    refused_at(&text, 21, "actor", &["[[expect]] \"n\"", "no [[adversary]]"]);
}

#[test]
fn fail_malformed_comparisons_say_which_operators_are_accepted() {
    for bad in ["\"<= ten\"", "\"=< 3\"", "\"== -1\"", "\"!= 3\"", "\"100\"", "\"\""] {
        let text = with(&format!(
            "[[expect]]\nname = \"n\"\nactor = \"phishers\"\nrouting = {bad}\n"
        ));
        let err = refused_at(
            &text,
            31,
            "routing",
            &[
                "[[expect]] \"n\"",
                "routing",
                "is not a comparison",
                "==, <, <=, >, >=",
                "\"<= 100\"",
            ],
        );
        assert!(err.reason.contains(bad), "{err}");
    }
}

#[test]
fn fail_negative_bare_integer() {
    let text = with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\nalarms = -1\n");
    refused_at(
        &text,
        31,
        "alarms",
        &["[[expect]] \"n\"", "alarms = -1", "whole number"],
    );
}

#[test]
fn fail_comparison_of_the_wrong_type() {
    for bad in ["1.5", "true", "[1]"] {
        let text = with(&format!(
            "[[expect]]\nname = \"n\"\nactor = \"phishers\"\nalarms = {bad}\n"
        ));
        refused_at(
            &text,
            31,
            "alarms",
            &["a comparison such as \"<= 100\" or a whole number"],
        );
    }
}

#[test]
fn fail_unknown_preset_lists_the_presets() {
    let text = with(
        "[[expect]]\nname = \"n\"\nactor = \"phishers\"\ncontent = 0\nconfigs = [\n  \"e2e-fs\",\n  \"e2e-fss\",\n]\n",
    );
    let err = refused_at(
        &text,
        34,
        "e2e-fss",
        &["[[expect]] \"n\"", "configs", "unknown config \"e2e-fss\""],
    );
    for name in EVERY_PRESET {
        assert!(err.reason.contains(name), "{err}");
    }
}

#[test]
fn fail_empty_configs() {
    let text = with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\ncontent = 0\nconfigs = []\n");
    refused_at(
        &text,
        32,
        "configs",
        &["[[expect]] \"n\"", "configs = []", "leave configs out"],
    );
}

#[test]
fn fail_config_listed_twice() {
    let text = with(
        "[[expect]]\nname = \"n\"\nactor = \"phishers\"\ncontent = 0\nconfigs = [\"e2e-fs\", \"hop-tls\", \"e2e-fs\"]\n",
    );
    refused_at(&text, 32, "configs", &["[[expect]] \"n\"", "lists \"e2e-fs\" twice"]);
}

#[test]
fn fail_an_entry_that_checks_nothing() {
    for nothing in ["", "leaked = []\nnot_leaked = []\n", "configs = [\"e2e-fs\"]\n"] {
        let text = with(&format!("[[expect]]\nname = \"n\"\nactor = \"phishers\"\n{nothing}"));
        refused_at(
            &text,
            28,
            "[[expect]]",
            &[
                "[[expect]] \"n\" checks nothing",
                "content, routing, traffic_frames, forged_cables, forged_accepted, alarms, leaked or not_leaked",
            ],
        );
    }
}

#[test]
fn fail_leaked_id_that_is_no_cable_lists_the_cables() {
    // C-000004 is one past the 3 generated cables.
    let text = with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\nleaked = [\n  \"L1\",\n  \"C-000004\",\n]\n");
    refused_at(
        &text,
        33,
        "C-000004",
        &[
            "[[expect]] \"n\"",
            "leaked \"C-000004\" is not a cable of the scenario",
            "listed: \"L1\"",
            "generated: C-000001 to C-000003",
        ],
    );
}

#[test]
fn fail_not_leaked_id_that_is_no_cable() {
    let text = with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\nnot_leaked = [\"C-1\"]\n");
    refused_at(&text, 31, "C-1", &["not_leaked \"C-1\" is not a cable of the scenario"]);
}

#[test]
fn fail_id_listed_twice() {
    let text = with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\nleaked = [\"L1\", \"L1\"]\n");
    refused_at(&text, 31, "leaked", &["leaked \"L1\" is listed twice"]);
}

#[test]
fn fail_id_both_leaked_and_not_leaked() {
    let text = with(
        "[[expect]]\nname = \"n\"\nactor = \"phishers\"\nleaked = [\"L1\"]\nnot_leaked = [\"C-000001\", \"L1\"]\n",
    );
    refused_at(
        &text,
        32,
        "not_leaked",
        &["[[expect]] \"n\"", "\"L1\" is in both leaked and not_leaked"],
    );
}

#[test]
fn fail_unknown_lock_lists_the_lockable_names() {
    let text = with("[exercise]\ntask = \"t\"\nlocked = [\n  \"distribution\",\n  \"cables\",\n]\n");
    let err = refused_at(
        &text,
        32,
        "cables",
        &["[exercise]", "locked \"cables\" is not a name that can be locked"],
    );
    for name in Exercise::LOCKABLE {
        assert!(err.reason.contains(name), "{err}");
    }
}

#[test]
fn fail_lock_listed_twice() {
    let text = with("[exercise]\ntask = \"t\"\nlocked = [\"e2e\", \"e2e\"]\n");
    refused_at(&text, 30, "locked", &["[exercise]", "locked \"e2e\" is listed twice"]);
}

#[test]
fn fail_exercise_without_task() {
    let text = with("[exercise]\nhint = \"h\"\n");
    refused_at(&text, 28, "[exercise]", &["[exercise]", "task is missing"]);
}

#[test]
fn fail_exercise_with_empty_task() {
    let text = with("[exercise]\ntask = \"\"\n");
    refused_at(&text, 29, "task", &["[exercise]", "task is empty"]);
}

// ---------------------------------------------------- --set and programs

#[test]
fn fail_set_that_removes_a_leaked_cable() {
    let mut s = load(&with(
        "[[expect]]\nname = \"n\"\nactor = \"phishers\"\nleaked = [\"C-000003\"]\n",
    ))
    .unwrap();
    let before = s.clone();
    let err = s.apply_set("cables=2").unwrap_err();
    assert_eq!(err.file, "--set");
    assert_eq!(err.line, None);
    assert!(
        err.reason
            .starts_with("cables=2: [[expect]] \"n\": leaked \"C-000003\" is not a cable of the scenario"),
        "{err}"
    );
    assert_eq!(s, before, "a refused --set leaves the scenario as it was");
    s.apply_set("cables=5").unwrap();
    s.apply_set("e2e=static").unwrap();
    assert_eq!(s.expectations, before.expectations);
}

#[test]
fn fail_validate_a_program_edited_expectation() {
    let mut s = load(&with("[[expect]]\nname = \"n\"\nactor = \"phishers\"\ncontent = 0\n")).unwrap();
    s.validate().unwrap();
    // A program that drops the adversaries leaves the expectation without
    // its actor.
    s.adversaries.retain(|a| a.actor != "phishers");
    let err = s.validate().unwrap_err();
    assert_eq!(err.line, None);
    assert!(err.reason.contains("actor = \"phishers\" is not an actor"), "{err}");
    assert!(err.reason.contains("\"tap@be-mfa\""), "{err}");
}

#[test]
fn fail_validate_a_program_made_exercise() {
    let mut s = load(HEAD).unwrap();
    s.exercise = Some(Exercise {
        task: "t".into(),
        hint: None,
        locked: vec!["seed".into()],
        line: 0,
    });
    let err = s.validate().unwrap_err();
    assert!(
        err.reason.contains("locked \"seed\" is not a name that can be locked"),
        "{err}"
    );
}

#[test]
fn the_every_table_fixture_has_an_expectation_and_an_exercise() {
    let text = include_str!("../fixtures/every-table.toml");
    let s = Scenario::from_toml_str(text, "every-table.toml").unwrap();
    let line_of = |marker: &str| text.lines().position(|l| l.starts_with(marker)).unwrap() + 1;
    assert_eq!(
        s.expectations,
        [Expectation {
            name: "the apt reads the listed cable under every preset".into(),
            actor: ActorSelector::One("apt".into()),
            configs: vec![ConfigChoice::AsWritten, ConfigChoice::Preset(Preset::E2eFs)],
            comparisons: vec![
                Comparison {
                    measure: Measure::Content,
                    op: Op::Ge,
                    value: 1
                },
                Comparison {
                    measure: Measure::Alarms,
                    op: Op::Eq,
                    value: 0
                },
            ],
            leaked: vec!["C-1".into()],
            not_leaked: vec![],
            line: line_of("[[expect]]"),
        }]
    );
    assert_eq!(
        s.exercise,
        Some(Exercise {
            task: "Keep the apt from reading C-1 without moving it off cy-mfa.".into(),
            hint: Some("Who holds a cable, and for how long?".into()),
            locked: vec!["adversary".into(), "cable".into()],
            line: line_of("[exercise]"),
        })
    );
}
