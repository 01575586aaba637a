//! Alarms: attacks a node or the hub detected (the `alarms` exposure, see
//! "Adversaries" in ARCHITECTURE.md). Each is logged at ERROR under the
//! target `cablesim::alarm`, with the ATT&CK technique of
//! [`AlarmKind::attack_technique`], and kept for the report.

use std::fmt;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::model::Day;

/// What kind of attack was detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AlarmKind {
    /// A TLS peer presented a certificate that did not verify, or none.
    CertificateRejected,
    /// A client certificate does not match the name the client claims.
    IdentityMismatch,
    /// A directory key was not signed by its owner's certified identity.
    KeyPinning,
    /// An envelope failed authentication (tampered header, wrap or body).
    Aead,
    /// A cable's signature was missing or wrong.
    Signature,
    /// A cable id arrived a second time.
    Replay,
    /// A cable claimed a sender other than the connection it came from.
    SenderMismatch,
    /// A frame could not be decoded or broke the protocol.
    Malformed,
}

impl AlarmKind {
    /// The name used in reports and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmKind::CertificateRejected => "certificate-rejected",
            AlarmKind::IdentityMismatch => "identity-mismatch",
            AlarmKind::KeyPinning => "key-pinning",
            AlarmKind::Aead => "aead",
            AlarmKind::Signature => "signature",
            AlarmKind::Replay => "replay",
            AlarmKind::SenderMismatch => "sender-mismatch",
            AlarmKind::Malformed => "malformed",
        }
    }
}

impl AlarmKind {
    /// The MITRE ATT&CK technique the detected attempt belongs to, for a
    /// SIEM to correlate alarms with the leaks an adversary caused; `None`
    /// where the alarm alone does not tell an attack from a fault.
    ///
    /// | alarm | technique | why |
    /// |---|---|---|
    /// | `certificate-rejected` | T1557 Adversary-in-the-Middle | someone on the link offered a certificate of its own |
    /// | `identity-mismatch` | T1557 | a TLS client claimed a name its certificate does not carry: a relay speaking for a node |
    /// | `key-pinning` | T1557 | a directory key the owner never certified: the hub (or someone inside it) putting itself between sender and recipient |
    /// | `replay` | T1557 | a cable id seen before: bytes recorded and sent again by someone on the path |
    /// | `signature` | T1565.002 Transmitted Data Manipulation | a cable that its claimed sender did not sign: forged or altered in transit |
    /// | `aead` | T1565.002 | an envelope altered after it was sealed |
    /// | `sender-mismatch` | T1565.002 | a cable submitted in another node's name |
    /// | `malformed` | none | a broken frame is as likely a bug as an attack |
    pub fn attack_technique(self) -> Option<&'static str> {
        match self {
            AlarmKind::CertificateRejected
            | AlarmKind::IdentityMismatch
            | AlarmKind::KeyPinning
            | AlarmKind::Replay => Some("T1557"),
            AlarmKind::Signature | AlarmKind::Aead | AlarmKind::SenderMismatch => Some("T1565.002"),
            AlarmKind::Malformed => None,
        }
    }
}

impl fmt::Display for AlarmKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One detected attack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Alarm {
    /// Simulated day.
    pub day: Day,
    /// The node (or `hub`) that detected it.
    pub node: String,
    /// What was detected.
    pub kind: AlarmKind,
    /// Details: which cable, which peer, which key.
    pub detail: String,
    /// The cable concerned, if the alarm is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cable: Option<String>,
    /// The link concerned (named by its node), if the alarm is about a
    /// connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// What an alarm is about, besides its kind and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlarmSubject {
    /// A cable id.
    pub cable: Option<String>,
    /// A link, named by its node.
    pub link: Option<String>,
}

impl AlarmSubject {
    /// About a cable.
    pub fn cable(id: &str) -> Self {
        AlarmSubject {
            cable: Some(id.to_owned()),
            link: None,
        }
    }

    /// About a link.
    pub fn link(node: &str) -> Self {
        AlarmSubject {
            cable: None,
            link: Some(node.to_owned()),
        }
    }
}

/// Where alarms of a run are collected.
#[derive(Clone, Default)]
pub struct Alarms(Arc<AlarmsInner>);

type AlarmObserver = Arc<dyn Fn(&Alarm) + Send + Sync>;

#[derive(Default)]
struct AlarmsInner {
    raised: Mutex<Vec<Alarm>>,
    /// Whether raised alarms are kept for [`Alarms::sorted`]. A process
    /// prints each alarm as it happens and never reads them back; keeping
    /// them would let a flood of bad connections grow it without end.
    unkept: bool,
    /// Called for every alarm as it is raised: how a node process prints
    /// its alarms the moment they happen (README.md, "Run it across
    /// laptops").
    observers: Mutex<Vec<AlarmObserver>>,
    /// The configuration (preset) the run is measured under, logged with
    /// every alarm: a matrix runs several at once into one log.
    config: Option<String>,
}

impl std::fmt::Debug for Alarms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alarms")
            .field("raised", &self.len())
            .finish_non_exhaustive()
    }
}

impl Alarms {
    /// No alarms yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Alarms that are logged and handed to observers as they are raised,
    /// but not kept: [`Alarms::sorted`] stays empty. For long-running hub
    /// and node processes, which print every alarm at once, so that their
    /// memory does not grow with the alarms hostile peers cause.
    pub fn unkept() -> Self {
        Alarms(Arc::new(AlarmsInner {
            unkept: true,
            ..AlarmsInner::default()
        }))
    }

    /// Alarms of a run under the configuration `config` (a preset name),
    /// which every alarm event logs as its `config` field.
    pub fn for_config(config: Option<String>) -> Self {
        Alarms(Arc::new(AlarmsInner {
            config,
            ..AlarmsInner::default()
        }))
    }

    /// Logs and records an alarm.
    pub fn raise(&self, day: Day, node: &str, kind: AlarmKind, detail: impl Into<String>) {
        self.raise_about(day, node, kind, detail, AlarmSubject::default());
    }

    /// Logs and records an alarm about a cable or a link.
    pub fn raise_about(&self, day: Day, node: &str, kind: AlarmKind, detail: impl Into<String>, about: AlarmSubject) {
        let detail = detail.into();
        tracing::error!(
            target: "cablesim::alarm", day, node, kind = kind.as_str(), detail = %detail,
            attack = kind.attack_technique(), cable = about.cable.as_deref(), link = about.link.as_deref(),
            config = self.0.config.as_deref(), "alarm"
        );
        let alarm = Alarm {
            day,
            node: node.to_owned(),
            kind,
            detail,
            cable: about.cable,
            link: about.link,
        };
        let observers: Vec<AlarmObserver> = lock(&self.0.observers).clone();
        for observe in &observers {
            observe(&alarm);
        }
        if !self.0.unkept {
            lock(&self.0.raised).push(alarm);
        }
    }

    /// Calls `observe` for every alarm raised from now on, as it is raised.
    pub fn observe(&self, observe: impl Fn(&Alarm) + Send + Sync + 'static) {
        lock(&self.0.observers).push(Arc::new(observe));
    }

    /// Every alarm so far, sorted (day, node, kind, detail) so that reports
    /// do not depend on task scheduling.
    pub fn sorted(&self) -> Vec<Alarm> {
        let mut all = lock(&self.0.raised).clone();
        all.sort();
        all
    }

    /// Number of alarms so far.
    pub fn len(&self) -> usize {
        lock(&self.0.raised).len()
    }

    /// Whether no alarm was raised.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A poisoned lock only means a panic elsewhere; the list is still whole.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn raise_three(alarms: &Alarms) -> Arc<AtomicUsize> {
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        alarms.observe(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        for peer in ["a", "b", "c"] {
            alarms.raise(0, "hub", AlarmKind::Malformed, format!("peer {peer}: garbage"));
        }
        seen
    }

    #[test]
    fn alarms_are_kept_for_the_report() {
        let alarms = Alarms::new();
        let seen = raise_three(&alarms);
        assert_eq!(seen.load(Ordering::SeqCst), 3);
        assert_eq!(alarms.len(), 3);
        assert_eq!(alarms.sorted()[0].detail, "peer a: garbage");
    }

    #[test]
    fn unkept_alarms_reach_observers_and_are_not_held() {
        let alarms = Alarms::unkept();
        let seen = raise_three(&alarms);
        assert_eq!(seen.load(Ordering::SeqCst), 3);
        assert!(alarms.is_empty());
        assert_eq!(alarms.sorted(), Vec::<Alarm>::new());
    }
}
