//! `beian kb lint`: every rule of the knowledge-base contract, each problem as `file:line: message`.
//! Loading runs the same checks ([`check`]), so what lint calls an error is what keeps a knowledge
//! base from loading.

use super::{parse_entry, Entry, Files, ParsedEntry, Problem, Section, Severity, Vocabulary};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Checks the given layers (built-in first, then `--kb`) and returns every problem found, errors and warnings.
pub fn lint(layers: &[Files]) -> Vec<Problem> {
    check(layers).problems
}

/// What checking the layers found.
pub(super) struct Checked {
    /// The entries the knowledge base holds, sorted by id: a later layer's replaces an earlier one's.
    pub entries: Vec<Entry>,
    /// Every layer's vocabulary files, merged in order.
    pub vocabulary: Vocabulary,
    /// Every problem, errors and warnings, sorted by file and line.
    pub problems: Vec<Problem>,
}

/// Parses and checks every file of the layers.
pub(super) fn check(layers: &[Files]) -> Checked {
    let mut problems = Vec::new();
    let mut parsed: Vec<ParsedEntry> = Vec::new();
    let mut vocabulary = Vocabulary::default();

    for layer in layers {
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
            parsed.push(entry);
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
    if entry.summary.trim().is_empty() {
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
        let items = match section {
            Section::Causes => &entry.causes,
            Section::Remediation => &entry.remediation,
            Section::NextActions => &entry.next_actions,
            Section::Symptoms => &entry.symptoms,
        };
        match parsed.section_lines.get(&section) {
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
    for (heading, line) in &parsed.unknown_sections {
        problems.push(Problem::warning(
            file,
            *line,
            format!("unknown section '## {heading}' (known: 原因, 解决步骤, 下一步, 常见提示): it is not shown"),
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
        .section_lines
        .values()
        .min()
        .copied()
        .unwrap_or_else(|| parsed.key_lines.values().max().map_or(1, |line| line + 2))
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
