//! The compiled knowledge base of a `--kb` run, kept on disk so that later runs skip parsing and
//! indexing (tens of milliseconds) and only decode it, as they do the built-in one.
//!
//! One file per knowledge base, named by a hash of the fingerprint of every file it is built from (the
//! built-in files, then `--kb DIR`'s) and of DIR: editing, adding or removing a file changes the name,
//! so a stale entry is never read; it is pruned later. A file is written under a temporary name and
//! renamed into place, so readers see a whole file or none, and processes starting together each
//! build and the last rename wins with the same bytes. A file that fails its checksum or does not
//! decode is rebuilt. When the cache directory cannot be written, the knowledge base is built in
//! memory, as with `--no-cache`.
//!
//! What it trusts: a stored file decides the answers, and its checksum only catches damage, so the
//! cache is used only while no one but the user can change it. The directory is created 0700 and
//! files 0600 whatever the umask; a directory or file owned by another user, or that the group or
//! others may write, is not read (nor written): the run builds in memory. Only a regular file of at
//! most [`MAX_FILE_BYTES`] is opened (no link is followed), and beian replaces or prunes only files
//! that start with its [`MAGIC`] header.

use crate::VERSION;
use beian_engine::advise::Advisor;
use beian_engine::compiled::Compiled;
use beian_engine::index::{build_index, index_files, IndexError, SearchIndex};
use beian_engine::kb::{fingerprint, Entry, Files, KbError, KnowledgeBase, EMPTY_FINGERPRINT};
use beian_engine::semantic::{Embed, EmbedError, EntryVectors};
use serde::{Deserialize, Serialize};
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Changes whenever the stored layout changes; part of each file, checked on reading.
const FORMAT: u32 = 4;

/// The first bytes of every file beian writes to the cache: nothing else there is read, replaced or
/// pruned as a compiled knowledge base.
const MAGIC: &[u8; 8] = b"beian-kb";

/// The first bytes of a file of entry vectors (see [`entry_vectors`]).
const VECTORS_MAGIC: &[u8; 8] = b"beian-ev";

/// A stored knowledge base larger than this is neither read nor written (the built-in one with a
/// few hundred entries of one's own is a few megabytes).
const MAX_FILE_BYTES: u64 = 256 << 20;

/// How many compiled knowledge bases are kept; older ones are removed when a new one is stored.
const KEEP: usize = 8;

/// A temporary file older than this was left by a process that died while writing.
const ABANDONED: Duration = Duration::from_secs(3600);

/// Where compiled knowledge bases are kept, if anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// In this directory.
    Use(PathBuf),
    /// Nowhere: build in memory every time (`--no-cache`, or no cache directory on this platform).
    Off,
}

impl Policy {
    /// `--no-cache` turns it off; `BEIAN_CACHE_DIR` names the directory; otherwise the platform's cache
    /// directory (`$XDG_CACHE_HOME/beian` or `~/.cache/beian` on Linux).
    pub fn resolve(no_cache: bool) -> Policy {
        if no_cache {
            return Policy::Off;
        }
        match std::env::var_os("BEIAN_CACHE_DIR") {
            Some(dir) if !dir.is_empty() => Policy::Use(PathBuf::from(dir)),
            _ => dirs::cache_dir().map_or(Policy::Off, |dir| Policy::Use(dir.join("beian"))),
        }
    }
}

/// Why an advisor could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The knowledge base's files: unreadable, or an entry that does not parse (the user's to fix).
    #[error(transparent)]
    Kb(#[from] KbError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// What one file of the cache holds, followed by a checksum of these bytes.
#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    version: String,
    fingerprint: u64,
    /// The `--kb` directory as given.
    location: String,
    compiled: Compiled,
    index: Vec<(String, Vec<u8>)>,
}

/// The advisor for the built-in entries (when `builtin`) overlaid with `--kb DIR`'s, from the cache
/// when it holds this knowledge base, else built and stored.
pub fn advisor(builtin: bool, dir: Option<&Path>, policy: &Policy) -> Result<Advisor, LoadError> {
    let location = dir;
    let dir = match location {
        Some(dir) => Some(Files::read_dir(dir)?),
        None => None,
    };
    // The fingerprint covers the files that were read; one that could not be is an error first.
    if let Some(files) = &dir {
        files.check_readable()?;
    }
    let start = if builtin {
        crate::builtin::FINGERPRINT
    } else {
        EMPTY_FINGERPRINT
    };
    let fingerprint = fingerprint(start, dir.as_slice());
    // Entries remember the file they came from, so the same files elsewhere are compiled apart.
    let location = location
        .map(|dir| dir.display().to_string())
        .unwrap_or_default();
    let key = {
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write_u64(fingerprint);
        hasher.write(location.as_bytes());
        hasher.finish()
    };
    let path = cache_file(policy, &format!("kb-{key:016x}.bin"), "building in memory");
    if let Some(path) = &path {
        match load(path, fingerprint, &location) {
            Ok(advisor) => {
                log(format_args!("read {}", path.display()));
                return Ok(advisor);
            }
            Err(why) => log(format_args!("{}: {why}; building", path.display())),
        }
    }

    let builtin = builtin.then(crate::builtin::files);
    let compiled = Compiled::new(KnowledgeBase::from_layers(builtin.as_ref(), dir.as_ref())?);
    let index = build_index(&compiled.kb)?;
    let compiled = match &path {
        Some(path) => {
            let stored = Stored {
                format: FORMAT,
                version: VERSION.to_string(),
                fingerprint,
                location,
                compiled,
                index: index_files(&index)?,
            };
            match store(path, &stored) {
                Ok(()) => log(format_args!("stored {}", path.display())),
                // Not worth failing a run over: the answer is the same, only the next run is slower.
                Err(err) => log(format_args!("cannot store {}: {err}", path.display())),
            }
            stored.compiled
        }
        None => compiled,
    };
    Ok(Advisor::from_compiled(compiled, SearchIndex::open(index)?))
}

/// The entries' vectors under a sentence encoder (see [`EntryVectors`]): read from the cache when it
/// holds those of these texts under this model, else computed (`progress` is told how far) and
/// stored. The file's name is a hash of the model's fingerprint and of every text embedded, so a
/// change of either is never served stale; a damaged file is computed again.
pub fn entry_vectors(
    entries: &[Entry],
    embed: &dyn Embed,
    policy: &Policy,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<EntryVectors, EmbedError> {
    let key = {
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(VERSION.as_bytes());
        hasher.write(embed.fingerprint().as_bytes());
        for (entry, text) in EntryVectors::passages(entries) {
            hasher.write(entries[entry].id.as_bytes());
            hasher.write_u8(0);
            hasher.write(text.as_bytes());
            hasher.write_u8(0);
        }
        hasher.finish()
    };
    let path = cache_file(
        policy,
        &format!("vec-{key:016x}.bin"),
        "embedding in memory",
    );
    if let Some(path) = &path {
        let read = read_checked(path, VECTORS_MAGIC).and_then(|bytes| {
            EntryVectors::from_bytes(&bytes[VECTORS_MAGIC.len()..], entries.len())
                .ok_or_else(|| "does not decode".to_string())
        });
        match read {
            Ok(vectors) => {
                log(format_args!("read {}", path.display()));
                return Ok(vectors);
            }
            Err(why) => log(format_args!("{}: {why}; embedding", path.display())),
        }
    }
    let vectors = EntryVectors::build(entries, embed, progress)?;
    if let Some(path) = &path {
        let mut bytes = VECTORS_MAGIC.to_vec();
        bytes.extend_from_slice(&vectors.to_bytes());
        match store_bytes(path, bytes, VECTORS_MAGIC, "vec") {
            Ok(()) => log(format_args!("stored {}", path.display())),
            Err(err) => log(format_args!("cannot store {}: {err}", path.display())),
        }
    }
    Ok(vectors)
}

/// The path of the cache file `name`, if the policy keeps a cache and its directory can be used
/// (else the reason is logged, followed by `otherwise`: what the run does instead).
fn cache_file(policy: &Policy, name: &str, otherwise: &str) -> Option<PathBuf> {
    let Policy::Use(cache) = policy else {
        return None;
    };
    match private_dir(cache) {
        Ok(()) => Some(cache.join(name)),
        Err(why) => {
            log(format_args!("{}: {why}; {otherwise}", cache.display()));
            None
        }
    }
}

/// With `BEIAN_CACHE_LOG` set, one line on standard error per cache decision (for debugging and tests).
fn log(message: std::fmt::Arguments<'_>) {
    if std::env::var_os("BEIAN_CACHE_LOG").is_some_and(|v| !v.is_empty()) {
        eprintln!("beian: cache: {message}");
    }
}

fn checksum(bytes: &[u8]) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(bytes);
    hasher.write_usize(bytes.len());
    hasher.finish()
}

/// Makes the cache directory if it is missing (0700, whatever the umask), and checks that only the
/// user can change it; the error says why it cannot be used.
fn private_dir(dir: &Path) -> Result<(), String> {
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(dir)
            .map_err(|err| format!("cannot store in it ({err})"))?;
    }
    let metadata = std::fs::metadata(dir).map_err(|err| format!("cannot store in it ({err})"))?;
    if !metadata.is_dir() {
        return Err("cannot store in it (not a directory)".into());
    }
    trusted(&metadata)
}

/// Whether only the user can change what `metadata` describes: owned by them, not writable by the
/// group or others. The error starts `not trusted`.
#[cfg(unix)]
fn trusted(metadata: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid cannot fail and touches no memory.
    let user = unsafe { libc::geteuid() };
    if metadata.uid() != user {
        return Err(format!(
            "not trusted: owned by another user (uid {}), so it could change the answers",
            metadata.uid()
        ));
    }
    if metadata.mode() & 0o022 != 0 {
        return Err(format!(
            "not trusted: the group or others may write it (mode {:o}), so they could change the answers",
            metadata.mode() & 0o7777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn trusted(_: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// What is at a cache file's name.
enum Found {
    Nothing,
    /// A file beian wrote, read whole.
    Ours(Vec<u8>),
    /// Something beian did not write or will not read: why.
    Other(String),
}

/// Looks at `path` without following a link or blocking on a FIFO, and reads it only if it is a
/// regular file that only the user can change, of at most [`MAX_FILE_BYTES`], starting with [`MAGIC`].
fn inspect(path: &Path, magic: &[u8; 8]) -> Found {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Found::Nothing,
        Err(_) if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) => {
            return Found::Other("not a regular file (a symbolic link)".into())
        }
        Err(err) => return Found::Other(format!("unreadable ({err})")),
    };
    let metadata = match file.metadata() {
        Ok(metadata) => metadata,
        Err(err) => return Found::Other(format!("unreadable ({err})")),
    };
    if !metadata.is_file() {
        return Found::Other("not a regular file".into());
    }
    if let Err(why) = trusted(&metadata) {
        return Found::Other(why);
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Found::Other(format!("larger than {} MiB", MAX_FILE_BYTES >> 20));
    }
    let mut bytes = Vec::new();
    if let Err(err) = file.take(MAX_FILE_BYTES).read_to_end(&mut bytes) {
        return Found::Other(format!("unreadable ({err})"));
    }
    if !bytes.starts_with(magic) {
        return Found::Other("not written by beian".into());
    }
    Found::Ours(bytes)
}

/// The bytes of a cache file beian wrote with `magic`, its checksum checked and cut off; the error
/// says why it cannot be used.
fn read_checked(path: &Path, magic: &[u8; 8]) -> Result<Vec<u8>, String> {
    let mut bytes = match inspect(path, magic) {
        Found::Ours(bytes) => bytes,
        Found::Nothing => return Err("not cached".into()),
        Found::Other(why) => return Err(why),
    };
    let Some(split) = bytes.len().checked_sub(8) else {
        return Err("truncated".into());
    };
    let expected = u64::from_le_bytes(bytes[split..].try_into().expect("eight bytes"));
    bytes.truncate(split);
    if checksum(&bytes) != expected {
        return Err("checksum mismatch (truncated or damaged)".into());
    }
    Ok(bytes)
}

/// Reads a stored knowledge base; the error says why it cannot be used.
fn load(path: &Path, fingerprint: u64, location: &str) -> Result<Advisor, String> {
    let body = read_checked(path, MAGIC)?;
    let stored: Stored = postcard::from_bytes(&body[MAGIC.len().min(body.len())..])
        .map_err(|err| format!("does not decode ({err})"))?;
    if stored.format != FORMAT || stored.version != VERSION {
        return Err("written by another version".into());
    }
    if stored.fingerprint != fingerprint
        || stored.compiled.kb.fingerprint() != fingerprint
        || stored.location != location
    {
        return Err("holds another knowledge base".into());
    }
    let index = SearchIndex::from_owned_files(stored.index).map_err(|err| err.to_string())?;
    if index.len() != stored.compiled.kb.entries().len() {
        return Err("index and entries disagree".into());
    }
    Ok(Advisor::from_compiled(stored.compiled, index))
}

/// Writes under a new temporary name (0600) in the same directory, then renames into place: the
/// file is [`MAGIC`], the stored knowledge base, and a checksum of both. Only a missing file or one
/// beian wrote is replaced.
fn store(path: &Path, stored: &Stored) -> std::io::Result<()> {
    let bytes = postcard::to_extend(stored, MAGIC.to_vec()).map_err(std::io::Error::other)?;
    store_bytes(path, bytes, MAGIC, "kb")
}

/// Writes `bytes` (which start with `magic`) and their checksum as [`store`] does, then prunes the
/// files named `{prefix}-….bin`.
fn store_bytes(
    path: &Path,
    mut bytes: Vec<u8>,
    magic: &[u8; 8],
    prefix: &str,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB",
            MAX_FILE_BYTES >> 20
        )));
    }
    if let Found::Other(why) = inspect(path, magic) {
        return Err(std::io::Error::other(format!(
            "something else is there: {why}; it is left alone"
        )));
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("kb");
    let mut temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temporary.write_all(&bytes)?;
    temporary.persist(path).map_err(|err| err.error)?;
    prune(dir, path, magic, prefix);
    Ok(())
}

/// Whether the file at `path` starts with `magic`: one beian wrote (never a link).
fn written_by_beian(path: &Path, magic: &[u8; 8]) -> bool {
    use std::io::Read;
    let Ok(metadata) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !metadata.is_file() {
        return false;
    }
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .is_ok_and(|()| &head == magic)
}

/// Keeps the [`KEEP`] most recent files named `{prefix}-….bin` (besides `current`) and removes
/// abandoned temporary files of that prefix; only files beian wrote with `magic` are removed.
fn prune(dir: &Path, current: &Path, magic: &[u8; 8], prefix: &str) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    let mut stored: Vec<(SystemTime, PathBuf)> = Vec::new();
    for item in listing.flatten() {
        let path = item.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let modified = item.metadata().and_then(|m| m.modified()).unwrap_or(now);
        if name.starts_with(&format!(".{prefix}-")) && name.ends_with(".tmp") {
            if now.duration_since(modified).unwrap_or_default() > ABANDONED
                && written_by_beian(&path, magic)
            {
                let _ = std::fs::remove_file(&path);
            }
        } else if name.starts_with(&format!("{prefix}-"))
            && name.ends_with(".bin")
            && path != current
            && written_by_beian(&path, magic)
        {
            stored.push((modified, path));
        }
    }
    stored.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, path) in stored.into_iter().skip(KEEP.saturating_sub(1)) {
        let _ = std::fs::remove_file(path);
    }
}
