//! Answer quality on the query sets, through the library.
//!
//! `tests/eval/dev.jsonl` is a copy of the shared dev set the engine was tuned on, and the ranking
//! model is fitted on it and on `real-dev.jsonl`; `holdout.jsonl` was written independently and never
//! tuned or fitted on, so its thresholds guard against regressions only.

use beian_engine::eval::{evaluate, parse_cases, Report};
use std::path::Path;

fn run(name: &str) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/eval")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let cases = parse_cases(&text).unwrap();
    let advisor = beian::builtin::advisor().unwrap();
    evaluate(&advisor, &cases).unwrap()
}

fn describe(report: &Report) -> String {
    report
        .misses
        .iter()
        .map(|m| format!("{} ({}): {:?}", m.case.id, m.reason, m.got))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dev_set_meets_the_quality_bar() {
    let report = run("dev.jsonl");
    let misses = describe(&report);
    assert!(
        report.top1_rate() >= 0.95,
        "top-1 {:.3}\n{misses}",
        report.top1_rate()
    );
    assert!(
        report.top3_rate() >= 0.98,
        "top-3 {:.3}\n{misses}",
        report.top3_rate()
    );
    assert_eq!(
        report.out_of_scope_ok, report.out_of_scope,
        "out-of-scope answered as a match\n{misses}"
    );
    assert_eq!(
        report.multi_ok, report.multi,
        "multi-reason notice incomplete\n{misses}"
    );
    // Confidence is a calibrated probability (issue 17): a few right first answers are less sure
    // than even, which precision and calibration error bound instead.
    assert!(
        report.in_scope_no_match <= 6,
        "{} in-scope no_match\n{misses}",
        report.in_scope_no_match
    );
    calibrated(&report, &misses);
}

/// What a `match` says must hold: right at least 85% of the time, and confidence within 0.10 of the
/// share of right first answers (expected calibration error).
fn calibrated(report: &Report, misses: &str) {
    assert!(
        report.match_precision() >= 0.85,
        "precision of match {:.3}\n{misses}",
        report.match_precision()
    );
    assert!(
        report.calibration_error() <= 0.10,
        "calibration error {:.3}\n{misses}",
        report.calibration_error()
    );
}

#[test]
fn holdout_set_does_not_regress() {
    let report = run("holdout.jsonl");
    let misses = describe(&report);
    assert!(
        report.top1_rate() >= 0.80,
        "top-1 {:.3}\n{misses}",
        report.top1_rate()
    );
    assert!(
        report.top3_rate() >= 0.92,
        "top-3 {:.3}\n{misses}",
        report.top3_rate()
    );
    assert_eq!(
        report.multi_ok, report.multi,
        "multi-reason notice incomplete\n{misses}"
    );
    assert!(
        report.out_of_scope_ok + 1 >= report.out_of_scope,
        "out of scope\n{misses}"
    );
    calibrated(&report, &misses);
}

/// Texts people wrote (`real-dev.jsonl`, fitted on): a guard against regressions, well below what
/// cross-validation gives (`scripts/fit-ranker.sh` prints it).
#[test]
fn real_texts_do_not_regress() {
    let report = run("real-dev.jsonl");
    let misses = describe(&report);
    assert!(
        report.top1_rate() >= 0.62,
        "top-1 {:.3}\n{misses}",
        report.top1_rate()
    );
    assert!(
        report.top3_rate() >= 0.80,
        "top-3 {:.3}\n{misses}",
        report.top3_rate()
    );
}

/// The method must be general: no query of the dev set (nor a long piece of one) is written into the code.
#[test]
fn no_query_text_is_written_into_the_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("tests/eval/dev.jsonl")).unwrap();
    let cases = parse_cases(&text).unwrap();
    let mut sources = String::new();
    let mut dirs = vec![root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    sources.push_str(&std::fs::read_to_string(root.join("build.rs")).unwrap());
    for case in &cases {
        let chars: Vec<char> = case.query.chars().collect();
        // A copied phrase: 7 Chinese characters in a row, or 30 characters of an English query.
        let cjk = |c: &char| ('\u{4e00}'..='\u{9fff}').contains(c);
        let chinese = chars.iter().any(cjk);
        let window = if chinese { 7 } else { 30 };
        for start in 0..=chars.len().saturating_sub(window) {
            let piece = &chars[start..(start + window).min(chars.len())];
            if !chinese || piece.iter().all(cjk) {
                let piece: String = piece.iter().collect();
                assert!(
                    !sources.contains(&piece),
                    "{}: '{piece}' appears in the code",
                    case.id
                );
            }
        }
        assert!(
            !sources.contains(&format!("\"{}\"", case.id)),
            "{} appears in the code",
            case.id
        );
    }
}
