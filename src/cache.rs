//! The compiled knowledge base of a `--kb` run, kept on disk so that later runs skip parsing and
//! indexing (tens of milliseconds) and only decode it, as they do the built-in one.
//!
//! One file per knowledge base, named by a hash of the fingerprint of every file it is built from (the
//! built-in files, then `--kb DIR`'s) and of DIR: editing, adding or removing a file changes the name,
//! so a stale entry is never read; it is pruned later. A file is written under a temporary name and renamed into place, so
//! readers see a whole file or none, and processes starting together each build and the last rename
//! wins with the same bytes. A file that fails its checksum or does not decode is rebuilt. When the
//! cache directory cannot be written, the knowledge base is built in memory, as with `--no-cache`.

use crate::VERSION;
use beian_engine::advise::Advisor;
use beian_engine::compiled::Compiled;
use beian_engine::index::{build_index, index_files, IndexError, SearchIndex};
use beian_engine::kb::{fingerprint, Files, KbError, KnowledgeBase, EMPTY_FINGERPRINT};
use serde::{Deserialize, Serialize};
use std::hash::Hasher;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Changes whenever the stored layout changes; part of each file, checked on reading.
const FORMAT: u32 = 2;

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
    let path = match policy {
        Policy::Use(cache) => Some(cache.join(format!("kb-{key:016x}.bin"))),
        Policy::Off => None,
    };
    if let Some(path) = &path {
        match load(path, fingerprint, &location) {
            Ok(advisor) => {
                log(format_args!("read {}", path.display()));
                return Ok(advisor);
            }
            Err(why) => log(format_args!("{}: {why}; building", path.display())),
        }
    }

    let mut layers = Vec::new();
    if builtin {
        layers.push(crate::builtin::files());
    }
    layers.extend(dir);
    let compiled = Compiled::new(KnowledgeBase::from_layers(&layers)?);
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

/// Reads a stored knowledge base; the error says why it cannot be used.
fn load(path: &Path, fingerprint: u64, location: &str) -> Result<Advisor, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err("not cached".into()),
        Err(err) => return Err(format!("unreadable ({err})")),
    };
    let Some(split) = bytes.len().checked_sub(8) else {
        return Err("truncated".into());
    };
    let (body, tail) = bytes.split_at(split);
    let expected = u64::from_le_bytes(tail.try_into().expect("eight bytes"));
    if checksum(body) != expected {
        return Err("checksum mismatch (truncated or damaged)".into());
    }
    let stored: Stored =
        postcard::from_bytes(body).map_err(|err| format!("does not decode ({err})"))?;
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

/// Writes under a temporary name in the same directory, then renames into place.
fn store(path: &Path, stored: &Stored) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut bytes = postcard::to_stdvec(stored).map_err(std::io::Error::other)?;
    let sum = checksum(&bytes);
    bytes.extend_from_slice(&sum.to_le_bytes());

    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("kb");
    let temporary = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(&bytes))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written?;
    prune(dir, path);
    Ok(())
}

/// Keeps the [`KEEP`] most recent knowledge bases (besides `current`) and removes abandoned temporary files.
fn prune(dir: &Path, current: &Path) {
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
        if name.starts_with(".kb-") && name.ends_with(".tmp") {
            if now.duration_since(modified).unwrap_or_default() > ABANDONED {
                let _ = std::fs::remove_file(&path);
            }
        } else if name.starts_with("kb-") && name.ends_with(".bin") && path != current {
            stored.push((modified, path));
        }
    }
    stored.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    for (_, path) in stored.into_iter().skip(KEEP.saturating_sub(1)) {
        let _ = std::fs::remove_file(path);
    }
}
