//! The recorder's TCP bookkeeping and the file's block order, read back
//! with the pcapng reader. tshark's own verdict on whole runs is in
//! `tests/it/pcap_capture.rs`.

use std::collections::HashMap;

use pcap_file::pcapng::PcapNgReader;
use rustls::KeyLog;

use super::*;

/// What a test needs of one recorded packet, read back from its bytes.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    from: (Ipv4Addr, u16),
    to: (Ipv4Addr, u16),
    seq: u32,
    ack: u32,
    flags: u8,
    payload: Vec<u8>,
}

fn parse(frame: &[u8]) -> Seen {
    let address = |at: usize| Ipv4Addr::new(frame[at], frame[at + 1], frame[at + 2], frame[at + 3]);
    let u16_at = |at: usize| u16::from_be_bytes([frame[at], frame[at + 1]]);
    let u32_at = |at: usize| u32::from_be_bytes([frame[at], frame[at + 1], frame[at + 2], frame[at + 3]]);
    let tcp = 34;
    let data = tcp + usize::from(frame[tcp + 12] >> 4) * 4;
    Seen {
        from: (address(26), u16_at(tcp)),
        to: (address(30), u16_at(tcp + 2)),
        seq: u32_at(tcp + 4),
        ack: u32_at(tcp + 8),
        flags: frame[tcp + 13],
        payload: frame[data..].to_vec(),
    }
}

fn packets(recorder: &PcapRecorder) -> Vec<(Duration, Seen)> {
    recorder
        .lock()
        .packets
        .list
        .iter()
        .map(|(t, frame)| (*t, parse(frame)))
        .collect()
}

fn recorder() -> PcapRecorder {
    PcapRecorder::new(["at-mfa", "del-kyiv"], TLS_PORT)
}

#[test]
fn nodes_get_addresses_in_network_order_and_the_hub_its_own() {
    assert_eq!(node_address(0), Ipv4Addr::new(10, 0, 1, 1));
    assert_eq!(node_address(249), Ipv4Addr::new(10, 0, 1, 250));
    assert_eq!(node_address(250), Ipv4Addr::new(10, 0, 2, 1));
    assert_ne!(node_address(254 * 250), node_address(0));
    let recorder = recorder();
    let (first, second) = (ConnectionId::fresh(), ConnectionId::fresh());
    recorder.connect(0, "del-kyiv", first);
    recorder.connect(0, "visitor", second);
    let seen = packets(&recorder);
    assert_eq!(seen[0].1.from, (node_address(1), FIRST_CLIENT_PORT));
    assert_eq!(seen[0].1.to, (HUB_ADDRESS, TLS_PORT));
    // A name the recorder was not told about gets the next address.
    assert_eq!(seen[3].1.from.0, node_address(2));
}

#[test]
fn a_reconnection_is_a_new_connection_from_the_next_port() {
    let recorder = recorder();
    let (old, new) = (ConnectionId::fresh(), ConnectionId::fresh());
    recorder.connect(0, "at-mfa", old);
    recorder.carry(0, "at-mfa", old, Direction::ToHub, b"first");
    // The new link opens before the old connection says goodbye.
    recorder.connect(1, "at-mfa", new);
    recorder.carry(1, "at-mfa", old, Direction::ToHub, b"bye");
    recorder.close(1, "at-mfa", old);
    recorder.carry(1, "at-mfa", new, Direction::ToHub, b"second");
    assert_eq!(recorder.connections(), 2);
    let seen = packets(&recorder);
    let port_of = |payload: &[u8]| seen.iter().find(|(_, p)| p.payload == payload).unwrap().1.from.1;
    assert_eq!(port_of(b"first"), FIRST_CLIENT_PORT);
    assert_eq!(port_of(b"bye"), FIRST_CLIENT_PORT);
    assert_eq!(port_of(b"second"), FIRST_CLIENT_PORT + 1);
    // The old connection's FIN comes from its own port.
    let fin = seen.iter().find(|(_, p)| p.flags == FIN | ACK).unwrap();
    assert_eq!(fin.1.from.1, FIRST_CLIENT_PORT);
}

#[test]
fn handshake_data_and_close_keep_sequence_numbers_straight() {
    let recorder = recorder();
    let id = ConnectionId::fresh();
    let big: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
    recorder.connect(0, "at-mfa", id);
    recorder.carry(0, "at-mfa", id, Direction::ToHub, &big);
    recorder.carry(0, "at-mfa", id, Direction::ToNode, b"ack of the cable");
    recorder.close(0, "at-mfa", id);
    let seen: Vec<Seen> = packets(&recorder).into_iter().map(|(_, p)| p).collect();

    let flags: Vec<u8> = seen.iter().map(|p| p.flags).collect();
    assert_eq!(&flags[..3], &[SYN, SYN | ACK, ACK]);
    assert_eq!(&flags[flags.len() - 3..], &[FIN | ACK, FIN | ACK, ACK]);
    assert!(seen.iter().all(|p| p.payload.len() <= MSS));

    // Replay both sides: every segment starts where the sender's last one
    // ended, and every ACK acknowledges exactly what the peer has sent.
    let mut next: HashMap<(Ipv4Addr, u16), u32> = HashMap::new();
    let mut unacked: HashMap<(Ipv4Addr, u16), usize> = HashMap::new();
    for p in &seen {
        if let Some(expected) = next.get(&p.from) {
            assert_eq!(p.seq, *expected, "{p:?}");
        }
        if p.flags & ACK != 0 {
            assert_eq!(Some(&p.ack), next.get(&p.to), "{p:?}");
            unacked.insert(p.to, 0);
        }
        let control = u32::from(p.flags & (SYN | FIN) != 0);
        next.insert(p.from, p.seq.wrapping_add(p.payload.len() as u32 + control));
        *unacked.entry(p.from).or_default() += p.payload.len();
        // Never more than two full segments in flight.
        assert!(unacked[&p.from] <= 2 * MSS, "{p:?}");
    }
    let sent: Vec<u8> = seen
        .iter()
        .filter(|p| p.from.1 == FIRST_CLIENT_PORT)
        .flat_map(|p| p.payload.clone())
        .collect();
    assert_eq!(sent, big);
    assert!(unacked.values().all(|n| *n == 0), "{unacked:?}");
}

#[test]
fn timestamps_follow_the_days_and_never_go_back() {
    let recorder = recorder();
    let id = ConnectionId::fresh();
    recorder.connect(2, "at-mfa", id);
    // A late report of an earlier day still comes after what came before.
    recorder.carry(1, "at-mfa", id, Direction::ToHub, b"late");
    recorder.carry(5, "at-mfa", id, Direction::ToHub, b"later");
    let times: Vec<Duration> = packets(&recorder).into_iter().map(|(t, _)| t).collect();
    let day = |d: u64| Duration::from_secs(DAY_ZERO_UNIX_SECONDS + d * 86_400);
    assert_eq!(times[0], day(2));
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    assert_eq!(times[5], day(5));
    assert_eq!(recorder.lock().packets.day_of_last(), 5);
}

#[test]
fn the_file_has_the_secrets_before_the_first_packet() {
    let recorder = recorder();
    let id = ConnectionId::fresh();
    recorder.connect(0, "at-mfa", id);
    recorder.carry(0, "at-mfa", id, Direction::ToHub, b"hello");
    let secrets = TlsKeyLog::new();
    secrets.log("CLIENT_TRAFFIC_SECRET_0", &[0xaa; 32], &[0xbb; 48]);
    let mut file = Vec::new();
    recorder.write_to(&mut file, &secrets).unwrap();

    let mut reader = PcapNgReader::new(&file[..]).unwrap();
    assert_eq!(reader.section().endianness, Endianness::Little);
    let mut kinds = Vec::new();
    let mut packets = 0;
    while let Some(block) = reader.next_block() {
        match block.unwrap() {
            Block::InterfaceDescription(idb) => {
                assert_eq!(idb.linktype, DataLink::ETHERNET);
                assert!(idb.options.contains(&InterfaceDescriptionOption::IfTsResol(9)));
                kinds.push("idb");
            }
            Block::NameResolution(nrb) => {
                assert_eq!(nrb.records.len(), 3, "the hub and two nodes");
                kinds.push("nrb");
            }
            Block::Unknown(dsb) => {
                assert_eq!(dsb.type_, DECRYPTION_SECRETS_BLOCK);
                let text = secrets.contents();
                let value = &dsb.value[..];
                assert_eq!(&value[..4], &TLS_KEY_LOG.to_le_bytes());
                assert_eq!(&value[4..8], &(text.len() as u32).to_le_bytes());
                assert_eq!(&value[8..8 + text.len()], text.as_bytes());
                // Padded to 32 bits, with zeros.
                assert_eq!(value.len() % 4, 0);
                assert!(value[8 + text.len()..].iter().all(|b| *b == 0));
                kinds.push("dsb");
            }
            Block::EnhancedPacket(epb) => {
                assert_eq!(
                    epb.timestamp,
                    Duration::from_secs(DAY_ZERO_UNIX_SECONDS) + packets * PACKET_SPACING
                );
                packets += 1;
                if kinds.last() != Some(&"epb") {
                    kinds.push("epb");
                }
            }
            other => panic!("unexpected block {other:?}"),
        }
    }
    assert_eq!(kinds, ["idb", "nrb", "dsb", "epb"]);
    // Handshake, data and its ACK, then the close added on writing.
    assert_eq!(packets, 3 + 2 + 3);
}

#[test]
fn without_secrets_there_is_no_secrets_block() {
    let mut file = Vec::new();
    recorder().write_to(&mut file, &TlsKeyLog::new()).unwrap();
    let mut reader = PcapNgReader::new(&file[..]).unwrap();
    while let Some(block) = reader.next_block() {
        assert!(!matches!(block.unwrap(), Block::Unknown(_)));
    }
}
