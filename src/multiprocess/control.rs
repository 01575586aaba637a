//! The line protocol of the processes: commands read on stdin, events
//! printed on stdout (one JSON object a line with `--format json`).
//!
//! Sans-IO: parsing and rendering only, so every malformed line has a unit
//! test and the processes stay thin.

use serde::{Deserialize, Serialize};

use crate::model::{Classification, Day};
use crate::net::Alarm;
use crate::report::WireCosts;

/// One command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `send TO[,TO...] [CLASSIFICATION] -- TEXT`: a cable typed by hand.
    Send {
        /// Addressees as written.
        to: Vec<String>,
        /// Sensitivity (default `limite`).
        classification: Classification,
        /// The text: the first line is the subject, all of it the body.
        text: String,
    },
    /// `day N`: move to simulated day N (keys rotate, retention applies).
    Day(Day),
    /// `play N`: send this node's cables of day N from the scenario.
    Play(Day),
    /// `refresh`: fetch the key directory again.
    Refresh,
    /// `reconnect`: drop the connection to the hub and make a new one.
    Reconnect,
    /// `idle`: answer once every cable queued for a connected node was
    /// acknowledged (the hub).
    Idle,
    /// `sync`: answer at once; every event printed before the answer was
    /// caused by a command given before it.
    Sync,
    /// `quit`: leave cleanly.
    Quit,
}

impl Command {
    /// The command's word, for "not supported here" errors.
    pub fn word(&self) -> &'static str {
        match self {
            Command::Send { .. } => "send",
            Command::Day(_) => "day",
            Command::Play(_) => "play",
            Command::Refresh => "refresh",
            Command::Reconnect => "reconnect",
            Command::Idle => "idle",
            Command::Sync => "sync",
            Command::Quit => "quit",
        }
    }
}

/// Why a command line was refused; the process prints it and carries on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(String);

const USAGE: &str = "commands: send TO[,TO...] [CLASSIFICATION] -- TEXT | day N | play N | refresh | reconnect | \
                     idle | sync | quit";

/// Parses one line. Blank lines and `#` comments are `Ok(None)`.
pub fn parse_command(line: &str) -> Result<Option<Command>, CommandError> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let no_argument = |command: Command| {
        if rest.is_empty() {
            Ok(Some(command))
        } else {
            Err(CommandError(format!("{word} takes no argument (got {rest:?})")))
        }
    };
    match word {
        "send" => parse_send(rest).map(Some),
        "day" => parse_day(word, rest).map(|d| Some(Command::Day(d))),
        "play" => parse_day(word, rest).map(|d| Some(Command::Play(d))),
        "refresh" => no_argument(Command::Refresh),
        "reconnect" => no_argument(Command::Reconnect),
        "idle" => no_argument(Command::Idle),
        "sync" => no_argument(Command::Sync),
        "quit" | "exit" => no_argument(Command::Quit),
        other => Err(CommandError(format!("unknown command {other:?}; {USAGE}"))),
    }
}

fn parse_day(word: &str, rest: &str) -> Result<Day, CommandError> {
    rest.parse::<Day>()
        .map_err(|_| CommandError(format!("{word} needs a day number, got {rest:?}")))
}

fn parse_send(rest: &str) -> Result<Command, CommandError> {
    let (head, text) = match rest.split_once("--") {
        Some((head, text)) => (head.trim(), text.trim()),
        None => return Err(CommandError("send needs `-- TEXT` after the addressees".into())),
    };
    if text.is_empty() {
        return Err(CommandError("send needs a text after `--`".into()));
    }
    let mut words = head.split_whitespace();
    let Some(to) = words.next() else {
        return Err(CommandError(
            "send needs at least one addressee: send TO[,TO...] -- TEXT".into(),
        ));
    };
    let to: Vec<String> = to.split(',').map(str::trim).map(str::to_owned).collect();
    if to.iter().any(String::is_empty) {
        return Err(CommandError(format!("empty addressee in {head:?}")));
    }
    let classification = match words.next() {
        None => Classification::Limite,
        Some(level) => level.parse().map_err(|_| {
            let known: Vec<&str> = Classification::ALL.iter().map(|c| c.as_str()).collect();
            CommandError(format!(
                "unknown classification {level:?} (one of {})",
                known.join(", ")
            ))
        })?,
    };
    if let Some(extra) = words.next() {
        return Err(CommandError(format!("unexpected {extra:?} before `--`")));
    }
    Ok(Command::Send {
        to,
        classification,
        text: text.to_owned(),
    })
}

/// What a process reports, one line each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// The process listens on `addr` (hub, proxies).
    Listening {
        /// The bound address (the port is known once bound).
        addr: String,
    },
    /// The node cannot reach the hub yet and keeps trying, with backoff
    /// (printed once, at the first failure).
    Unreachable {
        /// Where it tries to connect.
        hub: String,
        /// Why the first attempt failed.
        reason: String,
    },
    /// The node is connected to the hub, has published its keys and has
    /// fetched the directory: a script can wait for this line, then type.
    Connected {
        /// Where it is connected.
        hub: String,
    },
    /// A typed cable is kept, unsealed, until the node has keys for every
    /// recipient in `for`; it is sent, and `accepted`, once a directory
    /// refresh brings them. Printed when it starts waiting (and once again
    /// after a restart, if it still waits).
    Waiting {
        /// Cable id.
        cable: String,
        /// The recipients without a known key.
        #[serde(rename = "for")]
        for_keys: Vec<String>,
    },
    /// The hub durably acknowledged a cable this node sent.
    Accepted {
        /// Cable id.
        cable: String,
        /// Its addressees as written.
        to: Vec<String>,
    },
    /// A cable was received, verified and filed.
    Delivered {
        /// Cable id.
        cable: String,
        /// Its sender.
        from: String,
        /// Its classification.
        classification: Classification,
        /// Its subject.
        subject: String,
        /// Its body without the canary line.
        text: String,
        /// The canary token the body carried, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        canary: Option<String>,
    },
    /// An attack was detected (the fields of [`Alarm`]).
    Alarm(Alarm),
    /// A command was refused, or a cable could not be sent.
    Error {
        /// Why.
        detail: String,
    },
    /// `day N` done.
    Day {
        /// The day now.
        day: Day,
        /// Whether the node's published keys changed.
        rotated: bool,
    },
    /// `refresh` done.
    Refreshed,
    /// `play N` done: every cable of the day was answered by the hub.
    Played {
        /// The day played.
        day: Day,
        /// Cables the hub acknowledged.
        sent: u64,
        /// Cables above `max_classification`, not sent.
        withheld: u64,
        /// Cables that could not be sent.
        failed: u64,
    },
    /// `reconnect` done.
    Reconnected,
    /// The cables the hub has relayed since it started, printed just
    /// before its answer to `idle` (a launcher's live page shows them).
    Relayed {
        /// Cables relayed so far.
        total: u64,
    },
    /// `idle` done.
    Idle,
    /// `sync` done.
    Synced,
    /// What a proxy obtained, analysed (`cablesim tap|mitm --format json`).
    Report {
        /// The proxy's report.
        report: serde_json::Value,
    },
    /// What the node's envelopes and TLS handshakes cost on the wire,
    /// printed before `bye` in lockstep (the launcher sums them for the
    /// report).
    Wire {
        /// The node's own figures.
        wire: WireCosts,
    },
    /// The process is leaving.
    Bye,
}

impl Event {
    /// One line for people reading a terminal. Text from peers (subjects,
    /// bodies, alarm details) has its control characters escaped, so a
    /// cable cannot move the cursor or forge a line of its own.
    pub fn to_text(&self) -> String {
        self.render_text().chars().flat_map(escape_control).collect()
    }

    fn render_text(&self) -> String {
        match self {
            Event::Listening { addr } => format!("listening on {addr}"),
            Event::Unreachable { hub, reason } => format!("waiting for the hub at {hub} ({reason}); retrying"),
            Event::Waiting { cable, for_keys } => {
                format!(
                    "waiting {cable} (no key yet for {}); sent once known",
                    for_keys.join(",")
                )
            }
            Event::Connected { hub } => format!("connected to the hub at {hub}"),
            Event::Accepted { cable, to } => format!("accepted {cable} (to {})", to.join(",")),
            Event::Delivered {
                cable,
                from,
                classification,
                text,
                ..
            } => format!(
                "delivered {cable} from {from} [{classification}]: {}",
                text.replace('\n', " / ")
            ),
            Event::Alarm(alarm) => format!("ALARM {} at {}: {}", alarm.kind, alarm.node, alarm.detail),
            Event::Error { detail } => format!("error: {detail}"),
            Event::Day { day, rotated } => {
                format!("day {day}{}", if *rotated { " (new keys published)" } else { "" })
            }
            Event::Refreshed => "directory refreshed".into(),
            Event::Played {
                day,
                sent,
                withheld,
                failed,
            } => format!("day {day} played: {sent} sent, {withheld} withheld, {failed} failed"),
            Event::Reconnected => "reconnected".into(),
            Event::Relayed { total } => format!("{total} cables relayed so far"),
            Event::Idle => "idle".into(),
            Event::Synced => "synced".into(),
            Event::Report { report } => report.to_string(),
            Event::Wire { wire } => wire.sentence(),
            Event::Bye => "bye".into(),
        }
    }

    /// The event as one JSON line (no trailing newline).
    pub fn to_json(&self) -> String {
        // Every field is a string, a number or a plain enum.
        serde_json::to_string(self).unwrap_or_else(|e| format!(r#"{{"event":"error","detail":"{e}"}}"#))
    }
}

/// A control character as a visible escape (`\u{1b}`), anything else as is.
fn escape_control(c: char) -> Vec<char> {
    if c.is_control() {
        c.escape_default().collect()
    } else {
        vec![c]
    }
}

/// How a process prints its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventFormat {
    /// One human line each.
    #[default]
    Text,
    /// One JSON object a line.
    Json,
}

impl EventFormat {
    /// `event` rendered in this format, newline included.
    pub fn line(self, event: &Event) -> String {
        let mut line = match self {
            EventFormat::Text => event.to_text(),
            EventFormat::Json => event.to_json(),
        };
        line.push('\n');
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Command {
        parse_command(line).unwrap().unwrap()
    }

    fn error(line: &str) -> String {
        parse_command(line).unwrap_err().to_string()
    }

    #[test]
    fn send_with_and_without_classification() {
        assert_eq!(
            parse("send de-mfa,fr-mfa -- Meeting moved to Tuesday"),
            Command::Send {
                to: vec!["de-mfa".into(), "fr-mfa".into()],
                classification: Classification::Limite,
                text: "Meeting moved to Tuesday".into(),
            }
        );
        assert_eq!(
            parse("  send de-mfa restricted --  a -- b "),
            Command::Send {
                to: vec!["de-mfa".into()],
                classification: Classification::Restricted,
                text: "a -- b".into(),
            }
        );
    }

    #[test]
    fn other_commands() {
        assert_eq!(parse("day 12"), Command::Day(12));
        assert_eq!(parse("play 0"), Command::Play(0));
        assert_eq!(parse("refresh"), Command::Refresh);
        assert_eq!(parse("reconnect"), Command::Reconnect);
        assert_eq!(parse("idle"), Command::Idle);
        assert_eq!(parse("sync"), Command::Sync);
        assert_eq!(parse("quit"), Command::Quit);
        assert_eq!(parse_command("   ").unwrap(), None);
        assert_eq!(parse_command("# a comment").unwrap(), None);
    }

    #[test]
    fn bad_lines_say_why() {
        assert!(error("sned x -- y").starts_with("unknown command \"sned\""));
        assert_eq!(error("send de-mfa"), "send needs `-- TEXT` after the addressees");
        assert_eq!(error("send de-mfa --  "), "send needs a text after `--`");
        assert_eq!(
            error("send -- hello"),
            "send needs at least one addressee: send TO[,TO...] -- TEXT"
        );
        assert_eq!(error("send a,,b -- x"), "empty addressee in \"a,,b\"");
        assert!(
            error("send a topsecret -- x")
                .starts_with("unknown classification \"topsecret\" (one of unclassified, limite")
        );
        assert_eq!(error("send a limite extra -- x"), "unexpected \"extra\" before `--`");
        assert_eq!(error("day"), "day needs a day number, got \"\"");
        assert_eq!(error("play -3"), "play needs a day number, got \"-3\"");
        assert_eq!(error("quit now"), "quit takes no argument (got \"now\")");
    }

    #[test]
    fn events_as_json_lines() {
        let accepted = Event::Accepted {
            cable: "C-1".into(),
            to: vec!["fr-mfa".into()],
        };
        assert_eq!(
            accepted.to_json(),
            r#"{"event":"accepted","cable":"C-1","to":["fr-mfa"]}"#
        );
        assert_eq!(accepted.to_text(), "accepted C-1 (to fr-mfa)");
        let waiting = Event::Waiting {
            cable: "de-mfa-000001".into(),
            for_keys: vec!["council".into(), "fr-mfa".into()],
        };
        assert_eq!(
            waiting.to_json(),
            r#"{"event":"waiting","cable":"de-mfa-000001","for":["council","fr-mfa"]}"#
        );
        assert_eq!(
            waiting.to_text(),
            "waiting de-mfa-000001 (no key yet for council,fr-mfa); sent once known"
        );
        let back: Event = serde_json::from_str(&waiting.to_json()).unwrap();
        assert_eq!(back, waiting);
        let unreachable = Event::Unreachable {
            hub: "127.0.0.1:0".into(),
            reason: "refused".into(),
        };
        assert_eq!(
            unreachable.to_json(),
            r#"{"event":"unreachable","hub":"127.0.0.1:0","reason":"refused"}"#
        );
        let delivered = Event::Delivered {
            cable: "de-mfa-000001".into(),
            from: "de-mfa".into(),
            classification: Classification::Restricted,
            subject: "Hi".into(),
            text: "Hi".into(),
            canary: None,
        };
        assert_eq!(
            delivered.to_json(),
            r#"{"event":"delivered","cable":"de-mfa-000001","from":"de-mfa","classification":"restricted","subject":"Hi","text":"Hi"}"#
        );
        let back: Event = serde_json::from_str(&delivered.to_json()).unwrap();
        assert_eq!(back, delivered);
        let alarm = Event::Alarm(Alarm {
            day: 3,
            node: "hub".into(),
            kind: crate::net::AlarmKind::Replay,
            detail: "again".into(),
            cable: None,
            link: None,
        });
        assert_eq!(
            alarm.to_json(),
            r#"{"event":"alarm","day":3,"node":"hub","kind":"replay","detail":"again"}"#
        );
        assert_eq!(EventFormat::Text.line(&alarm), "ALARM replay at hub: again\n");
        let relayed = Event::Relayed { total: 12 };
        assert_eq!(relayed.to_json(), r#"{"event":"relayed","total":12}"#);
        assert_eq!(relayed.to_text(), "12 cables relayed so far");
        let hostile = Event::Error {
            detail: "x\u{1b}[2Jy\rz".into(),
        };
        assert_eq!(hostile.to_text(), "error: x\\u{1b}[2Jy\\rz");
    }

    #[test]
    fn a_node_wire_costs_cross_as_one_line() {
        let wire = Event::Wire {
            wire: WireCosts {
                envelopes: 1,
                envelope_bytes: 200,
                wraps: 2,
                wrap_bytes: 132,
                handshakes: 1,
                handshake_bytes: 1696,
                tls_group: Some("X25519".into()),
                e2e_agreement: Some("X25519".into()),
            },
        };
        assert_eq!(
            wire.to_json(),
            r#"{"event":"wire","wire":{"envelopes":1,"envelope_bytes":200,"wraps":2,"wrap_bytes":132,"handshakes":1,"handshake_bytes":1696,"tls_group":"X25519","e2e_agreement":"X25519"}}"#
        );
        let back: Event = serde_json::from_str(&wire.to_json()).unwrap();
        assert_eq!(back, wire);
        assert_eq!(
            wire.to_text(),
            "Wire cost: envelopes 200 B on average, 66 B per recipient key (X25519); \
             TLS handshakes 1,696 B each (X25519), 1 handshake."
        );
    }
}
