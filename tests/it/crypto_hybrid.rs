//! What only hybrid (X25519 and ML-KEM-768) keys do: a wrap needs both
//! halves of the recipient key, its ML-KEM ciphertext is bound to it, the
//! X25519 half alone finds the wrap but opens nothing, hybrid and classical
//! envelopes never pass for each other, and what it costs in bytes. The
//! tests both kinds share are in tests/it/crypto_envelope.rs.

use cablesim::crypto::primitives::{ML_KEM_CIPHERTEXT_LEN, ML_KEM_ENCAPSULATION_KEY_LEN};
use cablesim::crypto::{
    AgreementSecret, CablePayload, CryptoError, ENVELOPE_VERSION, Envelope, HYBRID_ENVELOPE_VERSION, HYBRID_WRAP_LEN,
    IdentityKey, KemPublic, KeyAgreement, KeyKind, KeyMaterial, NodeKeys, PublishedKey, RecipientKey, SealMode,
    WRAP_LEN,
};
use cablesim::model::{CableContent, CableHeader, Classification, E2eMode};

const EPOCH_DAYS: u32 = 7;

fn name(i: usize) -> String {
    format!("n{i:02}-mfa")
}

fn keys(i: usize, mode: E2eMode, agreement: KeyAgreement) -> NodeKeys {
    NodeKeys::with_agreement(&name(i), mode, EPOCH_DAYS, 1, agreement, IdentityKey::generate(), None)
}

fn header(id: &str, recipients: usize) -> CableHeader {
    let recipients: Vec<String> = (1..=recipients).map(name).collect();
    CableHeader {
        version: CableHeader::VERSION,
        id: id.to_owned(),
        day: 3,
        from: name(0),
        to: recipients.clone(),
        recipients,
        classification: Classification::Secret,
    }
}

fn content() -> CableContent {
    CableContent {
        subject: "Quantum-safe channel".to_owned(),
        body: "Recorded today, read in twenty years? Not this one.".to_owned(),
    }
}

/// The recipients' directory keys, as a sender wraps for them.
fn recipient_keys(nodes: &[NodeKeys]) -> Vec<RecipientKey> {
    nodes
        .iter()
        .flat_map(|n| {
            n.publish()
                .keys
                .iter()
                .map(|k| k.recipient(n.name()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `n` static-mode recipients of `agreement` keys, and an envelope sealed
/// (and signed) for all of them.
fn sealed(agreement: KeyAgreement, n: usize) -> (Vec<NodeKeys>, Envelope) {
    let nodes: Vec<NodeKeys> = (1..=n).map(|i| keys(i, E2eMode::Static, agreement)).collect();
    let signer = IdentityKey::generate();
    let envelope = Envelope::seal_to_keys(
        header("C-000042", n),
        &content(),
        SealMode::Static,
        &recipient_keys(&nodes),
        Some(&signer),
    )
    .unwrap();
    (nodes, envelope)
}

/// The static agreement secret of a node.
fn static_secret(keys: &NodeKeys) -> AgreementSecret {
    keys.copy_secrets()
        .into_iter()
        .find_map(|m| match m {
            KeyMaterial::Static { secret, .. } => Some(secret),
            _ => None,
        })
        .unwrap()
}

fn material(owner: &str, secret: AgreementSecret) -> KeyMaterial {
    KeyMaterial::Static {
        owner: owner.to_owned(),
        secret,
    }
}

#[test]
fn hybrid_envelope_opens_for_its_recipients_only_with_both_halves() {
    let (nodes, envelope) = sealed(KeyAgreement::Hybrid, 3);
    assert_eq!(envelope.header.version, HYBRID_ENVELOPE_VERSION);
    assert!(envelope.is_hybrid());
    for node in &nodes {
        let secret = envelope.unwrap_for(node).unwrap();
        assert_eq!(envelope.decrypt(&secret).unwrap().content, content());
    }
}

#[test]
fn fail_hybrid_wrap_with_the_wrong_x25519_half() {
    let (nodes, mut envelope) = sealed(KeyAgreement::Hybrid, 1);
    let genuine = static_secret(&nodes[0]);
    // The right ML-KEM secret with another X25519 key; the wrap is made to
    // name it, so the cryptography (not the key lookup) is what refuses.
    let wrong = AgreementSecret::hybrid_from_bytes([7; 32], genuine.kem_seed().unwrap());
    assert_eq!(wrong.kem_public(), genuine.kem_public());
    envelope.header.wraps[0].key_id = wrong.key_id();
    assert_eq!(
        envelope.unwrap_with(&material(&name(1), wrong)),
        Err(CryptoError::Aead("wrap"))
    );
}

#[test]
fn fail_hybrid_wrap_with_the_wrong_ml_kem_half() {
    let (nodes, mut envelope) = sealed(KeyAgreement::Hybrid, 1);
    let genuine = static_secret(&nodes[0]);
    let wrong = AgreementSecret::hybrid_from_bytes(*genuine.to_bytes(), &[9; 64]);
    assert_eq!(wrong.public(), genuine.public());
    envelope.header.wraps[0].key_id = wrong.key_id();
    assert_eq!(
        envelope.unwrap_with(&material(&name(1), wrong)),
        Err(CryptoError::Aead("wrap"))
    );
}

#[test]
fn fail_altered_ml_kem_ciphertext() {
    let (nodes, envelope) = sealed(KeyAgreement::Hybrid, 1);
    for at in [0, 500, ML_KEM_CIPHERTEXT_LEN - 1] {
        let mut altered = envelope.clone();
        altered.header.wraps[0].sealed_secret[at] ^= 0x01;
        assert_eq!(
            altered.unwrap_for(&nodes[0]),
            Err(CryptoError::Aead("wrap")),
            "byte {at}"
        );
    }
}

#[test]
fn fail_truncated_or_extended_ml_kem_ciphertext() {
    let (nodes, envelope) = sealed(KeyAgreement::Hybrid, 1);
    let mut cut = envelope.clone();
    cut.header.wraps[0].sealed_secret.remove(0);
    assert_eq!(
        cut.unwrap_for(&nodes[0]),
        Err(CryptoError::WrapLength {
            recipient: name(1),
            len: HYBRID_WRAP_LEN - 1,
            expected: HYBRID_WRAP_LEN,
        })
    );
    let mut longer = envelope.clone();
    longer.header.wraps[0].sealed_secret.insert(0, 0);
    assert_eq!(
        longer.unwrap_for(&nodes[0]),
        Err(CryptoError::WrapLength {
            recipient: name(1),
            len: HYBRID_WRAP_LEN + 1,
            expected: HYBRID_WRAP_LEN,
        })
    );
    // Without its ciphertext the wrap has a classical wrap's length: still refused.
    let mut bare = envelope;
    bare.header.wraps[0].sealed_secret.drain(..ML_KEM_CIPHERTEXT_LEN);
    assert!(matches!(
        bare.unwrap_for(&nodes[0]),
        Err(CryptoError::WrapLength { len: WRAP_LEN, .. })
    ));
}

#[test]
fn fail_ml_kem_ciphertext_moved_to_another_recipient() {
    let (nodes, envelope) = sealed(KeyAgreement::Hybrid, 2);
    let mut swapped = envelope.clone();
    let (first, second) = swapped.header.wraps.split_at_mut(1);
    first[0].sealed_secret[..ML_KEM_CIPHERTEXT_LEN]
        .swap_with_slice(&mut second[0].sealed_secret[..ML_KEM_CIPHERTEXT_LEN]);
    for node in &nodes {
        assert_eq!(
            swapped.unwrap_for(node),
            Err(CryptoError::Aead("wrap")),
            "{}",
            node.name()
        );
    }
    // Each whole wrap moved to the other's name fails as well.
    let mut renamed = envelope;
    renamed.header.wraps[0].recipient = name(2);
    renamed.header.wraps[1].recipient = name(1);
    for node in &nodes {
        assert!(renamed.unwrap_for(node).is_err(), "{}", node.name());
    }
}

#[test]
fn x25519_half_of_a_hybrid_key_finds_its_wrap_and_fails_in_the_aead() {
    let (nodes, envelope) = sealed(KeyAgreement::Hybrid, 2);
    let payload = CablePayload::Sealed(envelope.clone());
    for node in &nodes {
        for stolen in node.copy_secrets().iter().filter(|m| m.is_hybrid()) {
            assert!(payload.open_with(stolen).is_ok(), "{}", stolen.describe());
            let half = stolen.x25519_half().unwrap();
            assert_eq!(half.key_id(), stolen.key_id());
            assert_eq!(envelope.unwrap_with(&half), Err(CryptoError::Aead("wrap")));
            assert!(payload.open_with(&half).is_err());
        }
    }
}

#[test]
fn x25519_half_of_a_classical_key_opens_exactly_as_the_key() {
    let (nodes, envelope) = sealed(KeyAgreement::Classical, 2);
    let payload = CablePayload::Sealed(envelope.clone());
    for node in &nodes {
        for stolen in node.copy_secrets().iter().filter(|m| m.x25519_half().is_some()) {
            let half = stolen.x25519_half().unwrap();
            assert_eq!(
                envelope.unwrap_with(&half).unwrap(),
                envelope.unwrap_with(stolen).unwrap()
            );
            assert_eq!(payload.open_with(&half).unwrap(), payload.open_with(stolen).unwrap());
        }
    }
    // And neither opens an envelope it has no wrap in.
    let (_, other) = sealed(KeyAgreement::Classical, 1);
    let half = nodes[1].copy_secrets()[1].x25519_half().unwrap();
    assert_eq!(other.unwrap_with(&half), Err(CryptoError::NotARecipient(name(2))));
}

#[test]
fn hybrid_wraps_add_exactly_the_ml_kem_ciphertext_per_recipient_key() {
    for n in [1, 2, 31] {
        let (_, classical) = sealed(KeyAgreement::Classical, n);
        let (_, hybrid) = sealed(KeyAgreement::Hybrid, n);
        // Same header, content and signature: the difference is the wraps.
        // Each carries 1,088 bytes of ciphertext more, and its length
        // prefix grows from one varint byte (48) to two (1,136).
        let difference = hybrid.to_bytes().len() - classical.to_bytes().len();
        assert_eq!(difference, n * (ML_KEM_CIPHERTEXT_LEN + 1), "{n} recipients");
        assert_eq!(HYBRID_WRAP_LEN - WRAP_LEN, ML_KEM_CIPHERTEXT_LEN);
    }
}

#[test]
fn fail_hybrid_and_classical_envelopes_never_pass_for_each_other() {
    let (hybrid_nodes, hybrid) = sealed(KeyAgreement::Hybrid, 1);
    let (classical_nodes, classical) = sealed(KeyAgreement::Classical, 1);
    // The mode check names the difference.
    assert_eq!(
        classical.unwrap_for(&hybrid_nodes[0]),
        Err(CryptoError::WrongMode {
            expected: "hybrid static",
            found: "static"
        })
    );
    assert_eq!(
        hybrid.unwrap_for(&classical_nodes[0]),
        Err(CryptoError::WrongMode {
            expected: "static",
            found: "hybrid static"
        })
    );
    // Relabelled, each has wraps of the other's length.
    let mut downgraded = hybrid.clone();
    downgraded.header.version = ENVELOPE_VERSION;
    assert_eq!(
        downgraded.unwrap_for(&classical_nodes[0]),
        Err(CryptoError::WrapLength {
            recipient: name(1),
            len: HYBRID_WRAP_LEN,
            expected: WRAP_LEN
        })
    );
    let mut upgraded = classical.clone();
    upgraded.header.version = HYBRID_ENVELOPE_VERSION;
    assert_eq!(
        upgraded.unwrap_for(&hybrid_nodes[0]),
        Err(CryptoError::WrapLength {
            recipient: name(1),
            len: WRAP_LEN,
            expected: HYBRID_WRAP_LEN
        })
    );
    // A key of one kind finds no wrap in an envelope of the other.
    let hybrid_key = material(&name(1), static_secret(&hybrid_nodes[0]));
    assert_eq!(
        classical.unwrap_with(&hybrid_key),
        Err(CryptoError::NotARecipient(name(1)))
    );
    // The group key is symmetric: no hybrid group envelope exists.
    let group = cablesim::crypto::GroupKey::generate();
    let mut group_envelope = Envelope::seal_group(header("C-1", 1), &content(), &group, None).unwrap();
    assert_eq!(group_envelope.header.version, ENVELOPE_VERSION);
    group_envelope.header.version = HYBRID_ENVELOPE_VERSION;
    assert!(matches!(
        group_envelope.unwrap_with(&KeyMaterial::Group(group)),
        Err(CryptoError::Malformed(_))
    ));
    assert_eq!(
        Envelope::from_bytes(&{
            let mut v3 = hybrid.clone();
            v3.header.version = 3;
            v3.to_bytes()
        })
        .unwrap()
        .unwrap_for(&hybrid_nodes[0]),
        Err(CryptoError::UnsupportedVersion(3))
    );
}

#[test]
fn fail_sealing_a_mix_of_hybrid_and_classical_keys() {
    let hybrid = keys(1, E2eMode::Static, KeyAgreement::Hybrid);
    let classical = keys(2, E2eMode::Static, KeyAgreement::Classical);
    let all = recipient_keys(&[hybrid.clone(), classical.clone()]);
    let err = Envelope::seal_to_keys(header("C-1", 2), &content(), SealMode::Static, &all, None).unwrap_err();
    let classical_id = all[1].key_id();
    assert_eq!(
        err,
        CryptoError::MissingKey(format!(
            "key {classical_id} of {} is classical, the seal hybrid",
            name(2)
        ))
    );
    // A hybrid sender refuses classical keys outright, even all of them.
    let sender = keys(0, E2eMode::Static, KeyAgreement::Hybrid);
    let only_classical = recipient_keys(&[classical]);
    let mut one = header("C-2", 2);
    one.recipients = vec![name(2)];
    let err = CablePayload::seal(one, &content(), &sender, &only_classical, true).unwrap_err();
    assert!(matches!(err, CryptoError::MissingKey(ref m) if m.ends_with("is classical, the seal hybrid")));
    // A hybrid key in a classical sender's list is refused the same way.
    let classical_sender = keys(0, E2eMode::Static, KeyAgreement::Classical);
    let mut one = header("C-3", 1);
    one.recipients = vec![name(1)];
    let err = CablePayload::seal(one, &content(), &classical_sender, &recipient_keys(&[hybrid]), true).unwrap_err();
    assert!(matches!(err, CryptoError::MissingKey(ref m) if m.ends_with("is hybrid, the seal classical")));
}

#[test]
fn fail_sealing_to_an_invalid_ml_kem_key() {
    // A directory served without pinning can carry any bytes as the ML-KEM
    // half: one that fails FIPS 203's modulus check is refused at sealing.
    let node = keys(1, E2eMode::Static, KeyAgreement::Hybrid);
    let mut key = recipient_keys(std::slice::from_ref(&node)).remove(0);
    key.kem = KemPublic::from_slice(&[0xff; ML_KEM_ENCAPSULATION_KEY_LEN]);
    let err = Envelope::seal_to_keys(header("C-1", 1), &content(), SealMode::Static, &[key], None).unwrap_err();
    assert_eq!(err, CryptoError::BadKey("not a valid ML-KEM-768 encapsulation key"));
}

#[test]
fn forward_secret_hybrid_epochs_rotate_and_old_wraps_stay_closed() {
    let mut recipient = keys(1, E2eMode::ForwardSecret, KeyAgreement::Hybrid);
    let keys_of = |n: &NodeKeys| recipient_keys(std::slice::from_ref(n));
    let seal = |keys: &[RecipientKey], id: &str, day: u32| {
        let mut h = header(id, 1);
        h.day = day;
        Envelope::seal_to_keys(h, &content(), SealMode::ForwardSecret, keys, None).unwrap()
    };
    let old = seal(&keys_of(&recipient), "C-1", 3);
    assert!(
        keys_of(&recipient)
            .iter()
            .all(|k| k.kind == KeyKind::Epoch(0) && k.is_hybrid())
    );
    let stolen_then = recipient.copy_secrets();
    recipient.enter_day(7);
    assert!(old.unwrap_for(&recipient).is_err());
    let current = seal(&keys_of(&recipient), "C-2", 8);
    assert!(current.unwrap_for(&recipient).is_ok());
    assert_eq!(
        stolen_then
            .iter()
            .filter(|k| CablePayload::Sealed(old.clone()).open_with(k).is_ok())
            .count(),
        1
    );
    // The published entry after rotation is hybrid and signed as such.
    let entry = recipient.publish();
    let PublishedKey { kind, kem, .. } = &entry.keys[0];
    assert_eq!(*kind, KeyKind::Epoch(1));
    assert!(kem.is_some());
}
