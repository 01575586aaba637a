//! The HTTP side of the live page (README.md, "The live page"): the page,
//! its event stream, the state as JSON and, at the end, the report. It
//! runs on the run's own tokio runtime and reads the feed; only
//! `POST /feed` (other processes reporting, `feed_in.rs`) writes to it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::feed::{LiveFeed, PageGuard};
use super::feed_in::{FEED_LIMIT, accept};
use super::token::Access;

/// The least time between two states sent to one browser: two a second
/// is as fast as a room can follow figures, and bounds the work per
/// browser, which on the laptop that runs the network shares its cores
/// (measured in headless Chromium: each state costs it about 20 ms).
pub const STATE_INTERVAL: Duration = Duration::from_millis(500);

/// A running live-page server; it stops when dropped.
pub struct WebServer {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<()>>,
}

/// Why the live page could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// The address cannot be listened on (in use, not this machine's).
    #[error("--web {addr}: cannot listen there: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The page or the report could not be rendered.
    #[error(transparent)]
    Render(#[from] crate::report::RenderError),
}

#[derive(Clone)]
struct App {
    feed: LiveFeed,
    page: Arc<str>,
    access: Arc<Access>,
}

impl WebServer {
    /// Listens on `addr` (port 0: any free port) and serves `page`, the
    /// rendered live page, and `feed`. Off loopback, every request must
    /// carry the random token of the URL it returns.
    pub async fn start(addr: SocketAddr, page: String, feed: LiveFeed) -> Result<WebServer, WebError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| WebError::Bind { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| WebError::Bind { addr, source })?;
        let access = Access::for_address(bound.ip());
        let url = access.url(bound);
        let app = App {
            feed,
            page: Arc::from(page),
            access: Arc::new(access),
        };
        let router = Router::new()
            .route("/", get(page_handler))
            .route("/events", get(events))
            .route("/state", get(state))
            .route("/report", get(report))
            .route("/feed", post(feed_in).layer(DefaultBodyLimit::max(FEED_LIMIT)))
            .layer(middleware::from_fn_with_state(app.clone(), check_token))
            .with_state(app);
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(cause = %e, "the live page stopped");
            }
        });
        Ok(WebServer {
            url,
            stop: Some(stop),
            served: Some(served),
        })
    }

    /// Stops taking requests and waits, at most `limit`, until the answers
    /// under way are sent. A report being sent is counted as fetched when
    /// its request arrives; a process that left right then would cut it off
    /// and the page would never become the report.
    pub async fn close(mut self, limit: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(served) = self.served.take() {
            let _ = tokio::time::timeout(limit, served).await;
        }
    }

    /// The page's address, token included when one is needed.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Refuses, with 403, any request without the token when one is needed.
async fn check_token(State(app): State<App>, request: Request, next: Next) -> Response {
    if app.access.allows(request.uri().query()) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "live page: request without the token refused");
        (
            StatusCode::FORBIDDEN,
            "403: this page needs the token of the URL cablesim printed\n",
        )
            .into_response()
    }
}

async fn page_handler(State(app): State<App>) -> Html<String> {
    Html(app.page.to_string())
}

async fn state(State(app): State<App>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.feed.state_json().0.to_string(),
    )
        .into_response()
}

async fn report(State(app): State<App>) -> Response {
    match app.feed.report_html() {
        Some(html) => Html(html.to_string()).into_response(),
        None => (StatusCode::NOT_FOUND, "404: the run is not over yet\n").into_response(),
    }
}

/// Events from another process (`?from=NAME` names it): a body larger
/// than [`FEED_LIMIT`] is refused with 413 before it is read whole.
async fn feed_in(
    State(app): State<App>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let from = query.get("from").map(String::as_str).unwrap_or_default();
    accept(&app.feed, from, &body)
}

/// The event stream: the current state at once (a browser that comes
/// late sees where the run stands), then each newer one, at most one per
/// [`STATE_INTERVAL`]. What a browser does not read is not queued: the
/// next state it gets is the latest.
async fn events(State(app): State<App>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let guard = app.feed.page_opened();
    guard.announce();
    let changes = app.feed.watch();
    let stream = futures_util::stream::unfold(
        (app.feed, changes, guard, true, false),
        |(feed, mut changes, mut guard, first, ended): (LiveFeed, _, PageGuard, bool, bool)| async move {
            // After the final state the stream ends: the page has what it
            // needs, and fetches the report.
            if ended {
                return None;
            }
            if !first {
                tokio::time::sleep(STATE_INTERVAL).await;
                changes.changed().await.ok()?;
            }
            changes.borrow_and_update();
            let (json, last) = feed.state_json();
            if last {
                guard.sent_the_final_state();
            }
            let event = Event::default().event("state").data(json.as_ref());
            Some((Ok(event), (feed, changes, guard, false, last)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
