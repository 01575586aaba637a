//! The integration tests, one binary for the whole suite: the crate is
//! built and linked once for all of them rather than once per file. Each
//! module is one theme, named as its file; `support` holds what several
//! of them share (the independent oracle, the small world of the threat
//! tests, processes, a browser).

mod support;

mod architecture_doc;
mod attack_techniques;
mod bench_cli;
mod browser_harness;
mod builtin_scenarios;
mod check_cli;
mod cli;
mod cli_golden;
mod cli_help;
mod crypto_envelope;
mod crypto_hybrid;
mod crypto_vectors;
mod crypto_vectors_mlkem;
mod demo;
mod demo_certs;
mod durable_store;
mod exercises;
mod expect_syntax;
mod expectations;
mod fuzz_corpus;
mod hostile_peers;
mod hostile_peers_process;
mod hub_queue_model;
mod layers;
mod live_tally;
mod load_coreu;
mod multiprocess_cli;
mod multiprocess_faults;
mod multiprocess_network;
mod multiprocess_peers;
mod multiprocess_waiting;
mod network_delivery;
mod network_hybrid;
mod oracle_selfcheck;
mod pcap_capture;
mod proxy_tcp;
mod readme_figures;
mod report_files;
mod report_map;
mod scenario_files;
mod self_contained;
mod siem_logs;
mod supply_chain;
mod threat_endpoint;
mod threat_forgery;
mod threat_insider;
mod threat_interception;
mod threat_key_theft;
mod threat_pooling;
mod threat_quantum;
mod threat_relay;
mod threat_rules_property;
mod threat_test_api;
mod threat_wiretap;
mod tls_hybrid;
mod transport_identity;
mod web_hub;
mod web_hub_browser;
mod web_network;
mod web_page;
mod web_server;
mod wire_codec;
mod wire_costs;
mod wireshark_dissector;
