//! The hub over a SQLite store that commits in groups: submits staged
//! while a commit is held share the next one, and no acknowledgement
//! leaves before it; the replies waiting for a commit and those queued for
//! the writer share the session's one bound.

use std::time::Duration;

use futures_util::FutureExt;
use tokio::io::{AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};

use super::{Hub, HubConfig};
use crate::crypto::{CablePayload, ClearCable};
use crate::model::{Cable, Classification, E2eMode, Network, Node, Role, SecurityConfig, Transport, recipients};
use crate::net::framed::{FrameSource, Outgoing};
use crate::net::store::CommitGate;
use crate::net::{Alarms, DayClock, HubLimits, LINK_BUFFER, SqliteHubStore};
use crate::wire::{DEFAULT_MAX_FRAME, Frame, PROTOCOL_VERSION, encode_frame};

fn network() -> Network {
    Network::new(["at-mfa", "be-mfa"].map(|n| Node::new(n, Role::Ministry))).unwrap()
}

fn config() -> HubConfig {
    HubConfig {
        network: network(),
        security: SecurityConfig {
            transport: Transport::Plain,
            e2e: E2eMode::Off,
            ..SecurityConfig::default()
        },
        tls: None,
        max_frame: DEFAULT_MAX_FRAME,
        handshake_timeout: Duration::from_secs(10),
        limits: HubLimits::default(),
    }
}

fn submit(id: &str) -> Frame {
    let cable = Cable {
        id: id.into(),
        day: 0,
        from: "at-mfa".into(),
        to: vec!["be-mfa".into()],
        classification: Classification::Restricted,
        subject: format!("subject of {id}"),
        body: format!("body of {id}"),
        canary: String::new(),
    };
    let to = recipients(&cable.from, &cable.to, &network(), config().security.distribution);
    Frame::Submit {
        payload: CablePayload::Clear(ClearCable::new(cable.header(to), cable.content(), None)),
    }
}

/// A hub configured by `config` over a fresh SQLite store of its own
/// (named after `test`), and the gate that holds its commits.
fn over_sqlite(test: &str, config: HubConfig) -> (Hub, CommitGate) {
    let dir = std::env::temp_dir().join(format!("cablesim-hub-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store = SqliteHubStore::open(dir.join("hub.db")).unwrap();
    let gate = store.commit_gate();
    let hub = Hub::with_store(config, DayClock::new(), Alarms::new(), Vec::new(), Box::new(store)).unwrap();
    (hub, gate)
}

async fn connect(hub: &Hub, node: &str) -> (FrameSource<ReadHalf<DuplexStream>>, WriteHalf<DuplexStream>) {
    let (ours, theirs) = tokio::io::duplex(LINK_BUFFER);
    let served = hub.clone();
    let label = node.to_owned();
    tokio::spawn(async move { served.serve(theirs, label).await });
    let (read, mut out) = tokio::io::split(ours);
    let hello = Frame::Hello {
        node: node.into(),
        protocol: PROTOCOL_VERSION,
    };
    out.write_all(&encode_frame(&hello, DEFAULT_MAX_FRAME).unwrap())
        .await
        .unwrap();
    (FrameSource::new(read, DEFAULT_MAX_FRAME), out)
}

#[tokio::test(flavor = "current_thread")]
async fn submits_staged_while_a_commit_is_held_share_one_commit_and_are_acknowledged_after_it() {
    let (hub, gate) = over_sqlite("group", config());
    let held = gate.hold();
    let (mut replies, mut out) = connect(&hub, "at-mfa").await;
    const N: usize = 8;
    let mut frames = Vec::new();
    for i in 0..N {
        frames.extend(encode_frame(&submit(&format!("C-{i}")), DEFAULT_MAX_FRAME).unwrap());
    }
    out.write_all(&frames).await.unwrap();
    // Every cable queued (and read back from the store) while none can be
    // committed: the session went on reading behind the first.
    while hub.relayed() < N as u64 {
        tokio::task::yield_now().await;
    }
    assert_eq!(hub.delivery_load("be-mfa").queued, N);
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert!(
        replies.next().now_or_never().is_none(),
        "an acknowledgement left before its cable's commit"
    );
    drop(held);
    for i in 0..N {
        assert_eq!(
            replies.next().await.unwrap(),
            Some(Frame::Ack {
                cable: format!("C-{i}")
            })
        );
    }
    // Eight submits, one commit: a commit per cable made eight.
    assert_eq!(gate.commits(), 1);
    drop(out);
}

#[tokio::test(flavor = "current_thread")]
async fn replies_queued_for_the_writer_and_replies_waiting_for_a_commit_share_one_bound() {
    const BOUND: usize = 3;
    let mut config = config();
    config.limits.reply_queue = BOUND;
    let (hub, gate) = over_sqlite("reply-bound", config);
    let held = gate.hold();

    // The session's two halves without a writer: the test reads the reply
    // queue itself, or leaves it full.
    let (ours, theirs) = tokio::io::duplex(LINK_BUFFER);
    let (replies, mut written) = tokio::sync::mpsc::channel(BOUND);
    let reading = {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut source = FrameSource::new(theirs, DEFAULT_MAX_FRAME);
            hub.read_frames("at-mfa", 0, &mut source, &replies).await
        })
    };
    let request = Frame::DirectoryRequest {
        nodes: vec!["be-mfa".into()],
    };
    let mut frames = Vec::new();
    for frame in [request.clone(), request]
        .into_iter()
        .chain((0..5).map(|i| submit(&format!("C-{i}"))))
    {
        frames.extend(encode_frame(&frame, DEFAULT_MAX_FRAME).unwrap());
    }
    let mut out = ours;
    out.write_all(&frames).await.unwrap();
    let settle = || async {
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
    };

    // Two answers queued, one acknowledgement waiting for its commit: the
    // bound is reached and no further frame is read.
    settle().await;
    assert_eq!(hub.relayed(), 1);
    let answer = Frame::DirectoryAnswer { entries: Vec::new() };
    let next = |written: &mut tokio::sync::mpsc::Receiver<Outgoing>| match written.try_recv() {
        Ok(Outgoing::Frame(frame)) => Some(frame),
        Ok(Outgoing::Encoded(bytes)) => panic!("encoded bytes among the replies: {bytes:?}"),
        Err(_) => None,
    };
    assert_eq!(next(&mut written), Some(answer.clone()));
    // One place freed: one more submit read, and the bound is reached again.
    settle().await;
    assert_eq!(hub.relayed(), 2);
    assert_eq!(next(&mut written), Some(answer));
    settle().await;
    assert_eq!(hub.relayed(), 3);

    drop(held);
    let mut acks = Vec::new();
    while acks.len() < 5 {
        match written.recv().await {
            Some(Outgoing::Frame(frame)) => acks.push(frame),
            other => panic!("expected an ack, got {other:?}"),
        }
    }
    let expected: Vec<Frame> = (0..5)
        .map(|i| Frame::Ack {
            cable: format!("C-{i}"),
        })
        .collect();
    assert_eq!(acks, expected);
    drop(out);
    reading.await.unwrap().unwrap();
    assert_eq!(hub.relayed(), 5);
}

#[tokio::test(flavor = "current_thread")]
async fn a_day_is_durable_only_once_its_commit_is_made() {
    let (hub, gate) = over_sqlite("day", config());
    let held = gate.hold();
    let mut day = hub.enter_day_durably(5);
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert!(
        (&mut day).now_or_never().is_none(),
        "the day was durable before its commit"
    );
    drop(held);
    day.await.unwrap();
    assert_eq!(gate.commits(), 1);
}
