//! What security cost on the wire in a run: the envelopes its senders
//! sealed and the TLS handshakes its nodes made, counted from the run
//! itself (README.md, "Report files").

use std::collections::BTreeSet;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

/// Bytes and counts of a run's envelopes and TLS handshakes. Totals only
/// (the report is compared byte for byte): means are worked out when it is
/// shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireCosts {
    /// Sealed envelopes the senders produced, one per cable sent (none
    /// under `e2e = off`).
    pub envelopes: u64,
    /// Their bytes as encoded, all together.
    pub envelope_bytes: u64,
    /// Wraps in them for one recipient key each (a `group` envelope's one
    /// wrap, under the shared key, is not one).
    pub wraps: u64,
    /// The bytes those wraps occupy in the envelopes.
    pub wrap_bytes: u64,
    /// TLS handshakes the nodes completed (none under `transport = plain`).
    pub handshakes: u64,
    /// Their bytes, both directions, counted on the nodes' connections
    /// below TLS.
    pub handshake_bytes: u64,
    /// The key exchange group those handshakes negotiated, as TLS names
    /// it ("X25519", "X25519MLKEM768"; several are joined by ", ").
    pub tls_group: Option<String>,
    /// What the envelopes' secret was wrapped with: "X25519",
    /// "X25519 + ML-KEM-768" or "group key".
    pub e2e_agreement: Option<String>,
}

impl WireCosts {
    /// Adds `other`'s figures to these: how multi-process mode sums what
    /// each node process counted.
    pub fn absorb(&mut self, other: &WireCosts) {
        self.envelopes += other.envelopes;
        self.envelope_bytes += other.envelope_bytes;
        self.wraps += other.wraps;
        self.wrap_bytes += other.wrap_bytes;
        self.handshakes += other.handshakes;
        self.handshake_bytes += other.handshake_bytes;
        self.tls_group = union(self.tls_group.as_deref(), other.tls_group.as_deref());
        self.e2e_agreement = union(self.e2e_agreement.as_deref(), other.e2e_agreement.as_deref());
    }

    /// Mean bytes of one envelope, if there was any.
    pub fn envelope_mean(&self) -> Option<u64> {
        mean(self.envelope_bytes, self.envelopes)
    }

    /// Mean bytes one recipient key adds to an envelope, if any was wrapped for.
    pub fn wrap_mean(&self) -> Option<u64> {
        mean(self.wrap_bytes, self.wraps)
    }

    /// Mean bytes of one handshake, if there was any.
    pub fn handshake_mean(&self) -> Option<u64> {
        mean(self.handshake_bytes, self.handshakes)
    }

    /// The one line of the text report: "Wire cost: envelopes 2,399 B on
    /// average, 1,161 B per recipient key (X25519 + ML-KEM-768); TLS
    /// handshakes 3,970 B each (X25519MLKEM768), 33 handshakes."
    pub fn sentence(&self) -> String {
        let mut out = String::from("Wire cost: ");
        match self.envelope_mean() {
            None => out.push_str("no envelopes (cables travel without end-to-end encryption)"),
            Some(envelope) => {
                let _ = write!(out, "envelopes {} B on average, ", grouped(envelope));
                let agreement = self.e2e_agreement.as_deref().unwrap_or("unknown");
                match self.wrap_mean() {
                    Some(wrap) => {
                        let _ = write!(out, "{} B per recipient key ({agreement})", grouped(wrap));
                    }
                    None => {
                        let _ = write!(out, "no per-recipient wraps ({agreement})");
                    }
                }
            }
        }
        match self.handshake_mean() {
            None => out.push_str("; no TLS handshakes."),
            Some(handshake) => {
                let _ = write!(
                    out,
                    "; TLS handshakes {} B each ({}), {} handshake{}.",
                    grouped(handshake),
                    self.tls_group.as_deref().unwrap_or("unknown group"),
                    grouped(self.handshakes),
                    if self.handshakes == 1 { "" } else { "s" }
                );
            }
        }
        out
    }
}

/// Both lists of names ("a, b"), each name once, sorted.
fn union(a: Option<&str>, b: Option<&str>) -> Option<String> {
    let names: BTreeSet<&str> = a.into_iter().chain(b).flat_map(|list| list.split(", ")).collect();
    (!names.is_empty()).then(|| names.into_iter().collect::<Vec<_>>().join(", "))
}

/// `total / count`, rounded to the nearest byte, or `None` for no count.
fn mean(total: u64, count: u64) -> Option<u64> {
    (count > 0).then(|| (total + count / 2) / count)
}

/// `n` with a comma between groups of three digits: "40,707".
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (40707, "40,707"),
            (1234567, "1,234,567"),
        ];
        for (n, text) in cases {
            assert_eq!(grouped(n), text);
        }
    }

    #[test]
    fn absorbing_sums_and_joins_names_once() {
        let one = WireCosts {
            envelopes: 1,
            envelope_bytes: 10,
            wraps: 2,
            wrap_bytes: 4,
            handshakes: 1,
            handshake_bytes: 100,
            tls_group: Some("X25519MLKEM768".into()),
            e2e_agreement: Some("X25519".into()),
        };
        let mut sum = WireCosts::default();
        sum.absorb(&one);
        sum.absorb(&WireCosts {
            tls_group: Some("X25519".into()),
            ..one.clone()
        });
        assert_eq!(
            sum,
            WireCosts {
                envelopes: 2,
                envelope_bytes: 20,
                wraps: 4,
                wrap_bytes: 8,
                handshakes: 2,
                handshake_bytes: 200,
                tls_group: Some("X25519, X25519MLKEM768".into()),
                e2e_agreement: Some("X25519".into()),
            }
        );
    }

    #[test]
    fn means_round_to_the_nearest_byte() {
        assert_eq!(mean(7, 2), Some(4));
        assert_eq!(mean(5, 3), Some(2));
        assert_eq!(mean(5, 0), None);
    }

    #[test]
    fn the_sentence_says_what_was_measured() {
        let costs = WireCosts {
            envelopes: 3,
            envelope_bytes: 122_121,
            wraps: 10,
            wrap_bytes: 11_610,
            handshakes: 33,
            handshake_bytes: 33 * 3970,
            tls_group: Some("X25519MLKEM768".into()),
            e2e_agreement: Some("X25519 + ML-KEM-768".into()),
        };
        assert_eq!(
            costs.sentence(),
            "Wire cost: envelopes 40,707 B on average, 1,161 B per recipient key (X25519 + ML-KEM-768); \
             TLS handshakes 3,970 B each (X25519MLKEM768), 33 handshakes."
        );
    }

    #[test]
    fn nothing_measured_is_said_so_without_dividing() {
        assert_eq!(
            WireCosts::default().sentence(),
            "Wire cost: no envelopes (cables travel without end-to-end encryption); no TLS handshakes."
        );
        let group = WireCosts {
            envelopes: 2,
            envelope_bytes: 1000,
            handshakes: 1,
            handshake_bytes: 1500,
            tls_group: Some("X25519".into()),
            e2e_agreement: Some("group key".into()),
            ..WireCosts::default()
        };
        assert_eq!(
            group.sentence(),
            "Wire cost: envelopes 500 B on average, no per-recipient wraps (group key); \
             TLS handshakes 1,500 B each (X25519), 1 handshake."
        );
    }
}
