//! `cablesim exercise`: the exercises shipped with cablesim (README.md,
//! "For trainers: a 45-minute session"), listed, and copied out for a
//! participant to work on.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;

use crate::scenario::{EXERCISES, ScenarioError, exercise};

/// Exercises: list them, or start one by copying its scenario file, which
/// `cablesim check` then grades.
#[derive(Debug, clap::Args)]
pub(crate) struct Exercise {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// List the exercises, one line each: the name and the task.
    List,
    /// Write an exercise's scenario file to DIR/NAME.toml and say how to check it.
    Start {
        /// The exercise (see `cablesim exercise list`).
        name: String,
        /// Directory to write NAME.toml into, created if missing.
        dir: PathBuf,
    },
}

/// The exercise's file is already there: the participant's work in it is
/// not overwritten. Bad input, exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{} exists already: remove it to start over, or choose another directory", path.display())]
pub(crate) struct ExerciseFileExists {
    path: PathBuf,
}

impl Exercise {
    /// Lists the exercises or starts one.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        match self.action {
            Action::List => list(),
            Action::Start { name, dir } => start(&name, &dir),
        }
    }
}

fn list() -> anyhow::Result<()> {
    for entry in EXERCISES {
        let scenario = entry.load()?;
        let task = scenario.exercise.map(|e| e.task).unwrap_or_default();
        println!("  {:<20} {task}", entry.name);
    }
    Ok(())
}

fn start(name: &str, dir: &Path) -> anyhow::Result<()> {
    let Some(entry) = exercise(name) else {
        let names: Vec<&str> = EXERCISES.iter().map(|e| e.name).collect();
        return Err(ScenarioError::new(
            name,
            None,
            format!("no exercise of this name (exercises: {})", names.join(", ")),
        )
        .into());
    };
    let scenario = entry.load()?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{name}.toml"));
    // `create_new` refuses an existing file in the same system call that
    // creates it: no window for a file to appear between a check and the write.
    let mut file = match std::fs::File::create_new(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(ExerciseFileExists { path }.into()),
        Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
    };
    file.write_all(entry.toml.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    let exercise = scenario
        .exercise
        .with_context(|| format!("the exercise {name} has no [exercise] table"))?;
    println!("wrote {}: the exercise {name}", path.display());
    println!();
    println!("task: {}", exercise.task);
    if let Some(hint) = &exercise.hint {
        println!("hint: {hint}");
    }
    println!();
    println!("Edit the file, then check it:");
    println!("  cablesim check {}", path.display());
    Ok(())
}
