//! Query analysis: a text → its terms, each marked as evidence or not, and the weighted terms the
//! index is asked about.

use super::weights::{LookupWeights, Weights};
use crate::analyzer::stop::{is_stop_char, is_stop_stem};
use crate::analyzer::{analyzer, is_cjk};
use crate::index::WeightedTerm;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use tantivy::tokenizer::TextAnalyzer;

/// An analyzed query term.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    pub text: String,
    /// Byte offsets in the text analyzed.
    pub offsets: (usize, usize),
    /// Counts as evidence (not a stop word, not a lone character inside a longer CJK run).
    pub content: bool,
    pub unigram: bool,
}

impl QueryTerm {
    /// The term's weight in the index lookup, as a term of the text itself.
    fn lookup_weight(&self, w: &LookupWeights) -> f32 {
        match (self.content, self.unigram) {
            (true, false) => w.content_bigram,
            (true, true) => w.content_unigram,
            (false, false) => w.function_bigram,
            (false, true) => w.function_unigram,
        }
    }

    /// The term's weight in the index lookup, as a term of a synonym expansion.
    fn expansion_weight(&self, w: &LookupWeights) -> f32 {
        if self.unigram {
            w.expansion_unigram
        } else {
            w.expansion_bigram
        }
    }

    /// How much the term counts towards coverage.
    pub fn coverage_weight(&self, weights: &Weights) -> f32 {
        if self.unigram {
            weights.coverage_unigram
        } else {
            1.0
        }
    }
}

/// The distinct terms to look up, heaviest first (ties by text), at most `max_terms` of them.
pub fn lookup_terms<'t>(
    query: &'t [QueryTerm],
    expanded: &[&'t QueryTerm],
    weights: &Weights,
) -> Vec<WeightedTerm<'t>> {
    let w = &weights.lookup;
    let mut weighted: FxHashMap<&str, f32> = FxHashMap::default();
    weighted.reserve(query.len() + expanded.len());
    let query_weights = query.iter().map(|term| (term, term.lookup_weight(w)));
    let expanded_weights = expanded
        .iter()
        .map(|&term| (term, term.expansion_weight(w)));
    for (term, weight) in query_weights.chain(expanded_weights) {
        let slot = weighted.entry(term.text.as_str()).or_insert(0.0);
        *slot = slot.max(weight);
    }
    let mut terms: Vec<WeightedTerm<'_>> = weighted
        .into_iter()
        .map(|(text, weight)| WeightedTerm { text, weight })
        .collect();
    terms.sort_unstable_by(|a, b| b.weight.total_cmp(&a.weight).then(a.text.cmp(b.text)));
    terms.truncate(weights.max_terms);
    terms
}

thread_local! {
    /// Building an analyzer (its filter chain and stemmer) for every text cost more than analyzing it.
    static ANALYZER: RefCell<TextAnalyzer> = RefCell::new(analyzer());
}

/// Analyzes text into query terms, marking which are evidence.
pub fn analyze(text: &str) -> Vec<QueryTerm> {
    ANALYZER.with_borrow_mut(|analyzer| analyze_with(analyzer, text))
}

fn analyze_with(analyzer: &mut TextAnalyzer, text: &str) -> Vec<QueryTerm> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        let token = stream.token_mut();
        let mut chars = token.text.chars();
        let first = chars.next().unwrap_or(' ');
        let second = chars.next();
        let (content, unigram) = if is_cjk(first) {
            match second {
                // A bigram is evidence unless both characters are function words.
                Some(second) => (!(is_stop_char(first) && is_stop_char(second)), false),
                // A lone character is evidence only when it stands alone in its run (e.g. "个人 站").
                None => {
                    let alone = text[..token.offset_from]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !is_cjk(c))
                        && text[token.offset_to..]
                            .chars()
                            .next()
                            .is_none_or(|c| !is_cjk(c));
                    (alone && !is_stop_char(first), true)
                }
            }
        } else {
            (!is_stop_stem(&token.text), false)
        };
        terms.push(QueryTerm {
            // Taken, not cloned: the stream is done with it.
            text: std::mem::take(&mut token.text),
            offsets: (token.offset_from, token.offset_to),
            content,
            unigram,
        });
    }
    terms
}
