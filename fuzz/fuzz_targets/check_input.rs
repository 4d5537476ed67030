//! `beian check` on arbitrary input: the first byte picks TOML or JSON, the rest is the filing. A
//! filing that parses is checked and both reports (text and JSON) are written; nothing panics.
#![no_main]

use std::sync::LazyLock;

use beian::commands::check::{self, dates, report, Syntax};
use beian::render::{Lang, Palette};
use beian_engine::kb::KnowledgeBase;
use libfuzzer_sys::fuzz_target;

static KB: LazyLock<KnowledgeBase> = LazyLock::new(beian::builtin::knowledge_base);

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let syntax = if first & 1 == 0 { Syntax::Toml } else { Syntax::Json };
    let filing = match check::parse(text, syntax) {
        Ok(filing) => filing,
        Err(error) => {
            assert!(!error.message.is_empty());
            return;
        }
    };
    let today = dates::parse_date("2025-06-30").expect("a valid date");
    let report = check::check(&filing, today);
    let mut out = Vec::new();
    report::write_text(&mut out, "fuzz.toml", &filing, &report, Some(&KB), Lang::Zh, Palette::default())
        .expect("writing to memory");
    beian::render::json::write(&mut out, &report::CheckJson::new("fuzz.toml", &filing, &report), true)
        .expect("writing to memory");
});
