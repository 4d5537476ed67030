//! Markdown + TOML front matter → [`Entry`], remembering the line of each part so the linter can point at it.
//!
//! A `# English` heading splits the body: the Chinese body before it, the English body after it, each
//! a summary paragraph and the same `##` sections.

use super::entry::{Body, Entry, Kind, LazyTexts, Section, Texts};
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
    /// A paragraph after the summary and before the first `##` heading (of the Chinese body, or of
    /// the English one after `# English`).
    SecondSummaryParagraph,
    /// A list before the first `##` heading (of either body).
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
            Unplaced::ListBeforeSections => "a list before the first ## heading would not be shown; move it under a section (## 原因, ## 解决步骤, ## 下一步, or in English ## Causes, ## Remediation, ## Next actions)".into(),
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

/// Where the parts of one body (the Chinese or the English one) stand in the file (1-based lines).
#[derive(Debug, Clone, Default)]
pub struct BodyLines {
    /// Where the body starts: the line after the front matter, or the `# English` heading.
    pub start: usize,
    /// The summary paragraph's first line, if there is a summary.
    pub summary: Option<usize>,
    /// Line of each known section heading that is present.
    pub sections: HashMap<Section, usize>,
    /// Per section, the first line of each item, in order.
    pub items: HashMap<Section, Vec<usize>>,
    /// H2 headings that are not one of the known sections, with their lines.
    pub unknown_sections: Vec<(String, usize)>,
}

impl BodyLines {
    /// The line of item `index` of `section`, else of its heading, else where the body starts.
    pub fn item(&self, section: Section, index: usize) -> usize {
        self.items
            .get(&section)
            .and_then(|lines| lines.get(index))
            .or_else(|| self.sections.get(&section))
            .copied()
            .unwrap_or(self.start)
    }

    /// The line of a section's heading, else where the body starts.
    pub fn section(&self, section: Section) -> usize {
        self.sections.get(&section).copied().unwrap_or(self.start)
    }
}

/// An entry together with where its parts stand in the file (1-based lines).
#[derive(Debug, Clone)]
pub struct ParsedEntry {
    pub entry: Entry,
    /// Line of each front-matter key (`aliases`, `related`, …).
    pub key_lines: HashMap<String, usize>,
    /// Where the parts of the Chinese body stand.
    pub lines: BodyLines,
    /// Where the parts of the English body stand, if the file has one.
    pub english_lines: Option<BodyLines>,
    /// Lines of `# English` headings after the first (only the first starts the English body).
    pub extra_english_headings: Vec<usize>,
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
    let (front_text, front_start, body_start) = match events.next() {
        Some((Event::Start(Tag::MetadataBlock(MetadataBlockKind::PlusesStyle)), range)) => {
            let mut toml_text = String::new();
            for (event, _) in events.by_ref() {
                match event {
                    Event::Text(t) => toml_text.push_str(&t),
                    Event::End(TagEnd::MetadataBlock(_)) => break,
                    _ => {}
                }
            }
            // The block ends with the closing `+++` (and its line break, if any): the body starts
            // on the line after it.
            let end = range.end.min(text.len());
            let closing = line_at(text, end);
            let body_start = if text[..end].ends_with('\n') {
                closing
            } else {
                closing + 1
            };
            // The TOML starts on the line after the opening `+++`.
            (toml_text, line_at(text, range.start) + 1, body_start)
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

    let mut reader = BodyReader::new(body_start);
    reader.read(text, events);
    let BodyReader {
        mut parts,
        extra_english_headings,
        unplaced: mut body_unplaced,
    } = reader;
    let english = (parts.len() > 1).then(|| parts.remove(1));
    let chinese = parts.remove(0);
    let mut unplaced: Vec<(Unplaced, usize)> = unknown_keys
        .into_iter()
        .map(|key| {
            // A nested key (`extra.x`) is reported under its top-level key, where its line is known.
            let top = key.split('.').next().unwrap_or(&key).to_string();
            let line = key_lines.get(&top).copied().unwrap_or(front_start);
            (Unplaced::Key(key), line)
        })
        .collect();
    unplaced.append(&mut body_unplaced);

    let reviewed = front.reviewed.map(|value| match value {
        toml::Value::String(s) => s,
        other => other.to_string(),
    });
    let (english, english_lines) = match english {
        Some(part) => {
            let (body, lines) = part.finish();
            (Some(body), Some(lines))
        }
        None => (None, None),
    };
    let (body, lines) = chinese.finish();
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
        texts: LazyTexts::new(Texts { body, english }),
        origin: origin.to_string(),
    };
    Ok(ParsedEntry {
        entry,
        key_lines,
        lines,
        english_lines,
        extra_english_headings,
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

/// The heading that starts the English body.
const ENGLISH_HEADING: &str = "english";

/// One body as read: the summary paragraph and the items of each section, with their lines.
#[derive(Default)]
struct Part {
    summary: Option<String>,
    sections: HashMap<Section, Vec<String>>,
    lines: BodyLines,
    /// Whether a `##` heading was seen: paragraphs after one are section items, not the summary.
    seen_h2: bool,
}

impl Part {
    fn new(start: usize) -> Part {
        Part {
            lines: BodyLines {
                start,
                ..BodyLines::default()
            },
            ..Part::default()
        }
    }

    fn push(&mut self, section: Option<Section>, text: &str, line: usize) {
        let text = text.trim();
        if let (Some(section), false) = (section, text.is_empty()) {
            self.sections
                .entry(section)
                .or_default()
                .push(text.to_string());
            self.lines.items.entry(section).or_default().push(line);
        }
    }

    fn finish(mut self) -> (Body, BodyLines) {
        let mut take = |section| self.sections.remove(&section).unwrap_or_default();
        let body = Body {
            causes: take(Section::Causes),
            remediation: take(Section::Remediation),
            next_actions: take(Section::NextActions),
            symptoms: take(Section::Symptoms),
            summary: self.summary.unwrap_or_default(),
        };
        (body, self.lines)
    }
}

/// Reads the Markdown body into its parts: the Chinese one, then the English one after `# English`.
struct BodyReader {
    parts: Vec<Part>,
    extra_english_headings: Vec<usize>,
    /// What either body has no place for, with its line.
    unplaced: Vec<(Unplaced, usize)>,
}

impl BodyReader {
    fn new(start: usize) -> BodyReader {
        BodyReader {
            parts: vec![Part::new(start)],
            extra_english_headings: Vec::new(),
            unplaced: Vec::new(),
        }
    }

    fn read<'a>(
        &mut self,
        text: &str,
        events: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
    ) {
        // Where text goes: the current section (None before the first H2 or under an unknown one).
        let mut section: Option<Section> = None;
        // The H1 or H2 heading being read: its level, text and line.
        let mut heading: Option<(HeadingLevel, String, usize)> = None;
        let mut item_depth = 0usize;
        let mut buffer = String::new();
        // The first line of the item or paragraph in `buffer`.
        let mut buffer_line = 0usize;
        let mut in_paragraph = false;

        for (event, range) in events {
            let part = self.parts.last_mut().expect("there is always a part");
            match event {
                Event::Start(Tag::Table(_)) => {
                    self.unplaced
                        .push((Unplaced::Table, line_at(text, range.start)));
                }
                Event::Start(Tag::List(_)) if !part.seen_h2 && item_depth == 0 => {
                    self.unplaced
                        .push((Unplaced::ListBeforeSections, line_at(text, range.start)));
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    heading = matches!(level, HeadingLevel::H1 | HeadingLevel::H2)
                        .then(|| (level, String::new(), line_at(text, range.start)));
                }
                Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                    let Some((_, title, line)) = heading.take() else {
                        continue;
                    };
                    // Other H1 headings are not part of the format and are skipped, as before.
                    if title.trim().to_lowercase() != ENGLISH_HEADING {
                        continue;
                    }
                    if self.parts.len() == 1 {
                        self.parts.push(Part::new(line));
                        section = None;
                        item_depth = 0;
                        buffer.clear();
                    } else {
                        self.extra_english_headings.push(line);
                    }
                }
                Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                    if let Some((_, title, line)) = heading.take() {
                        part.seen_h2 = true;
                        section = Section::from_heading(&title);
                        match section {
                            Some(s) => {
                                part.lines.sections.entry(s).or_insert(line);
                                part.sections.entry(s).or_default();
                            }
                            None => part
                                .lines
                                .unknown_sections
                                .push((title.trim().to_string(), line)),
                        }
                    }
                }
                Event::Start(Tag::Item) => {
                    item_depth += 1;
                    if item_depth == 1 {
                        buffer.clear();
                        buffer_line = line_at(text, range.start);
                    }
                }
                Event::End(TagEnd::Item) => {
                    item_depth = item_depth.saturating_sub(1);
                    if item_depth == 0 {
                        part.push(section, &buffer, buffer_line);
                        buffer.clear();
                    }
                }
                Event::Start(Tag::Paragraph) => {
                    in_paragraph = true;
                    if item_depth == 0 {
                        buffer.clear();
                        buffer_line = line_at(text, range.start);
                    } else if !buffer.is_empty() {
                        buffer.push(' ');
                    }
                }
                Event::End(TagEnd::Paragraph) => {
                    in_paragraph = false;
                    if item_depth == 0 {
                        if !part.seen_h2 {
                            let paragraph = buffer.trim();
                            if paragraph.is_empty() {
                                // Nothing to keep.
                            } else if part.summary.is_none() {
                                part.summary = Some(paragraph.to_string());
                                part.lines.summary = Some(buffer_line);
                            } else {
                                self.unplaced
                                    .push((Unplaced::SecondSummaryParagraph, buffer_line));
                            }
                        } else {
                            // A section written as paragraphs keeps each paragraph as one item.
                            part.push(section, &buffer, buffer_line);
                        }
                        buffer.clear();
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    if let Some((_, title, _)) = heading.as_mut() {
                        title.push_str(&t);
                    } else if in_paragraph || item_depth > 0 {
                        buffer.push_str(&t);
                    }
                }
                // Chinese lines wrap without a space; a line that ends in a Latin word or ASCII
                // punctuation (English text) needs one.
                Event::SoftBreak | Event::HardBreak
                    if (in_paragraph || item_depth > 0)
                        && buffer.chars().last().is_some_and(|c| c.is_ascii_graphic()) =>
                {
                    buffer.push(' ');
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    const FRONT: &str =
        "+++\nid = \"faq/x\"\ntitle = \"测试\"\ntitle_en = \"Test\"\nsources = [\"T1\"]\n+++\n";

    #[test]
    fn an_entry_without_english_has_only_the_chinese_body() {
        let text = format!("{FRONT}一句话回答。\n\n## 原因\n- 原因一。\n\n## 解决步骤\n1. 第一步。\n\n## 下一步\n- 等待。\n");
        let parsed = parse_entry("x.md", &text).unwrap();
        assert_eq!(parsed.entry.body().summary, "一句话回答。");
        assert_eq!(parsed.entry.body().remediation, ["第一步。"]);
        assert!(parsed.entry.english().is_none() && parsed.english_lines.is_none());
        assert_eq!(parsed.lines.start, 7, "the line after the closing +++");
        assert_eq!(parsed.lines.summary, Some(7));
        assert_eq!(parsed.lines.item(Section::Remediation, 0), 13);
    }

    #[test]
    fn the_english_heading_splits_the_two_bodies_with_their_lines() {
        let text = format!(
            "{FRONT}一句话回答。\n\n## 原因\n- 原因一。\n- 原因二。\n\n## 解决步骤\n1. 第一步。\n\n## 下一步\n- 等待 20 个工作日。\n\n# English\n\nThe answer in\none sentence.\n\n## Causes\n- Cause one.\n- Cause two.\n\n## Remediation\n1. First step.\n\n## Next actions\n- Wait 20 working days.\n\n## Symptoms\n- Rejected (“驳回”)\n"
        );
        let parsed = parse_entry("x.md", &text).unwrap();
        let entry = &parsed.entry;
        assert_eq!(entry.body().causes, ["原因一。", "原因二。"]);
        assert!(
            entry.body().symptoms.is_empty(),
            "English items stay out of the Chinese body"
        );
        let english = entry.english().unwrap();
        assert_eq!(english.summary, "The answer in one sentence.");
        assert_eq!(english.causes, ["Cause one.", "Cause two."]);
        assert_eq!(english.next_actions, ["Wait 20 working days."]);
        assert_eq!(english.symptoms, ["Rejected (“驳回”)"]);
        let lines = parsed.english_lines.as_ref().unwrap();
        assert_eq!(lines.start, 19, "the # English heading");
        assert_eq!(lines.summary, Some(21));
        assert_eq!(lines.section(Section::Causes), 24);
        assert_eq!(lines.item(Section::Causes, 1), 26);
        assert_eq!(parsed.lines.item(Section::Causes, 1), 11);
        assert_eq!(entry.body_in(Lang::En).1, Lang::En);
        assert_eq!(entry.body_in(Lang::Zh).0.summary, "一句话回答。");
    }

    #[test]
    fn only_the_first_english_heading_starts_the_english_body() {
        let text = format!("{FRONT}回答。\n\n# English\n\nAnswer.\n\n# English\n\nAgain.\n");
        let parsed = parse_entry("x.md", &text).unwrap();
        assert_eq!(parsed.entry.english().unwrap().summary, "Answer.");
        assert_eq!(parsed.extra_english_headings, [13]);
    }

    #[test]
    fn other_h1_headings_are_skipped_as_before() {
        let text = format!("{FRONT}# 标题\n\n回答。\n");
        let parsed = parse_entry("x.md", &text).unwrap();
        assert_eq!(parsed.entry.body().summary, "回答。");
        assert!(parsed.entry.english().is_none());
    }

    #[test]
    fn the_english_summary_is_not_a_second_paragraph_and_english_text_is_checked_alike() {
        let chinese = "一句话回答。\n\n## 原因\n- 原因一。\n\n## 解决步骤\n1. 第一步。\n\n## 下一步\n- 等待。\n";
        let english = "\n# English\n\nThe answer.\n\n## Causes\n- Cause one.\n\n## Remediation\n1. First step.\n\n## Next actions\n- Wait.\n";
        let whole = parse_entry("x.md", &format!("{FRONT}{chinese}{english}")).unwrap();
        assert!(whole.unplaced.is_empty(), "{:?}", whole.unplaced);

        // What would be dropped from the English body is reported as it is from the Chinese one.
        let dropped = english
            .replace(
                "The answer.\n",
                "The answer.\n\nA second paragraph.\n\n- a list\n",
            )
            .replace("- Wait.\n", "- Wait.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        let parsed = parse_entry("x.md", &format!("{FRONT}{chinese}{dropped}")).unwrap();
        assert_eq!(
            parsed.unplaced,
            [
                (Unplaced::SecondSummaryParagraph, 22),
                (Unplaced::ListBeforeSections, 24),
                (Unplaced::Table, 35),
            ]
        );
        assert_eq!(parsed.entry.english().unwrap().summary, "The answer.");
    }
}
