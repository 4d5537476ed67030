//! Query analysis: a text → its terms, each marked as evidence or not, and the weighted terms the
//! index is asked about.

use super::weights::{LookupWeights, Weights};
use crate::analyzer::stop::{is_stop_char, is_stop_stem};
use crate::analyzer::{for_each_term, is_cjk, TokenKind};
use crate::index::WeightedTerm;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// An analyzed query term.
#[derive(Debug, Clone)]
pub struct QueryTerm<'t> {
    pub text: Cow<'t, str>,
    /// Byte offsets in the text analyzed.
    pub offsets: (usize, usize),
    /// Counts as evidence (not a stop word, not a lone character inside a longer CJK run).
    pub content: bool,
    pub unigram: bool,
}

impl QueryTerm<'_> {
    /// The term with its text owned, to keep beyond the text analyzed.
    pub fn into_owned(self) -> QueryTerm<'static> {
        QueryTerm {
            text: Cow::Owned(self.text.into_owned()),
            ..self
        }
    }

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
    query: &'t [QueryTerm<'_>],
    expanded: &[&'t QueryTerm<'_>],
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
        let slot = weighted.entry(&*term.text).or_insert(0.0);
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

/// Analyzes text into query terms, marking which are evidence. A CJK term borrows from the text.
pub fn analyze(text: &str) -> Vec<QueryTerm<'_>> {
    let mut terms = Vec::new();
    for_each_term(text, |term| {
        let (content, unigram, term_text) = match term.kind {
            TokenKind::Bigram => {
                let mut chars = term.text.chars();
                let (first, second) = (chars.next().unwrap_or(' '), chars.next().unwrap_or(' '));
                // A bigram is evidence unless both characters are function words.
                let content = !(is_stop_char(first) && is_stop_char(second));
                (content, false, Cow::Borrowed(&text[term.from..term.to]))
            }
            // A lone character is evidence only when it stands alone in its run (e.g. "个人 站").
            TokenKind::Unigram => {
                let first = term.text.chars().next().unwrap_or(' ');
                let alone = text[..term.from]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !is_cjk(c))
                    && text[term.to..].chars().next().is_none_or(|c| !is_cjk(c));
                let content = alone && !is_stop_char(first);
                (content, true, Cow::Borrowed(&text[term.from..term.to]))
            }
            TokenKind::Word => (
                !is_stop_stem(term.text),
                false,
                Cow::Owned(term.text.to_string()),
            ),
        };
        terms.push(QueryTerm {
            text: term_text,
            offsets: (term.from, term.to),
            content,
            unigram,
        });
    });
    terms
}
