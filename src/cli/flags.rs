//! The flags several commands share, each declared once here: its name,
//! its value and its parser. A command that needs different words for
//! one of them in its help replaces only the words, with
//! `#[command(mut_args(help(ID, "...")))]`.

use std::path::PathBuf;

use clap::{Arg, ValueEnum};
use serde::Serialize;

use super::numbers::{whole_u32, whole_u64};
use super::output::print_json;
use crate::multiprocess::control::EventFormat;
use crate::scenario::ScenarioArgs;

/// Replaces the help of the argument `id` by `text`, leaving the others
/// as they are. clap drops the final period of a one-line doc comment, so
/// `text` has none, to print the same way. (`mut_arg` would also move the
/// argument to the end, and with it its place in the usage line and in
/// the list of missing arguments.)
pub(crate) fn help(id: &'static str, text: &'static str) -> impl FnMut(Arg) -> Arg {
    move |arg| if arg.get_id() == id { arg.help(text) } else { arg }
}

/// The scenario as the first positional argument.
#[derive(Debug, clap::Args)]
pub(crate) struct ScenarioArg {
    /// Built-in scenario name (see `cablesim list`) or path to a scenario file.
    pub(crate) scenario: String,
}

/// The scenario as `--scenario`, for the commands that set up or join a
/// network.
#[derive(Debug, clap::Args)]
pub(crate) struct ScenarioFlag {
    /// Built-in scenario name or path to a scenario file.
    #[arg(long)]
    pub(crate) scenario: String,
}

/// `--config`: a preset for the crypto settings.
#[derive(Debug, clap::Args)]
pub(crate) struct Config {
    /// Apply a preset to the crypto settings: plaintext, hop-tls, e2e-group, e2e-static, e2e-fs, e2e-pq.
    #[arg(long)]
    pub(crate) config: Option<String>,
}

/// `--set`: fields changed after the preset.
#[derive(Debug, clap::Args)]
pub(crate) struct Sets {
    /// Override a field after the preset, e.g. --set distribution=need-to-know.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub(crate) sets: Vec<String>,
}

/// `--seed`: another seed for the generated cables.
#[derive(Debug, clap::Args)]
pub(crate) struct Seed {
    /// Seed for the generated cables (default: the scenario's).
    #[arg(long, allow_negative_numbers = true, value_parser = whole_u64)]
    pub(crate) seed: Option<u64>,
}

/// `--dwell`: how long adversaries stay before they are found.
#[derive(Debug, clap::Args)]
pub(crate) struct Dwell {
    /// Detection: end every adversary's window this many days after it starts.
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = whole_u32)]
    pub(crate) dwell: Option<u32>,
}

/// A scenario and how to change it, as `run` and `network` take them.
#[derive(Debug, clap::Args)]
pub(crate) struct ScenarioChoice {
    #[command(flatten)]
    scenario: ScenarioArg,
    #[command(flatten)]
    config: Config,
    #[command(flatten)]
    sets: Sets,
    /// Replace the scenario's adversaries (repeatable): kind@node[:from-until][/actor],
    /// kind:from-until, kind@node:on_day — e.g. --adversary endpoint@cy-mfa:30-/apt.
    #[arg(long = "adversary", value_name = "SPEC")]
    adversaries: Vec<String>,
    #[command(flatten)]
    seed: Seed,
}

impl ScenarioChoice {
    /// What the scenario layer needs to load and adjust the scenario.
    pub(crate) fn args(self, dwell: Option<u32>) -> ScenarioArgs {
        ScenarioArgs {
            scenario: self.scenario.scenario,
            config: self.config.config,
            sets: self.sets.sets,
            adversaries: self.adversaries,
            seed: self.seed.seed,
            dwell,
        }
    }
}

/// Scenario adjustments a process applies, like `run` does.
#[derive(Debug, clap::Args)]
#[command(
    mut_args(help("config", "Apply a preset to the crypto settings")),
    mut_args(help("sets", "Override a field after the preset, e.g. --set transport=tls")),
    mut_args(help("seed", "Seed for the scenario's generated cables (`play`)"))
)]
pub(crate) struct ScenarioTuning {
    #[command(flatten)]
    config: Config,
    #[command(flatten)]
    sets: Sets,
    #[command(flatten)]
    seed: Seed,
}

impl ScenarioTuning {
    /// The adjustments, applied to `scenario`.
    pub(crate) fn args(self, scenario: String) -> ScenarioArgs {
        ScenarioArgs {
            scenario,
            config: self.config.config,
            sets: self.sets.sets,
            seed: self.seed.seed,
            ..ScenarioArgs::default()
        }
    }
}

/// `--certs`: the directory `cablesim certs` wrote.
#[derive(Debug, clap::Args)]
pub(crate) struct Certs {
    /// Certificate directory from `cablesim certs` (ca.pem, every NODE.pem, hub.key.pem).
    #[arg(long)]
    pub(crate) certs: PathBuf,
}

/// `--data`: where a process keeps its database.
#[derive(Debug, clap::Args)]
pub(crate) struct Data {
    /// Directory for the hub's database.
    #[arg(long)]
    pub(crate) data: PathBuf,
}

/// The two forms of everything a command prints on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Text,
    Json,
}

/// `--format`: text for a person, JSON for a program.
#[derive(Debug, clap::Args)]
pub(crate) struct Format {
    /// Report format on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub(crate) format: ReportFormat,
}

impl Format {
    /// Prints `value` on stdout: `text` renders it for a person.
    pub(crate) fn print<T: Serialize>(&self, value: &T, text: impl FnOnce(&T) -> String) -> anyhow::Result<()> {
        match self.format {
            ReportFormat::Text => print!("{}", text(value)),
            ReportFormat::Json => print_json(value)?,
        }
        Ok(())
    }

    /// The same choice for a process's stream of events.
    pub(crate) fn events(&self) -> EventFormat {
        match self.format {
            ReportFormat::Text => EventFormat::Text,
            ReportFormat::Json => EventFormat::Json,
        }
    }
}

/// `--web [ADDR]` and `--web-wait`: the live page.
#[derive(Debug, clap::Args)]
pub(crate) struct Web {
    /// Serve a live page of the run at ADDR (alone: 127.0.0.1 and a free
    /// port); off loopback the printed URL carries the token it needs.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:0")]
    pub(crate) web: Option<std::net::SocketAddr>,
    /// With --web: start the first day only once a browser has the page open.
    #[arg(long, requires = "web")]
    pub(crate) web_wait: bool,
}

/// `--web [ADDR]` for a process that serves until stopped (the hub): the
/// page never becomes a report, so there is nothing to wait for.
#[derive(Debug, clap::Args)]
pub(crate) struct WebServe {
    /// Serve a live page of the room at ADDR (alone: 127.0.0.1 and a free port): who is
    /// connected, relays, alarms, refused peers, the haul of proxies given --report-to;
    /// off loopback the printed URL carries the token it needs.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:0")]
    pub(crate) web: Option<std::net::SocketAddr>,
}
