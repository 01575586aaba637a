//! What several test modules share.

pub(crate) mod browser;
pub(crate) mod crash_copy;
pub(crate) mod held_link;
pub(crate) mod http;
pub(crate) mod processes;
pub(crate) mod rules;
pub(crate) mod runs;
pub(crate) mod shared_hub_store;
pub(crate) mod world;
