//! `beian eval FILE`: scores a query set against the advisor and prints the figures.

use crate::input::decode_query;
use crate::outcome::{user_error, Outcome};
use crate::render::sanitize;
use crate::settings::Settings;
use anyhow::Context;
use beian_engine::eval::{evaluate, parse_cases, Case, Report};
use beian_engine::lang::Lang;
use std::io::Write;
use std::path::Path;

/// Scores the query set in `file`; `only`: just the cases whose query is in that language.
pub fn run(
    settings: &Settings,
    file: &Path,
    verbose: bool,
    only: Option<Lang>,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let mut cases = read_cases(file)?;
    if let Some(lang) = only {
        let all = cases.len();
        cases.retain(|case| Lang::of_text(&case.query) == lang);
        writeln!(out, "query language {lang}: {} of {all} cases", cases.len())?;
    }
    let advisor = settings.advisor()?;
    let report = evaluate(&advisor, &cases)?;
    if verbose {
        for miss in &report.misses {
            // The ids come from the query set as written: sanitized like every other text.
            let got: Vec<String> = miss
                .got
                .iter()
                .map(|(id, c)| format!("{} ({c:.2})", sanitize(id)))
                .collect();
            let expected = miss
                .case
                .expect_all
                .as_ref()
                .or(miss.case.expect.as_ref())
                .map(|ids| sanitize(&ids.join(" | ")))
                .unwrap_or_default();
            writeln!(out, "MISS {}: {}", sanitize(&miss.case.id), miss.reason)?;
            writeln!(out, "  query:    {}", sanitize(&miss.case.query))?;
            writeln!(
                out,
                "  expected: {}",
                if expected.is_empty() {
                    "no_match"
                } else {
                    &expected
                }
            )?;
            writeln!(
                out,
                "  got:      [{}] {}",
                miss.status.as_str(),
                got.join(", ")
            )?;
        }
        if !report.misses.is_empty() {
            writeln!(out)?;
        }
    }
    figures(&report, cases.len(), out)?;
    Ok(Outcome::Success)
}

/// Reads a query set; a bad line is an error naming the file and line.
pub fn read_cases(file: &Path) -> anyhow::Result<Vec<Case>> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = decode_query(bytes, &file.display().to_string())?;
    parse_cases(&text)
        .map_err(|(line, message)| user_error(format!("{}:{line}: {message}", file.display())))
}

/// The figures of a report, as `beian eval` prints them (`cases`: how many were scored).
pub fn figures(report: &Report, cases: usize, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "cases: {} (in scope {}, out of scope {}, multi-reason {})",
        cases, report.in_scope, report.out_of_scope, report.multi
    )?;
    writeln!(
        out,
        "top-1:              {:.3} ({}/{})",
        report.top1_rate(),
        report.top1,
        report.in_scope
    )?;
    writeln!(
        out,
        "top-3:              {:.3} ({}/{})",
        report.top3_rate(),
        report.top3,
        report.in_scope
    )?;
    writeln!(out, "MRR:                {:.3}", report.mrr())?;
    writeln!(
        out,
        "out-of-scope:       {}/{} answered no_match",
        report.out_of_scope_ok, report.out_of_scope
    )?;
    writeln!(
        out,
        "multi-reason:       {}/{} complete in the first five",
        report.multi_ok, report.multi
    )?;
    writeln!(out, "in-scope no_match:  {}", report.in_scope_no_match)?;
    writeln!(
        out,
        "match precision:    {:.3} ({} answered match)",
        report.match_precision(),
        report.matched()
    )?;
    writeln!(
        out,
        "calibration error:  {:.3} (ECE of first answers, 10 bins)",
        report.calibration_error()
    )?;
    writeln!(
        out,
        "summary: top1={:.3} top3={:.3} mrr={:.3} out_of_scope={}/{} multi={}/{} in_scope_no_match={} precision={:.3} ece={:.3}",
        report.top1_rate(),
        report.top3_rate(),
        report.mrr(),
        report.out_of_scope_ok,
        report.out_of_scope,
        report.multi_ok,
        report.multi,
        report.in_scope_no_match,
        report.match_precision(),
        report.calibration_error()
    )?;
    Ok(())
}
