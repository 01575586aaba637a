//! `cablesim tap` and `cablesim mitm`: a [`Proxy`] as a process. It prints
//! where it listens, follows the simulated day from `day N` lines on stdin,
//! and on `quit`, end of stdin, SIGTERM or Ctrl-C prints what it obtained,
//! analysed exactly as an in-process run analyses it.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::ProcessError;
use super::console::{Console, Input, Printer, Terminate};
use super::control::{Command, Event, EventFormat};
use super::hosted::{read_specs, write_loot};
use super::proxy::{PcapOutcome, Proxy, ProxyError, ProxyKind, ProxyOptions};
use super::report_to::{ReportTo, Reporter};
use crate::adversary::Adversary;
use crate::scenario::ScenarioArgs;

/// What `cablesim tap` / `cablesim mitm` is asked to do.
#[derive(Debug, Clone)]
pub struct ProxyProcessOptions {
    /// Where nodes connect.
    pub listen: String,
    /// The hub (or the next proxy).
    pub upstream: String,
    /// Tap or MITM.
    pub kind: ProxyKind,
    /// The node whose link this is.
    pub node: String,
    /// Where to write the capture.
    pub pcap: Option<PathBuf>,
    /// The scenario, if known: attribution by canary, transport, addresses.
    pub args: Option<ScenarioArgs>,
    /// Event format on stdout.
    pub format: EventFormat,
    /// The run's adversaries (from `cablesim network`): this link's one
    /// gives the proxy its window and actor.
    pub host_adversaries: Option<PathBuf>,
    /// Where to write its loot on quit.
    pub loot: Option<PathBuf>,
    /// Stop when stdin closes (see the hub's option of the same name).
    pub quit_on_eof: bool,
    /// A hub's live page (`cablesim hub --web`) to post every event to,
    /// the final report included.
    pub report_to: Option<String>,
}

fn address(flag: &str, text: &str) -> Result<SocketAddr, ProcessError> {
    text.parse()
        .map_err(|e| ProcessError::Input(anyhow::anyhow!("{flag} {text:?}: not an IP:PORT address ({e})")))
}

/// Runs the proxy until it is told to stop; returns whether its capture
/// was written (a capture asked for and lost is a failure).
pub async fn run_proxy(options: ProxyProcessOptions) -> Result<(), ProcessError> {
    let terminate = Terminate::install().map_err(ProcessError::Signals)?;
    let listen = address("--listen", &options.listen)?;
    let upstream = address("--upstream", &options.upstream)?;
    let name = format!("{}@{}", options.kind.adversary_kind(), options.node);
    let report_to = options
        .report_to
        .as_deref()
        .map(|url| ReportTo::parse(url, &name))
        .transpose()
        .map_err(|e| ProcessError::Input(anyhow::anyhow!(e)))?;
    let scenario = match &options.args {
        Some(args) => Some(args.prepare().map_err(ProcessError::Input)?.0),
        None => None,
    };
    let mut proxy_options = ProxyOptions::new(listen, upstream, options.kind.clone(), options.node.clone());
    proxy_options.pcap = options.pcap.clone();
    if let Some(path) = &options.host_adversaries {
        let kind = options.kind.adversary_kind();
        let spec = read_specs(path)?
            .into_iter()
            .find(|s| s.kind == kind && s.at.as_deref() == Some(options.node.as_str()));
        if let Some(spec) = spec {
            proxy_options.actor = Some(spec.actor);
            proxy_options.window = spec.window;
        }
    }
    proxy_options.scenario = scenario;
    let proxy = Proxy::bind(proxy_options).await.map_err(|e| match e {
        ProxyError::Bind { addr, source } => ProcessError::Listen {
            addr: addr.to_string(),
            source,
        },
        other => ProcessError::Input(anyhow::Error::new(other)),
    })?;
    let clock = proxy.clock();
    let printer = Printer::stdout(options.format);
    let reporter = report_to.map(Reporter::start);
    // Every event goes to stdout, and to the page if there is one.
    let emit = |event: &Event| {
        printer.print(event);
        if let Some(reporter) = &reporter {
            reporter.send(event);
        }
    };
    emit(&Event::Listening {
        addr: proxy.local_addr().to_string(),
    });

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(proxy.run(async move {
        let _ = stopped.await;
    }));
    let mut console = Console::new(printer.clone(), options.quit_on_eof, terminate);
    loop {
        match console.next().await {
            Input::End | Input::Command(Command::Quit) => break,
            Input::Invalid => {}
            Input::Command(Command::Day(day)) => {
                clock.set(day);
                emit(&Event::Day { day, rotated: false });
            }
            Input::Command(Command::Sync) => emit(&Event::Synced),
            Input::Command(other) => printer.error(format!("{} is not a proxy command", other.word())),
        }
    }
    let _ = stop.send(());
    let outcome = running
        .await
        .map_err(|e| ProcessError::Task(format!("the proxy task failed: {e}")))?
        .map_err(|e| ProcessError::Task(e.to_string()))?;
    if let Some(path) = &options.loot {
        write_loot(path, &[outcome.adversary.clone() as std::sync::Arc<dyn Adversary>])?;
    }
    let report = serde_json::to_value(&outcome.report).map(|report| Event::Report { report });
    if let (Some(reporter), Ok(report)) = (&reporter, &report) {
        reporter.send(report);
    }
    match (options.format, report) {
        (EventFormat::Text, _) => printer.raw(outcome.to_text()),
        (EventFormat::Json, Ok(report)) => printer.print(&report),
        (EventFormat::Json, Err(e)) => printer.error(format!("cannot encode the report: {e}")),
    }
    emit(&Event::Bye);
    if let Some(reporter) = reporter {
        reporter.finish().await;
    }
    printer.flush().await;
    match &outcome.report.pcap {
        Some(PcapOutcome::Failed { path, reason }) => Err(ProcessError::Io {
            path: path.clone(),
            source: std::io::Error::other(reason.clone()),
        }),
        _ => Ok(()),
    }
}
