//! `--report-to URL`: a proxy's events, posted as they are printed to the
//! live page of a hub (`cablesim hub --web`), so that the room sees every
//! proxy's haul on one page. The page is a nicety: a post that fails is a
//! warning in the log, and never stops or slows the proxy.

use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, Uri, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::control::Event;

/// How long one post may take, connection included.
pub const POST_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a leaving proxy waits for its last posts (its report).
pub const FINISH_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of an error answer kept for the log.
const ANSWER_LIMIT: usize = 4096;

/// Where the events go: the page's `/feed`, with its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTo {
    /// `HOST:PORT`, to connect to and to name in `Host`.
    authority: String,
    /// `/feed?token=...&from=NAME`.
    target: String,
}

impl ReportTo {
    /// The feed of the page at `url` (as `cablesim hub --web` printed it,
    /// token included), for the process named `from`.
    pub fn parse(url: &str, from: &str) -> Result<ReportTo, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("--report-to {url:?}: not a URL ({e})"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "--report-to {url:?}: only http:// URLs (the live page's own, as the hub printed it)"
            ));
        }
        let Some(authority) = uri.authority() else {
            return Err(format!("--report-to {url:?}: no host"));
        };
        let authority = match authority.port_u16() {
            Some(_) => authority.to_string(),
            None => format!("{}:80", authority.host()),
        };
        let path = uri.path().trim_end_matches('/');
        let mut target = format!("{path}/feed?");
        if let Some(query) = uri.query().filter(|q| !q.is_empty()) {
            target.push_str(query);
            target.push('&');
        }
        target.push_str("from=");
        target.push_str(from);
        target
            .parse::<Uri>()
            .map_err(|e| format!("--report-to {url:?} for {from:?}: not a usable address ({e})"))?;
        Ok(ReportTo { authority, target })
    }

    /// The request target (`/feed?...`).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Posts `body` (JSON lines) once; the error says why it was not taken.
    pub async fn post(&self, body: String) -> Result<(), String> {
        tokio::time::timeout(POST_TIMEOUT, self.post_now(body))
            .await
            .map_err(|_| format!("no answer within {POST_TIMEOUT:?}"))?
    }

    async fn post_now(&self, body: String) -> Result<(), String> {
        let stream = TcpStream::connect(&self.authority)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.authority))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        // The connection does the I/O; it ends when the sender is dropped.
        let driving = tokio::spawn(connection);
        let request = Request::post(&self.target)
            .header(header::HOST, &self.authority)
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let answer = sender.send_request(request).await.map_err(|e| e.to_string());
        let result = match answer {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => {
                let status = response.status();
                let text = match Limited::new(response.into_body(), ANSWER_LIMIT).collect().await {
                    Ok(body) => String::from_utf8_lossy(&body.to_bytes()).trim().to_owned(),
                    Err(_) => String::new(),
                };
                Err(format!("the page answered {status}: {text}"))
            }
            Err(e) => Err(e),
        };
        drop(sender);
        driving.abort();
        result
    }
}

/// Posts events in the background, in order, batching those that come
/// together.
pub struct Reporter {
    events: mpsc::UnboundedSender<Event>,
    task: JoinHandle<()>,
}

impl Reporter {
    /// Starts posting to `to` (inside a tokio runtime).
    pub fn start(to: ReportTo) -> Reporter {
        let (events, mut rx) = mpsc::unbounded_channel::<Event>();
        let task = tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                let mut body = event.to_json();
                body.push('\n');
                while let Ok(more) = rx.try_recv() {
                    body.push_str(&more.to_json());
                    body.push('\n');
                }
                if let Err(e) = to.post(body).await {
                    tracing::warn!(to = %to.authority, cause = %e, "could not report to the live page");
                }
            }
        });
        Reporter { events, task }
    }

    /// Queues `event` for the page.
    pub fn send(&self, event: &Event) {
        let _ = self.events.send(event.clone());
    }

    /// Waits (at most [`FINISH_TIMEOUT`]) until everything queued was
    /// posted or given up on.
    pub async fn finish(self) {
        drop(self.events);
        let mut task = self.task;
        if tokio::time::timeout(FINISH_TIMEOUT, &mut task).await.is_err() {
            tracing::warn!("the live page did not take the last events in time");
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_of_a_page_url() {
        let to = ReportTo::parse("http://192.0.2.7:8080/?token=abc123", "tap@at-mfa").unwrap();
        assert_eq!(to.authority, "192.0.2.7:8080");
        assert_eq!(to.target(), "/feed?token=abc123&from=tap@at-mfa");
        let to = ReportTo::parse("http://hub.local/", "mitm@be-mfa").unwrap();
        assert_eq!(to.authority, "hub.local:80");
        assert_eq!(to.target(), "/feed?from=mitm@be-mfa");
        let to = ReportTo::parse("http://127.0.0.1:9", "x").unwrap();
        assert_eq!(to.target(), "/feed?from=x");
    }

    #[test]
    fn fail_on_what_is_not_a_page_url() {
        assert!(
            ReportTo::parse("https://192.0.2.7:8080/", "x")
                .unwrap_err()
                .contains("only http:// URLs")
        );
        assert!(
            ReportTo::parse("192.0.2.7:8080", "x")
                .unwrap_err()
                .contains("only http:// URLs")
        );
        assert!(ReportTo::parse("http://[::1", "x").unwrap_err().contains("not a URL"));
        assert!(
            ReportTo::parse("http://h:1/", "a b")
                .unwrap_err()
                .contains("not a usable address")
        );
    }

    #[tokio::test]
    async fn fail_to_post_where_nothing_listens() {
        // A port just freed: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let to = ReportTo::parse(&format!("http://{addr}/"), "x").unwrap();
        let e = to.post("{}\n".into()).await.unwrap_err();
        assert!(e.starts_with(&format!("cannot connect to {addr}: ")), "{e}");
    }
}
