//! `cablesim tap`: a wiretap on one node's link, as a TCP proxy between
//! real processes (README.md, "Run it across laptops").

use super::process::{ProxyFlags, serve};
use crate::multiprocess::proxy::ProxyKind;
use crate::multiprocess::proxy_process::run_proxy;

/// A wiretap as a TCP proxy on a node's link: put it between the node and the hub.
///
/// On quit (stdin), SIGTERM or Ctrl-C it prints what it obtained, analysed as in `run`.
#[derive(Debug, clap::Args)]
pub(crate) struct Tap {
    #[command(flatten)]
    proxy: ProxyFlags,
}

impl Tap {
    /// Copies the link both ways, keeping what crosses it, until told to stop.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        serve(run_proxy(self.proxy.options(ProxyKind::Tap)))
    }
}
