//! `cablesim run`: one scenario, simulated in this process, and the
//! report of what each adversary obtained (README.md, "Report files").

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::captures::Captures;
use super::flags::{Dwell, Format, ScenarioChoice, Web};
use super::output::create_output;
use crate::report::{ReportFormat, RunReport, render_text};
use crate::scenario::{DISPLAY_MEASURE_INTERVAL, Runner, planned_report};
use crate::web::LivePage;

/// Run a scenario (a built-in name or a TOML file) and report what happened.
#[derive(Debug, clap::Args)]
pub(crate) struct Run {
    #[command(flatten)]
    chosen: ScenarioChoice,
    #[command(flatten)]
    dwell: Dwell,
    #[command(flatten)]
    format: Format,
    #[command(flatten)]
    web: Web,
    /// Also write the report to FILE, in the format its extension names:
    /// .html (one self-contained page with a map and a timeline), .md or .json.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Write every link as TCP to FILE (pcapng), TLS secrets included, for Wireshark.
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// Write the nodes' TLS secrets to FILE (SSLKEYLOGFILE format).
    #[arg(long, value_name = "FILE")]
    keylog: Option<PathBuf>,
}

impl Run {
    /// Runs the scenario, prints the report and writes the files asked for.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        // A misnamed report file is bad input: say so before the run.
        let report_format = self.report.as_deref().map(ReportFormat::from_path).transpose()?;
        let (scenario, preset) = self.chosen.args(self.dwell.dwell).prepare()?;
        // Every output file is created before the run: a path that
        // cannot be written fails now, not after three simulated years.
        let report_file = self.report.map(|path| create_output("--report", path)).transpose()?;
        let captures = Captures::open(self.pcap, self.keylog, &scenario)?;
        // One run alone in this process: its threads one to a core.
        let runtime = crate::net::cores::one_run_runtime().context("starting the async runtime")?;
        let preset_name = preset.map(|p| p.name().to_owned());
        let live = match self.web.web {
            Some(addr) => Some(runtime.block_on(open_live_page(addr, &scenario, preset_name.clone()))?),
            None => None,
        };
        let mut runner = captures.attach(Runner::new(scenario));
        if let Some(preset) = preset_name {
            runner = runner.with_preset_name(preset);
        }
        if let Some(page) = &live {
            runner = runner
                .with_progress(1, page.progress())
                .measuring_at_most_every(DISPLAY_MEASURE_INTERVAL);
            if self.web.web_wait {
                eprintln!("cablesim: waiting for a browser to open the live page");
                runtime.block_on(page.wait_for_a_browser());
            }
        }
        // Only the report is kept: the hub's archive and the nodes'
        // inboxes are freed before the report is rendered, which at
        // full scale is the difference of a second copy of everything.
        let report = match runtime.block_on(runner.run()) {
            Ok(outcome) => outcome.report,
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
        self.format.print(&report, render_text)?;
        if let (Some((path, mut file)), Some(format)) = (report_file, report_format) {
            let text = format.render(&report)?;
            file.write_all(text.as_bytes())
                .with_context(|| format!("writing the report to {}", path.display()))?;
            say_written(&path, format, &report);
        }
        captures.write()
    }
}

impl Run {
    /// Whether the live page's log layer is needed.
    pub(crate) fn wants_web(&self) -> bool {
        self.web.web.is_some()
    }
}

/// Serves the live page of `scenario` at `addr` and says where on stderr
/// (stdout is the report's).
pub(crate) async fn open_live_page(
    addr: std::net::SocketAddr,
    scenario: &crate::scenario::Scenario,
    preset: Option<String>,
) -> anyhow::Result<LivePage> {
    let planned = planned_report(scenario, preset)?;
    let page = LivePage::open(addr, &planned).await?;
    eprintln!("cablesim: live page at {}", page.url());
    Ok(page)
}

/// Says on stderr (stdout is the report's) what the report file holds.
fn say_written(path: &Path, format: ReportFormat, report: &RunReport) {
    let leaked: BTreeSet<&str> = report
        .actors
        .iter()
        .flat_map(|actor| actor.content.iter().map(String::as_str))
        .collect();
    eprintln!(
        "cablesim: wrote {}: the report in {}, {} {}, {} {} read",
        path.display(),
        match format {
            ReportFormat::Html => "HTML",
            ReportFormat::Markdown => "Markdown",
            ReportFormat::Json => "JSON",
        },
        report.actors.len(),
        if report.actors.len() == 1 { "actor" } else { "actors" },
        leaked.len(),
        if leaked.len() == 1 { "cable" } else { "cables" },
    );
}
