//! Logs on stderr: stdout belongs to the report.

use clap::ValueEnum;

/// The form of the log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

/// Installs the log subscriber; `quiet` keeps only errors.
pub(crate) fn init_logging(format: LogFormat, quiet: bool) {
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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).init(),
    }
}
