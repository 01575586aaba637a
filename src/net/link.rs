//! Links: the byte stream between one node and the hub, and its tap point.
//!
//! A link carries whatever the transport puts on it — TLS records under
//! `tls`/`mtls`, raw frames under `plain` — and shows those bytes, in both
//! directions and with the simulated day, to every [`LinkTap`] attached.
//! That is all a wiretap gets; what it can make of them is the analyst's
//! problem, not the link's.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
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

/// Something that sees every byte crossing a link.
pub trait LinkTap: Send + Sync {
    /// `bytes` crossed the link of `node` in `direction` on `day`.
    fn on_bytes(&self, day: Day, node: &str, direction: Direction, bytes: &[u8]);
}

/// A stream that reports what crosses it to the link's taps. It wraps the
/// node's end, so reads are [`Direction::ToNode`] and writes
/// [`Direction::ToHub`].
pub struct TappedStream<S> {
    inner: S,
    node: Arc<str>,
    clock: DayClock,
    taps: Arc<[Arc<dyn LinkTap>]>,
}

impl<S> TappedStream<S> {
    fn report(&self, direction: Direction, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let day = self.clock.today();
        for tap in self.taps.iter() {
            tap.on_bytes(day, &self.node, direction, bytes);
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
    /// node. Taps see the node's side.
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
        Link {
            node_end: TappedStream {
                inner: node_end,
                node: Arc::from(node),
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

    type Seen = (Day, String, Direction, Vec<u8>);

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Seen>>);

    impl LinkTap for Recorder {
        fn on_bytes(&self, day: Day, node: &str, direction: Direction, bytes: &[u8]) {
            self.0
                .lock()
                .unwrap()
                .push((day, node.to_owned(), direction, bytes.to_vec()));
        }
    }

    #[tokio::test]
    async fn taps_see_both_directions_with_the_day() {
        let clock = DayClock::new();
        clock.set(12);
        let recorder = Arc::new(Recorder::default());
        let mut link = Link::new("del-kyiv", clock, vec![recorder.clone()]);
        link.node_end.write_all(b"up").await.unwrap();
        let mut buf = [0u8; 2];
        link.hub_end.read_exact(&mut buf).await.unwrap();
        link.hub_end.write_all(b"down").await.unwrap();
        let mut buf = [0u8; 4];
        link.node_end.read_exact(&mut buf).await.unwrap();
        let seen = recorder.0.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                (12, "del-kyiv".into(), Direction::ToHub, b"up".to_vec()),
                (12, "del-kyiv".into(), Direction::ToNode, b"down".to_vec()),
            ]
        );
    }
}
