//! Every expectation of a scenario answered with real runs (README.md,
//! "Scenario files").
//!
//! A run measures every actor at once, so expectations share runs: the
//! scenario is run once per distinct configuration its expectations name
//! (five expectations under `e2e-fs` cost one run), and each expectation is
//! then judged against the report of each of its configurations.

use std::time::Instant;

use super::expect::ConfigChoice;
use super::verdict::{Verdict, judge};
use super::{RunError, Runner, Scenario};
use crate::report::RunReport;

/// The answer to a scenario's expectations.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// How many runs were made: one per distinct configuration.
    pub runs: usize,
    /// One verdict per expectation and configuration: expectations in file
    /// order, each one's configurations in its `configs` order.
    pub verdicts: Vec<Verdict>,
    /// Each run's configuration and wall-clock seconds, in the order the
    /// runs were made (first appearance among the expectations).
    pub seconds: Vec<(ConfigChoice, f64)>,
}

impl Checked {
    /// Whether every verdict passed.
    pub fn passed(&self) -> bool {
        self.verdicts.iter().all(|v| v.passed)
    }

    /// The wall-clock seconds of the run made under `config` (0 when no run
    /// was made under it).
    pub fn seconds_of(&self, config: ConfigChoice) -> f64 {
        self.seconds
            .iter()
            .find(|(c, _)| *c == config)
            .map_or(0.0, |&(_, seconds)| seconds)
    }
}

/// The distinct configurations of `scenario`'s expectations, in order of
/// first appearance.
pub fn distinct_configs(scenario: &Scenario) -> Vec<ConfigChoice> {
    let mut configs: Vec<ConfigChoice> = Vec::new();
    for config in scenario.expectations.iter().flat_map(|e| &e.configs) {
        if !configs.contains(config) {
            configs.push(*config);
        }
    }
    configs
}

/// The runner of `scenario` under `config`.
fn runner(scenario: &Scenario, config: ConfigChoice) -> Runner {
    match config {
        ConfigChoice::AsWritten => Runner::new(scenario.clone()),
        ConfigChoice::Preset(preset) => {
            let mut configured = scenario.clone();
            configured.apply_preset(preset);
            Runner::new(configured).with_preset_name(preset.name())
        }
    }
}

/// Runs `scenario` once per distinct configuration of its expectations and
/// judges each expectation under each of its configurations. The runs are
/// made one after the other, on a runtime of their own (so that each one's
/// seconds are its own): call it outside any async runtime.
///
/// A scenario without expectations makes no run and has no verdicts.
pub fn check_expectations(scenario: &Scenario) -> Result<Checked, RunError> {
    let configs = distinct_configs(scenario);
    let mut reports: Vec<(ConfigChoice, RunReport)> = Vec::with_capacity(configs.len());
    let mut seconds = Vec::with_capacity(configs.len());
    if !configs.is_empty() {
        let runtime = tokio::runtime::Runtime::new()
            .map_err(|e| RunError::Unsupported(format!("cannot start the async runtime: {e}")))?;
        for config in configs {
            let start = Instant::now();
            let report = runtime.block_on(runner(scenario, config).run())?.report;
            seconds.push((config, start.elapsed().as_secs_f64()));
            reports.push((config, report));
        }
    }
    let mut verdicts = Vec::new();
    for expectation in &scenario.expectations {
        for &config in &expectation.configs {
            // Every configuration of every expectation was run above.
            if let Some((_, report)) = reports.iter().find(|(c, _)| *c == config) {
                verdicts.push(judge(expectation, config, report));
            }
        }
    }
    Ok(Checked {
        runs: reports.len(),
        verdicts,
        seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Preset;

    #[test]
    fn configs_are_distinct_in_order_of_first_appearance() {
        let text = "[scenario]\nname = \"t\"\nseed = 1\ndays = 2\ncables = 1\n[network]\nministries = 2\n\
            [[adversary]]\nkind = \"hub\"\n\
            [[expect]]\nname = \"a\"\nactor = \"hub\"\nconfigs = [\"e2e-fs\"]\ncontent = 0\n\
            [[expect]]\nname = \"b\"\nactor = \"hub\"\nconfigs = [\"hop-tls\", \"as-written\", \"e2e-fs\"]\ncontent = 0\n\
            [[expect]]\nname = \"c\"\nactor = \"hub\"\ncontent = 0\n";
        let scenario = Scenario::from_toml_str(text, "t.toml").unwrap();
        assert_eq!(
            distinct_configs(&scenario),
            [
                ConfigChoice::Preset(Preset::E2eFs),
                ConfigChoice::Preset(Preset::HopTls),
                ConfigChoice::AsWritten,
            ]
        );
    }
}
