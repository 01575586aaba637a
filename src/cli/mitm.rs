//! `cablesim mitm`: a man in the middle on one node's link, as a TCP
//! proxy between real processes (README.md, "Run it across laptops").

use super::flags::{Certs, help};
use super::process::{ProxyFlags, serve};
use crate::multiprocess::proxy::ProxyKind;
use crate::multiprocess::proxy_process::run_proxy;

/// A man in the middle as a TCP proxy on a node's link: it tries to terminate the node's TLS.
///
/// On quit (stdin), SIGTERM or Ctrl-C it prints what it obtained, analysed as in `run`.
#[derive(Debug, clap::Args)]
#[command(mut_args(help(
    "certs",
    "Certificate directory of the network: the MITM reads ca.pem to check the real hub"
)))]
pub(crate) struct Mitm {
    #[command(flatten)]
    proxy: ProxyFlags,
    #[command(flatten)]
    certs: Certs,
}

impl Mitm {
    /// Stands in for the hub towards the node, until told to stop.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let certs = self.certs.certs;
        serve(run_proxy(self.proxy.options(ProxyKind::Mitm { certs })))
    }
}
