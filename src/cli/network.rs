//! `cablesim network`: `run`, but with the hub, every node and the link
//! adversaries as separate processes on loopback (README.md, "Run it
//! across laptops").

use std::path::PathBuf;

use anyhow::Context;

use super::flags::{Format, ScenarioChoice};
use crate::multiprocess::launcher::{NetworkOptions, run_network};
use crate::report::render_text;

/// Launch the hub, every node and adversary proxies as processes on loopback, play the
/// scenario through them, and print the same report as `run`.
#[derive(Debug, clap::Args)]
pub(crate) struct Network {
    #[command(flatten)]
    chosen: ScenarioChoice,
    /// Put a tap proxy on NODE's link (repeatable).
    #[arg(long, value_name = "NODE")]
    tap: Vec<String>,
    /// Put a MITM proxy on NODE's link (repeatable).
    #[arg(long, value_name = "NODE")]
    mitm: Vec<String>,
    #[command(flatten)]
    format: Format,
    /// Keep certificates, databases, logs and loot here (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
}

impl Network {
    /// Launches the processes, plays the scenario and prints the report.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let options = NetworkOptions {
            args: self.chosen.args(None),
            taps: self.tap,
            mitms: self.mitm,
            // The children are this same program, started with other commands.
            exe: std::env::current_exe().context("finding the cablesim executable")?,
            keep: self.work_dir.is_some(),
            work_dir: self.work_dir,
        };
        let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        let report = runtime.block_on(run_network(&options))?;
        self.format.print(&report, render_text)
    }
}
