//! The four e2e modes end to end through the public crypto API: who can
//! open what, and every way a recipient refuses an envelope. Every test of
//! agreement keys runs with classical and with hybrid (X25519 and
//! ML-KEM-768) keys; tests/it/crypto_hybrid.rs has what only hybrid keys do.

use cablesim::crypto::{
    AcceptPolicy, AgreementSecret, CablePayload, CryptoError, Directory, Envelope, GroupKey, HYBRID_WRAP_LEN,
    IdentityKey, KeyAgreement, KeyKind, KeyMaterial, NodeKeys, PublishedKey, RecipientKey, ReplayGuard,
    TrustedIdentities, WRAP_LEN, check_entry,
};
use cablesim::model::{CableContent, CableHeader, Classification, E2eMode, epoch_of};
use proptest::prelude::*;

const EPOCH_DAYS: u32 = 7;

/// A network's key holders, their certified identities and the directory.
struct World {
    mode: E2eMode,
    nodes: Vec<NodeKeys>,
    trusted: TrustedIdentities,
    directory: Directory,
}

/// Both kinds of agreement keys: every test below runs with each.
const AGREEMENTS: [KeyAgreement; 2] = [KeyAgreement::Classical, KeyAgreement::Hybrid];

impl World {
    fn new(mode: E2eMode, n: usize, agreement: KeyAgreement) -> World {
        Self::with_devices(mode, n, 1, agreement)
    }

    fn with_devices(mode: E2eMode, n: usize, devices: usize, agreement: KeyAgreement) -> World {
        let group = GroupKey::generate();
        let mut trusted = TrustedIdentities::new();
        let mut directory = Directory::new();
        let nodes: Vec<NodeKeys> = (0..n)
            .map(|i| {
                let keys = NodeKeys::with_agreement(
                    &name(i),
                    mode,
                    EPOCH_DAYS,
                    devices,
                    agreement,
                    IdentityKey::generate(),
                    Some(group.clone()),
                );
                trusted.insert(&name(i), keys.identity().public());
                directory.publish(keys.publish());
                keys
            })
            .collect();
        World {
            mode,
            nodes,
            trusted,
            directory,
        }
    }

    /// Every node enters the epoch of `day` and republishes.
    fn enter_day(&mut self, day: u32) {
        for keys in &mut self.nodes {
            keys.enter_day(day);
            self.directory.publish(keys.publish());
        }
    }

    fn wanted(&self, day: u32) -> KeyKind {
        match self.mode {
            E2eMode::ForwardSecret => KeyKind::Epoch(epoch_of(day, EPOCH_DAYS)),
            _ => KeyKind::Static,
        }
    }

    /// Keys the sender would wrap for, with pinning on.
    fn keys_for(&self, recipients: &[String], day: u32) -> Vec<RecipientKey> {
        if matches!(self.mode, E2eMode::Off | E2eMode::Group) {
            return Vec::new();
        }
        recipients
            .iter()
            .flat_map(|r| {
                let entry = self.directory.get(r).expect("published");
                check_entry(r, entry, self.wanted(day), &self.trusted, true)
                    .expect("genuine")
                    .accepted
            })
            .collect()
    }

    fn seal(&self, id: &str, day: u32, from: usize, to: &[usize], content: &CableContent, sign: bool) -> CablePayload {
        let recipients: Vec<String> = to.iter().map(|&i| name(i)).collect();
        let header = header(id, day, &name(from), recipients.clone());
        CablePayload::seal(
            header,
            content,
            &self.nodes[from],
            &self.keys_for(&recipients, day),
            sign,
        )
        .expect("seal")
    }

    fn accept(
        &self,
        at: usize,
        payload: &CablePayload,
        replay: &mut ReplayGuard,
    ) -> Result<cablesim::crypto::Opened, CryptoError> {
        let from = &payload.header().from;
        payload.accept(
            &self.nodes[at],
            self.trusted.get(from),
            AcceptPolicy {
                require_signature: true,
            },
            replay,
        )
    }
}

fn name(i: usize) -> String {
    format!("n{i:02}-mfa")
}

fn header(id: &str, day: u32, from: &str, recipients: Vec<String>) -> CableHeader {
    CableHeader {
        version: CableHeader::VERSION,
        id: id.to_owned(),
        day,
        from: from.to_owned(),
        to: recipients.clone(),
        recipients,
        classification: Classification::Restricted,
    }
}

fn content(body: &str) -> CableContent {
    CableContent {
        subject: "Sanctions package: member state positions".to_owned(),
        body: body.to_owned(),
    }
}

const E2E_MODES: [E2eMode; 3] = [E2eMode::Group, E2eMode::Static, E2eMode::ForwardSecret];

/// The modes with agreement keys, each with both kinds of keys.
const AGREEMENT_MODES: [(E2eMode, KeyAgreement); 4] = [
    (E2eMode::Static, KeyAgreement::Classical),
    (E2eMode::Static, KeyAgreement::Hybrid),
    (E2eMode::ForwardSecret, KeyAgreement::Classical),
    (E2eMode::ForwardSecret, KeyAgreement::Hybrid),
];

/// Every mode; those with agreement keys with both kinds.
const ALL_MODES: [(E2eMode, KeyAgreement); 6] = [
    (E2eMode::Off, KeyAgreement::Classical),
    (E2eMode::Group, KeyAgreement::Classical),
    (E2eMode::Static, KeyAgreement::Classical),
    (E2eMode::Static, KeyAgreement::Hybrid),
    (E2eMode::ForwardSecret, KeyAgreement::Classical),
    (E2eMode::ForwardSecret, KeyAgreement::Hybrid),
];

fn sealed(payload: &CablePayload) -> &Envelope {
    match payload {
        CablePayload::Sealed(envelope) => envelope,
        CablePayload::Clear(_) => panic!("expected an envelope"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: proptest::test_runner::RngSeed::Fixed(7748),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_recipient_opens_in_every_mode(
        mode in prop::sample::select(vec![E2eMode::Off, E2eMode::Group, E2eMode::Static, E2eMode::ForwardSecret]),
        recipients in 1usize..=40,
        day in 0u32..100,
        body in ".{0,600}",
        sign in any::<bool>(),
    ) {
        for agreement in AGREEMENTS {
            let mut world = World::new(mode, recipients + 1, agreement);
            world.enter_day(day);
            let to: Vec<usize> = (1..=recipients).collect();
            let payload = world.seal("C-000001", day, 0, &to, &content(&body), sign);
            prop_assert_eq!(payload.is_sealed(), mode != E2eMode::Off);
            for &r in &to {
                let mut replay = ReplayGuard::new();
                let policy = AcceptPolicy { require_signature: sign };
                let opened = payload.accept(&world.nodes[r], world.trusted.get(&name(0)), policy, &mut replay).unwrap();
                prop_assert_eq!(&opened.content.body, &body);
                prop_assert_eq!(opened.verify_signature(&world.nodes[0].identity().public()), Ok(sign));
            }
            if let CablePayload::Sealed(envelope) = &payload {
                let expected_wraps = if mode == E2eMode::Group { 1 } else { recipients };
                prop_assert_eq!(envelope.header.wraps.len(), expected_wraps);
                // Only agreement keys are hybrid: the group key is symmetric.
                let hybrid = agreement == KeyAgreement::Hybrid && mode != E2eMode::Group;
                prop_assert_eq!(envelope.is_hybrid(), hybrid);
                let wrap_len = if hybrid { HYBRID_WRAP_LEN } else { WRAP_LEN };
                prop_assert!(envelope.header.wraps.iter().all(|w| w.sealed_secret.len() == wrap_len));
                // The envelope survives its own byte encoding unchanged.
                prop_assert_eq!(&Envelope::from_bytes(&envelope.to_bytes()).unwrap(), envelope);
            }
        }
    }
}

#[test]
fn every_single_byte_flip_is_rejected() {
    for (mode, agreement) in E2E_MODES.into_iter().flat_map(|m| AGREEMENTS.map(|a| (m, a))) {
        let world = World::new(mode, 4, agreement);
        let payload = world.seal(
            "C-000007",
            3,
            0,
            &[1, 2, 3],
            &content("Nuclear talks: delegation readout."),
            true,
        );
        let bytes = sealed(&payload).to_bytes();
        let mut decoded = 0;
        for position in 0..bytes.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut tampered = bytes.clone();
                tampered[position] ^= mask;
                let Ok(envelope) = Envelope::from_bytes(&tampered) else {
                    continue; // refused by the decoder: rejected
                };
                decoded += 1;
                let payload = CablePayload::Sealed(envelope);
                for recipient in 1..=3 {
                    let result = world.accept(recipient, &payload, &mut ReplayGuard::new());
                    assert!(
                        result.is_err(),
                        "{mode:?} {agreement:?}: flipping byte {position} with {mask:#04x} was accepted by {}",
                        name(recipient)
                    );
                }
            }
        }
        // Flips inside the ciphertext and the wraps always decode, so the
        // cryptography itself (not just the decoder) was put to the test.
        let envelope = sealed(&payload);
        let opaque = envelope.ciphertext.len()
            + envelope
                .header
                .wraps
                .iter()
                .map(|w| w.sealed_secret.len())
                .sum::<usize>();
        assert!(
            decoded >= 3 * opaque,
            "{mode:?} {agreement:?}: only {decoded} tampered envelopes decoded"
        );
    }
}

#[test]
fn fail_node_not_on_the_list_cannot_open() {
    for (mode, agreement) in AGREEMENT_MODES {
        let world = World::new(mode, 4, agreement);
        let payload = world.seal("C-000001", 0, 0, &[1, 2], &content("Trade: draft conclusions."), true);
        // Through the recipient path...
        let err = world.accept(3, &payload, &mut ReplayGuard::new()).unwrap_err();
        assert_eq!(err, CryptoError::NotARecipient(name(3)));
        // ...and with every key node 3 holds, as an adversary would try.
        for key in world.nodes[3].copy_secrets() {
            assert!(
                payload.open_with(&key).is_err(),
                "{mode:?} {agreement:?}: {}",
                key.describe()
            );
        }
        // The sender's own keys do not open what it sent: no wrap for itself.
        for key in world.nodes[0].copy_secrets() {
            assert!(
                payload.open_with(&key).is_err(),
                "{mode:?} {agreement:?}: sender {}",
                key.describe()
            );
        }
    }
}

#[test]
fn group_key_opens_envelopes_for_everyone_even_non_recipients() {
    // The weakness of group mode (ARCHITECTURE.md, "Keys an actor holds"): one
    // copy of the key opens all.
    let world = World::new(E2eMode::Group, 4, KeyAgreement::Classical);
    let payload = world.seal("C-000001", 0, 0, &[1], &content("Migration: readout."), true);
    let err = world.accept(3, &payload, &mut ReplayGuard::new()).unwrap_err();
    assert_eq!(err, CryptoError::NotARecipient(name(3)));
    let stolen = world.nodes[3].copy_secrets();
    let group = stolen.iter().find(|k| matches!(k, KeyMaterial::Group(_))).unwrap();
    assert_eq!(payload.open_with(group).unwrap().content.body, "Migration: readout.");
}

#[test]
fn fail_replayed_cable_id() {
    for (mode, agreement) in ALL_MODES {
        let world = World::new(mode, 2, agreement);
        let payload = world.seal(
            "C-000009",
            1,
            0,
            &[1],
            &content("Elections: observation mission."),
            true,
        );
        let mut replay = ReplayGuard::new();
        world.accept(1, &payload, &mut replay).unwrap();
        assert_eq!(
            world.accept(1, &payload, &mut replay).unwrap_err(),
            CryptoError::Replay("C-000009".into())
        );
        // A fresh seal of a different cable under the same id is a replay too.
        let again = world.seal("C-000009", 1, 0, &[1], &content("other"), true);
        assert_eq!(
            world.accept(1, &again, &mut replay).unwrap_err(),
            CryptoError::Replay("C-000009".into())
        );
    }
}

#[test]
fn after_epoch_deletion_old_envelopes_no_longer_open_but_current_ones_do() {
    for agreement in AGREEMENTS {
        epoch_deletion(agreement);
    }
}

fn epoch_deletion(agreement: KeyAgreement) {
    let mut world = World::new(E2eMode::ForwardSecret, 2, agreement);
    let old = world.seal("C-000001", 3, 0, &[1], &content("epoch 0"), true);
    // A thief who copies node 1's keys during epoch 0 can still open it later.
    let stolen_in_epoch_0 = world.nodes[1].copy_secrets();

    world.enter_day(7); // epoch 1: epoch-0 secrets are deleted
    assert_eq!(world.nodes[1].held_epochs(), vec![1]);
    let err = world.accept(1, &old, &mut ReplayGuard::new()).unwrap_err();
    assert_eq!(
        err,
        CryptoError::UnknownEpoch {
            epoch: 0,
            held: vec![1]
        }
    );
    for key in world.nodes[1].copy_secrets() {
        assert!(old.open_with(&key).is_err(), "{} opened epoch 0", key.describe());
    }

    let current = world.seal("C-000002", 8, 0, &[1], &content("epoch 1"), true);
    assert_eq!(
        world.accept(1, &current, &mut ReplayGuard::new()).unwrap().content.body,
        "epoch 1"
    );

    let opened_by_thief = stolen_in_epoch_0.iter().filter_map(|k| old.open_with(k).ok()).count();
    assert_eq!(opened_by_thief, 1);
    assert!(stolen_in_epoch_0.iter().all(|k| current.open_with(k).is_err()));
}

#[test]
fn static_key_theft_opens_every_day() {
    for agreement in AGREEMENTS {
        let world = World::new(E2eMode::Static, 2, agreement);
        let stolen = world.nodes[1].copy_secrets();
        for day in [0, 100, 1000] {
            let payload = world.seal(&format!("C-{day}"), day, 0, &[1], &content("static"), true);
            assert_eq!(stolen.iter().filter(|k| payload.open_with(k).is_ok()).count(), 1);
        }
    }
}

#[test]
fn fail_wrap_epoch_that_is_not_the_cable_epoch() {
    for agreement in AGREEMENTS {
        let world = World::new(E2eMode::ForwardSecret, 2, agreement);
        let payload = world.seal("C-000001", 2, 0, &[1], &content("x"), true);
        let mut envelope = sealed(&payload).clone();
        envelope.header.cable.day = 30; // claims epoch 4, wraps say epoch 0
        let err = world
            .accept(1, &CablePayload::Sealed(envelope), &mut ReplayGuard::new())
            .unwrap_err();
        assert_eq!(err, CryptoError::EpochMismatch { wrap: 0, cable: 4 });
    }
}

#[test]
fn fail_wrap_of_the_wrong_length() {
    for (agreement, wrap_len) in [
        (KeyAgreement::Classical, WRAP_LEN),
        (KeyAgreement::Hybrid, HYBRID_WRAP_LEN),
    ] {
        wrong_length(agreement, wrap_len);
    }
}

fn wrong_length(agreement: KeyAgreement, wrap_len: usize) {
    for cut in [0, 1, WRAP_LEN - 1, wrap_len - 1] {
        let world = World::new(E2eMode::Static, 2, agreement);
        let payload = world.seal("C-000001", 0, 0, &[1], &content("x"), true);
        let mut envelope = sealed(&payload).clone();
        envelope.header.wraps[0].sealed_secret.truncate(cut);
        let err = world
            .accept(1, &CablePayload::Sealed(envelope.clone()), &mut ReplayGuard::new())
            .unwrap_err();
        assert_eq!(
            err,
            CryptoError::WrapLength {
                recipient: name(1),
                len: cut,
                expected: wrap_len
            }
        );
        envelope.header.wraps[0].sealed_secret = vec![0; wrap_len + 1];
        let err = world
            .accept(1, &CablePayload::Sealed(envelope), &mut ReplayGuard::new())
            .unwrap_err();
        assert!(matches!(err, CryptoError::WrapLength { len, .. } if len == wrap_len + 1));
    }
}

#[test]
fn fail_unsigned_cable_when_signatures_are_required() {
    for (mode, agreement) in ALL_MODES {
        let world = World::new(mode, 2, agreement);
        let payload = world.seal("C-000001", 0, 0, &[1], &content("x"), false);
        let err = world.accept(1, &payload, &mut ReplayGuard::new()).unwrap_err();
        assert_eq!(err, CryptoError::MissingSignature("C-000001".into()), "{mode:?}");
        // Without the requirement the same cable is accepted.
        let policy = AcceptPolicy {
            require_signature: false,
        };
        payload
            .accept(&world.nodes[1], None, policy, &mut ReplayGuard::new())
            .unwrap();
    }
}

#[test]
fn fail_cable_claiming_another_sender() {
    // Node 2 signs with its own identity but claims to be node 0: the
    // signature does not verify under node 0's certified identity.
    for (mode, agreement) in ALL_MODES {
        let world = World::new(mode, 3, agreement);
        let recipients = vec![name(1)];
        let forged_header = header("C-000666", 0, &name(0), recipients.clone());
        let payload = CablePayload::seal(
            forged_header,
            &content("Instruction: transfer funds."),
            &world.nodes[2],
            &world.keys_for(&recipients, 0),
            true,
        )
        .unwrap();
        let err = world.accept(1, &payload, &mut ReplayGuard::new()).unwrap_err();
        assert_eq!(
            err,
            CryptoError::BadSignature {
                cable: "C-000666".into(),
                from: name(0)
            },
            "{mode:?} {agreement:?}"
        );
    }
}

#[test]
fn fail_downgrade_to_a_clear_cable() {
    let e2e = World::new(E2eMode::ForwardSecret, 2, KeyAgreement::Classical);
    let off = World::new(E2eMode::Off, 2, KeyAgreement::Classical);
    let clear = off.seal("C-000001", 0, 0, &[1], &content("x"), false);
    let policy = AcceptPolicy {
        require_signature: false,
    };
    let err = clear
        .accept(&e2e.nodes[1], None, policy, &mut ReplayGuard::new())
        .unwrap_err();
    assert_eq!(
        err,
        CryptoError::WrongMode {
            expected: "forward-secret",
            found: "off"
        }
    );
    let sealed = e2e.seal("C-000002", 0, 0, &[1], &content("x"), false);
    let err = sealed
        .accept(&off.nodes[1], None, policy, &mut ReplayGuard::new())
        .unwrap_err();
    assert_eq!(
        err,
        CryptoError::WrongMode {
            expected: "off",
            found: "forward-secret"
        }
    );
}

#[test]
fn fail_sealing_for_a_recipient_without_keys() {
    for agreement in AGREEMENTS {
        let world = World::new(E2eMode::Static, 3, agreement);
        let recipients = vec![name(1), name(2)];
        let only_one = world.keys_for(&recipients[..1], 0);
        let err = CablePayload::seal(
            header("C-1", 0, &name(0), recipients),
            &content("x"),
            &world.nodes[0],
            &only_one,
            true,
        )
        .unwrap_err();
        assert_eq!(
            err,
            CryptoError::MissingKey(format!("no usable key for recipient {}", name(2)))
        );
    }
}

#[test]
fn every_device_of_a_recipient_gets_a_wrap() {
    for agreement in AGREEMENTS {
        let world = World::with_devices(E2eMode::Static, 2, 3, agreement);
        let payload = world.seal("C-000001", 0, 0, &[1], &content("devices"), true);
        assert_eq!(sealed(&payload).header.wraps.len(), 3);
        let stolen = world.nodes[1].copy_secrets();
        assert_eq!(stolen.iter().filter(|k| payload.open_with(k).is_ok()).count(), 3);
        world.accept(1, &payload, &mut ReplayGuard::new()).unwrap();
    }
}

#[test]
fn ghost_key_reads_everything_without_pinning_and_nothing_with_it() {
    for (mode, agreement) in AGREEMENT_MODES {
        let mut world = World::new(mode, 3, agreement);
        let day = 9;
        world.enter_day(day);
        // The hub slips a key of its own, of the network's kind, into node
        // 1's entry.
        let ghost = AgreementSecret::generate_for(agreement);
        let hub_identity = IdentityKey::generate();
        let kind = world.wanted(day);
        let mut entry = world.directory.get(&name(1)).unwrap().clone();
        entry
            .keys
            .push(PublishedKey::signed_secret(&name(1), kind, &ghost, &hub_identity));
        let ghost_key = match kind {
            KeyKind::Static => KeyMaterial::Static {
                owner: name(1),
                secret: ghost.clone(),
            },
            KeyKind::Epoch(epoch) => KeyMaterial::Epoch {
                owner: name(1),
                epoch,
                secret: ghost.clone(),
            },
        };
        let recipients = vec![name(1)];
        for (pinning, ghost_reads) in [(false, true), (true, false)] {
            let check = check_entry(&name(1), &entry, kind, &world.trusted, pinning).unwrap();
            assert_eq!(check.refused.len(), usize::from(pinning));
            let payload = CablePayload::seal(
                header("C-1", day, &name(0), recipients.clone()),
                &content("ghost"),
                &world.nodes[0],
                &check.accepted,
                true,
            )
            .unwrap();
            assert_eq!(
                payload.open_with(&ghost_key).is_ok(),
                ghost_reads,
                "{mode:?} {agreement:?} pinning={pinning}"
            );
            // The genuine recipient opens either way: the ghost is silent.
            world.accept(1, &payload, &mut ReplayGuard::new()).unwrap();
        }
    }
}
