//! A child process of `cablesim network`: commands go to its stdin, and
//! its events (`--format json`) come back from its stdout, one a line.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, Command as ProcessCommand};
use tokio::sync::mpsc;

use super::control::Event;

/// How long one step may take before the launcher gives up on a child:
/// generous, since a step is at most one simulated day of traffic, but
/// bounded, so that a stuck child fails the run instead of hanging it.
pub(crate) const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// Why a child could not be driven.
#[derive(Debug, thiserror::Error)]
pub enum ChildError {
    /// The process could not be started.
    #[error("cannot start {label}: {source}")]
    Spawn {
        /// The child.
        label: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The child stopped talking: it exited or closed its stdout.
    #[error("{label} exited unexpectedly (its log: {})", log.display())]
    Gone {
        /// The child.
        label: String,
        /// Where its stderr went.
        log: PathBuf,
    },
    /// The child did not answer in time.
    #[error("{label} did not answer {waiting_for:?} within {timeout:?} (its log: {})", log.display())]
    Timeout {
        /// The child.
        label: String,
        /// The event expected.
        waiting_for: &'static str,
        /// How long the launcher waited.
        timeout: Duration,
        /// Where its stderr went.
        log: PathBuf,
    },
}

/// Where the events a child sends besides the awaited answers go.
pub(crate) trait EventSink {
    /// `child` said `event`.
    fn observe(&mut self, child: &str, event: Event);

    /// `child` said `event`: every event, the awaited answers included,
    /// before it is handed on (nothing by default).
    fn saw(&mut self, _child: &str, _event: &Event) {}
}

/// One running child.
pub(crate) struct Child {
    pub(crate) label: String,
    process: tokio::process::Child,
    stdin: Option<ChildStdin>,
    events: mpsc::UnboundedReceiver<Event>,
    log: PathBuf,
}

impl Child {
    /// Starts `exe ARGS...` with its stderr in `log`.
    pub(crate) fn spawn(exe: &Path, label: &str, args: &[String], log: &Path) -> Result<Child, ChildError> {
        let spawn_err = |source| ChildError::Spawn {
            label: label.to_owned(),
            source,
        };
        let stderr = std::fs::File::create(log).map_err(spawn_err)?;
        let mut process = ProcessCommand::new(exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            // A launcher that fails must not leave processes behind.
            .kill_on_drop(true)
            .spawn()
            .map_err(spawn_err)?;
        let stdin = process.stdin.take();
        let stdout = process.stdout.take();
        let (tx, events) = mpsc::unbounded_channel();
        if let Some(stdout) = stdout {
            let label = label.to_owned();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stdout).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    match serde_json::from_str::<Event>(&line) {
                        Ok(event) => {
                            if tx.send(event).is_err() {
                                break;
                            }
                        }
                        Err(e) => tracing::warn!(child = %label, line = %line, cause = %e, "unreadable event"),
                    }
                }
            });
        }
        Ok(Child {
            label: label.to_owned(),
            process,
            stdin,
            events,
            log: log.to_owned(),
        })
    }

    /// Sends one command line.
    pub(crate) async fn command(&mut self, line: &str) -> Result<(), ChildError> {
        let gone = || ChildError::Gone {
            label: self.label.clone(),
            log: self.log.clone(),
        };
        let stdin = self.stdin.as_mut().ok_or_else(gone)?;
        let mut bytes = line.as_bytes().to_vec();
        bytes.push(b'\n');
        stdin.write_all(&bytes).await.map_err(|_| gone())?;
        stdin.flush().await.map_err(|_| gone())
    }

    /// Waits for the first event that `wanted` accepts, handing every
    /// event before it to `observe`.
    pub(crate) async fn expect(
        &mut self,
        waiting_for: &'static str,
        wanted: impl Fn(&Event) -> bool,
        sink: &mut impl EventSink,
    ) -> Result<Event, ChildError> {
        let deadline = tokio::time::Instant::now() + STEP_TIMEOUT;
        loop {
            let next = tokio::time::timeout_at(deadline, self.events.recv()).await;
            match next {
                Err(_) => {
                    return Err(ChildError::Timeout {
                        label: self.label.clone(),
                        waiting_for,
                        timeout: STEP_TIMEOUT,
                        log: self.log.clone(),
                    });
                }
                Ok(None) => {
                    return Err(ChildError::Gone {
                        label: self.label.clone(),
                        log: self.log.clone(),
                    });
                }
                Ok(Some(event)) => {
                    sink.saw(&self.label, &event);
                    if wanted(&event) {
                        return Ok(event);
                    }
                    sink.observe(&self.label, event);
                }
            }
        }
    }

    /// Closes stdin and waits for the process to exit (it was told to quit).
    pub(crate) async fn finish(mut self) {
        drop(self.stdin.take());
        if tokio::time::timeout(STEP_TIMEOUT, self.process.wait()).await.is_err() {
            tracing::warn!(child = %self.label, "did not exit after quit; killing it");
            let _ = self.process.kill().await;
        }
    }
}
