//! `beian show ID`: one entry in full, as text or JSON, in Chinese or (`--lang en`) English.

use crate::outcome::{user_error, Outcome};
use crate::render::json::EntryJson;
use crate::render::{sanitize, text};
use crate::settings::Settings;
use std::io::Write;

pub fn run(
    settings: &Settings,
    id: &str,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let kb = settings.load_kb()?;
    let Some(entry) = kb.get(id) else {
        let near: Vec<&str> = kb
            .entries()
            .iter()
            .map(|e| e.id.as_str())
            .filter(|candidate| {
                let slug = id.rsplit('/').next().unwrap_or(id);
                !slug.is_empty() && candidate.contains(slug)
            })
            .take(5)
            .collect();
        let hint = if near.is_empty() {
            "`beian list` shows every id".to_string()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return Err(user_error(format!("no entry '{}'; {hint}", sanitize(id))));
    };
    if json {
        let lang = settings.lang.without_text();
        crate::render::json::write(out, &EntryJson::new(entry, lang, &kb.sources), true)?;
        writeln!(out)?;
    } else {
        text::write_entry(out, entry, &kb.sources, &settings.text)?;
    }
    Ok(Outcome::Success)
}
