//! The source registry (`sources.toml`): what each source key an entry cites stands for — a title, a
//! publisher, a URL and the date it was read — so that an answer can name its sources as links.
//!
//! One table per key (`[T1]`, `["A1-dev.aliyun"]`). A `--kb` directory's `sources.toml` overlays the
//! built-in one key by key. A source written as a URL (`https://…`) needs no key: it stands for itself.

use super::{KbError, Problem, SourceFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The file name of the registry at the root of a knowledge base.
pub const REGISTRY_FILE: &str = "sources.toml";

/// One source as the registry describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    pub title: String,
    pub publisher: String,
    /// The main page; absent where none is known (a page seen without its address).
    pub url: Option<String>,
    /// Further pages the source covers.
    pub more_urls: Vec<String>,
    /// When it was read, `YYYY-MM-DD`.
    pub read: Option<String>,
    /// Caveats (a mirror that may be older than the live page, a repost…).
    pub note: Option<String>,
}

/// A source as the registry file writes it: every field optional, so lint can say which is missing.
#[derive(Debug, Deserialize)]
struct SourceToml {
    title: Option<String>,
    publisher: Option<String>,
    url: Option<String>,
    #[serde(default)]
    more_urls: Vec<String>,
    read: Option<toml::Value>,
    note: Option<String>,
}

/// What a key of an entry's `sources` stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved<'a> {
    /// A key of the registry.
    Registered(&'a Source),
    /// A URL, which stands for itself.
    Url,
    /// Neither: `kb lint` reports it; answers show the key as it is.
    Unknown,
}

/// Whether a source is written as a URL rather than a key.
pub fn is_url(source: &str) -> bool {
    let source = source.trim();
    ["https://", "http://"]
        .iter()
        .any(|scheme| source.len() > scheme.len() && source.starts_with(scheme))
}

/// The sources of a knowledge base, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registry {
    sources: BTreeMap<String, Source>,
}

impl Registry {
    /// What `key` stands for.
    pub fn resolve(&self, key: &str) -> Resolved<'_> {
        if is_url(key) {
            return Resolved::Url;
        }
        match self.sources.get(key.trim()) {
            Some(source) => Resolved::Registered(source),
            None => Resolved::Unknown,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Source> {
        self.sources.get(key)
    }

    pub fn len(&self) -> usize {
        self.sources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Adds the sources of `file`, replacing those with the same key. A file that is not valid TOML
    /// does not load; a table with a problem is left out (`kb lint` names it, and every key citing it).
    pub fn merge(&mut self, file: &SourceFile) -> Result<(), KbError> {
        let (sources, _) = read(file).map_err(KbError::Invalid)?;
        self.sources.extend(sources);
        Ok(())
    }
}

/// The sources a registry file defines, and the problems of its tables.
pub type Read = (BTreeMap<String, Source>, Vec<Problem>);

/// Reads a registry file: the usable sources and every problem with the others (for `kb lint`);
/// `Err` when the file is not valid TOML.
pub fn read(file: &SourceFile) -> Result<Read, Problem> {
    let mut problems = Vec::new();
    let tables: BTreeMap<String, SourceToml> = match toml::from_str(&file.text) {
        Ok(tables) => tables,
        Err(err) => {
            let line = err
                .span()
                .map(|span| file.text[..span.start].matches('\n').count() + 1)
                .unwrap_or(1);
            let message = err
                .message()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            return Err(Problem::error(
                &file.name,
                line,
                format!("invalid TOML: {message} (each source is a table: [KEY] with title, publisher, url, read)"),
            ));
        }
    };
    let mut sources = BTreeMap::new();
    for (key, table) in tables {
        let line = table_line(&file.text, &key);
        let mut error = |message: String| problems.push(Problem::error(&file.name, line, message));
        if is_url(&key) {
            error(format!(
                "source key '{key}' is a URL: entries cite a URL directly, it needs no table"
            ));
            continue;
        }
        let (Some(title), Some(publisher)) = (
            table.title.filter(|t| !t.trim().is_empty()),
            table.publisher.filter(|p| !p.trim().is_empty()),
        ) else {
            error(format!(
                "source '{key}' needs a title and a publisher (what a reader sees of it)"
            ));
            continue;
        };
        let bad_url = table
            .url
            .iter()
            .chain(&table.more_urls)
            .find(|url| !is_url(url));
        if let Some(url) = bad_url {
            error(format!(
                "source '{key}': '{url}' is not a URL (it must start with https:// or http://)"
            ));
            continue;
        }
        let read = table.read.map(|value| match value {
            toml::Value::String(s) => s,
            other => other.to_string(),
        });
        if let Some(read) = read.as_ref().filter(|read| !is_date(read)) {
            error(format!(
                "source '{key}': read = '{read}' is not a date (YYYY-MM-DD)"
            ));
            continue;
        }
        sources.insert(
            key,
            Source {
                title,
                publisher,
                url: table.url,
                more_urls: table.more_urls,
                read,
                note: table.note,
            },
        );
    }
    Ok((sources, problems))
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |part: &str, digits: usize, range: std::ops::RangeInclusive<u32>| {
        part.len() == digits
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.parse().is_ok_and(|n| range.contains(&n))
    };
    parts.len() == 3
        && number(parts[0], 4, 1900..=2999)
        && number(parts[1], 2, 1..=12)
        && number(parts[2], 2, 1..=31)
}

/// The line of the table header of `key` (`[T1]`, `["A1-dev.aliyun"]`), else 1.
fn table_line(text: &str, key: &str) -> usize {
    let bare = format!("[{key}]");
    let quoted = format!("[\"{key}\"]");
    let literal = format!("['{key}']");
    text.lines()
        .position(|line| {
            let line = line.trim();
            line == bare || line == quoted || line == literal
        })
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "kb/sources.toml".into(),
            relative: REGISTRY_FILE.into(),
            text: text.into(),
        }
    }

    #[test]
    fn keys_resolve_to_their_tables_and_urls_to_themselves() {
        let mut registry = Registry::default();
        registry
            .merge(&file(
                "[T1]\ntitle = \"常见驳回原因\"\npublisher = \"Tencent Cloud\"\nurl = \"https://cloud.tencent.com/document/product/243\"\nread = \"2026-11-28\"\n\n[\"A1-dev.aliyun\"]\ntitle = \"t\"\npublisher = \"p\"\n",
            ))
            .unwrap();
        match registry.resolve("T1") {
            Resolved::Registered(source) => {
                assert_eq!(source.publisher, "Tencent Cloud");
                assert_eq!(source.read.as_deref(), Some("2026-11-28"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            registry.resolve("A1-dev.aliyun"),
            Resolved::Registered(_)
        ));
        assert_eq!(
            registry.resolve("https://beian.miit.gov.cn/"),
            Resolved::Url
        );
        assert_eq!(registry.resolve("T2"), Resolved::Unknown);
        assert_eq!(registry.resolve("https://"), Resolved::Unknown);
    }

    #[test]
    fn a_later_file_replaces_a_key() {
        let mut registry = Registry::default();
        registry
            .merge(&file("[T1]\ntitle = \"old\"\npublisher = \"p\"\n"))
            .unwrap();
        registry
            .merge(&file("[T1]\ntitle = \"new\"\npublisher = \"p\"\n"))
            .unwrap();
        assert_eq!(registry.get("T1").unwrap().title, "new");
    }

    #[test]
    fn problems_name_the_line_of_the_table() {
        let text = "[T1]\ntitle = \"t\"\npublisher = \"p\"\n\n[T2]\ntitle = \"t\"\n\n[T3]\ntitle = \"t\"\npublisher = \"p\"\nurl = \"cloud.tencent.com\"\n\n[T4]\ntitle = \"t\"\npublisher = \"p\"\nread = \"28.11.2026\"\n";
        let (sources, problems) = read(&file(text)).unwrap();
        assert_eq!(
            sources.keys().collect::<Vec<_>>(),
            ["T1"],
            "only T1 is usable"
        );
        let lines: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.message.as_str()))
            .collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].1.contains("title and a publisher") && lines[0].0 == 5,
            "{lines:?}"
        );
        assert!(
            lines[1].1.contains("not a URL") && lines[1].0 == 8,
            "{lines:?}"
        );
        assert!(
            lines[2].1.contains("not a date") && lines[2].0 == 13,
            "{lines:?}"
        );
        // The tables with problems are left out; the file still loads.
        let mut registry = Registry::default();
        registry.merge(&file(text)).unwrap();
        assert_eq!(registry.resolve("T3"), Resolved::Unknown);
    }

    #[test]
    fn invalid_toml_is_an_error_at_its_line() {
        let problem = read(&file("[T1]\ntitle = \"t\"\npublisher = \n")).unwrap_err();
        assert_eq!(problem.line, 3, "{problem:?}");
        assert!(Registry::default().merge(&file("[T1\n")).is_err());
    }
}
