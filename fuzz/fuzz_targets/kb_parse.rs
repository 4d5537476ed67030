//! The knowledge-base entry parser on arbitrary text: an entry or a `file:line` problem, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(problem) = beian_engine::kb::parse_entry("fuzz.md", text) {
            assert!(!problem.to_string().is_empty());
        }
    }
});
