//! Captures of a run for Wireshark and tshark (README.md, "Captures for
//! Wireshark"): every link's bytes as real TCP connections in a pcapng file,
//! with the TLS secrets inside it, so that Wireshark decrypts the links with no
//! setup — and still shows only ciphertext where cables are encrypted end to
//! end.
//!
//! The links of a run are in-memory streams, not sockets, so the TCP/IP
//! around their bytes is made up here, as a real network would show it:
//!
//! * the hub is [`HUB_ADDRESS`] and listens on [`TLS_PORT`] (transports
//!   `tls` and `mtls`) or [`PLAIN_PORT`] (`plain`); the n-th node of the
//!   network is [`node_address`]`(n)`, connecting from port
//!   [`FIRST_CLIENT_PORT`] upwards, one port per connection, so a
//!   reconnection is a new TCP stream;
//! * each connection opens with SYN, SYN-ACK, ACK and ends with FIN-ACK
//!   both ways; data travels in segments of at most 1460 bytes, and the
//!   receiver acknowledges every second segment and the end of each write;
//! * day `d` of the run is 2026-01-01 plus `d` days; within a day packets
//!   are 100 µs apart, in the order the bytes crossed the links.
//!
//! [`PcapRecorder`] assembles the packets in memory (no I/O) as a
//! [`LinkTap`] on every link; [`PcapRecorder::write`] writes the file with
//! the secrets of a [`TlsKeyLog`] in a Decryption Secrets Block.

mod keylog;
mod packet;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{InterfaceDescriptionBlock, InterfaceDescriptionOption};
use pcap_file::pcapng::blocks::name_resolution::{Ipv4Record, NameResolutionBlock, Record};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::blocks::unknown::UnknownBlock;
use pcap_file::pcapng::{Block, PcapNgWriter};
use pcap_file::{DataLink, Endianness, PcapError};

pub use keylog::TlsKeyLog;
use packet::{ACK, Endpoint, FIN, MSS, PSH, SYN, Segment};

use crate::model::{Day, HUB, Network, Transport};
use crate::net::{ConnectionId, Direction, LinkTap};

/// The TCP port the hub listens on under `tls` and `mtls`: 4433, the
/// customary port of TLS test servers. Wireshark has no dissector of its
/// own on it and finds the TLS by its heuristics.
pub const TLS_PORT: u16 = 4433;

/// The TCP port the hub listens on under `plain`: bare cable frames.
pub const PLAIN_PORT: u16 = 4400;

/// The hub's address in a capture.
pub const HUB_ADDRESS: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);

/// The source port of each node's first connection; later ones count up
/// from it, through the dynamic range (RFC 6335).
pub const FIRST_CLIENT_PORT: u16 = 49152;

/// Day 0 of a capture: 2026-01-01T00:00:00Z, in seconds since 1970.
pub const DAY_ZERO_UNIX_SECONDS: u64 = 1_767_225_600;

/// Time between two packets of the same day.
const PACKET_SPACING: Duration = Duration::from_micros(100);

/// The pcapng block type of a Decryption Secrets Block, and the secrets
/// type of a TLS key log inside it (pcapng draft, §4.7).
const DECRYPTION_SECRETS_BLOCK: u32 = 0x0000_000A;
const TLS_KEY_LOG: u32 = 0x544c_534b;

/// The port the hub listens on under `transport`.
pub fn hub_port(transport: Transport) -> u16 {
    match transport {
        Transport::Plain => PLAIN_PORT,
        Transport::Tls | Transport::Mtls => TLS_PORT,
    }
}

/// The address of the node at `index` (from 0) in a capture: 10.0.1.1,
/// 10.0.1.2, ... 10.0.1.250, 10.0.2.1, ..., so the hub's 10.0.0.x stands
/// apart.
pub fn node_address(index: usize) -> Ipv4Addr {
    let block = index / 250;
    Ipv4Addr::new(
        10,
        (block / 254) as u8,
        (1 + block % 254) as u8,
        (1 + index % 250) as u8,
    )
}

/// Why a capture could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The file could not be created or written.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// The pcapng encoder refused a block.
    #[error("cannot encode the capture: {0}")]
    Encode(PcapError),
}

impl From<PcapError> for CaptureError {
    fn from(e: PcapError) -> Self {
        match e {
            PcapError::IoError(e) => CaptureError::Io(e),
            other => CaptureError::Encode(other),
        }
    }
}

/// Records every link of a run as TCP connections, to write as pcapng.
///
/// Attach it to every node's link (`Runner::with_link_tap`); it tells the
/// nodes apart by name and connections by [`ConnectionId`].
///
/// ```
/// use cablesim::model::{Network, Transport};
/// use cablesim::net::{ConnectionId, Direction};
/// use cablesim::report::pcap::{PcapRecorder, TlsKeyLog};
///
/// let network = Network::generated(2, 1, false);
/// let capture = PcapRecorder::for_network(&network, Transport::Plain);
/// let connection = ConnectionId::fresh();
/// capture.connect(0, "at-mfa", connection);
/// capture.carry(0, "at-mfa", connection, Direction::ToHub, b"hello");
/// capture.close(1, "at-mfa", connection);
/// // Handshake, one data segment and its ACK, FIN both ways and the last ACK.
/// assert_eq!(capture.packets(), 3 + 2 + 3);
/// let mut file = Vec::new();
/// capture.write_to(&mut file, &TlsKeyLog::new())?;
/// # Ok::<(), cablesim::report::pcap::CaptureError>(())
/// ```
pub struct PcapRecorder {
    capture: Mutex<Capture>,
}

impl PcapRecorder {
    /// A recorder for a network whose nodes are `nodes`, in order (each
    /// gets [`node_address`] of its position), with the hub on `hub_port`.
    pub fn new<S: Into<String>>(nodes: impl IntoIterator<Item = S>, hub_port: u16) -> PcapRecorder {
        let mut capture = Capture {
            hub_port,
            addresses: BTreeMap::new(),
            connections_of: HashMap::new(),
            flows: HashMap::new(),
            packets: Packets::default(),
        };
        for node in nodes {
            capture.address_of(&node.into());
        }
        PcapRecorder {
            capture: Mutex::new(capture),
        }
    }

    /// A recorder for `network`'s endpoints, with the hub on the port of
    /// `transport`.
    pub fn for_network(network: &Network, transport: Transport) -> PcapRecorder {
        PcapRecorder::new(network.endpoints().map(|n| n.name.clone()), hub_port(transport))
    }

    /// `node` opened `connection` on `day`: the TCP three-way handshake.
    pub fn connect(&self, day: Day, node: &str, connection: ConnectionId) {
        self.lock().flow(day, node, connection);
    }

    /// `bytes` crossed `connection` in `direction` on `day`.
    pub fn carry(&self, day: Day, node: &str, connection: ConnectionId, direction: Direction, bytes: &[u8]) {
        let mut capture = self.lock();
        // Bytes without a connect (a tap attached late) open it first.
        capture.flow(day, node, connection);
        let Capture { flows, packets, .. } = &mut *capture;
        if let Some(flow) = flows.get_mut(&connection) {
            flow.carry(day, direction, bytes, packets);
        }
    }

    /// `connection` closed on `day`: FIN-ACK both ways, the node first.
    pub fn close(&self, day: Day, _node: &str, connection: ConnectionId) {
        let mut capture = self.lock();
        let Capture { flows, packets, .. } = &mut *capture;
        if let Some(flow) = flows.get_mut(&connection) {
            flow.close(day, packets);
        }
    }

    /// TCP connections recorded so far.
    pub fn connections(&self) -> usize {
        self.lock().flows.len()
    }

    /// Packets recorded so far.
    pub fn packets(&self) -> usize {
        self.lock().packets.list.len()
    }

    /// Writes the capture to `path` (see [`PcapRecorder::write_to`]).
    pub fn write(&self, path: &Path, secrets: &TlsKeyLog) -> Result<(), CaptureError> {
        let mut file = io::BufWriter::new(std::fs::File::create(path)?);
        self.write_to(&mut file, secrets)?;
        file.flush()?;
        Ok(())
    }

    /// Writes the capture as pcapng: a section header, one Ethernet
    /// interface with nanosecond timestamps, the node names (a Name
    /// Resolution Block, which Wireshark shows with name resolution on),
    /// `secrets` in a Decryption Secrets Block if there are any — before
    /// the packets, so a reader has them when the first record arrives —
    /// then every packet. Connections still open are closed first, at the
    /// time of the last packet.
    pub fn write_to<W: Write>(&self, out: W, secrets: &TlsKeyLog) -> Result<(), CaptureError> {
        let mut capture = self.lock();
        let Capture { flows, packets, .. } = &mut *capture;
        let mut open: Vec<_> = flows.iter_mut().filter(|(_, flow)| flow.open).collect();
        // By connection, so two writes of one run give the same file.
        open.sort_by_key(|(id, _)| **id);
        for (_, flow) in open {
            let day = packets.day_of_last();
            flow.close(day, packets);
        }

        // Little-endian explicitly: the secrets block is encoded by hand.
        let section = SectionHeaderBlock {
            endianness: Endianness::Little,
            options: vec![SectionHeaderOption::UserApplication(Cow::Borrowed(concat!(
                "cablesim ",
                env!("CARGO_PKG_VERSION")
            )))],
            ..SectionHeaderBlock::default()
        };
        let mut writer = PcapNgWriter::with_section_header(out, section)?;
        writer.write_pcapng_block(InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 0xffff,
            options: vec![
                InterfaceDescriptionOption::IfName(Cow::Borrowed("cablesim-links")),
                InterfaceDescriptionOption::IfDescription(Cow::Borrowed(
                    "every link between a node and the hub, as TCP",
                )),
                // The encoder writes nanoseconds; the default would be µs.
                InterfaceDescriptionOption::IfTsResol(9),
            ],
        })?;
        let mut records = vec![Record::Ipv4(Ipv4Record {
            ip_addr: Cow::Owned(HUB_ADDRESS.octets().to_vec()),
            names: vec![Cow::Borrowed(HUB)],
        })];
        for (name, address) in &capture.addresses {
            records.push(Record::Ipv4(Ipv4Record {
                ip_addr: Cow::Owned(address.octets().to_vec()),
                names: vec![Cow::Borrowed(name.as_str())],
            }));
        }
        writer.write_pcapng_block(NameResolutionBlock {
            records,
            options: Vec::new(),
        })?;
        if !secrets.is_empty() {
            let text = secrets.contents();
            let mut body = zeroize::Zeroizing::new(Vec::with_capacity(8 + text.len()));
            body.extend_from_slice(&TLS_KEY_LOG.to_le_bytes());
            body.extend_from_slice(&(text.len() as u32).to_le_bytes());
            body.extend_from_slice(text.as_bytes());
            // The writer pads the body to 32 bits, as the block requires.
            writer.write_block(&Block::Unknown(UnknownBlock::new(DECRYPTION_SECRETS_BLOCK, 0, &body)))?;
        }
        for (timestamp, data) in &capture.packets.list {
            writer.write_pcapng_block(EnhancedPacketBlock {
                interface_id: 0,
                timestamp: *timestamp,
                original_len: data.len() as u32,
                data: Cow::Borrowed(data),
                options: Vec::new(),
            })?;
        }
        writer.into_inner().flush()?;
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Capture> {
        self.capture.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl LinkTap for PcapRecorder {
    fn on_bytes(&self, day: Day, node: &str, connection: ConnectionId, direction: Direction, bytes: &[u8]) {
        self.carry(day, node, connection, direction, bytes);
    }

    fn on_connect(&self, day: Day, node: &str, connection: ConnectionId) {
        self.connect(day, node, connection);
    }

    fn on_close(&self, day: Day, node: &str, connection: ConnectionId) {
        self.close(day, node, connection);
    }
}

/// The state of a capture: sans-IO, driven by the recorder's calls.
struct Capture {
    hub_port: u16,
    /// Every node's address, by name.
    addresses: BTreeMap<String, Ipv4Addr>,
    /// Connections each node has opened so far, for its next source port.
    connections_of: HashMap<String, u16>,
    flows: HashMap<ConnectionId, Flow>,
    packets: Packets,
}

impl Capture {
    /// `node`'s address; a node not named up front gets the next free one.
    fn address_of(&mut self, node: &str) -> Ipv4Addr {
        let next = node_address(self.addresses.len());
        *self.addresses.entry(node.to_owned()).or_insert(next)
    }

    /// The flow of `connection`, opened (with its handshake) if new.
    fn flow(&mut self, day: Day, node: &str, connection: ConnectionId) {
        if self.flows.contains_key(&connection) {
            return;
        }
        let address = self.address_of(node);
        let opened = self.connections_of.entry(node.to_owned()).or_default();
        let port = FIRST_CLIENT_PORT + *opened % (u16::MAX - FIRST_CLIENT_PORT + 1);
        *opened = opened.wrapping_add(1);
        let mut flow = Flow::new(
            Endpoint { address, port },
            Endpoint {
                address: HUB_ADDRESS,
                port: self.hub_port,
            },
        );
        flow.open(day, &mut self.packets);
        self.flows.insert(connection, flow);
    }
}

/// The packets so far, with timestamps that never go backwards.
#[derive(Default)]
struct Packets {
    list: Vec<(Duration, Vec<u8>)>,
}

impl Packets {
    fn push(&mut self, day: Day, frame: Vec<u8>) {
        let start_of_day = Duration::from_secs(DAY_ZERO_UNIX_SECONDS + u64::from(day) * 86_400);
        // A day's first packet at its midnight, each next one a little
        // later; a busy day may run past midnight, and the next then
        // starts where it ended, so the order always holds.
        let timestamp = match self.list.last() {
            Some((last, _)) => (*last + PACKET_SPACING).max(start_of_day),
            None => start_of_day,
        };
        self.list.push((timestamp, frame));
    }

    /// The simulated day of the last packet, or day 0.
    fn day_of_last(&self) -> Day {
        self.list.last().map_or(0, |(t, _)| {
            (t.as_secs().saturating_sub(DAY_ZERO_UNIX_SECONDS) / 86_400) as Day
        })
    }
}

/// One TCP connection between a node and the hub.
struct Flow {
    node: Endpoint,
    hub: Endpoint,
    /// The next sequence number each side sends.
    node_seq: u32,
    hub_seq: u32,
    /// Each side's IPv4 identification counter.
    node_ip_id: u16,
    hub_ip_id: u16,
    /// Whether the connection is established and not yet closed.
    open: bool,
}

impl Flow {
    fn new(node: Endpoint, hub: Endpoint) -> Flow {
        // Initial sequence numbers differ per connection, as RFC 9293 §3.4.1
        // wants, and are the same on every run of a scenario.
        let seed = u32::from(node.address) ^ (u32::from(node.port) << 16);
        Flow {
            node,
            hub,
            node_seq: seed.wrapping_mul(0x9e37_79b1),
            hub_seq: seed.wrapping_mul(0x85eb_ca6b).rotate_left(13),
            node_ip_id: (seed as u16).wrapping_mul(31),
            hub_ip_id: (seed as u16).wrapping_mul(17),
            open: false,
        }
    }

    fn open(&mut self, day: Day, out: &mut Packets) {
        self.send(day, Direction::ToHub, SYN, &[], out);
        self.send(day, Direction::ToNode, SYN | ACK, &[], out);
        self.send(day, Direction::ToHub, ACK, &[], out);
        self.open = true;
    }

    fn carry(&mut self, day: Day, direction: Direction, bytes: &[u8], out: &mut Packets) {
        if !self.open {
            return;
        }
        let back = match direction {
            Direction::ToHub => Direction::ToNode,
            Direction::ToNode => Direction::ToHub,
        };
        let segments = bytes.len().div_ceil(MSS);
        for (i, chunk) in bytes.chunks(MSS).enumerate() {
            let last = i + 1 == segments;
            self.send(day, direction, if last { ACK | PSH } else { ACK }, chunk, out);
            // Delayed ACKs: every second full segment, and the end of a
            // write, so no sender waits long and no window fills up.
            if last || i % 2 == 1 {
                self.send(day, back, ACK, &[], out);
            }
        }
    }

    fn close(&mut self, day: Day, out: &mut Packets) {
        if !self.open {
            return;
        }
        self.send(day, Direction::ToHub, FIN | ACK, &[], out);
        self.send(day, Direction::ToNode, FIN | ACK, &[], out);
        self.send(day, Direction::ToHub, ACK, &[], out);
        self.open = false;
    }

    /// Frames one segment from the side `direction` starts at, and moves
    /// that side's sequence number past it (SYN and FIN count as one).
    fn send(&mut self, day: Day, direction: Direction, flags: u8, payload: &[u8], out: &mut Packets) {
        let (from, to, seq, ack, ip_id) = match direction {
            Direction::ToHub => (
                self.node,
                self.hub,
                &mut self.node_seq,
                self.hub_seq,
                &mut self.node_ip_id,
            ),
            Direction::ToNode => (
                self.hub,
                self.node,
                &mut self.hub_seq,
                self.node_seq,
                &mut self.hub_ip_id,
            ),
        };
        let frame = packet::frame(&Segment {
            from,
            to,
            seq: *seq,
            ack,
            flags,
            ip_id: *ip_id,
            payload,
        });
        let control = u32::from(flags & (SYN | FIN) != 0);
        *seq = seq.wrapping_add(payload.len() as u32 + control);
        *ip_id = ip_id.wrapping_add(1);
        out.push(day, frame);
    }
}
