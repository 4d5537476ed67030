//! The text view: the best entry in full (each reason of a notice in full), the rest one line each.

pub use super::wrap::display_width;
use super::wrap::write_line;
use super::{sanitize, Lang, Palette};
use beian_engine::advise::{Advice, Answer, Status, MATCH_THRESHOLD};
use beian_engine::kb::{Entry, Kind, Registry, Resolved};
use beian_engine::rank::SegmentExplanation;
use std::io::{self, Write};

/// How the text view looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    pub lang: Lang,
    pub palette: Palette,
    /// Wrap at this many columns (a Chinese character is two); `None` leaves lines whole.
    pub width: Option<usize>,
    /// How much of the best answers an answer shows.
    pub length: Length,
}

/// How much an answer shows of the entries it answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Length {
    /// Everything but the symptoms: summary, causes, steps, next actions, related entries, sources.
    #[default]
    Long,
    /// The summary, the steps, the first next actions and sources, and where the rest is.
    Short,
}

/// How many next actions and sources a short answer shows of each entry.
pub const SHORT_ITEMS: usize = 3;

/// The words of the text views (this one and the compact one), in one language.
pub(super) struct Labels {
    pub causes: &'static str,
    pub remediation: &'static str,
    pub next_actions: &'static str,
    pub symptoms: &'static str,
    pub related: &'static str,
    pub sources: &'static str,
    pub others: &'static str,
    pub for_segment: &'static str,
    pub confidence: &'static str,
    pub no_match: &'static str,
    /// After `no_match`: what beian covers, so a question about something else knows to look elsewhere.
    pub scope: &'static str,
    pub suggestions: &'static str,
    pub truncated: &'static str,
    /// Before the Chinese body of an entry that has no English text, in an English answer.
    pub no_english: &'static str,
    /// Before the date a source was read.
    pub read: &'static str,
}

const ZH: Labels = Labels {
    causes: "原因",
    remediation: "解决步骤",
    next_actions: "下一步",
    symptoms: "常见提示",
    related: "相关",
    sources: "来源",
    others: "其他可能",
    for_segment: "针对",
    confidence: "置信度",
    no_match: "没有找到把握较大的答案。可以换个说法，或补充驳回通知的原文。",
    scope: "beian 解答 ICP 备案的问题：备案流程、驳回原因、变更与注销、接入与风险。",
    suggestions: "可能相关",
    truncated: "（输入过长，只分析了前面部分）",
    no_english: "",
    read: "查阅于",
};

const EN: Labels = Labels {
    causes: "Causes",
    remediation: "Remediation",
    next_actions: "Next actions",
    symptoms: "Symptoms",
    related: "Related",
    sources: "Sources",
    others: "Other candidates",
    for_segment: "For",
    confidence: "confidence",
    no_match: "No confident answer. Try other words, or paste the rejection notice itself.",
    scope: "beian answers questions about ICP filing (ICP备案): the process, reasons for returns, changes and cancellation, access and risks.",
    suggestions: "Perhaps related",
    truncated: "(the input was long; only its beginning was read)",
    no_english: "This entry has no English text yet; showing the Chinese.",
    read: "read",
};

pub(super) fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

pub(crate) fn kind_label(kind: Kind, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => kind.label_zh(),
        Lang::En => kind.as_str(),
    }
}

pub(crate) fn title(entry: &Entry, lang: Lang) -> &str {
    entry.title_in(lang)
}

/// How much of an entry a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// A short answer: no causes, symptoms or related entries; the first next actions and sources.
    Short,
    /// An answer: no symptoms, sources in their short form (publisher: title <URL>).
    Answer,
    /// The whole entry (`beian show`): symptoms too, sources in full (key, URLs, date read, note).
    Entry,
}

/// "… 还有 N 条" — a list shortened in a short answer.
fn more_items(lang: Lang, hidden: usize) -> String {
    match lang {
        Lang::Zh => format!("… 还有 {hidden} 条"),
        Lang::En => format!("… {hidden} more"),
    }
}

/// Where the rest of a short answer is.
fn rest_of_entry(lang: Lang, id: &str) -> String {
    match lang {
        Lang::Zh => format!("原因、相关条目和全部来源：beian show {id}（或 beian ask --long）"),
        Lang::En => {
            format!(
                "Causes, related entries and every source: beian show {id} (or beian ask --long)"
            )
        }
    }
}

/// Writes the answer to a query.
pub fn write_advice(
    out: &mut dyn Write,
    advice: &Advice<'_>,
    options: &TextOptions,
) -> io::Result<()> {
    let l = labels(options.lang);
    let p = options.palette;
    let width = options.width;
    if advice.results.is_empty() || advice.status == Status::NoMatch {
        write_line(out, "", "", l.no_match, width)?;
        write_line(out, "", "", l.scope, width)?;
        if !advice.results.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}:", p.heading(l.suggestions))?;
            for (i, answer) in advice.results.iter().enumerate() {
                write_candidate_line(out, i + 1, answer, options)?;
            }
        }
        return Ok(());
    }

    let full: Vec<&Answer<'_>> = shown_in_full(advice)
        .into_iter()
        .map(|i| &advice.results[i])
        .collect();
    let several = full.len() > 1;
    let view = match options.length {
        Length::Long => View::Answer,
        Length::Short => View::Short,
    };
    for (i, answer) in full.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
            writeln!(out, "{}", p.dim(&"─".repeat(width.unwrap_or(40).min(40))))?;
        }
        if several {
            let segment = format!("{}: {}", p.dim(l.for_segment), sanitize(&answer.segment));
            write_line(out, "", "  ", &segment, width)?;
        }
        write_entry_header(out, answer.entry, Some(answer.confidence), options)?;
        write_entry_body(out, answer.entry, advice.sources, options, view)?;
    }

    let others: Vec<(usize, &Answer<'_>)> = advice
        .results
        .iter()
        .enumerate()
        .filter(|(_, a)| !full.iter().any(|f| f.entry.id == a.entry.id))
        .collect();
    if !others.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}:", p.heading(l.others))?;
        for (i, answer) in others {
            write_candidate_line(out, i + 1, answer, options)?;
        }
    }
    if advice.truncated {
        writeln!(out)?;
        write_line(out, "", "", &p.dim(l.truncated), width)?;
    }
    Ok(())
}

/// The positions in `advice.results` of the answers shown in full: the best, then every confident
/// answer for a distinct part of the notice.
pub(super) fn shown_in_full(advice: &Advice<'_>) -> Vec<usize> {
    let mut full: Vec<usize> = Vec::new();
    for (i, answer) in advice.results.iter().enumerate() {
        let new_segment = !full
            .iter()
            .any(|&shown| advice.results[shown].segment == answer.segment);
        if full.is_empty() || (answer.confidence >= MATCH_THRESHOLD && new_segment) {
            full.push(i);
        }
    }
    full
}

/// Writes the evidence behind the ranking (`beian ask --explain`): per segment, each candidate with
/// its rows (feature, value, weight, contribution), which add up to the logit of its confidence.
pub fn write_explanation(
    out: &mut dyn Write,
    segments: &[SegmentExplanation<'_>],
) -> io::Result<()> {
    for segment in segments {
        writeln!(out, "segment: {}", sanitize(&segment.segment))?;
        for c in &segment.candidates {
            writeln!(
                out,
                "  {:<40} conf={:.3} evidence={:.2} score={:.2} bm25={:.2}",
                sanitize(&c.entry.id),
                c.confidence,
                c.evidence,
                c.score,
                c.bm25
            )?;
            // The feature column is as wide as its longest name, so the numbers line up.
            let width = c
                .rows
                .iter()
                .map(|r| r.feature.len())
                .max()
                .unwrap_or(0)
                .max(7);
            writeln!(
                out,
                "    {:<width$} {:>7} {:>7} {:>12}",
                "feature", "value", "weight", "contribution"
            )?;
            for row in &c.rows {
                writeln!(
                    out,
                    "    {:<width$} {:>7.3} {:>7.2} {:>12.3}",
                    row.feature, row.value, row.weight, row.contribution
                )?;
            }
        }
    }
    Ok(())
}

pub(crate) fn write_candidate_line(
    out: &mut dyn Write,
    n: usize,
    answer: &Answer<'_>,
    options: &TextOptions,
) -> io::Result<()> {
    let p = options.palette;
    let marker = format!("  {n}. ");
    let line = format!(
        "{}  {}  {}",
        p.accent(&answer.entry.id),
        sanitize(title(answer.entry, options.lang)),
        p.dim(&format!("{:.2}", answer.confidence))
    );
    let indent = " ".repeat(display_width(&marker));
    write_line(out, &marker, &indent, &line, options.width)
}

fn write_entry_header(
    out: &mut dyn Write,
    entry: &Entry,
    confidence: Option<f32>,
    options: &TextOptions,
) -> io::Result<()> {
    let l = labels(options.lang);
    let p = options.palette;
    let mut meta = format!("{} · {}", kind_label(entry.kind, options.lang), entry.id);
    if let Some(confidence) = confidence {
        meta.push_str(&format!(" · {} {confidence:.2}", l.confidence));
    }
    let title = p.bold(&sanitize(title(entry, options.lang)));
    write_line(out, "", "", &title, options.width)?;
    write_line(out, "", "", &p.dim(&sanitize(&meta)), options.width)
}

/// Writes an entry's summary and sections in the options' language (the Chinese ones, after a line
/// that says so, when an English answer meets an entry without English text), its related ids and
/// its sources.
fn write_entry_body(
    out: &mut dyn Write,
    entry: &Entry,
    registry: &Registry,
    options: &TextOptions,
    view: View,
) -> io::Result<()> {
    let l = labels(options.lang);
    let p = options.palette;
    let width = options.width;
    let (body, lang) = entry.body_in(options.lang);
    writeln!(out)?;
    if lang != options.lang {
        write_line(out, "", "", &p.dim(l.no_english), width)?;
    }
    write_wrapped(out, "", "", &body.summary, width)?;
    let mut sections: Vec<(&str, &[String], bool)> = Vec::new();
    if view != View::Short {
        sections.push((l.causes, &body.causes, false));
    }
    sections.push((l.remediation, &body.remediation, true));
    sections.push((l.next_actions, &body.next_actions, false));
    if view == View::Entry && !body.symptoms.is_empty() {
        sections.push((l.symptoms, &body.symptoms, false));
    }
    for (label, items, numbered) in sections {
        if items.is_empty() {
            continue;
        }
        // A short answer gives every step (they are the fix) but only the first next actions.
        let shown = if view == View::Short && !numbered {
            SHORT_ITEMS
        } else {
            items.len()
        };
        writeln!(out)?;
        writeln!(out, "{}", p.heading(label))?;
        for (i, item) in items.iter().take(shown).enumerate() {
            let marker = if numbered {
                format!("  {}. ", i + 1)
            } else {
                "  • ".to_string()
            };
            let indent = " ".repeat(display_width(&marker));
            write_wrapped(out, &marker, &indent, item, width)?;
        }
        if items.len() > shown {
            let more = p.dim(&more_items(options.lang, items.len() - shown));
            write_line(out, "  ", "  ", &more, width)?;
        }
    }
    writeln!(out)?;
    if !entry.related.is_empty() && view != View::Short {
        let related = format!(
            "{}: {}",
            p.heading(l.related),
            sanitize(&entry.related.join(", "))
        );
        write_line(out, "", "  ", &related, width)?;
    }
    write_sources(out, entry, registry, options, view)?;
    if view == View::Short {
        let rest = p.dim(&sanitize(&rest_of_entry(options.lang, &entry.id)));
        write_line(out, "", "", &rest, width)?;
    }
    Ok(())
}

/// The sources of an entry, one an item, each URL whole (wrapping never breaks one, so a link can
/// be copied). An answer gives each as `publisher: title <URL>`; the whole entry adds the key, every
/// URL, the date read and the registry's note; a short answer gives the first few. Keys the
/// registry does not know (`kb lint` reports them) come last, together in one item, as written.
fn write_sources(
    out: &mut dyn Write,
    entry: &Entry,
    registry: &Registry,
    options: &TextOptions,
    view: View,
) -> io::Result<()> {
    let l = labels(options.lang);
    let p = options.palette;
    let width = options.width;
    let item = |out: &mut dyn Write, text: &str| write_line(out, "  • ", "    ", text, width);
    let keys: Vec<&str> = entry
        .sources
        .iter()
        .map(|key| key.trim())
        .filter(|key| !key.is_empty())
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let shown = if view == View::Short {
        SHORT_ITEMS
    } else {
        keys.len()
    };
    writeln!(out, "{}:", p.heading(l.sources))?;
    let mut unknown: Vec<&str> = Vec::new();
    for &key in keys.iter().take(shown) {
        let source = match registry.resolve(key) {
            Resolved::Registered(source) => source,
            Resolved::Url if view != View::Entry => {
                item(out, &format!("<{}>", sanitize(key)))?;
                continue;
            }
            Resolved::Url => {
                item(out, &sanitize(key))?;
                continue;
            }
            Resolved::Unknown => {
                unknown.push(key);
                continue;
            }
        };
        let named = sanitize(&format!("{}: {}", source.publisher, source.title));
        if view != View::Entry {
            match &source.url {
                Some(url) => item(out, &format!("{named} <{}>", sanitize(url)))?,
                None => item(out, &named)?,
            }
            continue;
        }
        item(out, &format!("{} · {named}", sanitize(key)))?;
        for url in source.url.iter().chain(&source.more_urls) {
            write_line(out, "    ", "    ", &sanitize(url), width)?;
        }
        let mut details: Vec<String> = Vec::new();
        if let Some(read) = &source.read {
            details.push(format!("{} {read}", l.read));
        }
        if let Some(note) = &source.note {
            details.push(note.clone());
        }
        if !details.is_empty() {
            let details = p.dim(&sanitize(&details.join(" · ")));
            write_line(out, "    ", "    ", &details, width)?;
        }
    }
    if !unknown.is_empty() {
        item(out, &sanitize(&unknown.join(", ")))?;
    }
    if keys.len() > shown {
        let more = p.dim(&more_items(options.lang, keys.len() - shown));
        write_line(out, "  ", "  ", &more, width)?;
    }
    Ok(())
}

/// Writes a whole entry (`beian show`), with what the registry says of its sources.
pub fn write_entry(
    out: &mut dyn Write,
    entry: &Entry,
    registry: &Registry,
    options: &TextOptions,
) -> io::Result<()> {
    write_entry_header(out, entry, None, options)?;
    write_entry_body(out, entry, registry, options, View::Entry)
}

/// One line per entry (`beian list`), ids aligned by display width. A title that does not fit
/// wraps under itself, or, when the ids leave it too little room, below its id.
pub fn write_list(
    out: &mut dyn Write,
    entries: &[&Entry],
    options: &TextOptions,
) -> io::Result<()> {
    let id_width = entries
        .iter()
        .map(|e| display_width(&e.id))
        .max()
        .unwrap_or(0);
    let indent = match options.width {
        Some(width) if id_width + 2 + 16 > width => "    ".to_string(),
        _ => " ".repeat(id_width + 2),
    };
    for entry in entries {
        let pad = " ".repeat(id_width - display_width(&entry.id));
        let line = format!(
            "{}{pad}  {}",
            options.palette.accent(&entry.id),
            sanitize(title(entry, options.lang))
        );
        write_line(out, "", &indent, &line, options.width)?;
    }
    Ok(())
}

/// Writes `text` from a query or an entry (control characters removed, newlines as spaces) after
/// `first` (the marker), wrapping at `width` columns with `indent` on later lines.
pub(crate) fn write_wrapped(
    out: &mut dyn Write,
    first: &str,
    indent: &str,
    text: &str,
    width: Option<usize>,
) -> io::Result<()> {
    let text = sanitize(text).replace('\n', " ");
    write_line(out, first, indent, &text, width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_counts_chinese_as_two_columns() {
        let mut out = Vec::new();
        write_wrapped(
            &mut out,
            "  • ",
            "    ",
            "备案备案备案备案备案备案 abc",
            Some(20),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        for line in text.lines() {
            assert!(display_width(line) <= 20, "{line:?}");
        }
        assert!(text.contains("abc"));
    }

    #[test]
    fn without_a_width_a_line_is_written_as_it_was() {
        let mut out = Vec::new();
        write_wrapped(&mut out, "  • ", "    ", "a\nb  c", None).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "  • a b  c\n");
    }
}
