//! `beian kb lint`: every rule of the knowledge-base contract, each problem as `file:line: message`.
//!
//! Besides each entry's own rules, the two bodies of an entry are kept in step: the same sections with
//! the same number of items, and every number, date, code and URL of a Chinese item in the matching
//! English item and back (see `facts`). A built-in entry must have both bodies; a `--kb` entry may be
//! Chinese only (a warning). Every source key must resolve in the source registry.
//!
//! Loading runs the same checks ([`check`]), so what lint calls an error is what keeps a knowledge
//! base from loading.

use super::facts::{facts, Fact};
use super::sources::{self, Registry, Resolved};
use super::{
    parse_entry, Entry, Files, Lang, ParsedEntry, Problem, Section, Severity, SourceFile,
    Vocabulary,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Checks the built-in files and the `--kb` files (either may be absent; the `--kb` ones overlay the
/// built-in ones) and returns every problem found, errors and warnings.
pub fn lint(builtin: Option<&Files>, overlay: Option<&Files>) -> Vec<Problem> {
    check(builtin, overlay).problems
}

/// What checking the layers found.
pub(super) struct Checked {
    /// The entries the knowledge base holds, sorted by id: a `--kb` entry replaces a built-in one.
    pub entries: Vec<Entry>,
    /// Every layer's vocabulary files, merged in order.
    pub vocabulary: Vocabulary,
    /// Every layer's source registry, merged in order.
    pub registry: Registry,
    /// The ranking models of the last layer that has one (a layer's two models go together).
    pub ranker: Option<crate::model::Model>,
    pub ranker_encoder: Option<crate::model::Model>,
    /// Every problem, errors and warnings, sorted by file and line.
    pub problems: Vec<Problem>,
}

/// A ranking model's file parsed, or the problem with it.
fn read_model(file: &SourceFile, problems: &mut Vec<Problem>) -> Option<crate::model::Model> {
    match crate::model::Model::parse(&file.text) {
        Ok(model) => Some(model),
        Err(err) => {
            problems.push(Problem::error(
                &file.name,
                1,
                format!("{err}; `beian kb fit` writes this file"),
            ));
            None
        }
    }
}

/// Parses and checks every file of the layers.
pub(super) fn check(builtin: Option<&Files>, overlay: Option<&Files>) -> Checked {
    let mut problems = Vec::new();
    let mut parsed: Vec<ParsedEntry> = Vec::new();
    let mut registry = Registry::default();
    let mut vocabulary = Vocabulary::default();
    let mut ranker = None;
    let mut ranker_encoder = None;

    let layers = [(builtin, true), (overlay, false)];
    for (layer, is_builtin) in layers.iter().filter_map(|&(l, b)| l.map(|l| (l, b))) {
        problems.extend(layer.unreadable.iter().cloned());
        let mut ids: HashMap<String, String> = HashMap::new();
        for file in &layer.entries {
            let entry = match parse_entry(&file.name, &file.text) {
                Ok(entry) => entry,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            let expected = file.relative.trim_end_matches(".md");
            if entry.entry.id != expected {
                problems.push(Problem::error(
                    &file.name,
                    entry.line_of("id"),
                    format!(
                        "id '{}' does not match the file's path (expected '{expected}')",
                        entry.entry.id
                    ),
                ));
            }
            if let Some(first) = ids.insert(entry.entry.id.clone(), file.name.clone()) {
                problems.push(Problem::error(
                    &file.name,
                    entry.line_of("id"),
                    format!("duplicate id '{}' (also in {first})", entry.entry.id),
                ));
            }
            check_entry(&entry, &mut problems);
            check_english(&entry, is_builtin, &mut problems);
            parsed.push(entry);
        }
        if let Some(file) = &layer.registry {
            match sources::read(file) {
                Ok((_, found)) => problems.extend(found),
                Err(problem) => problems.push(problem),
            }
            // What loading keeps of the file: the usable tables (nothing, if it is not TOML).
            let _ = registry.merge(file);
        }
        if layer.ranker.is_some() || layer.ranker_encoder.is_some() {
            ranker = layer
                .ranker
                .as_ref()
                .and_then(|file| read_model(file, &mut problems));
            ranker_encoder = layer
                .ranker_encoder
                .as_ref()
                .and_then(|file| read_model(file, &mut problems));
        }
        for file in &layer.data {
            if let Err(super::KbError::Invalid(problem)) = vocabulary.merge(file) {
                problems.push(problem);
                continue;
            }
            check_data(file, &mut problems);
        }
        for name in &layer.ignored {
            if name.matches('/').count() >= 2 {
                problems.push(Problem::warning(
                    name,
                    1,
                    "not an entry: entries live in <kind>/<slug>.md (kind: scenario, process, rejection, risk, faq); this file is ignored",
                ));
            }
        }
    }

    // Cross-entry checks run on what the knowledge base will hold: a later layer replaces an earlier id.
    let mut effective: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, entry) in parsed.iter().enumerate() {
        effective.insert(&entry.entry.id, i);
    }
    let known: HashSet<&str> = effective.keys().copied().collect();
    let mut alias_owner: HashMap<String, &str> = HashMap::new();
    for &i in effective.values() {
        let entry = &parsed[i];
        for source in &entry.entry.sources {
            if registry.resolve(source) == Resolved::Unknown && !source.trim().is_empty() {
                problems.push(Problem::error(
                    &entry.entry.origin,
                    entry.line_of("sources"),
                    format!(
                        "source '{source}' is not a key of {}: add it there (title, publisher, url, read), or cite a URL",
                        sources::REGISTRY_FILE
                    ),
                ));
            }
        }
        for related in &entry.entry.related {
            if !known.contains(related.as_str()) {
                problems.push(Problem::error(
                    &entry.entry.origin,
                    entry.line_of("related"),
                    format!("related id '{related}' does not exist"),
                ));
            }
        }
        for alias in &entry.entry.aliases {
            let key = alias.trim().to_lowercase();
            match alias_owner.get(&key) {
                Some(owner) if *owner != entry.entry.id => problems.push(Problem::warning(
                    &entry.entry.origin,
                    entry.line_of("aliases"),
                    format!("alias '{alias}' is also an alias of {owner}"),
                )),
                _ => {
                    alias_owner.insert(key, &entry.entry.id);
                }
            }
        }
    }
    let effective: Vec<usize> = effective.into_values().collect();

    problems.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
    problems.dedup();
    let mut slots: Vec<Option<Entry>> = parsed.into_iter().map(|p| Some(p.entry)).collect();
    let entries = effective
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect();
    Checked {
        entries,
        vocabulary,
        registry,
        ranker,
        ranker_encoder,
        problems,
    }
}

/// How many of the problems are errors (the ones that make `kb lint` exit 2).
pub fn error_count(problems: &[Problem]) -> usize {
    problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count()
}

fn check_entry(parsed: &ParsedEntry, problems: &mut Vec<Problem>) {
    let entry = &parsed.entry;
    let file = entry.origin.as_str();
    if let Some(kind) = &parsed.kind_mismatch {
        problems.push(Problem::error(
            file,
            parsed.line_of("kind"),
            format!(
                "kind '{kind}' does not match the id's kind '{}'",
                entry.kind
            ),
        ));
    }
    if entry.title.trim().is_empty() {
        problems.push(Problem::error(
            file,
            parsed.line_of("title"),
            "title is empty",
        ));
    }
    if parsed.title_en_missing {
        problems.push(Problem::warning(
            file,
            parsed.line_of("title"),
            "title_en is missing: English output falls back to the Chinese title",
        ));
    }
    if entry.body().summary.trim().is_empty() {
        problems.push(Problem::error(
            file,
            body_line(parsed),
            "no summary: the first paragraph before any ## heading answers in one or two sentences",
        ));
    }
    if entry.sources.iter().all(|s| s.trim().is_empty()) {
        problems.push(Problem::error(
            file,
            parsed.line_of("sources"),
            "sources is empty: every fact must trace to a source key or URL",
        ));
    }
    for section in Section::REQUIRED {
        let items = entry.body().section(section);
        match parsed.lines.sections.get(&section) {
            None => problems.push(Problem::error(
                file,
                body_line(parsed),
                format!("missing section '{}'", section.heading()),
            )),
            Some(&line) if items.is_empty() => problems.push(Problem::error(
                file,
                line,
                format!("section '{}' is empty", section.heading()),
            )),
            Some(_) => {}
        }
    }
    for (unplaced, line) in &parsed.unplaced {
        problems.push(Problem::error(file, *line, unplaced.message()));
    }
    let english_unknown = parsed
        .english_lines
        .iter()
        .flat_map(|l| &l.unknown_sections);
    for (heading, line) in parsed.lines.unknown_sections.iter().chain(english_unknown) {
        problems.push(Problem::warning(
            file,
            *line,
            format!("unknown section '## {heading}' (known: 原因, 解决步骤, 下一步, 常见提示, or Causes, Remediation, Next actions, Symptoms): it is not shown"),
        ));
    }
    // Loading runs this too, so each pattern is compiled once.
    for pattern in &entry.patterns {
        match regex::Regex::new(pattern) {
            Err(err) => {
                let reason = err
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                problems.push(Problem::error(
                    file,
                    parsed.line_of("patterns"),
                    format!("pattern '{pattern}' is not a valid regular expression: {reason}"),
                ));
            }
            Ok(re) if re.is_match("") => problems.push(Problem::error(
                file,
                parsed.line_of("patterns"),
                format!("pattern '{pattern}' matches empty text, so it would match every query"),
            )),
            Ok(_) => {}
        }
    }
    let mut seen = HashSet::new();
    for alias in &entry.aliases {
        if !seen.insert(alias.trim().to_lowercase()) {
            problems.push(Problem::warning(
                file,
                parsed.line_of("aliases"),
                format!("alias '{alias}' is listed twice"),
            ));
        }
    }
}

/// The line where the body starts, for problems about the body as a whole.
fn body_line(parsed: &ParsedEntry) -> usize {
    parsed
        .lines
        .sections
        .values()
        .min()
        .copied()
        .unwrap_or_else(|| parsed.key_lines.values().max().map_or(1, |line| line + 2))
}

/// The English body against the Chinese one: present (required for built-in entries), the same
/// sections with the same number of items, and the same facts item by item. Every problem points at
/// the English text.
fn check_english(parsed: &ParsedEntry, builtin: bool, problems: &mut Vec<Problem>) {
    let entry = &parsed.entry;
    let file = entry.origin.as_str();
    for &line in &parsed.extra_english_headings {
        problems.push(Problem::error(
            file,
            line,
            "a second '# English' heading: an entry has one English part, after the Chinese one",
        ));
    }
    let (Some(english), Some(lines)) = (entry.english(), &parsed.english_lines) else {
        let message = "no English part: add a '# English' heading after the Chinese body, then the summary and the same sections in English";
        problems.push(if builtin {
            Problem::error(file, parsed.lines.start, message)
        } else {
            Problem::warning(
                file,
                parsed.lines.start,
                format!("{message} (until then, English answers show the Chinese)"),
            )
        });
        return;
    };
    let chinese = &parsed.lines;
    if english.summary.trim().is_empty() {
        problems.push(Problem::error(
            file,
            lines.start,
            "no English summary: the first paragraph after '# English' answers in one or two sentences",
        ));
    } else {
        let line = lines.summary.unwrap_or(lines.start);
        let chinese_line = chinese.summary.unwrap_or(chinese.start);
        compare_facts(
            file,
            "the summary",
            line,
            chinese_line,
            &entry.body().summary,
            &english.summary,
            problems,
        );
    }
    for section in Section::ALL {
        let (zh, en) = (entry.body().section(section), english.section(section));
        let (zh_heading, en_heading) = (section.heading_in(Lang::Zh), section.heading_in(Lang::En));
        match (chinese.sections.get(&section), lines.sections.get(&section)) {
            (None, None) => {}
            (Some(&zh_line), None) => problems.push(Problem::error(
                file,
                lines.start,
                format!("the English part has no '{en_heading}' section, the Chinese one has '{zh_heading}' (line {zh_line})"),
            )),
            (None, Some(&en_line)) => problems.push(Problem::error(
                file,
                en_line,
                format!("'{en_heading}' has no Chinese counterpart: the Chinese body has no '{zh_heading}'"),
            )),
            (Some(&zh_line), Some(&en_line)) if zh.len() != en.len() => problems.push(Problem::error(
                file,
                en_line,
                format!(
                    "'{en_heading}' has {} items, the Chinese '{zh_heading}' (line {zh_line}) has {}: the two match item by item",
                    en.len(),
                    zh.len()
                ),
            )),
            (Some(_), Some(_)) => {
                for (i, (zh_item, en_item)) in zh.iter().zip(en).enumerate() {
                    let what = format!("item {} of '{en_heading}'", i + 1);
                    compare_facts(file, &what, lines.item(section, i), chinese.item(section, i), zh_item, en_item, problems);
                }
            }
        }
    }
}

/// The facts one text has and the other lacks, each an error at the English line.
fn compare_facts(
    file: &str,
    what: &str,
    line: usize,
    chinese_line: usize,
    chinese: &str,
    english: &str,
    problems: &mut Vec<Problem>,
) {
    let (zh, en): (BTreeSet<Fact>, BTreeSet<Fact>) = (facts(chinese), facts(english));
    for fact in zh.difference(&en) {
        problems.push(Problem::error(
            file,
            line,
            format!("English {what} lacks {fact}, which the Chinese (line {chinese_line}) has"),
        ));
    }
    for fact in en.difference(&zh) {
        problems.push(Problem::error(
            file,
            line,
            format!("English {what} has {fact}, which the Chinese (line {chinese_line}) does not"),
        ));
    }
}

fn check_data(file: &super::SourceFile, problems: &mut Vec<Problem>) {
    let Ok(vocabulary) = toml::from_str::<Vocabulary>(&file.text) else {
        return;
    };
    let line_of = |needle: &str| {
        file.text
            .lines()
            .position(|line| line.contains(needle))
            .map_or(1, |i| i + 1)
    };
    for pattern in &vocabulary.boilerplate {
        if regex::Regex::new(pattern).is_err() {
            problems.push(Problem::error(
                &file.name,
                line_of(pattern),
                format!("boilerplate pattern '{pattern}' is not a valid regular expression"),
            ));
        }
    }
    for group in &vocabulary.synonyms {
        if group.terms.len() < 2 {
            let first = group.terms.first().map(String::as_str).unwrap_or("terms");
            problems.push(Problem::warning(
                &file.name,
                line_of(first),
                "a synonym group needs at least two terms",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHINESE: &str = "+++\nid = \"faq/x\"\nkind = \"faq\"\ntitle = \"测试\"\ntitle_en = \"Test\"\nsources = [\"https://example.com/rules\"]\n+++\n回答：20 个工作日。\n\n## 原因\n- 原因一。\n\n## 解决步骤\n1. 第一步。\n2. 第二步，24 小时内。\n\n## 下一步\n- 等待。\n";
    const ENGLISH: &str = "\n# English\n\nAnswer: 20 working days.\n\n## Causes\n- Cause one.\n\n## Remediation\n1. First step.\n2. Second step, within 24 hours.\n\n## Next actions\n- Wait.\n";

    fn files(text: &str) -> Files {
        Files::embedded(&[("knowledge/faq/x.md", text)])
    }

    fn messages(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_built_in_entry_needs_english_and_a_kb_entry_gets_a_warning() {
        let chinese = files(CHINESE);
        let builtin = lint(Some(&chinese), None);
        assert_eq!(error_count(&builtin), 1, "{:?}", messages(&builtin));
        assert!(
            builtin[0].message.starts_with("no English part"),
            "{:?}",
            messages(&builtin)
        );
        assert_eq!(builtin[0].line, 8, "the line after the front matter");

        let overlay = lint(None, Some(&chinese));
        assert_eq!(error_count(&overlay), 0, "{:?}", messages(&overlay));
        assert_eq!(overlay.len(), 1);
        assert_eq!(overlay[0].severity, Severity::Warning);

        let both = files(&format!("{CHINESE}{ENGLISH}"));
        assert!(
            lint(Some(&both), None).is_empty(),
            "{:?}",
            messages(&lint(Some(&both), None))
        );
    }

    #[test]
    fn a_missing_step_or_number_is_an_error_at_the_english_line() {
        let no_step = ENGLISH.replace("2. Second step, within 24 hours.\n", "");
        let problems = lint(Some(&files(&format!("{CHINESE}{no_step}"))), None);
        assert_eq!(messages(&problems), ["knowledge/faq/x.md:27: error: '## Remediation' has 1 items, the Chinese '## 解决步骤' (line 13) has 2: the two match item by item"]);

        let no_number = ENGLISH.replace(", within 24 hours", " in time");
        let problems = lint(Some(&files(&format!("{CHINESE}{no_number}"))), None);
        assert_eq!(messages(&problems), ["knowledge/faq/x.md:29: error: English item 2 of '## Remediation' lacks the number 24, which the Chinese (line 15) has"]);

        let extra = ENGLISH.replace("Answer: 20", "Answer: 30");
        let problems = lint(Some(&files(&format!("{CHINESE}{extra}"))), None);
        assert_eq!(messages(&problems).len(), 2, "{:?}", messages(&problems));
        assert!(
            problems.iter().all(|p| p.line == 22),
            "{:?}",
            messages(&problems)
        );
    }

    #[test]
    fn sections_must_pair_up() {
        let no_causes = ENGLISH.replace("## Causes\n- Cause one.\n\n", "");
        let problems = lint(Some(&files(&format!("{CHINESE}{no_causes}"))), None);
        assert_eq!(messages(&problems), ["knowledge/faq/x.md:20: error: the English part has no '## Causes' section, the Chinese one has '## 原因' (line 10)"]);

        let symptoms = format!("{CHINESE}{ENGLISH}\n## Symptoms\n- Rejected.\n");
        let problems = lint(Some(&files(&symptoms)), None);
        assert_eq!(problems.len(), 1, "{:?}", messages(&problems));
        assert!(problems[0].message.contains("no Chinese counterpart"));
    }

    #[test]
    fn an_unknown_source_key_is_an_error_and_a_registry_resolves_it() {
        let cited = format!("{CHINESE}{ENGLISH}").replace("https://example.com/rules", "T9");
        let entry = files(&cited);
        let problems = lint(Some(&entry), None);
        assert_eq!(messages(&problems), ["knowledge/faq/x.md:6: error: source 'T9' is not a key of sources.toml: add it there (title, publisher, url, read), or cite a URL"]);

        let registry = Files::embedded(&[(
            "knowledge/sources.toml",
            "[T9]\ntitle = \"规则\"\npublisher = \"MIIT\"\nurl = \"https://example.com/rules\"\nread = \"2026-12-01\"\n",
        )]);
        assert!(lint(Some(&registry), Some(&entry)).is_empty());
    }
}
