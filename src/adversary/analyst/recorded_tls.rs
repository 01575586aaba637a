//! Recorded TLS links under a quantum computer (ARCHITECTURE.md, rule 10
//! (a)): the analyst reads which key exchange each recorded session
//! negotiated from its ServerHello, and only where it was plain X25519
//! does the quantum computer release that session's secrets. The records
//! are then opened with rustls's own record decryption and read like a
//! plain link. A hybrid session (X25519MLKEM768) stays closed, because its
//! ML-KEM half is out of a quantum computer's reach.

use std::collections::BTreeMap;

use rustls::NamedGroup;

use super::super::loot::{Capture, CaptureKind, LinkSide, Loot};
use super::super::tls_records::looks_like_tls;
use super::super::tls_sessions::{decrypt, recorded_sessions};
use super::{Analyst, Exposure, KeyRing};

impl Analyst<'_> {
    /// Opens every recorded TLS session of `loot` that a quantum computer
    /// of its actor can: both directions of each recorded link, paired.
    pub(super) fn open_recorded_tls(&self, exposure: &mut Exposure, keys: &KeyRing<'_>, loot: &Loot) {
        let Some(quantum) = &loot.quantum else {
            return;
        };
        let Some(escrow) = &quantum.tls else {
            return;
        };
        // Both directions of each link, per adversary that recorded it.
        let mut links: BTreeMap<(&str, &str), [Option<&Capture>; 2]> = BTreeMap::new();
        for capture in &loot.captures {
            let Some(LinkSide { node, to_hub }) = &capture.link else {
                continue;
            };
            if capture.kind == CaptureKind::Wire {
                let sides = links.entry((capture.by.as_str(), node.as_str())).or_default();
                sides[usize::from(!*to_hub)] = Some(capture);
            }
        }
        for [up, down] in links.into_values() {
            let (Some(up), Some(down)) = (up, down) else {
                continue;
            };
            let (up_bytes, down_bytes) = (up.bytes.contiguous(), down.bytes.contiguous());
            if !looks_like_tls(&up_bytes) {
                continue;
            }
            for session in recorded_sessions(&up_bytes, &down_bytes) {
                if session.group() != NamedGroup::X25519 {
                    continue;
                }
                let Some(secrets) = escrow.secrets(&session.client_random) else {
                    continue;
                };
                let Ok(plain) = decrypt(&session, &secrets) else {
                    continue;
                };
                for (capture, bytes) in [(up, &plain.to_hub), (down, &plain.to_node)] {
                    let via = format!("{}, TLS (X25519) opened by a quantum computer", capture.via);
                    let by = [capture.by.as_str(), quantum.by.as_str()];
                    self.read_plain_stream(exposure, keys, &[bytes.as_slice()], &via, &by);
                }
            }
        }
    }
}
