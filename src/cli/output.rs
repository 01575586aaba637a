//! What the commands write: JSON on stdout, and the files named on the
//! command line.

use std::io::Write;
use std::path::PathBuf;

/// Writes `value` as pretty JSON and a newline straight to stdout, without
/// building the whole text first (a full-scale Cablegate report is over a
/// hundred megabytes of it).
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe shows up as serde_json's error; as an io::Error it is
    // recognised as the reader leaving (see `exit.rs`).
    serde_json::to_writer_pretty(&mut out, value).map_err(std::io::Error::from)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// An output file named on the command line cannot be created: bad input,
/// found before any work is done.
#[derive(Debug, thiserror::Error)]
#[error("{option} {}: cannot create the file: {cause}", path.display())]
pub(crate) struct UnwritableOutput {
    option: &'static str,
    path: PathBuf,
    cause: std::io::Error,
}

/// Creates (or empties) the file `option` names.
pub(crate) fn create_output(option: &'static str, path: PathBuf) -> Result<(PathBuf, std::fs::File), UnwritableOutput> {
    match std::fs::File::create(&path) {
        Ok(file) => Ok((path, file)),
        Err(cause) => Err(UnwritableOutput { option, path, cause }),
    }
}
