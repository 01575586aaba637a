//! What both benches share: a network built once, outside every timed
//! loop, through the public API only — the same way
//! `tests/it/crypto_envelope.rs` builds its `World` — and one criterion
//! configuration short enough for `cargo bench` to finish in about a
//! minute on two cores.

use std::time::Duration;

use cablesim::crypto::{
    AcceptPolicy, CablePayload, Directory, GroupKey, IdentityKey, KeyAgreement, KeyKind, NodeKeys, Opened,
    RecipientKey, ReplayGuard, TrustedIdentities, check_entry,
};
use cablesim::model::{CableContent, CableHeader, Classification, E2eMode, epoch_of};
use criterion::Criterion;

/// Bytes of the cable body every bench seals: a long-ish cable, so the body
/// AEAD and its hashing weigh against the per-recipient wraps.
pub(crate) const BODY_LEN: usize = 4096;

const EPOCH_DAYS: u32 = 7;

/// A day inside epoch 0, the epoch fresh `forward-secret` keys start in.
const DAY: u32 = 3;

/// Ten samples of two seconds each: enough for criterion to flag a
/// regression of a few percent on a quiet machine, short enough for CI.
/// `cargo bench -- --quick` shortens it further.
pub(crate) fn quick_config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        // Without rayon the bootstrap runs on one thread; 10 000 resamples
        // of 10 samples are plenty and keep the analysis under a second.
        .nresamples(10_000)
}

/// A sender, its recipients and what the sender holds when it seals.
pub(crate) struct Network {
    /// The sending node's keys (its identity signs).
    pub(crate) sender: NodeKeys,
    /// Every recipient's keys, in `header.recipients` order.
    pub(crate) recipients: Vec<NodeKeys>,
    /// The CA-certified identities a recipient checks the signature with.
    pub(crate) trusted: TrustedIdentities,
    /// The recipients' directory keys after the pinning check: what the
    /// sender wraps for (empty in `group` mode).
    pub(crate) keys: Vec<RecipientKey>,
    /// The cable's routing header.
    pub(crate) header: CableHeader,
    /// Subject and a [`BODY_LEN`]-byte body.
    pub(crate) content: CableContent,
}

impl Network {
    /// A sender and `recipients` recipients in `mode`, one device each,
    /// every directory entry published and checked with pinning on.
    /// Agreement keys are of the given kind: classical, or hybrid (X25519
    /// and ML-KEM-768) as `post_quantum = "e2e"` makes them.
    pub(crate) fn with_agreement(mode: E2eMode, recipients: usize, agreement: KeyAgreement) -> Network {
        let group = GroupKey::generate();
        let mut trusted = TrustedIdentities::new();
        let mut directory = Directory::new();
        let mut nodes: Vec<NodeKeys> = (0..=recipients)
            .map(|i| {
                let keys = NodeKeys::with_agreement(
                    &name(i),
                    mode,
                    EPOCH_DAYS,
                    1,
                    agreement,
                    IdentityKey::generate(),
                    Some(group.clone()),
                );
                trusted.insert(&name(i), keys.identity().public());
                directory.publish(keys.publish());
                keys
            })
            .collect();
        let sender = nodes.remove(0);
        let names: Vec<String> = nodes.iter().map(|k| k.name().to_owned()).collect();
        let wanted = match mode {
            E2eMode::ForwardSecret => KeyKind::Epoch(epoch_of(DAY, EPOCH_DAYS)),
            _ => KeyKind::Static,
        };
        let keys = if matches!(mode, E2eMode::Static | E2eMode::ForwardSecret) {
            names
                .iter()
                .flat_map(|r| {
                    let entry = directory.get(r).expect("published");
                    check_entry(r, entry, wanted, &trusted, true)
                        .expect("genuine entry")
                        .accepted
                })
                .collect()
        } else {
            Vec::new()
        };
        let header = CableHeader {
            version: CableHeader::VERSION,
            id: "C-000001".to_owned(),
            day: DAY,
            from: sender.name().to_owned(),
            to: names.clone(),
            recipients: names,
            classification: Classification::Restricted,
        };
        let paragraph = "The delegation reports that member states remain divided on the sanctions package. ";
        let content = CableContent {
            subject: "Sanctions package: member state positions".to_owned(),
            body: paragraph.repeat(BODY_LEN / paragraph.len() + 1)[..BODY_LEN].to_owned(),
        };
        Network {
            sender,
            recipients: nodes,
            trusted,
            keys,
            header,
            content,
        }
    }

    /// The sender's whole side of one cable: seal the body, wrap the cable
    /// secret for every recipient key, sign.
    pub(crate) fn seal(&self) -> CablePayload {
        CablePayload::seal(self.header.clone(), &self.content, &self.sender, &self.keys, true).expect("seal")
    }

    /// A recipient's whole side: find its wrap, unwrap, open the body,
    /// verify the signature, record the id in `replay`. It is the last
    /// recipient, whose wrap is the last one a search reaches.
    pub(crate) fn open(&self, payload: &CablePayload, replay: &mut ReplayGuard) -> Opened {
        let me = self.recipients.last().expect("at least one recipient");
        let policy = AcceptPolicy {
            require_signature: true,
        };
        payload
            .accept(me, self.trusted.get(&self.header.from), policy, replay)
            .expect("the recipient accepts the cable")
    }
}

fn name(i: usize) -> String {
    format!("n{i:03}-mfa")
}
