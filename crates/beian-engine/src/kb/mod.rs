//! The knowledge base: entries (Markdown with TOML front matter) read from layers of files, a later
//! layer replacing an earlier one's entries, the vocabulary data (synonyms, notice boilerplate) and
//! the source registry beside them.

mod entry;
mod facts;
pub mod lint;
mod parse;
pub mod sources;

pub use crate::lang::Lang;
pub use entry::{Body, Entry, Kind, LazyTexts, Section, Texts};
pub use parse::{parse_entry, BodyLines, ParsedEntry, Unplaced};
pub use sources::{Registry, Resolved, Source};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path;

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
    /// Every error that keeps the knowledge base from loading, in the order `kb lint` lists them.
    #[error("{}", first_of(.0))]
    Problems(Vec<Problem>),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The first problem, and how many more there are.
fn first_of(problems: &[Problem]) -> String {
    match problems {
        [] => "no problems".to_string(),
        [only] => only.to_string(),
        [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
    }
}

/// The file of a knowledge base's fitted ranking model, at its root.
pub const RANKER_FILE: &str = "ranker.toml";

/// The file of a knowledge base's ranking model fitted with a sentence encoder's features (see
/// [`crate::semantic`]), beside [`RANKER_FILE`].
pub const ENCODER_RANKER_FILE: &str = "ranker-encoder.toml";

/// A knowledge-base file larger than this is reported, not read: entries are a few kilobytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

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
    /// The fitted ranking model, `ranker.toml` at the root (see `beian kb fit`).
    pub ranker: Option<SourceFile>,
    /// The model fitted with an encoder, `ranker-encoder.toml` at the root.
    pub ranker_encoder: Option<SourceFile>,
    /// Markdown files outside the kind folders: documentation, not entries.
    pub ignored: Vec<String>,
    /// What reading the directory met: files that could not be read (not UTF-8, not a regular file,
    /// over [`MAX_FILE_BYTES`]) are errors, and a knowledge base with one does not load; a symlink
    /// loop, walked once, is a warning. `kb lint` lists them with the other problems.
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

    /// Reads every entry and data file below `dir`. Symbolic links are followed, each directory once
    /// (a link back to a directory above it is reported and not entered); only regular files of at
    /// most [`MAX_FILE_BYTES`] are read.
    pub fn read_dir(dir: &Path) -> Result<Files, KbError> {
        if !dir.is_dir() {
            return Err(KbError::Io {
                path: dir.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
            });
        }
        let mut files = Files::default();
        let walk = walkdir::WalkDir::new(dir)
            .follow_links(true)
            .sort_by_file_name();
        for item in walk {
            let item = match item {
                Ok(item) => item,
                Err(err) => {
                    let path = err.path().unwrap_or(dir).display().to_string();
                    files.unreadable.push(match err.loop_ancestor() {
                        Some(ancestor) => Problem::warning(
                            &path,
                            1,
                            format!(
                                "a symbolic link back to {}: a loop, not followed",
                                ancestor.display()
                            ),
                        ),
                        None => Problem::error(
                            &path,
                            1,
                            format!(
                                "cannot read: {}",
                                err.io_error()
                                    .map_or_else(|| err.to_string(), ToString::to_string)
                            ),
                        ),
                    });
                    continue;
                }
            };
            let path = item.path();
            if item.file_type().is_dir()
                || !matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("md" | "toml")
                )
            {
                continue;
            }
            let relative = path
                .strip_prefix(dir)
                .unwrap_or(path)
                .to_string_lossy()
                .replace('\\', "/");
            let name = path.display().to_string();
            let bytes = match read_regular(path) {
                Ok(bytes) => bytes,
                Err(message) => {
                    files.unreadable.push(Problem::error(&name, 1, message));
                    continue;
                }
            };
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

    /// The errors met reading the files, as the error that stops loading.
    pub fn check_readable(&self) -> Result<(), KbError> {
        let errors: Vec<Problem> = self
            .unreadable
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .cloned()
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(KbError::Problems(errors))
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
        } else if file.relative == RANKER_FILE {
            self.ranker = Some(file);
        } else if file.relative == ENCODER_RANKER_FILE {
            self.ranker_encoder = Some(file);
        } else if file.relative.ends_with(".toml") && !file.relative.contains('/') {
            self.data.push(file);
        } else {
            self.ignored.push(file.name);
        }
    }
}

/// The bytes of a regular file of at most [`MAX_FILE_BYTES`]; otherwise why it is not read. A FIFO
/// or a device is never opened (it could block, or never end).
fn read_regular(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let not_regular = "not a regular file (a FIFO, device or socket): not read";
    let metadata = std::fs::metadata(path).map_err(|err| format!("cannot read: {err}"))?;
    if !metadata.is_file() {
        return Err(not_regular.into());
    }
    // Checked again on the open file: what was opened is what is read.
    let file = std::fs::File::open(path).map_err(|err| format!("cannot read: {err}"))?;
    let metadata = file
        .metadata()
        .map_err(|err| format!("cannot read: {err}"))?;
    if !metadata.is_file() {
        return Err(not_regular.into());
    }
    let too_large = |size: u64| {
        format!(
            "the file is {size} bytes, larger than the limit of {} MiB: not read; split it into smaller entries",
            MAX_FILE_BYTES >> 20
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("cannot read: {err}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
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
    /// Words of neighbouring topics that mention 备案 or domains but are not about filing (lookup
    /// scrapers, theme code, mail DNS records, domain renewal, SMS templates): evidence for `no_match`.
    #[serde(default)]
    pub neighbour_terms: Vec<String>,
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
        self.neighbour_terms.extend(more.neighbour_terms);
        Ok(())
    }
}

/// The loaded knowledge base: entries sorted by id, the vocabulary and the source registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
    pub vocabulary: Vocabulary,
    pub sources: Registry,
    /// The fitted ranking model of the last layer that has one (none: the prior formula ranks).
    pub ranker: Option<crate::model::Model>,
    /// The model fitted with a sentence encoder, of the same layer as `ranker` (none: an encoder is
    /// of no use until `beian kb fit --model` fits one).
    #[serde(default)]
    pub ranker_encoder: Option<crate::model::Model>,
    fingerprint: u64,
}

impl KnowledgeBase {
    /// Builds a knowledge base from the built-in files and the `--kb` files (either may be absent); a
    /// `--kb` entry replaces a built-in one with the same id. Whatever `kb lint` reports as an error
    /// for the same files keeps it from loading, and every such error is returned: loading and linting
    /// agree (a built-in entry without English is an error, a `--kb` one a warning, in both).
    pub fn from_layers(
        builtin: Option<&Files>,
        overlay: Option<&Files>,
    ) -> Result<KnowledgeBase, KbError> {
        let checked = lint::check(builtin, overlay);
        let errors: Vec<Problem> = checked
            .problems
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .collect();
        if !errors.is_empty() {
            return Err(KbError::Problems(errors));
        }
        let fingerprint = [builtin, overlay]
            .into_iter()
            .flatten()
            .fold(EMPTY_FINGERPRINT, |start, layer| {
                self::fingerprint(start, std::slice::from_ref(layer))
            });
        Ok(KnowledgeBase {
            entries: checked.entries,
            vocabulary: checked.vocabulary,
            sources: checked.registry,
            ranker: checked.ranker,
            ranker_encoder: checked.ranker_encoder,
            fingerprint,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries, to keep their texts apart or give them back (see [`crate::compiled`]).
    pub(crate) fn entries_mut(&mut self) -> &mut [Entry] {
        &mut self.entries
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
            .chain(&layer.ranker)
            .chain(&layer.ranker_encoder)
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
