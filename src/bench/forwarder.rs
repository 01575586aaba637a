//! The yardstick for the hub: a bare tokio-rustls fan-out forwarder. One
//! mutual-TLS ingress from the sender, N mutual-TLS egress to the
//! recipients, the network's own certificates and TLS configurations, the
//! same in-memory duplex links — and nothing but byte copies in between:
//! no frame decoding, routing, queues of record, archive or
//! acknowledgements. It moves the very bytes the hub receives with e2e
//! off (the senders' `submit` frames) to every recipient, one task per
//! connection as the hub has. Its recipients decode what they receive
//! with the wire's `FrameReader`, as the hub relay's recipients do, so
//! that the two differ by what happens in the middle (and the hub's
//! acks) only.

use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::BenchError;
use super::cables::{self, SENDER};
use super::hub_relay::{CHUNK, read_into};
use super::options::BenchOptions;
use super::stats::{median_of_rounds, per_second};
use crate::model::Transport;
use crate::net::{LINK_BUFFER, Pki, tls};
use crate::wire::{DEFAULT_MAX_FRAME, Frame, FrameReader};

/// Cables per second through the forwarder (the median of
/// [`BenchOptions::RATE_ROUNDS`], fresh links each), on a runtime with a
/// worker thread per core.
pub(super) fn measure(options: &BenchOptions) -> Result<f64, BenchError> {
    let frames = cables::submit_frames(options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    median_of_rounds(BenchOptions::RATE_ROUNDS, || {
        runtime.block_on(forward_all(options, &frames))
    })
}

async fn forward_all(options: &BenchOptions, frames: &[Vec<u8>]) -> Result<f64, BenchError> {
    let pki = Pki::generate(&cables::network(options.recipients))?;
    let acceptor = TlsAcceptor::from(tls::server_config(&pki, Transport::Mtls, tls::KeyExchange::Classical)?);
    let (sender, ingress) = link(&pki, &acceptor, SENDER).await?;

    let mut queues = Vec::with_capacity(options.recipients);
    let mut readers = Vec::with_capacity(options.recipients);
    for name in cables::recipient_names(options.recipients) {
        let (recipient, egress) = link(&pki, &acceptor, &name).await?;
        let (queue, queued) = mpsc::unbounded_channel();
        queues.push(queue);
        tokio::spawn(write_egress(egress, queued));
        readers.push(tokio::spawn(read_all(recipient, frames.len())));
    }

    let start = Instant::now();
    let forwarder = tokio::spawn(read_ingress(ingress, queues));
    let sending = tokio::spawn(send_frames(sender, frames.to_vec()));
    for reader in readers {
        let got = reader
            .await
            .map_err(|e| BenchError::Incomplete(format!("a recipient task failed: {e}")))??;
        if got != frames.len() {
            return Err(BenchError::Incomplete(format!(
                "a recipient of the forwarder decoded {got} frames of {}",
                frames.len()
            )));
        }
    }
    let elapsed = start.elapsed();
    for task in [forwarder, sending] {
        task.await
            .map_err(|e| BenchError::Incomplete(format!("a forwarder task failed: {e}")))??;
    }
    Ok(per_second(options.cables, elapsed))
}

type ClientEnd = tokio_rustls::client::TlsStream<DuplexStream>;
type ServerEnd = tokio_rustls::server::TlsStream<DuplexStream>;

/// A link of `node` to the forwarder, handshaken with mutual TLS: the
/// node's end and the forwarder's.
async fn link(pki: &Pki, acceptor: &TlsAcceptor, node: &str) -> Result<(ClientEnd, ServerEnd), BenchError> {
    let connector = TlsConnector::from(tls::client_config(
        pki,
        node,
        Transport::Mtls,
        true,
        tls::KeyExchange::Classical,
    )?);
    let (node_end, forwarder_end) = tokio::io::duplex(LINK_BUFFER);
    let (client, mut server) = tokio::try_join!(
        connector.connect(tls::hub_server_name(), node_end),
        acceptor.accept(forwarder_end)
    )?;
    // As the hub's sessions: every write becomes whole records at once.
    server.get_mut().1.set_buffer_limit(None);
    Ok((client, server))
}

/// The sender: every frame its own write, as the nodes write them, then
/// a clean close.
async fn send_frames(mut out: ClientEnd, frames: Vec<Vec<u8>>) -> Result<(), BenchError> {
    for frame in &frames {
        out.write_all(frame).await?;
    }
    out.flush().await?;
    out.shutdown().await?;
    Ok(())
}

/// The forwarder's ingress: whatever arrives is copied once into a shared
/// buffer and queued for every egress.
async fn read_ingress<R: AsyncRead + Unpin>(
    mut ingress: R,
    queues: Vec<mpsc::UnboundedSender<Arc<[u8]>>>,
) -> Result<(), BenchError> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = ingress.read(&mut buf).await?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            return Ok(());
        };
        let chunk: Arc<[u8]> = Arc::from(chunk);
        for queue in &queues {
            // A recipient gone is the bench failing, which its reader reports.
            let _ = queue.send(chunk.clone());
        }
    }
}

/// One egress: writes what is queued, flushing when the queue is empty
/// (as the hub's writer does), and closes when the ingress ends.
async fn write_egress<W: AsyncWrite + Unpin>(
    mut egress: W,
    mut queued: mpsc::UnboundedReceiver<Arc<[u8]>>,
) -> Result<(), BenchError> {
    while let Some(chunk) = queued.recv().await {
        egress.write_all(&chunk).await?;
        while let Ok(chunk) = queued.try_recv() {
            egress.write_all(&chunk).await?;
        }
        egress.flush().await?;
    }
    egress.shutdown().await?;
    Ok(())
}

/// A recipient: decodes what arrives with the wire's [`FrameReader`], as
/// the hub relay's recipients do (without their acks: the forwarder speaks
/// no protocol), until `cables` frames are in or the stream ends.
async fn read_all<R: AsyncRead + Unpin>(mut stream: R, cables: usize) -> Result<usize, BenchError> {
    let mut frames = FrameReader::new(DEFAULT_MAX_FRAME);
    let mut buf = vec![0u8; CHUNK];
    let mut got = 0;
    while got < cables && read_into(&mut stream, &mut frames, &mut buf).await? {
        while let Some(frame) = frames.next_frame()? {
            match frame {
                Frame::Submit { .. } => got += 1,
                other => {
                    return Err(BenchError::Incomplete(format!(
                        "a recipient of the forwarder got a {} frame",
                        other.kind()
                    )));
                }
            }
        }
    }
    Ok(got)
}
