//! Ethernet II, IPv4 and TCP headers around a payload, with real checksums,
//! so that Wireshark's checksum validation (off by default, on in
//! `tcp.check_checksum`) finds nothing to flag. Sans-IO: bytes in, bytes
//! out.

use std::net::Ipv4Addr;

/// The largest TCP payload per segment: an Ethernet MTU of 1500 minus the
/// 20-byte IPv4 and 20-byte TCP headers, what a real stack announces.
pub(super) const MSS: usize = 1460;

/// The receive window every side announces. Without window scaling this
/// is the largest there is; senders here never have more than two
/// segments unacknowledged, so no side ever fills it.
const WINDOW: u16 = u16::MAX;

const ETHERTYPE_IPV4: u16 = 0x0800;
const IP_PROTOCOL_TCP: u8 = 6;
const TTL: u8 = 64;
/// IPv4 "don't fragment": TCP segments never exceed the MSS.
const DONT_FRAGMENT: u16 = 0x4000;

// TCP control bits (RFC 9293 §3.1).
/// No more data from the sender.
pub(super) const FIN: u8 = 0x01;
/// Synchronise sequence numbers: the opening of a connection.
pub(super) const SYN: u8 = 0x02;
/// Push: the end of what the application wrote.
pub(super) const PSH: u8 = 0x08;
/// The acknowledgement number is meaningful.
pub(super) const ACK: u8 = 0x10;

/// One end of a TCP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Endpoint {
    /// The host's address.
    pub(super) address: Ipv4Addr,
    /// The TCP port.
    pub(super) port: u16,
}

/// One TCP segment to frame.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment<'a> {
    /// Who sends it.
    pub(super) from: Endpoint,
    /// Who receives it.
    pub(super) to: Endpoint,
    /// Sequence number of the first payload byte (or of the SYN/FIN).
    pub(super) seq: u32,
    /// Acknowledgement number; sent only with [`ACK`].
    pub(super) ack: u32,
    /// Control bits: [`SYN`], [`ACK`], [`PSH`], [`FIN`].
    pub(super) flags: u8,
    /// The IPv4 identification field: a per-sender counter, so that a
    /// retransmission would be told from a duplicate.
    pub(super) ip_id: u16,
    /// At most [`MSS`] bytes.
    pub(super) payload: &'a [u8],
}

/// The locally administered MAC address of the host at `address`
/// (`02:00` followed by the IPv4 address), so every node has its own.
pub(super) fn mac_of(address: Ipv4Addr) -> [u8; 6] {
    let [a, b, c, d] = address.octets();
    [0x02, 0x00, a, b, c, d]
}

/// The Ethernet frame carrying `segment`.
pub(super) fn frame(segment: &Segment<'_>) -> Vec<u8> {
    // A SYN announces the MSS (RFC 9293 §3.7.1), as every real stack does.
    let [mss_hi, mss_lo] = (MSS as u16).to_be_bytes();
    let mss_option = [2, 4, mss_hi, mss_lo];
    let options: &[u8] = if segment.flags & SYN != 0 { &mss_option } else { &[] };
    let tcp_len = 20 + options.len() + segment.payload.len();
    let ip_len = 20 + tcp_len;
    let mut out = Vec::with_capacity(14 + ip_len);

    out.extend_from_slice(&mac_of(segment.to.address));
    out.extend_from_slice(&mac_of(segment.from.address));
    out.extend_from_slice(&ETHERTYPE_IPV4.to_be_bytes());

    let ip_start = out.len();
    out.extend_from_slice(&[0x45, 0]); // version 4, 5 words of header; no DSCP
    out.extend_from_slice(&(ip_len as u16).to_be_bytes());
    out.extend_from_slice(&segment.ip_id.to_be_bytes());
    out.extend_from_slice(&DONT_FRAGMENT.to_be_bytes());
    out.extend_from_slice(&[TTL, IP_PROTOCOL_TCP, 0, 0]); // checksum below
    out.extend_from_slice(&segment.from.address.octets());
    out.extend_from_slice(&segment.to.address.octets());
    let ip_checksum = checksum(0, out.get(ip_start..).unwrap_or_default());
    set_u16(&mut out, ip_start + 10, ip_checksum);

    let tcp_start = out.len();
    let ack = if segment.flags & ACK != 0 { segment.ack } else { 0 };
    out.extend_from_slice(&segment.from.port.to_be_bytes());
    out.extend_from_slice(&segment.to.port.to_be_bytes());
    out.extend_from_slice(&segment.seq.to_be_bytes());
    out.extend_from_slice(&ack.to_be_bytes());
    out.push((((20 + options.len()) / 4) as u8) << 4);
    out.push(segment.flags);
    out.extend_from_slice(&WINDOW.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]); // checksum below; no urgent data
    out.extend_from_slice(options);
    out.extend_from_slice(segment.payload);
    // The TCP checksum covers a pseudo-header of the addresses, protocol
    // and length (RFC 9293 §3.1), so a segment cannot be misdelivered.
    let mut pseudo = [0u8; 12];
    pseudo[..4].copy_from_slice(&segment.from.address.octets());
    pseudo[4..8].copy_from_slice(&segment.to.address.octets());
    pseudo[9] = IP_PROTOCOL_TCP;
    pseudo[10..].copy_from_slice(&(tcp_len as u16).to_be_bytes());
    let tcp_checksum = checksum(sum(0, &pseudo), out.get(tcp_start..).unwrap_or_default());
    set_u16(&mut out, tcp_start + 16, tcp_checksum);
    out
}

fn set_u16(out: &mut [u8], at: usize, value: u16) {
    if let Some(slot) = out.get_mut(at..at + 2) {
        slot.copy_from_slice(&value.to_be_bytes());
    }
}

/// The one's-complement sum of `data` as big-endian 16-bit words, added
/// to `acc` (RFC 1071). Only the last piece summed may have odd length.
fn sum(acc: u32, data: &[u8]) -> u32 {
    let mut acc = acc;
    let mut words = data.chunks_exact(2);
    for word in &mut words {
        acc += u32::from(u16::from_be_bytes([word[0], word[1]]));
    }
    if let [last] = words.remainder() {
        acc += u32::from(*last) << 8;
    }
    // Fold as we go so that even a 64 KiB segment cannot overflow.
    (acc & 0xffff) + (acc >> 16)
}

/// The Internet checksum of `data`, after the partial sum `acc`.
fn checksum(acc: u32, data: &[u8]) -> u16 {
    let mut total = sum(acc, data);
    while total > 0xffff {
        total = (total & 0xffff) + (total >> 16);
    }
    !(total as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NODE: Endpoint = Endpoint {
        address: Ipv4Addr::new(10, 0, 1, 7),
        port: 49152,
    };
    const HUB: Endpoint = Endpoint {
        address: Ipv4Addr::new(10, 0, 0, 1),
        port: 4433,
    };

    /// Whether the checksum over `data` (checksum field included) is
    /// right: a correct one makes the whole sum 0xffff.
    fn verifies(acc: u32, data: &[u8]) -> bool {
        checksum(acc, data) == 0
    }

    fn tcp_pseudo_sum(frame: &[u8]) -> u32 {
        let tcp_len = (frame.len() - 34) as u16;
        let mut pseudo = frame[26..34].to_vec();
        pseudo.extend_from_slice(&[0, IP_PROTOCOL_TCP]);
        pseudo.extend_from_slice(&tcp_len.to_be_bytes());
        sum(0, &pseudo)
    }

    #[test]
    fn checksum_matches_the_rfc_1071_example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(checksum(0, &data), !0xddf2);
    }

    #[test]
    fn a_syn_announces_the_mss() {
        let frame = frame(&Segment {
            from: NODE,
            to: HUB,
            seq: 7,
            ack: 99,
            flags: SYN,
            ip_id: 1,
            payload: &[],
        });
        assert_eq!(frame.len(), 14 + 20 + 24);
        assert_eq!(frame[46], 6 << 4, "data offset of six words");
        assert_eq!(&frame[54..58], &[2, 4, 0x05, 0xb4]);
        // Without ACK the acknowledgement number is zero.
        assert_eq!(&frame[42..46], &[0, 0, 0, 0]);
        assert!(verifies(tcp_pseudo_sum(&frame), &frame[34..]));
    }

    proptest! {
        #[test]
        fn every_frame_carries_valid_checksums(
            payload in proptest::collection::vec(any::<u8>(), 0..=MSS),
            seq: u32,
            ack: u32,
            ip_id: u16,
        ) {
            let frame = frame(&Segment {
                from: HUB, to: NODE, seq, ack, flags: ACK | PSH, ip_id, payload: &payload,
            });
            prop_assert_eq!(frame.len(), 54 + payload.len());
            prop_assert_eq!(&frame[..6], &mac_of(NODE.address));
            prop_assert_eq!(u16::from_be_bytes([frame[16], frame[17]]) as usize, 40 + payload.len());
            prop_assert!(verifies(0, &frame[14..34]));
            prop_assert!(verifies(tcp_pseudo_sum(&frame), &frame[34..]));
            prop_assert_eq!(&frame[54..], &payload[..]);
        }
    }
}
