//! `cablesim bench`: the measured cost of the envelope and of the hub
//! (README.md, "Measuring it: `cablesim bench`").

use super::flags::{Format, help};
use super::numbers::whole_usize;
use crate::bench::{BenchOptions, run};

/// Measure the envelope against age, the network against the crypto limit, and the hub
/// against a bare TLS forwarder.
#[derive(Debug, clap::Args)]
#[command(mut_args(help("format", "Report format on stdout: text, or one JSON object")))]
pub(crate) struct Bench {
    #[command(flatten)]
    format: Format,
    /// Recipients of every cable.
    #[arg(long, value_name = "N", default_value_t = BenchOptions::DEFAULT_RECIPIENTS, allow_negative_numbers = true, value_parser = whole_usize)]
    recipients: usize,
    /// Bytes of every cable body.
    #[arg(long, value_name = "BYTES", default_value_t = BenchOptions::DEFAULT_SIZE, allow_negative_numbers = true, value_parser = whole_usize)]
    size: usize,
    /// Cables sent (and envelope samples taken).
    #[arg(long, value_name = "N", default_value_t = BenchOptions::DEFAULT_CABLES, allow_negative_numbers = true, value_parser = whole_usize)]
    cables: usize,
}

impl Bench {
    /// Runs the measurements and prints them.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        let report = run(&BenchOptions::new(self.recipients, self.size, self.cables)?)?;
        self.format.print(&report, |report| report.render_text())
    }
}
