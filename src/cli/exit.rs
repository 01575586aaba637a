//! How the program ends: the one-line error on stderr and the exit status
//! (0 done, 1 failed, 2 bad input; see "Bad input" in ARCHITECTURE.md).

use std::process::ExitCode;

use super::exercise::ExerciseFileExists;
use super::explain::UnknownTopic;
use super::output::UnwritableOutput;
use crate::adversary::SpecError;
use crate::bench::BenchError;
use crate::multiprocess::ProcessError;
use crate::multiprocess::launcher::NetworkError;
use crate::scenario::{RunError, ScenarioError, UnknownPreset};

/// The exit status of a command that ended with `result`, after saying
/// on stderr why it failed.
pub(crate) fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cablesim: {e:#}");
            if is_bad_input(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// A command line clap refused. Help and the version go out as clap
/// writes them; anything else is bad input: one line naming the option and
/// the reason, exit status 2, like every other bad input (clap's own
/// message spans several lines, and its tip for `--seed -1`, `-- -1`,
/// does not work).
pub fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Help asked for, or a bare `cablesim`: clap prints it and exits.
        e.exit();
    }
    eprintln!("cablesim: {}", one_line(e));
    ExitCode::from(2)
}

/// clap's message in one line: its first line, with what it lists below
/// that line (the missing arguments, the values allowed, a suggestion)
/// folded in.
fn one_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let rendered = e.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first).trim_end();
    let listed = |kind: ContextKind| -> Option<String> {
        match e.get(kind)? {
            ContextValue::String(one) => Some(one.clone()),
            ContextValue::Strings(many) if !many.is_empty() => Some(many.join(", ")),
            _ => None,
        }
    };
    match e.kind() {
        ErrorKind::MissingRequiredArgument => match listed(ContextKind::InvalidArg) {
            Some(missing) => format!("missing {missing}"),
            None => first.to_owned(),
        },
        ErrorKind::InvalidValue => match listed(ContextKind::ValidValue) {
            Some(valid) => format!("{first} (one of: {valid})"),
            None => first.to_owned(),
        },
        ErrorKind::UnknownArgument | ErrorKind::InvalidSubcommand => {
            match listed(ContextKind::SuggestedArg).or_else(|| listed(ContextKind::SuggestedSubcommand)) {
                Some(suggested) => format!("{first} (did you mean '{suggested}'?)"),
                None => first.to_owned(),
            }
        }
        _ => first.to_owned(),
    }
}

/// `cablesim demo | head`: the reader left, which is not a failure.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Bad input (a scenario, a preset, a `--set`) exits 2; anything else 1.
fn is_bad_input(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.is::<ScenarioError>()
            || cause.is::<UnknownPreset>()
            || cause.is::<SpecError>()
            || cause.is::<UnknownTopic>()
            || cause.is::<ExerciseFileExists>()
            || cause.is::<UnwritableOutput>()
            || cause.is::<crate::report::UnknownReportFormat>()
            || matches!(
                cause.downcast_ref::<crate::web::WebError>(),
                Some(crate::web::WebError::Bind { .. })
            )
            || cause.downcast_ref::<BenchError>().is_some_and(BenchError::is_bad_input)
            || cause
                .downcast_ref::<ProcessError>()
                .is_some_and(ProcessError::is_bad_input)
            || cause
                .downcast_ref::<NetworkError>()
                .is_some_and(NetworkError::is_bad_input)
            || matches!(
                cause.downcast_ref::<RunError>(),
                Some(RunError::Scenario(_) | RunError::Unsupported(_))
            )
    })
}
