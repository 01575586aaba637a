//! Logs on stderr: stdout belongs to the report.

use clap::ValueEnum;
use tracing_subscriber::prelude::*;

/// The form of the log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

/// Installs the log subscriber; `quiet` keeps only errors. `live` adds
/// the live page's layer, which hears the network's events whatever the
/// log shows (README.md, "The live page").
pub(crate) fn init_logging(format: LogFormat, quiet: bool, live: bool) {
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
    let lines = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let lines = match format {
        LogFormat::Text => lines.boxed(),
        LogFormat::Json => lines.json().flatten_event(true).with_current_span(false).boxed(),
    };
    // Each layer has its own filter: the page's does not depend on what
    // RUST_LOG lets through to the log lines.
    tracing_subscriber::registry()
        .with(lines.with_filter(filter))
        .with(live.then(crate::web::layer))
        .init();
}
