//! The constants of the lookup that gathers candidates, before anything is scored: how many, which
//! terms weigh how much, and the raw score that breaks ties. They were set by hand on the dev query
//! set; the weights that order candidates and give their confidence are fitted ([`super::Model`]).
//!
//! The index score that the `bm25` feature holds has constants of its own — tantivy's BM25 `k1` and
//! `b` and the field boosts of each zone — kept with the index (`index::Zone::boost`), because the
//! term table bakes them in when it is built.

/// Below this confidence an answer is not a match (`no_match`, exit 1): the fitted confidence is a
/// probability, so a match is an answer more likely right than wrong.
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
    };
}
