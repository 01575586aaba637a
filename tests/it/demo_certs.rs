//! The committed demo certificates still load, match their keys and chain
//! to the committed CA, for every node of `coreu-2018`.

use std::path::Path;

use cablesim::net::{Pki, certified_identity};
use cablesim::scenario::resolve;

#[test]
fn committed_demo_certificates_load_and_chain_to_the_ca() {
    let scenario = resolve("coreu-2018").unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("certs");
    let pki = Pki::load_pem(&dir, &scenario.network).unwrap();
    let names: Vec<&str> = pki.nodes().map(|c| c.name.as_str()).collect();
    let expected: Vec<&str> = scenario.network.nodes().iter().map(|n| n.name.as_str()).collect();
    let mut sorted_expected = expected.clone();
    sorted_expected.sort();
    let mut sorted_names = names.clone();
    sorted_names.sort();
    assert_eq!(sorted_names, sorted_expected);
    assert_eq!(names.len(), 38, "hub + 28 ministries + 3 hq + 6 delegations");
    // Each certificate certifies exactly the node's identity key.
    let trusted = pki.trusted_identities();
    for creds in pki.nodes() {
        assert_eq!(
            certified_identity(&creds.cert),
            Some(creds.identity.public()),
            "{}",
            creds.name
        );
        assert_eq!(
            trusted.get(&creds.name),
            Some(&creds.identity.public()),
            "{}",
            creds.name
        );
    }
}
