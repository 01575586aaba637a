//! The rules a resolved [`Scenario`] must obey (README.md, "Scenario files";
//! ARCHITECTURE.md, "Bad input").
//!
//! They are checked on the resolved scenario rather than on the file, so
//! that the same rules guard a file, a `--set` that changes `days`, and a
//! scenario a program assembled or edited itself. A [`Problem`] says which
//! field is at fault through a [`Spot`]; the file loader turns that into a
//! line, `--set` into the assignment.

use std::collections::{BTreeMap, BTreeSet};

use super::Scenario;
use super::check_expect::check_expectations;
use crate::adversary::{AdversaryKind, AdversarySpec, attack_id_problem};
use crate::model::{Generator, HUB};

/// Where a problem lies, as a field of the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Spot {
    /// A key of `[scenario]`.
    Scenario(&'static str),
    /// A key of `[security]`.
    Security(&'static str),
    /// A key of the `index`th `[[cable]]`.
    Cable { index: usize, field: &'static str },
    /// Entry `entry` of the `to` list of the `index`th `[[cable]]`.
    CableTo { index: usize, entry: usize },
    /// A key of the `index`th `[[adversary]]`.
    Adversary { index: usize, field: &'static str },
    /// Entry `entry` of the `to` list of the `index`th `[[adversary]]`.
    AdversaryTo { index: usize, entry: usize },
    /// Entry `entry` of the `attack` list of the `index`th `[[adversary]]`.
    AdversaryAttack { index: usize, entry: usize },
    /// A key of the `index`th `[[expect]]` (`""`: the table itself).
    Expect { index: usize, field: &'static str },
    /// Entry `entry` of the list `field` of the `index`th `[[expect]]`.
    ExpectEntry {
        index: usize,
        field: &'static str,
        entry: usize,
    },
    /// A key of `[exercise]`.
    Exercise(&'static str),
    /// Entry `entry` of the `locked` list of `[exercise]`.
    ExerciseLocked(usize),
}

/// A broken rule: where, and a reason naming the field or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    pub(super) spot: Spot,
    pub(super) reason: String,
}

impl Problem {
    pub(super) fn new(spot: Spot, reason: impl Into<String>) -> Self {
        Problem {
            spot,
            reason: reason.into(),
        }
    }
}

/// Every rule, run-wide ones first, then cables, then adversaries, then
/// expectations and the exercise; the first broken one is reported.
pub(super) fn check(scenario: &Scenario) -> Result<(), Problem> {
    check_run(scenario)?;
    check_cables(scenario)?;
    check_adversaries(scenario)?;
    check_expectations(scenario)
}

fn check_run(s: &Scenario) -> Result<(), Problem> {
    if s.days == 0 {
        return Err(Problem::new(
            Spot::Scenario("days"),
            "days = 0: a run needs at least one day",
        ));
    }
    // `epoch_of` tolerates 0, but a zero-day epoch has no meaning a user
    // could have intended: `epoch_days` is at least 1.
    if s.security.epoch_days == 0 {
        return Err(Problem::new(
            Spot::Security("epoch_days"),
            "epoch_days = 0: an epoch lasts at least one day",
        ));
    }
    if let Err(e) = Generator::new(s.seed, &s.network, s.generated_cables, s.days) {
        return Err(Problem::new(
            Spot::Scenario("cables"),
            format!("cables = {}: {e}", s.generated_cables),
        ));
    }
    Ok(())
}

/// The 1-based index of the generated cable whose id is `id`, if any:
/// generated ids are `C-{index + 1:06}` for the first `count` indices.
pub(super) fn generated_index(id: &str, count: u64) -> Option<u64> {
    let n: u64 = id.strip_prefix("C-")?.parse().ok()?;
    ((1..=count).contains(&n) && format!("C-{n:06}") == id).then_some(n)
}

fn check_cables(s: &Scenario) -> Result<(), Problem> {
    let mut first_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, cable) in s.cables.iter().enumerate() {
        let at = |field| Spot::Cable { index, field };
        let id = &cable.id;
        if id.is_empty() {
            return Err(Problem::new(at("id"), "cable id is empty"));
        }
        if let Some(first) = first_of.insert(id, index) {
            return Err(Problem::new(
                at("id"),
                format!("duplicate cable id {id:?} (also cable #{} of the list)", first + 1),
            ));
        }
        if let Some(n) = generated_index(id, s.generated_cables) {
            return Err(Problem::new(
                at("id"),
                format!(
                    "cable id {id:?} is also the id of generated cable {n} (generated ids run from C-000001 to C-{:06})",
                    s.generated_cables
                ),
            ));
        }
        let from = &cable.from;
        if from == HUB {
            return Err(Problem::new(
                at("from"),
                format!("cable {id:?}: from = {from:?}: the hub relays cables, it never sends them"),
            ));
        }
        if !s.network.contains(from) {
            return Err(Problem::new(
                at("from"),
                format!("cable {id:?}: from = {from:?} is not a node of the network"),
            ));
        }
        if cable.to.is_empty() {
            return Err(Problem::new(
                at("to"),
                format!("cable {id:?}: to is empty; a cable needs at least one addressee"),
            ));
        }
        let mut seen = BTreeSet::new();
        for (entry, name) in cable.to.iter().enumerate() {
            let reason = if name == HUB {
                "the hub relays cables, it is never an addressee".to_owned()
            } else if !s.network.contains(name) {
                "is not a node of the network".to_owned()
            } else if name == from {
                "is the sender; a node does not address a cable to itself".to_owned()
            } else if !seen.insert(name) {
                "is listed twice".to_owned()
            } else {
                continue;
            };
            return Err(Problem::new(
                Spot::CableTo { index, entry },
                format!("cable {id:?}: to {name:?} {reason}"),
            ));
        }
        if cable.day >= s.days {
            return Err(Problem::new(
                at("day"),
                format!(
                    "cable {id:?}: day = {} is not before the end of the run (days = {}, so the last day is {})",
                    cable.day,
                    s.days,
                    s.days - 1
                ),
            ));
        }
    }
    Ok(())
}

fn check_adversaries(s: &Scenario) -> Result<(), Problem> {
    let mut names = BTreeSet::new();
    for (index, spec) in s.adversaries.iter().enumerate() {
        check_adversary(s, index, spec)?;
        if !names.insert(spec.name.as_str()) {
            return Err(Problem::new(
                Spot::Adversary { index, field: "kind" },
                format!("two adversaries are named {:?}", spec.name),
            ));
        }
    }
    Ok(())
}

fn check_adversary(s: &Scenario, index: usize, spec: &AdversarySpec) -> Result<(), Problem> {
    let at = |field| Spot::Adversary { index, field };
    let name = &spec.name;
    let kind = spec.kind;
    match (&spec.at, kind.needs_node()) {
        (None, true) => {
            return Err(Problem::new(
                at("kind"),
                format!("adversary {name:?}: kind = \"{kind}\" needs `at`, the node it sits at"),
            ));
        }
        (Some(node), false) => {
            return Err(Problem::new(
                at("at"),
                format!(
                    "adversary {name:?}: kind = \"{kind}\" does not sit at a node, so `at = {node:?}` is not allowed"
                ),
            ));
        }
        (Some(node), true) if node == HUB => {
            return Err(Problem::new(
                at("at"),
                format!("adversary {name:?}: at = \"hub\": to attack the hub use kind = \"hub\" or \"insider\""),
            ));
        }
        (Some(node), true) if !s.network.contains(node) => {
            return Err(Problem::new(
                at("at"),
                format!("adversary {name:?}: at = {node:?} is not a node of the network"),
            ));
        }
        _ => {}
    }
    check_window(s, index, spec)?;
    if spec.actor.is_empty() {
        return Err(Problem::new(at("actor"), format!("adversary {name:?}: actor is empty")));
    }
    check_attack(index, spec)?;
    if kind == AdversaryKind::Forger {
        check_forger(s, index, spec)
    } else if let Some(node) = &spec.impersonate {
        Err(Problem::new(
            at("impersonate"),
            format!("adversary {name:?}: only a forger impersonates, so `impersonate = {node:?}` is not allowed"),
        ))
    } else if !spec.to.is_empty() {
        Err(Problem::new(
            at("to"),
            format!("adversary {name:?}: only a forger addresses cables, so `to` is not allowed"),
        ))
    } else {
        Ok(())
    }
}

fn check_window(s: &Scenario, index: usize, spec: &AdversarySpec) -> Result<(), Problem> {
    let at = |field| Spot::Adversary { index, field };
    let name = &spec.name;
    let window = spec.window;
    let start = if spec.kind.single_day() { "on_day" } else { "from_day" };
    if spec.kind.single_day() && window.until != Some(window.from.saturating_add(1)) {
        return Err(Problem::new(
            at("on_day"),
            format!("adversary {name:?}: a {} acts on exactly one day (on_day)", spec.kind),
        ));
    }
    if let Some(until) = window.until
        && until <= window.from
    {
        return Err(Problem::new(
            at("until_day"),
            format!(
                "adversary {name:?}: until_day = {until} is not after from_day = {}, so the window is empty",
                window.from
            ),
        ));
    }
    // A quantum computer that arrives after the run is a question a trainer
    // asks ("what if it comes later?"): it is allowed, and finds nothing.
    if window.from >= s.days && !spec.kind.open_ended() {
        return Err(Problem::new(
            at(start),
            format!(
                "adversary {name:?}: {start} = {} is not before the end of the run (days = {})",
                window.from, s.days
            ),
        ));
    }
    Ok(())
}

/// Each `attack` entry is a technique id, listed once.
fn check_attack(index: usize, spec: &AdversarySpec) -> Result<(), Problem> {
    let name = &spec.name;
    let mut seen = BTreeSet::new();
    for (entry, id) in spec.attack.iter().enumerate() {
        let reason = if let Some(problem) = attack_id_problem(id) {
            problem
        } else if !seen.insert(id) {
            "is listed twice"
        } else {
            continue;
        };
        return Err(Problem::new(
            Spot::AdversaryAttack { index, entry },
            format!("adversary {name:?}: attack {id:?}: {reason}"),
        ));
    }
    Ok(())
}

fn check_forger(s: &Scenario, index: usize, spec: &AdversarySpec) -> Result<(), Problem> {
    let name = &spec.name;
    let Some(claimed) = &spec.impersonate else {
        return Err(Problem::new(
            Spot::Adversary { index, field: "kind" },
            format!("adversary {name:?}: a forger needs `impersonate`, the node its cables claim to come from"),
        ));
    };
    if claimed == HUB || !s.network.contains(claimed) {
        return Err(Problem::new(
            Spot::Adversary {
                index,
                field: "impersonate",
            },
            format!("adversary {name:?}: impersonate = {claimed:?} is not a node of the network other than the hub"),
        ));
    }
    let mut seen = BTreeSet::new();
    for (entry, node) in spec.to.iter().enumerate() {
        let reason = if node == HUB || !s.network.contains(node) {
            "is not a node of the network other than the hub"
        } else if node == claimed {
            "is the impersonated sender; a cable is not addressed to its sender"
        } else if !seen.insert(node) {
            "is listed twice"
        } else {
            continue;
        };
        return Err(Problem::new(
            Spot::AdversaryTo { index, entry },
            format!("adversary {name:?}: to {node:?} {reason}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_recognised() {
        assert_eq!(generated_index("C-000001", 40), Some(1));
        assert_eq!(generated_index("C-000040", 40), Some(40));
        assert_eq!(generated_index("C-000041", 40), None);
        assert_eq!(generated_index("C-000000", 40), None);
        assert_eq!(generated_index("C-1", 40), None);
        assert_eq!(generated_index("C-0000001", 40), None);
        assert_eq!(generated_index("C-1234567", 2_000_000), Some(1_234_567));
        assert_eq!(generated_index("X-000001", 40), None);
    }
}
