//! The REPL's history file: where it lives, reading it, and writing it private (mode 0600) with
//! duplicates collapsed. Only an interactive session uses it; piped input never touches it.
//!
//! The format is rustyline's (`#V2`, then one entry a line with `\n` and `\\` escaped), so a pasted
//! multi-line notice stays one entry.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Overrides the history path; set but empty turns history off.
pub const PATH_VAR: &str = "BEIAN_HISTORY";

/// The oldest entries beyond this many are dropped.
pub const MAX_ENTRIES: usize = 1000;

const HEADER: &str = "#V2";

/// Where the history lives: `$BEIAN_HISTORY`, else `<data dir>/beian/history`
/// (`~/.local/share/beian/history` on Linux). `None`: no history.
pub fn path() -> Option<PathBuf> {
    match std::env::var_os(PATH_VAR) {
        Some(value) if value.is_empty() => None,
        Some(value) => Some(PathBuf::from(value)),
        None => dirs::data_dir().map(|dir| dir.join("beian").join("history")),
    }
}

/// Reads the entries, oldest first; a missing file is an empty history.
pub fn read(path: &Path) -> io::Result<Vec<String>> {
    match fs::read(path) {
        Ok(bytes) => Ok(decode(&String::from_utf8_lossy(&bytes))),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(err) => Err(err),
    }
}

/// Adds `entry` as the newest, dropping an earlier copy, and writes the file. The file is read again
/// first, so entries another session wrote meanwhile are kept. Returns the entries as written.
pub fn add(path: &Path, entry: &str) -> io::Result<Vec<String>> {
    let mut entries = read(path)?;
    push_collapsed(&mut entries, entry);
    write(path, &entries)?;
    Ok(entries)
}

/// Appends `entry`, removing any earlier copy, and keeps at most [`MAX_ENTRIES`].
pub fn push_collapsed(entries: &mut Vec<String>, entry: &str) {
    entries.retain(|old| old != entry);
    entries.push(entry.to_string());
    if entries.len() > MAX_ENTRIES {
        entries.drain(..entries.len() - MAX_ENTRIES);
    }
}

/// Writes the whole file through a temporary file created with mode 0600, then renames it into place,
/// so the history is never readable by others, not even for a moment, and never half written.
fn write(path: &Path, entries: &[String]) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(name);
    let result = (|| {
        let mut file = create_private_file(&temporary)?;
        file.write_all(encode(entries).as_bytes())?;
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> io::Result<fs::File> {
    fs::File::create(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

fn encode(entries: &[String]) -> String {
    let mut text = format!("{HEADER}\n");
    for entry in entries {
        text.push_str(&entry.replace('\\', "\\\\").replace('\n', "\\n"));
        text.push('\n');
    }
    text
}

fn decode(text: &str) -> Vec<String> {
    let mut lines = text.lines().peekable();
    let escaped = lines.peek() == Some(&HEADER);
    if escaped {
        lines.next();
    }
    let mut entries = Vec::new();
    for line in lines.filter(|line| !line.is_empty()) {
        let entry = if escaped {
            unescape(line)
        } else {
            line.to_string()
        };
        push_collapsed(&mut entries, &entry);
    }
    entries
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_with_newlines_and_backslashes() {
        let entries = vec![
            "备案退回后下一步做什么".to_string(),
            "初审驳回：\n幕布照片 C:\\photo".to_string(),
        ];
        assert_eq!(decode(&encode(&entries)), entries);
    }

    #[test]
    fn duplicates_collapse_to_the_newest_position() {
        let mut entries = vec!["a".to_string(), "b".to_string(), "c".to_string()];
        push_collapsed(&mut entries, "a");
        assert_eq!(entries, ["b", "c", "a"]);
        assert_eq!(decode("#V2\nx\ny\nx\n"), ["y", "x"]);
    }

    #[test]
    fn the_oldest_entries_go_past_the_limit() {
        let mut entries: Vec<String> = (0..MAX_ENTRIES).map(|i| i.to_string()).collect();
        push_collapsed(&mut entries, "new");
        assert_eq!(entries.len(), MAX_ENTRIES);
        assert_eq!(entries.first().map(String::as_str), Some("1"));
        assert_eq!(entries.last().map(String::as_str), Some("new"));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_keeps_what_another_session_wrote() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("history");
        add(&path, "one").unwrap();
        fs::write(&path, "#V2\none\nfrom another session\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let entries = add(&path, "one").unwrap();
        assert_eq!(entries, ["from another session", "one"]);
        assert_eq!(read(&path).unwrap(), entries);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
        assert_eq!(
            fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
