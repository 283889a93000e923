#![no_main]
//! See `forewarn_fuzz::fix_markup`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| forewarn_fuzz::fix_markup(data));
