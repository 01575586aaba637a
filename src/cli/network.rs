//! `cablesim network`: `run`, but with the hub, every node and the link
//! adversaries as separate processes on loopback (README.md, "Run it
//! across laptops").

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use super::flags::{Format, ScenarioChoice, Web};
use crate::multiprocess::launcher::{EventObserver, NetworkOptions, prepare_network, run_network};
use crate::report::render_text;
use crate::scenario::planned_report;
use crate::web::LivePage;

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
    #[command(flatten)]
    web: Web,
    /// Keep certificates, databases, logs and loot here (default: a temporary directory).
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
}

impl Network {
    /// Launches the processes, plays the scenario and prints the report.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let mut options = NetworkOptions {
            args: self.chosen.args(None),
            taps: self.tap,
            mitms: self.mitm,
            // The children are this same program, started with other commands.
            exe: std::env::current_exe().context("finding the cablesim executable")?,
            keep: self.work_dir.is_some(),
            work_dir: self.work_dir,
            observer: None,
        };
        let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        let live = match self.web.web {
            Some(addr) => {
                // The page shows the network the children will run: the
                // scenario with the proxies' adversaries added.
                let (scenario, preset) = prepare_network(&options)?;
                let planned = planned_report(&scenario, preset)?;
                let page = runtime.block_on(LivePage::open(addr, &planned))?;
                eprintln!("cablesim: live page at {}", page.url());
                options.observer = Some(EventObserver(Arc::new(page.events())));
                if self.web.web_wait {
                    eprintln!("cablesim: waiting for a browser to open the live page");
                    runtime.block_on(page.wait_for_a_browser());
                }
                Some(page)
            }
            None => None,
        };
        let report = match runtime.block_on(run_network(&options)) {
            Ok(report) => report,
            Err(e) => {
                if let Some(page) = &live {
                    page.fail();
                }
                return Err(e.into());
            }
        };
        if let Some(page) = live {
            runtime.block_on(page.finish(&report))?;
        }
        self.format.print(&report, render_text)
    }
}
