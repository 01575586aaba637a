//! The yardsticks for the hub: bare tokio-rustls fan-out forwarders. One
//! mutual-TLS ingress from the sender, N mutual-TLS egress to the
//! recipients, the network's own certificates and TLS configurations, the
//! same in-memory duplex links — and nothing but byte copies in between:
//! no frame decoding, routing, queues of record, archive or
//! acknowledgements. They move the very bytes the hub receives with e2e
//! off (the senders' `submit` frames) to every recipient, one task per
//! connection as the hub has. Their recipients decode what they receive
//! with the wire's `FrameReader`, as the hub relay's recipients do, so
//! that a forwarder and the hub differ by what happens in the middle (and
//! the hub's acks) only.
//!
//! Two forwarders, by how they cut the bytes into TLS records
//! ([`Records`]): one writes whatever a read brought at once, so several
//! frames share a 16 KiB record; the other writes every frame as its own
//! record through the hub's own writer, as the hub must (a tap's count of
//! records is then a property of the traffic, not of the scheduler). The
//! first is the reference for what bytes alone cost; the second is the
//! fair yardstick, doing the record work the hub does.

use std::sync::Arc;
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::BenchError;
use super::cables::{self, SENDER};
use super::hub_relay::{CHUNK, read_into};
use super::options::BenchOptions;
use super::stats::per_second;
use crate::model::Transport;
use crate::net::{FramedError, LINK_BUFFER, Outgoing, Pki, tls, write_frames};
use crate::wire::{DEFAULT_MAX_FRAME, Frame, FrameReader, LENGTH_PREFIX};

/// How a forwarder cuts what it forwards into TLS records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Records {
    /// Whatever one read of the ingress brought is one write to every
    /// egress: frames share records of up to 16 KiB. Fewer, fuller records
    /// than the hub may write: the reference for what the bytes alone cost.
    Coalescing,
    /// Every frame is its own write through the hub's own writer
    /// ([`write_frames`], flushing once its queue is drained), so every
    /// frame becomes its own record(s), exactly as the hub writes its
    /// deliveries. Finding a frame's end takes its 4-byte length prefix,
    /// not a decoding.
    PerFrame,
}

/// One round through a forwarder.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Forwarded {
    /// Cables per second.
    pub(super) rate: f64,
    /// The frames each recipient decoded, in the order of the recipients.
    decoded: Vec<usize>,
}

pub(super) async fn forward_all(
    options: &BenchOptions,
    frames: &[Vec<u8>],
    records: Records,
) -> Result<Forwarded, BenchError> {
    let pki = Pki::generate(&cables::network(options.recipients))?;
    let acceptor = TlsAcceptor::from(tls::server_config(&pki, Transport::Mtls, tls::KeyExchange::Classical)?);
    let (sender, ingress) = link(&pki, &acceptor, SENDER).await?;

    let mut queues = Vec::with_capacity(options.recipients);
    let mut readers = Vec::with_capacity(options.recipients);
    for name in cables::recipient_names(options.recipients) {
        let (recipient, egress) = link(&pki, &acceptor, &name).await?;
        let (queue, queued) = mpsc::unbounded_channel();
        queues.push(queue);
        match records {
            Records::Coalescing => drop(tokio::spawn(write_egress(egress, queued))),
            Records::PerFrame => drop(tokio::spawn(write_frames(egress, queued, DEFAULT_MAX_FRAME))),
        }
        readers.push(tokio::spawn(read_all(recipient, frames.len())));
    }

    let start = Instant::now();
    let forwarder = match records {
        Records::Coalescing => tokio::spawn(read_ingress(ingress, queues)),
        Records::PerFrame => tokio::spawn(read_ingress_frames(ingress, queues)),
    };
    let sending = tokio::spawn(send_frames(sender, frames.to_vec()));
    let mut decoded = Vec::with_capacity(readers.len());
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
        decoded.push(got);
    }
    let elapsed = start.elapsed();
    for task in [forwarder, sending] {
        task.await
            .map_err(|e| BenchError::Incomplete(format!("a forwarder task failed: {e}")))??;
    }
    Ok(Forwarded {
        rate: per_second(options.cables, elapsed),
        decoded,
    })
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

/// The coalescing forwarder's ingress: whatever arrives is copied once
/// into a shared buffer and queued for every egress.
async fn read_ingress<R: AsyncRead + Unpin>(mut ingress: R, queues: Vec<Queue>) -> Result<(), BenchError> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = ingress.read(&mut buf).await?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            return Ok(());
        };
        let chunk = Outgoing::Encoded(Arc::from(chunk));
        for queue in &queues {
            // A recipient gone is the bench failing, which its reader reports.
            let _ = queue.send(chunk.clone());
        }
    }
}

/// The per-frame forwarder's ingress: whatever arrives is cut at frame
/// ends (by the length prefixes alone), and each whole frame is copied
/// once into a shared buffer and queued for every egress, as the hub
/// queues one encoded delivery for every recipient.
async fn read_ingress_frames<R: AsyncRead + Unpin>(mut ingress: R, queues: Vec<Queue>) -> Result<(), BenchError> {
    let mut buf = vec![0u8; CHUNK];
    let mut pending = Vec::with_capacity(CHUNK);
    loop {
        let n = ingress.read(&mut buf).await?;
        let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
            return if pending.is_empty() {
                Ok(())
            } else {
                Err(BenchError::Incomplete(format!(
                    "the forwarder's ingress closed inside a frame ({} bytes pending)",
                    pending.len()
                )))
            };
        };
        pending.extend_from_slice(chunk);
        let mut start = 0;
        while let Some(end) = frame_end(pending.get(start..).unwrap_or_default()) {
            let frame = pending.get(start..start + end).unwrap_or_default();
            let frame = Outgoing::Encoded(Arc::from(frame));
            for queue in &queues {
                // A recipient gone is the bench failing, which its reader reports.
                let _ = queue.send(frame.clone());
            }
            start += end;
        }
        pending.drain(..start);
    }
}

/// The length of the whole frame (prefix included) at the start of
/// `bytes`, if all of it is there.
fn frame_end(bytes: &[u8]) -> Option<usize> {
    let prefix: [u8; LENGTH_PREFIX] = bytes.get(..LENGTH_PREFIX)?.try_into().ok()?;
    let total = usize::try_from(u32::from_be_bytes(prefix))
        .ok()?
        .checked_add(LENGTH_PREFIX)?;
    (bytes.len() >= total).then_some(total)
}

/// A queue of bytes for one egress.
type Queue = mpsc::UnboundedSender<Outgoing>;

/// One coalescing egress: writes what is queued, flushing when the queue
/// is empty (as the hub's writer does), and closes when the ingress ends.
async fn write_egress<W: AsyncWrite + Unpin>(
    mut egress: W,
    mut queued: mpsc::UnboundedReceiver<Outgoing>,
) -> Result<(), FramedError> {
    while let Some(chunk) = queued.recv().await {
        write_chunk(&mut egress, chunk).await?;
        while let Ok(chunk) = queued.try_recv() {
            write_chunk(&mut egress, chunk).await?;
        }
        egress.flush().await?;
    }
    egress.shutdown().await?;
    Ok(())
}

async fn write_chunk<W: AsyncWrite + Unpin>(egress: &mut W, chunk: Outgoing) -> Result<(), FramedError> {
    match chunk {
        Outgoing::Encoded(bytes) => egress.write_all(&bytes).await?,
        // The ingress queues bytes only.
        Outgoing::Frame(frame) => {
            egress
                .write_all(&crate::wire::encode_frame(&frame, DEFAULT_MAX_FRAME)?)
                .await?
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_ends_where_its_length_prefix_says() {
        let frame = crate::wire::encode_frame(
            &Frame::Ack {
                cable: "C-000001".to_owned(),
            },
            DEFAULT_MAX_FRAME,
        )
        .unwrap();
        let mut two = frame.clone();
        two.extend(&frame);
        assert_eq!(frame_end(&two), Some(frame.len()));
        assert_eq!(frame_end(&frame), Some(frame.len()));
        // Cut anywhere inside, the frame is not whole yet.
        for cut in 0..frame.len() {
            assert_eq!(frame_end(&frame[..cut]), None, "{cut}");
        }
    }

    #[test]
    fn both_forwarders_bring_every_frame_to_every_recipient() {
        let options = BenchOptions::new(3, 200, 10).unwrap();
        let frames = cables::submit_frames(&options).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        for records in [Records::Coalescing, Records::PerFrame] {
            let round = runtime.block_on(forward_all(&options, &frames, records)).unwrap();
            assert_eq!(round.decoded, [10, 10, 10], "{records:?}");
            assert!(round.rate.is_finite(), "{records:?}: {round:?}");
        }
    }

    #[test]
    fn fail_an_ingress_that_closes_inside_a_frame() {
        let frame = cables::submit_frames(&BenchOptions::new(1, 100, 1).unwrap())
            .unwrap()
            .remove(0);
        let cut = &frame[..frame.len() - 1];
        let (queue, mut queued) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let e = runtime.block_on(read_ingress_frames(cut, vec![queue])).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "the forwarder's ingress closed inside a frame ({} bytes pending)",
                frame.len() - 1
            )
        );
        assert!(queued.try_recv().is_err(), "no part of a frame is forwarded");
    }

    #[test]
    fn the_per_frame_ingress_queues_whole_frames_however_they_arrive() {
        let frames = cables::submit_frames(&BenchOptions::new(1, 100, 3).unwrap()).unwrap();
        let stream = frames.concat();
        let (queue, mut queued) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            // A link of seven bytes: frame ends fall inside reads.
            let (mut writer, reader) = tokio::io::duplex(7);
            let writing = async {
                writer.write_all(&stream).await.unwrap();
                drop(writer);
            };
            let (_, read) = tokio::join!(writing, read_ingress_frames(reader, vec![queue]));
            read.unwrap();
        });
        for frame in &frames {
            match queued.try_recv().unwrap() {
                Outgoing::Encoded(bytes) => assert_eq!(&bytes[..], &frame[..]),
                Outgoing::Frame(other) => panic!("queued a frame to encode: {other:?}"),
            }
        }
        assert!(queued.try_recv().is_err());
    }
}
