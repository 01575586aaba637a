//! `insider`: someone with access to the hub's archive exports all of it
//! on one day (ATT&CK T1213 Data from Information Repositories, T1052
//! Exfiltration Over Physical Medium) — Cablegate's central database.
//! What the export shows depends on what the archive keeps: plaintext
//! without end-to-end encryption, only headers with it.

use std::sync::Mutex;

use super::loot::{Capture, CaptureBytes, CaptureKind, Loot};
use super::position::identity_from_spec;
use super::{Adversary, AdversarySpec, Position, Site};
use crate::net::Hub;

/// A one-day bulk export of the hub archive.
pub struct Insider {
    spec: AdversarySpec,
    export: Mutex<Option<Capture>>,
}

impl Insider {
    /// An insider acting on the spec's day.
    pub fn new(spec: AdversarySpec) -> Self {
        Insider {
            spec,
            export: Mutex::new(None),
        }
    }
}

/// The hub archive as it stands, as one byte stream of stored frames.
///
/// The stream is pieced from the archive's own frames, shared rather than
/// copied: a frame is immutable, so the exported copy is the same bytes
/// (and a later pruning of the archive drops the archive's reference, not
/// the export's). A full-size Cablegate export would otherwise hold every
/// cable a second time. A frame the archive keeps around a body the nodes
/// share is exported the same way: the body is still that one copy.
pub(super) fn archive_export(site: &Site<'_>, via: String) -> Capture {
    let bytes: CaptureBytes = site
        .hub
        .map(Hub::archive_snapshot)
        .unwrap_or_default()
        .into_iter()
        .map(|cable| cable.frame)
        .collect();
    Capture {
        by: String::new(),
        via,
        kind: CaptureKind::Stored,
        bytes,
        link: None,
    }
}

impl Adversary for Insider {
    identity_from_spec!();

    fn position(&self) -> Position {
        Position::Hub
    }

    fn on_day(&self, site: &Site<'_>) {
        let export = archive_export(site, format!("insider export of the hub archive, day {}", site.day));
        *self.export.lock().unwrap_or_else(|p| p.into_inner()) = Some(export);
    }

    fn loot(&self) -> Loot {
        Loot {
            captures: self
                .export
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .cloned()
                .collect(),
            ..Loot::default()
        }
    }
}
