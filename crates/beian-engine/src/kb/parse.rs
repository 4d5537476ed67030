//! Markdown + TOML front matter → [`Entry`], remembering the line of each part so the linter can point at it.

use super::entry::{Entry, Kind};
use super::Problem;
use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use serde::Deserialize;
use std::collections::HashMap;

/// The front matter as written; every field but `id` and `title` may be absent (the linter says which matter).
/// A key it has no field for is reported (see [`Unplaced::Key`]), not silently dropped.
#[derive(Debug, Deserialize)]
struct FrontMatter {
    id: String,
    kind: Option<String>,
    title: String,
    title_en: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    patterns: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default)]
    sources: Vec<String>,
    reviewed: Option<toml::Value>,
}

/// The keys [`FrontMatter`] reads, for suggesting one when an unknown key is a misspelling.
const FRONT_MATTER_KEYS: &[&str] = &[
    "id", "kind", "title", "title_en", "aliases", "patterns", "related", "sources", "reviewed",
];

/// Something an author wrote that an entry has no place for: it would be dropped, so the linter (and
/// therefore loading) reports each one as an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplaced {
    /// A front-matter key no field reads, usually a misspelling (`alises`).
    Key(String),
    /// A paragraph after the summary and before the first `##` heading.
    SecondSummaryParagraph,
    /// A list before the first `##` heading.
    ListBeforeSections,
    /// A Markdown table: entries have no tables.
    Table,
}

impl Unplaced {
    /// What the linter says about it.
    pub fn message(&self) -> String {
        match self {
            Unplaced::Key(key) => {
                let hint = FRONT_MATTER_KEYS
                    .iter()
                    .find(|known| edit_distance(known, key) <= 2)
                    .map(|known| format!("; did you mean '{known}'?"))
                    .unwrap_or_else(|| format!(" (known keys: {})", FRONT_MATTER_KEYS.join(", ")));
                format!("unknown key '{key}' in the front matter: it is not read{hint}")
            }
            Unplaced::SecondSummaryParagraph => "a second paragraph before the first ## heading: the summary is one paragraph and this one would not be shown; join the two or move it under a section".into(),
            Unplaced::ListBeforeSections => "a list before the first ## heading would not be shown; move it under a section (## 原因, ## 解决步骤, ## 下一步)".into(),
            Unplaced::Table => "a table would be shown as one run of text; write its rows as list items".into(),
        }
    }
}

/// The number of single-character edits between two short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The advice sections of kb-spec §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Causes,
    Remediation,
    NextActions,
    Symptoms,
}

impl Section {
    pub const REQUIRED: [Section; 3] =
        [Section::Causes, Section::Remediation, Section::NextActions];

    fn from_heading(heading: &str) -> Option<Section> {
        match heading.trim().to_lowercase().as_str() {
            "原因" | "causes" => Some(Section::Causes),
            "解决步骤" | "remediation" => Some(Section::Remediation),
            "下一步" | "next actions" => Some(Section::NextActions),
            "常见提示" | "symptoms" => Some(Section::Symptoms),
            _ => None,
        }
    }

    pub fn heading(self) -> &'static str {
        match self {
            Section::Causes => "## 原因",
            Section::Remediation => "## 解决步骤",
            Section::NextActions => "## 下一步",
            Section::Symptoms => "## 常见提示",
        }
    }
}

/// An entry together with where its parts stand in the file (1-based lines).
#[derive(Debug, Clone)]
pub struct ParsedEntry {
    pub entry: Entry,
    /// Line of each front-matter key (`aliases`, `related`, …).
    pub key_lines: HashMap<String, usize>,
    /// Line of each known section heading that is present.
    pub section_lines: HashMap<Section, usize>,
    /// H2 headings that are not one of the known sections, with their lines.
    pub unknown_sections: Vec<(String, usize)>,
    /// Whether `kind` was absent or disagreed with the id (the id wins).
    pub kind_mismatch: Option<String>,
    pub title_en_missing: bool,
    /// What the entry has no place for, with its line.
    pub unplaced: Vec<(Unplaced, usize)>,
}

impl ParsedEntry {
    pub fn line_of(&self, key: &str) -> usize {
        self.key_lines.get(key).copied().unwrap_or(1)
    }
}

/// Turns a byte offset into a 1-based line number.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses one entry file. `origin` names it in errors.
pub fn parse_entry(origin: &str, text: &str) -> Result<ParsedEntry, Problem> {
    let problem = |line: usize, message: String| Problem::error(origin, line, message);
    if text.trim().is_empty() {
        return Err(problem(
            1,
            "empty file: an entry needs +++ front matter and a body".into(),
        ));
    }
    // Tables are parsed only to be reported: without the option a table would read as a paragraph.
    let options = Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS | Options::ENABLE_TABLES;
    let mut events = Parser::new_ext(text, options).into_offset_iter().peekable();

    // The front matter must be the very first event.
    let (front_text, front_start) = match events.next() {
        Some((Event::Start(Tag::MetadataBlock(MetadataBlockKind::PlusesStyle)), range)) => {
            let mut toml_text = String::new();
            for (event, _) in events.by_ref() {
                match event {
                    Event::Text(t) => toml_text.push_str(&t),
                    Event::End(TagEnd::MetadataBlock(_)) => break,
                    _ => {}
                }
            }
            // The TOML starts on the line after the opening `+++`.
            (toml_text, line_at(text, range.start) + 1)
        }
        _ => {
            return Err(problem(
                1,
                "missing front matter: the file must start with a +++ line, TOML, and a closing +++ line"
                    .into(),
            ))
        }
    };

    let invalid = |err: toml::de::Error| {
        let line = err
            .span()
            .map(|span| front_start + line_at(&front_text, span.start) - 1)
            .unwrap_or(front_start);
        problem(
            line,
            format!("invalid front matter: {}", one_line(err.message())),
        )
    };
    let mut unknown_keys = Vec::new();
    let front: FrontMatter = serde_ignored::deserialize(
        toml::Deserializer::parse(&front_text).map_err(invalid)?,
        |path| unknown_keys.push(path.to_string()),
    )
    .map_err(invalid)?;

    let mut key_lines = HashMap::new();
    for (i, line) in front_text.lines().enumerate() {
        if let Some((key, _)) = line.split_once('=') {
            let key = key.trim();
            if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                key_lines.entry(key.to_string()).or_insert(front_start + i);
            }
        }
    }
    let id_line = key_lines.get("id").copied().unwrap_or(front_start);

    let id = front.id.trim().to_string();
    let kind: Kind = id
        .split_once('/')
        .filter(|(_, slug)| is_slug(slug))
        .and_then(|(kind, _)| kind.parse().ok())
        .ok_or_else(|| {
            problem(
                id_line,
                format!("invalid id '{id}': expected <kind>/<slug> with kind scenario, process, rejection, risk or faq and a slug of a-z, 0-9 and '-'"),
            )
        })?;
    let kind_mismatch = match &front.kind {
        Some(k) if k != kind.as_str() => Some(k.clone()),
        _ => None,
    };

    let mut body = Body::default();
    body.read(text, events);
    let mut unplaced: Vec<(Unplaced, usize)> = unknown_keys
        .into_iter()
        .map(|key| {
            // A nested key (`extra.x`) is reported under its top-level key, where its line is known.
            let top = key.split('.').next().unwrap_or(&key).to_string();
            let line = key_lines.get(&top).copied().unwrap_or(front_start);
            (Unplaced::Key(key), line)
        })
        .collect();
    unplaced.append(&mut body.unplaced);

    let reviewed = front.reviewed.map(|value| match value {
        toml::Value::String(s) => s,
        other => other.to_string(),
    });
    let entry = Entry {
        id,
        kind,
        title_en: front
            .title_en
            .clone()
            .unwrap_or_else(|| front.title.clone()),
        title: front.title,
        aliases: front.aliases,
        patterns: front.patterns,
        related: front.related,
        sources: front.sources,
        reviewed,
        summary: body.summary.unwrap_or_default(),
        causes: body.sections.remove(&Section::Causes).unwrap_or_default(),
        remediation: body
            .sections
            .remove(&Section::Remediation)
            .unwrap_or_default(),
        next_actions: body
            .sections
            .remove(&Section::NextActions)
            .unwrap_or_default(),
        symptoms: body.sections.remove(&Section::Symptoms).unwrap_or_default(),
        origin: origin.to_string(),
    };
    Ok(ParsedEntry {
        entry,
        key_lines,
        section_lines: body.section_lines,
        unknown_sections: body.unknown_sections,
        kind_mismatch,
        title_en_missing: front.title_en.is_none(),
        unplaced,
    })
}

fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the Markdown body holds: the summary paragraph and the items of each section.
#[derive(Default)]
struct Body {
    summary: Option<String>,
    sections: HashMap<Section, Vec<String>>,
    section_lines: HashMap<Section, usize>,
    unknown_sections: Vec<(String, usize)>,
    unplaced: Vec<(Unplaced, usize)>,
}

impl Body {
    fn read<'a>(
        &mut self,
        text: &str,
        events: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
    ) {
        // Where text goes: the current section (None before the first H2 or under an unknown one).
        let mut section: Option<Section> = None;
        let mut seen_h2 = false;
        let mut heading: Option<(String, usize)> = None;
        let mut item_depth = 0usize;
        let mut buffer = String::new();
        let mut in_paragraph = false;
        let mut paragraph_line = 0;

        for (event, range) in events {
            match event {
                Event::Start(Tag::Table(_)) => {
                    self.unplaced
                        .push((Unplaced::Table, line_at(text, range.start)));
                }
                Event::Start(Tag::List(_)) if !seen_h2 && item_depth == 0 => {
                    self.unplaced
                        .push((Unplaced::ListBeforeSections, line_at(text, range.start)));
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    heading = (level == HeadingLevel::H2)
                        .then(|| (String::new(), line_at(text, range.start)));
                }
                Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                    if let Some((title, line)) = heading.take() {
                        seen_h2 = true;
                        section = Section::from_heading(&title);
                        match section {
                            Some(s) => {
                                self.section_lines.entry(s).or_insert(line);
                                self.sections.entry(s).or_default();
                            }
                            None => self.unknown_sections.push((title.trim().to_string(), line)),
                        }
                    }
                }
                Event::Start(Tag::Item) => {
                    item_depth += 1;
                    if item_depth == 1 {
                        buffer.clear();
                    }
                }
                Event::End(TagEnd::Item) => {
                    item_depth = item_depth.saturating_sub(1);
                    if item_depth == 0 {
                        self.push(section, &buffer);
                        buffer.clear();
                    }
                }
                Event::Start(Tag::Paragraph) => {
                    in_paragraph = true;
                    paragraph_line = line_at(text, range.start);
                    if item_depth == 0 {
                        buffer.clear();
                    } else if !buffer.is_empty() {
                        buffer.push(' ');
                    }
                }
                Event::End(TagEnd::Paragraph) => {
                    in_paragraph = false;
                    if item_depth == 0 {
                        if !seen_h2 {
                            let paragraph = buffer.trim();
                            if paragraph.is_empty() {
                                // Nothing to keep.
                            } else if self.summary.is_none() {
                                self.summary = Some(paragraph.to_string());
                            } else {
                                self.unplaced
                                    .push((Unplaced::SecondSummaryParagraph, paragraph_line));
                            }
                        } else {
                            // A section written as paragraphs keeps each paragraph as one item.
                            self.push(section, &buffer);
                        }
                        buffer.clear();
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some((title, _)) = heading.as_mut() {
                        title.push_str(&t);
                    } else if in_paragraph || item_depth > 0 {
                        buffer.push_str(&t);
                    }
                }
                // Chinese lines wrap without a space; Latin words need one.
                Event::SoftBreak | Event::HardBreak
                    if (in_paragraph || item_depth > 0)
                        && buffer
                            .chars()
                            .last()
                            .is_some_and(|c| c.is_ascii_alphanumeric()) =>
                {
                    buffer.push(' ');
                }
                _ => {}
            }
        }
    }

    fn push(&mut self, section: Option<Section>, text: &str) {
        let text = text.trim();
        if let (Some(section), false) = (section, text.is_empty()) {
            self.sections
                .entry(section)
                .or_default()
                .push(text.to_string());
        }
    }
}
