//! One expectation judged against one run's report: pure, no run, no I/O
//! (README.md, "Scenario files").

use super::expect::{ActorSelector, Comparison, ConfigChoice, Expectation};
use crate::report::{ActorReport, RunReport};

/// Whether an expectation held under one configuration, and what was
/// measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The expectation's name.
    pub expectation: String,
    /// The configuration the run was made under.
    pub config: ConfigChoice,
    /// Whether every selected actor passed. False when the report has none
    /// of the actors the expectation selects: nothing was shown to hold.
    pub passed: bool,
    /// One entry per selected actor, in the report's actor order.
    pub actors: Vec<ActorVerdict>,
}

/// What one actor's report showed against an expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorVerdict {
    /// The actor, as the report names it.
    pub actor: String,
    /// Each comparison, the value measured and whether it held.
    pub measured: Vec<(Comparison, u64, bool)>,
    /// Ids of `leaked` that are not in the actor's content set.
    pub missing: Vec<String>,
    /// Ids of `not_leaked` that are in the actor's content set.
    pub unexpected: Vec<String>,
}

impl ActorVerdict {
    /// Whether every comparison held and every id is where it should be.
    pub fn passed(&self) -> bool {
        self.measured.iter().all(|&(_, _, held)| held) && self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// Judges `expectation` against `report`, a run made under `config`.
///
/// `actor = "*"` selects every actor of the report, and each must pass.
pub fn judge(expectation: &Expectation, config: ConfigChoice, report: &RunReport) -> Verdict {
    let actors: Vec<ActorVerdict> = report
        .actors
        .iter()
        .filter(|actor| match &expectation.actor {
            ActorSelector::Every => true,
            ActorSelector::One(name) => actor.actor == *name,
        })
        .map(|actor| judge_actor(expectation, actor))
        .collect();
    Verdict {
        expectation: expectation.name.clone(),
        config,
        passed: !actors.is_empty() && actors.iter().all(ActorVerdict::passed),
        actors,
    }
}

fn judge_actor(expectation: &Expectation, actor: &ActorReport) -> ActorVerdict {
    let holds = |id: &String| actor.content.contains(id);
    ActorVerdict {
        actor: actor.actor.clone(),
        measured: expectation
            .comparisons
            .iter()
            .map(|&c| {
                let value = c.measure.of(actor);
                (c, value, c.holds(value))
            })
            .collect(),
        missing: expectation.leaked.iter().filter(|id| !holds(id)).cloned().collect(),
        unexpected: expectation.not_leaked.iter().filter(|id| holds(id)).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SecurityConfig;
    use crate::report::CableCounts;
    use crate::scenario::expect::{Measure, Op};

    fn report(actors: &[(&str, &[&str], u64)]) -> RunReport {
        RunReport {
            scenario: "t".into(),
            seed: 1,
            config: None,
            security: SecurityConfig::default(),
            days: 1,
            cables: CableCounts::default(),
            actors: actors
                .iter()
                .map(|&(actor, content, alarms)| ActorReport {
                    actor: actor.into(),
                    content: content.iter().map(|id| id.to_string()).collect(),
                    alarms,
                    ..ActorReport::default()
                })
                .collect(),
            alarms: vec![],
            network: vec![],
            adversaries: vec![],
            wire: None,
        }
    }

    fn expectation(actor: ActorSelector, comparisons: Vec<Comparison>) -> Expectation {
        Expectation {
            name: "e".into(),
            actor,
            configs: vec![ConfigChoice::AsWritten],
            comparisons,
            leaked: vec!["A".into(), "B".into()],
            not_leaked: vec!["C".into(), "D".into()],
            line: 0,
        }
    }

    const ALARMS_ZERO: Comparison = Comparison {
        measure: Measure::Alarms,
        op: Op::Eq,
        value: 0,
    };

    #[test]
    fn one_actor_is_judged_on_counts_and_ids() {
        let r = report(&[("x", &["A", "C"], 0), ("y", &["A", "B"], 4)]);
        let v = judge(
            &expectation(ActorSelector::One("x".into()), vec![ALARMS_ZERO]),
            ConfigChoice::AsWritten,
            &r,
        );
        assert_eq!(
            v,
            Verdict {
                expectation: "e".into(),
                config: ConfigChoice::AsWritten,
                passed: false,
                actors: vec![ActorVerdict {
                    actor: "x".into(),
                    measured: vec![(ALARMS_ZERO, 0, true)],
                    missing: vec!["B".into()],
                    unexpected: vec!["C".into()],
                }],
            }
        );
        let y = judge(
            &expectation(ActorSelector::One("y".into()), vec![]),
            ConfigChoice::AsWritten,
            &r,
        );
        assert!(y.passed);
    }

    #[test]
    fn every_actor_must_pass_each_judged_alone() {
        let r = report(&[("x", &["A", "B"], 0), ("y", &["A", "B"], 4)]);
        let v = judge(
            &expectation(ActorSelector::Every, vec![ALARMS_ZERO]),
            ConfigChoice::AsWritten,
            &r,
        );
        assert!(!v.passed);
        let each: Vec<(&str, bool)> = v.actors.iter().map(|a| (a.actor.as_str(), a.passed())).collect();
        assert_eq!(each, [("x", true), ("y", false)]);
        assert_eq!(v.actors[1].measured, [(ALARMS_ZERO, 4, false)]);
    }

    #[test]
    fn fail_when_no_actor_is_selected() {
        let r = report(&[("x", &["A", "B"], 0)]);
        let absent = judge(
            &expectation(ActorSelector::One("z".into()), vec![]),
            ConfigChoice::AsWritten,
            &r,
        );
        assert_eq!((absent.passed, absent.actors.len()), (false, 0));
        let none = judge(
            &expectation(ActorSelector::Every, vec![]),
            ConfigChoice::AsWritten,
            &report(&[]),
        );
        assert_eq!((none.passed, none.actors.len()), (false, 0));
    }
}
