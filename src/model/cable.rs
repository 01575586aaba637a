//! Cables: the header everyone on the path can see, and the content only
//! recipients should.

use serde::{Deserialize, Serialize};

use super::{Classification, Day};

/// A diplomatic cable as its author wrote it (ARCHITECTURE.md, "The world").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cable {
    /// Unique id, e.g. `C-000042`.
    pub id: String,
    /// The simulated day it is sent.
    pub day: Day,
    /// The sending node.
    pub from: String,
    /// The addressees as written; the distribution adds more (see
    /// [`super::recipients`]).
    pub to: Vec<String>,
    /// Sensitivity level.
    pub classification: Classification,
    /// Subject line.
    pub subject: String,
    /// Body text. It always contains [`Cable::canary`], so that any copy of
    /// the plaintext betrays which cable it came from.
    pub body: String,
    /// The unique token hidden in the body (see [`super::Canaries`]).
    pub canary: String,
}

impl Cable {
    /// The part of the cable a relay needs to route it: no subject, no body.
    pub fn header(&self, recipients: Vec<String>) -> CableHeader {
        CableHeader {
            version: CableHeader::VERSION,
            id: self.id.clone(),
            day: self.day,
            from: self.from.clone(),
            to: self.to.clone(),
            recipients,
            classification: self.classification,
        }
    }

    /// The part of the cable only its recipients should read.
    pub fn content(&self) -> CableContent {
        CableContent {
            subject: self.subject.clone(),
            body: self.body.clone(),
        }
    }

    /// Reassembles a cable from what travelled: header and content. The
    /// canary is not recovered here; finding it is the analyst's job.
    pub fn from_parts(header: &CableHeader, content: CableContent, canary: String) -> Cable {
        Cable {
            id: header.id.clone(),
            day: header.day,
            from: header.from.clone(),
            to: header.to.clone(),
            classification: header.classification,
            subject: content.subject,
            body: content.body,
            canary,
        }
    }
}

/// The routing metadata of a cable: what the hub must read to relay it, and
/// therefore what a hub, a tap on a plain link or an archive exposes even under
/// end-to-end encryption ("routing" exposure: ARCHITECTURE.md, "Adversaries").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CableHeader {
    /// Format version; receivers refuse versions they do not know.
    pub version: u8,
    /// Cable id.
    pub id: String,
    /// Day sent.
    pub day: Day,
    /// Claimed sender (authenticated only by a signature, when present).
    pub from: String,
    /// Addressees as written.
    pub to: Vec<String>,
    /// R(c): everyone the cable is distributed to, sorted.
    pub recipients: Vec<String>,
    /// Sensitivity level.
    pub classification: Classification,
}

impl CableHeader {
    /// The only header version this build reads and writes.
    pub const VERSION: u8 = 1;
}

/// Subject and body: what end-to-end encryption protects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CableContent {
    /// Subject line.
    pub subject: String,
    /// Body text, canary included.
    pub body: String,
}
