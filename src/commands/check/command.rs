//! `beian check FILE`: reads a planned filing, runs the rules, writes the findings. Exit status 0 no
//! errors (warnings allowed), 1 errors found, 2 the file could not be read (`file:line: …`).

use super::dates::{parse_date, today_in_china};
use super::filing::{parse, Syntax};
use super::report::{write_text, CheckJson};
use crate::input;
use crate::outcome::{Outcome, UserError};
use crate::settings::Settings;
use anyhow::Context;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// The commented example `--template` prints: the valid example, so the two never drift apart.
pub const TEMPLATE: &str = include_str!("../../../examples/filing-valid.toml");

/// A filing is a small form; anything larger is not one.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// What `beian check` was asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// The filing, TOML or JSON; `-`: standard input.
    pub file: Option<PathBuf>,
    /// Print the commented example instead.
    pub template: bool,
    pub json: bool,
    /// Check as of this date (YYYY-MM-DD) instead of today in China.
    pub today: Option<String>,
}

pub fn run(settings: &Settings, args: &Args, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    if args.template {
        out.write_all(TEMPLATE.as_bytes())?;
        return Ok(Outcome::Success);
    }
    let Some(path) = &args.file else {
        return Err(UserError(
            "no filing given; try `beian check --template > filing.toml`".into(),
        )
        .into());
    };
    let today = match &args.today {
        Some(text) => parse_date(text).map_err(|err| UserError(format!("--today: {err}")))?,
        None => today_in_china(),
    };
    let (name, text) = read_filing(path)?;
    let filing = parse(&text, Syntax::detect(&name, &text)).map_err(|err| {
        let place = if err.line > 0 {
            format!("{name}:{}", err.line)
        } else {
            name.clone()
        };
        UserError(format!("{place}: {}", err.message))
    })?;
    let report = super::check(&filing, today);
    if args.json {
        crate::render::json::write(out, &CheckJson::new(&name, &filing, &report), true)?;
        writeln!(out)?;
    } else {
        let kb = settings.load_kb()?;
        let options = settings.text;
        write_text(
            out,
            &name,
            &filing,
            &report,
            Some(&kb),
            options.lang,
            options.palette,
        )?;
    }
    // `Outcome::NoMatch` is the shared exit status 1: here it means "errors found".
    Ok(if report.has_errors() {
        Outcome::NoMatch
    } else {
        Outcome::Success
    })
}

/// The file's display name and its text; `-` reads standard input.
fn read_filing(path: &Path) -> anyhow::Result<(String, String)> {
    let mut bytes = Vec::new();
    let name = if path.as_os_str() == "-" {
        let stdin = io::stdin();
        if stdin.is_terminal() {
            return Err(UserError(
                "`beian check -` reads the filing from standard input; pipe it in".into(),
            )
            .into());
        }
        stdin
            .lock()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        "<stdin>".to_string()
    } else {
        let name = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|err| UserError(format!("{name}: cannot read: {err}")))?;
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| UserError(format!("{name}: cannot read: {err}")))?;
        name
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(UserError(format!(
            "{name}: larger than 1 MiB; a filing is a small form"
        ))
        .into());
    }
    let text = match input::text(&bytes) {
        Ok(_) => String::from_utf8(bytes).expect("checked above"),
        Err(bad) => {
            let message = match bad {
                input::NotText::Nul { .. } => "contains NUL bytes; a filing is text (TOML or JSON)",
                input::NotText::Utf8(_) => "not valid UTF-8; save the file as UTF-8",
            };
            return Err(UserError(format!("{name}:{}: {message}", bad.line(&bytes))).into());
        }
    };
    Ok((name, text))
}
