//! How beian fits into a user's system: shell completion scripts, manual pages, and a `--version`
//! that also names the knowledge base built into the binary.

use crate::app::{Outcome, UserError, VERSION};
use crate::cli::{Cli, ManArgs};
use anyhow::Context;
use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use clap_complete::Shell;
use std::io::{self, Write};
use std::path::Path;

/// Parses the command line like [`Cli::parse`], except that `-V`/`--version` also reports the
/// knowledge base. clap's version string is static; decoding the knowledge base for it on every
/// run would slow down every `beian ask`, so it is computed only when asked for.
pub fn parse_command_line() -> Cli {
    match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if err.kind() == ErrorKind::DisplayVersion => {
            // A closed pipe (`beian --version | true`) is not worth a message.
            let _ = writeln!(io::stdout(), "{}", version_line());
            std::process::exit(0);
        }
        Err(err) => std::process::exit(crate::app::usage_error(&err).code().into()),
    }
}

/// `beian 0.1.0 (knowledge base: 54 entries, 3f2a9c1e)`: the version and the built-in entries,
/// so a bug report says which knowledge base gave the answer.
pub fn version_line() -> String {
    let kb = crate::builtin::compiled().kb;
    format!(
        "beian {VERSION} (knowledge base: {} entries, {})",
        kb.entries().len(),
        short_hash(kb.fingerprint())
    )
}

/// The first 8 hex digits of the fingerprint: short enough to read out, long enough to tell builds apart.
fn short_hash(fingerprint: u64) -> String {
    format!("{:08x}", fingerprint >> 32)
}

/// `beian completions SHELL`: the completion script on `out`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // clap_complete panics when its writer fails, so it writes to memory and a closed pipe stays quiet.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "beian", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Success)
}

/// `beian man [COMMAND…]` prints one page; `beian man --dir DIR` writes every page and lists them.
pub fn man(args: &ManArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
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
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    root
}

fn display_name(command: &clap::Command) -> &str {
    command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
}

fn render_page(command: &clap::Command) -> io::Result<Vec<u8>> {
    let mut page = Vec::new();
    // Subcommands carry no version of their own; every page names the release it describes.
    clap_mangen::Man::new(command.clone())
        .source(format!("beian {VERSION}"))
        .render(&mut page)?;
    Ok(page)
}

/// Writes `beian.1`, `beian-ask.1`, `beian-kb-lint.1`, … into `dir` (created if missing).
fn write_pages(root: &clap::Command, dir: &Path) -> anyhow::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut pending = vec![root];
    let mut written = Vec::new();
    while let Some(command) = pending.pop() {
        let path = dir.join(format!("{}.1", display_name(command)));
        std::fs::write(&path, render_page(command)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
        pending.extend(command.get_subcommands().filter(|c| !c.is_hide_set()));
    }
    written.sort();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_hash_is_the_fingerprints_first_eight_hex_digits() {
        assert_eq!(short_hash(0x0123_4567_89ab_cdef), "01234567");
        assert_eq!(short_hash(0xab), "00000000");
    }

    #[test]
    fn the_version_line_names_the_built_in_entries() {
        let kb = crate::builtin::compiled().kb;
        let line = version_line();
        assert!(line.starts_with(&format!("beian {VERSION} ")), "{line}");
        assert!(
            line.contains(&format!("{} entries", kb.entries().len())),
            "{line}"
        );
        assert!(line.contains(&short_hash(kb.fingerprint())), "{line}");
    }

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
