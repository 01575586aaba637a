//! Envelope seal and open, per cable, at 1, 31 and 170 recipients in the
//! modes that wrap per recipient key (`static`, `forward-secret`), and in
//! `group` mode at 31 for comparison; and the same two modes with hybrid
//! (X25519 and ML-KEM-768) keys at 31 (`hybrid-static`,
//! `hybrid-forward-secret`), beside the classical ones. The body is 4096
//! bytes. Each group also prints the envelope's size in bytes.
//!
//! `cargo bench --bench envelope` (add `-- --quick` for a rough figure).

use std::hint::black_box;

use cablesim::crypto::{CablePayload, KeyAgreement, ReplayGuard};
use cablesim::model::E2eMode;
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};

mod common;
use common::Network;

/// One node per embassy of a small service, of the EU's 27 + 4, and of a
/// worldwide network: where the per-recipient wraps start to dominate.
const RECIPIENTS: [usize; 3] = [1, 31, 170];

fn seal_and_open(c: &mut Criterion) {
    use KeyAgreement::{Classical, Hybrid};
    for (mode, agreement, counts) in [
        (E2eMode::Static, Classical, &RECIPIENTS[..]),
        (E2eMode::ForwardSecret, Classical, &RECIPIENTS[..]),
        (E2eMode::Group, Classical, &[31][..]),
        (E2eMode::Static, Hybrid, &[31][..]),
        (E2eMode::ForwardSecret, Hybrid, &[31][..]),
    ] {
        let name = match agreement {
            Classical => mode.as_str().to_owned(),
            Hybrid => format!("hybrid-{mode}"),
        };
        let mut group = c.benchmark_group(&name);
        for &n in counts {
            let net = Network::with_agreement(mode, n, agreement);
            group.bench_with_input(BenchmarkId::new("seal", n), &net, |b, net| b.iter(|| net.seal()));

            let payload = net.seal();
            if let CablePayload::Sealed(envelope) = &payload {
                println!("{name}/{n}: {} envelope bytes", envelope.to_bytes().len());
            }
            // Open once, untimed, to be sure the bench times the real path
            // and not an error.
            assert_eq!(net.open(&payload, &mut ReplayGuard::new()).content, net.content);
            group.bench_with_input(BenchmarkId::new("open", n), &payload, |b, payload| {
                // A fresh replay guard per open: the same cable id would
                // otherwise be refused as a replay from the second one on.
                b.iter_batched_ref(
                    ReplayGuard::new,
                    |replay| net.open(black_box(payload), replay),
                    BatchSize::SmallInput,
                )
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::quick_config();
    targets = seal_and_open
}
criterion_main!(benches);
