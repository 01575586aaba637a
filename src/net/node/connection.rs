//! One connection of a node to the hub: TLS (if configured), hello,
//! publish, and the frames that follow.

use std::collections::VecDeque;

use tokio::io::{AsyncRead, AsyncWrite, ReadHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use std::sync::Arc;

use super::NodeError;
use super::counted::Counted;
use crate::crypto::DirectoryEntry;
use crate::net::alarm::{AlarmKind, AlarmSubject, Alarms};
use crate::net::framed::{FrameSender, FrameSource, FramedError, Outgoing, write_frames};
use crate::net::hooks::{Handshake, NodeTap};
use crate::net::{DayClock, NodeConfig, tls};
use crate::wire::{Frame, PROTOCOL_VERSION};

/// Any byte stream a node can talk over: a socket, an in-memory link, a
/// TLS stream on top of either.
pub trait ByteStream: AsyncRead + AsyncWrite + Unpin + Send + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> ByteStream for T {}

/// A boxed [`ByteStream`], so that plain and TLS connections, and
/// reconnections over new links, have one type.
pub type BoxStream = Box<dyn ByteStream>;

pub(super) struct Connection {
    /// Deliveries the hub sent before answering the hello: handled first.
    backlog: VecDeque<Frame>,
    source: FrameSource<ReadHalf<BoxStream>>,
    pub(super) out: FrameSender,
    writer: JoinHandle<Result<(), FramedError>>,
}

impl Connection {
    /// Sends what is queued and closes the stream (with a TLS close_notify).
    pub(super) async fn close(self) {
        drop(self.out);
        let _ = self.writer.await;
    }
}

/// The next frame of the connection, or never if there is none.
pub(super) async fn next_frame(conn: &mut Option<Connection>) -> Result<Option<Frame>, FramedError> {
    match conn {
        Some(conn) => match conn.backlog.pop_front() {
            Some(frame) => Ok(Some(frame)),
            None => conn.source.next().await,
        },
        None => std::future::pending().await,
    }
}

/// Runs the handshake (TLS if configured), says hello, publishes `entry`
/// and waits until the hub has processed both. A completed TLS handshake
/// is shown to `taps`, with its bytes counted below TLS.
pub(super) async fn establish(
    config: &NodeConfig,
    entry: DirectoryEntry,
    stream: BoxStream,
    clock: &DayClock,
    alarms: &Alarms,
    taps: &[Arc<dyn NodeTap>],
) -> Result<Connection, NodeError> {
    let stream: BoxStream = match &config.tls {
        None => stream,
        Some(tls_config) => {
            let connector = tokio_rustls::TlsConnector::from(tls_config.clone());
            match connector.connect(tls::hub_server_name(), Counted::new(stream)).await {
                Ok(mut tls_stream) => {
                    // The connector returns once the node's last handshake
                    // message is flushed, and the hub says nothing more
                    // before the node's hello (it sends no session
                    // tickets): the counts are the handshake's, exactly.
                    let (counted, session) = tls_stream.get_ref();
                    let handshake = Handshake {
                        sent: counted.written,
                        received: counted.read,
                        group: session.negotiated_key_exchange_group().map(|group| {
                            let name = group.name();
                            name.as_str().map_or_else(|| format!("{name:?}"), str::to_owned)
                        }),
                    };
                    for tap in taps {
                        tap.on_handshake(clock.today(), &config.name, &handshake);
                    }
                    // Every frame becomes whole records (see write_frames).
                    tls_stream.get_mut().1.set_buffer_limit(None);
                    Box::new(tls_stream)
                }
                // The hub went away mid-handshake (reset, end of stream):
                // nothing was refused, so no alarm; the node retries.
                Err(e) if e.get_ref().is_none_or(|inner| !inner.is::<rustls::Error>()) => {
                    return Err(NodeError::Handshake(e));
                }
                Err(e) => {
                    let e = tls::explain_handshake_error(tls_config, e);
                    let what = if tls::is_key_exchange_mismatch(&e) {
                        "TLS handshake refused"
                    } else {
                        "hub certificate refused"
                    };
                    alarms.raise_about(
                        clock.today(),
                        &config.name,
                        AlarmKind::CertificateRejected,
                        format!("{what}: {e}"),
                        AlarmSubject::link(&config.name),
                    );
                    return Err(NodeError::Handshake(e));
                }
            }
        }
    };
    let (read_half, write_half) = tokio::io::split(stream);
    let (out, out_rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_frames(write_half, out_rx, config.max_frame));
    let mut source = FrameSource::new(read_half, config.max_frame);
    for frame in [
        Frame::Hello {
            node: config.name.clone(),
            protocol: PROTOCOL_VERSION,
        },
        Frame::Publish { entry },
        Frame::DirectoryRequest {
            nodes: vec![config.name.clone()],
        },
    ] {
        let _ = out.send(Outgoing::Frame(frame));
    }
    // The hub answers in order: an answer means hello and publish passed.
    // A hub that held cables for this node sends them as soon as the hello
    // is admitted, before that answer; they wait for the node's task.
    let mut backlog = VecDeque::new();
    let refused = loop {
        match source.next().await {
            Ok(Some(deliver @ Frame::Deliver { .. })) => backlog.push_back(deliver),
            Ok(Some(Frame::DirectoryAnswer { .. })) => break None,
            Ok(Some(Frame::Error { code, detail, .. })) => break Some(NodeError::Refused { code, detail }),
            Ok(Some(other)) => break Some(NodeError::Connection(format!("unexpected {} frame", other.kind()))),
            Ok(None) => break Some(NodeError::Connection("the hub closed the connection".into())),
            Err(e) => break Some(NodeError::from(e)),
        }
    };
    let conn = Connection {
        backlog,
        source,
        out,
        writer,
    };
    match refused {
        None => Ok(conn),
        Some(e) => {
            conn.close().await;
            Err(e)
        }
    }
}
