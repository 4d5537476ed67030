//! The advice path on arbitrary text: no panic, results only from known ids, confidence in 0..=1.
#![no_main]

use std::sync::LazyLock;

use beian_engine::advise::Advisor;
use libfuzzer_sys::fuzz_target;

static ADVISOR: LazyLock<Advisor> =
    LazyLock::new(|| beian::builtin::advisor().expect("the built-in knowledge base loads"));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let advice = ADVISOR.advise(&text, 5).expect("advice on any text");
    for answer in &advice.results {
        assert!(ADVISOR.kb().get(&answer.entry.id).is_some());
        assert!((0.0..=1.0).contains(&answer.confidence));
    }
});
