//! libFuzzer entry point; the checks live in the shared harness, which
//! tests/it/fuzz_corpus.rs replays the committed corpus through.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = cablesim_fuzz::harness::directory_entry(data);
});
