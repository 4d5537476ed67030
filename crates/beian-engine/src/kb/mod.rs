//! The knowledge base: entries (Markdown with TOML front matter) read from layers of files, a later
//! layer replacing an earlier one's entries, the vocabulary data (synonyms, notice boilerplate) and
//! the source registry beside them.

mod entry;
mod facts;
pub mod lint;
mod parse;
pub mod sources;

pub use crate::lang::Lang;
pub use entry::{Body, Entry, Kind, Section};
pub use parse::{parse_entry, BodyLines, ParsedEntry};
pub use sources::{Registry, Resolved, Source};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in a knowledge-base file, reported as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Problem {
    pub fn error(file: &str, line: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            line,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(file: &str, line: usize, message: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(file, line, message)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {level}: {}", self.file, self.line, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KbError {
    #[error("{0}")]
    Invalid(Problem),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// One file of a knowledge base as read: where it is and what it says.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Shown in messages: `knowledge/…` for built-in files, the path as given for `--kb`.
    pub name: String,
    /// Path relative to the knowledge-base root, with `/` separators (`rejection/foo.md`).
    pub relative: String,
    pub text: String,
}

/// What a knowledge-base root holds: entry files, data files and the source registry.
#[derive(Debug, Default)]
pub struct Files {
    pub entries: Vec<SourceFile>,
    /// Vocabulary data: the `.toml` files at the root but the registry.
    pub data: Vec<SourceFile>,
    /// The source registry, `sources.toml` at the root.
    pub registry: Option<SourceFile>,
    /// Markdown files outside the kind folders: documentation, not entries.
    pub ignored: Vec<String>,
    /// Files that could not be read as text (not UTF-8): `kb lint` lists them with the other problems,
    /// and a knowledge base with one does not load.
    pub unreadable: Vec<Problem>,
}

impl Files {
    /// Files given as (path, text) pairs, paths starting with `knowledge/` (how the binary embeds them).
    pub fn embedded(pairs: &[(&str, &str)]) -> Files {
        let mut files = Files::default();
        for (path, text) in pairs {
            let relative = path.strip_prefix("knowledge/").unwrap_or(path);
            files.add(SourceFile {
                name: path.to_string(),
                relative: relative.to_string(),
                text: text.to_string(),
            });
        }
        files
    }

    /// Reads every entry and data file below `dir`.
    pub fn read_dir(dir: &Path) -> Result<Files, KbError> {
        let io = |path: &Path, source| KbError::Io {
            path: path.display().to_string(),
            source,
        };
        if !dir.is_dir() {
            return Err(io(
                dir,
                std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            ));
        }
        let mut paths = Vec::new();
        walk(dir, &mut paths).map_err(|(path, err)| io(&path, err))?;
        paths.sort();
        let mut files = Files::default();
        for path in paths {
            let relative = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|err| io(&path, err))?;
            let text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(err) => {
                    let offset = err.utf8_error().valid_up_to();
                    let line = err.as_bytes()[..offset]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count()
                        + 1;
                    let problem = Problem::error(&name, line, "not valid UTF-8 text");
                    files.unreadable.push(problem);
                    continue;
                }
            };
            files.add(SourceFile {
                name,
                relative,
                text,
            });
        }
        Ok(files)
    }

    /// The first file that could not be read as text, as the error that stops loading.
    pub fn check_readable(&self) -> Result<(), KbError> {
        match self.unreadable.first() {
            Some(problem) => Err(KbError::Invalid(problem.clone())),
            None => Ok(()),
        }
    }

    fn add(&mut self, file: SourceFile) {
        let is_entry = file.relative.ends_with(".md")
            && file
                .relative
                .split_once('/')
                .is_some_and(|(kind, rest)| kind.parse::<Kind>().is_ok() && !rest.contains('/'));
        if is_entry {
            self.entries.push(file);
        } else if file.relative == sources::REGISTRY_FILE {
            self.registry = Some(file);
        } else if file.relative.ends_with(".toml") && !file.relative.contains('/') {
            self.data.push(file);
        } else {
            self.ignored.push(file.name);
        }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), (PathBuf, std::io::Error)> {
    let children = std::fs::read_dir(dir).map_err(|err| (dir.to_path_buf(), err))?;
    for child in children {
        let path = child.map_err(|err| (dir.to_path_buf(), err))?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "toml")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Vocabulary data kept beside the entries (`synonyms.toml`, `notice.toml`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Vocabulary {
    /// Groups of terms that mean the same; a query that contains one is expanded with the others.
    #[serde(default, rename = "group")]
    pub synonyms: Vec<SynonymGroup>,
    /// Regular expressions for the parts of a pasted notice that carry no reason (greetings, order numbers).
    #[serde(default)]
    pub boilerplate: Vec<String>,
    /// Words that say a text is about a returned filing (驳回, 退回…): rejection entries gain weight.
    #[serde(default)]
    pub rejection_cues: Vec<String>,
    /// Words that mark a text as being about ICP filing at all (备案, ICP, 管局…): evidence against `no_match`.
    #[serde(default)]
    pub topic_terms: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SynonymGroup {
    pub terms: Vec<String>,
}

impl Vocabulary {
    fn merge(&mut self, file: &SourceFile) -> Result<(), KbError> {
        let more: Vocabulary = toml::from_str(&file.text).map_err(|err| {
            let line = err
                .span()
                .map(|span| file.text[..span.start].matches('\n').count() + 1)
                .unwrap_or(1);
            let message = err
                .message()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            KbError::Invalid(Problem::error(
                &file.name,
                line,
                format!("invalid TOML: {message}"),
            ))
        })?;
        self.synonyms.extend(more.synonyms);
        self.boilerplate.extend(more.boilerplate);
        self.rejection_cues.extend(more.rejection_cues);
        self.topic_terms.extend(more.topic_terms);
        Ok(())
    }
}

/// The loaded knowledge base: entries sorted by id, the vocabulary and the source registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
    pub vocabulary: Vocabulary,
    pub sources: Registry,
    fingerprint: u64,
}

impl KnowledgeBase {
    /// Builds a knowledge base from layers of files; a later layer's entry replaces an earlier one's with the same id.
    pub fn from_layers(layers: &[Files]) -> Result<KnowledgeBase, KbError> {
        let mut by_id: BTreeMap<String, Entry> = BTreeMap::new();
        let mut vocabulary = Vocabulary::default();
        let mut sources = Registry::default();
        for layer in layers {
            layer.check_readable()?;
            let mut seen: BTreeMap<String, String> = BTreeMap::new();
            for file in &layer.entries {
                let parsed = parse_entry(&file.name, &file.text).map_err(KbError::Invalid)?;
                let expected = file.relative.trim_end_matches(".md");
                if parsed.entry.id != expected {
                    return Err(KbError::Invalid(Problem::error(
                        &file.name,
                        parsed.line_of("id"),
                        format!(
                            "id '{}' does not match the file's path (expected '{expected}')",
                            parsed.entry.id
                        ),
                    )));
                }
                if let Some(first) = seen.insert(parsed.entry.id.clone(), file.name.clone()) {
                    return Err(KbError::Invalid(Problem::error(
                        &file.name,
                        parsed.line_of("id"),
                        format!("duplicate id '{}' (also in {first})", parsed.entry.id),
                    )));
                }
                by_id.insert(parsed.entry.id.clone(), parsed.entry);
            }
            for file in &layer.data {
                vocabulary.merge(file)?;
            }
            if let Some(file) = &layer.registry {
                sources.merge(file)?;
            }
        }
        Ok(KnowledgeBase {
            entries: by_id.into_values().collect(),
            vocabulary,
            sources,
            fingerprint: fingerprint(EMPTY_FINGERPRINT, layers),
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|entry| entry.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// Position of an entry in [`KnowledgeBase::entries`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.entries
            .binary_search_by(|entry| entry.id.as_str().cmp(id))
            .ok()
    }

    /// A stable hash of every file the knowledge base was built from.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

/// The fingerprint of no files: where [`fingerprint`] starts.
pub const EMPTY_FINGERPRINT: u64 = 0xcbf2_9ce4_8422_2325;

/// A stable hash of the files of `layers` (each file's path and text, in order), continuing from
/// `start`: the fingerprint of the layers before these, or [`EMPTY_FINGERPRINT`]. The fingerprint of a
/// knowledge base is that of all its layers, so a run can compute it without parsing anything.
pub fn fingerprint(start: u64, layers: &[Files]) -> u64 {
    let mut hasher = Fnv(start);
    for layer in layers {
        for file in layer
            .entries
            .iter()
            .chain(&layer.data)
            .chain(&layer.registry)
        {
            hasher.write(file.relative.as_bytes());
            hasher.write(file.text.as_bytes());
        }
    }
    hasher.finish()
}

/// FNV-1a: a stable hash (unlike std's), so a fingerprint means the same across builds and runs.
struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
