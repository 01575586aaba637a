//! "What would have stopped it" (`cablesim demo`): an incident replayed under
//! each mitigation, every figure from a run of its own.
//!
//! A [`Mitigation`] is a list of [`Change`]s to the scenario: a preset, a
//! `--set` assignment, a shorter dwell time, certificate checks on every
//! node. [`compare`] runs one variant per mitigation, all at once since
//! they share nothing, and collects what the attackers took into a
//! [`Comparison`].

use std::sync::Arc;

use super::counterfactual::with_dwell;
use super::{Preset, RunError, Runner, Scenario, ScenarioError};
use crate::model::{Network, Node, Role};
use crate::report::{Comparison, ComparisonRow, RunReport, Taken};

/// One change to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Apply a `--config` preset.
    Preset(Preset),
    /// Apply a `--set FIELD=VALUE` assignment.
    Set(&'static str),
    /// End every intrusion this many days after it began ([`with_dwell`]).
    Dwell(u32),
    /// Every node checks the hub's certificate: `verify_server` on for the
    /// network and for every node that turned it off for itself, which
    /// `--set verify_server=true` alone does not reach (a node's own
    /// setting overrides the network's).
    VerifyEveryServer,
}

/// A measure a defender could have taken, as the changes that model it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mitigation {
    /// A few words for the table: at most 35 characters, so that the table
    /// fits 80 columns without cutting it, and 22 in a story about
    /// forgeries, whose table has a column more.
    pub label: &'static str,
    /// The changes, applied in order.
    pub changes: &'static [Change],
    /// What to say when the measure leaves the take exactly as it was,
    /// completing a sentence that begins with the label ("... does not
    /// help: ..."). Said only when a run measured no change.
    pub if_unchanged: &'static str,
}

impl Mitigation {
    /// `scenario` with this mitigation's changes.
    pub fn apply(&self, scenario: &Scenario) -> Result<Scenario, ScenarioError> {
        let mut variant = scenario.clone();
        for change in self.changes {
            match *change {
                Change::Preset(preset) => variant.apply_preset(preset),
                Change::Set(assignment) => variant.apply_set(assignment)?,
                Change::Dwell(days) => variant = with_dwell(variant, days)?,
                Change::VerifyEveryServer => {
                    variant.security.verify_server = true;
                    let nodes = variant.network.nodes().iter().filter(|node| node.role != Role::Hub);
                    let checked = nodes.map(|node| Node {
                        verify_server: None,
                        ..node.clone()
                    });
                    // The same names as a valid network: this cannot fail.
                    variant.network = Network::new(checked)
                        .map_err(|e| ScenarioError::new(variant.source.as_str(), None, e.to_string()))?;
                }
            }
        }
        Ok(variant)
    }
}

/// The measures any incident can be replayed under, when its story names
/// none of its own: the four levers that decide what leaks — distribution,
/// retention, detection, end-to-end keys — and the two cheapest together.
pub const STANDARD_MITIGATIONS: &[Mitigation] = &[
    Mitigation {
        label: "need-to-know distribution",
        changes: &[Change::Set("distribution=need-to-know")],
        if_unchanged: "does not help here: the attacker's position sees each cable whoever it is addressed to.",
    },
    Mitigation {
        label: "90-day retention",
        changes: &[Change::Set("retention_days=90")],
        if_unchanged: "does not help here: nothing the attacker took was older than 90 days when it was taken.",
    },
    Mitigation {
        label: "detected within 30 days",
        changes: &[Change::Dwell(30)],
        if_unchanged: "does not help here: the attacker took what it took within its first 30 days.",
    },
    Mitigation {
        label: "end-to-end encryption (e2e-fs)",
        changes: &[Change::Preset(Preset::E2eFs)],
        if_unchanged: "does not help: the attacker reads cables where they are decrypted, or never needed them \
                       decrypted.",
    },
    Mitigation {
        label: "need-to-know + 90-day retention",
        changes: &[
            Change::Set("distribution=need-to-know"),
            Change::Set("retention_days=90"),
        ],
        if_unchanged: "does not help here either.",
    },
];

/// Why a comparison could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// A mitigation cannot be applied to this scenario.
    #[error("mitigation {mitigation:?}")]
    Mitigation {
        /// Its label.
        mitigation: String,
        /// Why.
        #[source]
        source: ScenarioError,
    },
    /// A run failed.
    #[error("the run {run:?}")]
    Run {
        /// The mitigation's label, or "baseline".
        run: String,
        /// Why.
        #[source]
        source: RunError,
    },
    /// A run's task ended without a result (it panicked or the runtime
    /// shut down).
    #[error("the run {run:?} stopped: {cause}")]
    Stopped {
        /// The mitigation's label.
        run: String,
        /// What the runtime said.
        cause: String,
    },
    /// The story could not be written out.
    #[error("writing the demo")]
    Output(#[from] std::io::Error),
}

/// Replays `scenario` under each of `mitigations` and sets the results
/// beside `baseline`, the report of the scenario's own run. `on_done` is
/// called with each mitigation's label as its run finishes, in whatever
/// order they finish.
///
/// The runs are independent, so each is spawned as a task of its own on the
/// current tokio runtime and they proceed in parallel; the rows come back in
/// the order of `mitigations`. Runs are deterministic by seed (ARCHITECTURE.md,
/// "Determinism"), so that order of completion changes no figure.
///
/// A mitigation the scenario already has (COREU already runs `e2e-fs`)
/// leaves the scenario as it is: running it again would be the baseline
/// run a second time, so its row takes the baseline's figures and says so
/// ([`ComparisonRow::in_baseline`]).
pub async fn compare(
    scenario: &Scenario,
    baseline: &RunReport,
    mitigations: &[Mitigation],
    on_done: impl Fn(&str, Taken) + Send + Sync + 'static,
) -> Result<Comparison, DemoError> {
    let baseline = Taken::of(baseline);
    let on_done = Arc::new(on_done);
    let mut runs = Vec::with_capacity(mitigations.len());
    for mitigation in mitigations {
        let variant = mitigation.apply(scenario).map_err(|source| DemoError::Mitigation {
            mitigation: mitigation.label.to_owned(),
            source,
        })?;
        let run = if variant == *scenario {
            on_done(mitigation.label, baseline);
            None
        } else {
            let (label, on_done) = (mitigation.label, on_done.clone());
            Some(tokio::spawn(async move {
                let taken = Runner::new(variant).run().await.map(|o| Taken::of(&o.report));
                if let Ok(taken) = taken {
                    on_done(label, taken);
                }
                taken
            }))
        };
        runs.push((mitigation, run));
    }
    let mut rows = Vec::with_capacity(runs.len());
    for (mitigation, run) in runs {
        let label = || mitigation.label.to_owned();
        let in_baseline = run.is_none();
        let taken = match run {
            None => baseline,
            Some(task) => task
                .await
                .map_err(|e| DemoError::Stopped {
                    run: label(),
                    cause: e.to_string(),
                })?
                .map_err(|source| DemoError::Run { run: label(), source })?,
        };
        rows.push(ComparisonRow {
            label: label(),
            taken,
            in_baseline,
        });
    }
    Ok(Comparison {
        scenario: scenario.name.clone(),
        baseline,
        rows,
    })
}

/// Runs `scenario` as it is, then under each of `mitigations`: the whole
/// comparison in one call, for tests and programs without a story to tell.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// use cablesim::scenario::{STANDARD_MITIGATIONS, mitigation_table, resolve};
///
/// let table = mitigation_table(&resolve("coreu-2018")?, STANDARD_MITIGATIONS).await?;
/// let need_to_know = &table.rows[0];
/// assert!(need_to_know.taken.content < table.baseline.content);
/// # Ok(()) }
/// ```
pub async fn mitigation_table(scenario: &Scenario, mitigations: &[Mitigation]) -> Result<Comparison, DemoError> {
    let baseline = Runner::new(scenario.clone())
        .run()
        .await
        .map_err(|source| DemoError::Run {
            run: "baseline".to_owned(),
            source,
        })?
        .report;
    compare(scenario, &baseline, mitigations, |_, _| {}).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Distribution, E2eMode};

    fn incident() -> Scenario {
        let text = "[scenario]\nname = \"t\"\nseed = 1\ndays = 100\ncables = 3\n[network]\nministries = 2\n\
                    [security]\ndistribution = \"broadcast\"\ne2e = \"off\"\n\
                    [[adversary]]\nkind = \"endpoint\"\nat = \"be-mfa\"\nfrom_day = 10\n";
        Scenario::from_toml_str(text, "t.toml").unwrap()
    }

    #[test]
    fn every_standard_mitigation_applies_and_changes_something() {
        let scenario = incident();
        for mitigation in STANDARD_MITIGATIONS {
            let variant = mitigation.apply(&scenario).unwrap();
            assert_ne!(variant, scenario, "{}", mitigation.label);
            assert!(mitigation.label.chars().count() <= 32, "{}", mitigation.label);
        }
    }

    #[test]
    fn changes_apply_in_order() {
        let both = STANDARD_MITIGATIONS[4].apply(&incident()).unwrap();
        assert_eq!(both.security.distribution, Distribution::NeedToKnow);
        assert_eq!(both.security.retention_days, Some(90));
        let e2e = STANDARD_MITIGATIONS[3].apply(&incident()).unwrap();
        assert_eq!(e2e.security.e2e, E2eMode::ForwardSecret);
        let dwell = STANDARD_MITIGATIONS[2].apply(&incident()).unwrap();
        assert_eq!(dwell.adversaries[0].window.until, Some(40));
    }

    #[test]
    fn verifying_every_server_overrides_a_node_that_opted_out() {
        let text = "[scenario]\nname = \"t\"\nseed = 1\ndays = 10\ncables = 3\n[network]\nministries = 2\n\
                    [[node]]\nname = \"del-summit\"\nrole = \"mission\"\nverify_server = false\n\
                    [security]\nverify_server = false\n";
        let scenario = Scenario::from_toml_str(text, "t.toml").unwrap();
        let checked = Mitigation {
            label: "every client checks the hub",
            changes: &[Change::VerifyEveryServer],
            if_unchanged: "",
        }
        .apply(&scenario)
        .unwrap();
        assert!(checked.security.verify_server);
        assert!(checked.network.nodes().iter().all(|node| node.verify_server.is_none()));
        let names = |s: &Scenario| s.network.nodes().iter().map(|n| n.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&checked), names(&scenario));
    }
}
