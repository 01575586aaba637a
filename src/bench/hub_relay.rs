//! The hub alone, for `hub_vs_forwarder`: the library's [`Hub`], started
//! as [`InProcessNetwork`](crate::scenario::InProcessNetwork) starts it
//! (mutual TLS with the network's own certificates, one `serve_link` task
//! per in-memory duplex link), driven by protocol endpoints that do no more
//! than the forwarder's recipients do:
//!
//! - the sender is an mTLS client that opens as a node does
//!   (`net::node::connection::establish`: hello, publish, directory
//!   request, then the hub's answer), writes the pre-encoded `submit`
//!   frames of the e2e-off cables — the very bytes the forwarder carries —
//!   and reads the hub's acks;
//! - each recipient is an mTLS client that opens the same way, decodes what
//!   arrives with the wire's [`FrameReader`] and answers every `deliver`
//!   with the `ack` the protocol requires.
//!
//! No node runtime, store or envelope runs: beyond the forwarder's byte
//! copies, what is timed is the hub's own work (decoding, checking,
//! routing, queueing, archiving, encoding the deliveries, taking the acks)
//! and the acks the protocol adds. The clock runs from the first submit
//! until every recipient holds every cable and the hub holds no
//! unacknowledged delivery.

use std::time::Instant;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;

use super::BenchError;
use super::cables::{self, DAY, SENDER};
use super::options::BenchOptions;
use super::pipeline::{self, Crypto};
use super::stats::per_second;
use crate::crypto::{KeyAgreement, NodeKeys};
use crate::model::{SecurityConfig, Transport};
use crate::net::{Alarms, DayClock, Hub, HubConfig, HubLimits, HubStore, LINK_BUFFER, MemoryHubStore, Pki, tls};
use crate::scenario::HANDSHAKE_TIMEOUT;
use crate::wire::{DEFAULT_MAX_FRAME, Frame, FrameReader, PROTOCOL_VERSION, encode_frame};

/// Bytes read from a link at once, by these endpoints and the forwarder's.
pub(super) const CHUNK: usize = 64 * 1024;

/// Reads what `io` has now into `frames`: the endpoint work every bench
/// recipient does, here and in the forwarder. `false` when the peer has
/// closed the stream.
pub(super) async fn read_into<R: AsyncRead + Unpin>(
    io: &mut R,
    frames: &mut FrameReader,
    buf: &mut [u8],
) -> Result<bool, BenchError> {
    let n = io.read(buf).await?;
    frames.push(buf.get(..n).unwrap_or_default());
    Ok(n > 0)
}

type ClientEnd = tokio_rustls::client::TlsStream<DuplexStream>;

/// A node's end of its link once the hub has answered its opening.
struct Endpoint {
    stream: ClientEnd,
    /// Holds whatever arrived after the directory answer.
    frames: FrameReader,
}

/// One round through a fresh hub keeping its queues in memory: cables per
/// second.
pub(super) async fn relay_all(options: &BenchOptions, submits: &[Vec<u8>]) -> Result<f64, BenchError> {
    relay_through(options, submits, Box::new(MemoryHubStore::new())).await
}

/// One round through a fresh hub keeping its queues in `store`.
pub(super) async fn relay_through(
    options: &BenchOptions,
    submits: &[Vec<u8>],
    store: Box<dyn HubStore>,
) -> Result<f64, BenchError> {
    let network = cables::network(options.recipients);
    let pki = Pki::generate(&network)?;
    let security = pipeline::security(Crypto::HopOnly);
    let alarms = Alarms::new();
    let hub = Hub::with_store(
        HubConfig {
            network,
            security: security.clone(),
            tls: Some(tls::server_config(&pki, Transport::Mtls, tls::KeyExchange::Classical)?),
            max_frame: DEFAULT_MAX_FRAME,
            handshake_timeout: HANDSHAKE_TIMEOUT,
            limits: HubLimits::default(),
        },
        DayClock::new(),
        alarms.clone(),
        Vec::new(),
        store,
    )?;
    hub.enter_day(DAY);

    let mut serving = Vec::with_capacity(options.recipients + 1);
    let sender = join(&hub, &pki, &security, SENDER, &mut serving).await?;
    let mut receiving = Vec::with_capacity(options.recipients);
    for name in cables::recipient_names(options.recipients) {
        let recipient = join(&hub, &pki, &security, &name, &mut serving).await?;
        receiving.push(tokio::spawn(receive_all(recipient, options.cables)));
    }

    let start = Instant::now();
    let sending = tokio::spawn(submit_all(sender, submits.to_vec()));
    // The sender first: a refused submit ends the round with the hub's
    // reason instead of leaving the recipients waiting for it.
    let mut links = vec![finished(sending).await?];
    for recipient in receiving {
        links.push(finished(recipient).await?);
    }
    // Every cable is in every inbox, so every delivery has been queued;
    // idle now means every one of them is acknowledged.
    hub.wait_idle().await;
    let elapsed = start.elapsed();

    let relayed = hub.relayed();
    if relayed != options.cables as u64 {
        return Err(BenchError::Incomplete(format!(
            "the hub relayed {relayed} cables of {}",
            options.cables
        )));
    }
    let raised = alarms.sorted();
    if let Some(alarm) = raised.first() {
        return Err(BenchError::Incomplete(format!(
            "the hub raised {} alarms, the first: {}: {}",
            raised.len(),
            alarm.kind,
            alarm.detail
        )));
    }
    // A clean close (close_notify), so that every session ends as a node's
    // does, and no task outlives its round.
    for link in &mut links {
        link.shutdown().await?;
    }
    for session in serving {
        session
            .await
            .map_err(|e| BenchError::Incomplete(format!("a hub session failed: {e}")))?;
    }
    Ok(per_second(options.cables, elapsed))
}

/// What a spawned endpoint returned, or why it did not.
async fn finished(task: JoinHandle<Result<ClientEnd, BenchError>>) -> Result<ClientEnd, BenchError> {
    task.await
        .map_err(|e| BenchError::Incomplete(format!("an endpoint task failed: {e}")))?
}

/// Connects `node` to the hub over a fresh in-memory link with mutual TLS
/// and opens as a node does: hello, its directory entry, a directory
/// request; the hub answers the request only once it has admitted the
/// hello and taken the entry. The hub's side of the link is served by a
/// task pushed onto `serving`.
async fn join(
    hub: &Hub,
    pki: &Pki,
    security: &SecurityConfig,
    node: &str,
    serving: &mut Vec<JoinHandle<()>>,
) -> Result<Endpoint, BenchError> {
    let (node_end, hub_end) = tokio::io::duplex(LINK_BUFFER);
    let (session, link) = (hub.clone(), node.to_owned());
    serving.push(tokio::spawn(async move { session.serve_link(hub_end, &link).await }));

    let connector = TlsConnector::from(tls::client_config(
        pki,
        node,
        Transport::Mtls,
        true,
        tls::KeyExchange::Classical,
    )?);
    let mut stream = connector.connect(tls::hub_server_name(), node_end).await?;
    // As a node's connection: every write becomes whole records at once.
    stream.get_mut().1.set_buffer_limit(None);

    let identity = pki
        .credentials(node)
        .ok_or_else(|| BenchError::Incomplete(format!("no certificate for {node}")))?
        .identity
        .clone();
    let agreement = KeyAgreement::hybrid_if(security.post_quantum.end_to_end());
    let entry =
        NodeKeys::with_agreement(node, security.e2e, security.epoch_days, 1, agreement, identity, None).publish();
    let mut opening = Vec::new();
    for frame in [
        Frame::Hello {
            node: node.to_owned(),
            protocol: PROTOCOL_VERSION,
        },
        Frame::Publish { entry },
        Frame::DirectoryRequest {
            nodes: vec![node.to_owned()],
        },
    ] {
        opening.extend(encode_frame(&frame, DEFAULT_MAX_FRAME)?);
    }
    stream.write_all(&opening).await?;
    stream.flush().await?;

    let mut frames = FrameReader::new(DEFAULT_MAX_FRAME);
    let mut buf = vec![0; CHUNK];
    // The first frame back is the answer; anything else (a refusal) ends
    // the bench.
    loop {
        if let Some(frame) = frames.next_frame()? {
            return match frame {
                Frame::DirectoryAnswer { .. } => Ok(Endpoint { stream, frames }),
                other => Err(unexpected(node, &other)),
            };
        }
        if !read_into(&mut stream, &mut frames, &mut buf).await? {
            return Err(BenchError::Incomplete(format!(
                "the hub closed {node}'s link during its opening"
            )));
        }
    }
}

/// The sender: every `submit` frame its own write, as the forwarder's
/// sender writes them, while the hub's acks are read as they come.
async fn submit_all(sender: Endpoint, submits: Vec<Vec<u8>>) -> Result<ClientEnd, BenchError> {
    let Endpoint { stream, mut frames } = sender;
    let (mut from_hub, mut to_hub) = tokio::io::split(stream);
    let writing = async {
        for submit in &submits {
            to_hub.write_all(submit).await?;
        }
        to_hub.flush().await?;
        Ok::<_, BenchError>(())
    };
    let reading = async {
        let mut buf = vec![0; CHUNK];
        let mut acked = 0;
        while acked < submits.len() {
            if !read_into(&mut from_hub, &mut frames, &mut buf).await? {
                return Err(BenchError::Incomplete(format!(
                    "the hub closed the sender's link after {acked} acks of {}",
                    submits.len()
                )));
            }
            while let Some(frame) = frames.next_frame()? {
                match frame {
                    Frame::Ack { .. } => acked += 1,
                    other => return Err(unexpected(SENDER, &other)),
                }
            }
        }
        Ok(())
    };
    tokio::try_join!(writing, reading)?;
    Ok(from_hub.unsplit(to_hub))
}

/// A recipient: decodes what arrives and acknowledges every delivery,
/// until `cables` have arrived.
async fn receive_all(recipient: Endpoint, cables: usize) -> Result<ClientEnd, BenchError> {
    let Endpoint { mut stream, mut frames } = recipient;
    let mut buf = vec![0; CHUNK];
    let mut acks = Vec::new();
    let mut delivered = 0;
    while delivered < cables {
        if !read_into(&mut stream, &mut frames, &mut buf).await? {
            return Err(BenchError::Incomplete(format!(
                "the hub closed a recipient's link after {delivered} deliveries of {cables}"
            )));
        }
        acks.clear();
        while let Some(frame) = frames.next_frame()? {
            match frame {
                Frame::Deliver { payload } => {
                    delivered += 1;
                    let ack = Frame::Ack {
                        cable: payload.header().id.clone(),
                    };
                    acks.extend(encode_frame(&ack, DEFAULT_MAX_FRAME)?);
                }
                other => return Err(unexpected("a recipient", &other)),
            }
        }
        // One ack frame per delivery, as the protocol requires, but the
        // acks of everything one read brought written back to back and
        // flushed once: what any client would do. The real node instead
        // writes each frame as its own TLS record (`write_frames`), so that
        // what a tap counts does not depend on the scheduler.
        if !acks.is_empty() {
            stream.write_all(&acks).await?;
            stream.flush().await?;
        }
    }
    Ok(stream)
}

/// A frame an endpoint did not expect: the hub's refusal, with its reason,
/// or anything else by its kind.
fn unexpected(who: &str, frame: &Frame) -> BenchError {
    match frame {
        Frame::Error { cable, code, detail } => BenchError::Incomplete(format!(
            "the hub refused {who}'s {}: {code}: {detail}",
            cable.as_deref().unwrap_or("frame")
        )),
        other => BenchError::Incomplete(format!("{who} got an unexpected {} frame", other.kind())),
    }
}
