//! Scoring a query set (kb-spec §4) against an advisor: the figures `beian eval` prints.

use crate::advise::{AdviseError, Advisor, Status, MATCH_THRESHOLD};
use serde::Deserialize;

/// One line of a query set.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub id: String,
    pub query: String,
    /// The top result must be one of these; empty means out of scope (the answer must be `no_match`).
    #[serde(default)]
    pub expect: Option<Vec<String>>,
    /// A notice with several reasons: every id must be among the first five results.
    #[serde(default)]
    pub expect_all: Option<Vec<String>>,
}

/// Reads a query set; a bad line is an error naming its line number.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, (usize, String)> {
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = serde_json::from_str(line).map_err(|err| (i + 1, err.to_string()))?;
        if case.expect.is_none() && case.expect_all.is_none() {
            return Err((
                i + 1,
                format!(
                    "case '{}' has neither \"expect\" nor \"expect_all\"",
                    case.id
                ),
            ));
        }
        cases.push(case);
    }
    Ok(cases)
}

/// What went wrong with one case.
#[derive(Debug, Clone)]
pub struct Miss {
    pub case: Case,
    pub got: Vec<(String, f32)>,
    pub status: Status,
    pub reason: &'static str,
}

/// The scores of a run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub in_scope: usize,
    pub top1: usize,
    pub top3: usize,
    pub reciprocal_rank_sum: f64,
    pub in_scope_no_match: usize,
    pub out_of_scope: usize,
    pub out_of_scope_ok: usize,
    pub multi: usize,
    pub multi_ok: usize,
    /// Per case that has one right answer or none: the first answer's confidence and whether it is
    /// right (an out-of-scope case has no right answer). What calibration and precision are read from.
    pub firsts: Vec<(f32, bool)>,
    pub misses: Vec<Miss>,
}

impl Report {
    pub fn top1_rate(&self) -> f64 {
        ratio(self.top1, self.in_scope)
    }

    pub fn top3_rate(&self) -> f64 {
        ratio(self.top3, self.in_scope)
    }

    /// Of the cases answered `match`, the share whose first answer is right.
    pub fn match_precision(&self) -> f64 {
        let matched: Vec<bool> = self
            .firsts
            .iter()
            .filter(|(confidence, _)| *confidence >= MATCH_THRESHOLD)
            .map(|&(_, right)| right)
            .collect();
        ratio(matched.iter().filter(|&&r| r).count(), matched.len())
    }

    /// How many cases were answered `match`.
    pub fn matched(&self) -> usize {
        self.firsts
            .iter()
            .filter(|(confidence, _)| *confidence >= MATCH_THRESHOLD)
            .count()
    }

    /// The expected calibration error of first answers over 10 equal-width bins of confidence: the
    /// mean, weighted by bin size, of |mean confidence − share right|.
    pub fn calibration_error(&self) -> f64 {
        let mut bins = [(0usize, 0.0f64, 0usize); 10];
        for &(confidence, right) in &self.firsts {
            let bin = ((confidence.clamp(0.0, 1.0) * 10.0) as usize).min(9);
            bins[bin].0 += 1;
            bins[bin].1 += f64::from(confidence);
            bins[bin].2 += usize::from(right);
        }
        let total = self.firsts.len();
        if total == 0 {
            return 0.0;
        }
        bins.iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|&(n, sum, right)| {
                let gap = (sum / n as f64 - right as f64 / n as f64).abs();
                gap * n as f64 / total as f64
            })
            .sum()
    }

    /// Adds another run's figures to these (cross-validation adds its folds up).
    pub fn merge(&mut self, other: Report) {
        self.in_scope += other.in_scope;
        self.top1 += other.top1;
        self.top3 += other.top3;
        self.reciprocal_rank_sum += other.reciprocal_rank_sum;
        self.in_scope_no_match += other.in_scope_no_match;
        self.out_of_scope += other.out_of_scope;
        self.out_of_scope_ok += other.out_of_scope_ok;
        self.multi += other.multi;
        self.multi_ok += other.multi_ok;
        self.firsts.extend(other.firsts);
        self.misses.extend(other.misses);
    }

    pub fn mrr(&self) -> f64 {
        if self.in_scope == 0 {
            0.0
        } else {
            self.reciprocal_rank_sum / self.in_scope as f64
        }
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Runs every case.
pub fn evaluate(advisor: &Advisor, cases: &[Case]) -> Result<Report, AdviseError> {
    advisor.prepare_for_many()?;
    let mut report = Report::default();
    for case in cases {
        let advice = advisor.advise(&case.query, 10)?;
        let ids: Vec<&str> = advice.results.iter().map(|r| r.entry.id.as_str()).collect();
        let got: Vec<(String, f32)> = advice
            .results
            .iter()
            .take(5)
            .map(|r| (r.entry.id.clone(), r.confidence))
            .collect();
        let miss = |reason| Miss {
            case: case.clone(),
            got: got.clone(),
            status: advice.status,
            reason,
        };
        if let Some(all) = &case.expect_all {
            report.multi += 1;
            let first5 = &ids[..ids.len().min(5)];
            if all.iter().all(|id| first5.contains(&id.as_str())) {
                report.multi_ok += 1;
            } else {
                report
                    .misses
                    .push(miss("a reason is missing from the first five"));
            }
            continue;
        }
        let expect = case.expect.as_deref().unwrap_or_default();
        let first = advice.results.first();
        let first_confidence = first.map_or(0.0, |r| r.confidence);
        let first_right = first.is_some_and(|r| expect.contains(&r.entry.id));
        report.firsts.push((first_confidence, first_right));
        if expect.is_empty() {
            report.out_of_scope += 1;
            if advice.status == Status::NoMatch {
                report.out_of_scope_ok += 1;
            } else {
                report
                    .misses
                    .push(miss("out of scope, answered as a match"));
            }
            continue;
        }
        report.in_scope += 1;
        let rank = ids.iter().position(|id| expect.iter().any(|e| e == id));
        if rank == Some(0) {
            report.top1 += 1;
        }
        if rank.is_some_and(|r| r < 3) {
            report.top3 += 1;
        }
        if let Some(r) = rank {
            report.reciprocal_rank_sum += 1.0 / (r as f64 + 1.0);
        }
        if advice.status == Status::NoMatch {
            report.in_scope_no_match += 1;
        }
        if rank != Some(0) {
            report.misses.push(miss("the expected entry is not first"));
        } else if advice.status == Status::NoMatch {
            report
                .misses
                .push(miss("right entry, but answered no_match"));
        }
    }
    Ok(report)
}
