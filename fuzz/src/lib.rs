//! The fuzz targets' bodies, as a library: the libFuzzer binaries in
//! `fuzz_targets/` call into [`harness`], and the main crate's
//! `tests/it/fuzz_corpus.rs` includes the same file to replay the corpus.
#![forbid(unsafe_code)]

pub mod harness;
