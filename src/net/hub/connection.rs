//! One connection to the hub, from its first byte to its close: the
//! connection limit, the TLS handshake and the hello under one deadline,
//! then the session loop, which reads the node's frames, hands them to the
//! router and queues its replies. Whatever a peer does wrong ends here,
//! logged with its reason; the hub carries on.

use std::collections::VecDeque;

use rustls_pki_types::CertificateDer;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::OwnedPermit;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::{Duration, Instant};
use tracing::{info, warn};

use super::{Hub, Reply, SessionEnd};
use crate::model::HUB;
use crate::net::alarm::{AlarmKind, AlarmSubject};
use crate::net::framed::{FrameSource, FramedError, Outgoing, ReplySender, write_session};
use crate::net::tls;
use crate::wire::{ErrorCode, Frame, PROTOCOL_VERSION, WireError, encode_frame};

/// Why a session ended early; logged with the peer, never fatal to the hub.
#[derive(Debug, thiserror::Error)]
pub(super) enum SessionError {
    #[error("TLS handshake failed: {0}")]
    Handshake(std::io::Error),
    #[error("no hello within {0:?}")]
    Timeout(Duration),
    #[error("the hub is at its limit of {0} connections")]
    Full(usize),
    #[error(transparent)]
    Framed(#[from] FramedError),
    #[error("{0}")]
    Refused(String),
    #[error("the hub's store failed ({0}); the node's queue waits for its next connection")]
    Store(String),
}

impl Hub {
    /// Serves one connection until it ends. `peer` labels it in logs (a
    /// socket address, or the link's node name in-process). Every failure
    /// is logged and contained here. Past [`HubLimits::max_connections`](crate::net::HubLimits::max_connections)
    /// open connections, it is refused at once (see
    /// [`Hub::open_connections`]).
    pub async fn serve<S>(&self, raw: S, peer: String)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.serve_as(raw, peer, None).await;
    }

    /// Serves the in-process link of `node`: like [`Hub::serve`], with
    /// alarms about the connection naming the link.
    pub async fn serve_link<S>(&self, raw: S, node: &str)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        self.serve_as(raw, format!("link:{node}"), Some(node)).await;
    }

    async fn serve_as<S>(&self, raw: S, peer: String, link: Option<&str>)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        // Held until this connection's task is done, however it ends.
        let Ok(_slot) = self.shared.connections.clone().try_acquire_owned() else {
            self.refuse_connection(raw, &peer).await;
            return;
        };
        // One deadline for the TLS handshake and the hello together: a
        // peer cannot hold its slot longer by finishing one and stalling
        // the other.
        let deadline = Instant::now() + self.shared.config.handshake_timeout;
        let result = match self.shared.config.tls.clone() {
            None => self.session(raw, None, &peer, link, deadline).await,
            Some(tls) => {
                match tokio::time::timeout_at(deadline, tokio_rustls::TlsAcceptor::from(tls.clone()).accept(raw)).await
                {
                    Err(_) => Err(SessionError::Timeout(self.shared.config.handshake_timeout)),
                    Ok(Err(e)) => {
                        let e = tls::explain_hub_handshake_error(&tls, e);
                        self.handshake_failed(&e, &peer, link);
                        Err(SessionError::Handshake(e))
                    }
                    Ok(Ok(mut stream)) => {
                        // Every frame becomes whole records (see write_frames).
                        // What the TLS layer may buffer is bounded by what the
                        // writer is given: one delivery window and one reply
                        // queue, each flushed before the next batch.
                        stream.get_mut().1.set_buffer_limit(None);
                        let certs: Option<Vec<CertificateDer<'static>>> =
                            stream.get_ref().1.peer_certificates().map(|c| c.to_vec());
                        self.session(stream, certs, &peer, link, deadline).await
                    }
                }
            }
        };
        if let Err(e) = result {
            warn!(peer = %peer, cause = %e, "session ended");
        }
    }

    /// A connection past the limit: logged and closed before any TLS work
    /// is spent on it. Under `plain` the peer is told why in a `busy`
    /// error frame; under TLS there is no channel yet to say it on, and the
    /// peer sees its connection closed during the handshake.
    async fn refuse_connection<S>(&self, mut raw: S, peer: &str)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let limit = self.shared.config.limits.max_connections;
        let reason = SessionError::Full(limit);
        warn!(peer = %peer, cause = %reason, "connection refused");
        if self.shared.config.tls.is_none() {
            let refusal = Frame::Error {
                cable: None,
                code: ErrorCode::Busy,
                detail: format!("{reason}; try again later"),
            };
            if let Ok(bytes) = encode_frame(&refusal, self.shared.config.max_frame) {
                // A few bytes into a fresh connection's buffer: immediate,
                // unless the peer is stalled on purpose, which the
                // deadline cuts short.
                let timeout = self.shared.config.handshake_timeout;
                let _ = tokio::time::timeout(timeout, async {
                    raw.write_all(&bytes).await?;
                    raw.shutdown().await
                })
                .await;
            }
        }
    }

    /// Logs a failed TLS handshake, with an alarm when it failed on its
    /// content. A peer that hangs up before (or during) its hello is gone,
    /// not refused. Bytes that are no TLS at all (a port scanner, an HTTP
    /// client, random noise) are `malformed`; everything else — a missing,
    /// foreign or unacceptable certificate, or a peer that will not agree
    /// on TLS 1.3 — is `certificate-rejected`.
    fn handshake_failed(&self, e: &std::io::Error, peer: &str, link: Option<&str>) {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            return;
        }
        let garbage = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .is_some_and(|tls| {
                matches!(
                    tls,
                    rustls::Error::InvalidMessage(_)
                        | rustls::Error::InappropriateMessage { .. }
                        | rustls::Error::InappropriateHandshakeMessage { .. }
                )
            });
        let kind = if garbage {
            AlarmKind::Malformed
        } else {
            AlarmKind::CertificateRejected
        };
        refused(peer, &e.to_string());
        self.shared.alarms.raise_about(
            self.today(),
            HUB,
            kind,
            format!("peer {peer}: {e}"),
            link.map(AlarmSubject::link).unwrap_or_default(),
        );
    }

    async fn session<S>(
        &self,
        stream: S,
        certs: Option<Vec<CertificateDer<'static>>>,
        peer: &str,
        link: Option<&str>,
        deadline: Instant,
    ) -> Result<(), SessionError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let config = &self.shared.config;
        let max_frame = config.max_frame;
        let (read_half, write_half) = tokio::io::split(stream);
        let (replies, replies_rx) = mpsc::channel(config.limits.reply_queue.max(1));
        let (deliveries, deliveries_rx) = mpsc::unbounded_channel();
        let writer = tokio::spawn(write_session(write_half, replies_rx, deliveries_rx, max_frame));
        let mut source = FrameSource::new(read_half, max_frame);

        let hello = match tokio::time::timeout_at(deadline, source.next()).await {
            Err(_) => return Err(SessionError::Timeout(config.handshake_timeout)),
            Ok(result) => result,
        };
        let refusal = match hello {
            Ok(Some(Frame::Hello { node, protocol })) => match self.admit(&node, protocol, certs.as_deref(), link) {
                Ok(()) => Ok(node),
                Err(reason) => Err((ErrorCode::NotAuthorized, reason)),
            },
            Ok(Some(other)) => Err((ErrorCode::Unexpected, format!("expected hello, got {}", other.kind()))),
            Ok(None) => return Err(SessionError::Refused("closed before hello".into())),
            Err(e) => {
                if let FramedError::Wire(wire) = &e {
                    refused(peer, &wire.to_string());
                    self.shared
                        .alarms
                        .raise(self.today(), HUB, AlarmKind::Malformed, format!("peer {peer}: {wire}"));
                    refuse(&replies, None, wire_code(wire), &wire.to_string());
                }
                drop(deliveries);
                self.close(replies, writer).await;
                return Err(e.into());
            }
        };
        let node = match refusal {
            Ok(node) => node,
            Err((code, reason)) => {
                refused(peer, &reason);
                refuse(&replies, None, code, &reason);
                drop(deliveries);
                self.close(replies, writer).await;
                return Err(SessionError::Refused(reason));
            }
        };
        let (end, mut ended) = oneshot::channel();
        let session_id = self.register(&node, deliveries, end);
        info!(node = %node, peer = %peer, "node connected");

        // The hub's own reasons to end the session come first: a replaced
        // or failed session reads no further frame of its node.
        let result = tokio::select! {
            biased;
            Ok(why) = &mut ended => match why {
                SessionEnd::Replaced => {
                    info!(node = %node, peer = %peer, "replaced by a newer connection");
                    Ok(())
                }
                SessionEnd::StoreFailed(reason) => Err(SessionError::Store(reason)),
            },
            result = self.read_frames(&node, session_id, &mut source, &replies) => result,
        };
        self.unregister(&node, session_id);
        self.close(replies, writer).await;
        info!(node = %node, "node disconnected");
        result
    }

    /// Reads `node`'s frames on session `session_id` and queues the
    /// replies, until the node closes the connection or sends something
    /// that is not a frame.
    ///
    /// A reply waiting for the store's commit (an acknowledgement) holds
    /// back the replies behind it, so replies leave in order, but not the
    /// reading: the node's next submits are read meanwhile and share the
    /// next commit. The replies queued for the writer and those waiting
    /// here share one bound, the capacity of `replies`
    /// ([`HubLimits::reply_queue`](crate::net::HubLimits::reply_queue)):
    /// each waiting reply holds its place in that queue, and while replies
    /// wait the next frame is read only once a place is free for its
    /// reply: with every place taken, the node's frames wait in its socket.
    pub(super) async fn read_frames<R: AsyncRead + Unpin>(
        &self,
        node: &str,
        session_id: u64,
        source: &mut FrameSource<R>,
        replies: &ReplySender,
    ) -> Result<(), SessionError> {
        let mut waiting: VecDeque<(Reply, OwnedPermit<Outgoing>)> = VecDeque::new();
        // A place taken ahead while replies wait, for the reply of the next
        // frame: that frame is read only once there is room for it.
        let mut spare: Option<OwnedPermit<Outgoing>> = None;
        loop {
            let next = match waiting.front_mut() {
                None => source.next().await,
                Some((head, _)) => {
                    tokio::select! {
                        biased;
                        committed = &mut head.durable => {
                            let (reply, place) = waiting.pop_front().expect("the head was just polled");
                            drop(place.send(self.settle(node, reply, committed)));
                            continue;
                        }
                        // Free once the writer has sent a reply.
                        place = replies.clone().reserve_owned(), if spare.is_none() => {
                            spare = Some(place.map_err(|_| writer_stopped())?);
                            continue;
                        }
                        // Reading a frame is cancel-safe: a frame is taken
                        // out of the reader only once it is whole.
                        next = source.next(), if spare.is_some() => next,
                    }
                }
            };
            match next {
                Ok(Some(frame)) => {
                    if let Some(reply) = self.handle(node, session_id, frame) {
                        if waiting.is_empty() && reply.durable.is_now() {
                            match spare.take() {
                                Some(place) => drop(place.send(reply.frame)),
                                None => self.send_reply(replies, reply.frame).await?,
                            }
                        } else {
                            // With nothing waiting, the frame was read
                            // whatever the room, as for a reply sent at
                            // once: this one waits for its place likewise.
                            let place = match spare.take() {
                                Some(place) => place,
                                None => replies.clone().reserve_owned().await.map_err(|_| writer_stopped())?,
                            };
                            waiting.push_back((reply, place));
                        }
                    }
                }
                Ok(None) => {
                    // The node is done sending: what it was promised still
                    // goes out.
                    while let Some((mut reply, place)) = waiting.pop_front() {
                        let committed = (&mut reply.durable).await;
                        drop(place.send(self.settle(node, reply, committed)));
                    }
                    return Ok(());
                }
                Err(e) => {
                    // Bytes that are not a frame are an attack (or a bug);
                    // a connection that drops is just a lost peer. Replies
                    // still waiting are dropped with the session: the node
                    // sends their cables again. A place taken ahead is
                    // free for the refusal.
                    drop(spare);
                    if let FramedError::Wire(wire) = &e {
                        self.shared.alarms.raise(
                            self.today(),
                            HUB,
                            AlarmKind::Malformed,
                            format!("from {node}: {wire}"),
                        );
                        refuse(replies, None, wire_code(wire), &wire.to_string());
                    }
                    return Err(e.into());
                }
            }
        }
    }

    /// Queues `frame` for the writer. Waits while the node leaves its
    /// replies unread: its next frames wait in its socket meanwhile.
    async fn send_reply(&self, replies: &ReplySender, frame: Outgoing) -> Result<(), SessionError> {
        replies.send(frame).await.map_err(|_| writer_stopped())
    }

    /// Lets the writer send what is queued, then close the stream (once
    /// the deliveries' sender is gone too). A peer that does not read its
    /// last frames gets the handshake timeout to do so, not forever: it
    /// holds a connection slot meanwhile.
    async fn close(&self, replies: ReplySender, mut writer: JoinHandle<Result<(), FramedError>>) {
        drop(replies);
        if tokio::time::timeout(self.shared.config.handshake_timeout, &mut writer)
            .await
            .is_err()
        {
            writer.abort();
        }
    }

    /// Checks a hello: a known node, a protocol we speak, and under mTLS a
    /// client certificate valid for the claimed name.
    fn admit(
        &self,
        node: &str,
        protocol: u16,
        certs: Option<&[CertificateDer<'static>]>,
        link: Option<&str>,
    ) -> Result<(), String> {
        if protocol != PROTOCOL_VERSION {
            return Err(format!(
                "protocol {protocol} not supported (expected {PROTOCOL_VERSION})"
            ));
        }
        if node == HUB || !self.shared.config.network.contains(node) {
            return Err(format!("unknown node {node:?}"));
        }
        if self.shared.config.security.transport == crate::model::Transport::Mtls
            && let Err(e) = tls::authenticate_peer(certs, node)
        {
            self.shared.alarms.raise_about(
                self.today(),
                HUB,
                AlarmKind::IdentityMismatch,
                format!("hello as {node}: {e}"),
                link.map(AlarmSubject::link).unwrap_or_default(),
            );
            return Err(e.to_string());
        }
        Ok(())
    }
}

/// Logs, with one stable message, that the hub turned `peer` away at its
/// door (its TLS handshake, certificate or hello): the live page counts
/// these. The session's end is logged as well, as for every session.
fn refused(peer: &str, reason: &str) {
    info!(peer = %peer, reason = %reason, "peer refused");
}

/// Queues a refusal for a peer that is about to be disconnected. If its
/// replies are full it is not reading, and would never see this one: the
/// refusal is dropped (it is logged with the session's end) rather than
/// waited for.
fn refuse(replies: &ReplySender, cable: Option<&str>, code: ErrorCode, detail: &str) {
    let _ = replies.try_send(Outgoing::Frame(Frame::Error {
        cable: cable.map(str::to_owned),
        code,
        detail: detail.to_owned(),
    }));
}

/// The session's writer is gone (its stream failed): nothing more can be
/// sent on it.
fn writer_stopped() -> SessionError {
    SessionError::Refused("the connection's writer stopped".into())
}

/// The error code that tells a peer why its bytes were not a frame.
fn wire_code(error: &WireError) -> ErrorCode {
    match error {
        WireError::Oversized { .. } => ErrorCode::Oversized,
        _ => ErrorCode::Malformed,
    }
}
