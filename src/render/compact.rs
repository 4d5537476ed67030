//! The compact answer of the REPL: for each part of the query, the best entry's title, summary, first
//! steps and next actions; then the other candidates as a numbered list that `:show N` opens.

use super::text::{
    self, display_width, kind_label, labels, shown_in_full, title, write_candidate_line,
    write_wrapped, TextOptions,
};
use super::wrap::write_line;
use super::{sanitize, Lang};
use beian_engine::advise::{Advice, Answer, Status};
use std::io::{self, Write};

/// How many remediation steps and next actions the compact view shows of each entry.
pub const FIRST_ITEMS: usize = 3;

/// "… 还有 N 条：:show K" — where the rest of a shortened list is.
fn more_line(lang: Lang, hidden: usize, rank: usize) -> String {
    match lang {
        Lang::Zh => format!("… 还有 {hidden} 条，输入 :show {rank} 查看全文"),
        Lang::En => format!("… {hidden} more; :show {rank} shows the whole entry"),
    }
}

/// Writes the compact answer. Numbers are ranks in `advice.results`, the numbers `:show N` takes.
pub fn write_advice(
    out: &mut dyn Write,
    advice: &Advice<'_>,
    options: &TextOptions,
) -> io::Result<()> {
    if advice.results.is_empty() || advice.status == Status::NoMatch {
        // The full view of "no confident answer" is already short: the message and the suggestions.
        return text::write_advice(out, advice, options);
    }
    let l = labels(options.lang);
    let p = options.palette;

    // The answers the full view shows in full get a block each.
    let blocks: Vec<(usize, &Answer<'_>)> = shown_in_full(advice)
        .into_iter()
        .map(|i| (i, &advice.results[i]))
        .collect();
    let several = blocks.len() > 1;
    for (n, (i, answer)) in blocks.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        if several {
            let segment = sanitize(&answer.segment).replace('\n', " ");
            let segment = p.dim(&format!("{}: {segment}", l.for_segment));
            write_line(out, "", "  ", &segment, options.width)?;
        }
        write_block(out, i + 1, answer, options)?;
    }

    let others: Vec<(usize, &Answer<'_>)> = advice
        .results
        .iter()
        .enumerate()
        .filter(|(i, _)| !blocks.iter().any(|(shown, _)| shown == i))
        .collect();
    if !others.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", p.heading(l.others))?;
        for (i, answer) in others {
            write_candidate_line(out, i + 1, answer, options)?;
        }
    }
    if advice.truncated {
        write_line(out, "", "", &p.dim(l.truncated), options.width)?;
    }
    Ok(())
}

/// One entry, compact: "N. title", its kind, id and confidence, the summary, the first steps and actions.
fn write_block(
    out: &mut dyn Write,
    rank: usize,
    answer: &Answer<'_>,
    options: &TextOptions,
) -> io::Result<()> {
    let l = labels(options.lang);
    let p = options.palette;
    let entry = answer.entry;
    let width = options.width;
    let marker = format!("{rank}. ");
    let indent = " ".repeat(display_width(&marker));
    let title = p.bold(&sanitize(title(entry, options.lang)));
    write_line(out, &marker, &indent, &title, width)?;
    let meta = format!(
        "{} · {} · {} {:.2}",
        kind_label(entry.kind, options.lang),
        entry.id,
        l.confidence,
        answer.confidence
    );
    write_line(out, &indent, &indent, &p.dim(&sanitize(&meta)), width)?;
    let (body, lang) = entry.body_in(options.lang);
    if lang != options.lang {
        write_line(out, &indent, &indent, &p.dim(l.no_english), width)?;
    }
    write_wrapped(out, &indent, &indent, &body.summary, width)?;
    let sections = [
        (l.remediation, &body.remediation, true),
        (l.next_actions, &body.next_actions, false),
    ];
    for (label, items, numbered) in sections {
        if items.is_empty() {
            continue;
        }
        writeln!(out, "{indent}{}", p.heading(label))?;
        for (i, item) in items.iter().take(FIRST_ITEMS).enumerate() {
            let item_marker = if numbered {
                format!("{indent}  {}. ", i + 1)
            } else {
                format!("{indent}  • ")
            };
            let item_indent = " ".repeat(display_width(&item_marker));
            write_wrapped(out, &item_marker, &item_indent, item, options.width)?;
        }
        if items.len() > FIRST_ITEMS {
            let more = more_line(options.lang, items.len() - FIRST_ITEMS, rank);
            let more_indent = format!("{indent}  ");
            write_line(out, &more_indent, &more_indent, &p.dim(&more), width)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Palette;
    use beian_engine::advise::Advisor;

    fn render(query: &str, width: Option<usize>) -> String {
        let advisor = Advisor::new(crate::builtin::knowledge_base()).unwrap();
        let advice = advisor.advise(query, 5).unwrap();
        let options = TextOptions {
            lang: Lang::Zh,
            palette: Palette { enabled: false },
            width,
            ..TextOptions::default()
        };
        let mut out = Vec::new();
        write_advice(&mut out, &advice, &options).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn shows_the_best_entry_shortened_and_numbers_the_others() {
        let text = render("备案退回后下一步做什么", None);
        assert!(text.starts_with("1. 备案被驳回后怎么办\n"), "{text}");
        assert!(text.contains("faq/rejected-what-next"), "{text}");
        assert!(text.contains("  1. 在接入商的备案控制台"), "{text}");
        // The entry has seven steps: three are shown, the rest are one :show away.
        assert!(!text.contains("如果是备案类型选错"), "{text}");
        assert!(text.contains("还有 4 条，输入 :show 1 查看全文"), "{text}");
        assert!(text.contains("其他可能\n  2. "), "{text}");
    }

    #[test]
    fn a_notice_with_two_reasons_gets_a_block_for_each() {
        let text = render("初审驳回：幕布照片太暗\n负责人身份证已过期", None);
        let blocks = text.split("其他可能").next().unwrap();
        assert!(blocks.contains("rejection/document-expired"), "{text}");
        assert!(blocks.contains("rejection/identity-verification"), "{text}");
        assert!(blocks.matches("针对: ").count() >= 2, "{text}");
    }

    #[test]
    fn lines_fit_the_width_in_display_columns() {
        let text = render("备案退回后下一步做什么", Some(40));
        // An id is never broken: a line wider than 40 columns may only be one id alone.
        for line in text.lines() {
            let words: Vec<&str> = line
                .split_whitespace()
                .filter(|word| {
                    !word
                        .trim_end_matches('.')
                        .chars()
                        .all(|c| c.is_ascii_digit())
                })
                .collect();
            let alone = words.len() == 1 && words[0].contains('/');
            assert!(
                display_width(line) <= 40 || alone,
                "{line:?} is wider than 40 columns"
            );
        }
    }
}
