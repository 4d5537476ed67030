//! The REPL's history file: where it lives, reading it, and writing it private (mode 0600) with
//! duplicates collapsed. Only an interactive session uses it; piped input never touches it.
//!
//! The format is rustyline's (`#V2`, then one entry a line with `\n` and `\\` escaped), so a pasted
//! multi-line notice stays one entry.
//!
//! Nothing but a regular file is read or replaced: a FIFO, a device, a directory or a symbolic link
//! at the path is refused (the session goes on without history), so `BEIAN_HISTORY=/dev/null` stays
//! `/dev/null`. The file is written to a temporary file of a random name created in the same
//! directory (never a name another user could plant a link at), then renamed into place.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Overrides the history path; set but empty turns history off.
pub const PATH_VAR: &str = "BEIAN_HISTORY";

/// The oldest entries beyond this many are dropped.
pub const MAX_ENTRIES: usize = 1000;

/// The largest history file read; beian writes at most this much (dropping the oldest entries), so a
/// larger file is not one it wrote, and is left alone.
pub const MAX_BYTES: u64 = 1 << 20;

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

/// Reads the entries, oldest first; a missing file is an empty history. Anything but a regular file
/// of at most [`MAX_BYTES`] is an error that says what the path is.
pub fn read(path: &Path) -> io::Result<Vec<String>> {
    let Some(file) = open_regular(path)? else {
        return Ok(Vec::new());
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large());
    }
    Ok(decode(&String::from_utf8_lossy(&bytes)))
}

fn too_large() -> io::Error {
    io::Error::other(format!(
        "it is larger than {} MiB, so beian did not write it; it is left as it is (move it away to start a new history)",
        MAX_BYTES >> 20
    ))
}

/// The file at `path` opened for reading if it is a regular file (`None`: there is none), or why not.
fn open_regular(path: &Path) -> io::Result<Option<fs::File>> {
    match fs::symlink_metadata(path) {
        Ok(metadata) => check_regular(&metadata)?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    }
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Had the path been swapped since the check, a link is not followed and a FIFO does not block.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    check_regular(&metadata)?;
    if metadata.len() > MAX_BYTES {
        return Err(too_large());
    }
    Ok(Some(file))
}

/// A regular file is fine; anything else is refused, saying what it is.
fn check_regular(metadata: &fs::Metadata) -> io::Result<()> {
    let kind = metadata.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_symlink() {
        "it is a symbolic link, which beian neither follows nor replaces; point BEIAN_HISTORY at the file itself"
    } else if kind.is_dir() {
        "it is a directory, not a regular file"
    } else {
        "it is not a regular file (a FIFO, a device or a socket); beian reads and replaces only a regular file"
    };
    Err(io::Error::other(what))
}

/// Adds `entry` as the newest, dropping an earlier copy, and writes the file. The file is read again
/// first, so entries another session wrote meanwhile are kept. Returns the entries as written.
pub fn add(path: &Path, entry: &str) -> io::Result<Vec<String>> {
    let mut entries = read(path)?;
    push_collapsed(&mut entries, entry);
    write(path, &mut entries)?;
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

/// Writes the whole file through a temporary file (mode 0600, a random name, created new), then
/// renames it into place, so the history is never readable by others, never half written, and never
/// written through a link. The oldest entries go until the file fits in [`MAX_BYTES`].
fn write(path: &Path, entries: &mut Vec<String>) -> io::Result<()> {
    let dir = match path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        Some(dir) => {
            create_private_dir(dir)?;
            dir
        }
        None => Path::new("."),
    };
    let mut text = encode(entries);
    while text.len() as u64 > MAX_BYTES && !entries.is_empty() {
        entries.remove(0);
        text = encode(entries);
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temporary.write_all(text.as_bytes())?;
    // Checked again just before the rename: only a regular file (or nothing) is ever replaced.
    match fs::symlink_metadata(path) {
        Ok(metadata) => check_regular(&metadata)?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    temporary.persist(path).map_err(|err| err.error)?;
    Ok(())
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

    #[test]
    fn the_oldest_entries_go_until_the_file_fits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let long = "很长的问题".repeat(20_000);
        for i in 0..20 {
            add(&path, &format!("{i} {long}")).unwrap();
        }
        let size = fs::metadata(&path).unwrap().len();
        assert!(size <= MAX_BYTES, "{size}");
        let entries = read(&path).unwrap();
        assert!(entries.len() < 20, "{}", entries.len());
        assert!(
            entries.last().unwrap().starts_with("19 "),
            "the newest is kept"
        );
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
