//! The `cablesim` command line, on top of every other layer: it parses
//! and checks arguments, then calls the library; every number it prints
//! comes from a real run.
//!
//! One file per command holds its flags and what it does; the flags
//! several commands share are declared once in `flags.rs`. The binary
//! (`src/main.rs`) only parses and hands over to [`Cli::dispatch`].

mod bench;
mod captures;
mod certs;
mod check;
mod demo;
mod dissector;
mod exercise;
mod exit;
mod explain;
mod flags;
mod hub;
mod junit;
mod list;
mod logging;
mod matrix;
mod mitm;
mod network;
mod node;
mod numbers;
mod output;
mod process;
mod run;
mod tap;
mod verdict_line;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use exit::usage_error;
use logging::{LogFormat, init_logging};

/// A diplomatic cable network with end-to-end encryption, pluggable
/// adversaries and measured leaks.
#[derive(Debug, Parser)]
#[command(name = "cablesim", version, about)]
pub struct Cli {
    /// Log format on stderr: json also shows every leak and alarm event
    /// (filter with RUST_LOG, e.g. RUST_LOG=cablesim=debug).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// The commands, in the order `cablesim --help` lists them. Each one's
/// help is the doc comment of its struct.
#[derive(Debug, Subcommand)]
enum Command {
    Demo(demo::Demo),
    Run(run::Run),
    Check(check::Check),
    Matrix(matrix::Matrix),
    Explain(explain::Explain),
    Exercise(exercise::Exercise),
    List(list::List),
    Certs(certs::Certs),
    Hub(hub::Hub),
    Node(node::Node),
    Tap(tap::Tap),
    Mitm(mitm::Mitm),
    Network(network::Network),
    Bench(bench::Bench),
    Dissector(dissector::Dissector),
}

impl Cli {
    /// Runs the command, logging on stderr as `--log-format` asks, and
    /// returns the exit status: 0 done, 1 failed, 2 bad input.
    pub fn dispatch(self) -> ExitCode {
        // The demo is a story on stdout: the warnings of the attacks it stages
        // (refused certificates, dropped sessions) would only interrupt it.
        let quiet = matches!(self.command, Command::Demo(_));
        let live = match &self.command {
            Command::Run(command) => command.wants_web(),
            Command::Demo(command) => command.wants_web(),
            // The hub's page hears its own log; a launcher's hears its
            // children's events instead.
            Command::Hub(command) => command.wants_web(),
            _ => false,
        };
        init_logging(self.log_format, quiet, live);
        exit::exit_code(match self.command {
            Command::Demo(command) => command.execute(),
            Command::Run(command) => command.execute(),
            Command::Check(command) => command.execute(),
            Command::Matrix(command) => command.execute(),
            Command::Explain(command) => command.execute(),
            Command::Exercise(command) => command.execute(),
            Command::List(command) => command.execute(),
            Command::Certs(command) => command.execute(),
            Command::Hub(command) => command.execute(),
            Command::Node(command) => command.execute(),
            Command::Tap(command) => command.execute(),
            Command::Mitm(command) => command.execute(),
            Command::Network(command) => command.execute(),
            Command::Bench(command) => command.execute(),
            Command::Dissector(command) => command.execute(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// clap checks its own rules here (unique names, groups, defaults
    /// that parse), not at a user's first run. The words of every help
    /// are checked by `tests/it/cli_help.rs`.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
