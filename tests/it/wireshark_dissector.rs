//! The Wireshark dissector (`cablesim dissector`; README.md, "Wireshark
//! dissector") reads every frame kind exactly as the Rust codec writes it.
//! Frames are built from real keys and cables, encoded with the real codec,
//! written to a pcap as TCP streams to the hub's port, and decoded by tshark
//! with the dissector loaded; every field must come back with the value that
//! went in.
//!
//! These tests need tshark (Debian: `apt-get install tshark`, which
//! `.ci/run` does).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cablesim::crypto::{
    CablePayload, DirectoryEntry, Envelope, GroupKey, HYBRID_ENVELOPE_VERSION, HYBRID_WRAP_LEN, IdentityKey,
    KeyAgreement, KeyKind, NodeKeys, RecipientKey, WRAP_LEN,
};
use cablesim::model::{CableContent, CableHeader, Classification, E2eMode};
use cablesim::report::lua_dissector;
use cablesim::report::pcap::{PLAIN_PORT, TLS_PORT};
use cablesim::wire::{DEFAULT_MAX_FRAME, ErrorCode, Frame, PROTOCOL_VERSION, encode_frame};
use pcap_file::pcap::{PcapPacket, PcapWriter};

/// The node's ephemeral port in the synthetic captures.
const NODE_PORT: u16 = 50_123;

#[test]
fn printed_dissector_matches_snapshot() {
    insta::assert_snapshot!("cablesim.lua", lua_dissector());
}

#[test]
fn cli_prints_the_dissector_on_stdout() {
    let out = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .arg("dissector")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), lua_dissector());
}

#[test]
fn dissector_loads_in_tshark_without_errors() {
    let dir = Scratch::new("loads");
    let script = dir.dissector();
    let fields = tshark(&["-G", "fields", "-X", &lua_script(&script)]);
    assert_loaded_cleanly(&fields);
    for field in [
        "cablesim.type",
        "cablesim.cable_id",
        "cablesim.wrap.recipient",
        "cablesim.key.public",
    ] {
        assert!(
            fields.stdout.lines().any(|l| l.split('\t').nth(2) == Some(field)),
            "tshark does not list field {field}"
        );
    }
    let decodes = tshark(&["-G", "decodes", "-X", &lua_script(&script)]);
    assert_loaded_cleanly(&decodes);
    let registered = |table: &str, port: u16, name: &str| {
        decodes.stdout.lines().any(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            cols.len() >= 3 && cols[0] == table && cols[1] == port.to_string() && cols[2].eq_ignore_ascii_case(name)
        })
    };
    assert!(registered("tcp.port", PLAIN_PORT, "cablesim"), "{}", decodes.stdout);
    assert!(
        registered("tcp.port", TLS_PORT, "tls"),
        "TLS is not on the hub's TLS port"
    );
    assert!(
        registered("tls.port", TLS_PORT, "cablesim"),
        "not registered for decrypted TLS"
    );
}

/// Everything the tests compare, one tshark column each.
const FIELDS: &[&str] = &[
    "_ws.col.Info",
    "cablesim.length",
    "cablesim.type",
    "cablesim.hello.node",
    "cablesim.hello.protocol",
    "cablesim.payload",
    "cablesim.cable.version",
    "cablesim.cable_id",
    "cablesim.day",
    "cablesim.from",
    "cablesim.to",
    "cablesim.recipient",
    "cablesim.classification",
    "cablesim.subject",
    "cablesim.body",
    "cablesim.signed",
    "cablesim.signature",
    "cablesim.envelope.version",
    "cablesim.mode",
    "cablesim.ephemeral",
    "cablesim.wrap_count",
    "cablesim.wrap.recipient",
    "cablesim.wrap.key_id",
    "cablesim.wrap.epoch",
    "cablesim.wrap.secret_len",
    "cablesim.ciphertext_len",
    "cablesim.error.code",
    "cablesim.error.detail",
    "cablesim.request.node",
    "cablesim.entry_count",
    "cablesim.entry.node",
    "cablesim.entry.identity",
    "cablesim.key.kind",
    "cablesim.key.epoch",
    "cablesim.key.public",
    "cablesim.key.kem",
    "cablesim.key.signature_len",
    "_ws.expert.message",
];

#[test]
fn every_frame_kind_decodes_to_the_values_encoded() {
    let net = Keys::new();
    let mut capture = Capture::new();
    let mut expected: Vec<Expect> = Vec::new();

    let hello = Frame::Hello {
        node: "de-mfa".into(),
        protocol: PROTOCOL_VERSION,
    };
    capture.node_sends(&[&hello]);
    expected.push(
        Expect::new("hello de-mfa")
            .with("cablesim.type", "0")
            .with("cablesim.length", &body_len(&hello))
            .with("cablesim.hello.node", "de-mfa")
            .with("cablesim.hello.protocol", &PROTOCOL_VERSION.to_string()),
    );

    let de_entry = net.de_fs.publish();
    capture.node_sends(&[&Frame::Publish {
        entry: de_entry.clone(),
    }]);
    expected.push(entry_expect(
        Expect::new("publish de-mfa").with("cablesim.type", "4"),
        &[&de_entry],
    ));

    capture.node_sends(&[&Frame::DirectoryRequest {
        nodes: vec!["fr-mfa".into(), "it-mfa".into()],
    }]);
    expected.push(
        Expect::new("directory-request fr-mfa,it-mfa")
            .with("cablesim.type", "5")
            .with("cablesim.request.node", "fr-mfa,it-mfa"),
    );

    let (fr_entry, it_entry) = (net.fr_static.publish(), net.it_static.publish());
    capture.hub_sends(&[&Frame::DirectoryAnswer {
        entries: vec![fr_entry.clone(), it_entry.clone()],
    }]);
    expected.push(entry_expect(
        Expect::new("directory-answer fr-mfa,it-mfa")
            .with("cablesim.type", "6")
            .with("cablesim.entry_count", "2"),
        &[&fr_entry, &it_entry],
    ));

    // The directory notices carry no field.
    capture.node_sends(&[&Frame::DirectoryWatch]);
    expected.push(
        Expect::new("directory-watch")
            .with("cablesim.type", "8")
            .with("cablesim.length", &body_len(&Frame::DirectoryWatch)),
    );
    capture.hub_sends(&[&Frame::DirectoryChanged]);
    expected.push(
        Expect::new("directory-changed")
            .with("cablesim.type", "9")
            .with("cablesim.length", &body_len(&Frame::DirectoryChanged)),
    );

    // A clear, signed cable, cut in two TCP segments: the dissector must
    // reassemble it.
    let clear_header = header(
        "C-000017",
        12,
        "de-mfa",
        &["fr-mfa"],
        &["fr-mfa", "it-mfa"],
        Classification::Restricted,
    );
    let content = CableContent {
        subject: "Fisheries quota talks".into(),
        body: "Delegation expects agreement by Friday. Canary CNRY-7f3a.".into(),
    };
    let clear = CablePayload::seal(clear_header.clone(), &content, &net.de_off, &[], true).unwrap();
    let CablePayload::Clear(clear_cable) = &clear else {
        panic!("e2e off seals a clear cable")
    };
    let signature = hex::encode(clear_cable.signature.as_ref().unwrap());
    let submit = Frame::Submit { payload: clear };
    let bytes = encode_frame(&submit, DEFAULT_MAX_FRAME).unwrap();
    let (first, second) = bytes.split_at(bytes.len() / 3);
    capture.segment(true, first);
    capture.segment(true, second);
    expected.push(
        header_expect(
            Expect::new("submit C-000017 de-mfa -> fr-mfa [restricted] clear").with("cablesim.type", "1"),
            &clear_header,
        )
        .with("cablesim.payload", "0")
        .with("cablesim.length", &body_len(&submit))
        .with("cablesim.subject", &content.subject)
        .with("cablesim.body", &content.body)
        .with("cablesim.signed", "1")
        .with("cablesim.signature", &signature),
    );

    // An ack and an error in one segment: two frames, one packet.
    capture.hub_sends(&[
        &Frame::Ack {
            cable: "C-000017".into(),
        },
        &Frame::Error {
            cable: Some("C-000016".into()),
            code: ErrorCode::Replay,
            detail: "cable C-000016 was accepted before".into(),
        },
    ]);
    expected.push(
        Expect::new("ack C-000017 | error replay C-000016: cable C-000016 was accepted before")
            .with("cablesim.type", "3,7")
            .with("cablesim.cable_id", "C-000017,C-000016")
            .with("cablesim.error.code", "7")
            .with("cablesim.error.detail", "cable C-000016 was accepted before"),
    );

    // Static mode: one wrap per recipient key, two devices for it-mfa.
    let static_header = header(
        "C-000018",
        13,
        "de-mfa",
        &["fr-mfa", "it-mfa"],
        &["fr-mfa", "it-mfa"],
        Classification::Secret,
    );
    let static_keys: Vec<RecipientKey> = [&fr_entry, &it_entry].into_iter().flat_map(recipient_keys).collect();
    let sealed_static =
        CablePayload::seal(static_header.clone(), &content, &net.de_static, &static_keys, true).unwrap();
    let envelope = sealed(&sealed_static);
    assert_eq!(envelope.header.wraps.len(), 3, "fr-mfa has one key, it-mfa two");
    capture.node_sends(&[&Frame::Submit {
        payload: sealed_static.clone(),
    }]);
    expected.push(envelope_expect(
        Expect::new("submit C-000018 de-mfa -> fr-mfa,it-mfa [secret] sealed static, 3 wraps")
            .with("cablesim.type", "1"),
        envelope,
        "1",
    ));

    // Forward secrecy: wraps carry the epoch of their prekey.
    let fs_header = header(
        "C-000019",
        15,
        "fr-mfa",
        &["de-mfa"],
        &["de-mfa"],
        Classification::Confidential,
    );
    let fs_keys = recipient_keys(&de_entry);
    let sealed_fs = CablePayload::seal(fs_header, &content, &net.fr_fs, &fs_keys, false).unwrap();
    capture.hub_sends(&[&Frame::Deliver {
        payload: sealed_fs.clone(),
    }]);
    expected.push(envelope_expect(
        Expect::new("deliver C-000019 fr-mfa -> de-mfa [confidential] sealed forward-secret, 1 wrap")
            .with("cablesim.type", "2"),
        sealed(&sealed_fs),
        "2",
    ));

    // Group mode: one wrap for "*".
    let group_header = header(
        "C-000020",
        20,
        "fr-mfa",
        &["de-mfa"],
        &["de-mfa", "fr-mfa"],
        Classification::Limite,
    );
    let sealed_group = CablePayload::seal(group_header, &content, &net.fr_group, &[], true).unwrap();
    capture.hub_sends(&[&Frame::Deliver {
        payload: sealed_group.clone(),
    }]);
    expected.push(envelope_expect(
        Expect::new("deliver C-000020 fr-mfa -> de-mfa [limite] sealed group, 1 wrap").with("cablesim.type", "2"),
        sealed(&sealed_group),
        "0",
    ));

    // Hybrid keys (post_quantum = "e2e"): a published X25519 + ML-KEM-768
    // epoch key, and a version-2 envelope whose wraps lead with the ML-KEM
    // ciphertext.
    let nl_entry = net.nl_hybrid.publish();
    capture.node_sends(&[&Frame::Publish {
        entry: nl_entry.clone(),
    }]);
    expected.push(entry_expect(
        Expect::new("publish nl-mfa").with("cablesim.type", "4"),
        &[&nl_entry],
    ));
    let hybrid_header = header(
        "C-000021",
        16,
        "de-mfa",
        &["nl-mfa"],
        &["nl-mfa"],
        Classification::Restricted,
    );
    let sealed_hybrid = CablePayload::seal(
        hybrid_header,
        &content,
        &net.de_hybrid,
        &recipient_keys(&nl_entry),
        true,
    )
    .unwrap();
    assert_eq!(sealed(&sealed_hybrid).header.version, HYBRID_ENVELOPE_VERSION);
    capture.node_sends(&[&Frame::Submit {
        payload: sealed_hybrid.clone(),
    }]);
    expected.push(envelope_expect(
        Expect::new("submit C-000021 de-mfa -> nl-mfa [restricted] sealed forward-secret, 1 wrap")
            .with("cablesim.type", "1"),
        sealed(&sealed_hybrid),
        "2",
    ));

    capture.node_sends(&[&Frame::DirectoryRequest { nodes: vec![] }]);
    expected.push(Expect::new("directory-request all").with("cablesim.type", "5"));

    capture.hub_sends(&[&Frame::Error {
        cable: None,
        code: ErrorCode::NotAuthorized,
        detail: "certificate names fr-mfa".into(),
    }]);
    expected.push(
        Expect::new("error not-authorized: certificate names fr-mfa")
            .with("cablesim.type", "7")
            .with("cablesim.cable_id", "")
            .with("cablesim.error.code", "3"),
    );

    let dir = Scratch::new("frames");
    let rows = decode(&dir, &capture);
    assert_eq!(
        rows.len(),
        expected.len(),
        "one row per packet with cable frames: {rows:#?}"
    );
    for (row, expect) in rows.iter().zip(&expected) {
        expect.check(row);
    }
}

#[test]
fn fail_trailing_bytes_are_flagged_malformed() {
    let mut bytes = encode_frame(
        &Frame::Ack {
            cable: "C-000001".into(),
        },
        DEFAULT_MAX_FRAME,
    )
    .unwrap();
    // One byte more than the frame, announced by the prefix: the Rust
    // decoder refuses this, so the dissector must say so too.
    bytes.push(0);
    let len = u32::try_from(bytes.len() - 4).unwrap();
    bytes[..4].copy_from_slice(&len.to_be_bytes());
    let mut capture = Capture::new();
    capture.segment(true, &bytes);
    let rows = decode(&Scratch::new("trailing"), &capture);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["_ws.col.Info"], "malformed: 1 trailing bytes after the frame");
    assert_eq!(rows[0]["_ws.expert.message"], "1 trailing bytes after the frame");
}

#[test]
fn fail_oversized_length_is_flagged_malformed() {
    let announced = u32::try_from(DEFAULT_MAX_FRAME + 1).unwrap();
    let mut bytes = announced.to_be_bytes().to_vec();
    bytes.extend_from_slice(b"junk");
    let mut capture = Capture::new();
    capture.segment(true, &bytes);
    let rows = decode(&Scratch::new("oversized"), &capture);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["_ws.col.Info"], format!("bad length {announced}"));
}

// A real run over TLS: tshark decrypts the links with the secrets inside
// the capture and must hand every record of application data to the
// dissector through the "tls.port" registration.
#[test]
fn decrypted_tls_links_are_dissected() {
    let dir = Scratch::new("tls");
    let pcap = dir.path.join("run.pcapng");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/small.toml");
    let run = Command::new(env!("CARGO_BIN_EXE_cablesim"))
        .args(["run", &fixture.display().to_string(), "--config", "hop-tls", "--pcap"])
        .arg(&pcap)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let script = dir.dissector();
    let pcap = pcap.display().to_string();
    // Two passes, so that segments reassembled later count as dissected.
    let undissected = tshark(&[
        "-2",
        "-X",
        &lua_script(&script),
        "-r",
        &pcap,
        "-Y",
        "tls.app_data && !cablesim",
    ]);
    assert_loaded_cleanly(&undissected);
    assert_eq!(undissected.stdout, "", "TLS records not handed to the dissector");
    let decoded = tshark(&[
        "-2",
        "-X",
        &lua_script(&script),
        "-r",
        &pcap,
        "-Y",
        "cablesim",
        "-T",
        "fields",
        "-e",
        "frame.protocols",
        "-e",
        "cablesim.type",
        "-e",
        "_ws.expert.message",
    ]);
    let mut kinds = std::collections::BTreeSet::new();
    for line in decoded.stdout.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols[0].contains(":tls:cablesim"), "not carried over TLS: {line}");
        assert_eq!(cols[2], "", "flagged frame: {line}");
        kinds.extend(cols[1].split(',').map(str::to_owned));
    }
    // A session's every frame kind but error, which a clean run never sends.
    assert_eq!(kinds, ["0", "1", "2", "3", "4", "5", "6"].map(String::from).into());
}

/// The key holders of the test network.
struct Keys {
    de_off: NodeKeys,
    de_static: NodeKeys,
    de_fs: NodeKeys,
    fr_static: NodeKeys,
    fr_fs: NodeKeys,
    fr_group: NodeKeys,
    it_static: NodeKeys,
    nl_hybrid: NodeKeys,
    de_hybrid: NodeKeys,
}

impl Keys {
    fn new() -> Keys {
        let identity = |seed: u8| IdentityKey::from_seed(&[seed; 32]);
        let group = GroupKey::from_bytes([9; 32]);
        let mut de_fs = NodeKeys::generate("de-mfa", E2eMode::ForwardSecret, 7, identity(1), None);
        de_fs.enter_epoch(2);
        Keys {
            de_off: NodeKeys::generate("de-mfa", E2eMode::Off, 7, identity(1), None),
            de_static: NodeKeys::generate("de-mfa", E2eMode::Static, 7, identity(1), None),
            de_fs,
            fr_static: NodeKeys::generate("fr-mfa", E2eMode::Static, 7, identity(2), None),
            fr_fs: NodeKeys::generate("fr-mfa", E2eMode::ForwardSecret, 7, identity(2), None),
            fr_group: NodeKeys::generate("fr-mfa", E2eMode::Group, 7, identity(2), Some(group)),
            it_static: NodeKeys::with_devices("it-mfa", E2eMode::Static, 7, 2, identity(3), None),
            de_hybrid: NodeKeys::with_agreement(
                "de-mfa",
                E2eMode::ForwardSecret,
                7,
                1,
                KeyAgreement::Hybrid,
                identity(1),
                None,
            ),
            nl_hybrid: NodeKeys::with_agreement(
                "nl-mfa",
                E2eMode::ForwardSecret,
                7,
                1,
                KeyAgreement::Hybrid,
                identity(4),
                None,
            ),
        }
    }
}

fn header(
    id: &str,
    day: u32,
    from: &str,
    to: &[&str],
    recipients: &[&str],
    classification: Classification,
) -> CableHeader {
    CableHeader {
        version: CableHeader::VERSION,
        id: id.into(),
        day,
        from: from.into(),
        to: to.iter().map(|s| s.to_string()).collect(),
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
        classification,
    }
}

fn recipient_keys(entry: &DirectoryEntry) -> Vec<RecipientKey> {
    entry.keys.iter().map(|k| k.recipient(&entry.node)).collect()
}

fn sealed(payload: &CablePayload) -> &Envelope {
    match payload {
        CablePayload::Sealed(envelope) => envelope,
        CablePayload::Clear(_) => panic!("expected a sealed payload"),
    }
}

fn body_len(frame: &Frame) -> String {
    (encode_frame(frame, DEFAULT_MAX_FRAME).unwrap().len() - 4).to_string()
}

fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

fn header_expect(expect: Expect, h: &CableHeader) -> Expect {
    expect
        .with("cablesim.cable.version", &h.version.to_string())
        .with("cablesim.cable_id", &h.id)
        .with("cablesim.day", &h.day.to_string())
        .with("cablesim.from", &h.from)
        .with("cablesim.to", &h.to.join(","))
        .with("cablesim.recipient", &h.recipients.join(","))
        .with(
            "cablesim.classification",
            &Classification::ALL
                .iter()
                .position(|c| *c == h.classification)
                .unwrap()
                .to_string(),
        )
}

fn envelope_expect(expect: Expect, envelope: &Envelope, mode: &str) -> Expect {
    let h = &envelope.header;
    let wrap_len = if h.version == HYBRID_ENVELOPE_VERSION {
        HYBRID_WRAP_LEN
    } else {
        WRAP_LEN
    };
    assert!(h.wraps.iter().all(|w| w.sealed_secret.len() == wrap_len));
    header_expect(expect, &h.cable)
        .with("cablesim.payload", "1")
        .with("cablesim.envelope.version", &h.version.to_string())
        .with("cablesim.mode", mode)
        .with("cablesim.ephemeral", &hex::encode(h.ephemeral))
        .with("cablesim.wrap_count", &h.wraps.len().to_string())
        .with("cablesim.wrap.recipient", &join(h.wraps.iter().map(|w| &w.recipient)))
        .with("cablesim.wrap.key_id", &join(h.wraps.iter().map(|w| w.key_id)))
        .with("cablesim.wrap.epoch", &join(h.wraps.iter().filter_map(|w| w.epoch)))
        .with(
            "cablesim.wrap.secret_len",
            &join(h.wraps.iter().map(|w| w.sealed_secret.len())),
        )
        .with("cablesim.ciphertext_len", &envelope.ciphertext.len().to_string())
        .with("cablesim.subject", "")
        .with("cablesim.signed", "")
}

fn entry_expect(expect: Expect, entries: &[&DirectoryEntry]) -> Expect {
    let keys = || entries.iter().flat_map(|e| &e.keys);
    expect
        .with("cablesim.entry.node", &join(entries.iter().map(|e| &e.node)))
        .with(
            "cablesim.entry.identity",
            &join(entries.iter().map(|e| hex::encode(e.identity.0))),
        )
        .with(
            "cablesim.key.kind",
            &join(keys().map(|k| match (k.kind, k.kem.is_some()) {
                (KeyKind::Static, false) => 0,
                (KeyKind::Epoch(_), false) => 1,
                (KeyKind::Static, true) => 2,
                (KeyKind::Epoch(_), true) => 3,
            })),
        )
        .with(
            "cablesim.key.kem",
            &join(keys().filter_map(|k| k.kem.as_ref().map(|kem| hex::encode(kem.as_bytes())))),
        )
        .with("cablesim.key.epoch", &join(keys().filter_map(|k| k.kind.epoch())))
        .with("cablesim.key.public", &join(keys().map(|k| hex::encode(k.public.0))))
        .with("cablesim.key.signature_len", &join(keys().map(|k| k.signature.len())))
}

/// What one packet must decode to: its Info column and some fields, each
/// compared exactly (all occurrences, comma-separated).
#[derive(Debug)]
struct Expect {
    fields: BTreeMap<&'static str, String>,
}

impl Expect {
    fn new(info: &str) -> Expect {
        let mut fields = BTreeMap::new();
        fields.insert("_ws.col.Info", info.to_owned());
        // No frame of a well-formed capture is flagged.
        fields.insert("_ws.expert.message", String::new());
        Expect { fields }
    }

    fn with(mut self, field: &str, value: &str) -> Expect {
        let field = FIELDS
            .iter()
            .find(|f| **f == field)
            .unwrap_or_else(|| panic!("{field} is not in FIELDS"));
        self.fields.insert(field, value.to_owned());
        self
    }

    fn check(&self, row: &BTreeMap<String, String>) {
        for (field, value) in &self.fields {
            assert_eq!(
                row.get(*field).map(String::as_str),
                Some(value.as_str()),
                "field {field} of the packet expected to show {:?}; whole row: {row:#?}",
                self.fields["_ws.col.Info"]
            );
        }
    }
}

/// Runs tshark over the capture with the dissector and returns, for each
/// packet holding cable frames, every field of [`FIELDS`].
fn decode(dir: &Scratch, capture: &Capture) -> Vec<BTreeMap<String, String>> {
    let script = dir.dissector();
    let pcap = dir.path.join("capture.pcap");
    capture.write(&pcap);
    let mut args = vec![
        "-X".to_owned(),
        lua_script(&script),
        "-r".to_owned(),
        pcap.display().to_string(),
        "-Y".to_owned(),
        "cablesim".to_owned(),
        "-T".to_owned(),
        "fields".to_owned(),
        "-E".to_owned(),
        "occurrence=a".to_owned(),
        "-E".to_owned(),
        "aggregator=,".to_owned(),
    ];
    for field in FIELDS {
        args.push("-e".to_owned());
        args.push((*field).to_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = tshark(&args);
    assert_loaded_cleanly(&out);
    out.stdout
        .lines()
        .map(|line| {
            let values: Vec<&str> = line.split('\t').collect();
            assert_eq!(values.len(), FIELDS.len(), "unexpected tshark line {line:?}");
            FIELDS
                .iter()
                .zip(values)
                .map(|(f, v)| ((*f).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

struct TsharkOutput {
    stdout: String,
    stderr: String,
}

fn tshark(args: &[&str]) -> TsharkOutput {
    let out = Command::new("tshark").args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run tshark ({e}): these tests check the Wireshark dissector in it; \
             install it with `apt-get install tshark` (.ci/run does)"
        )
    });
    let stdout = String::from_utf8(out.stdout).expect("tshark prints UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "tshark {args:?} failed: {stderr}");
    TsharkOutput { stdout, stderr }
}

fn assert_loaded_cleanly(out: &TsharkOutput) {
    // tshark reports Lua errors on stderr and still exits 0.
    assert!(
        !out.stderr.contains("Lua") && !out.stderr.to_lowercase().contains("error"),
        "the dissector did not load cleanly: {}",
        out.stderr
    );
}

fn lua_script(path: &Path) -> String {
    format!("lua_script:{}", path.display())
}

/// A per-test directory under the target dir, so parallel tests and
/// repeated runs never share files.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("wireshark-dissector-{name}"));
        std::fs::create_dir_all(&path).unwrap();
        Scratch { path }
    }

    fn dissector(&self) -> PathBuf {
        let path = self.path.join("cablesim.lua");
        std::fs::write(&path, lua_dissector()).unwrap();
        path
    }
}

/// One TCP connection between a node and the hub's plain port, as
/// Ethernet/IPv4/TCP packets (checksums zero: Wireshark does not check
/// them by default).
struct Capture {
    packets: Vec<Vec<u8>>,
    node_seq: u32,
    hub_seq: u32,
}

impl Capture {
    fn new() -> Capture {
        Capture {
            packets: Vec::new(),
            node_seq: 1_000,
            hub_seq: 9_000,
        }
    }

    fn node_sends(&mut self, frames: &[&Frame]) {
        self.segment(true, &encode_all(frames));
    }

    fn hub_sends(&mut self, frames: &[&Frame]) {
        self.segment(false, &encode_all(frames));
    }

    fn segment(&mut self, to_hub: bool, payload: &[u8]) {
        let node = ([10, 0, 0, 2], NODE_PORT);
        let hub = ([10, 0, 0, 1], PLAIN_PORT);
        let ((src_ip, src_port), (dst_ip, dst_port)) = if to_hub { (node, hub) } else { (hub, node) };
        let (seq, ack) = if to_hub {
            (self.node_seq, self.hub_seq)
        } else {
            (self.hub_seq, self.node_seq)
        };
        let mut packet = Vec::with_capacity(54 + payload.len());
        // Ethernet: destination, source, IPv4.
        packet.extend_from_slice(&[2, 0, 0, 0, 0, dst_ip[3], 2, 0, 0, 0, 0, src_ip[3], 0x08, 0x00]);
        // IPv4: no options, don't fragment, TTL 64, TCP.
        let ip_len = u16::try_from(20 + 20 + payload.len()).unwrap();
        packet.extend_from_slice(&[0x45, 0]);
        packet.extend_from_slice(&ip_len.to_be_bytes());
        packet.extend_from_slice(&[0, 0, 0x40, 0, 64, 6, 0, 0]);
        packet.extend_from_slice(&src_ip);
        packet.extend_from_slice(&dst_ip);
        // TCP: 20-byte header, PSH+ACK.
        packet.extend_from_slice(&src_port.to_be_bytes());
        packet.extend_from_slice(&dst_port.to_be_bytes());
        packet.extend_from_slice(&seq.to_be_bytes());
        packet.extend_from_slice(&ack.to_be_bytes());
        packet.extend_from_slice(&[0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]);
        packet.extend_from_slice(payload);
        let advance = u32::try_from(payload.len()).unwrap();
        if to_hub {
            self.node_seq += advance;
        } else {
            self.hub_seq += advance;
        }
        self.packets.push(packet);
    }

    fn write(&self, path: &Path) {
        let file = std::fs::File::create(path).unwrap();
        let mut writer = PcapWriter::new(file).unwrap();
        for (i, packet) in self.packets.iter().enumerate() {
            let at = Duration::from_millis(1_000 + 10 * i as u64);
            let len = u32::try_from(packet.len()).unwrap();
            writer.write_packet(&PcapPacket::new(at, len, packet)).unwrap();
        }
    }
}

fn encode_all(frames: &[&Frame]) -> Vec<u8> {
    frames
        .iter()
        .flat_map(|f| encode_frame(f, DEFAULT_MAX_FRAME).unwrap())
        .collect()
}
