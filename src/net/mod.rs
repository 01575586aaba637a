//! The network: the hub and nodes as tokio tasks speaking the wire format
//! over rustls TLS 1.3 or plain bytes, links with tap points, and the hooks
//! adversaries attach to.
//!
//! Sessions are generic over `AsyncRead + AsyncWrite`, so an in-memory
//! duplex (in-process runs), a TCP socket or a proxy plug in unchanged.
//! What the hub and the nodes must not lose goes through a store trait:
//! in memory in-process, SQLite in multi-process mode (README.md, "Run it
//! across laptops"; "Durability" in ARCHITECTURE.md).
//! Everything below this module is sans-IO.

mod alarm;
mod clock;
pub mod cores;
mod framed;
mod hooks;
mod hub;
mod limits;
mod link;
mod node;
pub mod pki;
mod store;
pub mod tls;

pub use alarm::{Alarm, AlarmKind, AlarmSubject, Alarms};
pub use clock::DayClock;
pub use framed::{FrameSender, FrameSource, FramedError, Outgoing, write_frames};
pub use hooks::{Handshake, HubTap, NodeTap};
pub use hub::{DeliveryLoad, Hub, HubConfig};
pub use limits::HubLimits;
pub use link::{ConnectionId, Direction, LINK_BUFFER, Link, LinkTap, Middlebox, TappedStream};
pub use node::{
    BoxStream, ByteStream, Folder, FolderView, NodeConfig, NodeError, NodeHandle, NodeState, SendOutcome, StoredCable,
};
pub use pki::{LocalPki, NodeCredentials, Pki, PkiError, certified_identity};
pub use store::{
    AcceptedCable, ArchivedCable, CableDigest, Durable, Filed, FrameBytes, HubStore, MemoryHubStore, MemoryNodeStore,
    NodeRecord, NodeStore, OutboxEntry, SharedCables, SqliteHubStore, SqliteNodeStore, StoreError, digest_bytes,
    payload_digest,
};
pub use tls::{
    HUB_SERVER_NAME, KeyExchange, TlsError, X25519MLKEM768, authenticate_peer, client_config, client_config_with,
    client_with_key_log, explain_handshake_error, explain_hub_handshake_error, hub_server_name,
    is_key_exchange_mismatch, server_config, server_config_with, server_with_key_log,
};
