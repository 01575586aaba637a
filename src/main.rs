//! The `cablesim` command line. It parses and validates arguments, then
//! calls the library; every number it prints comes from a real run.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use cablesim::adversary::{EXPLAIN_TOPICS, SpecError, explain_topic};
use cablesim::bench::{BenchError, BenchOptions};
use cablesim::multiprocess::ProcessError;
use cablesim::multiprocess::control::EventFormat;
use cablesim::multiprocess::hub_process::{HubOptions, run_hub};
use cablesim::multiprocess::launcher::{NetworkError, NetworkOptions, run_network};
use cablesim::multiprocess::node_process::{NodeOptions, run_node};
use cablesim::multiprocess::proxy::ProxyKind;
use cablesim::multiprocess::proxy_process::{ProxyProcessOptions, run_proxy};
use cablesim::net::Pki;
use cablesim::report::pcap::{PcapRecorder, TlsKeyLog};
use cablesim::report::{render_matrix, render_text};
use cablesim::scenario::{
    BUILTIN, Preset, RunError, Runner, Scenario, ScenarioArgs, ScenarioError, resolve, run_matrix,
};
use clap::{Parser, Subcommand, ValueEnum};

/// A diplomatic cable network with end-to-end encryption, pluggable
/// adversaries and measured leaks.
#[derive(Debug, Parser)]
#[command(name = "cablesim", version, about)]
struct Cli {
    /// Log format on stderr: json also shows every leak and alarm event
    /// (filter with RUST_LOG, e.g. RUST_LOG=cablesim=debug).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Tell an incident in the terminal: the story, the run with a live tally,
    /// then the same incident under each mitigation, side by side.
    Demo {
        /// Built-in scenario name (see `cablesim list`) or path to a scenario file.
        #[arg(default_value = "coreu-2018")]
        scenario: String,
        /// No colours (the NO_COLOR environment variable does the same).
        #[arg(long)]
        no_color: bool,
    },
    /// Run a scenario (a built-in name or a TOML file) and report what happened.
    Run {
        #[command(flatten)]
        chosen: ScenarioChoice,
        /// Detection: end every adversary's window this many days after it starts.
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = whole_u32)]
        dwell: Option<u32>,
        /// Report format on stdout.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
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
    },
    /// Run a scenario under several configurations: one row per config, one column per actor.
    Matrix {
        /// Built-in scenario name or path to a scenario file.
        scenario: String,
        /// Presets to compare, comma-separated (default: all five).
        #[arg(long, value_delimiter = ',')]
        configs: Vec<String>,
        /// Adversaries replacing the scenario's, comma-separated SPECs (as for `run --adversary`).
        #[arg(long, value_delimiter = ',')]
        adversaries: Vec<String>,
        /// Override a field before the presets are applied, e.g. --set distribution=broadcast.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        sets: Vec<String>,
        /// Detection: end every adversary's window this many days after it starts.
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = whole_u32)]
        dwell: Option<u32>,
        /// Report format on stdout.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Explain an adversary kind, a preset or a [security] field in plain words.
    Explain {
        /// e.g. endpoint, mitm, e2e-fs, key_pinning, retention_days.
        topic: String,
    },
    /// List the built-in scenarios and the presets, one line each.
    List,
    /// Write a demo CA and a certificate and key per node of a scenario's network.
    Certs {
        /// Built-in scenario name or path to a scenario file.
        #[arg(long)]
        scenario: String,
        /// Directory to write ca.pem, NODE.pem and NODE.key.pem into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Run the hub as a process: nodes connect over TCP with the scenario's transport (mutual TLS...).
    ///
    /// Reads commands on stdin (day N, idle, sync, quit); queues and archive in DATA/hub.sqlite.
    Hub {
        /// Built-in scenario name or path: the network's members and security settings.
        #[arg(long)]
        scenario: String,
        /// Address to listen on (port 0 picks a free one; the bound address is printed).
        #[arg(long, default_value = "127.0.0.1:4433")]
        listen: String,
        /// Certificate directory from `cablesim certs` (ca.pem, every NODE.pem, hub.key.pem).
        #[arg(long)]
        certs: PathBuf,
        /// Directory for the hub's database.
        #[arg(long)]
        data: PathBuf,
        /// Connections open at once (handshaking or established); more are refused and closed
        /// [default: 1024, or twice the nodes of a larger network].
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = positive_u32)]
        max_connections: Option<u32>,
        /// Seconds a peer may take for its TLS handshake and hello, and a closing session for its
        /// last frames [default: 10]. For tests that must not race the clock.
        #[arg(long, value_name = "SECONDS", hide = true, allow_negative_numbers = true, value_parser = positive_u64)]
        handshake_timeout: Option<u64>,
        #[command(flatten)]
        tuning: ScenarioTuning,
        /// Event format on stdout.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        hosting: Hosting,
    },
    /// Run one node as a process: it connects to the hub and reads commands on stdin.
    ///
    /// send TO[,TO...] [CLASSIFICATION] -- TEXT | day N | play N | refresh | reconnect | sync | quit
    Node {
        /// The node's name in the scenario's network, e.g. de-mfa.
        #[arg(long)]
        name: String,
        /// Built-in scenario name or path: the network, security settings and `play` traffic.
        #[arg(long)]
        scenario: String,
        /// The hub's address (or a proxy's in front of it).
        #[arg(long, default_value = "127.0.0.1:4433")]
        hub: String,
        /// Certificate directory: ca.pem, every NODE.pem and this node's NODE.key.pem.
        #[arg(long)]
        certs: PathBuf,
        /// Directory for the node's database (keys, outbox, inbox, sent items).
        #[arg(long)]
        data: PathBuf,
        #[command(flatten)]
        tuning: ScenarioTuning,
        /// Event format on stdout: text, or one JSON object a line.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        #[command(flatten)]
        hosting: Hosting,
        /// Fetch the directory only on `refresh` (`cablesim network` drives its nodes in step with `run`).
        #[arg(long, hide = true)]
        lockstep: bool,
    },
    /// A wiretap as a TCP proxy on a node's link: put it between the node and the hub.
    ///
    /// On quit (stdin), SIGTERM or Ctrl-C it prints what it obtained, analysed as in `run`.
    Tap {
        #[command(flatten)]
        proxy: ProxyFlags,
    },
    /// A man in the middle as a TCP proxy on a node's link: it tries to terminate the node's TLS.
    ///
    /// On quit (stdin), SIGTERM or Ctrl-C it prints what it obtained, analysed as in `run`.
    Mitm {
        #[command(flatten)]
        proxy: ProxyFlags,
        /// Certificate directory of the network: the MITM reads ca.pem to check the real hub.
        #[arg(long)]
        certs: PathBuf,
    },
    /// Launch the hub, every node and adversary proxies as processes on loopback, play the
    /// scenario through them, and print the same report as `run`.
    Network {
        #[command(flatten)]
        chosen: ScenarioChoice,
        /// Put a tap proxy on NODE's link (repeatable).
        #[arg(long, value_name = "NODE")]
        tap: Vec<String>,
        /// Put a MITM proxy on NODE's link (repeatable).
        #[arg(long, value_name = "NODE")]
        mitm: Vec<String>,
        /// Report format on stdout.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Keep certificates, databases, logs and loot here (default: a temporary directory).
        #[arg(long, value_name = "DIR")]
        work_dir: Option<PathBuf>,
    },
    /// Measure the envelope against age, the network against the crypto limit, and the hub
    /// against a bare TLS forwarder.
    Bench {
        /// Report format on stdout: text, or one JSON object.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Recipients of every cable.
        #[arg(long, value_name = "N", default_value_t = BenchOptions::DEFAULT_RECIPIENTS, allow_negative_numbers = true, value_parser = whole_usize)]
        recipients: usize,
        /// Bytes of every cable body.
        #[arg(long, value_name = "BYTES", default_value_t = BenchOptions::DEFAULT_SIZE, allow_negative_numbers = true, value_parser = whole_usize)]
        size: usize,
        /// Cables sent (and envelope samples taken).
        #[arg(long, value_name = "N", default_value_t = BenchOptions::DEFAULT_CABLES, allow_negative_numbers = true, value_parser = whole_usize)]
        cables: usize,
    },
    /// Print a Wireshark Lua dissector for cable frames (to stdout).
    ///
    /// cablesim dissector > cablesim.lua; wireshark -X lua_script:cablesim.lua capture.pcapng
    Dissector,
}

/// A scenario and how to change it, as `run` and `network` take them.
#[derive(Debug, clap::Args)]
struct ScenarioChoice {
    /// Built-in scenario name (see `cablesim list`) or path to a scenario file.
    scenario: String,
    /// Apply a preset to the crypto settings: plaintext, hop-tls, e2e-group, e2e-static, e2e-fs.
    #[arg(long)]
    config: Option<String>,
    /// Override a field after the preset, e.g. --set distribution=need-to-know.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    sets: Vec<String>,
    /// Replace the scenario's adversaries (repeatable): kind@node[:from-until][/actor],
    /// kind:from-until, kind@node:on_day — e.g. --adversary endpoint@cy-mfa:30-/apt.
    #[arg(long = "adversary", value_name = "SPEC")]
    adversaries: Vec<String>,
    /// Seed for the generated cables (default: the scenario's).
    #[arg(long, allow_negative_numbers = true, value_parser = whole_u64)]
    seed: Option<u64>,
}

impl ScenarioChoice {
    fn args(self, dwell: Option<u32>) -> ScenarioArgs {
        ScenarioArgs {
            scenario: self.scenario,
            config: self.config,
            sets: self.sets,
            adversaries: self.adversaries,
            seed: self.seed,
            dwell,
        }
    }
}

/// Scenario adjustments a process applies, like `run` does.
#[derive(Debug, clap::Args)]
struct ScenarioTuning {
    /// Apply a preset to the crypto settings.
    #[arg(long)]
    config: Option<String>,
    /// Override a field after the preset, e.g. --set transport=tls.
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    sets: Vec<String>,
    /// Seed for the scenario's generated cables (`play`).
    #[arg(long, allow_negative_numbers = true, value_parser = whole_u64)]
    seed: Option<u64>,
}

impl ScenarioTuning {
    fn args(self, scenario: String) -> ScenarioArgs {
        ScenarioArgs {
            scenario,
            config: self.config,
            sets: self.sets,
            seed: self.seed,
            ..ScenarioArgs::default()
        }
    }
}

/// Where a proxy sits and what it knows.
#[derive(Debug, clap::Args)]
struct ProxyFlags {
    /// Address the node connects to instead of the hub.
    #[arg(long, default_value = "127.0.0.1:4434")]
    listen: String,
    /// The hub's address.
    #[arg(long, default_value = "127.0.0.1:4433")]
    upstream: String,
    /// Write what crosses the link to FILE (pcapng).
    #[arg(long, value_name = "FILE")]
    pcap: Option<PathBuf>,
    /// The node whose link this is (names the adversary and its side of the capture).
    #[arg(long, default_value = "node")]
    node: String,
    /// The scenario, for telling which cables' canaries were found (without it nothing is attributed).
    #[arg(long)]
    scenario: Option<String>,
    #[command(flatten)]
    tuning: ScenarioTuning,
    /// Event format on stdout.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    #[command(flatten)]
    hosting: Hosting,
}

impl ProxyFlags {
    fn options(self, kind: ProxyKind) -> ProxyProcessOptions {
        let ProxyFlags {
            listen,
            upstream,
            pcap,
            node,
            scenario,
            tuning,
            format,
            hosting,
        } = self;
        ProxyProcessOptions {
            listen,
            upstream,
            kind,
            node,
            pcap,
            args: scenario.map(|s| tuning.args(s)),
            format: format.events(),
            host_adversaries: hosting.host_adversaries,
            loot: hosting.loot,
            quit_on_eof: hosting.quit_on_eof,
        }
    }
}

/// How `cablesim network` plants adversaries in its children.
#[derive(Debug, clap::Args)]
struct Hosting {
    /// Host the adversaries of this JSON file that sit at this process's position.
    #[arg(long, value_name = "FILE", hide = true)]
    host_adversaries: Option<PathBuf>,
    /// Write the hosted adversaries' loot to FILE on quit.
    #[arg(long, value_name = "FILE", hide = true)]
    loot: Option<PathBuf>,
    /// Stop when stdin closes (the launcher's children never outlive it).
    #[arg(long, hide = true)]
    quit_on_eof: bool,
}

impl ReportFormat {
    fn events(self) -> EventFormat {
        match self {
            ReportFormat::Text => EventFormat::Text,
            ReportFormat::Json => EventFormat::Json,
        }
    }
}

/// Runs a long-lived process's future, then leaves without waiting for
/// the thread blocked reading stdin (tokio's stdin cannot be cancelled).
fn serve<F: std::future::Future<Output = Result<(), ProcessError>>>(future: F) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let result = runtime.block_on(future);
    runtime.shutdown_background();
    result.map_err(anyhow::Error::new)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    // The demo is a story on stdout: the warnings of the attacks it stages
    // (refused certificates, dropped sessions) would only interrupt it.
    let quiet = matches!(cli.command, Command::Demo { .. });
    init_logging(cli.log_format, quiet);
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cablesim: {e:#}");
            if is_bad_input(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// A command line clap refused. Help and the version go out as clap
/// writes them; anything else is bad input: one line naming the option and
/// the reason, exit status 2, like every other bad input (clap's own
/// message spans several lines, and its tip for `--seed -1`, `-- -1`,
/// does not work).
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Help asked for, or a bare `cablesim`: clap prints it and exits.
        e.exit();
    }
    eprintln!("cablesim: {}", one_line(e));
    ExitCode::from(2)
}

/// clap's message in one line: its first line, with what it lists below
/// that line (the missing arguments, the values allowed, a suggestion)
/// folded in.
fn one_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first).trim_end();
    let listed = |kind: ContextKind| -> Option<String> {
        match e.get(kind)? {
            ContextValue::String(one) => Some(one.clone()),
            ContextValue::Strings(many) if !many.is_empty() => Some(many.join(", ")),
            _ => None,
        }
    };
    match e.kind() {
        ErrorKind::MissingRequiredArgument => match listed(ContextKind::InvalidArg) {
            Some(missing) => format!("missing {missing}"),
            None => first.to_owned(),
        },
        ErrorKind::InvalidValue => match listed(ContextKind::ValidValue) {
            Some(valid) => format!("{first} (one of: {valid})"),
            None => first.to_owned(),
        },
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand => {
            match listed(ContextKind::SuggestedArg).or_else(|| listed(ContextKind::SuggestedSubcommand)) {
                Some(suggested) => format!("{first} (did you mean '{suggested}'?)"),
                None => first.to_owned(),
            }
        }
        _ => first.to_owned(),
    }
}

/// Why a number on the command line is refused. clap's own parsers would
/// read `-1` as an unknown flag, or print Rust's "invalid digit found in
/// string": the options that take numbers use [`whole_number`] and accept
/// a leading minus sign, so that it is refused here with the reason.
fn whole_number(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let wanted = if min == 0 {
        "must be a non-negative integer".to_owned()
    } else if min == 1 {
        "must be a positive integer".to_owned()
    } else {
        format!("must be an integer of at least {min}")
    };
    let value: i128 = text.parse().map_err(|_| wanted.clone())?;
    if value < i128::from(min) {
        return Err(wanted);
    }
    if value > i128::from(max) {
        return Err(format!("must be at most {max}"));
    }
    u64::try_from(value).map_err(|_| wanted)
}

/// A seed.
fn whole_u64(text: &str) -> Result<u64, String> {
    whole_number(text, 0, u64::MAX)
}

/// A number of days.
fn whole_u32(text: &str) -> Result<u32, String> {
    whole_number(text, 0, u64::from(u32::MAX)).map(|n| n as u32)
}

/// A count that cannot be zero.
fn positive_u32(text: &str) -> Result<u32, String> {
    whole_number(text, 1, u64::from(u32::MAX)).map(|n| n as u32)
}

/// A number of seconds that cannot be zero.
fn positive_u64(text: &str) -> Result<u64, String> {
    whole_number(text, 1, u64::MAX)
}

/// A size or a count (the bench checks its own limits).
fn whole_usize(text: &str) -> Result<usize, String> {
    whole_number(text, 0, usize::MAX as u64).map(|n| n as usize)
}

/// Writes `value` as pretty JSON and a newline straight to stdout, without
/// building the whole text first (a full-scale Cablegate report is over a
/// hundred megabytes of it).
fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe shows up as serde_json's error; as an io::Error it is
    // recognised by `is_broken_pipe`.
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// `cablesim demo | head`: the reader left, which is not a failure.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Bad input (a scenario, a preset, a `--set`) exits 2; anything else 1.
fn is_bad_input(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.is::<ScenarioError>()
            || cause.is::<cablesim::scenario::UnknownPreset>()
            || cause.is::<SpecError>()
            || cause.is::<UnknownTopic>()
            || cause.is::<UnwritableOutput>()
            || cause.is::<cablesim::report::UnknownReportFormat>()
            || cause.downcast_ref::<BenchError>().is_some_and(BenchError::is_bad_input)
            || cause
                .downcast_ref::<ProcessError>()
                .is_some_and(ProcessError::is_bad_input)
            || cause
                .downcast_ref::<NetworkError>()
                .is_some_and(NetworkError::is_bad_input)
            || matches!(
                cause.downcast_ref::<RunError>(),
                Some(RunError::Scenario(_) | RunError::Unsupported(_))
            )
    })
}

fn init_logging(format: LogFormat, quiet: bool) {
    // Leak and alarm events are the report in log form, one per leaked
    // cable or detected attack. Asking for JSON logs is asking for them
    // (a SIEM reads them); on a terminal they would bury the report, which
    // counts them and names the flag instead. RUST_LOG, when set, decides.
    let default = match (quiet, format) {
        (true, _) => "error,cablesim::alarm=off",
        (false, LogFormat::Json) => "warn,cablesim::leak=warn,cablesim::alarm=error",
        (false, LogFormat::Text) => "warn,cablesim::leak=off,cablesim::alarm=off",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // Colour codes only for a person at a terminal: in a file or a pipe
    // they are noise that breaks grep and parsers.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
    }
}

fn execute(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Demo { scenario, no_color } => {
            let scenario = resolve(&scenario)?;
            let palette = cablesim::report::Palette::for_stdout(no_color);
            let mut stdout = std::io::stdout();
            let live = std::io::IsTerminal::is_terminal(&stdout);
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            runtime.block_on(cablesim::scenario::tell(&scenario, palette, live, &mut stdout))?;
            Ok(())
        }
        Command::Run {
            chosen,
            dwell,
            format,
            report,
            pcap,
            keylog,
        } => {
            // A misnamed report file is bad input: say so before the run.
            let report_format = report
                .as_deref()
                .map(cablesim::report::ReportFormat::from_path)
                .transpose()?;
            let (scenario, preset) = chosen.args(dwell).prepare()?;
            // Every output file is created before the run: a path that
            // cannot be written fails now, not after three simulated years.
            let report_file = report.map(|path| create_output("--report", path)).transpose()?;
            let captures = Captures::open(pcap, keylog, &scenario)?;
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            let mut runner = captures.attach(Runner::new(scenario));
            if let Some(preset) = preset {
                runner = runner.with_preset_name(preset.name());
            }
            // Only the report is kept: the hub's archive and the nodes'
            // inboxes are freed before the report is rendered, which at
            // full scale is the difference of a second copy of everything.
            let report = runtime.block_on(runner.run())?.report;
            match format {
                ReportFormat::Text => print!("{}", render_text(&report)),
                ReportFormat::Json => print_json(&report)?,
            }
            if let (Some((path, mut file)), Some(format)) = (report_file, report_format) {
                let text = format.render(&report)?;
                std::io::Write::write_all(&mut file, text.as_bytes())
                    .with_context(|| format!("writing the report to {}", path.display()))?;
                let leaked: std::collections::BTreeSet<&str> = report
                    .actors
                    .iter()
                    .flat_map(|actor| actor.content.iter().map(String::as_str))
                    .collect();
                eprintln!(
                    "cablesim: wrote {}: the report in {}, {} {}, {} {} read",
                    path.display(),
                    match format {
                        cablesim::report::ReportFormat::Html => "HTML",
                        cablesim::report::ReportFormat::Markdown => "Markdown",
                        cablesim::report::ReportFormat::Json => "JSON",
                    },
                    report.actors.len(),
                    if report.actors.len() == 1 { "actor" } else { "actors" },
                    leaked.len(),
                    if leaked.len() == 1 { "cable" } else { "cables" },
                );
            }
            captures.write()?;
            Ok(())
        }
        Command::Matrix {
            scenario,
            configs,
            adversaries,
            sets,
            dwell,
            format,
        } => {
            let (scenario, _) = prepare(&scenario, None, &sets, &adversaries, None, dwell)?;
            let presets: Vec<Preset> = if configs.is_empty() {
                Preset::ALL.to_vec()
            } else {
                configs.iter().map(|c| c.parse::<Preset>()).collect::<Result<_, _>>()?
            };
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            let matrix = runtime.block_on(run_matrix(&scenario, &presets))?;
            match format {
                ReportFormat::Text => print!("{}", render_matrix(&matrix)),
                ReportFormat::Json => print_json(&matrix)?,
            }
            Ok(())
        }
        Command::Explain { topic } => match explain_topic(&topic) {
            Some(text) => {
                println!("{text}");
                Ok(())
            }
            None => Err(anyhow::Error::new(UnknownTopic(topic))),
        },
        Command::List => {
            println!("built-in scenarios:");
            for builtin in BUILTIN {
                println!("  {:<28} {}", builtin.name, builtin.summary);
            }
            println!("presets (--config):");
            for preset in Preset::ALL {
                println!("  {:<28} {}", preset.name(), preset.description());
            }
            Ok(())
        }
        Command::Certs { scenario, out } => {
            let scenario = resolve(&scenario)?;
            let pki = Pki::generate(&scenario.network)?;
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            pki.write_pem(&out)?;
            println!(
                "wrote a demo CA and {} certificates for {} to {} (demo only: never use them to protect anything)",
                scenario.network.len(),
                scenario.name,
                out.display()
            );
            Ok(())
        }
        Command::Hub {
            scenario,
            listen,
            certs,
            data,
            max_connections,
            handshake_timeout,
            tuning,
            format,
            hosting,
        } => serve(run_hub(HubOptions {
            args: tuning.args(scenario),
            listen,
            certs,
            data,
            format: format.events(),
            host_adversaries: hosting.host_adversaries,
            loot: hosting.loot,
            quit_on_eof: hosting.quit_on_eof,
            max_connections: max_connections.map(|n| n as usize),
            handshake_timeout: handshake_timeout.map(std::time::Duration::from_secs),
        })),
        Command::Node {
            name,
            scenario,
            hub,
            certs,
            data,
            tuning,
            format,
            hosting,
            lockstep,
        } => serve(run_node(NodeOptions {
            args: tuning.args(scenario),
            name,
            hub,
            certs,
            data,
            format: format.events(),
            host_adversaries: hosting.host_adversaries,
            loot: hosting.loot,
            lockstep,
        })),
        Command::Tap { proxy } => serve(run_proxy(proxy.options(ProxyKind::Tap))),
        Command::Mitm { proxy, certs } => serve(run_proxy(proxy.options(ProxyKind::Mitm { certs }))),
        Command::Network {
            chosen,
            tap,
            mitm,
            format,
            work_dir,
        } => {
            let options = NetworkOptions {
                args: chosen.args(None),
                taps: tap,
                mitms: mitm,
                exe: std::env::current_exe().context("finding the cablesim executable")?,
                keep: work_dir.is_some(),
                work_dir,
            };
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            let report = runtime.block_on(run_network(&options))?;
            match format {
                ReportFormat::Text => print!("{}", render_text(&report)),
                ReportFormat::Json => print_json(&report)?,
            }
            Ok(())
        }
        Command::Bench {
            format,
            recipients,
            size,
            cables,
        } => {
            let report = cablesim::bench::run(&BenchOptions::new(recipients, size, cables)?)?;
            match format {
                ReportFormat::Text => print!("{}", report.render_text()),
                ReportFormat::Json => print_json(&report)?,
            }
            Ok(())
        }
        Command::Dissector => {
            std::io::Write::write_all(&mut std::io::stdout(), cablesim::report::lua_dissector().as_bytes())?;
            Ok(())
        }
    }
}

/// The files of `run --pcap` and `--keylog`, and what fills them.
struct Captures {
    /// The capture file and the recorder on every link.
    pcap: Option<(PathBuf, std::fs::File, Arc<PcapRecorder>)>,
    /// The key log file.
    keylog: Option<(PathBuf, std::fs::File)>,
    /// The nodes whose links are recorded: all of them.
    nodes: Vec<String>,
    /// Every TLS secret of the nodes: for the key log file, and for the
    /// capture, which carries them too.
    secrets: Arc<TlsKeyLog>,
}

impl Captures {
    /// Creates the files now: a path that cannot be written should fail
    /// before the run, not after simulating three years.
    fn open(pcap: Option<PathBuf>, keylog: Option<PathBuf>, scenario: &Scenario) -> anyhow::Result<Captures> {
        let pcap = match pcap {
            Some(path) => {
                let (path, file) = create_output("--pcap", path)?;
                let recorder = PcapRecorder::for_network(&scenario.network, scenario.security.transport);
                Some((path, file, Arc::new(recorder)))
            }
            None => None,
        };
        let keylog = keylog.map(|path| create_output("--keylog", path)).transpose()?;
        Ok(Captures {
            pcap,
            keylog,
            nodes: scenario.network.endpoints().map(|n| n.name.clone()).collect(),
            secrets: Arc::new(TlsKeyLog::new()),
        })
    }

    /// `runner`, recording every node's link and logging its TLS secrets
    /// if a file asks for them.
    fn attach(&self, mut runner: Runner) -> Runner {
        if let Some((_, _, recorder)) = &self.pcap {
            for node in &self.nodes {
                runner = runner.with_link_tap(node.clone(), recorder.clone());
            }
        }
        if self.pcap.is_some() || self.keylog.is_some() {
            runner = runner.with_key_log(self.secrets.clone());
        }
        runner
    }

    /// Writes the files, and says on stderr what they hold (stdout is the
    /// report's).
    fn write(self) -> anyhow::Result<()> {
        if let Some((path, file, recorder)) = self.pcap {
            let mut out = std::io::BufWriter::new(file);
            recorder
                .write_to(&mut out, &self.secrets)
                .with_context(|| format!("writing the capture to {}", path.display()))?;
            eprintln!(
                "cablesim: wrote {}: {} packets in {} TCP connections, {} TLS secrets inside",
                path.display(),
                recorder.packets(),
                recorder.connections(),
                self.secrets.len()
            );
        }
        if let Some((path, mut file)) = self.keylog {
            std::io::Write::write_all(&mut file, self.secrets.contents().as_bytes())
                .with_context(|| format!("writing the key log to {}", path.display()))?;
            eprintln!("cablesim: wrote {}: {} TLS secrets", path.display(), self.secrets.len());
        }
        Ok(())
    }
}

/// An output file named on the command line cannot be created: bad input,
/// found before any work is done.
#[derive(Debug, thiserror::Error)]
#[error("{option} {}: cannot create the file: {cause}", path.display())]
struct UnwritableOutput {
    option: &'static str,
    path: PathBuf,
    cause: std::io::Error,
}

/// Creates (or empties) the file `option` names.
fn create_output(option: &'static str, path: PathBuf) -> Result<(PathBuf, std::fs::File), UnwritableOutput> {
    match std::fs::File::create(&path) {
        Ok(file) => Ok((path, file)),
        Err(cause) => Err(UnwritableOutput { option, path, cause }),
    }
}

/// The topic is not one `explain` knows.
#[derive(Debug, thiserror::Error)]
#[error("nothing to explain about {0:?} (topics: {topics})", topics = EXPLAIN_TOPICS.join(", "))]
struct UnknownTopic(String);

/// The scenario of `run` and `matrix`: see [`ScenarioArgs::prepare`].
fn prepare(
    name: &str,
    config: Option<&str>,
    sets: &[String],
    adversaries: &[String],
    seed: Option<u64>,
    dwell: Option<u32>,
) -> anyhow::Result<(Scenario, Option<Preset>)> {
    ScenarioArgs {
        scenario: name.to_owned(),
        config: config.map(str::to_owned),
        sets: sets.to_vec(),
        adversaries: adversaries.to_vec(),
        seed,
        dwell,
    }
    .prepare()
}
