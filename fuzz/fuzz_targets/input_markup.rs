#![no_main]
//! See `forewarn_fuzz::input_markup`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| forewarn_fuzz::input_markup(data));
