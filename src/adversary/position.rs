//! The `Adversary` trait: where an adversary sits, when it is active, and
//! what its position hands it.

use std::sync::Arc;

use super::loot::Loot;
use crate::crypto::{DirectoryEntry, Opened};
use crate::model::{Cable, Day, DayWindow, Network, SecurityConfig};
use crate::net::{Alarm, Direction, Hub, Middlebox, NodeHandle};
use crate::wire::Frame;

/// Where an adversary is planted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Position {
    /// On the link between this node and the hub.
    Link(String),
    /// Inside the hub.
    Hub,
    /// Inside this node.
    Node(String),
    /// Nowhere in the network: it works on its actor's recordings (a
    /// quantum computer). The runner hands it every node, every day.
    Recordings,
}

/// What the runner hands an adversary at the start of each of its active
/// days, before that day's cables: the position's state as it stands.
pub struct Site<'a> {
    /// Today.
    pub day: Day,
    /// The network.
    pub network: &'a Network,
    /// Effective security settings.
    pub security: &'a SecurityConfig,
    /// The hub (for [`Position::Hub`]: its archive, directory, relay),
    /// when it runs in this process: a node process of the multi-process
    /// mode has none.
    pub hub: Option<&'a Hub>,
    /// The node at a [`Position::Node`] or [`Position::Link`], if it is
    /// connected: its inbox, sent items and keys.
    pub node: Option<&'a NodeHandle>,
}

/// An adversary: planted at a [`Position`], active in a [`DayWindow`],
/// collecting [`Loot`] from exactly what its position gives it.
///
/// The runner calls the hooks of its position, and only on days inside its
/// window: [`Adversary::on_link_bytes`] for a link, [`Adversary::on_hub_frame`]
/// and [`Adversary::edit_directory`] for the hub, [`Adversary::on_delivery`]
/// and [`Adversary::on_sent`] for a node; [`Adversary::on_day`] at the start
/// of every active day for all positions. Active adversaries on a link
/// provide a [`Middlebox`] that carries (and may alter) the link's bytes.
/// At the end of the run, [`Adversary::loot`] goes to the analyst.
///
/// Every hook has a default that ignores the material, so an adversary
/// implements only those of its position. See `examples/custom_adversary.rs`.
pub trait Adversary: Send + Sync {
    /// Unique name in the run: "tap@del-kyiv".
    fn name(&self) -> &str;

    /// The actor it belongs to; adversaries of one actor pool their loot.
    fn actor(&self) -> &str;

    /// Where it sits.
    fn position(&self) -> Position;

    /// When it is active.
    fn window(&self) -> DayWindow;

    /// MITRE ATT&CK techniques its actions correspond to.
    fn attack_techniques(&self) -> Vec<String>;

    /// Start of an active day.
    fn on_day(&self, site: &Site<'_>) {
        let _ = site;
    }

    /// Bytes crossing its link ([`Position::Link`]).
    fn on_link_bytes(&self, day: Day, direction: Direction, bytes: &[u8]) {
        let _ = (day, direction, bytes);
    }

    /// A frame the hub handled ([`Position::Hub`]).
    fn on_hub_frame(&self, day: Day, peer: &str, direction: Direction, frame: &Frame) {
        let _ = (day, peer, direction, frame);
    }

    /// A directory answer about to leave the hub ([`Position::Hub`]).
    fn edit_directory(&self, day: Day, requester: &str, entries: &mut Vec<DirectoryEntry>) {
        let _ = (day, requester, entries);
    }

    /// A cable its node accepted ([`Position::Node`]), or, if
    /// [`Adversary::watches_every_delivery`], any node.
    fn on_delivery(&self, day: Day, node: &str, cable: &Opened) {
        let _ = (day, node, cable);
    }

    /// A cable its node sent ([`Position::Node`]).
    fn on_sent(&self, day: Day, cable: &Cable) {
        let _ = (day, cable);
    }

    /// Whether [`Adversary::on_delivery`] should see every node's
    /// deliveries: not something the adversary could see, but how the
    /// simulation measures whether its forgeries were accepted.
    fn watches_every_delivery(&self) -> bool {
        false
    }

    /// The middlebox it puts on its link, if it is an active link adversary.
    fn middlebox(self: Arc<Self>) -> Option<Arc<dyn Middlebox>> {
        None
    }

    /// Whether nodes must fetch the directory again at the start of `day`
    /// (a hub that starts or stops serving a poisoned directory).
    fn refreshes_directory_on(&self, day: Day) -> bool {
        let _ = day;
        false
    }

    /// Whether `alarm` was caused by this adversary's actions.
    fn caused(&self, alarm: &Alarm) -> bool {
        let _ = alarm;
        false
    }

    /// Everything collected so far.
    fn loot(&self) -> Loot;
}

/// The identity methods of a built-in adversary, read from the
/// [`super::AdversarySpec`] it keeps in `self.spec`: name, actor, window
/// and the ATT&CK techniques (the spec's own, else its kind's).
macro_rules! identity_from_spec {
    () => {
        fn name(&self) -> &str {
            &self.spec.name
        }

        fn actor(&self) -> &str {
            &self.spec.actor
        }

        fn window(&self) -> crate::model::DayWindow {
            self.spec.window
        }

        fn attack_techniques(&self) -> Vec<String> {
            self.spec.attack_techniques()
        }
    };
}

pub(super) use identity_from_spec;
