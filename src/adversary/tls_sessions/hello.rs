//! The two hellos of a TLS 1.3 handshake (RFC 8446 §4.1.2, §4.1.3), read
//! from their plaintext bytes: only the fields that say which key exchange
//! each side offered and chose, and what ties the two together.
//!
//! Every read is checked: a field that runs past its container, a list
//! with bytes left over, or a ServerHello that is not TLS 1.3 gives
//! `None`, never a panic.

use rustls::{CipherSuite, NamedGroup};

/// RFC 8446 §4.1.3: the `random` of a HelloRetryRequest,
/// SHA-256("HelloRetryRequest"). It is a ServerHello in all but meaning.
pub(super) const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
    0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// RFC 8446 §4.2: extension types.
const SUPPORTED_VERSIONS: u16 = 43;
const KEY_SHARE: u16 = 51;
/// RFC 8446 §4.2.1: the version a TLS 1.3 ServerHello selects.
const TLS13: u16 = 0x0304;

/// One key share: a key-exchange group and a public key in it
/// (`KeyShareEntry`, RFC 8446 §4.2.8). Public values, read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyShare {
    /// The group (NamedGroup), e.g. X25519 (0x001D) or X25519MLKEM768 (0x11EC).
    pub group: NamedGroup,
    /// The public key bytes (for a hybrid group, both halves together).
    pub key: Vec<u8>,
}

/// What a ClientHello says about the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ClientHello {
    pub(super) random: [u8; 32],
    pub(super) session_id: Vec<u8>,
    pub(super) shares: Vec<KeyShare>,
}

/// What a TLS 1.3 ServerHello or HelloRetryRequest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ServerHello {
    /// A HelloRetryRequest: the server asks for a share in `group`.
    Retry { session_id: Vec<u8>, group: NamedGroup },
    /// The real ServerHello: the suite and the server's share.
    Hello {
        session_id: Vec<u8>,
        suite: CipherSuite,
        share: KeyShare,
    },
}

/// A ClientHello body (after the 4-byte handshake header).
pub(super) fn client_hello(body: &[u8]) -> Option<ClientHello> {
    let mut r = Reader(body);
    r.u16()?; // legacy_version
    let random = r.array::<32>()?;
    let session_id = r.vec8()?.to_vec();
    r.vec16()?; // cipher_suites
    r.vec8()?; // legacy_compression_methods
    let extensions = extensions(&mut r)?;
    let mut shares = Vec::new();
    if let Some(data) = find(&extensions, KEY_SHARE) {
        let mut outer = Reader(data);
        let mut list = Reader(outer.vec16()?);
        outer.end()?;
        while !list.0.is_empty() {
            let group = NamedGroup::from(list.u16()?);
            let key = list.vec16()?.to_vec();
            shares.push(KeyShare { group, key });
        }
    }
    Some(ClientHello {
        random,
        session_id,
        shares,
    })
}

/// A ServerHello body. `None` unless it selects TLS 1.3 and carries a
/// well-formed key share: a TLS 1.2 server, or a PSK-only handshake
/// (which rustls here never does), are not readable this way.
pub(super) fn server_hello(body: &[u8]) -> Option<ServerHello> {
    let mut r = Reader(body);
    r.u16()?; // legacy_version
    let random = r.array::<32>()?;
    let session_id = r.vec8()?.to_vec();
    let suite = CipherSuite::from(r.u16()?);
    r.u8()?; // legacy_compression_method
    let extensions = extensions(&mut r)?;
    let mut version = Reader(find(&extensions, SUPPORTED_VERSIONS)?);
    if version.u16()? != TLS13 {
        return None;
    }
    version.end()?;
    let mut share = Reader(find(&extensions, KEY_SHARE)?);
    let hello = if random == HELLO_RETRY_RANDOM {
        // RFC 8446 §4.2.8: a HelloRetryRequest names only the group it wants.
        ServerHello::Retry {
            session_id,
            group: NamedGroup::from(share.u16()?),
        }
    } else {
        ServerHello::Hello {
            session_id,
            suite,
            share: KeyShare {
                group: NamedGroup::from(share.u16()?),
                key: share.vec16()?.to_vec(),
            },
        }
    };
    share.end()?;
    Some(hello)
}

/// The extension block, as (type, data) pairs; it must fill the rest of
/// the hello exactly.
fn extensions<'a>(r: &mut Reader<'a>) -> Option<Vec<(u16, &'a [u8])>> {
    let mut block = Reader(r.vec16()?);
    r.end()?;
    let mut found = Vec::new();
    while !block.0.is_empty() {
        let kind = block.u16()?;
        found.push((kind, block.vec16()?));
    }
    Some(found)
}

/// The data of extension `kind`. RFC 8446 §4.2 forbids duplicates; a hello
/// that has them is refused, since peers could read different values.
fn find<'a>(extensions: &[(u16, &'a [u8])], kind: u16) -> Option<&'a [u8]> {
    let mut matching = extensions.iter().filter(|(k, _)| *k == kind);
    let (_, data) = matching.next()?;
    matching.next().is_none().then_some(*data)
}

/// A cursor over bytes whose every read is checked.
pub(super) struct Reader<'a>(pub(super) &'a [u8]);

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(super) fn u8(&mut self) -> Option<u8> {
        let [byte] = self.array::<1>()?;
        Some(byte)
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.array::<2>()?))
    }

    pub(super) fn u24(&mut self) -> Option<usize> {
        let [a, b, c] = self.array::<3>()?;
        Some(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c))
    }

    fn vec8(&mut self) -> Option<&'a [u8]> {
        let len = self.u8()?;
        self.take(usize::from(len))
    }

    fn vec16(&mut self) -> Option<&'a [u8]> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }

    /// `Some` only if every byte was read.
    fn end(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}
