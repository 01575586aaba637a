//! The keys of one sender and its recipients, built once outside every
//! timed loop, and the two halves of a cable's E2E journey: the sender's
//! seal and every recipient's accept. Sans-IO: no clock, no tasks.

use super::BenchError;
use super::cables::{self, DAY, SENDER};
use super::options::BenchOptions;
use crate::crypto::{
    AcceptPolicy, CablePayload, Directory, IdentityKey, KeyAgreement, KeyKind, NodeKeys, RecipientKey, ReplayGuard,
    TrustedIdentities, check_entry,
};
use crate::model::{CableContent, E2eMode, SecurityConfig, epoch_of};

/// The network's default mode (ARCHITECTURE.md, "Security options"): per-epoch
/// prekeys, so the bench times what a default run does.
const MODE: E2eMode = E2eMode::ForwardSecret;

/// A sender, its recipients, and what the sender holds when it seals.
pub(super) struct World {
    /// The sending node's keys; its identity signs.
    sender: NodeKeys,
    /// Every recipient's keys, in name order.
    recipients: Vec<NodeKeys>,
    /// The recipients' names: every cable's addressees and R(c).
    names: Vec<String>,
    /// The CA-certified identities a recipient checks signatures with.
    trusted: TrustedIdentities,
    /// The recipients' directory keys after the pinning check: what the
    /// sender wraps the cable secret for, as a node does after a refresh.
    keys: Vec<RecipientKey>,
    /// Subject and body of every cable.
    content: CableContent,
}

impl World {
    /// Fresh keys for a sender and `options.recipients` recipients, every
    /// directory entry published and checked with pinning on.
    pub(super) fn new(options: &BenchOptions) -> Result<World, BenchError> {
        let defaults = SecurityConfig::default();
        Self::with_agreement(options, KeyAgreement::hybrid_if(defaults.post_quantum.end_to_end()))
    }

    /// [`World::new`] with keys of `agreement`: classical X25519, or hybrid
    /// X25519 + ML-KEM-768 (`post_quantum = "e2e"`).
    pub(super) fn with_agreement(options: &BenchOptions, agreement: KeyAgreement) -> Result<World, BenchError> {
        let epoch_days = SecurityConfig::default().epoch_days;
        let mut trusted = TrustedIdentities::new();
        let mut directory = Directory::new();
        let mut make = |name: &str| {
            let keys = NodeKeys::with_agreement(name, MODE, epoch_days, 1, agreement, IdentityKey::generate(), None);
            trusted.insert(name, keys.identity().public());
            directory.publish(keys.publish());
            keys
        };
        let sender = make(SENDER);
        let names = cables::recipient_names(options.recipients);
        let recipients: Vec<NodeKeys> = names.iter().map(|n| make(n)).collect();
        let wanted = KeyKind::Epoch(epoch_of(DAY, epoch_days));
        let mut keys = Vec::with_capacity(names.len());
        for name in &names {
            let entry = directory
                .get(name)
                .ok_or_else(|| BenchError::Incomplete(format!("{name} published no directory entry")))?;
            keys.extend(check_entry(name, entry, wanted, &trusted, true)?.accepted);
        }
        Ok(World {
            sender,
            recipients,
            names,
            trusted,
            keys,
            content: cables::content(options.size),
        })
    }

    /// One replay guard per recipient, as each recipient node keeps.
    pub(super) fn fresh_guards(&self) -> Vec<ReplayGuard> {
        self.recipients.iter().map(|_| ReplayGuard::new()).collect()
    }

    /// The sender's whole side of cable `index` of run `run`: seal the
    /// body, wrap its secret for every recipient key, sign.
    pub(super) fn seal(&self, run: &str, index: usize) -> Result<CablePayload, BenchError> {
        let header = cables::header(run, index, &self.names);
        Ok(CablePayload::seal(
            header,
            &self.content,
            &self.sender,
            &self.keys,
            true,
        )?)
    }

    /// Every recipient's whole side, as a node does on a delivery: find
    /// its wrap, unwrap, decrypt, verify the signature under the sender's
    /// certified identity, record the id in its replay guard.
    pub(super) fn accept_everywhere(
        &self,
        payload: &CablePayload,
        guards: &mut [ReplayGuard],
    ) -> Result<(), BenchError> {
        let policy = AcceptPolicy {
            require_signature: true,
        };
        let sender = self.trusted.get(SENDER);
        for (me, guard) in self.recipients.iter().zip(guards) {
            let opened = payload.accept(me, sender, policy, guard)?;
            if opened.content.body.len() != self.content.body.len() {
                return Err(BenchError::Incomplete(format!(
                    "{} opened a body of {} bytes, not {}",
                    me.name(),
                    opened.content.body.len(),
                    self.content.body.len()
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recipient_accepts_what_the_sender_sealed_once() {
        let world = World::new(&BenchOptions::new(3, 100, 1).unwrap()).unwrap();
        let payload = world.seal("T", 0).unwrap();
        let mut guards = world.fresh_guards();
        world.accept_everywhere(&payload, &mut guards).unwrap();
        // A second delivery of the same cable is a replay at every recipient.
        assert!(world.accept_everywhere(&payload, &mut guards).is_err());
    }
}
