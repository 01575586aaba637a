//! The world being simulated (ARCHITECTURE.md, "The world"): nodes and their
//! roles, cables and their classification, simulated days, who receives what,
//! and a seeded generator of realistic cables. Plain data and pure functions:
//! no I/O.

mod cable;
mod canary;
mod classification;
mod day;
mod generator;
mod names;
mod node;
mod recipients;
mod security;
mod templates;

pub use cable::{Cable, CableContent, CableHeader};
pub(crate) use canary::new_canary;
pub use canary::{CANARY_PREFIX, Canaries, DuplicateCanary, tokens_in, tokens_in_pieces};
pub use classification::{Classification, UnknownClassification};
pub use day::{Day, DayWindow, Epoch, epoch_of, expired, kept_on};
pub use generator::{ClassificationMix, ClassificationMixError, Generator, GeneratorError, stamp_canary};
pub use node::{HUB, Network, NetworkError, Node, Role, UnknownRole, valid_node_name};
pub use recipients::{Distribution, UnknownDistribution, recipients};
pub use security::{
    E2eMode, PostQuantum, SecurityConfig, Transport, UnknownE2eMode, UnknownPostQuantum, UnknownTransport,
};
