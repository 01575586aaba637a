//! Nodes, their roles, and the network they form around the hub.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The name of the one central relay (ARCHITECTURE.md, "The world").
pub const HUB: &str = "hub";

/// What a node is in the network (ARCHITECTURE.md, "The world").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The central relay; exactly one, named `hub`.
    Hub,
    /// Headquarters (a council secretariat, a State Department).
    Hq,
    /// A member state's foreign ministry.
    Ministry,
    /// An embassy or delegation abroad.
    Mission,
}

impl Role {
    /// The lowercase name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Hub => "hub",
            Role::Hq => "hq",
            Role::Ministry => "ministry",
            Role::Mission => "mission",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the four role names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (expected hub, hq, ministry or mission)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Role::Hub, Role::Hq, Role::Ministry, Role::Mission]
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// One participant of the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// Unique name; also the subject of its certificate and its directory entry.
    pub name: String,
    /// What the node is.
    pub role: Role,
    /// Per-node override of `security.verify_server` (a mission on hotel
    /// Wi-Fi that skips certificate checks is the classic case).
    pub verify_server: Option<bool>,
}

impl Node {
    /// A node with no per-node overrides.
    pub fn new(name: impl Into<String>, role: Role) -> Self {
        Node {
            name: name.into(),
            role,
            verify_server: None,
        }
    }
}

/// Why a set of nodes does not form a valid network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Two nodes share a name.
    #[error("node {0:?} is defined twice")]
    DuplicateName(String),
    /// A node other than the hub uses the hub's name, or the hub is misnamed.
    #[error("the hub must be named {HUB:?} and no other node may use that name (got {0:?})")]
    HubName(String),
    /// A node name is empty or has characters that do not fit in a
    /// certificate name or a file name.
    #[error("node name {0:?} must be 1-63 characters of a-z, 0-9 and '-'")]
    BadName(String),
}

/// The hub plus every other node, in a stable order (hub first, then by name).
///
/// A network never changes once built, and every node of a run holds it
/// (for R(c)): clones share one copy rather than each holding the whole
/// list and its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    nodes: Arc<[Node]>,
    index: Arc<BTreeMap<String, usize>>,
}

impl Network {
    /// Builds a network from its non-hub nodes; the hub is added.
    pub fn new(nodes: impl IntoIterator<Item = Node>) -> Result<Self, NetworkError> {
        let mut all = vec![Node::new(HUB, Role::Hub)];
        for node in nodes {
            if node.role == Role::Hub || node.name == HUB {
                return Err(NetworkError::HubName(node.name));
            }
            if !valid_node_name(&node.name) {
                return Err(NetworkError::BadName(node.name));
            }
            all.push(node);
        }
        all[1..].sort_by(|a, b| a.name.cmp(&b.name));
        let mut index = BTreeMap::new();
        for (i, node) in all.iter().enumerate() {
            if index.insert(node.name.clone(), i).is_some() {
                return Err(NetworkError::DuplicateName(node.name.clone()));
            }
        }
        Ok(Network {
            nodes: all.into(),
            index: Arc::new(index),
        })
    }

    /// A network with generated names: `ministries` foreign ministries
    /// (`at-mfa`, `be-mfa`, ...), `missions` missions (`del-washington`, ...)
    /// and, if `hq`, one node named `hq`.
    pub fn generated(ministries: usize, missions: usize, hq: bool) -> Self {
        // Generated names are distinct, valid and never "hub" by construction.
        Network::new(Self::generated_nodes(ministries, missions, hq))
            .unwrap_or_else(|e| unreachable!("generated names are valid: {e}"))
    }

    /// The nodes [`Network::generated`] would contain (hub excepted), for
    /// combining with explicitly listed ones.
    pub fn generated_nodes(ministries: usize, missions: usize, hq: bool) -> Vec<Node> {
        let mut nodes = Vec::with_capacity(ministries + missions + 1);
        if hq {
            nodes.push(Node::new("hq", Role::Hq));
        }
        nodes.extend(super::names::ministry_names(ministries).map(|n| Node::new(n, Role::Ministry)));
        nodes.extend(super::names::mission_names(missions).map(|n| Node::new(n, Role::Mission)));
        nodes
    }

    /// Every node, hub first, then by name.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every node except the hub, by name.
    pub fn endpoints(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.role != Role::Hub)
    }

    /// The node with this name.
    pub fn get(&self, name: &str) -> Option<&Node> {
        self.index.get(name).map(|&i| &self.nodes[i])
    }

    /// Whether a node of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Names of the nodes with this role, sorted.
    pub fn names_with_role(&self, role: Role) -> impl Iterator<Item = &str> {
        self.nodes
            .iter()
            .filter(move |n| n.role == role)
            .map(|n| n.name.as_str())
    }

    /// Number of nodes, hub included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: a network has at least its hub.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Names are used as TLS subject names and file names, so they are kept to
/// a DNS-label-like alphabet.
pub fn valid_node_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_comes_first_then_names_sorted() {
        let net = Network::new([
            Node::new("de-mfa", Role::Ministry),
            Node::new("at-mfa", Role::Ministry),
            Node::new("del-kyiv", Role::Mission),
        ])
        .unwrap();
        let names: Vec<_> = net.nodes().iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["hub", "at-mfa", "de-mfa", "del-kyiv"]);
        assert_eq!(net.get("de-mfa").unwrap().role, Role::Ministry);
        assert_eq!(net.endpoints().count(), 3);
    }

    #[test]
    fn generated_network_has_the_asked_sizes() {
        let net = Network::generated(28, 5, true);
        assert_eq!(net.len(), 1 + 1 + 28 + 5);
        assert_eq!(net.names_with_role(Role::Ministry).count(), 28);
        assert_eq!(net.names_with_role(Role::Mission).count(), 5);
        assert!(net.contains("cy-mfa"));
        assert!(net.contains("hq"));
    }

    #[test]
    fn fail_duplicate_name() {
        let err = Network::new([Node::new("at-mfa", Role::Ministry), Node::new("at-mfa", Role::Mission)]).unwrap_err();
        assert_eq!(err, NetworkError::DuplicateName("at-mfa".into()));
    }

    #[test]
    fn fail_second_hub() {
        let err = Network::new([Node::new("hub", Role::Ministry)]).unwrap_err();
        assert_eq!(err, NetworkError::HubName("hub".into()));
        let err = Network::new([Node::new("relay", Role::Hub)]).unwrap_err();
        assert_eq!(err, NetworkError::HubName("relay".into()));
    }

    #[test]
    fn fail_bad_names() {
        for bad in ["", "Caps", "with space", "-lead", "trail-", &"x".repeat(64)] {
            let err = Network::new([Node::new(bad, Role::Mission)]).unwrap_err();
            assert_eq!(err, NetworkError::BadName(bad.into()));
        }
    }

    #[test]
    fn roles_parse() {
        assert_eq!("ministry".parse::<Role>(), Ok(Role::Ministry));
        assert_eq!("embassy".parse::<Role>(), Err(UnknownRole("embassy".into())));
    }
}
