//! The words of `cablesim check`: one line per verdict, and the failure
//! message of its JUnit case. A passing line shows everything that held;
//! a failing one only what did not, which is what there is to fix.

use crate::report::grouped;
use crate::scenario::{ActorVerdict, Comparison, Scenario, Verdict};

/// `PASS  FILE: NAME [config] actor measure op value (measured n)`, or
/// `FAIL  ...` with what did not hold.
pub(crate) fn verdict_line(file: &str, scenario: &Scenario, verdict: &Verdict) -> String {
    let (word, details) = if verdict.passed {
        ("PASS", held(scenario, verdict))
    } else {
        ("FAIL", failure_message(scenario, verdict))
    };
    format!("{word}  {file}: {} [{}] {details}", verdict.expectation, verdict.config)
}

/// What was expected and what was measured, for each selected actor that
/// did not pass.
pub(crate) fn failure_message(scenario: &Scenario, verdict: &Verdict) -> String {
    if verdict.actors.is_empty() {
        return no_actor(scenario, verdict);
    }
    verdict
        .actors
        .iter()
        .filter(|actor| !actor.passed())
        .map(|actor| {
            let comparisons: Vec<(Comparison, u64)> = actor
                .measured
                .iter()
                .filter(|&&(_, _, ok)| !ok)
                .map(|&(comparison, value, _)| (comparison, value))
                .collect();
            let mut parts = Vec::new();
            if !comparisons.is_empty() {
                parts.push(compared(&comparisons));
            }
            if !actor.unexpected.is_empty() {
                parts.push(format!("leaked {} (expected not leaked)", actor.unexpected.join(", ")));
            }
            if !actor.missing.is_empty() {
                parts.push(format!("not leaked {} (expected leaked)", actor.missing.join(", ")));
            }
            format!("{} {}", actor.actor, parts.join("; "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Everything that held, actor by actor.
fn held(scenario: &Scenario, verdict: &Verdict) -> String {
    let expectation = scenario.expectations.iter().find(|e| e.name == verdict.expectation);
    let ids = |pick: fn(&crate::scenario::Expectation) -> &Vec<String>| {
        expectation.map(|e| pick(e).join(", ")).unwrap_or_default()
    };
    let (leaked, not_leaked) = (ids(|e| &e.leaked), ids(|e| &e.not_leaked));
    verdict
        .actors
        .iter()
        .map(|actor: &ActorVerdict| {
            let comparisons: Vec<(Comparison, u64)> = actor.measured.iter().map(|&(c, v, _)| (c, v)).collect();
            let mut parts = Vec::new();
            if !comparisons.is_empty() {
                parts.push(compared(&comparisons));
            }
            if !leaked.is_empty() {
                parts.push(format!("leaked {leaked} (as expected)"));
            }
            if !not_leaked.is_empty() {
                parts.push(format!("not leaked {not_leaked} (as expected)"));
            }
            format!("{} {}", actor.actor, parts.join("; "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `content <= 100 (measured 1,163), alarms == 0 (measured 0)`.
fn compared(comparisons: &[(Comparison, u64)]) -> String {
    comparisons
        .iter()
        .map(|(c, value)| {
            format!(
                "{} {} {} (measured {})",
                c.measure,
                c.op,
                grouped(c.value),
                grouped(*value)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The run's report names no actor the expectation selects (an actor
/// whose adversaries never acted): nothing was shown to hold.
fn no_actor(scenario: &Scenario, verdict: &Verdict) -> String {
    let selector = scenario
        .expectations
        .iter()
        .find(|e| e.name == verdict.expectation)
        .map(|e| e.actor.to_string())
        .unwrap_or_default();
    format!("the run's report has no actor {selector:?}: nothing was measured")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ConfigChoice, Measure, Op, Preset};

    const FILE: &str = include_str!("../../tests/fixtures/exercise-broadcast.toml");

    fn scenario() -> Scenario {
        Scenario::from_toml_str(FILE, "x.toml").unwrap()
    }

    fn content(op: Op, value: u64) -> Comparison {
        Comparison {
            measure: Measure::Content,
            op,
            value,
        }
    }

    fn phishers(measured: Vec<(Comparison, u64, bool)>, missing: &[&str], unexpected: &[&str]) -> ActorVerdict {
        ActorVerdict {
            actor: "phishers".into(),
            measured,
            missing: missing.iter().map(|id| (*id).to_owned()).collect(),
            unexpected: unexpected.iter().map(|id| (*id).to_owned()).collect(),
        }
    }

    #[test]
    fn a_pass_shows_everything_that_held() {
        let verdict = Verdict {
            expectation: "the phishers read fewer than 10 cables".into(),
            config: ConfigChoice::AsWritten,
            passed: true,
            actors: vec![phishers(vec![(content(Op::Lt, 10), 7, true)], &[], &[])],
        };
        assert_eq!(
            verdict_line("dir/x.toml", &scenario(), &verdict),
            "PASS  dir/x.toml: the phishers read fewer than 10 cables [as written] \
             phishers content < 10 (measured 7); not leaked C-900002 (as expected)"
        );
    }

    #[test]
    fn a_failure_shows_only_what_did_not_hold() {
        let verdict = Verdict {
            expectation: "the phishers read fewer than 10 cables".into(),
            config: ConfigChoice::Preset(Preset::E2eFs),
            passed: false,
            actors: vec![phishers(
                vec![(content(Op::Lt, 1000), 1163, false)],
                &["C-900001"],
                &["C-000004", "C-000009"],
            )],
        };
        assert_eq!(
            verdict_line("x.toml", &scenario(), &verdict),
            "FAIL  x.toml: the phishers read fewer than 10 cables [e2e-fs] \
             phishers content < 1,000 (measured 1,163); leaked C-000004, C-000009 (expected not leaked); \
             not leaked C-900001 (expected leaked)"
        );
        assert_eq!(
            failure_message(&scenario(), &verdict),
            "phishers content < 1,000 (measured 1,163); leaked C-000004, C-000009 (expected not leaked); \
             not leaked C-900001 (expected leaked)"
        );
    }

    #[test]
    fn a_failure_without_the_actor_says_nothing_was_measured() {
        let verdict = Verdict {
            expectation: "the phishers still read the fisheries cable".into(),
            config: ConfigChoice::AsWritten,
            passed: false,
            actors: vec![],
        };
        assert_eq!(
            failure_message(&scenario(), &verdict),
            "the run's report has no actor \"phishers\": nothing was measured"
        );
    }
}
