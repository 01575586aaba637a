//! "What would have stopped it" (`cablesim demo`): an incident replayed under
//! each mitigation, every figure from a run.
//!
//! A [`Mitigation`] is a list of [`Change`]s to the scenario: a preset, a
//! `--set` assignment, a shorter dwell time, certificate checks on every
//! node. [`Replays`] plans one variant per mitigation: a run of its own,
//! or, for a shorter dwell time of passive adversaries or another
//! retention, extra actors in a run already planned — the baseline's or
//! another row's (ARCHITECTURE.md, "Adversaries"); it collects what the
//! attackers took into a [`Comparison`].

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use super::counterfactual::with_dwell;
use super::sharing::{SideGroup, side_group};
use super::{Preset, RunError, RunOutcome, Runner, Scenario, ScenarioError};
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

/// Whether a table may measure rows in runs it makes anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// A row that changes only the windows of passive adversaries or the
    /// nodes' retention is measured in the baseline's run, or else in the
    /// run of an earlier row it differs from only so, as extra actors
    /// (`src/scenario/sharing.rs`); every other row gets a run of its own.
    Shared,
    /// Every row that changes the scenario gets a run of its own: the
    /// table as it would be without sharing, and the runs it would take.
    EachAlone,
}

/// How one row is measured.
enum How {
    /// The mitigation leaves the scenario as it is: the baseline's figures.
    AsBaseline,
    /// Extra actors in another run: side group number `group` of the
    /// baseline's run (`host` is `None`) or of row `host`'s.
    Shared { host: Option<usize>, group: usize },
    /// A run of its own, not started yet (`pending`) or started (`None`),
    /// measuring the side `groups` of the rows that ride in it.
    Own {
        pending: Option<Box<Scenario>>,
        groups: Vec<SideGroup>,
    },
}

/// The runs a mitigation table needs, planned before the baseline's run so
/// that the rows it can measure ride along in it ([`Replays::baseline`]).
///
/// A mitigation the scenario already has (COREU already runs `e2e-fs`)
/// leaves the scenario as it is: running it again would be the baseline
/// run a second time, so its row takes the baseline's figures and says so
/// ([`ComparisonRow::in_baseline`]). A mitigation that only shortens the
/// windows of passive adversaries (detected within N days) or changes the
/// nodes' retention sees the baseline's network: under [`Sharing::Shared`]
/// its adversaries are measured in the baseline's run, beside the
/// scenario's own and kept out of its report ([`ComparisonRow::shared`]).
/// One that differs so from an earlier row with a run of its own (need to
/// know, then need to know with 90-day retention) rides in that row's run
/// ([`ComparisonRow::shared_run`]). Every other row is a run of its own;
/// those runs are independent, so each gets a runtime of its own
/// ([`Runner::spawn_apart`]) and they proceed in parallel. Runs are
/// deterministic by seed (ARCHITECTURE.md, "Determinism"), so neither
/// sharing nor the order of completion changes a figure.
pub struct Replays {
    scenario: String,
    rows: Vec<(&'static str, How)>,
    side_groups: Vec<SideGroup>,
    started: Vec<(usize, JoinHandle<()>)>,
    done: (UnboundedSender<Finished>, UnboundedReceiver<Finished>),
}

/// A run of its own that finished: its row, its scenario, and its report
/// with what its side groups took.
type Finished = (usize, Box<Scenario>, Result<(RunReport, Vec<Taken>), RunError>);

/// The distinct runs a table performed besides the baseline's, each
/// scenario with its report, in the order of the rows.
pub type OwnRuns = Vec<(Scenario, RunReport)>;

impl Replays {
    /// The runs `scenario` under each of `mitigations` needs; nothing
    /// runs yet.
    // The error is the one every function of this module returns, once
    // per table: its size (a failed run's, which planning never returns)
    // costs nothing here.
    #[allow(clippy::result_large_err)]
    pub fn plan(scenario: &Scenario, mitigations: &[Mitigation], sharing: Sharing) -> Result<Replays, DemoError> {
        let mut rows: Vec<(&'static str, How)> = Vec::with_capacity(mitigations.len());
        let mut side_groups = Vec::new();
        for mitigation in mitigations {
            let variant = mitigation.apply(scenario).map_err(|source| DemoError::Mitigation {
                mitigation: mitigation.label.to_owned(),
                source,
            })?;
            let how = if variant == *scenario {
                How::AsBaseline
            } else if sharing == Sharing::EachAlone {
                How::Own {
                    pending: Some(Box::new(variant)),
                    groups: Vec::new(),
                }
            } else if let Some(group) = side_group(scenario, &variant) {
                side_groups.push(group);
                How::Shared {
                    host: None,
                    group: side_groups.len() - 1,
                }
            } else if let Some((host, groups, group)) =
                rows.iter_mut().enumerate().find_map(|(i, (_, how))| match how {
                    How::Own {
                        pending: Some(own),
                        groups,
                    } => side_group(own, &variant).map(|group| (i, groups, group)),
                    _ => None,
                })
            {
                groups.push(group);
                How::Shared {
                    host: Some(host),
                    group: groups.len() - 1,
                }
            } else {
                How::Own {
                    pending: Some(Box::new(variant)),
                    groups: Vec::new(),
                }
            };
            rows.push((mitigation.label, how));
        }
        Ok(Replays {
            scenario: scenario.name.clone(),
            rows,
            side_groups,
            started: Vec::new(),
            done: unbounded_channel(),
        })
    }

    /// `runner`, the baseline's, measuring the adversaries of the rows
    /// that ride in it too ([`Runner::measuring_also`]): the run
    /// [`Replays::finish`] needs.
    pub fn baseline(&self, runner: Runner) -> Runner {
        let groups = self.side_groups.iter().cloned();
        groups.fold(runner, Runner::measuring)
    }

    /// How many runs the table takes: the baseline's, and one per row
    /// that has a run of its own.
    pub fn runs(&self) -> usize {
        1 + self
            .rows
            .iter()
            .filter(|(_, how)| matches!(how, How::Own { .. }))
            .count()
    }

    /// The labels of the rows measured in another row's run or the
    /// baseline's, in order.
    pub fn shared(&self) -> Vec<&'static str> {
        let rows = self.rows.iter();
        rows.filter(|(_, how)| matches!(how, How::Shared { .. }))
            .map(|(label, _)| *label)
            .collect()
    }

    /// Starts the runs of their own, each on a runtime of its own
    /// ([`Runner::spawn_apart`]) watched by a task on the current one, if
    /// they have not started: at the same time as the baseline's run to
    /// keep every core busy, or after it.
    pub fn start(&mut self) {
        for (i, (_, how)) in self.rows.iter_mut().enumerate() {
            if let How::Own { pending, groups } = how
                && let Some(variant) = pending.take()
            {
                let done = self.done.0.clone();
                let runner = groups
                    .iter()
                    .cloned()
                    .fold(Runner::new((*variant).clone()), Runner::measuring);
                let task = tokio::spawn(async move {
                    let outcome = match runner.spawn_apart().await {
                        Ok(outcome) => outcome,
                        Err(stopped) => match stopped.try_into_panic() {
                            // The panic goes on through this task, whose
                            // join error then says why the run stopped.
                            Ok(panic) => std::panic::resume_unwind(panic),
                            // Cancelled: the runtime is shutting down and
                            // nobody is left to tell.
                            Err(_) => return,
                        },
                    };
                    // The receiver is gone only when the table was given
                    // up: nobody is left to tell.
                    let measured = outcome.map(|o: RunOutcome| (o.report, o.also));
                    let _ = done.send((i, variant, measured));
                });
                self.started.push((i, task));
            }
        }
    }

    /// The table, once the baseline's run is over: `baseline` is its
    /// report, `also` what its side groups took ([`super::RunOutcome::also`]).
    /// Starts the runs of their own if [`Replays::start`] has not.
    /// `on_done` is called with each row as it is measured: those of the
    /// baseline's run first, then the others as their runs finish, in
    /// whatever order; the rows come back in the order of the mitigations.
    pub async fn finish(
        self,
        baseline: &RunReport,
        also: &[Taken],
        on_done: impl FnMut(&ComparisonRow),
    ) -> Result<Comparison, DemoError> {
        Ok(self.finish_with_runs(baseline, also, on_done).await?.0)
    }

    /// [`Replays::finish`], with the runs of their own it performed, each
    /// scenario with its report: what `cablesim bench` times the crypto
    /// floors of.
    pub async fn finish_with_runs(
        mut self,
        baseline: &RunReport,
        also: &[Taken],
        mut on_done: impl FnMut(&ComparisonRow),
    ) -> Result<(Comparison, OwnRuns), DemoError> {
        self.start();
        let baseline = Taken::of(baseline);
        let labels: Vec<&'static str> = self.rows.iter().map(|(label, _)| *label).collect();
        let row = |label: &str, taken, how: &How| ComparisonRow {
            label: label.to_owned(),
            taken,
            in_baseline: matches!(how, How::AsBaseline),
            shared: matches!(how, How::Shared { .. }),
            shared_run: match how {
                How::Shared { host: Some(host), .. } => Some(labels[*host].to_owned()),
                _ => None,
            },
        };
        // The row of side group `group` of a run, from what the run's side
        // groups took (`also`).
        let side_row =
            |label: &str, how: &How, group: usize, also: &[Taken]| also.get(group).map(|taken| row(label, *taken, how));
        let mut rows: Vec<Option<ComparisonRow>> = vec![None; self.rows.len()];
        for (i, (label, how)) in self.rows.iter().enumerate() {
            let measured = match how {
                How::AsBaseline => row(label, baseline, how),
                How::Shared { host: None, group } => {
                    side_row(label, how, *group, also).ok_or_else(|| not_measured(label))?
                }
                How::Shared { host: Some(_), .. } | How::Own { .. } => continue,
            };
            on_done(&measured);
            rows[i] = Some(measured);
        }
        let (sender, mut finished) = self.done;
        // Only the tasks hold a sender now: the channel closes when the
        // last of them has finished, or stopped without a word.
        drop(sender);
        let mut runs: Vec<Option<(Scenario, RunReport)>> = vec![None; self.rows.len()];
        while let Some((i, variant, outcome)) = finished.recv().await {
            let (label, how) = &self.rows[i];
            let (report, also) = outcome.map_err(|source| DemoError::Run {
                run: (*label).to_owned(),
                source,
            })?;
            let measured = row(label, Taken::of(&report), how);
            on_done(&measured);
            rows[i] = Some(measured);
            for (j, (label, how)) in self.rows.iter().enumerate() {
                if let How::Shared {
                    host: Some(host),
                    group,
                } = how
                    && *host == i
                {
                    let measured = side_row(label, how, *group, &also).ok_or_else(|| not_measured(label))?;
                    on_done(&measured);
                    rows[j] = Some(measured);
                }
            }
            runs[i] = Some((*variant, report));
        }
        // A task that panicked sent nothing: its join error says why.
        for (i, task) in self.started {
            if rows[i].is_none() {
                let cause = task
                    .await
                    .err()
                    .map_or_else(|| "no result".to_owned(), |e| e.to_string());
                return Err(DemoError::Stopped {
                    run: self.rows[i].0.to_owned(),
                    cause,
                });
            }
        }
        let comparison = Comparison {
            scenario: self.scenario,
            baseline,
            rows: rows.into_iter().flatten().collect(),
        };
        Ok((comparison, runs.into_iter().flatten().collect()))
    }
}

/// Why a row measured in another run has no figures: that run did not
/// measure its side group.
fn not_measured(label: &str) -> DemoError {
    DemoError::Stopped {
        run: label.to_owned(),
        cause: "the run it rides in did not measure it".to_owned(),
    }
}

/// Runs `scenario` as it is, then under each of `mitigations`: the whole
/// comparison in one call, for tests and programs without a story to tell.
/// Rows share the baseline's run where they can ([`Sharing::Shared`]).
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
    mitigation_table_with(scenario, mitigations, Sharing::Shared).await
}

/// [`mitigation_table`], sharing runs or not: every run starts at once.
pub async fn mitigation_table_with(
    scenario: &Scenario,
    mitigations: &[Mitigation],
    sharing: Sharing,
) -> Result<Comparison, DemoError> {
    let mut replays = Replays::plan(scenario, mitigations, sharing)?;
    replays.start();
    let outcome = replays
        .baseline(Runner::new(scenario.clone()))
        .run()
        .await
        .map_err(|source| DemoError::Run {
            run: "baseline".to_owned(),
            source,
        })?;
    replays.finish(&outcome.report, &outcome.also, |_| {}).await
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
