//! The `cablesim` command line. It parses and validates arguments, then
//! calls the library; every number it prints comes from a real run.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use cablesim::adversary::{EXPLAIN_TOPICS, SpecError, explain_topic, parse_adversary_specs};
use cablesim::net::Pki;
use cablesim::report::pcap::{PcapRecorder, TlsKeyLog};
use cablesim::report::{render_matrix, render_text};
use cablesim::scenario::{BUILTIN, Preset, RunError, Runner, Scenario, ScenarioError, resolve, run_matrix, with_dwell};
use clap::{Parser, Subcommand, ValueEnum};

/// A diplomatic cable network with end-to-end encryption, pluggable
/// adversaries and measured leaks.
#[derive(Debug, Parser)]
#[command(name = "cablesim", version, about)]
struct Cli {
    /// Log format on stderr (filter with RUST_LOG, e.g. RUST_LOG=cablesim=debug).
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
        #[arg(long)]
        seed: Option<u64>,
        /// Detection: end every adversary's window this many days after it starts.
        #[arg(long, value_name = "DAYS")]
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
        #[arg(long, value_name = "DAYS")]
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
    /// Print a Wireshark Lua dissector for cable frames (to stdout).
    ///
    /// cablesim dissector > cablesim.lua; wireshark -X lua_script:cablesim.lua capture.pcapng
    Dissector,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            || cause.is::<cablesim::report::UnknownReportFormat>()
            || matches!(
                cause.downcast_ref::<RunError>(),
                Some(RunError::Scenario(_) | RunError::Unsupported(_))
            )
    })
}

fn init_logging(format: LogFormat, quiet: bool) {
    let default = if quiet {
        "error,cablesim::alarm=off"
    } else {
        "warn,cablesim::leak=off,cablesim::alarm=off"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // Leak and alarm events are the report in log form, one per leaked
        // cable or detected attack: they stay out of the terminal unless
        // asked for (RUST_LOG=cablesim::leak=warn,cablesim::alarm=error);
        // the report on stdout has them all.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
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
            scenario,
            config,
            sets,
            adversaries,
            seed,
            dwell,
            format,
            report,
            pcap,
            keylog,
        } => {
            // A misnamed report file is bad input: say so before the run.
            let report_file = report
                .map(|path| cablesim::report::ReportFormat::from_path(&path).map(|format| (path, format)))
                .transpose()?;
            let (scenario, preset) = prepare(&scenario, config.as_deref(), &sets, &adversaries, seed, dwell)?;
            let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
            let captures = Captures::open(pcap, keylog, &scenario)?;
            let mut runner = captures.attach(Runner::new(scenario));
            if let Some(preset) = preset {
                runner = runner.with_preset_name(preset.name());
            }
            let outcome = runtime.block_on(runner.run())?;
            match format {
                ReportFormat::Text => print!("{}", render_text(&outcome.report)),
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&outcome.report)?),
            }
            if let Some((path, format)) = report_file {
                let text = format.render(&outcome.report)?;
                std::fs::write(&path, text).with_context(|| format!("writing the report to {}", path.display()))?;
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
                ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&matrix)?),
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
        let create = |path: PathBuf, what: &str| -> anyhow::Result<(PathBuf, std::fs::File)> {
            let file =
                std::fs::File::create(&path).with_context(|| format!("creating the {what} {}", path.display()))?;
            Ok((path, file))
        };
        let pcap = match pcap {
            Some(path) => {
                let (path, file) = create(path, "capture")?;
                let recorder = PcapRecorder::for_network(&scenario.network, scenario.security.transport);
                Some((path, file, Arc::new(recorder)))
            }
            None => None,
        };
        let keylog = keylog.map(|path| create(path, "key log")).transpose()?;
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

/// The topic is not one `explain` knows.
#[derive(Debug, thiserror::Error)]
#[error("nothing to explain about {0:?} (topics: {topics})", topics = EXPLAIN_TOPICS.join(", "))]
struct UnknownTopic(String);

/// Resolves a scenario and applies, in order, the preset, the `--set`
/// assignments, the `--adversary` replacements, the dwell limit and the seed.
fn prepare(
    name: &str,
    config: Option<&str>,
    sets: &[String],
    adversaries: &[String],
    seed: Option<u64>,
    dwell: Option<u32>,
) -> anyhow::Result<(Scenario, Option<Preset>)> {
    let mut scenario = resolve(name)?;
    let preset = config.map(str::parse::<Preset>).transpose()?;
    if let Some(preset) = preset {
        scenario.apply_preset(preset);
    }
    for assignment in sets {
        scenario.apply_set(assignment)?;
    }
    if !adversaries.is_empty() {
        scenario.adversaries = parse_adversary_specs(adversaries, &scenario.network, scenario.days)?;
        scenario.validate()?;
    }
    if let Some(days) = dwell {
        scenario = with_dwell(scenario, days)?;
    }
    if let Some(seed) = seed {
        scenario.set_seed(seed);
    }
    Ok((scenario, preset))
}
