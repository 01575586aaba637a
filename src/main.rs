//! The `cablesim` command line. It only parses arguments and calls the
//! library; everything it shows comes from `cablesim::*`.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

/// A diplomatic cable network with end-to-end encryption, pluggable
/// adversaries and measured leaks.
///
/// This version ships the simulation core as a library — the cable model
/// and generator, the four end-to-end modes, the key directory and the wire
/// format. Scenario runs from the command line are not available yet; see
/// `cargo run --release --example quickstart` for a walk through the core.
#[derive(Debug, Parser)]
#[command(name = "cablesim", version, about, long_about)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    // Nothing to run without a subcommand: show what exists instead.
    let _ = Cli::command().print_long_help();
    ExitCode::from(2)
}
