//! `beian man`: manual pages (roff), generated from the command line's definition, with the sections
//! a manual page has (EXAMPLES, EXIT STATUS, ENVIRONMENT, FILES, SEE ALSO) made from each command's
//! help text and from what beian reads.

use crate::cli::GLOBAL_HEADING;
use crate::outcome::{Outcome, UserError};
use crate::VERSION;
use anyhow::Context;
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Every environment variable beian reads, and what it does.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "NO_COLOR",
        "Set and not empty: no colour under --color auto (no-color.org).",
    ),
    ("TERM", "dumb: no colour under --color auto."),
    (
        "COLUMNS",
        "The width text is wrapped at (a positive number, at most 100 is used); also when the \
         output is not a terminal. Unset: the terminal's width, and no wrapping when the output \
         is not a terminal.",
    ),
    (
        "BEIAN_PAGER",
        "The pager for long output of ask, show and list (and the session's :show and :list) on a \
         terminal; empty: none. Words are split as a shell splits them.",
    ),
    (
        "PAGER",
        "The pager when BEIAN_PAGER is not set; empty or cat: none. Neither set: less -FRX.",
    ),
    (
        "LESS",
        "Passed on to the pager as it is; when unset, beian sets it to FRX for the pager (and LV \
         to -c), as git does.",
    ),
    (
        "BEIAN_HISTORY",
        "The file of the interactive session's history; empty: no history.",
    ),
    (
        "BEIAN_CACHE_DIR",
        "The directory where a --kb knowledge base is kept once compiled.",
    ),
    (
        "BEIAN_CACHE_LOG",
        "Set and not empty: each run says on standard error what it did with the cache.",
    ),
    (
        "BEIAN_TOKEN",
        "The token beian serve requires (as --token).",
    ),
    (
        "BEIAN_MODEL",
        "The sentence encoder's model directory (as --model DIR); before the one beian model \
         install recorded.",
    ),
    (
        "BEIAN_DATA_DIR",
        "The directory of model.toml, the record beian model install writes (else the platform's \
         data directory, ~/.local/share/beian on Linux).",
    ),
];

/// The files beian reads and writes.
const FILES: &[(&str, &str)] = &[
    (
        "$BEIAN_HISTORY, else ~/.local/share/beian/history",
        "The history of the interactive session, mode 0600 ($XDG_DATA_HOME/beian/history when \
         XDG_DATA_HOME is set; the platform's data directory on other systems). Piped input is \
         never recorded.",
    ),
    (
        "$BEIAN_CACHE_DIR, else ~/.cache/beian",
        "Compiled --kb knowledge bases, one file each, named by a hash of the files they were \
         built from ($XDG_CACHE_HOME/beian when XDG_CACHE_HOME is set; the platform's cache \
         directory on other systems). The built-in knowledge base is in the binary, never cached.",
    ),
    (
        "$BEIAN_DATA_DIR/model.toml, else ~/.local/share/beian/model.toml",
        "The sentence encoder beian model install recorded (the platform's data directory on \
         other systems).",
    ),
    (
        "$BEIAN_CACHE_DIR/vec-*.bin",
        "The entries' texts embedded by a sentence encoder, one file per model and knowledge \
         base; computed again when either changes.",
    ),
    (
        "DIR/<kind>/<slug>.md",
        "The entries of --kb DIR; DIR/synonyms.toml, DIR/notice.toml, DIR/neighbours.toml, \
         DIR/sources.toml, DIR/ranker.toml and DIR/ranker-encoder.toml extend or replace the built-in ones.",
    ),
];

/// The exit status of beian as a whole.
const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success: a confident match (ask), no errors (kb lint, check), every line answered or reported (triage)."),
    ("1", "No confident match (ask), errors found in the filing (check)."),
    ("2", "A usage, input or knowledge-base error, reported on standard error; also a write error (a full disk). A closed pipe is not one: it ends quietly with 0."),
    ("129, 130, 143", "triage stopped by SIGHUP, Ctrl-C (SIGINT) or SIGTERM after the record being written."),
];

/// What `beian man` was asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// The command path whose page to print (`["kb", "lint"]`); empty: beian(1).
    pub command: Vec<String>,
    /// Write every page into this directory instead.
    pub dir: Option<PathBuf>,
}

/// `beian man [COMMAND…]` prints one page; `beian man --dir DIR` writes every page and lists them.
pub fn run(args: &Args, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let root = man_root();
    if let Some(dir) = &args.dir {
        for path in write_pages(&root, dir)? {
            writeln!(out, "{}", path.display())?;
        }
        return Ok(Outcome::Success);
    }
    let mut command = &root;
    for name in &args.command {
        command = command.find_subcommand(name).ok_or_else(|| {
            let known: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
            UserError(format!(
                "no command '{}' in {}; the pages are for: {}",
                crate::render::sanitize(name),
                display_name(command),
                known.join(", ")
            ))
        })?;
    }
    out.write_all(&render_page(command)?)?;
    Ok(Outcome::Success)
}

/// The command tree as the pages describe it: built (so subcommands are named `beian-ask`), and
/// without clap's `help` subcommand, which has no page of its own.
fn man_root() -> clap::Command {
    let mut root = crate::cli::command().disable_help_subcommand(true);
    root.build();
    root
}

fn display_name(command: &clap::Command) -> &str {
    command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
}

/// A command's page: clap_mangen's sections, and in place of its EXTRA section (the help text after
/// the options, as it is) the sections made from that text.
fn render_page(command: &clap::Command) -> io::Result<Vec<u8>> {
    let after = command.get_after_help().map(|text| text.to_string());
    let mut page = Vec::new();
    // Subcommands carry no version of their own; every page names the release it describes.
    clap_mangen::Man::new(command.clone().after_help(None::<&str>))
        .source(format!("beian {VERSION}"))
        .render(&mut page)?;
    let sections = sections(command, after.as_deref().unwrap_or_default());
    let page = String::from_utf8_lossy(&page).into_owned();
    // Before VERSION, the last section clap_mangen writes.
    let at = page.find("\n.SH VERSION").map_or(page.len(), |at| at + 1);
    Ok(format!("{}{}{}", &page[..at], sections, &page[at..]).into_bytes())
}

/// The sections a command's help text after the options becomes: its examples, its exit status,
/// what else it says (NOTES), and, on beian(1), EXIT STATUS, ENVIRONMENT and FILES in full.
fn sections(command: &clap::Command, after: &str) -> String {
    let root = command.get_display_name().unwrap_or(command.get_name()) == "beian";
    let mut examples: Vec<&str> = Vec::new();
    let mut exit_status: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut globals = None;
    for paragraph in after.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let (first, rest) = paragraph.split_once('\n').unwrap_or((paragraph, ""));
        if matches!(first, "Examples:" | "Example:") {
            examples.extend(rest.lines());
            continue;
        }
        if let Some(global) = paragraph.strip_prefix(&format!("{GLOBAL_HEADING}: ")) {
            globals = Some(global.replace('\n', " "));
            continue;
        }
        // "Exit status: …" and "History: …" start paragraphs of their own within one line.
        for part in split_labelled(paragraph) {
            match part.strip_prefix("Exit status: ") {
                Some(status) => exit_status.push(status.to_string()),
                None => notes.push(part),
            }
        }
    }

    let mut roff = Roff::default();
    if !notes.is_empty() {
        roff.control("SH", ["NOTES"]);
        for note in &notes {
            roff.control("PP", []).text([roman(note.as_str())]);
        }
    }
    if root {
        roff.control("SH", ["EXIT STATUS"]);
        tagged(&mut roff, EXIT_STATUS.iter().map(|(k, v)| (bold(*k), *v)));
        roff.control("SH", ["ENVIRONMENT"]);
        tagged(&mut roff, ENVIRONMENT.iter().map(|(k, v)| (bold(*k), *v)));
        roff.control("SH", ["FILES"]);
        tagged(&mut roff, FILES.iter().map(|(k, v)| (italic(*k), *v)));
    } else if !exit_status.is_empty() {
        roff.control("SH", ["EXIT STATUS"]);
        for status in &exit_status {
            roff.control("PP", []).text([roman(status.as_str())]);
        }
    }
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        roff.control("nf", []);
        for example in examples {
            roff.text([roman(example.trim_end())]);
        }
        roff.control("fi", []);
    }
    if let Some(globals) = globals {
        roff.control("SH", ["SEE ALSO"]);
        roff.text([
            bold("beian"),
            roman("(1) for the global options: "),
            roman(globals.replace(" (see `beian --help`)", ".")),
        ]);
    }
    roff.to_roff()
}

/// `.TP` paragraphs: a tag, then its text.
fn tagged<'a>(roff: &mut Roff, items: impl Iterator<Item = (Inline, &'a str)>) {
    for (tag, text) in items {
        roff.control("TP", []).text([tag]).text([roman(text)]);
    }
}

/// A paragraph of help text as its sentences that start with a label (`Exit status: …`,
/// `History: …`), each on its own, lines joined.
fn split_labelled(paragraph: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for line in paragraph.lines().map(str::trim) {
        let labelled = ["Exit status: ", "History: ", "API: "]
            .iter()
            .any(|label| line.starts_with(label));
        match parts.last_mut() {
            Some(last) if !labelled => {
                last.push(' ');
                last.push_str(line);
            }
            _ => parts.push(line.to_string()),
        }
    }
    parts
}

/// Writes `beian.1`, `beian-ask.1`, `beian-kb-lint.1`, … into `dir` (created if missing). A page
/// replaces only a regular file of its name: a symbolic link (or anything else) there is refused
/// before any page is written, and each page goes to a new temporary file first, renamed into place,
/// so nothing is ever written through a link.
fn write_pages(root: &clap::Command, dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut pending = vec![root];
    let mut pages = Vec::new();
    while let Some(command) = pending.pop() {
        let path = dir.join(format!("{}.1", display_name(command)));
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.is_file() => {}
            Ok(metadata) => {
                let what = if metadata.file_type().is_symlink() {
                    "a symbolic link"
                } else {
                    "not a regular file"
                };
                return Err(UserError(format!(
                    "{} is {what}; beian writes a page only in place of a regular file, so remove it first",
                    path.display()
                ))
                .into());
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(err).with_context(|| format!("cannot write {}", path.display()))
            }
        }
        pages.push((path, render_page(command)?));
        pending.extend(command.get_subcommands().filter(|c| !c.is_hide_set()));
    }
    let mut written = Vec::new();
    for (path, page) in pages {
        let mut temporary = tempfile::Builder::new()
            .prefix(".beian-man-")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write {}", path.display()))?;
        temporary
            .write_all(&page)
            .with_context(|| format!("cannot write {}", path.display()))?;
        // Pages are for everyone to read (a temporary file starts private).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temporary
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        temporary
            .persist(&path)
            .map_err(|err| err.error)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_named_after_its_command_path() {
        let root = man_root();
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = write_pages(&root, dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(names.contains(&"beian.1".to_string()), "{names:?}");
        assert!(names.contains(&"beian-ask.1".to_string()), "{names:?}");
        assert!(names.contains(&"beian-kb-lint.1".to_string()), "{names:?}");
        assert!(!names.iter().any(|n| n.contains("help")), "{names:?}");
    }
}
