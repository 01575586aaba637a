//! The rules `[[expect]]` and `[exercise]` obey on a resolved [`Scenario`]
//! (README.md, "Scenario files"), beside the rules of [`super::check`].
//!
//! They relate an expectation to the rest of the scenario (its actors, its
//! cables), so they are checked wherever those rules are: on a file, after
//! a `--set` that changes the generated cables, and on a scenario a program
//! assembled. Everything is found before any run, so a typo in an
//! expectation never costs a run to discover.

use std::collections::{BTreeMap, BTreeSet};

use super::Scenario;
use super::check::{Problem, Spot, generated_index};
use super::expect::{ActorSelector, Exercise, Expectation, Measure};

/// How many listed cable ids an error quotes before "and N more".
const QUOTED_IDS: usize = 5;

/// Every expectation, then the exercise.
pub(super) fn check_expectations(s: &Scenario) -> Result<(), Problem> {
    let actors = actors(s);
    let mut first_line: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, e) in s.expectations.iter().enumerate() {
        let at = |field| Spot::Expect { index, field };
        if e.name.trim().is_empty() {
            return Err(Problem::new(
                at("name"),
                format!(
                    "[[expect]] #{}: name is empty; say what the expectation checks",
                    index + 1
                ),
            ));
        }
        if let Some(first) = first_line.insert(&e.name, e.line) {
            let first = if first > 0 {
                format!(" (first on line {first})")
            } else {
                String::new()
            };
            return Err(Problem::new(
                at("name"),
                format!(
                    "[[expect]] {:?}: the name is used twice{first}; each expectation needs its own",
                    e.name
                ),
            ));
        }
        check_one(s, index, e, &actors)?;
    }
    match &s.exercise {
        Some(exercise) => check_exercise(exercise),
        None => Ok(()),
    }
}

/// The actors of the scenario's adversaries, in order of first appearance:
/// the names a run's report gives them.
fn actors(s: &Scenario) -> Vec<&str> {
    let mut actors: Vec<&str> = Vec::new();
    for spec in &s.adversaries {
        if !actors.contains(&spec.actor.as_str()) {
            actors.push(&spec.actor);
        }
    }
    actors
}

fn check_one(s: &Scenario, index: usize, e: &Expectation, actors: &[&str]) -> Result<(), Problem> {
    let at = |field| Spot::Expect { index, field };
    let name = &e.name;
    if actors.is_empty() {
        return Err(Problem::new(
            at("actor"),
            format!(
                "[[expect]] {name:?}: actor = \"{}\", but the file has no [[adversary]], so no actor to check",
                e.actor
            ),
        ));
    }
    if let ActorSelector::One(actor) = &e.actor
        && !actors.contains(&actor.as_str())
    {
        return Err(Problem::new(
            at("actor"),
            format!(
                "[[expect]] {name:?}: actor = {actor:?} is not an actor of the file's adversaries (expected {}, or \"*\" for every actor)",
                quoted(actors)
            ),
        ));
    }
    if e.configs.is_empty() {
        return Err(Problem::new(
            at("configs"),
            format!(
                "[[expect]] {name:?}: configs = []: name at least one preset (or \"as-written\"), or leave configs out to check the file as written"
            ),
        ));
    }
    for (entry, config) in e.configs.iter().enumerate() {
        if e.configs[..entry].contains(config) {
            return Err(Problem::new(
                Spot::ExpectEntry {
                    index,
                    field: "configs",
                    entry,
                },
                format!("[[expect]] {name:?}: configs lists \"{config}\" twice"),
            ));
        }
    }
    if e.comparisons.is_empty() && e.leaked.is_empty() && e.not_leaked.is_empty() {
        let measures: Vec<&str> = Measure::ALL.iter().map(|m| m.as_str()).collect();
        return Err(Problem::new(
            at(""),
            format!(
                "[[expect]] {name:?} checks nothing: give at least one of {}, leaked or not_leaked",
                measures.join(", ")
            ),
        ));
    }
    check_ids(s, index, e, "leaked", &e.leaked)?;
    check_ids(s, index, e, "not_leaked", &e.not_leaked)?;
    for (entry, id) in e.not_leaked.iter().enumerate() {
        if e.leaked.contains(id) {
            return Err(Problem::new(
                Spot::ExpectEntry {
                    index,
                    field: "not_leaked",
                    entry,
                },
                format!("[[expect]] {name:?}: {id:?} is in both leaked and not_leaked; a cable either leaks or not"),
            ));
        }
    }
    Ok(())
}

/// Each id of `leaked` or `not_leaked` is a cable of the scenario, listed
/// or generated, and appears once.
fn check_ids(s: &Scenario, index: usize, e: &Expectation, field: &'static str, ids: &[String]) -> Result<(), Problem> {
    let listed: BTreeSet<&str> = s.cables.iter().map(|c| c.id.as_str()).collect();
    for (entry, id) in ids.iter().enumerate() {
        let reason = if !listed.contains(id.as_str()) && generated_index(id, s.generated_cables).is_none() {
            format!("is not a cable of the scenario ({})", cables_of(s))
        } else if ids[..entry].contains(id) {
            "is listed twice".to_owned()
        } else {
            continue;
        };
        return Err(Problem::new(
            Spot::ExpectEntry { index, field, entry },
            format!("[[expect]] {:?}: {field} {id:?} {reason}", e.name),
        ));
    }
    Ok(())
}

/// The scenario's cable ids in a few words: the listed ones (the first
/// few) and the range of generated ones.
fn cables_of(s: &Scenario) -> String {
    let mut parts = Vec::new();
    if !s.cables.is_empty() {
        let ids: Vec<&str> = s.cables.iter().take(QUOTED_IDS).map(|c| c.id.as_str()).collect();
        let more = s.cables.len().saturating_sub(QUOTED_IDS);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        parts.push(format!("listed: {}{tail}", quoted(&ids)));
    }
    match s.generated_cables {
        0 => {}
        1 => parts.push("generated: C-000001".to_owned()),
        n => parts.push(format!("generated: C-000001 to C-{n:06}")),
    }
    if parts.is_empty() {
        "it has no cables".to_owned()
    } else {
        parts.join("; ")
    }
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
}

fn check_exercise(exercise: &Exercise) -> Result<(), Problem> {
    if exercise.task.trim().is_empty() {
        return Err(Problem::new(
            Spot::Exercise("task"),
            "[exercise]: task is empty; say what the participant has to do",
        ));
    }
    for (entry, name) in exercise.locked.iter().enumerate() {
        let reason = if !Exercise::LOCKABLE.contains(&name.as_str()) {
            format!(
                "is not a name that can be locked (expected one of {})",
                Exercise::LOCKABLE.join(", ")
            )
        } else if exercise.locked[..entry].contains(name) {
            "is listed twice".to_owned()
        } else {
            continue;
        };
        return Err(Problem::new(
            Spot::ExerciseLocked(entry),
            format!("[exercise]: locked {name:?} {reason}"),
        ));
    }
    Ok(())
}
