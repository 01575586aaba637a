//! A process's console: events out on stdout in order, command lines in
//! from stdin, and the signals that end it.

use std::io::Write;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use super::control::{Command, Event, EventFormat, parse_command};

/// Prints events in the order they are emitted, from any task or callback.
#[derive(Clone)]
pub struct Printer {
    format: EventFormat,
    lines: mpsc::UnboundedSender<Output>,
}

enum Output {
    Line(String),
    /// Answered once every line before it is written.
    Flush(tokio::sync::oneshot::Sender<()>),
}

impl Printer {
    /// A printer writing to stdout from a thread of its own, so that a slow
    /// reader never blocks the node.
    pub fn stdout(format: EventFormat) -> Printer {
        let (lines, mut rx) = mpsc::unbounded_channel::<Output>();
        std::thread::spawn(move || {
            let stdout = std::io::stdout();
            let mut open = true;
            while let Some(output) = rx.blocking_recv() {
                match output {
                    // A closed stdout (the reader went away) ends printing
                    // only; flushes are still answered.
                    Output::Line(line) if open => {
                        let mut out = stdout.lock();
                        open = out.write_all(line.as_bytes()).and_then(|()| out.flush()).is_ok();
                    }
                    Output::Line(_) => {}
                    Output::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Printer { format, lines }
    }

    /// Prints `event`.
    pub fn print(&self, event: &Event) {
        let _ = self.lines.send(Output::Line(self.format.line(event)));
    }

    /// Prints text as it is (a multi-line summary).
    pub fn raw(&self, text: String) {
        let _ = self.lines.send(Output::Line(text));
    }

    /// Prints an error line.
    pub fn error(&self, detail: impl Into<String>) {
        self.print(&Event::Error { detail: detail.into() });
    }

    /// Waits until everything printed so far is written: the last thing a
    /// process does before it exits.
    pub async fn flush(&self) {
        let (done, written) = tokio::sync::oneshot::channel();
        if self.lines.send(Output::Flush(done)).is_ok() {
            let _ = written.await;
        }
    }
}

/// What the console hands the process next.
#[derive(Debug)]
pub enum Input {
    /// A parsed command.
    Command(Command),
    /// A line that is not a command (already reported).
    Invalid,
    /// stdin closed, or SIGTERM / Ctrl-C: time to leave.
    End,
}

/// Reads commands from stdin and watches for the signals that end the
/// process.
pub struct Console {
    /// `None` once stdin has closed.
    lines: Option<tokio::io::Lines<BufReader<tokio::io::Stdin>>>,
    /// Whether the end of stdin ends the process (a node), or only its
    /// commands (a hub or a proxy: daemons that stop on a signal or `quit`).
    end_on_eof: bool,
    printer: Printer,
    line_number: u64,
    terminate: Terminate,
}

impl Console {
    /// A console on this process's stdin; see `end_on_eof` above.
    pub fn new(printer: Printer, end_on_eof: bool, terminate: Terminate) -> Console {
        Console {
            lines: Some(BufReader::new(tokio::io::stdin()).lines()),
            end_on_eof,
            printer,
            line_number: 0,
            terminate,
        }
    }

    /// The next command; bad lines are reported with their line number and
    /// skipped, so one typo never ends a node.
    pub async fn next(&mut self) -> Input {
        let Some(lines) = self.lines.as_mut() else {
            self.terminate.wait().await;
            return Input::End;
        };
        let line = tokio::select! {
            line = lines.next_line() => line,
            () = self.terminate.wait() => return Input::End,
        };
        match line {
            Ok(Some(line)) => {
                self.line_number += 1;
                match parse_command(&line) {
                    Ok(Some(command)) => Input::Command(command),
                    Ok(None) => Input::Invalid,
                    Err(e) => {
                        tracing::warn!(line = self.line_number, cause = %e, "bad command");
                        self.printer.error(format!("stdin line {}: {e}", self.line_number));
                        Input::Invalid
                    }
                }
            }
            Ok(None) | Err(_) => {
                self.lines = None;
                if self.end_on_eof {
                    Input::End
                } else {
                    tracing::info!("stdin closed: running until SIGTERM or Ctrl-C");
                    Input::Invalid
                }
            }
        }
    }
}

/// SIGTERM and Ctrl-C (SIGINT), caught from the moment [`Terminate::install`]
/// returns: a signal that arrives while the process is still starting up
/// ends it cleanly too, instead of killing it.
pub struct Terminate {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl Terminate {
    /// Installs the handlers now (inside a tokio runtime).
    pub fn install() -> std::io::Result<Terminate> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Terminate {
                term: signal(SignalKind::terminate())?,
                interrupt: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Terminate {})
        }
    }

    /// Resolves at the next SIGTERM or Ctrl-C.
    pub async fn wait(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => {}
                _ = self.interrupt.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
