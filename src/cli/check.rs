//! `cablesim check`: the expectations (`[[expect]]`) of scenario files,
//! answered with real runs (README.md, "Threat tests in CI"): one line per
//! verdict, a summary, an exit status a CI job can act on and, if asked, a
//! JUnit file its server shows as tests.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use super::flags::{Sets, help};
use super::junit::{CaseResult, SuiteResult, junit_xml};
use super::output::create_output;
use super::verdict_line::{failure_message, verdict_line};
use crate::scenario::locks::check_exercise_locks;
use crate::scenario::{Checked, Scenario, ScenarioArgs, ScenarioError, check_expectations};

/// Check the expectations ([[expect]]) of scenario files with real runs:
/// one line per expectation and configuration, exit 0 if all hold, 1 if any fails.
#[derive(Debug, clap::Args)]
#[command(mut_args(help(
    "sets",
    "Override a field in every file before the runs, e.g. --set distribution=need-to-know"
)))]
pub(crate) struct Check {
    /// Scenario files with [[expect]] entries (or built-in scenario names).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Also write the verdicts to FILE as JUnit XML, for a CI server.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    #[command(flatten)]
    sets: Sets,
}

/// Some expectation did not hold: exit 1, after the lines that say which.
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {checked} {} failed", plural(*checked, "expectation"))]
pub(crate) struct ExpectationsFailed {
    failed: usize,
    checked: usize,
}

impl Check {
    /// Loads every file (and refuses bad ones) before the first run, then
    /// runs and judges them in order.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let scenarios = self
            .files
            .iter()
            .map(|file| self.prepare(file))
            .collect::<Result<Vec<_>, _>>()?;
        // A JUnit path that cannot be written fails now, not after the runs.
        let junit = self.junit.map(|path| create_output("--junit", path)).transpose()?;
        let mut suites = Vec::with_capacity(scenarios.len());
        let (mut runs, mut checked, mut failed) = (0, 0, 0);
        let mut out = std::io::stdout().lock();
        for (file, scenario) in self.files.iter().zip(&scenarios) {
            let answer = check_expectations(scenario)?;
            for verdict in &answer.verdicts {
                writeln!(out, "{}", verdict_line(file, scenario, verdict))?;
            }
            out.flush()?;
            runs += answer.runs;
            checked += answer.verdicts.len();
            failed += answer.verdicts.iter().filter(|v| !v.passed).count();
            suites.push(suite(file, scenario, &answer));
        }
        writeln!(
            out,
            "{checked} {} in {} {}: {} passed, {failed} failed ({runs} {})",
            plural(checked, "expectation"),
            self.files.len(),
            plural(self.files.len(), "file"),
            checked - failed,
            plural(runs, "run"),
        )?;
        if let Some((path, mut file)) = junit {
            let xml = junit_xml(&suites).context("serialising the JUnit report")?;
            file.write_all(xml.as_bytes())
                .with_context(|| format!("writing the JUnit report to {}", path.display()))?;
        }
        if failed > 0 {
            return Err(ExpectationsFailed { failed, checked }.into());
        }
        Ok(())
    }

    /// One file loaded as `run` loads it, `--set` applied, with something
    /// to check and its exercise's locks (if it is a copy of an exercise)
    /// kept.
    fn prepare(&self, file: &str) -> anyhow::Result<Scenario> {
        let args = ScenarioArgs {
            sets: self.sets.sets.clone(),
            ..ScenarioArgs::named(file)
        };
        let (scenario, _) = args.prepare()?;
        // The locks first: a copy of an exercise that dropped the goals is
        // told which, rather than that nothing is left to check.
        check_exercise_locks(&scenario)?;
        if scenario.expectations.is_empty() {
            return Err(ScenarioError::new(
                scenario.source.as_str(),
                None,
                "nothing to check: the file has no [[expect]] entry",
            )
            .into());
        }
        Ok(scenario)
    }
}

/// One file's verdicts as a JUnit suite.
fn suite(file: &str, scenario: &Scenario, answer: &Checked) -> SuiteResult {
    let cases = answer
        .verdicts
        .iter()
        .map(|verdict| CaseResult {
            name: format!("{} [{}]", verdict.expectation, verdict.config),
            classname: scenario.name.clone(),
            failure: (!verdict.passed).then(|| failure_message(scenario, verdict)),
            time: seconds(answer.seconds_of(verdict.config)),
        })
        .collect();
    SuiteResult {
        path: file.to_owned(),
        time: seconds(answer.seconds.iter().map(|&(_, s)| s).sum()),
        cases,
    }
}

/// A run's wall-clock seconds as a duration (never negative, never NaN).
fn seconds(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or_default()
}

/// `count noun`'s noun, with an `s` unless the count is one.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}
