//! The stories of the built-in scenarios, keyed by scenario name, and the
//! shape they are written in ([`Told`]; `story` turns one into the
//! [`Story`](super::Story) the terminal tells, and this file needs nothing
//! from it). Their facts come from the comments at the top of each scenario file in
//! `examples/scenarios/`, and nowhere else; their figures come from runs.
//!
//! Each story lists the measures its incident is replayed under. A measure
//! the scenario already has is still listed when trainers are asked about
//! it (COREU already runs `e2e-fs`): its row is then the baseline run, and
//! the table says so. Contrast rows that are not mitigations at all (no
//! encryption) show that a figure does not depend on them.

use super::demo::{Change, Mitigation};
use super::presets::Preset;

/// A story written for one built-in scenario.
pub(super) struct Told {
    pub(super) name: &'static str,
    pub(super) title: &'static str,
    pub(super) intro: &'static [&'static str],
    pub(super) mitigations: &'static [Mitigation],
    pub(super) lessons: &'static str,
}

/// Every story, by scenario name.
pub(super) const TOLD: &[Told] = &[
    COREU_2018,
    CABLEGATE_2010,
    DARROCH_2019,
    IVBB_2018,
    HARVEST_NOW_DECRYPT_LATER,
    STOLEN_KEYS_LATER,
    HOTEL_WIFI_MITM,
    FORGED_INSTRUCTION,
];

/// Facts: the comments of `examples/scenarios/coreu-2018.toml`.
const COREU_2018: Told = Told {
    name: "coreu-2018",
    title: "COREU, 2018: one phished ministry reads a broadcast network",
    intro: &[
        "COREU (\"CORrespondance EUropéenne\") is the EU's diplomatic communication network. It links the \
         foreign ministries of the member states with the Council, the Commission and the European External \
         Action Service, and every message goes to all members rather than to named addressees only.",
        "In December 2018 the New York Times reported that attackers had read COREU traffic for about three \
         years. The security firm Area 1 Security, which found the breach, recovered over 1,100 cables, \
         mostly LIMITE and RESTRICTED, from the attackers' server and gave them to the newspaper; reports \
         said thousands were downloaded, and the firm called its find a small fraction. The encryption was \
         not broken: phishing e-mails to Cyprus's foreign ministry stole passwords, the passwords opened the \
         network's database of exchanges, and the attackers left a backdoor there.",
        "Here the foothold is an endpoint on Cyprus's ministry, cy-mfa, which under broadcast receives every \
         cable: it reaches what the database held, though by a different road. The run is scaled to the \
         recovered set, not the unknown total, and its classification mix is an assumption. The network \
         runs the strongest crypto cablesim has, mutual TLS and forward-secret end-to-end encryption, and \
         higher classifications go over another system.",
    ],
    mitigations: &[
        Mitigation {
            label: "need-to-know distribution",
            changes: &[Change::Set("distribution=need-to-know")],
            if_unchanged: "does not help here: the ministry was addressed on everything it received.",
        },
        Mitigation {
            label: "90-day retention",
            changes: &[Change::Set("retention_days=90")],
            if_unchanged: "does not help: it limits what the malware finds when it lands, not what it reads \
                           as it arrives, and it landed early.",
        },
        Mitigation {
            label: "detected within 30 days",
            changes: &[Change::Dwell(30)],
            if_unchanged: "does not help here: everything was taken in the first 30 days.",
        },
        Mitigation {
            label: "end-to-end encryption (e2e-fs)",
            changes: &[Change::Preset(Preset::E2eFs)],
            if_unchanged: "does not help: unchanged, the malware reads what the ministry reads, after the \
                           ministry's own keys have decrypted it.",
        },
        Mitigation {
            label: "no encryption at all (plaintext)",
            changes: &[Change::Preset(Preset::Plaintext)],
            if_unchanged: "changes nothing either: the attackers never had to break any crypto.",
        },
        Mitigation {
            label: "need-to-know + 90-day retention",
            changes: &[
                Change::Set("distribution=need-to-know"),
                Change::Set("retention_days=90"),
            ],
            if_unchanged: "does not help here either.",
        },
    ],
    lessons: "The cables were not taken on the wire: the attackers read COREU where it is decrypted, with a \
        member's stolen passwords, and broadcast distribution brought every member's cables within that one \
        ministry's reach. What shrinks such a breach is how widely each cable goes and how soon an intrusion is \
        found; retention limits what a late intruder finds on arrival, not what it reads live. End-to-end \
        encryption remains necessary, since it keeps taps, the hub and stolen backups out, but it protects \
        cables between endpoints, not on them.",
};

/// Facts: the comments of `examples/scenarios/cablegate-2010.toml`.
const CABLEGATE_2010: Told = Told {
    name: "cablegate-2010",
    title: "Cablegate, 2010: one insider exports a central plaintext archive",
    intro: &[
        "After September 2001 the Defense Department built a central database, Net-Centric Diplomacy \
         (Horizontal Fusion, from 2003; in service from 2006), on SIPRNet, its network for classified \
         material up to SECRET, and the State Department's cables marked SIPDIS were copied into it so that \
         other agencies could search them. A very large number of military and civilian users could read it.",
        "In spring 2010 an Army intelligence analyst in Iraq, Chelsea Manning, downloaded the cables and \
         passed them to WikiLeaks: 251,287 cables from 274 embassies, consulates and missions, none top \
         secret, published from November 2010. No encryption was broken: the links were protected, the \
         cables sat in plaintext in a central store behind them, and one authorised user copied the store.",
        "Here the archive of the hub stands for the database, each simulated day for about a week, and the \
         run is a hundredth of the real size (--set cables=251287 runs all of it).",
    ],
    mitigations: &[
        Mitigation {
            label: "no central archive",
            changes: &[Change::Set("archive=false")],
            if_unchanged: "does not help: the insider did not need the archive.",
        },
        Mitigation {
            label: "archive kept a year (52 days)",
            changes: &[Change::Set("archive_days=52")],
            if_unchanged: "does not help here: everything exported was less than a year old.",
        },
        Mitigation {
            label: "end-to-end encryption (e2e-fs)",
            changes: &[Change::Preset(Preset::E2eFs)],
            if_unchanged: "does not help here: the export holds the cables as the hub held them.",
        },
        Mitigation {
            label: "e2e-fs + archive kept a year",
            changes: &[Change::Preset(Preset::E2eFs), Change::Set("archive_days=52")],
            if_unchanged: "does not help here either.",
        },
    ],
    lessons: "The leak came from where the plaintext lived, not from the wire: one store held every cable \
        readable, and everyone allowed in could copy all of it. Keeping less for less long shrinks what one \
        export can take; end-to-end encryption leaves the store, and whoever copies it, with ciphertext and \
        headers only: who wrote to whom, and when, still leaks.",
};

/// Facts: the comments of `examples/scenarios/darroch-2019.toml`.
const DARROCH_2019: Told = Told {
    name: "darroch-2019",
    title: "Darroch, 2019: an insider recipient of widely read telegrams",
    intro: &[
        "Sir Kim Darroch was the UK's ambassador in Washington from January 2016 to July 2019. His diplomatic \
         telegrams to the Foreign and Commonwealth Office in London gave frank assessments of the Trump \
         administration.",
        "On 7 July 2019 the Mail on Sunday published extracts of telegrams and briefing notes from 2017 \
         onwards, about two years of them; Darroch resigned on 10 July. Nothing was intercepted or decrypted: \
         the material came from someone with legitimate access, and reports stressed how widely such \
         telegrams were read across Whitehall. The leaker has not been publicly identified; a civil servant \
         arrested in October 2020 was released with no further action.",
        "Reports conflict on how long the telegrams stayed readable: deleted automatically after three months, \
         so that the leaker collected them as they arrived over two years, or kept, for someone with access \
         to historical files. The run assumes the second: the department keeps everything.",
        "Here every telegram reaches every Whitehall department, and the insider sits at a stand-in name, \
         whitehall-dept: under broadcast any department gives the same figures, and none is implied.",
    ],
    mitigations: &[
        Mitigation {
            label: "need-to-know distribution",
            changes: &[Change::Set("distribution=need-to-know")],
            if_unchanged: "does not help here: the department was addressed on everything it received.",
        },
        Mitigation {
            label: "90-day retention",
            changes: &[Change::Set("retention_days=90")],
            if_unchanged: "does not help here: nothing older than 90 days was read on arrival.",
        },
        Mitigation {
            label: "detected within 30 days",
            changes: &[Change::Dwell(30)],
            if_unchanged: "does not help here: everything was taken in the first 30 days.",
        },
        Mitigation {
            label: "end-to-end encryption (e2e-fs)",
            changes: &[Change::Preset(Preset::E2eFs)],
            if_unchanged: "does not help: unchanged, a recipient reads what is addressed to it, whatever the \
                           crypto.",
        },
        Mitigation {
            label: "need-to-know + 90-day retention",
            changes: &[
                Change::Set("distribution=need-to-know"),
                Change::Set("retention_days=90"),
            ],
            if_unchanged: "does not help here either.",
        },
    ],
    lessons: "Nothing here was a failure of cryptography: the telegrams were read by someone entitled to read \
        them, and the breadth of the distribution decided how many were within reach. Sending each telegram \
        only to those who need it, and keeping it only as long as it is needed, shrinks what any one reader \
        can take; detection ends the harvest sooner. Encryption cannot tell a loyal reader from a disloyal \
        one.",
};

/// Facts: the comments of `examples/scenarios/ivbb-2018.toml`.
const IVBB_2018: Told = Told {
    name: "ivbb-2018",
    title: "IVBB, 2018: intruders in a shared government backbone",
    intro: &[
        "The IVBB (Informationsverbund Berlin-Bonn) is the German federal government's shared network, \
         linking the Chancellery, the federal ministries and other federal bodies in Berlin and Bonn.",
        "On 28 February 2018 German media reported that attackers had been inside the IVBB, and the \
         government confirmed an attack detected in December 2017. Reports said the attackers had been in \
         the network for about a year and had reached the Federal Foreign Office: the record is malware on \
         a handful of its computers and three to six documents taken. After detection they were watched, \
         not shut out, until at least 28 February 2018.",
        "Here the backbone is the hub position, held for a year, with every link under mutual TLS and \
         nothing encrypted end to end; the window ends at detection. The figures show what that position \
         made possible, not what the attackers took.",
    ],
    mitigations: &[
        Mitigation {
            label: "end-to-end encryption (e2e-fs)",
            changes: &[Change::Preset(Preset::E2eFs)],
            if_unchanged: "does not help here.",
        },
        Mitigation {
            label: "e2e-fs without key pinning",
            changes: &[Change::Preset(Preset::E2eFs), Change::Set("key_pinning=false")],
            if_unchanged: "changes nothing: the hub adds a key of its own to every directory entry (the 2018 \
                           ghost proposal, generalised), senders encrypt for it too, and it reads on.",
        },
        Mitigation {
            label: "no archive at the hub",
            changes: &[Change::Set("archive=false")],
            if_unchanged: "does not help here: the archive held nothing the live traffic did not.",
        },
        Mitigation {
            label: "detected within 30 days",
            changes: &[Change::Dwell(30)],
            if_unchanged: "does not help here: everything was taken in the first 30 days.",
        },
    ],
    lessons: "Whoever holds the relay holds everything that passes through it in clear: TLS protects each \
        link and ends where the backbone begins. End-to-end encryption leaves the backbone routing only, who \
        wrote to whom, when and at what level, but only if senders check whose keys they encrypt for: \
        without key pinning the relay slips in a key of its own and reads on, without an alarm. Keeping no \
        copies at the relay and finding intruders sooner both shrink what it exposes.",
};

/// Facts, with their sources: the comments of
/// `examples/scenarios/harvest-now-decrypt-later.toml`.
const HARVEST_NOW_DECRYPT_LATER: Told = Told {
    name: "harvest-now-decrypt-later",
    title: "Harvest now, decrypt later: a quantum computer opens a decade-old recording",
    intro: &[
        "A teaching scenario, not a reported incident. States record encrypted diplomatic traffic they cannot \
         read yet, waiting for a quantum computer that can break the elliptic-curve key agreement protecting \
         it. That is why NIST standardised ML-KEM (FIPS 203, August 2024), why browsers offer the hybrid TLS \
         group X25519MLKEM768 (Chrome by default since version 131, November 2024), and why Signal added PQXDH \
         (September 2023) and iMessage PQ3 (February 2024).",
        "Here a host state taps one mission's link, del-geneva, for two years and copies the hub's archive \
         once, a year in. The network uses mutual TLS and long-term end-to-end keys, signed and pinned: \
         nothing is readable when recorded. Nine years in, the state has a quantum computer. It recovers the \
         private key of every classical X25519 public key it recorded and opens what they protected. The \
         computer is an illustration, not a forecast.",
    ],
    mitigations: &[
        Mitigation {
            label: "forward-secret keys",
            changes: &[Change::Set("e2e=forward-secret")],
            if_unchanged: "does not help here: a deleted private key leaves its public half in the recording.",
        },
        Mitigation {
            label: "hybrid TLS only",
            changes: &[Change::Set("post_quantum=transport")],
            if_unchanged: "does not help here: the archive copy holds the envelopes themselves.",
        },
        Mitigation {
            label: "hybrid end-to-end keys only",
            changes: &[Change::Set("post_quantum=e2e")],
            if_unchanged: "does not help here.",
        },
        Mitigation {
            label: "hybrid everywhere (e2e-pq)",
            changes: &[Change::Preset(Preset::E2ePq)],
            if_unchanged: "does not help here.",
        },
    ],
    lessons: "A recording is only as safe as the hardest key agreement in it. Forward secrecy protects against a \
        key stolen later, not against the algorithm broken later: the public halves stay in the recording. \
        Hybrid post-quantum key agreement, X25519 with ML-KEM-768, keeps what it protected closed while either \
        half holds: on the links it keeps a tap's recording closed, end to end it keeps the text of every \
        cable closed wherever it was copied. Both are needed, and the headers a hub routes by stay readable to \
        whoever copies its archive, quantum computer or not.",
};

/// Facts: the comments of `examples/scenarios/stolen-keys-later.toml`.
const STOLEN_KEYS_LATER: Told = Told {
    name: "stolen-keys-later",
    title: "Stolen keys, later: recorded ciphertext opens years later",
    intro: &[
        "A teaching scenario, not a reported incident. Intelligence services record encrypted traffic they \
         cannot read yet and keep it, in case a key turns up later: a seized laptop, a stolen backup, a \
         defector, a broken algorithm. Whether the recording ever becomes readable depends on the keys, not \
         on how strong the encryption looked the day it was recorded.",
        "Here a host state records the link of one mission, del-geneva, for its first year, and years later \
         copies the private keys the mission holds on one day. The mission uses long-term (static) end-to-end \
         keys. The link is plain so that the recording holds the envelopes themselves: a recorded TLS link \
         broken later would be in the same position.",
    ],
    mitigations: &[
        Mitigation {
            label: "forward-secret keys",
            changes: &[Change::Set("e2e=forward-secret")],
            if_unchanged: "does not help here: the stolen key's own epoch held what was recorded.",
        },
        Mitigation {
            label: "recording found in 30 days",
            changes: &[Change::Dwell(30)],
            if_unchanged: "does not help here: everything was recorded in the first 30 days.",
        },
        Mitigation {
            label: "one group key (e2e-group)",
            changes: &[Change::Set("e2e=group")],
            if_unchanged: "changes nothing: one stolen key opens the recording either way.",
        },
    ],
    lessons: "Ciphertext is only as safe as the keys that can still open it. Long-term keys turn one theft, \
        years later, into the whole recorded past; forward secrecy deletes each epoch's keys when the epoch \
        ends, so a key stolen later opens only its own epoch, long after the recording stopped. Who wrote to \
        whom, and when, was readable from the first day. Forward secrecy does not protect against a future \
        break of X25519 itself: that needs post-quantum key agreement (harvest-now-decrypt-later).",
};

/// Facts: the comments of `examples/scenarios/hotel-wifi-mitm.toml`.
const HOTEL_WIFI_MITM: Told = Told {
    name: "hotel-wifi-mitm",
    title: "Hotel Wi-Fi: a delegation that skips certificate checks",
    intro: &[
        "A teaching scenario, not a reported incident. Hotel and conference networks are a favoured place to \
         intercept travelling officials' traffic. TLS defends against it only if the client checks the \
         server's certificate; clients that skip the check, to get past a captive portal or a certificate \
         error nobody could fix on the road, accept the interceptor's certificate as the hub's.",
        "Here a delegation, del-summit, works from its hotel during a five-day summit with certificate \
         checks turned off, and a man in the middle on the hotel network reads and relays every cable it \
         sends or receives those five days.",
    ],
    mitigations: &[
        Mitigation {
            label: "every client checks the hub",
            changes: &[Change::VerifyEveryServer],
            if_unchanged: "does not help here.",
        },
        Mitigation {
            label: "mutual TLS",
            changes: &[Change::Set("transport=mtls")],
            if_unchanged: "does not help here.",
        },
        Mitigation {
            label: "end-to-end encryption (fs)",
            changes: &[Change::Set("e2e=forward-secret")],
            if_unchanged: "does not help here.",
        },
    ],
    lessons: "TLS is only as good as the check of the certificate at its end: a client that skips it talks to \
        whoever answers. Checking the server is the fix. Mutual TLS stops this interceptor only because it \
        cannot show the hub the delegation's certificate; with the delegation's keys, from a laptop left in \
        the room, it gets through again, so it is no substitute. End-to-end encryption, as defence in depth, \
        leaves an intercepted link with headers only.",
};

/// Facts: the comments of `examples/scenarios/forged-instruction.toml`.
/// Labels are at most 22 characters: the table has a forgeries column.
const FORGED_INSTRUCTION: Told = Told {
    name: "forged-instruction",
    title: "A forged instruction: cables in headquarters' name",
    intro: &[
        "A teaching scenario, not a reported incident. Forged and altered official messages are a documented \
         tactic, used in influence operations for as long as there have been official channels. What makes \
         one believable on a cable network is whether the recipients can tell who really wrote it.",
        "Here someone who can inject messages at the hub, an intruder in the relay or a rogue administrator, \
         sends one forged cable a day for four days in the name of hq, to every ministry. The network \
         encrypts end to end with forward-secret keys, but senders do not sign.",
    ],
    mitigations: &[
        Mitigation {
            label: "signatures on",
            changes: &[Change::Set("signatures=true")],
            if_unchanged: "does not help here.",
        },
        Mitigation {
            label: "detected within 2 days",
            changes: &[Change::Dwell(2)],
            if_unchanged: "does not help here.",
        },
        Mitigation {
            label: "static e2e encryption",
            changes: &[Change::Set("e2e=static")],
            if_unchanged: "changes nothing: sealing a cable to a public key needs no secret, so encryption \
                           says nothing about the sender.",
        },
    ],
    lessons: "Encryption says who can read a cable, not who wrote it: sealing to a recipient's public key needs \
        no secret, so every ministry accepted every forgery, whatever the keys. Signatures are what tell a \
        genuine instruction from a forged one: with them each ministry checks hq's signature, rejects every \
        forgery and raises an alarm.",
};
