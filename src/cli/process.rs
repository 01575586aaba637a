//! What the commands that run one process of a network share: the hidden
//! flags `cablesim network` gives its children, the flags of a proxy on a
//! link, and how such a process is run to its end.

use std::future::Future;
use std::path::PathBuf;

use anyhow::Context;

use super::flags::{Format, ScenarioTuning, help};
use crate::multiprocess::ProcessError;
use crate::multiprocess::proxy::ProxyKind;
use crate::multiprocess::proxy_process::ProxyProcessOptions;

/// How `cablesim network` plants adversaries in its children.
#[derive(Debug, clap::Args)]
pub(crate) struct Hosting {
    /// Host the adversaries of this JSON file that sit at this process's position.
    #[arg(long, value_name = "FILE", hide = true)]
    pub(crate) host_adversaries: Option<PathBuf>,
    /// Write the hosted adversaries' loot to FILE on quit.
    #[arg(long, value_name = "FILE", hide = true)]
    pub(crate) loot: Option<PathBuf>,
    /// Stop when stdin closes (the launcher's children never outlive it).
    #[arg(long, hide = true)]
    pub(crate) quit_on_eof: bool,
}

/// Where a proxy sits and what it knows: `tap` and `mitm` take them.
#[derive(Debug, clap::Args)]
#[command(mut_args(help("format", "Event format on stdout")))]
pub(crate) struct ProxyFlags {
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
    #[command(flatten)]
    format: Format,
    /// Post every event, and the final report, to the live page of a hub started with --web
    /// (its URL as printed, token included).
    #[arg(long, value_name = "URL")]
    report_to: Option<String>,
    #[command(flatten)]
    hosting: Hosting,
}

impl ProxyFlags {
    /// The proxy process's options, for an adversary of `kind`.
    pub(crate) fn options(self, kind: ProxyKind) -> ProxyProcessOptions {
        ProxyProcessOptions {
            listen: self.listen,
            upstream: self.upstream,
            kind,
            node: self.node,
            pcap: self.pcap,
            args: self.scenario.map(|s| self.tuning.args(s)),
            format: self.format.events(),
            host_adversaries: self.hosting.host_adversaries,
            loot: self.hosting.loot,
            quit_on_eof: self.hosting.quit_on_eof,
            report_to: self.report_to,
        }
    }
}

/// Runs a long-lived process's future, then leaves without waiting for
/// the thread blocked reading stdin (tokio's stdin cannot be cancelled).
pub(crate) fn serve<F: Future<Output = Result<(), ProcessError>>>(future: F) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    serve_on(runtime, future)
}

/// [`serve`] on a runtime the command has already started things on (a
/// live page).
pub(crate) fn serve_on<F: Future<Output = Result<(), ProcessError>>>(
    runtime: tokio::runtime::Runtime,
    future: F,
) -> anyhow::Result<()> {
    let result = runtime.block_on(future);
    runtime.shutdown_background();
    result.map_err(anyhow::Error::new)
}
