#![no_main]
//! See `forewarn_fuzz::normalize_match`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| forewarn_fuzz::normalize_match(data));
