//! Adversaries (DESIGN §5): what a scenario asks for, by kind, position,
//! window and actor.

mod spec;

pub use spec::{AdversaryKind, AdversarySpec, UnknownAdversaryKind};
