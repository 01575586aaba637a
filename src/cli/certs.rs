//! `cablesim certs`: the demo certificates the processes of a network
//! authenticate each other with (README.md, "Run it across laptops").

use std::path::PathBuf;

use anyhow::Context;

use super::flags::ScenarioFlag;
use crate::net::Pki;
use crate::scenario::resolve;

/// Write a demo CA and a certificate and key per node of a scenario's network.
#[derive(Debug, clap::Args)]
pub(crate) struct Certs {
    #[command(flatten)]
    scenario: ScenarioFlag,
    /// Directory to write ca.pem, NODE.pem and NODE.key.pem into.
    #[arg(long)]
    out: PathBuf,
}

impl Certs {
    /// Generates the CA and the certificates and writes them as PEM files.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let scenario = resolve(&self.scenario.scenario)?;
        let pki = Pki::generate(&scenario.network)?;
        let out = self.out;
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
}
