//! Frames over any byte stream: a reader that turns bytes into frames with
//! the wire decoder, and a writer task fed by a channel, so that no session
//! ever blocks reading while it waits to write (or the other way round).

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::wire::{Frame, FrameReader, WireError, encode_frame};

/// Why a framed stream stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FramedError {
    /// The peer sent bytes that are not a frame.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The transport failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// Reads frames from the read half of a stream.
pub struct FrameSource<R> {
    io: R,
    reader: FrameReader,
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameSource<R> {
    /// Reads frames of at most `max_frame` bytes from `io`.
    pub fn new(io: R, max_frame: usize) -> Self {
        FrameSource {
            io,
            reader: FrameReader::new(max_frame),
            buf: vec![0; 16 * 1024],
        }
    }

    /// The next frame, or `None` when the peer closed the stream cleanly
    /// between frames.
    pub async fn next(&mut self) -> Result<Option<Frame>, FramedError> {
        loop {
            if let Some(frame) = self.reader.next_frame()? {
                return Ok(Some(frame));
            }
            let n = self.io.read(&mut self.buf).await?;
            if n == 0 {
                if self.reader.buffered() > 0 {
                    return Err(FramedError::Io(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!(
                            "stream closed inside a frame ({} bytes pending)",
                            self.reader.buffered()
                        ),
                    )));
                }
                return Ok(None);
            }
            self.reader.push(self.buf.get(..n).unwrap_or_default());
        }
    }
}

/// A frame waiting to be written: built for this peer, or already encoded
/// once and shared by every recipient of a relayed cable.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A frame to encode.
    Frame(Frame),
    /// The bytes of an encoded frame, length prefix included.
    Encoded(Arc<[u8]>),
}

/// Sends frames to a writer task. Cloneable: the hub's router and the
/// session itself both queue frames for the same peer.
pub type FrameSender = mpsc::UnboundedSender<Outgoing>;

async fn write_one<W: AsyncWrite + Unpin>(io: &mut W, outgoing: Outgoing, max_frame: usize) -> Result<(), FramedError> {
    match outgoing {
        Outgoing::Frame(frame) => io.write_all(&encode_frame(&frame, max_frame)?).await?,
        Outgoing::Encoded(bytes) => io.write_all(&bytes).await?,
    }
    Ok(())
}

/// Frames written between two flushes at most: enough to batch socket
/// writes, few enough that a writer kept busy by a fast producer still
/// flushes, so what sits in a TLS layer's buffer stays bounded.
const BATCH: usize = 256;

/// Runs until every [`FrameSender`] is dropped or the stream fails:
/// encodes each queued frame and writes it, then shuts the stream down.
pub async fn write_frames<W: AsyncWrite + Unpin>(
    mut io: W,
    mut queue: mpsc::UnboundedReceiver<Outgoing>,
    max_frame: usize,
) -> Result<(), FramedError> {
    while let Some(outgoing) = queue.recv().await {
        write_batch(&mut io, outgoing, || queue.try_recv().ok(), max_frame).await?;
    }
    io.shutdown().await?;
    Ok(())
}

/// Writes `first` and then whatever `more` has ready, up to [`BATCH`]
/// frames, and flushes once. Each frame is its own write, so under TLS
/// each frame becomes its own record(s) whatever the timing: what a tap
/// counts is then a property of the traffic, not of the scheduler.
/// Flushing once the queue is drained (or a batch is written) still
/// batches the socket writes.
async fn write_batch<W: AsyncWrite + Unpin>(
    io: &mut W,
    first: Outgoing,
    mut more: impl FnMut() -> Option<Outgoing>,
    max_frame: usize,
) -> Result<(), FramedError> {
    write_one(io, first, max_frame).await?;
    for _ in 1..BATCH {
        let Some(outgoing) = more() else { break };
        write_one(io, outgoing, max_frame).await?;
    }
    io.flush().await?;
    Ok(())
}

/// Sends a hub session's replies to its node (acknowledgements, answers,
/// refusals): a bounded queue, so that a session whose node does not read
/// waits for room instead of buffering without end.
pub(crate) type ReplySender = mpsc::Sender<Outgoing>;

/// The writer of a hub session: like [`write_frames`], fed by two queues,
/// the session's replies (bounded, see [`ReplySender`]) and the deliveries
/// the hub's router pushes (unbounded, but never more than the delivery
/// window holds). Replies go first: they are small and answer what the
/// node is waiting on. Runs until both queues are closed or the stream
/// fails, then shuts the stream down.
pub(crate) async fn write_session<W: AsyncWrite + Unpin>(
    mut io: W,
    mut replies: mpsc::Receiver<Outgoing>,
    mut deliveries: mpsc::UnboundedReceiver<Outgoing>,
    max_frame: usize,
) -> Result<(), FramedError> {
    let (mut replies_open, mut deliveries_open) = (true, true);
    while replies_open || deliveries_open {
        let next = tokio::select! {
            biased;
            reply = replies.recv(), if replies_open => {
                replies_open = reply.is_some();
                reply
            }
            delivery = deliveries.recv(), if deliveries_open => {
                deliveries_open = delivery.is_some();
                delivery
            }
        };
        let Some(outgoing) = next else { continue };
        let more = || replies.try_recv().or_else(|_| deliveries.try_recv()).ok();
        write_batch(&mut io, outgoing, more, max_frame).await?;
    }
    io.shutdown().await?;
    Ok(())
}
