//! `POST /feed`: what other processes report to this page (a proxy given
//! `--report-to`), as the JSON lines of events they print
//! (`multiprocess::control::Event`). A body is taken whole or not at all:
//! one bad line refuses it with its line number, and the board is left as
//! it was.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::feed::LiveFeed;
use super::from_events::board_from_event;
use crate::multiprocess::control::Event;

/// The largest body `POST /feed` takes: a proxy's final report, with its
/// cable ids, is tens of kilobytes in a large run.
pub const FEED_LIMIT: usize = 1024 * 1024;

/// Why a body was refused: its first bad line (counted from 1) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct FeedError {
    /// The line.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// The events of a body, one JSON object a line; blank lines are skipped.
pub fn parse_feed(body: &[u8]) -> Result<Vec<Event>, FeedError> {
    let mut events = Vec::new();
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let event = serde_json::from_slice::<Event>(line).map_err(|e| FeedError {
            line: i + 1,
            reason: e.to_string(),
        })?;
        events.push(event);
    }
    Ok(events)
}

/// Applies a body from `from` (the reporting process's name) to the feed:
/// 204 when every line was an event, 400 naming the first bad line.
pub(super) fn accept(feed: &LiveFeed, from: &str, body: &[u8]) -> Response {
    match parse_feed(body) {
        Ok(events) => {
            feed.update(|board| {
                for event in &events {
                    board_from_event(board, from, event);
                }
            });
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => {
            tracing::warn!(from = %from, cause = %e, "live page: a feed refused");
            (StatusCode::BAD_REQUEST, format!("400: {e}\n")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_events() {
        let body = b"{\"event\":\"day\",\"day\":2,\"rotated\":false}\r\n\n  \n{\"event\":\"bye\"}";
        assert_eq!(
            parse_feed(body).unwrap(),
            [Event::Day { day: 2, rotated: false }, Event::Bye]
        );
        assert_eq!(parse_feed(b"").unwrap(), []);
    }

    #[test]
    fn fail_on_the_first_bad_line() {
        let body = b"{\"event\":\"bye\"}\n\n{\"event\":\"dance\"}\nnot json\n";
        let e = parse_feed(body).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.starts_with("unknown variant `dance`"), "{}", e.reason);
        assert_eq!(parse_feed(b"{\"event\":\"day\"}").unwrap_err().line, 1);
        let e = parse_feed(b"{\"event\":\"bye\"}\n\xff\xfe").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("line 2: "), "{e}");
    }
}
