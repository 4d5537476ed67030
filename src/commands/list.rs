//! `beian list [--kind KIND]`: the entries, as text or a JSON array.

use crate::outcome::Outcome;
use crate::render::json::EntryJson;
use crate::render::text;
use crate::settings::Settings;
use beian_engine::kb::Kind;
use std::io::Write;

pub fn run(
    settings: &Settings,
    kind: Option<Kind>,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let kb = settings.load_kb()?;
    let entries: Vec<_> = kb
        .entries()
        .iter()
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .collect();
    if json {
        let lang = settings.lang.without_text();
        let items: Vec<_> = entries
            .iter()
            .map(|e| EntryJson::new(e, lang, &kb.sources))
            .collect();
        crate::render::json::write(out, &items, true)?;
        writeln!(out)?;
    } else {
        text::write_list(out, &entries, &settings.text)?;
    }
    Ok(Outcome::Success)
}
