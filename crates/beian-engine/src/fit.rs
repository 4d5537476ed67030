//! Fitting the ranking model from labelled texts (what `beian kb fit` runs).
//!
//! Every text of the sets is ranked as the advisor ranks it; each (piece, candidate) pair is a row
//! whose label says whether the candidate's entry is an expected answer. A logistic regression with
//! an L2 penalty, solved by Newton's method, gives the ranker's weights. The texts are split into
//! folds by a hash of their id: each fold's rows are scored by a model fitted on the other folds, and
//! the calibration — a second logistic regression over (evidence, margin, first) — is fitted on those
//! held-out scores, so confidence is learned from texts the ranker did not see. The final ranker is
//! fitted on every row; the cross-validated figures of each set come from scoring each fold's texts
//! with its fold's model.

use crate::advise::{AdviseError, Advisor};
use crate::eval::{evaluate, Case, Report};
use crate::model::{Calibration, FirstCalibration, FitInfo, Model, FEATURE_COUNT, MARGIN_CAP};
use std::collections::BTreeMap;

/// How to fit.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Folds of the cross-validation (at least 2).
    pub folds: usize,
    /// The L2 penalty of both regressions.
    pub l2: f64,
    /// The command line that runs the fit, recorded in the model.
    pub command: String,
}

impl Default for FitOptions {
    fn default() -> FitOptions {
        FitOptions {
            folds: 5,
            l2: 1.0,
            command: String::new(),
        }
    }
}

/// A labelled set: its name and its cases.
pub struct LabelledSet {
    pub name: String,
    pub cases: Vec<Case>,
}

/// What a fit gives: the model, and per set the figures of its texts scored by models that did not
/// see them.
pub struct Fitted {
    pub model: Model,
    pub cross_validated: Vec<(String, Report)>,
}

/// One row: features and label.
type Row = crate::advise::FitRow;

/// One text's rows, per piece the advisor ranks.
struct Text {
    fold: usize,
    pieces: Vec<Vec<Row>>,
}

/// Fits a model on the sets. The advisor is left with the fitted model.
pub fn fit(
    advisor: &mut Advisor,
    sets: &[LabelledSet],
    options: &FitOptions,
) -> Result<Fitted, AdviseError> {
    let folds = options.folds.max(2);
    advisor.prepare_for_many()?;
    // Each entry's titles are texts too: a text that is an entry's name asks for that entry.
    let titles = LabelledSet {
        name: "titles".to_string(),
        cases: advisor
            .kb()
            .entries()
            .iter()
            .flat_map(|entry| {
                [&entry.title, &entry.title_en]
                    .into_iter()
                    .filter(|title| !title.trim().is_empty())
                    .map(|title| Case {
                        id: format!("{}:{title}", entry.id),
                        query: title.clone(),
                        expect: Some(vec![entry.id.clone()]),
                        expect_all: None,
                    })
            })
            .collect(),
    };
    let sets: Vec<&LabelledSet> = std::iter::once(&titles).chain(sets).collect();
    let mut texts = Vec::new();
    for set in &sets {
        for case in &set.cases {
            let expected: Vec<String> = case
                .expect
                .iter()
                .chain(&case.expect_all)
                .flatten()
                .cloned()
                .collect();
            texts.push(Text {
                fold: fold_of(&set.name, &case.id, folds),
                pieces: advisor.fit_rows(&case.query, &expected)?,
            });
        }
    }

    // Held-out evidence for every row, from the fold models.
    let mut fold_rankers = Vec::with_capacity(folds);
    for fold in 0..folds {
        let rows: Vec<Row> = texts
            .iter()
            .filter(|t| t.fold != fold)
            .flat_map(all_rows)
            .collect();
        fold_rankers.push(logistic(&rows, options.l2));
    }
    let mut first_rows: Vec<([f32; FIRST_INPUTS], bool)> = Vec::new();
    let mut rest_rows: Vec<([f32; 2], bool)> = Vec::new();
    for text in &texts {
        let (weights, bias) = split(&fold_rankers[text.fold]);
        for piece in &text.pieces {
            let (first, rest) = calibration_inputs(piece, weights, bias);
            first_rows.extend(first);
            rest_rows.extend(rest);
        }
    }
    let f = logistic(&first_rows, options.l2);
    let r = logistic(&rest_rows, options.l2 * 0.01);
    let calibration = Calibration {
        evidence: r[0] as f32,
        margin: r[1] as f32,
        bias: r[2] as f32,
        first: FirstCalibration {
            evidence: f[0] as f32,
            margin: f[1] as f32,
            weights: f[2..2 + FEATURE_COUNT].iter().map(|&w| w as f32).collect(),
            bias: f[FIRST_INPUTS] as f32,
        },
    };

    let info = FitInfo {
        command: options.command.clone(),
        sets: sets
            .iter()
            .map(|s| (s.name.clone(), s.cases.len()))
            .collect::<BTreeMap<_, _>>(),
        rows: texts.iter().map(|t| all_rows(t).count()).sum(),
        folds,
        l2: options.l2 as f32,
        encoder: None,
    };
    let model_of = |coefficients: &[f64]| {
        let (weights, bias) = split(coefficients);
        Model {
            weights: weights.iter().map(|&w| w as f32).collect(),
            bias: bias as f32,
            calibration: calibration.clone(),
            fit: info.clone(),
        }
    };

    let mut cross_validated: Vec<(String, Report)> = sets
        .iter()
        .map(|s| (s.name.clone(), Report::default()))
        .collect();
    for (fold, coefficients) in fold_rankers.iter().enumerate() {
        advisor.set_model(model_of(coefficients));
        for (&set, (_, report)) in sets.iter().zip(&mut cross_validated) {
            let cases: Vec<Case> = set
                .cases
                .iter()
                .filter(|case| fold_of(&set.name, &case.id, folds) == fold)
                .cloned()
                .collect();
            report.merge(evaluate(advisor, &cases)?);
        }
    }

    let rows: Vec<Row> = texts.iter().flat_map(all_rows).collect();
    let all = logistic(&rows, options.l2);
    let model = model_of(&all);
    advisor.set_model(model.clone());
    Ok(Fitted {
        model,
        cross_validated,
    })
}

fn all_rows(text: &Text) -> impl Iterator<Item = Row> + '_ {
    text.pieces.iter().flatten().copied()
}

/// The weights and the bias (the last coefficient).
fn split(coefficients: &[f64]) -> (&[f64], f64) {
    let (weights, bias) = coefficients.split_at(coefficients.len() - 1);
    (weights, bias[0])
}

/// What the first answer's calibration reads: evidence, margin and the features.
const FIRST_INPUTS: usize = FEATURE_COUNT + 2;

/// The calibration inputs of one ranked piece under a ranker, with their labels: the best
/// candidate's (evidence, margin, features), and each other's (evidence, margin) — what
/// [`Model::confidence`] reads.
#[allow(clippy::type_complexity)] // two row types, each spelled out once
fn calibration_inputs(
    piece: &[Row],
    weights: &[f64],
    bias: f64,
) -> (Option<([f32; FIRST_INPUTS], bool)>, Vec<([f32; 2], bool)>) {
    let mut scored: Vec<(f64, &Row)> = piece
        .iter()
        .map(|row| {
            let evidence = bias
                + weights
                    .iter()
                    .zip(&row.0)
                    .map(|(w, &v)| w * v as f64)
                    .sum::<f64>();
            (evidence, row)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let Some(&(best, (x, label))) = scored.first() else {
        return (None, Vec::new());
    };
    let cap = MARGIN_CAP as f64;
    let second = scored.get(1).map_or(best - cap, |s| s.0);
    let mut first = [0.0f32; FIRST_INPUTS];
    first[0] = best as f32;
    first[1] = (best - second).clamp(-cap, cap) as f32;
    first[2..].copy_from_slice(x);
    let rest = scored[1..]
        .iter()
        .map(|&(evidence, (_, label))| {
            let margin = (evidence - best).clamp(-cap, cap);
            ([evidence as f32, margin as f32], *label)
        })
        .collect();
    (Some((first, *label)), rest)
}

/// The fold of a text: a hash of its set and id, so adding a text moves no other.
fn fold_of(set: &str, id: &str, folds: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in set.bytes().chain([0]).chain(id.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % folds as u64) as usize
}

/// Logistic regression with an L2 penalty on the weights (not the bias), by Newton's method.
/// Returns `N` weights followed by the bias.
fn logistic<const N: usize>(rows: &[([f32; N], bool)], l2: f64) -> Vec<f64> {
    let n = N + 1;
    let mut beta = vec![0.0f64; n];
    let input = |x: &[f32; N], j: usize| if j == N { 1.0 } else { x[j] as f64 };
    for _ in 0..50 {
        let mut gradient = vec![0.0f64; n];
        let mut hessian = vec![0.0f64; n * n];
        for &(x, label) in rows {
            let z: f64 = (0..n).map(|j| beta[j] * input(&x, j)).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let y = if label { 1.0 } else { 0.0 };
            let w = (p * (1.0 - p)).max(1e-9);
            for j in 0..n {
                let xj = input(&x, j);
                gradient[j] += (p - y) * xj;
                for k in j..n {
                    hessian[j * n + k] += w * xj * input(&x, k);
                }
            }
        }
        for j in 0..n {
            for k in 0..j {
                hessian[j * n + k] = hessian[k * n + j];
            }
            // A tiny ridge on the bias keeps the system solvable when every label is the same.
            let penalty = if j < N { l2 } else { 1e-6 };
            gradient[j] += penalty * beta[j];
            hessian[j * n + j] += penalty;
        }
        let step = solve(&mut hessian, &mut gradient, n);
        let mut change = 0.0f64;
        for j in 0..n {
            beta[j] -= step[j];
            change = change.max(step[j].abs());
        }
        if change < 1e-7 {
            break;
        }
    }
    beta
}

/// Solves `a × x = b` (a symmetric positive definite, `n × n`) by Gaussian elimination with
/// partial pivoting.
fn solve(a: &mut [f64], b: &mut [f64], n: usize) -> Vec<f64> {
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))
            .unwrap_or(col);
        if pivot != col {
            for k in 0..n {
                a.swap(col * n + k, pivot * n + k);
            }
            b.swap(col, pivot);
        }
        let diagonal = a[col * n + col];
        if diagonal.abs() < 1e-12 {
            continue;
        }
        for row in col + 1..n {
            let factor = a[row * n + col] / diagonal;
            if factor != 0.0 {
                for k in col..n {
                    a[row * n + k] -= factor * a[col * n + k];
                }
                b[row] -= factor * b[col];
            }
        }
    }
    let mut x = vec![0.0f64; n];
    for row in (0..n).rev() {
        let diagonal = a[row * n + row];
        if diagonal.abs() < 1e-12 {
            continue;
        }
        let rest: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = (b[row] - rest) / diagonal;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logistic_regression_recovers_a_separating_direction() {
        // Label is x0 > x1; the fitted weights must say so.
        let rows: Vec<([f32; 2], bool)> = (0..200)
            .map(|i| {
                let a = (i % 17) as f32 / 17.0;
                let b = (i % 13) as f32 / 13.0;
                ([a, b], a > b)
            })
            .collect();
        let beta = logistic(&rows, 0.1);
        assert!(beta[0] > 1.0 && beta[1] < -1.0, "{beta:?}");
    }

    #[test]
    fn folds_are_stable_and_spread() {
        let folds: Vec<usize> = (0..100)
            .map(|i| fold_of("set", &format!("id-{i}"), 5))
            .collect();
        assert_eq!(
            folds,
            (0..100)
                .map(|i| fold_of("set", &format!("id-{i}"), 5))
                .collect::<Vec<_>>()
        );
        for fold in 0..5 {
            let n = folds.iter().filter(|&&f| f == fold).count();
            assert!((8..=32).contains(&n), "fold {fold}: {n}");
        }
    }
}
