//! Why the ranking came out as it did: per candidate, the rows (feature, value, weight, contribution)
//! whose contributions add up to the logit its confidence is the sigmoid of.

use crate::kb::Entry;

/// One term of a candidate's logit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    pub feature: &'static str,
    pub value: f32,
    pub weight: f32,
    /// `value × weight`.
    pub contribution: f32,
}

impl Row {
    pub fn new(feature: &'static str, value: f32, weight: f32) -> Row {
        Row {
            feature,
            value,
            weight,
            contribution: weight * value,
        }
    }
}

/// The ranking of one candidate, explained.
#[derive(Debug, Clone)]
pub struct CandidateExplanation<'a> {
    pub entry: &'a Entry,
    /// The index score (also the first row's input, relative to the best candidate's).
    pub bm25: f32,
    /// The raw score that breaks ties between equal evidence.
    pub score: f32,
    /// The sum of the evidence rows (all rows but the last, the margin).
    pub evidence: f32,
    pub confidence: f32,
    pub rows: Vec<Row>,
}

/// The candidates of one segment of the text, best first.
#[derive(Debug, Clone)]
pub struct SegmentExplanation<'a> {
    pub segment: String,
    pub candidates: Vec<CandidateExplanation<'a>>,
}
