//! Links: the byte stream between one node and the hub, and its tap point.
//!
//! A link carries whatever the transport puts on it — TLS records under
//! `tls`/`mtls`, raw frames under `plain` — and shows those bytes, in both
//! directions and with the simulated day, to every [`LinkTap`] attached.
//! That is all a wiretap gets; what it can make of them is the analyst's
//! problem, not the link's.
//!
//! Each [`Link`] is one connection: a node that reconnects gets a fresh
//! link, with a fresh [`ConnectionId`], and taps are told when each
//! connection opens and closes, so that a capture can show a reconnection
//! as the new TCP connection it would be on a real network (README.md,
//! "Captures for Wireshark").

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

use super::DayClock;
use crate::model::Day;

/// Which way bytes travel on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// From the node to the hub.
    ToHub,
    /// From the hub to the node.
    ToNode,
}

/// One connection over a node's link, unique within the process: several
/// connections of the same node (retries, reconnections) and their bytes
/// are told apart by it, even when one closes after the next has opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(u64);

impl ConnectionId {
    /// A connection id never handed out before in this process.
    pub fn fresh() -> ConnectionId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        ConnectionId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// Something that sees every byte crossing a link.
///
/// For each connection a tap is told, in this order: [`LinkTap::on_connect`]
/// once, [`LinkTap::on_bytes`] for what crosses it, [`LinkTap::on_close`]
/// once when the node's end is gone. Calls for different connections of
/// one node may interleave (a reconnection opens its link before the old
/// connection has sent its goodbye).
pub trait LinkTap: Send + Sync {
    /// `bytes` crossed `connection` on the link of `node` in `direction`
    /// on `day`.
    fn on_bytes(&self, day: Day, node: &str, connection: ConnectionId, direction: Direction, bytes: &[u8]);

    /// `connection` on the link of `node` opened on `day`. Taps that only
    /// look at bytes ignore it.
    fn on_connect(&self, day: Day, node: &str, connection: ConnectionId) {
        let _ = (day, node, connection);
    }

    /// `connection` on the link of `node` closed on `day`: the node's end
    /// was dropped, so no byte of it follows.
    fn on_close(&self, day: Day, node: &str, connection: ConnectionId) {
        let _ = (day, node, connection);
    }
}

/// A stream that reports what crosses it to the link's taps. It wraps the
/// node's end, so reads are [`Direction::ToNode`] and writes
/// [`Direction::ToHub`]. Dropping it closes its connection for the taps.
pub struct TappedStream<S> {
    inner: S,
    node: Arc<str>,
    connection: ConnectionId,
    clock: DayClock,
    taps: Arc<[Arc<dyn LinkTap>]>,
}

impl<S> TappedStream<S> {
    /// The connection this stream carries.
    pub fn connection(&self) -> ConnectionId {
        self.connection
    }

    fn report(&self, direction: Direction, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let day = self.clock.today();
        for tap in self.taps.iter() {
            tap.on_bytes(day, &self.node, self.connection, direction, bytes);
        }
    }
}

impl<S> Drop for TappedStream<S> {
    fn drop(&mut self) {
        let day = self.clock.today();
        for tap in self.taps.iter() {
            tap.on_close(day, &self.node, self.connection);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for TappedStream<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            let fresh = buf.filled().get(before..).unwrap_or_default();
            self.report(Direction::ToNode, fresh);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for TappedStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = poll {
            self.report(Direction::ToHub, buf.get(..n).unwrap_or_default());
        }
        poll
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Something sitting in the middle of a link, between the node and the
/// hub: an active adversary that can read, alter, drop, inject or replay
/// bytes, or terminate TLS with a certificate of its own.
pub trait Middlebox: Send + Sync + 'static {
    /// Carries one connection until it ends: bytes from the node arrive on
    /// `node_side` and must be written to `hub_side` to reach the hub, and
    /// the other way round.
    fn carry(
        self: Arc<Self>,
        node: String,
        node_side: DuplexStream,
        hub_side: DuplexStream,
    ) -> Pin<Box<dyn Future<Output = ()> + Send>>;

    /// Whether the node's connection must be made again at the start of
    /// `day`, because the middlebox takes over (or leaves) the link then:
    /// a device in the middle sees a connection's handshake only if it is
    /// there when the connection starts.
    fn reconnect_on(&self, day: Day) -> bool {
        let _ = day;
        false
    }
}

/// One in-memory link of an in-process run.
pub struct Link {
    /// The node's end, tapped.
    pub node_end: TappedStream<DuplexStream>,
    /// The hub's end.
    pub hub_end: DuplexStream,
}

/// Bytes buffered in each direction of an in-memory link: enough for a
/// burst of deliveries, small enough that a stalled reader pushes back.
pub const LINK_BUFFER: usize = 256 * 1024;

impl Link {
    /// A fresh link for `node`, shown to `taps`.
    pub fn new(node: &str, clock: DayClock, taps: Vec<Arc<dyn LinkTap>>) -> Link {
        Self::with_middleboxes(node, clock, taps, Vec::new())
    }

    /// A fresh link for `node`, shown to `taps`, with `middleboxes` (if
    /// any) carrying the bytes between the two ends, the first nearest the
    /// node. Taps see the node's side, and are told now that a new
    /// connection opens.
    pub fn with_middleboxes(
        node: &str,
        clock: DayClock,
        taps: Vec<Arc<dyn LinkTap>>,
        middleboxes: Vec<Arc<dyn Middlebox>>,
    ) -> Link {
        let (node_end, mut toward_hub) = tokio::io::duplex(LINK_BUFFER);
        for middlebox in middleboxes {
            let (next_in, next_out) = tokio::io::duplex(LINK_BUFFER);
            tokio::spawn(middlebox.carry(node.to_owned(), toward_hub, next_in));
            toward_hub = next_out;
        }
        let hub_end = toward_hub;
        let connection = ConnectionId::fresh();
        let day = clock.today();
        for tap in &taps {
            tap.on_connect(day, node, connection);
        }
        Link {
            node_end: TappedStream {
                inner: node_end,
                node: Arc::from(node),
                connection,
                clock,
                taps: Arc::from(taps),
            },
            hub_end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[derive(Debug, Clone, PartialEq)]
    enum Seen {
        Connect(Day, String, ConnectionId),
        Bytes(Day, ConnectionId, Direction, Vec<u8>),
        Close(Day, ConnectionId),
    }

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Seen>>);

    impl LinkTap for Recorder {
        fn on_bytes(&self, day: Day, _node: &str, connection: ConnectionId, direction: Direction, bytes: &[u8]) {
            self.0
                .lock()
                .unwrap()
                .push(Seen::Bytes(day, connection, direction, bytes.to_vec()));
        }

        fn on_connect(&self, day: Day, node: &str, connection: ConnectionId) {
            self.0
                .lock()
                .unwrap()
                .push(Seen::Connect(day, node.to_owned(), connection));
        }

        fn on_close(&self, day: Day, _node: &str, connection: ConnectionId) {
            self.0.lock().unwrap().push(Seen::Close(day, connection));
        }
    }

    #[tokio::test]
    async fn taps_see_both_directions_with_the_day() {
        let clock = DayClock::new();
        clock.set(12);
        let recorder = Arc::new(Recorder::default());
        let mut link = Link::new("del-kyiv", clock.clone(), vec![recorder.clone()]);
        let id = link.node_end.connection();
        link.node_end.write_all(b"up").await.unwrap();
        let mut buf = [0u8; 2];
        link.hub_end.read_exact(&mut buf).await.unwrap();
        link.hub_end.write_all(b"down").await.unwrap();
        let mut buf = [0u8; 4];
        link.node_end.read_exact(&mut buf).await.unwrap();
        clock.set(13);
        drop(link);
        let seen = recorder.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                Seen::Connect(12, "del-kyiv".into(), id),
                Seen::Bytes(12, id, Direction::ToHub, b"up".to_vec()),
                Seen::Bytes(12, id, Direction::ToNode, b"down".to_vec()),
                Seen::Close(13, id),
            ]
        );
    }

    #[test]
    fn a_reconnection_is_a_new_connection() {
        let recorder = Arc::new(Recorder::default());
        let first = Link::new("del-kyiv", DayClock::new(), vec![recorder.clone()]);
        let second = Link::new("del-kyiv", DayClock::new(), vec![recorder.clone()]);
        assert_ne!(first.node_end.connection(), second.node_end.connection());
    }
}
