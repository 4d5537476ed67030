//! Scoring: features → the raw score (the tie-break key and an answer's `score`), and a model's
//! confidence as rows that add up to its logit (for `ask --explain`).

use super::explain::Row;
use super::features::Features;
use super::weights::Weights;
use crate::model::{Model, FEATURE_COUNT, FEATURE_NAMES, MARGIN_CAP};

impl Weights {
    /// The raw score: the index score plus the pattern and quoted-name bonuses.
    pub fn score(&self, f: &Features) -> f32 {
        let w = &self.score;
        f.bm25
            + if f.pattern { w.pattern } else { 0.0 }
            + w.quoted_char * (f.quoted_chars.min(w.quoted_cap) as f32)
    }
}

impl Model {
    /// The confidence's logit of a candidate as rows that add up to it: for a piece's best candidate,
    /// the bias, each feature with the weight the ranker and the first answer's calibration give it
    /// together, then the margin; for another, the bias, each feature with its ranking weight as the
    /// calibration scales it, and the margin. Features that are zero are left out.
    pub fn rows(&self, x: &[f32; FEATURE_COUNT], margin: f32, first: bool) -> Vec<Row> {
        let c = &self.calibration;
        let (bias, scale, margin_weight) = if first {
            (c.first.bias, c.first.evidence, c.first.margin)
        } else {
            (c.bias, c.evidence, c.margin)
        };
        let mut rows = vec![Row::new("bias", 1.0, bias + scale * self.bias)];
        for (i, (name, value)) in FEATURE_NAMES.iter().zip(x).enumerate() {
            if *value != 0.0 {
                let own = if first { c.first.weights[i] } else { 0.0 };
                rows.push(Row::new(name, *value, scale * self.weights[i] + own));
            }
        }
        rows.push(Row::new(
            "margin",
            margin.clamp(-MARGIN_CAP, MARGIN_CAP),
            margin_weight,
        ));
        rows
    }
}
