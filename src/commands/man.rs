//! `beian man`: manual pages (roff), generated from the command line's definition.

use crate::cli::Cli;
use crate::outcome::{Outcome, UserError};
use crate::VERSION;
use anyhow::Context;
use clap::CommandFactory;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
