//! Plain-words explanations for `cablesim explain TOPIC` (README.md, "The
//! command line"): each adversary kind, each preset and each `[security]`
//! field, in the terms a workshop trainer uses, saying what changes in the
//! rules a run must produce (ARCHITECTURE.md).
//!
//! The preset and field texts live here rather than in `scenario` so that
//! one module owns every explanation and `adversary` does not import from
//! the layer above it.

use super::AdversaryKind;

/// Every topic [`explain_topic`] knows, kinds first, then presets, then
/// `[security]` fields, for listing when a topic is unknown.
pub const EXPLAIN_TOPICS: [&str; 26] = [
    "tap",
    "mitm",
    "hub",
    "endpoint",
    "key-thief",
    "insider",
    "forger",
    "quantum",
    "plaintext",
    "hop-tls",
    "e2e-group",
    "e2e-static",
    "e2e-fs",
    "e2e-pq",
    "transport",
    "verify_server",
    "e2e",
    "epoch_days",
    "signatures",
    "key_pinning",
    "distribution",
    "archive",
    "archive_days",
    "retention_days",
    "max_classification",
    "post_quantum",
];

/// What an adversary kind is, what its position gives it, what stops it,
/// and its MITRE ATT&CK techniques (ARCHITECTURE.md, "Adversaries").
pub fn explain(kind: AdversaryKind) -> &'static str {
    match kind {
        AdversaryKind::Tap => {
            "A tap records every byte on one node's link to the hub, in both directions, for its \
             window: a wiretap, a compromised router, a hotel network. It sees the frames of every \
             cable that node sends or receives. On a plain link with no end-to-end encryption it \
             reads the cables themselves; on a plain link with end-to-end encryption it reads only \
             who wrote to whom, when, at what classification (routing), and opens a cable only if \
             its actor holds a key for it — stolen by another adversary, perhaps years later. TLS \
             or mutual TLS on the link stops it: it is left with sizes and times (traffic). \
             MITRE ATT&CK: T1040 Network Sniffing.\n\n\
             Shown by: `cablesim run stolen-keys-later` (a year of a mission's link recorded)"
        }
        AdversaryKind::Mitm => {
            "A man-in-the-middle sits on one node's link and tries to intercept TLS with a \
             certificate of its own, so that it can read, modify, inject or replay frames. On a \
             plain link it gets what a tap gets. Under TLS a node that checks the hub's \
             certificate (verify_server = true) rejects the forgery and raises an alarm, and the \
             attacker is reduced to passing bytes through: traffic only. A node that skips the \
             check is intercepted both ways under tls, as if the link were plain. Under mtls the \
             attacker must also present the node's client certificate to the hub, which it cannot \
             do unless its actor stole that node's keys first. \
             MITRE ATT&CK: T1557 Adversary-in-the-Middle.\n\n\
             Shown by: `cablesim run hotel-wifi-mitm`"
        }
        AdversaryKind::Hub => {
            "The hub adversary controls the central relay: every frame it handles once TLS has \
             been removed, its archive (copied when the window opens) and its key directory. It always \
             learns routing — who wrote to whom, when, at what classification — for every cable \
             of its window and every archived one. Without end-to-end encryption it reads them \
             all. Under static or forward-secret keys it slips a \"ghost\" key of its own into \
             every directory entry (the 2018 ghost proposal was a targeted, warrant-based extra \
             recipient; cablesim generalises it to every entry): if senders do not pin keys \
             to certified identities (key_pinning = false) they wrap each cable for the ghost too \
             and the hub reads everything sent in its window, undetected; with pinning the ghost \
             key is refused with an alarm and yields nothing. Under the group key it has no key \
             unless its actor stole one. What stops it: end-to-end encryption with key pinning, \
             and a short archive. \
             MITRE ATT&CK: T1557 Adversary-in-the-Middle, T1213 Data from Information Repositories; \
             ivbb-2018 names T1005 Data from Local System instead, because its record shows \
             documents taken from computers, not interception on the backbone.\n\n\
             Shown by: `cablesim run ivbb-2018`"
        }
        AdversaryKind::Endpoint => {
            "An endpoint adversary is whoever reads one node from the inside: malware, an intruder \
             with the node's stolen passwords (the 2018 COREU intrusion began with phished \
             passwords), or a person reading their own inbox (the 2019 Darroch leak). From the \
             day it lands it reads the node's decrypted \
             inbox and sent items (as far back as retention keeps them) and every cable the node \
             sends or receives while it stays. No encryption stops it: the node decrypts for it. \
             It also copies the node's private keys while present — the static key, the epoch \
             keys of every epoch its window touches, or the group key — and its actor can open \
             ciphertext captured elsewhere with them. What limits it: need-to-know distribution \
             (fewer cables reach each node), short retention, forward secrecy (stolen keys open \
             only their epochs), and finding it sooner. \
             MITRE ATT&CK: T1005 Data from Local System. How it got in differs from incident to \
             incident, so a scenario's `attack` list names the techniques its reporting supports \
             instead: coreu-2018 T1566 Phishing, T1078 Valid Accounts, T1213 Data from Information \
             Repositories; darroch-2019, a person rather than malware, T1078 and T1213.\n\n\
             Shown by: `cablesim run coreu-2018` and `cablesim run darroch-2019`"
        }
        AdversaryKind::KeyThief => {
            "A key thief copies the private keys one node holds on one day: a stolen backup, a \
             seized laptop, a coerced administrator. Alone it reads nothing; it matters when its \
             actor also captured ciphertext (a tap, a hub, an insider). A static key opens every \
             captured cable addressed to that node, past and future: record now, decrypt later. A \
             forward-secret epoch key opens only cables of that day's epoch, because older prekeys \
             were deleted when their epoch ended. The group key opens every captured cable of \
             everyone. What stops it: forward secrecy with short epochs, and keeping ciphertext \
             away from the thief. \
             MITRE ATT&CK: T1552.004 Private Keys.\n\n\
             Shown by: `cablesim run stolen-keys-later`"
        }
        AdversaryKind::Insider => {
            "An insider takes one bulk export of the hub's archive as it stood at the start of \
             their day, as in the 2010 cables export. They get routing for every archived cable, \
             and the content when cables are not end-to-end encrypted or when their actor holds \
             keys that open them. What stops it: no archive, a short archive_days, and end-to-end \
             encryption so that the archive holds only ciphertext. \
             MITRE ATT&CK: T1213 Data from Information Repositories, T1052 Exfiltration Over \
             Physical Medium; cablegate-2010 adds, from its court-martial record, T1078 Valid \
             Accounts and T1119 Automated Collection.\n\n\
             Shown by: `cablesim run cablegate-2010`"
        }
        AdversaryKind::Forger => {
            "A forger injects one forged cable a day at the hub, claiming to come from another \
             node (impersonate) and addressed by default to every ministry. A recipient accepts it \
             as genuine whenever senders do not sign (signatures = false) and the forger can build \
             a valid envelope: always without end-to-end encryption, and also under static or \
             forward-secret keys, because sealing to public keys needs no secret — encryption is \
             not authentication. Under the group key it needs its actor to hold that key. With \
             signatures every forgery is rejected with an alarm. \
             MITRE ATT&CK: T1565.002 Transmitted Data Manipulation.\n\n\
             Shown by: `cablesim run forged-instruction`"
        }
        AdversaryKind::Quantum => {
            "A quantum computer that can break elliptic-curve cryptography, available to its actor \
             from from_day on. It sits nowhere in the network: it works on what the actor's other \
             adversaries recorded — years earlier or later — and recovers the private key of any \
             classical X25519 public key in it (harvest now, decrypt later). A recorded TLS \
             session that agreed its keys with X25519 opens, so a tap reads the link as if it were \
             plain; envelopes under static or forward-secret keys open, wherever they were \
             recorded (a tap, the hub, an archive export). Forward secrecy does not help: deleting \
             a private key does not delete its public half from the recording. Group keys are \
             symmetric and stay closed. What stops it is hybrid post-quantum key agreement \
             (post_quantum): X25519 together with ML-KEM-768, whose half a quantum computer \
             cannot break. It reads but does not forge: signatures and certificates are Ed25519, \
             which it could break too, but a forgery needs the session to still be running, and \
             a recording cannot be talked back into. Alone, with nothing recorded, it learns \
             nothing. MITRE ATT&CK has no technique for breaking cryptography: its findings \
             carry the techniques of the adversary that recorded them.\n\n\
             Shown by: `cablesim run harvest-now-decrypt-later`"
        }
    }
}

/// The explanation of `topic`: an adversary kind, a `--config` preset or a
/// `[security]` field, headed by what kind of topic it is; `None` when the
/// topic is none of [`EXPLAIN_TOPICS`]. Case and `-`/`_` are not
/// significant, so `key_thief` and `KEY-PINNING` are understood.
pub fn explain_topic(topic: &str) -> Option<String> {
    let topic = topic.trim().to_ascii_lowercase();
    let dashed = topic.replace('_', "-");
    let underscored = topic.replace('-', "_");
    if let Ok(kind) = dashed.parse::<AdversaryKind>() {
        return Some(format!("{kind} (adversary)\n\n{}", explain(kind)));
    }
    if let Some(text) = preset_text(&dashed) {
        return Some(format!("{dashed} (preset for --config)\n\n{text}"));
    }
    field_text(&underscored).map(|text| format!("{underscored} ([security] field)\n\n{text}"))
}

fn preset_text(name: &str) -> Option<&'static str> {
    Some(match name {
        "plaintext" => {
            "No protection at all: plain links, no end-to-end encryption, no signatures. Anyone \
             on a link, at the hub or in the archive reads every cable that passes, and a forger \
             is always believed. The baseline that shows why the rest exists."
        }
        "hop-tls" => {
            "Mutual TLS on every link, nothing end to end, no signatures. Taps on the links see \
             only traffic, and a man-in-the-middle is caught by the certificate check; but the \
             hub decrypts every hop, so the hub position, its archive and an insider's export \
             hold plaintext, and forgeries injected at the hub are believed.\n\n\
             Shown by: `cablesim run ivbb-2018` and `cablesim run cablegate-2010` (their default settings)"
        }
        "e2e-group" => {
            "Mutual TLS, plus one symmetric key shared by every node, signatures and key pinning. \
             The hub and the archive hold only ciphertext, and forgeries are rejected; but one \
             key stolen from any node opens every captured cable of everyone."
        }
        "e2e-static" => {
            "Mutual TLS, plus a long-term X25519 key per node, signatures and key pinning. A \
             stolen key opens only cables addressed to its node — but all of them, past and \
             future: ciphertext recorded today can be read whenever the key is taken.\n\n\
             Shown by: `cablesim run stolen-keys-later` (static keys on a recorded link)"
        }
        "e2e-fs" => {
            "Mutual TLS, plus per-epoch X25519 prekeys deleted when their epoch ends, signatures \
             and key pinning. A stolen key opens only its node's cables of that epoch; what was \
             recorded earlier stays closed. An endpoint on a node still reads what that node \
             reads.\n\n\
             Shown by: `cablesim run ivbb-2018 --config e2e-fs` (headers only) and `cablesim run \
             coreu-2018 --config e2e-fs` (an endpoint still reads)"
        }
        "e2e-pq" => {
            "e2e-fs with hybrid post-quantum key agreement everywhere (post_quantum = both): every \
             TLS handshake uses X25519MLKEM768, and every epoch key is an X25519 key plus an \
             ML-KEM-768 key that each wrap combines. Against today's adversaries it is e2e-fs; \
             against a quantum computer that later breaks X25519, recorded links and recorded \
             envelopes stay closed, because their ML-KEM half does not break. The cost is bytes: \
             1,088 more per recipient key in every envelope, about 2.3 KB more per handshake. \
             Signatures stay Ed25519.\n\n\
             Shown by: `cablesim run harvest-now-decrypt-later --config e2e-pq`"
        }
        _ => return None,
    })
}

fn field_text(name: &str) -> Option<&'static str> {
    Some(match name {
        "transport" => {
            "How each link between a node and the hub is protected: plain, tls (the hub proves \
             who it is) or mtls (both sides do; the default). On a plain link a tap reads routing \
             and, without end-to-end encryption, content; under tls or mtls it sees traffic only. \
             A man-in-the-middle can intercept tls when the node skips the certificate check, \
             but under mtls it also needs the node's stolen keys.\n\n\
             Shown by: `cablesim run hotel-wifi-mitm --set transport=mtls`"
        }
        "verify_server" => {
            "Whether nodes check the hub's certificate against the network's CA (default true; a \
             node may override it, like a mission on hotel Wi-Fi). When true, a man-in-the-middle's \
             forged certificate is rejected with an alarm and it sees traffic only. When false, \
             under tls it reads the link as if it were plain; under mtls it still needs the \
             node's stolen keys.\n\n\
             Shown by: `cablesim run hotel-wifi-mitm`"
        }
        "e2e" => {
            "End-to-end cable encryption: off, group (one key shared by all nodes), static (a \
             long-term key per node) or forward-secret (per-epoch keys deleted when the epoch \
             ends; the default). When on, the hub, the archive and plain-link taps see only \
             routing, and content leaks only where an actor holds a key that opens it: the group \
             key opens everything, a static key everything addressed to its node, an epoch key \
             only its epoch. An endpoint reads its node's cables whatever the mode.\n\n\
             Shown by: `cablesim run stolen-keys-later --set e2e=forward-secret`"
        }
        "epoch_days" => {
            "How many days a forward-secret prekey lives (default 7): epoch(day) = day / \
             epoch_days. A key stolen on one day opens only cables of that epoch, so shorter \
             epochs shrink what one theft opens. It changes nothing in the other modes."
        }
        "signatures" => {
            "Whether each sender signs every cable with its Ed25519 identity key (default true). \
             With signatures every forged cable is rejected with an alarm. Without, a forger is \
             believed whenever it can build a valid envelope: always with e2e off, static or \
             forward-secret (encryption is not authentication), and under group if its actor \
             holds the group key.\n\n\
             Shown by: `cablesim run forged-instruction --set signatures=true`"
        }
        "key_pinning" => {
            "Whether senders check every public key fetched from the hub's directory against its \
             owner's CA-certified identity (default true). Without pinning, a hub adversary under \
             static or forward-secret keys adds a ghost key that senders wrap for, and reads \
             every cable of its window without raising any alarm. With pinning the ghost key is \
             refused with an alarm and gains nothing.\n\n\
             Shown by: `cablesim run ivbb-2018 --config e2e-fs --set key_pinning=false`"
        }
        "distribution" => {
            "Who receives a cable: need-to-know (its addressees only; the default) or broadcast \
             (the addressees plus every ministry and hq, as COREU did). Every rule about a node \
             — what an endpoint reads, which frames a tap sees, which cables a stolen key opens — \
             follows the recipient list, so broadcast turns one compromised ministry into a view \
             of almost the whole network.\n\n\
             Shown by: `cablesim run coreu-2018 --set distribution=need-to-know`"
        }
        "archive" => {
            "Whether the hub keeps a copy of every frame it relays (default true). The archive is \
             what a hub adversary takes when its window opens and what an insider exports; \
             without it they get only what passes during their window, and an insider gets \
             nothing.\n\n\
             Shown by: `cablesim run cablegate-2010 --set archive=false`"
        }
        "archive_days" => {
            "How many days the hub archive keeps a cable (absent = forever): on day t it holds \
             cables with t − day < archive_days. A short archive limits what a hub adversary \
             finds when it arrives and what an insider's bulk export contains.\n\n\
             Shown by: `cablesim run cablegate-2010 --set archive_days=52`"
        }
        "retention_days" => {
            "How many days a node keeps its inbox and sent items (absent = forever): on day t \
             it holds cables with t − day < retention_days. Malware landing on a node reads \
             only what is still kept, so short retention limits an endpoint's reach into the \
             past; what arrives while it is present it reads regardless.\n\n\
             Shown by: `cablesim run darroch-2019 --set retention_days=90`"
        }
        "max_classification" => {
            "The highest classification this network carries (default secret). Cables above it \
             travel on a separate system outside the simulation, so they are never sent here and \
             can never leak here, whatever the adversary.\n\n\
             Shown by: `cablesim run coreu-2018` (confidential and secret cables withheld)"
        }
        "post_quantum" => {
            "Hybrid post-quantum key agreement: off (the default), transport, e2e or both. Under \
             transport every TLS handshake uses only the X25519MLKEM768 group, X25519 together \
             with ML-KEM-768 (FIPS 203), the group browsers deploy; under e2e every static and \
             epoch key is an X25519 key plus an ML-KEM-768 key, and every wrap combines both \
             shared secrets. A hybrid key agreement stays closed while either half holds, so \
             traffic recorded today stays closed after a quantum computer breaks X25519 \
             (harvest now, decrypt later). It costs bytes: 1,088 more per recipient key in every \
             envelope, and about 2.3 KB more per TLS handshake. Signatures stay Ed25519: a \
             quantum computer could forge them only while a session is running, not in a \
             recording. group keys are symmetric and need nothing.\n\n\
             Shown by: `cablesim run coreu-2018 --config e2e-fs --set post_quantum=both`"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_names_its_attack_techniques() {
        for kind in AdversaryKind::ALL {
            let text = explain(kind);
            for id in kind.attack_techniques() {
                assert!(text.contains(id), "{kind} lacks {id}");
            }
        }
    }

    #[test]
    fn every_topic_has_a_text() {
        for topic in EXPLAIN_TOPICS {
            let text = explain_topic(topic).unwrap_or_else(|| panic!("no text for {topic}"));
            assert!(text.starts_with(topic), "{text}");
            assert!(text.len() > 100, "{topic} is too short");
        }
    }

    #[test]
    fn topics_cover_every_kind_preset_and_field() {
        for kind in AdversaryKind::ALL {
            assert!(EXPLAIN_TOPICS.contains(&kind.as_str()), "{kind}");
        }
        for preset in ["plaintext", "hop-tls", "e2e-group", "e2e-static", "e2e-fs", "e2e-pq"] {
            assert!(preset_text(preset).is_some(), "{preset}");
        }
        let fields = crate::model::SecurityConfig::FIELDS;
        for field in fields {
            assert!(field_text(field).is_some(), "{field}");
        }
        assert_eq!(EXPLAIN_TOPICS.len(), AdversaryKind::ALL.len() + 6 + fields.len());
        assert!(
            fields.iter().all(|f| EXPLAIN_TOPICS.contains(f)),
            "every field is a topic"
        );
    }

    #[test]
    fn case_and_separators_do_not_matter() {
        assert_eq!(explain_topic("key_thief"), explain_topic("key-thief"));
        assert_eq!(explain_topic("KEY-PINNING"), explain_topic("key_pinning"));
        assert_eq!(explain_topic(" e2e_fs "), explain_topic("e2e-fs"));
    }

    #[test]
    fn fail_unknown_topic() {
        assert_eq!(explain_topic("kyber"), None);
        assert_eq!(explain_topic(""), None);
        assert_eq!(explain_topic("security"), None);
    }
}
