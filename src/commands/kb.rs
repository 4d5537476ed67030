//! `beian kb lint`: every problem of the knowledge base's files as `file:line: message`.

use crate::outcome::Outcome;
use crate::render::sanitize;
use crate::settings::Settings;
use beian_engine::kb::{lint, Files};
use std::io::Write;

pub fn lint(settings: &Settings, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let builtin = settings.sources.builtin.then(crate::builtin::files);
    let overlay = match &settings.sources.dir {
        Some(dir) => Some(Files::read_dir(dir).map_err(|err| settings.kb_error(err))?),
        None => None,
    };
    let problems = lint::lint(builtin.as_ref(), overlay.as_ref());
    for problem in &problems {
        writeln!(out, "{}", sanitize(&problem.to_string()))?;
    }
    let errors = lint::error_count(&problems);
    let entries: usize = builtin
        .iter()
        .chain(&overlay)
        .map(|l| l.entries.len())
        .sum();
    writeln!(
        out,
        "{entries} entries checked: {errors} errors, {} warnings",
        problems.len() - errors
    )?;
    Ok(if errors > 0 {
        Outcome::Error
    } else {
        Outcome::Success
    })
}
