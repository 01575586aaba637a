//! A link between a node and the hub whose cable frames wait for the test:
//! two in-memory duplex pairs with a relay between them that decodes every
//! frame and holds each submit, deliver and ack until the test lets the
//! next one through, in order, as a byte stream would. Frames that set up
//! a connection (hello, publish, directory request and answer, refusals)
//! pass as soon as they are at the head of their direction.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use cablesim::net::{FrameSender, FrameSource, Hub, LINK_BUFFER, Outgoing, write_frames};
use cablesim::wire::{DEFAULT_MAX_FRAME, Frame};
use tokio::io::{DuplexStream, ReadHalf};
use tokio::task::JoinHandle;

/// A direction on the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Toward {
    Hub,
    Node,
}

/// Whether `frame` waits for the test.
fn held_back(frame: &Frame) -> bool {
    matches!(frame, Frame::Submit { .. } | Frame::Deliver { .. } | Frame::Ack { .. })
}

/// What every relay records, across links.
#[derive(Default)]
pub(crate) struct Seen {
    /// Error frames from the hub, each as "cable: code: detail".
    pub(crate) refusals: Mutex<Vec<String>>,
}

/// One link's frames in flight. The senders are dropped when the link
/// dies, which ends its writers and so both peers' streams.
pub(crate) struct InFlight {
    to_hub: VecDeque<Frame>,
    to_node: VecDeque<Frame>,
    hub_out: Option<FrameSender>,
    node_out: Option<FrameSender>,
}

impl InFlight {
    /// The frames waiting toward `toward`, oldest first.
    pub(crate) fn queue(&mut self, toward: Toward) -> &mut VecDeque<Frame> {
        match toward {
            Toward::Hub => &mut self.to_hub,
            Toward::Node => &mut self.to_node,
        }
    }

    /// Whether no frame waits in either direction.
    pub(crate) fn is_empty(&self) -> bool {
        self.to_hub.is_empty() && self.to_node.is_empty()
    }

    fn write(&self, toward: Toward, frame: Frame) {
        let out = match toward {
            Toward::Hub => &self.hub_out,
            Toward::Node => &self.node_out,
        };
        if let Some(out) = out {
            let _ = out.send(Outgoing::Frame(frame));
        }
    }

    /// Lets set-up frames at the head of `toward` through.
    fn pass_set_up(&mut self, toward: Toward) {
        while self.queue(toward).front().is_some_and(|f| !held_back(f)) {
            let Some(frame) = self.queue(toward).pop_front() else {
                break;
            };
            self.write(toward, frame);
        }
    }

    /// Lets the next frame toward `toward` through, and the set-up frames
    /// behind it. Returns the frame let through.
    pub(crate) fn release(&mut self, toward: Toward) -> Option<Frame> {
        let frame = self.queue(toward).pop_front()?;
        self.write(toward, frame.clone());
        self.pass_set_up(toward);
        Some(frame)
    }

    fn die(&mut self) {
        self.to_hub.clear();
        self.to_node.clear();
        self.hub_out = None;
        self.node_out = None;
    }
}

/// A link through a holding relay.
pub(crate) struct HeldLink {
    frames: Arc<Mutex<InFlight>>,
    tasks: Vec<JoinHandle<()>>,
}

impl HeldLink {
    /// A new link to `hub` for the node `label`. Returns the link, the
    /// node's end of it, and the hub's session task serving the other end.
    /// Every submit from the node is also copied into `submits`.
    pub(crate) fn open(
        hub: &Hub,
        label: &str,
        submits: Arc<Mutex<Vec<Frame>>>,
        seen: Arc<Seen>,
    ) -> (HeldLink, DuplexStream, JoinHandle<()>) {
        let (node_end, relay_node) = tokio::io::duplex(LINK_BUFFER);
        let (relay_hub, hub_end) = tokio::io::duplex(LINK_BUFFER);
        let served = hub.clone();
        let label = label.to_owned();
        let session = tokio::spawn(async move { served.serve(hub_end, label).await });
        let (from_node, into_node) = tokio::io::split(relay_node);
        let (from_hub, into_hub) = tokio::io::split(relay_hub);
        let (hub_out, hub_rx) = tokio::sync::mpsc::unbounded_channel();
        let (node_out, node_rx) = tokio::sync::mpsc::unbounded_channel();
        let frames = Arc::new(Mutex::new(InFlight {
            to_hub: VecDeque::new(),
            to_node: VecDeque::new(),
            hub_out: Some(hub_out),
            node_out: Some(node_out),
        }));
        let tasks = vec![
            tokio::spawn(async move {
                let _ = write_frames(into_hub, hub_rx, DEFAULT_MAX_FRAME).await;
            }),
            tokio::spawn(async move {
                let _ = write_frames(into_node, node_rx, DEFAULT_MAX_FRAME).await;
            }),
            tokio::spawn(hold(
                from_node,
                frames.clone(),
                Toward::Hub,
                Some(submits),
                seen.clone(),
            )),
            tokio::spawn(hold(from_hub, frames.clone(), Toward::Node, None, seen)),
        ];
        (HeldLink { frames, tasks }, node_end, session)
    }

    /// The frames in flight on this link.
    pub(crate) fn frames(&self) -> MutexGuard<'_, InFlight> {
        self.frames.lock().unwrap()
    }

    /// Breaks the link: what it held is lost, both peers see it close.
    pub(crate) fn cut(self) {
        self.frames().die();
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Reads the frames arriving at the relay from one side and holds them.
async fn hold(
    from: ReadHalf<DuplexStream>,
    frames: Arc<Mutex<InFlight>>,
    toward: Toward,
    submits: Option<Arc<Mutex<Vec<Frame>>>>,
    seen: Arc<Seen>,
) {
    let mut source = FrameSource::new(from, DEFAULT_MAX_FRAME);
    while let Ok(Some(frame)) = source.next().await {
        match (&frame, &submits) {
            (Frame::Submit { .. }, Some(submits)) => submits.lock().unwrap().push(frame.clone()),
            (Frame::Error { cable, code, detail }, _) => {
                seen.refusals
                    .lock()
                    .unwrap()
                    .push(format!("{cable:?}: {code}: {detail}"));
            }
            _ => {}
        }
        let mut in_flight = frames.lock().unwrap();
        in_flight.queue(toward).push_back(frame);
        in_flight.pass_set_up(toward);
    }
    // One side closed or failed: the link is dead both ways.
    frames.lock().unwrap().die();
}
