//! TLS 1.3 record protection without sockets: a rustls client and server
//! built from the network's own configurations ([`tls::client_config`],
//! [`tls::server_config`], certificates from [`Pki`]), handshaken by
//! passing bytes between them in memory. Once handshaken, [`Hop::carry`]
//! moves bytes through the real record layer — the negotiated suite's
//! encryption at one end and decryption at the other, 16 KiB records and
//! all — with none of the cost of sockets, tasks or queues. rustls is
//! itself sans-IO; this only shuttles its output.

use std::io::{ErrorKind, Read, Write};

use rustls::{ClientConnection, Connection, ServerConnection};

use super::BenchError;
use crate::model::{HUB, Transport};
use crate::net::{Pki, tls};

/// One hop of a cable: the end that writes and the end that reads.
pub(super) struct Hop {
    from: Connection,
    to: Connection,
    /// The TLS records on the wire, reused between cables.
    wire: Vec<u8>,
    /// Where the reader's plaintext lands (and is dropped).
    sink: Vec<u8>,
    /// Encrypted records carried so far (counted under test only).
    #[cfg(test)]
    records: u64,
}

/// Room for a whole record's plaintext per read.
const SINK: usize = 64 * 1024;

impl Hop {
    /// The hop from `node` to the hub (`toward_hub`) or from the hub to
    /// `node`, over mutual TLS, handshaken.
    pub(super) fn new(pki: &Pki, node: &str, toward_hub: bool) -> Result<Hop, BenchError> {
        let client = ClientConnection::new(
            tls::client_config(pki, node, Transport::Mtls, true, tls::KeyExchange::Classical)?,
            tls::hub_server_name(),
        )?;
        let server = ServerConnection::new(tls::server_config(pki, Transport::Mtls, tls::KeyExchange::Classical)?)?;
        let (mut client, mut server) = (Connection::Client(client), Connection::Server(server));
        handshake(&mut client, &mut server)?;
        for end in [&mut client, &mut server] {
            // Like the hub's sessions: whole frames become records at once.
            end.set_buffer_limit(None);
        }
        let (from, to) = if toward_hub { (client, server) } else { (server, client) };
        Ok(Hop {
            from,
            to,
            wire: Vec::new(),
            sink: vec![0; SINK],
            #[cfg(test)]
            records: 0,
        })
    }

    /// The suite the handshake settled on, as rustls names it.
    pub(super) fn suite(&self) -> String {
        self.from
            .negotiated_cipher_suite()
            .map_or_else(|| "none".to_owned(), |s| format!("{:?}", s.suite()))
    }

    /// The encrypted records the hop has carried: what a tap on it would
    /// count.
    #[cfg(test)]
    pub(super) fn records(&self) -> u64 {
        self.records
    }

    /// Sends `bytes` across the hop: protected into records by the writer,
    /// unprotected and read back by the reader.
    pub(super) fn carry(&mut self, bytes: &[u8]) -> Result<(), BenchError> {
        self.from.writer().write_all(bytes)?;
        self.wire.clear();
        while self.from.wants_write() {
            self.from.write_tls(&mut self.wire)?;
        }
        #[cfg(test)]
        {
            self.records += crate::adversary::count_records(&self.wire).encrypted;
        }
        let mut records = self.wire.as_slice();
        let mut received = 0;
        while !records.is_empty() {
            self.to.read_tls(&mut records)?;
            self.to.process_new_packets()?;
            loop {
                match self.to.reader().read(&mut self.sink) {
                    Ok(0) => break,
                    Ok(n) => received += n,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.into()),
                }
            }
        }
        if received != bytes.len() {
            return Err(BenchError::Incomplete(format!(
                "a TLS hop carried {received} bytes of {}",
                bytes.len()
            )));
        }
        Ok(())
    }
}

/// One full mutual-TLS handshake between `node` and the hub with the key
/// exchange `kx`, in memory: the bytes it put on the wire, both
/// directions together.
pub(super) fn handshake_once(pki: &Pki, node: &str, kx: tls::KeyExchange) -> Result<usize, BenchError> {
    let client = ClientConnection::new(
        tls::client_config(pki, node, Transport::Mtls, true, kx)?,
        tls::hub_server_name(),
    )?;
    let server = ServerConnection::new(tls::server_config(pki, Transport::Mtls, kx)?)?;
    let (mut client, mut server) = (Connection::Client(client), Connection::Server(server));
    handshake(&mut client, &mut server)
}

/// Runs a handshake to its end by handing each side's output to the other;
/// the bytes that crossed.
fn handshake(client: &mut Connection, server: &mut Connection) -> Result<usize, BenchError> {
    let mut wire = Vec::new();
    let mut crossed = 0;
    // A TLS 1.3 handshake with client certificates takes two round trips;
    // the bound only stops a bug from spinning forever.
    for _ in 0..16 {
        if !client.is_handshaking() && !server.is_handshaking() && !client.wants_write() && !server.wants_write() {
            return Ok(crossed);
        }
        crossed += shuttle(client, server, &mut wire)?;
        crossed += shuttle(server, client, &mut wire)?;
    }
    Err(BenchError::Incomplete(format!(
        "the in-memory TLS handshake with {HUB} did not finish"
    )))
}

fn shuttle(from: &mut Connection, to: &mut Connection, wire: &mut Vec<u8>) -> Result<usize, BenchError> {
    wire.clear();
    while from.wants_write() {
        from.write_tls(wire)?;
    }
    let mut records = wire.as_slice();
    while !records.is_empty() {
        to.read_tls(&mut records)?;
        to.process_new_packets()?;
    }
    Ok(wire.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Network, Node, Role};

    #[test]
    fn a_hybrid_handshake_costs_exactly_the_two_ml_kem_shares_more() {
        let network = Network::new([Node::new("bench-r001", Role::Mission)]).unwrap();
        let pki = Pki::generate(&network).unwrap();
        let classical = handshake_once(&pki, "bench-r001", tls::KeyExchange::Classical).unwrap();
        let hybrid = handshake_once(&pki, "bench-r001", tls::KeyExchange::Hybrid).unwrap();
        // +1,184 (the ML-KEM key in the client's share), +1,088 (the
        // ciphertext in the server's), -4 (one group offered, not three).
        assert_eq!(hybrid - classical, 1184 + 1088 - 4);
    }

    #[test]
    fn a_hop_carries_frames_of_any_size_both_ways() {
        let network = Network::new([Node::new("bench-r001", Role::Mission)]).unwrap();
        let pki = Pki::generate(&network).unwrap();
        for toward_hub in [true, false] {
            let mut hop = Hop::new(&pki, "bench-r001", toward_hub).unwrap();
            assert!(hop.suite().starts_with("TLS13_"), "{}", hop.suite());
            // Below, at and well above one 16 KiB record.
            for len in [1, 16 * 1024, 100_000] {
                hop.carry(&vec![7u8; len]).unwrap();
            }
            // One record up to 16 KiB, then one per 16 KiB begun.
            assert_eq!(hop.records(), 1 + 1 + 7);
        }
    }
}
