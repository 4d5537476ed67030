//! Scoring: features and weights → the raw score, the evidence (row by row) and the confidence.

use super::explain::Row;
use super::features::Features;
use super::weights::Weights;

fn flag(value: bool) -> f32 {
    if value {
        1.0
    } else {
        0.0
    }
}

impl Weights {
    /// The raw score: the index score plus the pattern and quoted-name bonuses.
    pub fn score(&self, f: &Features) -> f32 {
        let w = &self.score;
        f.bm25
            + if f.pattern { w.pattern } else { 0.0 }
            + w.quoted_char * (f.quoted_chars.min(w.quoted_cap) as f32)
    }

    /// The evidence for a candidate as rows whose contributions add up to it, the bias first.
    pub fn evidence_rows(&self, f: &Features) -> [Row; 8] {
        let w = &self.evidence;
        [
            Row::new("bias", 1.0, w.bias),
            Row::new("name_coverage", f.name_coverage, w.name_coverage),
            Row::new("coverage", f.coverage, w.coverage),
            Row::new("relative_bm25", f.relative_bm25, w.relative_bm25),
            Row::new("pattern", flag(f.pattern), w.pattern),
            Row::new(
                "quoted_chars",
                f.quoted_chars.min(w.quoted_cap) as f32,
                w.quoted_char,
            ),
            Row::new("rejection_cue", flag(f.rejection_cue), w.rejection_cue),
            Row::new("on_topic", flag(f.on_topic), w.on_topic),
        ]
    }

    /// The evidence for a candidate, as a logit: the sum of [`Weights::evidence_rows`].
    pub fn evidence(&self, f: &Features) -> f32 {
        total(&self.evidence_rows(f))
    }

    /// The row that turns the evidence into the confidence's logit: `margin` is how far the best
    /// candidate stands ahead of the second, or another candidate behind the best.
    pub fn margin_row(&self, margin: f32) -> Row {
        let w = &self.confidence;
        Row::new(
            "margin",
            margin.clamp(-w.margin_cap, w.margin_cap),
            w.margin,
        )
    }

    /// The confidence (0..1) of a candidate with this evidence and margin.
    pub fn confidence(&self, evidence: f32, margin: f32) -> f32 {
        let logit = evidence + self.margin_row(margin).contribution;
        1.0 / (1.0 + (-logit).exp())
    }
}

/// The sum of the rows' contributions, in order.
pub fn total(rows: &[Row]) -> f32 {
    rows.iter().fold(0.0, |sum, row| sum + row.contribution)
}
