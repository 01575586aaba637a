//! The PKI's issuing, its PEM files and the checks on loading them.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::KeyPair;
use rustls_pki_types::{CertificateDer, UnixTime};

use super::verify::{CheckError, Verifiers};
use super::{Pki, PkiError, certified_identity};
use crate::model::{HUB, Network, Node, Role};

fn network() -> Network {
    Network::new([
        Node::new("at-mfa", Role::Ministry),
        Node::new("del-kyiv", Role::Mission),
    ])
    .unwrap()
}

/// A scratch directory under the system temp dir, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(test: &str) -> Self {
        let path = std::env::temp_dir().join(format!("cablesim-pki-{}-{test}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        ScratchDir(path)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn every_node_gets_a_certificate_for_its_identity() {
    let net = network();
    let pki = Pki::generate(&net).unwrap();
    let trusted = pki.trusted_identities();
    for node in net.nodes() {
        let creds = pki.credentials(&node.name).unwrap();
        assert_eq!(creds.name, node.name);
        assert_eq!(certified_identity(&creds.cert), Some(creds.identity.public()));
        assert_eq!(trusted.get(&node.name), Some(&creds.identity.public()));
    }
    assert_eq!(pki.nodes().count(), net.len());
    assert!(pki.credentials("nobody").is_none());
    // The CA has a key of its own, certified to no node.
    let ca_key = certified_identity(pki.ca_cert()).unwrap();
    assert!(pki.nodes().all(|c| c.identity.public() != ca_key));
}

#[test]
fn generated_certificates_pass_the_load_checks() {
    let net = network();
    let pki = Pki::generate(&net).unwrap();
    let verifiers = Verifiers::new(pki.ca_cert()).unwrap();
    let now = UnixTime::now();
    for creds in pki.nodes() {
        assert!(verifiers.check(&creds.name, &creds.cert, now).is_ok(), "{}", creds.name);
    }
    // Roles are not interchangeable: a node certificate is no hub
    // certificate, and is valid for no other node's name.
    let node = &pki.credentials("at-mfa").unwrap().cert;
    assert!(matches!(verifiers.check(HUB, node, now), Err(CheckError::Name(_))));
    assert!(matches!(
        verifiers.check("del-kyiv", node, now),
        Err(CheckError::Name(_))
    ));
}

#[test]
fn fail_certified_identity_of_garbage() {
    assert_eq!(
        certified_identity(&CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00])),
        None
    );
}

#[test]
fn debug_output_never_shows_the_key() {
    let pki = Pki::generate(&network()).unwrap();
    let creds = pki.credentials("at-mfa").unwrap();
    let secret = hex::encode(creds.identity.pkcs8_der());
    for text in [format!("{creds:?}"), format!("{pki:?}")] {
        assert!(!text.contains(&secret), "{text}");
        assert!(!text.contains(&secret[secret.len() - 64..]), "{text}");
    }
    assert!(format!("{creds:?}").contains("redacted"));
}

#[test]
fn pem_round_trip_keeps_certificates_and_identities() {
    let net = network();
    let dir = ScratchDir::new("round-trip");
    let pki = Pki::generate(&net).unwrap();
    pki.write_pem(&dir.0).unwrap();

    let mut files: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "at-mfa.key.pem",
            "at-mfa.pem",
            "ca.pem",
            "del-kyiv.key.pem",
            "del-kyiv.pem",
            "hub.key.pem",
            "hub.pem"
        ]
    );

    let loaded = Pki::load_pem(&dir.0, &net).unwrap();
    assert_eq!(loaded.ca_cert(), pki.ca_cert());
    assert_eq!(loaded.trusted_identities(), pki.trusted_identities());
    for creds in pki.nodes() {
        let again = loaded.credentials(&creds.name).unwrap();
        assert_eq!(again.cert, creds.cert);
        assert_eq!(again.identity.public(), creds.identity.public());
        assert_eq!(again.identity.pkcs8_der(), creds.identity.pkcs8_der());
    }

    // Writing what was loaded gives the same files, byte for byte.
    let again = ScratchDir::new("round-trip-again");
    loaded.write_pem(&again.0).unwrap();
    for file in &files {
        assert_eq!(
            fs::read(dir.0.join(file)).unwrap(),
            fs::read(again.0.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[cfg(unix)]
#[test]
fn private_keys_are_written_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = ScratchDir::new("modes");
    // Even over an older key file that anyone could read.
    fs::create_dir_all(&dir.0).unwrap();
    fs::write(dir.0.join("hub.key.pem"), "old").unwrap();
    fs::set_permissions(dir.0.join("hub.key.pem"), fs::Permissions::from_mode(0o644)).unwrap();
    Pki::generate(&network()).unwrap().write_pem(&dir.0).unwrap();
    for file in ["hub.key.pem", "at-mfa.key.pem"] {
        let mode = fs::metadata(dir.0.join(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{file}: {mode:o}");
    }
}

/// Writes a valid PKI, lets `tamper` damage it, and returns what
/// `load_pem` says.
fn load_after(test: &str, tamper: impl FnOnce(&Path, &Path)) -> String {
    let net = network();
    let dir = ScratchDir::new(test);
    let other = ScratchDir::new(&format!("{test}-other"));
    Pki::generate(&net).unwrap().write_pem(&dir.0).unwrap();
    Pki::generate(&net).unwrap().write_pem(&other.0).unwrap();
    tamper(&dir.0, &other.0);
    Pki::load_pem(&dir.0, &net).unwrap_err().to_string()
}

#[test]
fn fail_missing_key_file() {
    let err = load_after("missing-key", |dir, _| {
        fs::remove_file(dir.join("del-kyiv.key.pem")).unwrap()
    });
    assert!(err.contains("del-kyiv.key.pem: missing"), "{err}");
}

#[test]
fn fail_missing_ca_file() {
    let err = load_after("missing-ca", |dir, _| fs::remove_file(dir.join("ca.pem")).unwrap());
    assert!(err.contains("ca.pem: missing"), "{err}");
}

#[test]
fn fail_certificate_from_another_ca() {
    // Both files from the other PKI: the pair matches, only the issuer is wrong.
    let err = load_after("other-ca", |dir, other| {
        for file in ["at-mfa.pem", "at-mfa.key.pem"] {
            fs::copy(other.join(file), dir.join(file)).unwrap();
        }
    });
    assert!(err.contains("at-mfa.pem: not issued by the network CA"), "{err}");
    assert!(err.contains("UnknownIssuer"), "{err}");
}

#[test]
fn fail_hub_certificate_from_another_ca() {
    let err = load_after("other-ca-hub", |dir, other| {
        for file in ["hub.pem", "hub.key.pem"] {
            fs::copy(other.join(file), dir.join(file)).unwrap();
        }
    });
    assert!(err.contains("hub.pem: not issued by the network CA"), "{err}");
}

#[test]
fn fail_key_that_does_not_match_its_certificate() {
    let err = load_after("key-mismatch", |dir, other| {
        fs::copy(other.join("at-mfa.key.pem"), dir.join("at-mfa.key.pem")).unwrap();
    });
    assert!(err.contains("at-mfa.key.pem: private key does not match"), "{err}");
    assert!(err.contains("at-mfa.pem"), "{err}");
}

#[test]
fn fail_certificate_of_another_node() {
    let err = load_after("swapped", |dir, _| {
        for ext in ["pem", "key.pem"] {
            fs::copy(dir.join(format!("del-kyiv.{ext}")), dir.join(format!("at-mfa.{ext}"))).unwrap();
        }
    });
    assert!(
        err.contains("at-mfa.pem: certificate is not valid for node \"at-mfa\""),
        "{err}"
    );
}

#[test]
fn fail_garbage_pem() {
    let err = load_after("garbage-cert", |dir, _| {
        fs::write(dir.join("hub.pem"), "not a certificate").unwrap()
    });
    assert!(err.contains("hub.pem: no valid PEM CERTIFICATE"), "{err}");

    let err = load_after("garbage-base64", |dir, _| {
        fs::write(
            dir.join("at-mfa.pem"),
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap()
    });
    assert!(err.contains("at-mfa.pem: no valid PEM CERTIFICATE"), "{err}");

    let err = load_after("garbage-key", |dir, _| {
        fs::write(dir.join("at-mfa.key.pem"), [0xff, 0x00]).unwrap()
    });
    assert!(err.contains("at-mfa.key.pem: no valid PEM PRIVATE KEY"), "{err}");

    let err = load_after("garbage-ca", |dir, _| fs::write(dir.join("ca.pem"), "").unwrap());
    assert!(err.contains("ca.pem: no valid PEM CERTIFICATE"), "{err}");
}

#[test]
fn fail_key_of_the_wrong_type() {
    // A well-formed PKCS#8 document that is not an Ed25519 key.
    let err = load_after("wrong-key-type", |dir, _| {
        let p256 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        fs::write(dir.join("at-mfa.key.pem"), p256.serialize_pem()).unwrap()
    });
    assert!(
        err.contains("at-mfa.key.pem: not a PKCS#8 Ed25519 private key"),
        "{err}"
    );
}

#[test]
fn fail_node_named_like_the_ca_file() {
    let net = Network::new([Node::new("ca", Role::Ministry)]).unwrap();
    let dir = ScratchDir::new("reserved");
    let pki = Pki::generate(&net).unwrap();
    assert!(matches!(pki.write_pem(&dir.0), Err(PkiError::ReservedName(n)) if n == "ca"));
    // A directory with a valid `ca.pem` still cannot hold node `ca`.
    Pki::generate(&network()).unwrap().write_pem(&dir.0).unwrap();
    assert!(matches!(Pki::load_pem(&dir.0, &net), Err(PkiError::ReservedName(n)) if n == "ca"));
}

/// Certificates of names of one length have one length: the TLS handshake
/// bytes of a run's report depend on it. With rcgen's own serials one
/// certificate in 128 was a byte shorter; among these 1,000, one at
/// least would be 9,996 times in 10,000.
#[test]
fn certificates_of_equal_names_have_equal_lengths() {
    let net = Network::new((0..1000).map(|i| Node::new(format!("n{i:04}-mfa"), Role::Ministry))).unwrap();
    let pki = Pki::generate(&net).unwrap();
    let lengths: std::collections::BTreeSet<usize> = pki
        .nodes()
        .filter(|creds| creds.name != HUB)
        .map(|creds| creds.cert.len())
        .collect();
    assert_eq!(lengths.len(), 1, "{lengths:?}");
}
