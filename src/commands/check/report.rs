//! The findings of `beian check` as text (grouped by severity, each with the entry to read) or as
//! one JSON object.

use super::filing::Filing;
use super::{Finding, Report, Severity};
use crate::render::{sanitize, Lang, Palette};
use beian_engine::kb::KnowledgeBase;
use serde::Serialize;
use std::io::{self, Write};

/// `beian check --json`: one object. Field names are a contract, like kb-spec §3.
#[derive(Serialize)]
pub struct CheckJson<'a> {
    pub file: &'a str,
    pub filing_type: &'static str,
    pub province: &'static str,
    /// The most serious severity found: "error", "warning", or "ok" (infos only or nothing).
    pub status: &'static str,
    pub counts: Counts,
    pub findings: &'a [Finding],
}

#[derive(Serialize)]
pub struct Counts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

impl<'a> CheckJson<'a> {
    pub fn new(file: &'a str, filing: &Filing, report: &'a Report) -> CheckJson<'a> {
        CheckJson {
            file,
            filing_type: filing.filing_type.as_str(),
            province: filing.province.name,
            status: status(report),
            counts: Counts {
                error: report.count(Severity::Error),
                warning: report.count(Severity::Warning),
                info: report.count(Severity::Info),
            },
            findings: &report.findings,
        }
    }
}

fn status(report: &Report) -> &'static str {
    if report.has_errors() {
        "error"
    } else if report.count(Severity::Warning) > 0 {
        "warning"
    } else {
        "ok"
    }
}

struct Labels {
    groups: [fn(usize) -> String; 3],
    summary: fn(usize, usize, usize) -> String,
    clean: &'static str,
    read: &'static str,
}

const ZH: Labels = Labels {
    groups: [
        |n| format!("错误 {n} 条（会被退回）"),
        |n| format!("警告 {n} 条（省级/接入商规定或推测，值得核对）"),
        |n| format!("提示 {n} 条"),
    ],
    summary: |e, w, i| format!("发现 {e} 个错误、{w} 个警告、{i} 条提示。"),
    clean: "没有发现问题。这里只检查能离线判断的部分，以管局/接入商最新要求为准。",
    read: "每条后面是解释它的条目：beian show <条目> 查看原因和解决步骤。",
};

const EN: Labels = Labels {
    groups: [
        |n| format!("Errors: {n} (the filing will be returned)"),
        |n| format!("Warnings: {n} (provincial or provider rules, or heuristics: worth checking)"),
        |n| format!("Notes: {n}"),
    ],
    summary: |e, w, i| format!("{e} errors, {w} warnings, {i} notes."),
    clean: "No problems found. Only what can be judged offline is checked; the bureau's and provider's current rules decide.",
    read: "Each finding names the entry that explains it: beian show <entry> for causes and remediation.",
};

/// Writes the findings grouped by severity; `kb` supplies entry titles when it is loaded.
pub fn write_text(
    out: &mut dyn Write,
    file: &str,
    filing: &Filing,
    report: &Report,
    kb: Option<&KnowledgeBase>,
    lang: Lang,
    palette: Palette,
) -> io::Result<()> {
    let l = match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    };
    let subject = &filing.subject;
    writeln!(
        out,
        "{} — {} · {} · {} {}",
        palette.bold(&sanitize(file)),
        filing.filing_type,
        filing.province,
        match lang {
            Lang::Zh => subject.kind.as_str(),
            Lang::En => subject.kind.as_str_en(),
        },
        sanitize(&subject.name).replace('\n', " ")
    )?;
    let (errors, warnings, infos) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
        report.count(Severity::Info),
    );
    if report.findings.is_empty() {
        writeln!(out, "{}", l.clean)?;
        return Ok(());
    }
    writeln!(out, "{}", (l.summary)(errors, warnings, infos))?;
    for (severity, label) in [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .zip(l.groups)
    {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if group.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{}", palette.heading(&label(group.len())))?;
        for finding in group {
            write_finding(out, finding, kb, lang, palette)?;
        }
    }
    if errors + warnings > 0 {
        writeln!(out)?;
        writeln!(out, "{}", palette.dim(l.read))?;
    }
    Ok(())
}

fn write_finding(
    out: &mut dyn Write,
    finding: &Finding,
    kb: Option<&KnowledgeBase>,
    lang: Lang,
    palette: Palette,
) -> io::Result<()> {
    let (marker, colour) = match finding.severity {
        Severity::Error => ("✗", "1;31"),
        Severity::Warning => ("!", "1;33"),
        Severity::Info => ("·", "36"),
    };
    let message = match lang {
        Lang::Zh => &finding.message,
        Lang::En => &finding.message_en,
    };
    writeln!(
        out,
        "  {} {}  {}",
        palette.paint(colour, marker),
        palette.bold(&finding.field),
        palette.dim(&format!("[{}]", finding.rule))
    )?;
    writeln!(out, "    {}", sanitize(message).replace('\n', " "))?;
    let title = kb
        .and_then(|kb| kb.get(finding.entry))
        .map(|entry| match lang {
            Lang::Zh => entry.title.as_str(),
            Lang::En => entry.title_en.as_str(),
        });
    match title {
        Some(title) => writeln!(
            out,
            "    → {}  {}",
            palette.accent(finding.entry),
            sanitize(title)
        )?,
        None => writeln!(out, "    → {}", palette.accent(finding.entry))?,
    }
    Ok(())
}
