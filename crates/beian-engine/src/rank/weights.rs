//! Every weight and constant of the ranking, in one place. They were set by hand on the dev query set
//! (`beian eval tests/eval/dev.jsonl`), not fitted; [`Weights::DEFAULT`] is what the advisor uses.
//! A fitted model replaces the values, not the code that reads them.
//!
//! The index score that the `bm25` feature holds has constants of its own — tantivy's BM25 `k1` and
//! `b` and the field boosts of each zone — kept with the index (`index::Zone::boost`), because the
//! term table bakes them in when it is built.

/// Below this confidence an answer is not a match (`no_match`, exit 1). Calibrated on the query sets.
pub const MATCH_THRESHOLD: f32 = 0.5;

/// The weights of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// How many candidates the index returns per text before re-scoring.
    pub candidates: usize,
    /// At most this many distinct terms of one text are looked up (a pasted notice rarely has half as many).
    pub max_terms: usize,
    /// A multi-part text of at most this many characters is also ranked whole: it may be one question.
    pub whole_text_max_chars: usize,
    /// How much each term counts in the index lookup.
    pub lookup: LookupWeights,
    /// How much a unigram counts towards coverage (a bigram counts 1).
    pub coverage_unigram: f32,
    /// The raw score: the ranking key between equal evidence, and the `score` of an answer.
    pub score: ScoreWeights,
    /// The evidence: a logit, the ranking key.
    pub evidence: EvidenceWeights,
    /// How the evidence becomes a confidence.
    pub confidence: ConfidenceWeights,
}

/// Query weights of the terms looked up in the index. A term that is both a query term and an
/// expansion takes the larger weight.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupWeights {
    /// A bigram (or Latin word) of the text that counts as evidence.
    pub content_bigram: f32,
    /// A lone CJK character that stands alone in its run (`个人 站`).
    pub content_unigram: f32,
    /// A bigram of two function words, or an English stop word.
    pub function_bigram: f32,
    /// A single character inside a longer CJK run, or a function character.
    pub function_unigram: f32,
    /// A term of a synonym that the text's synonym expands to.
    pub expansion_bigram: f32,
    pub expansion_unigram: f32,
}

/// `score = bm25 + pattern × [pattern] + quoted_char × min(quoted_chars, quoted_cap)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreWeights {
    pub pattern: f32,
    pub quoted_char: f32,
    pub quoted_cap: usize,
}

/// `evidence = bias + Σ weight × value` over the features (see [`crate::rank::Features`]).
/// Coverage of the text by the entry's names matters most, then literal pattern hits and quoted names,
/// then the index score relative to the best candidate's.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceWeights {
    pub bias: f32,
    /// Per share of the text's content terms found in the entry's names.
    pub name_coverage: f32,
    /// Per share of the text's content terms found anywhere in the entry.
    pub coverage: f32,
    /// Per unit of the index score relative to the best candidate's (0..1).
    pub relative_bm25: f32,
    /// When one of the entry's notice patterns matches.
    pub pattern: f32,
    /// Per character of the longest name of the entry quoted in the text, up to `quoted_cap`.
    pub quoted_char: f32,
    pub quoted_cap: usize,
    /// When the text says the filing was returned and the entry is a reason for returns.
    pub rejection_cue: f32,
    /// When the text names the topic (ICP filing) at all.
    pub on_topic: f32,
}

/// `confidence = sigmoid(evidence + margin × clamp(m, -margin_cap, margin_cap))`, where `m` is how far
/// the best candidate stands ahead of the second (for the best) or behind the best (for the others).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidenceWeights {
    pub margin: f32,
    pub margin_cap: f32,
    /// The margin of a best candidate that has no second.
    pub lone_margin: f32,
}

impl Weights {
    pub const DEFAULT: Weights = Weights {
        candidates: 12,
        max_terms: 400,
        whole_text_max_chars: 600,
        lookup: LookupWeights {
            content_bigram: 1.0,
            content_unigram: 0.6,
            function_bigram: 0.25,
            function_unigram: 0.1,
            expansion_bigram: 0.6,
            expansion_unigram: 0.3,
        },
        coverage_unigram: 0.5,
        score: ScoreWeights {
            pattern: 12.0,
            quoted_char: 1.5,
            quoted_cap: 10,
        },
        evidence: EvidenceWeights {
            bias: -4.0,
            name_coverage: 3.0,
            coverage: 4.0,
            relative_bm25: 1.0,
            pattern: 3.0,
            quoted_char: 0.35,
            quoted_cap: 8,
            rejection_cue: 1.5,
            on_topic: 2.0,
        },
        confidence: ConfidenceWeights {
            margin: 0.5,
            margin_cap: 2.0,
            lone_margin: 2.0,
        },
    };
}
