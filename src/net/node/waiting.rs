//! Cables typed for recipients whose keys the node does not have yet.
//!
//! Sans-IO: which cables may go, and in what order, as plain data. The
//! node's task decides what a recipient's keys are (checked directory
//! entries) and does the sealing, storing and sending.
//!
//! The order: a waiting cable does not hold back later cables whose keys
//! are known (a cable to a node that has not joined yet must not stop the
//! traffic to every other node), and waiting cables go out in the order
//! they were typed. Since the node handles one thing at a time and checks
//! the waiting cables at every directory refresh before any later cable,
//! cables to the same addressees still leave in the order typed: a later
//! one finds the keys only once the earlier ones have been released by
//! the refresh that brought them.

use std::collections::VecDeque;

use crate::crypto::RecipientKey;
use crate::model::Cable;

/// One cable waiting, with whoever waits for its outcome (`R`: the node's
/// reply channel; none for a cable reloaded after a restart).
#[derive(Debug)]
pub(super) struct WaitingCable<R> {
    pub(super) cable: Cable,
    pub(super) reply: Option<R>,
    /// Whether the taps have been told that it waits (a reloaded cable is
    /// told again once, in its new process's life).
    pub(super) announced: bool,
}

/// What a directory refresh changed for the waiting cables.
#[derive(Debug)]
pub(super) struct Released<R> {
    /// Every recipient now has a key: to seal and send, in the order typed.
    pub(super) ready: Vec<WaitingCable<R>>,
    /// Still waiting and not announced yet: cable id and the recipients
    /// without a key.
    pub(super) announce: Vec<(Cable, Vec<String>)>,
}

/// The waiting cables, in the order typed.
#[derive(Debug)]
pub(super) struct Waiting<R> {
    cables: VecDeque<WaitingCable<R>>,
}

impl<R> Default for Waiting<R> {
    fn default() -> Self {
        Waiting {
            cables: VecDeque::new(),
        }
    }
}

impl<R> Waiting<R> {
    /// The cables a restarted node reloaded from its store, not announced
    /// yet in this process.
    pub(super) fn restore(cables: Vec<Cable>) -> Self {
        Waiting {
            cables: cables
                .into_iter()
                .map(|cable| WaitingCable {
                    cable,
                    reply: None,
                    announced: false,
                })
                .collect(),
        }
    }

    /// Whether no cable waits.
    pub(super) fn is_empty(&self) -> bool {
        self.cables.is_empty()
    }

    /// A cable that starts waiting now, already announced.
    pub(super) fn push(&mut self, cable: Cable, reply: R) {
        self.cables.push_back(WaitingCable {
            cable,
            reply: Some(reply),
            announced: true,
        });
    }

    /// Takes out, in the order typed, every cable for which `missing`
    /// (the recipients without a key) is empty; the others stay, in order.
    pub(super) fn release(&mut self, mut missing: impl FnMut(&Cable) -> Vec<String>) -> Released<R> {
        let mut released = Released {
            ready: Vec::new(),
            announce: Vec::new(),
        };
        let mut kept = VecDeque::with_capacity(self.cables.len());
        for mut waiting in self.cables.drain(..) {
            let without = missing(&waiting.cable);
            if without.is_empty() {
                released.ready.push(waiting);
                continue;
            }
            if !waiting.announced {
                waiting.announced = true;
                released.announce.push((waiting.cable.clone(), without));
            }
            kept.push_back(waiting);
        }
        self.cables = kept;
        released
    }

    /// The ids of the waiting cables, in order.
    #[cfg(test)]
    pub(super) fn ids(&self) -> impl Iterator<Item = &str> {
        self.cables.iter().map(|w| w.cable.id.as_str())
    }
}

/// The recipients of `recipients` that no key of `keys` is for, in order.
pub(super) fn without_key(recipients: &[String], keys: &[RecipientKey]) -> Vec<String> {
    recipients
        .iter()
        .filter(|r| !keys.iter().any(|k| &k.node == *r))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KeyKind;
    use crate::model::Classification;

    fn cable(id: &str, to: &[&str]) -> Cable {
        Cable {
            id: id.into(),
            day: 0,
            from: "a".into(),
            to: to.iter().map(|t| (*t).to_owned()).collect(),
            classification: Classification::Limite,
            subject: id.into(),
            body: id.into(),
            canary: String::new(),
        }
    }

    fn key(node: &str) -> RecipientKey {
        RecipientKey {
            node: node.into(),
            kind: KeyKind::Static,
            public: crate::crypto::AgreementPublic([0; 32]),
            kem: None,
        }
    }

    fn ids<R>(cables: &[WaitingCable<R>]) -> Vec<&str> {
        cables.iter().map(|w| w.cable.id.as_str()).collect()
    }

    /// Missing recipients of a cable when only `known` have keys.
    fn given(known: &'static [&'static str]) -> impl FnMut(&Cable) -> Vec<String> {
        move |c: &Cable| {
            let keys: Vec<RecipientKey> = known.iter().map(|n| key(n)).collect();
            without_key(&c.to, &keys)
        }
    }

    #[test]
    fn recipients_without_a_key_in_order() {
        let to: Vec<String> = ["c", "b", "d"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(without_key(&to, &[key("b")]), ["c", "d"]);
        assert!(without_key(&to, &[key("d"), key("c"), key("b")]).is_empty());
        assert_eq!(without_key(&to, &[]), to);
    }

    #[test]
    fn ready_cables_leave_in_the_order_typed_and_the_rest_keep_theirs() {
        let mut waiting = Waiting::default();
        waiting.push(cable("1", &["c"]), 1);
        waiting.push(cable("2", &["b", "c"]), 2);
        waiting.push(cable("3", &["d"]), 3);
        waiting.push(cable("4", &["c"]), 4);
        waiting.push(cable("5", &["d", "b"]), 5);

        // c joined: 1 and 4 go, 2 still needs b; nothing to announce (all
        // were announced when they started waiting).
        let released = waiting.release(given(&["c"]));
        assert_eq!(ids(&released.ready), ["1", "4"]);
        assert_eq!(
            released.ready.iter().map(|w| w.reply).collect::<Vec<_>>(),
            [Some(1), Some(4)]
        );
        assert!(released.announce.is_empty());
        assert_eq!(waiting.ids().collect::<Vec<_>>(), ["2", "3", "5"]);

        // A refresh with nothing new releases nothing.
        let released = waiting.release(given(&["c"]));
        assert!(released.ready.is_empty());
        assert_eq!(waiting.ids().count(), 3);

        let released = waiting.release(given(&["b", "c", "d"]));
        assert_eq!(ids(&released.ready), ["2", "3", "5"]);
        assert!(waiting.is_empty());
    }

    #[test]
    fn restored_cables_are_announced_once_with_what_they_miss() {
        let mut waiting: Waiting<()> = Waiting::restore(vec![cable("1", &["b", "c"]), cable("2", &["b"])]);
        let released = waiting.release(given(&["c"]));
        assert!(released.ready.is_empty());
        let announced: Vec<(&str, Vec<String>)> = released
            .announce
            .iter()
            .map(|(c, missing)| (c.id.as_str(), missing.clone()))
            .collect();
        assert_eq!(announced, [("1", vec!["b".to_owned()]), ("2", vec!["b".to_owned()])]);
        assert!(waiting.release(given(&["c"])).announce.is_empty(), "once");
        let released = waiting.release(given(&["b", "c"]));
        assert_eq!(ids(&released.ready), ["1", "2"]);
        assert!(released.ready.iter().all(|w| w.reply.is_none()));
    }
}
