//! A scenario as the command line names it: a built-in name or a file,
//! then a preset, `--set` assignments, `--adversary` replacements, a dwell
//! limit and a seed. One type, so that `run`, the processes of the
//! multi-process mode and the `network` launcher that passes the same
//! arguments on to its children all build exactly the same scenario.

use crate::adversary::parse_adversary_specs;

use super::{Preset, Scenario, resolve, with_dwell};

/// The arguments that make a scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioArgs {
    /// A built-in name or a path.
    pub scenario: String,
    /// A preset applied first.
    pub config: Option<String>,
    /// `FIELD=VALUE` assignments applied after the preset.
    pub sets: Vec<String>,
    /// `--adversary` specs replacing the file's adversaries, if any.
    pub adversaries: Vec<String>,
    /// A different seed.
    pub seed: Option<u64>,
    /// Ends every adversary window this many days after it starts.
    pub dwell: Option<u32>,
}

impl ScenarioArgs {
    /// Arguments naming `scenario` and nothing else.
    pub fn named(scenario: impl Into<String>) -> Self {
        ScenarioArgs {
            scenario: scenario.into(),
            ..ScenarioArgs::default()
        }
    }

    /// Resolves the scenario and applies, in order, the preset, the `--set`
    /// assignments, the `--adversary` replacements, the dwell limit and the
    /// seed. Returns the preset too, for the report.
    pub fn prepare(&self) -> anyhow::Result<(Scenario, Option<Preset>)> {
        let mut scenario = resolve(&self.scenario)?;
        let preset = self.config.as_deref().map(str::parse::<Preset>).transpose()?;
        if let Some(preset) = preset {
            scenario.apply_preset(preset);
        }
        for assignment in &self.sets {
            scenario.apply_set(assignment)?;
        }
        if !self.adversaries.is_empty() {
            scenario.adversaries = parse_adversary_specs(&self.adversaries, &scenario.network, scenario.days)?;
            // The file's expectations are about the file's adversaries: they
            // go with them (a run does not judge them; `check` takes no
            // replacement adversaries).
            scenario.expectations.clear();
            scenario.validate()?;
        }
        if let Some(days) = self.dwell {
            scenario = with_dwell(scenario, days)?;
        }
        if let Some(seed) = self.seed {
            scenario.set_seed(seed);
        }
        Ok((scenario, preset))
    }

    /// The same arguments as a command line (`SCENARIO --config P --set
    /// F=V ...`), for a child process. The adversaries (and the dwell
    /// limit, which only changes their windows) are left out: a child is
    /// given the run's adversaries, windows applied, separately.
    pub fn to_command_line(&self) -> Vec<String> {
        let mut args = vec!["--scenario".to_owned(), self.scenario.clone()];
        if let Some(config) = &self.config {
            args.extend(["--config".to_owned(), config.clone()]);
        }
        for set in &self.sets {
            args.extend(["--set".to_owned(), set.clone()]);
        }
        if let Some(seed) = self.seed {
            args.extend(["--seed".to_owned(), seed.to_string()]);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_applies_everything_in_order() {
        let args = ScenarioArgs {
            scenario: "coreu-2018".into(),
            config: Some("e2e-static".into()),
            sets: vec!["cables=40".into(), "days=60".into()],
            adversaries: vec!["tap@de-mfa:10-20".into()],
            seed: Some(7),
            dwell: None,
        };
        let (scenario, preset) = args.prepare().unwrap();
        assert_eq!(preset, Some(Preset::E2eStatic));
        assert_eq!((scenario.seed, scenario.days), (7, 60));
        assert_eq!(scenario.adversaries.len(), 1);
        assert_eq!(scenario.adversaries[0].name, "tap@de-mfa");
        // coreu-2018's expectations are about its phishers, replaced here.
        assert_eq!(scenario.expectations, []);
        assert_eq!(
            args.to_command_line(),
            [
                "--scenario",
                "coreu-2018",
                "--config",
                "e2e-static",
                "--set",
                "cables=40",
                "--set",
                "days=60",
                "--seed",
                "7"
            ]
        );
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(ScenarioArgs::named("no-such-scenario").prepare().is_err());
        let bad_set = ScenarioArgs {
            sets: vec!["nonsense".into()],
            ..ScenarioArgs::named("coreu-2018")
        };
        assert!(bad_set.prepare().is_err());
    }
}
