//! `cablesim explain`: the words behind an adversary kind, a preset or a
//! `[security]` field, for someone reading a report.

use crate::adversary::{EXPLAIN_TOPICS, explain_topic};

/// Explain an adversary kind, a preset or a [security] field in plain words.
#[derive(Debug, clap::Args)]
pub(crate) struct Explain {
    /// e.g. endpoint, mitm, e2e-fs, key_pinning, retention_days.
    topic: String,
}

impl Explain {
    /// Prints the explanation, or refuses a topic it does not know.
    pub(crate) fn execute(self) -> anyhow::Result<()> {
        match explain_topic(&self.topic) {
            Some(text) => {
                println!("{text}");
                Ok(())
            }
            None => Err(anyhow::Error::new(UnknownTopic(self.topic))),
        }
    }
}

/// The topic is not one `explain` knows: bad input.
#[derive(Debug, thiserror::Error)]
#[error("nothing to explain about {0:?} (topics: {topics})", topics = EXPLAIN_TOPICS.join(", "))]
pub(crate) struct UnknownTopic(String);
