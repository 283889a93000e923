#![no_main]
//! See `forewarn_fuzz::lexicon_load`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| forewarn_fuzz::lexicon_load(data));
