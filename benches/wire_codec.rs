//! The wire codec on a `deliver` frame carrying a sealed 31-recipient
//! cable (static mode, 4096-byte body): encode, decode, and a 1 MiB stream
//! of such frames fed to a `FrameReader` in 64 KiB chunks, as a socket or a
//! tap replaying a capture would. Throughput is in bytes of wire.
//!
//! `cargo bench --bench wire_codec`.

use std::hint::black_box;

use cablesim::crypto::ReplayGuard;
use cablesim::model::E2eMode;
use cablesim::wire::{DEFAULT_MAX_FRAME, Decoded, Frame, FrameReader, decode_frame, encode_frame};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod common;
use common::Network;

const STREAM_LEN: usize = 1024 * 1024;
const CHUNK_LEN: usize = 64 * 1024;

fn codec(c: &mut Criterion) {
    let net = Network::with_agreement(E2eMode::Static, 31, cablesim::crypto::KeyAgreement::Classical);
    let frame = Frame::Deliver { payload: net.seal() };
    let bytes = encode_frame(&frame, DEFAULT_MAX_FRAME).expect("encode");
    // Once, untimed: the frame survives the codec and its cable still opens,
    // so the bench cannot quietly time a broken path.
    match decode_frame(&bytes, DEFAULT_MAX_FRAME) {
        Ok(Decoded::Frame { frame: decoded, .. }) => {
            assert_eq!(decoded, frame);
            let payload = decoded.payload().expect("a deliver frame carries a cable");
            assert_eq!(net.open(payload, &mut ReplayGuard::new()).content, net.content);
        }
        other => panic!("not a whole frame: {other:?}"),
    }

    let mut group = c.benchmark_group("wire");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("encode_deliver_31", |b| {
        b.iter(|| encode_frame(black_box(&frame), DEFAULT_MAX_FRAME).expect("encode"))
    });
    group.bench_function("decode_deliver_31", |b| {
        b.iter(|| match decode_frame(black_box(&bytes), DEFAULT_MAX_FRAME) {
            Ok(Decoded::Frame { frame, .. }) => frame,
            other => panic!("not a whole frame: {other:?}"),
        })
    });

    // Whole frames back to back until the stream reaches 1 MiB; the 64 KiB
    // chunks then cut frames at arbitrary points, so the reader keeps
    // partial frames across pushes as it does on a socket.
    let frames = STREAM_LEN.div_ceil(bytes.len());
    let stream = bytes.repeat(frames);
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("reader_1mib_64kib", |b| {
        b.iter(|| {
            let mut reader = FrameReader::new(DEFAULT_MAX_FRAME);
            let mut decoded = 0;
            for chunk in black_box(&stream).chunks(CHUNK_LEN) {
                reader.push(chunk);
                while let Some(frame) = reader.next_frame().expect("a valid stream") {
                    black_box(frame);
                    decoded += 1;
                }
            }
            assert_eq!(decoded, frames);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::quick_config();
    targets = codec
}
criterion_main!(benches);
