//! `cablesim matrix`: one scenario under several configurations, to see
//! which mitigation stops which actor (README.md, "Two commands").

use anyhow::Context;

use super::flags::{Dwell, Format, ScenarioArg, Sets, help};
use crate::report::render_matrix;
use crate::scenario::{Preset, ScenarioArgs, run_matrix};

/// Run a scenario under several configurations: one row per config, one column per actor.
#[derive(Debug, clap::Args)]
#[command(
    mut_args(help("scenario", "Built-in scenario name or path to a scenario file")),
    mut_args(help(
        "sets",
        "Override a field before the presets are applied, e.g. --set distribution=broadcast"
    ))
)]
pub(crate) struct Matrix {
    #[command(flatten)]
    scenario: ScenarioArg,
    /// Presets to compare, comma-separated (default: all five).
    #[arg(long, value_delimiter = ',')]
    configs: Vec<String>,
    /// Adversaries replacing the scenario's, comma-separated SPECs (as for `run --adversary`).
    #[arg(long, value_delimiter = ',')]
    adversaries: Vec<String>,
    #[command(flatten)]
    sets: Sets,
    #[command(flatten)]
    dwell: Dwell,
    #[command(flatten)]
    format: Format,
}

impl Matrix {
    /// Runs the scenario once per preset and prints the table.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let (scenario, _) = ScenarioArgs {
            scenario: self.scenario.scenario,
            sets: self.sets.sets,
            adversaries: self.adversaries,
            dwell: self.dwell.dwell,
            ..ScenarioArgs::default()
        }
        .prepare()?;
        let presets: Vec<Preset> = if self.configs.is_empty() {
            Preset::ALL.to_vec()
        } else {
            self.configs
                .iter()
                .map(|c| c.parse::<Preset>())
                .collect::<Result<_, _>>()?
        };
        // Runs side by side: rayon's threads pinned, the runs' workers free
        // (ARCHITECTURE.md, "Threads and cores").
        crate::net::cores::pin_rayon_threads();
        let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        let matrix = runtime.block_on(run_matrix(&scenario, &presets))?;
        self.format.print(&matrix, render_matrix)
    }
}
