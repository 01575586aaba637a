//! `cablesim node`: one ministry or mission as its own process, sending
//! and receiving through the hub (README.md, "Run it across laptops").

use super::flags::{Certs, Data, Format, ScenarioFlag, ScenarioTuning, help};
use super::process::{Hosting, serve};
use crate::multiprocess::node_process::{NodeOptions, run_node};

/// Run one node as a process: it connects to the hub and reads commands on stdin.
///
/// send TO[,TO...] [CLASSIFICATION] -- TEXT | day N | play N | refresh | reconnect | sync | quit
#[derive(Debug, clap::Args)]
#[command(
    mut_args(help(
        "scenario",
        "Built-in scenario name or path: the network, security settings and `play` traffic"
    )),
    mut_args(help(
        "certs",
        "Certificate directory: ca.pem, every NODE.pem and this node's NODE.key.pem"
    )),
    mut_args(help("data", "Directory for the node's database (keys, outbox, inbox, sent items)")),
    mut_args(help("format", "Event format on stdout: text, or one JSON object a line"))
)]
pub(crate) struct Node {
    /// The node's name in the scenario's network, e.g. de-mfa.
    #[arg(long)]
    name: String,
    #[command(flatten)]
    scenario: ScenarioFlag,
    /// The hub's address (or a proxy's in front of it).
    #[arg(long, default_value = "127.0.0.1:4433")]
    hub: String,
    #[command(flatten)]
    certs: Certs,
    #[command(flatten)]
    data: Data,
    #[command(flatten)]
    tuning: ScenarioTuning,
    #[command(flatten)]
    format: Format,
    #[command(flatten)]
    hosting: Hosting,
    /// Fetch the directory only on `refresh`, and print the wire costs before `bye` (`cablesim network` drives its nodes in step with `run`).
    #[arg(long, hide = true)]
    lockstep: bool,
}

impl Node {
    /// Runs the node until `quit` (or, for a launched node, until stdin closes).
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        serve(run_node(NodeOptions {
            args: self.tuning.args(self.scenario.scenario),
            name: self.name,
            hub: self.hub,
            certs: self.certs.certs,
            data: self.data.data,
            format: self.format.events(),
            host_adversaries: self.hosting.host_adversaries,
            loot: self.hosting.loot,
            lockstep: self.lockstep,
        }))
    }
}
