//! Who may join: mutual TLS refuses clients without the right certificate
//! while everyone else carries on; nodes refuse a hub they cannot verify,
//! unless `verify_server = false` (ARCHITECTURE.md, rule 6).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cablesim::crypto::{IdentityKey, NodeKeys, Opened};
use cablesim::model::{
    Cable, Classification, Day, E2eMode, Network, Node, Role, SecurityConfig, Transport, stamp_canary,
};
use cablesim::net::{
    AlarmKind, Alarms, DayClock, Hub, HubConfig, HubLimits, KeyExchange, Link, NodeConfig, NodeError, NodeHandle,
    NodeTap, Pki, SendOutcome, client_config, client_config_with, server_config,
};
use cablesim::scenario::{HANDSHAKE_TIMEOUT, Hooks, InProcessNetwork};
use cablesim::wire::{DEFAULT_MAX_FRAME, ErrorCode};

fn network() -> Network {
    Network::new([
        Node::new("at-mfa", Role::Ministry),
        Node::new("be-mfa", Role::Ministry),
        Node::new("del-kyiv", Role::Mission),
    ])
    .unwrap()
}

fn security(transport: Transport) -> SecurityConfig {
    SecurityConfig {
        transport,
        ..SecurityConfig::default()
    }
}

#[derive(Default)]
struct Inboxes(Mutex<BTreeMap<String, Vec<String>>>);

impl NodeTap for Inboxes {
    fn on_delivery(&self, _day: Day, node: &str, cable: &Opened) {
        self.0
            .lock()
            .unwrap()
            .entry(node.to_owned())
            .or_default()
            .push(cable.header.id.clone());
    }
}

fn cable(id: &str, from: &str, to: &str) -> Cable {
    let mut cable = Cable {
        id: id.into(),
        day: 0,
        from: from.into(),
        to: vec![to.into()],
        classification: Classification::Restricted,
        subject: "Readout".into(),
        body: "Text.".into(),
        canary: String::new(),
    };
    stamp_canary(&mut cable, 1, 0);
    cable
}

/// A node config for `claimed`, speaking TLS with `tls`.
fn impostor_config(net: &InProcessNetwork, claimed: &str, tls: Arc<rustls::ClientConfig>) -> NodeConfig {
    NodeConfig {
        name: claimed.into(),
        network: network(),
        security: security(Transport::Mtls),
        tls: Some(tls),
        trusted: net.pki.trusted_identities(),
        max_frame: DEFAULT_MAX_FRAME,
    }
}

async fn join(net: &InProcessNetwork, config: NodeConfig) -> Result<NodeHandle, NodeError> {
    let keys = NodeKeys::generate(&config.name, E2eMode::ForwardSecret, 7, IdentityKey::generate(), None);
    let stream = net.open_link(&format!("impostor-{}", config.name), Vec::new());
    NodeHandle::connect(config, keys, stream, net.clock.clone(), net.alarms.clone(), Vec::new()).await
}

async fn refresh_all(net: &InProcessNetwork) {
    for node in net.nodes.values() {
        node.refresh_directory().await.unwrap();
    }
}

fn alarm_kinds(alarms: &Alarms) -> Vec<(String, AlarmKind)> {
    alarms.sorted().into_iter().map(|a| (a.node, a.kind)).collect()
}

#[tokio::test(start_paused = true)]
async fn fail_mtls_client_without_certificate_or_with_another_nodes_name_while_others_carry_on() {
    let inboxes = Arc::new(Inboxes::default());
    let hooks = Hooks {
        node_taps: vec![inboxes.clone()],
        ..Hooks::default()
    };
    let net = InProcessNetwork::start(&network(), &security(Transport::Mtls), &hooks)
        .await
        .unwrap();
    assert_eq!(net.nodes.len(), 3);
    assert!(net.failed.is_empty());

    // No client certificate: the hub's TLS layer refuses the handshake.
    let no_cert = client_config_with(net.pki.ca_cert(), None, true, KeyExchange::Classical).unwrap();
    let err = join(&net, impostor_config(&net, "at-mfa", no_cert)).await.unwrap_err();
    assert!(
        matches!(err, NodeError::Connection(_) | NodeError::Handshake(_)),
        "{err}"
    );

    // be-mfa's genuine certificate, but claiming to be at-mfa.
    let be_creds = net.pki.credentials("be-mfa").unwrap();
    let wrong_name = client_config_with(net.pki.ca_cert(), Some(be_creds), true, KeyExchange::Classical).unwrap();
    let err = join(&net, impostor_config(&net, "at-mfa", wrong_name))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            NodeError::Refused {
                code: ErrorCode::NotAuthorized,
                ..
            }
        ),
        "{err}"
    );

    assert_eq!(
        alarm_kinds(&net.alarms),
        vec![
            ("hub".to_owned(), AlarmKind::CertificateRejected),
            ("hub".to_owned(), AlarmKind::IdentityMismatch)
        ]
    );
    assert_eq!(net.hub.connected(), ["at-mfa", "be-mfa", "del-kyiv"]);

    // The genuine nodes are unaffected.
    refresh_all(&net).await;
    let sent = net.nodes["at-mfa"]
        .send(cable("C-1", "at-mfa", "be-mfa"))
        .await
        .unwrap();
    assert_eq!(sent, SendOutcome::Accepted);
    let sent = net.nodes["del-kyiv"]
        .send(cable("C-2", "del-kyiv", "at-mfa"))
        .await
        .unwrap();
    assert_eq!(sent, SendOutcome::Accepted);
    net.hub.wait_idle().await;
    let inboxes = inboxes.0.lock().unwrap().clone();
    assert_eq!(
        inboxes,
        BTreeMap::from([
            ("at-mfa".to_owned(), vec!["C-2".to_owned()]),
            ("be-mfa".to_owned(), vec!["C-1".to_owned()])
        ])
    );
}

/// A hub whose certificate comes from a CA the nodes have never heard of,
/// as a man in the middle (or a misconfigured relay) would present.
fn rogue_hub(transport: Transport, clock: &DayClock, alarms: &Alarms) -> Hub {
    let rogue_pki = Pki::generate(&network()).unwrap();
    Hub::new(
        HubConfig {
            network: network(),
            security: security(transport),
            tls: Some(server_config(&rogue_pki, transport, KeyExchange::Classical).unwrap()),
            max_frame: DEFAULT_MAX_FRAME,
            handshake_timeout: HANDSHAKE_TIMEOUT,
            limits: HubLimits::default(),
        },
        clock.clone(),
        alarms.clone(),
        Vec::new(),
    )
}

async fn join_hub(
    hub: &Hub,
    pki: &Pki,
    verify_server: bool,
    clock: &DayClock,
    alarms: &Alarms,
) -> Result<NodeHandle, NodeError> {
    let (config, keys) = kyiv(pki, verify_server);
    let link = Link::new("del-kyiv", clock.clone(), Vec::new());
    let serving = hub.clone();
    tokio::spawn(async move { serving.serve(link.hub_end, "link:del-kyiv".into()).await });
    NodeHandle::connect(config, keys, link.node_end, clock.clone(), alarms.clone(), Vec::new()).await
}

/// del-kyiv's configuration over TLS, and its keys.
fn kyiv(pki: &Pki, verify_server: bool) -> (NodeConfig, NodeKeys) {
    let config = NodeConfig {
        name: "del-kyiv".into(),
        network: network(),
        security: SecurityConfig {
            verify_server,
            ..security(Transport::Tls)
        },
        tls: Some(client_config(pki, "del-kyiv", Transport::Tls, verify_server, KeyExchange::Classical).unwrap()),
        trusted: pki.trusted_identities(),
        max_frame: DEFAULT_MAX_FRAME,
    };
    let keys = NodeKeys::generate(
        "del-kyiv",
        E2eMode::ForwardSecret,
        7,
        pki.credentials("del-kyiv").unwrap().identity.clone(),
        None,
    );
    (config, keys)
}

#[tokio::test(start_paused = true)]
async fn a_hub_that_hangs_up_mid_handshake_is_gone_not_refused() {
    // A hub that goes away during the handshake (a restart, a dropped
    // connection) refused nothing: the node gets an error and retries, but
    // raises no certificate alarm.
    let (clock, alarms) = (DayClock::new(), Alarms::new());
    let pki = Pki::generate(&network()).unwrap();
    let (config, keys) = kyiv(&pki, true);
    let link = Link::new("del-kyiv", clock.clone(), Vec::new());
    drop(link.hub_end);
    let err = NodeHandle::connect(config, keys, link.node_end, clock, alarms.clone(), Vec::new())
        .await
        .unwrap_err();
    assert!(matches!(err, NodeError::Handshake(_)), "{err}");
    assert_eq!(alarm_kinds(&alarms), Vec::new());
}

#[tokio::test(start_paused = true)]
async fn fail_node_refuses_a_hub_whose_certificate_it_cannot_verify() {
    let (clock, alarms) = (DayClock::new(), Alarms::new());
    let pki = Pki::generate(&network()).unwrap();
    let hub = rogue_hub(Transport::Tls, &clock, &alarms);
    let err = join_hub(&hub, &pki, true, &clock, &alarms).await.unwrap_err();
    assert!(matches!(err, NodeError::Handshake(_)), "{err}");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    let raised: Vec<(String, AlarmKind)> = alarm_kinds(&alarms)
        .into_iter()
        .filter(|(n, _)| n == "del-kyiv")
        .collect();
    assert_eq!(raised, vec![("del-kyiv".to_owned(), AlarmKind::CertificateRejected)]);
    assert!(hub.connected().is_empty());
}

#[tokio::test(start_paused = true)]
async fn without_verify_server_a_node_connects_to_an_unknown_hub() {
    let (clock, alarms) = (DayClock::new(), Alarms::new());
    let pki = Pki::generate(&network()).unwrap();
    let hub = rogue_hub(Transport::Tls, &clock, &alarms);
    join_hub(&hub, &pki, false, &clock, &alarms).await.unwrap();
    assert_eq!(hub.connected(), ["del-kyiv"]);
    assert!(alarms.is_empty(), "{:?}", alarms.sorted());
}
