//! Exercise locks (README.md, "For trainers: a 45-minute session"): a participant's copy of an
//! exercise may change what the exercise leaves open, never what it locks.
//! Sans-IO: two resolved scenarios in, the changed fields out.
//!
//! Comparison happens on the resolved [`Scenario`] after `--set`, so a lock
//! cannot be dodged by changing a field on the command line instead of in
//! the file. Each difference is named down to the field that differs
//! (`adversary[phishing@cy-mfa].window`, `network[lu-mfa]`), with both values,
//! so the participant sees what to put back.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Exercise, Expectation, Scenario, ScenarioError, builtin, exercise};
use crate::model::{Classification, SecurityConfig};

/// One locked field whose value in the participant's file is not the
/// exercise's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedChange {
    /// The field: a `[security]` name, `scenario.seed`,
    /// `adversary[NAME].window`, `expect[NAME].actor`, ...
    pub field: String,
    /// Its value in the exercise as shipped.
    pub exercise: String,
    /// Its value in the participant's file.
    pub file: String,
}

impl fmt::Display for LockedChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: the exercise has {}, this file {}",
            self.field, self.exercise, self.file
        )
    }
}

/// Refuses a scenario named like a shipped exercise (matched by
/// `[scenario] name`) that changes what the exercise locks: the fields its
/// `[exercise] locked` names, its `[[expect]]` entries and its `[exercise]`
/// table. A scenario of any other name is not an exercise: nothing is
/// locked. Nor is a file without `[exercise]` named like a built-in
/// scenario as well as an exercise (`forged-instruction` is both): that is
/// the built-in scenario. The error names every changed field with both
/// values.
pub fn check_exercise_locks(file: &Scenario) -> Result<(), ScenarioError> {
    let Some(entry) = exercise(&file.name) else {
        return Ok(());
    };
    if file.exercise.is_none() && builtin(&file.name).is_some() {
        return Ok(());
    }
    let original = entry.load()?;
    let changes = locked_changes(&original, file);
    if changes.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = changes.iter().map(ToString::to_string).collect();
    Err(ScenarioError::new(
        file.source.as_str(),
        None,
        format!(
            "changes what the exercise {} locks (put it back as the exercise has it): {}",
            entry.name,
            listed.join("; ")
        ),
    ))
}

/// Everything `file` changed that `exercise` locks: the fields its
/// `[exercise] locked` names, then the `[[expect]]` entries, then the
/// `[exercise]` table, which are always locked (a participant must not
/// edit the goal).
pub fn locked_changes(exercise: &Scenario, file: &Scenario) -> Vec<LockedChange> {
    let locked = exercise.exercise.as_ref().map_or(&[][..], |e| e.locked.as_slice());
    let mut changes = changed_fields(exercise, file, locked);
    keyed_changes(
        "expect",
        &expectation_entries(&exercise.expectations),
        &expectation_entries(&file.expectations),
        &mut changes,
    );
    let table = |scenario: &Scenario| scenario.exercise.as_ref().map_or(Value::Null, exercise_value);
    value_changes("exercise", &table(exercise), &table(file), &mut changes);
    changes
}

/// Every field among `locked` (names of [`Exercise::LOCKABLE`]) whose
/// value in `file` differs from `exercise`, in the order of `locked`. Any
/// other name is skipped: the loader refuses those in `[exercise] locked`
/// before a scenario exists.
pub fn changed_fields(exercise: &Scenario, file: &Scenario, locked: &[String]) -> Vec<LockedChange> {
    let mut changes = Vec::new();
    let security = (to_value(&exercise.security), to_value(&file.security));
    for name in locked {
        match name.as_str() {
            "scenario" => scenario_changes(exercise, file, &mut changes),
            "network" => keyed_changes(
                "network",
                &entries(exercise.network.nodes(), |n| n.name.clone()),
                &entries(file.network.nodes(), |n| n.name.clone()),
                &mut changes,
            ),
            "cable" => keyed_changes(
                "cable",
                &entries(&exercise.cables, |c| c.id.clone()),
                &entries(&file.cables, |c| c.id.clone()),
                &mut changes,
            ),
            "adversary" => keyed_changes(
                "adversary",
                &entries(&exercise.adversaries, |a| a.name.clone()),
                &entries(&file.adversaries, |a| a.name.clone()),
                &mut changes,
            ),
            field if SecurityConfig::FIELDS.contains(&field) => {
                let (ours, theirs) = (&security.0[field], &security.1[field]);
                if ours != theirs {
                    changes.push(change(field, render(ours), render(theirs)));
                }
            }
            _ => {}
        }
    }
    changes
}

fn change(field: impl Into<String>, exercise: String, file: String) -> LockedChange {
    LockedChange {
        field: field.into(),
        exercise,
        file,
    }
}

/// The expectations by name, each as the fields a file gives it (its
/// line is where it is written, not what it says, so it is left out).
fn expectation_entries(expectations: &[Expectation]) -> BTreeMap<String, Value> {
    let texts = |items: &[String]| Value::from(items.to_vec());
    expectations
        .iter()
        .map(|e| {
            let mut fields = Map::new();
            fields.insert("actor".into(), Value::from(e.actor.to_string()));
            let configs: Vec<String> = e.configs.iter().map(ToString::to_string).collect();
            fields.insert("configs".into(), Value::from(configs));
            for comparison in &e.comparisons {
                let rule = format!("{} {}", comparison.op, comparison.value);
                fields.insert(comparison.measure.as_str().into(), Value::from(rule));
            }
            fields.insert("leaked".into(), texts(&e.leaked));
            fields.insert("not_leaked".into(), texts(&e.not_leaked));
            (e.name.clone(), Value::Object(fields))
        })
        .collect()
}

/// `[exercise]` as the fields a file gives it, its line left out.
fn exercise_value(exercise: &Exercise) -> Value {
    let mut fields = Map::new();
    fields.insert("task".into(), Value::from(exercise.task.clone()));
    fields.insert("hint".into(), exercise.hint.clone().map_or(Value::Null, Value::from));
    fields.insert("locked".into(), Value::from(exercise.locked.clone()));
    Value::Object(fields)
}

fn to_value<T: Serialize>(value: &T) -> Value {
    // The model's types serialise to JSON without fail (plain structs,
    // enums and strings); `Null` would only make every field compare equal
    // to itself, never hide a change between two scenarios.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `scenario`: the seed, the length, the generated cables and their mix,
/// field by field.
fn scenario_changes(exercise: &Scenario, file: &Scenario, changes: &mut Vec<LockedChange>) {
    let mut compare = |field: &str, ours: String, theirs: String| {
        if ours != theirs {
            changes.push(change(format!("scenario.{field}"), ours, theirs));
        }
    };
    compare("seed", exercise.seed.to_string(), file.seed.to_string());
    compare("days", exercise.days.to_string(), file.days.to_string());
    compare(
        "cables",
        exercise.generated_cables.to_string(),
        file.generated_cables.to_string(),
    );
    let mix = |scenario: &Scenario| {
        Classification::ALL
            .iter()
            .map(|level| format!("{level} {}", scenario.mix.weight(*level)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    compare("mix", mix(exercise), mix(file));
}

/// The entries of a list by their key (a node's name, a cable's id, an
/// adversary's name), each as a JSON object.
fn entries<T: Serialize>(items: &[T], key: impl Fn(&T) -> String) -> BTreeMap<String, Value> {
    items.iter().map(|item| (key(item), to_value(item))).collect()
}

/// A list locked as a whole: an entry only one side has, or each field of
/// an entry both have that differs.
fn keyed_changes(
    part: &str,
    exercise: &BTreeMap<String, Value>,
    file: &BTreeMap<String, Value>,
    changes: &mut Vec<LockedChange>,
) {
    let keys: std::collections::BTreeSet<&String> = exercise.keys().chain(file.keys()).collect();
    for key in keys {
        let field = format!("{part}[{key}]");
        match (exercise.get(key), file.get(key)) {
            (Some(ours), Some(theirs)) => value_changes(&field, ours, theirs, changes),
            (Some(ours), None) => changes.push(change(field, render(ours), "none".to_owned())),
            (None, Some(theirs)) => changes.push(change(field, "none".to_owned(), render(theirs))),
            (None, None) => {}
        }
    }
}

/// The fields of two JSON values that differ, named `field.key` down to
/// the first level that is not an object on both sides.
fn value_changes(field: &str, ours: &Value, theirs: &Value, changes: &mut Vec<LockedChange>) {
    if ours == theirs {
        return;
    }
    if let (Value::Object(a), Value::Object(b)) = (ours, theirs) {
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for key in keys {
            let (x, y) = (a.get(key).unwrap_or(&Value::Null), b.get(key).unwrap_or(&Value::Null));
            value_changes(&format!("{field}.{key}"), x, y, changes);
        }
        return;
    }
    changes.push(change(field, render(ours), render(theirs)));
}

/// A value as a person reads it: strings bare, `null` as `none`, objects as
/// `key=value` pairs.
fn render(value: &Value) -> String {
    match value {
        Value::Null => "none".to_owned(),
        Value::String(text) => text.clone(),
        Value::Object(fields) => render_object(fields),
        Value::Array(items) => format!("[{}]", items.iter().map(render).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn render_object(fields: &Map<String, Value>) -> String {
    let pairs: Vec<String> = fields
        .iter()
        .filter(|(_, value)| !value.is_null() && value.as_array().is_none_or(|items| !items.is_empty()))
        .map(|(key, value)| format!("{key}={}", render(value)))
        .collect();
    format!("({})", pairs.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{BUILTIN, EXERCISES};

    /// The fixture exercise: broadcast, one phished ministry, two listed
    /// cables.
    const EXERCISE: &str = include_str!("../../tests/fixtures/exercise-broadcast.toml");

    fn exercise() -> Scenario {
        Scenario::from_toml_str(EXERCISE, "exercise-broadcast.toml").unwrap()
    }

    fn locked(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn every_lock() -> Vec<String> {
        locked(&Exercise::LOCKABLE)
    }

    /// The exercise's text with `from` replaced by `to`, loaded.
    fn edited(from: &str, to: &str) -> Scenario {
        assert!(EXERCISE.contains(from), "{from:?} is not in the fixture");
        Scenario::from_toml_str(&EXERCISE.replacen(from, to, 1), "mine.toml").unwrap()
    }

    fn lines(changes: &[LockedChange]) -> Vec<String> {
        changes.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn an_unchanged_copy_changes_nothing() {
        let mine = Scenario::from_toml_str(EXERCISE, "elsewhere/mine.toml").unwrap();
        assert_eq!(changed_fields(&exercise(), &mine, &every_lock()), []);
    }

    #[test]
    fn a_locked_security_field_is_named_with_both_values() {
        let mut mine = exercise();
        mine.apply_set("distribution=need-to-know").unwrap();
        mine.apply_set("archive_days=30").unwrap();
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &every_lock())),
            [
                "distribution: the exercise has broadcast, this file need-to-know",
                "archive_days: the exercise has none, this file 30",
            ]
        );
    }

    #[test]
    fn an_open_field_may_change() {
        let mut mine = exercise();
        mine.apply_set("distribution=need-to-know").unwrap();
        mine.apply_set("e2e=static").unwrap();
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["e2e", "adversary"]))),
            ["e2e: the exercise has forward-secret, this file static"]
        );
    }

    #[test]
    fn scenario_locks_seed_days_cables_and_mix() {
        let mut mine = exercise();
        mine.apply_set("seed=7").unwrap();
        mine.apply_set("days=20").unwrap();
        mine.apply_set("cables=12").unwrap();
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["scenario"]))),
            [
                "scenario.seed: the exercise has 2018, this file 7",
                "scenario.days: the exercise has 30, this file 20",
                "scenario.cables: the exercise has 40, this file 12",
            ]
        );
        let mine = edited("limite = 1", "limite = 2");
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["scenario"]))),
            [
                "scenario.mix: the exercise has unclassified 1, limite 1, restricted 0, confidential 0, secret 0, \
                 this file unclassified 1, limite 2, restricted 0, confidential 0, secret 0"
            ]
        );
    }

    #[test]
    fn adversary_locks_each_field_of_each_adversary() {
        let mine = edited("from_day = 3", "from_day = 20");
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["adversary"]))),
            ["adversary[endpoint@lu-mfa].window.from: the exercise has 3, this file 20"]
        );
        let mine = edited("at = \"lu-mfa\"", "at = \"be-mfa\"");
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["adversary"]))),
            [
                "adversary[endpoint@be-mfa]: the exercise has none, \
                 this file (actor=phishers, at=be-mfa, kind=endpoint, name=endpoint@be-mfa, window=(from=3))",
                "adversary[endpoint@lu-mfa]: the exercise has \
                 (actor=phishers, at=lu-mfa, kind=endpoint, name=endpoint@lu-mfa, window=(from=3)), this file none",
            ]
        );
    }

    #[test]
    fn network_locks_every_node_generated_or_listed() {
        let mine = edited("ministries = 3", "ministries = 4");
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["network"]))),
            ["network[cy-mfa]: the exercise has none, this file (name=cy-mfa, role=ministry)"]
        );
        let mine = edited("verify_server = true", "verify_server = false");
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["network"]))),
            ["network[fr-emb].verify_server: the exercise has true, this file false"]
        );
    }

    #[test]
    fn cable_locks_the_listed_cables() {
        let mine = edited("subject = \"Budget\"", "subject = \"Budget, revised\"");
        assert_eq!(
            lines(&changed_fields(&exercise(), &mine, &locked(&["cable"]))),
            ["cable[C-900002].subject: the exercise has Budget, this file Budget, revised"]
        );
        // The generated cables are the `scenario` lock's, not this one's.
        let mut mine = exercise();
        mine.apply_set("cables=41").unwrap();
        assert_eq!(changed_fields(&exercise(), &mine, &locked(&["cable"])), []);
    }

    #[test]
    fn the_exercise_locks_what_it_lists_and_its_goal() {
        let mut mine = exercise();
        // Open: e2e. Locked by the list: distribution.
        mine.apply_set("e2e=static").unwrap();
        mine.apply_set("distribution=need-to-know").unwrap();
        assert_eq!(
            lines(&locked_changes(&exercise(), &mine)),
            ["distribution: the exercise has broadcast, this file need-to-know"]
        );
    }

    #[test]
    fn every_expectation_is_locked_field_by_field() {
        let mine = edited("content = \"< 10\"", "content = \"< 1000\"");
        assert_eq!(
            lines(&locked_changes(&exercise(), &mine)),
            ["expect[the phishers read fewer than 10 cables].content: the exercise has < 10, this file < 1000"]
        );
        let mine = edited("configs = [\"as-written\", \"e2e-fs\"]", "configs = [\"e2e-fs\"]");
        assert_eq!(
            lines(&locked_changes(&exercise(), &mine)),
            ["expect[the phishers still read the fisheries cable].configs: \
                 the exercise has [as written, e2e-fs], this file [e2e-fs]"]
        );
        let mine = edited(
            "name = \"the phishers read fewer than 10 cables\"",
            "name = \"anything\"",
        );
        assert_eq!(
            lines(&locked_changes(&exercise(), &mine)),
            [
                "expect[anything]: the exercise has none, \
                 this file (actor=phishers, configs=[as written], content=< 10, not_leaked=[C-900002])",
                "expect[the phishers read fewer than 10 cables]: \
                 the exercise has (actor=phishers, configs=[as written], content=< 10, not_leaked=[C-900002]), \
                 this file none",
            ]
        );
    }

    #[test]
    fn where_an_expectation_is_written_is_not_what_it_says() {
        let mine = edited("[[expect]]", "# moved down a line\n[[expect]]");
        assert_ne!(mine.expectations[0].line, exercise().expectations[0].line);
        assert_eq!(locked_changes(&exercise(), &mine), []);
    }

    #[test]
    fn the_exercise_table_is_locked() {
        let mine = edited("locked = [\"distribution\", \"adversary\"]", "locked = [\"adversary\"]");
        assert_eq!(
            lines(&locked_changes(&exercise(), &mine)),
            ["exercise.locked: the exercise has [distribution, adversary], this file [adversary]"]
        );
        let text = EXERCISE.split("[exercise]").next().unwrap();
        let mine = Scenario::from_toml_str(text, "mine.toml").unwrap();
        assert_eq!(
            lines(&locked_changes(&exercise(), &mine)),
            [
                "exercise: the exercise has (hint=Who keeps old cables? Look at `cablesim explain retention_days`., \
                 locked=[distribution, adversary], \
                 task=Keep the phishers under 10 cables without turning off broadcast.), this file none"
            ]
        );
    }

    #[test]
    fn a_scenario_named_like_no_exercise_is_not_locked() {
        // The fixture is no shipped exercise: its name matches none.
        let mut mine = exercise();
        mine.apply_set("distribution=need-to-know").unwrap();
        assert_eq!(check_exercise_locks(&mine), Ok(()));
    }

    #[test]
    fn every_exercise_and_every_built_in_scenario_passes_as_shipped() {
        for entry in EXERCISES {
            let scenario = Scenario::from_toml_str(entry.toml, &format!("copy/{}.toml", entry.name)).unwrap();
            assert_eq!(check_exercise_locks(&scenario), Ok(()), "{}", entry.name);
        }
        for entry in BUILTIN {
            assert_eq!(check_exercise_locks(&entry.load().unwrap()), Ok(()), "{}", entry.name);
        }
    }

    /// The answers change only what their exercise leaves open.
    #[test]
    fn every_answer_keeps_the_locks() {
        let answers = [
            include_str!("../../examples/exercises/answers/coreu-broadcast.toml"),
            include_str!("../../examples/exercises/answers/coreu-detection.toml"),
            include_str!("../../examples/exercises/answers/late-intruder.toml"),
            include_str!("../../examples/exercises/answers/hotel-wifi.toml"),
            include_str!("../../examples/exercises/answers/forged-instruction.toml"),
            include_str!("../../examples/exercises/answers/ghost-key.toml"),
            include_str!("../../examples/exercises/answers/harvest.toml"),
        ];
        assert_eq!(answers.len(), EXERCISES.len());
        for (entry, answer) in EXERCISES.iter().zip(answers) {
            let scenario = Scenario::from_toml_str(answer, "answer.toml").unwrap();
            assert_eq!(scenario.name, entry.name);
            assert_eq!(check_exercise_locks(&scenario), Ok(()), "{}", entry.name);
        }
    }

    #[test]
    fn fail_a_copy_that_changes_a_lock_names_each_field() {
        let entry = super::exercise("coreu-broadcast").unwrap();
        let mut mine = Scenario::from_toml_str(entry.toml, "mine.toml").unwrap();
        mine.apply_set("max_classification=secret").unwrap();
        mine.apply_set("days=100").unwrap();
        let err = check_exercise_locks(&mine).unwrap_err();
        assert_eq!(
            err.to_string(),
            "mine.toml: changes what the exercise coreu-broadcast locks (put it back as the exercise has it): \
             scenario.days: the exercise has 365, this file 100; \
             max_classification: the exercise has restricted, this file secret"
        );
    }
}
