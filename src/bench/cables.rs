//! The bench's network and cables: one sender, N recipients, every cable
//! from the sender to all of them, with a body of the chosen size. Every
//! measurement sends these same cables.

use super::BenchError;
use super::options::BenchOptions;
use crate::crypto::{CablePayload, ClearCable};
use crate::model::{Cable, CableContent, CableHeader, Classification, Day, Network, Node, Role};
use crate::wire::{DEFAULT_MAX_FRAME, Frame, encode_frame};

/// The one node that sends.
pub(super) const SENDER: &str = "bench-sender";

/// The day every bench cable is sent: epoch 0, the one fresh
/// `forward-secret` keys start in.
pub(super) const DAY: Day = 0;

/// The recipients' names, sorted (as R(c) is).
pub(super) fn recipient_names(recipients: usize) -> Vec<String> {
    (1..=recipients).map(|i| format!("bench-r{i:03}")).collect()
}

/// The hub, the sender and `recipients` recipients. Under `need-to-know`
/// distribution R(c) is exactly the addressees, so every cable goes to
/// the N recipients and no one else.
pub(super) fn network(recipients: usize) -> Network {
    let nodes = std::iter::once(Node::new(SENDER, Role::Ministry)).chain(
        recipient_names(recipients)
            .into_iter()
            .map(|n| Node::new(n, Role::Mission)),
    );
    // The names are valid and distinct by construction.
    Network::new(nodes).unwrap_or_else(|e| unreachable!("bench names are valid: {e}"))
}

/// A body of exactly `size` bytes of cable-like text.
pub(super) fn body(size: usize) -> String {
    const PARAGRAPH: &str = "The delegation reports that member states remain divided on the sanctions package. ";
    PARAGRAPH.repeat(size / PARAGRAPH.len() + 1).split_at(size).0.to_owned()
}

/// The content every bench cable carries.
pub(super) fn content(size: usize) -> CableContent {
    CableContent {
        subject: "Sanctions package: member state positions".to_owned(),
        body: body(size),
    }
}

/// Cable number `index` of a run labelled `run`, as the sender writes it.
pub(super) fn cable(run: &str, index: usize, recipients: &[String], content: &CableContent) -> Cable {
    Cable {
        id: format!("{run}-{index:06}"),
        day: DAY,
        from: SENDER.to_owned(),
        to: recipients.to_vec(),
        classification: Classification::Restricted,
        subject: content.subject.clone(),
        body: content.body.clone(),
        // Nobody looks for leaks here: there is no adversary to find them.
        canary: String::new(),
    }
}

/// The routing header of cable `index` of run `run`.
pub(super) fn header(run: &str, index: usize, recipients: &[String]) -> CableHeader {
    CableHeader {
        version: CableHeader::VERSION,
        id: format!("{run}-{index:06}"),
        day: DAY,
        from: SENDER.to_owned(),
        to: recipients.to_vec(),
        recipients: recipients.to_vec(),
        classification: Classification::Restricted,
    }
}

/// The `submit` frames of the e2e-off network, encoded once: clear,
/// unsigned cables. The forwarder and the hub relay carry these same bytes.
pub(super) fn submit_frames(options: &BenchOptions) -> Result<Vec<Vec<u8>>, BenchError> {
    let names = recipient_names(options.recipients);
    let content = content(options.size);
    (0..options.cables)
        .map(|i| {
            let payload = CablePayload::Clear(ClearCable::new(header("F", i, &names), content.clone(), None));
            Ok(encode_frame(&Frame::Submit { payload }, DEFAULT_MAX_FRAME)?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Distribution, recipients};

    #[test]
    fn bodies_have_exactly_the_asked_size() {
        for size in [1, 84, 85, 4096, 100_000] {
            assert_eq!(body(size).len(), size);
        }
    }

    #[test]
    fn every_cable_reaches_exactly_the_recipients() {
        let names = recipient_names(3);
        let cable = cable("T", 1, &names, &content(10));
        let r = recipients(&cable.from, &cable.to, &network(3), Distribution::NeedToKnow);
        assert_eq!(r, names);
        assert_eq!(cable.header(r), header("T", 1, &names));
    }
}
