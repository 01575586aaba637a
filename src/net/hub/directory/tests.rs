//! The whole-directory answer: encoded once per state of the directory and
//! shared by every node that asks, never stale, never shared with a
//! requester whose answer a hub adversary changed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::super::{Hub, HubConfig};
use crate::crypto::{DirectoryEntry, IdentityKey, NodeKeys};
use crate::model::{Day, E2eMode, Network, Node, Role, SecurityConfig};
use crate::net::framed::Outgoing;
use crate::net::hooks::HubTap;
use crate::net::{Alarms, DayClock, Direction, HubLimits};
use crate::wire::{DEFAULT_MAX_FRAME, Decoded, Frame, decode_frame};

const NODES: [&str; 3] = ["at-mfa", "be-mfa", "cy-mfa"];

fn hub(taps: Vec<Arc<dyn HubTap>>) -> Hub {
    let config = HubConfig {
        network: Network::new(NODES.map(|n| Node::new(n, Role::Ministry))).unwrap(),
        security: SecurityConfig::default(),
        tls: None,
        max_frame: DEFAULT_MAX_FRAME,
        handshake_timeout: Duration::from_secs(10),
        limits: HubLimits::default(),
    };
    Hub::new(config, DayClock::new(), Alarms::new(), taps)
}

/// An entry of `node` with fresh keys.
fn entry(node: &str) -> DirectoryEntry {
    NodeKeys::generate(node, E2eMode::ForwardSecret, 7, IdentityKey::generate(), None).publish()
}

/// The entries of an answer, and whether it went out as shared bytes.
fn entries_of(answer: &Outgoing) -> (Vec<DirectoryEntry>, bool) {
    let (frame, shared) = match answer {
        Outgoing::Frame(frame) => (frame.clone(), false),
        Outgoing::Encoded(bytes) => match decode_frame(bytes, DEFAULT_MAX_FRAME).unwrap() {
            Decoded::Frame { frame, consumed } => {
                assert_eq!(consumed, bytes.len(), "one frame, prefix included");
                (frame, true)
            }
            other => panic!("not a whole frame: {other:?}"),
        },
    };
    match frame {
        Frame::DirectoryAnswer { entries } => (entries, shared),
        other => panic!("not a directory answer: {other:?}"),
    }
}

fn shared_bytes(answer: &Outgoing) -> Arc<[u8]> {
    match answer {
        Outgoing::Encoded(bytes) => bytes.clone(),
        Outgoing::Frame(frame) => panic!("sent as a frame of its own: {frame:?}"),
    }
}

#[test]
fn every_node_gets_the_same_bytes_until_the_directory_changes() {
    let hub = hub(Vec::new());
    let (at, be) = (entry("at-mfa"), entry("be-mfa"));
    assert!(hub.publish("at-mfa", at.clone()).is_none());
    assert!(hub.publish("be-mfa", be.clone()).is_none());

    let first = hub.answer_directory("at-mfa", 0, &[]);
    let second = hub.answer_directory("be-mfa", 0, &[]);
    assert_eq!(entries_of(&first), (vec![at.clone(), be.clone()], true));
    assert!(
        Arc::ptr_eq(&shared_bytes(&first), &shared_bytes(&second)),
        "encoded once"
    );

    // A publication: the next answer holds it, in bytes of its own.
    let at_again = entry("at-mfa");
    assert!(hub.publish("at-mfa", at_again.clone()).is_none());
    let after_publish = hub.answer_directory("cy-mfa", 0, &[]);
    assert_eq!(entries_of(&after_publish), (vec![at_again.clone(), be.clone()], true));
    assert_ne!(shared_bytes(&first), shared_bytes(&after_publish));

    // A change made through `with_directory` (a hub adversary's) likewise.
    let cy = entry("cy-mfa");
    hub.with_directory(|directory| directory.publish(cy.clone()));
    let after_edit = hub.answer_directory("at-mfa", 0, &[]);
    assert_eq!(entries_of(&after_edit), (vec![at_again.clone(), be, cy], true));

    // A refused publication changes nothing: the bytes stay shared.
    assert!(hub.publish("at-mfa", entry("be-mfa")).is_some());
    let after_refusal = hub.answer_directory("be-mfa", 0, &[]);
    assert!(Arc::ptr_eq(&shared_bytes(&after_edit), &shared_bytes(&after_refusal)));

    // Some entries, by name: a frame of its own.
    let some = hub.answer_directory("be-mfa", 0, &["at-mfa".to_owned()]);
    assert_eq!(entries_of(&some), (vec![at_again], false));
}

/// Drops every entry of the answers to `victim`, and counts the answers it
/// sees leave the hub.
struct Blinds {
    victim: &'static str,
    answers_seen: Mutex<Vec<String>>,
}

impl HubTap for Blinds {
    fn on_frame(&self, _day: Day, peer: &str, direction: Direction, frame: &Frame) {
        if let (Direction::ToNode, Frame::DirectoryAnswer { .. }) = (direction, frame) {
            self.answers_seen.lock().unwrap().push(peer.to_owned());
        }
    }

    fn on_directory_answer(&self, _day: Day, requester: &str, entries: &mut Vec<DirectoryEntry>) {
        if requester == self.victim {
            entries.clear();
        }
    }
}

#[test]
fn an_answer_a_tap_changed_is_its_own_and_the_others_stay_shared() {
    let blinds = Arc::new(Blinds {
        victim: "be-mfa",
        answers_seen: Mutex::new(Vec::new()),
    });
    let hub = hub(vec![blinds.clone()]);
    let at = entry("at-mfa");
    assert!(hub.publish("at-mfa", at.clone()).is_none());

    let to_at = hub.answer_directory("at-mfa", 0, &[]);
    let to_be = hub.answer_directory("be-mfa", 0, &[]);
    let to_cy = hub.answer_directory("cy-mfa", 0, &[]);
    assert_eq!(entries_of(&to_at), (vec![at.clone()], true));
    assert_eq!(entries_of(&to_be), (Vec::new(), false), "the tap's edit is what leaves");
    assert_eq!(entries_of(&to_cy), (vec![at], true));
    assert!(Arc::ptr_eq(&shared_bytes(&to_at), &shared_bytes(&to_cy)));
    // Every answer is shown to the taps, shared or not.
    assert_eq!(*blinds.answers_seen.lock().unwrap(), ["at-mfa", "be-mfa", "cy-mfa"]);
}
