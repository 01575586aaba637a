//! `cablesim hub`: the hub of a network as its own process, with its
//! queues and archive on disk (README.md, "Run it across laptops").

use std::time::Duration;

use anyhow::Context;

use super::flags::{Certs, Data, Format, ScenarioFlag, ScenarioTuning, WebServe, help};
use super::numbers::{positive_u32, positive_u64};
use super::process::{Hosting, serve_on};
use crate::multiprocess::hub_process::{HubOptions, run_hub};
use crate::scenario::{ScenarioArgs, planned_report};
use crate::web::LivePage;

/// Run the hub as a process: nodes connect over TCP with the scenario's transport (mutual TLS...).
///
/// Reads commands on stdin (day N, idle, sync, quit); queues and archive in DATA/hub.sqlite.
#[derive(Debug, clap::Args)]
#[command(
    mut_args(help(
        "scenario",
        "Built-in scenario name or path: the network's members and security settings"
    )),
    mut_args(help("format", "Event format on stdout"))
)]
pub(crate) struct Hub {
    #[command(flatten)]
    scenario: ScenarioFlag,
    /// Address to listen on (port 0 picks a free one; the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:4433")]
    listen: String,
    #[command(flatten)]
    certs: Certs,
    #[command(flatten)]
    data: Data,
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
    #[command(flatten)]
    format: Format,
    #[command(flatten)]
    web: WebServe,
    #[command(flatten)]
    hosting: Hosting,
}

impl Hub {
    /// Serves the nodes until `quit` (or, for a launched hub, until stdin closes).
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let args = self.tuning.args(self.scenario.scenario);
        let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
        // Kept open while the hub serves; dropped (and stopped) with it.
        let _page = match self.web.web {
            Some(addr) => Some(runtime.block_on(open_hub_page(addr, &args))?),
            None => None,
        };
        serve_on(
            runtime,
            run_hub(HubOptions {
                args,
                listen: self.listen,
                certs: self.certs.certs,
                data: self.data.data,
                format: self.format.events(),
                host_adversaries: self.hosting.host_adversaries,
                loot: self.hosting.loot,
                quit_on_eof: self.hosting.quit_on_eof,
                max_connections: self.max_connections.map(|n| n as usize),
                handshake_timeout: self.handshake_timeout.map(Duration::from_secs),
            }),
        )
    }

    /// Whether the live page's log layer is needed.
    pub(crate) fn wants_web(&self) -> bool {
        self.web.web.is_some()
    }
}

/// Serves the hub's page: the scenario's network, nothing measured, filled
/// by the hub's own log events and what proxies post to `/feed`.
async fn open_hub_page(addr: std::net::SocketAddr, args: &ScenarioArgs) -> anyhow::Result<LivePage> {
    let (scenario, preset) = args.prepare()?;
    let planned = planned_report(&scenario, preset.map(|p| p.name().to_owned()))?;
    let page = LivePage::open(addr, &planned).await?;
    page.serving();
    eprintln!("cablesim: live page at {}", page.url());
    Ok(page)
}
