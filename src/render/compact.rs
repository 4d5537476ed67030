//! The compact answer of the REPL: for each part of the query, the best entry's title, summary, first
//! steps and next actions; then the other candidates as a numbered list that `:show N` opens.

use super::text::{
    self, display_width, kind_label, labels, shown_in_full, title, write_candidate_line,
    write_wrapped, TextOptions,
};
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
            writeln!(out, "{}", p.dim(&format!("{}: {segment}", l.for_segment)))?;
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
        writeln!(out, "{}", p.dim(l.truncated))?;
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
    let marker = format!("{rank}. ");
    let indent = " ".repeat(display_width(&marker));
    writeln!(
        out,
        "{marker}{}",
        p.bold(&sanitize(title(entry, options.lang)))
    )?;
    let meta = format!(
        "{} · {} · {} {:.2}",
        kind_label(entry.kind, options.lang),
        entry.id,
        l.confidence,
        answer.confidence
    );
    writeln!(out, "{indent}{}", p.dim(&sanitize(&meta)))?;
    let (body, lang) = entry.body_in(options.lang);
    if lang != options.lang {
        writeln!(out, "{indent}{}", p.dim(l.no_english))?;
    }
    write_wrapped(out, &indent, &indent, &body.summary, options.width)?;
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
            writeln!(out, "{indent}  {}", p.dim(&more))?;
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
        // Candidate and meta lines hold an id, which is never broken; every other line wraps.
        for line in text.lines().filter(|line| !line.contains('/')) {
            assert!(
                display_width(line) <= 40,
                "{line:?} is wider than 40 columns"
            );
        }
    }
}
