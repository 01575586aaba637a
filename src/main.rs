//! The `cablesim` program: parses the command line and hands it to
//! [`cablesim::cli`], where every command lives.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use cablesim::cli::{Cli, usage_error};
use clap::Parser;

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => cli.dispatch(),
        Err(e) => usage_error(&e),
    }
}
