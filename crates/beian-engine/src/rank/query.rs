//! Query analysis: a text → its terms, each marked as evidence or not, and the weighted terms the
//! index is asked about.

use super::weights::{LookupWeights, Weights};
use crate::analyzer::stop::{is_stop_char, is_stop_stem};
use crate::analyzer::{for_each_term, is_cjk, TokenKind};
use crate::index::table::{TermId, TermTable};
use crate::index::{IndexError, Lookup, TermSource, WeightedTerm};
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

/// Where a term of the text finds its presence per entry in the lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Not looked up: the text has more terms than a lookup takes, and this one was cut.
    Cut,
    /// Looked up: its row of the lookup (none: no entry holds the term).
    Row(Option<usize>),
}

/// Looks up the text's terms and its synonyms' (see [`lookup_terms`]); per term of the text, its
/// slot. A table's terms are numbered: each term is looked up once, by text, and compared and
/// sorted by number from then on, unless the terms may be more than a lookup takes (then, which are
/// cut depends on terms the table does not hold, so the texts decide).
pub fn look_up(
    query: &[QueryTerm<'_>],
    expanded: &[&QueryTerm<'_>],
    weights: &Weights,
    source: TermSource<'_>,
) -> Result<(Lookup, Vec<Slot>), IndexError> {
    match source {
        TermSource::Table(table) if query.len() + expanded.len() <= weights.max_terms => {
            Ok(look_up_numbers(table, query, expanded, &weights.lookup))
        }
        _ => {
            let terms = lookup_terms(query, expanded, weights);
            let lookup = source.lookup(&terms)?;
            let rows: FxHashMap<&str, usize> = (terms.iter().enumerate())
                .map(|(row, term)| (term.text, row))
                .collect();
            let slots = query
                .iter()
                .map(|term| {
                    rows.get(&*term.text)
                        .map_or(Slot::Cut, |&r| Slot::Row(Some(r)))
                })
                .collect();
            Ok((lookup, slots))
        }
    }
}

/// [`look_up`] with a table, every term looked up: the lookup [`lookup_terms`] would give, but for
/// the rows of terms no entry holds (which add nothing to a score).
fn look_up_numbers(
    table: &TermTable,
    query: &[QueryTerm<'_>],
    expanded: &[&QueryTerm<'_>],
    w: &LookupWeights,
) -> (Lookup, Vec<Slot>) {
    // (order, weight, which term of the text: `usize::MAX` for a synonym's) of every term held.
    let mut held: Vec<(u64, f32, usize)> = Vec::with_capacity(query.len() + expanded.len());
    let query_weights =
        (query.iter().enumerate()).map(|(i, term)| (i, term, term.lookup_weight(w)));
    let expanded_weights =
        (expanded.iter()).map(|&term| (usize::MAX, term, term.expansion_weight(w)));
    for (i, term, weight) in query_weights.chain(expanded_weights) {
        if let Some(id) = table.id(&term.text) {
            // As `lookup_terms` keeps a term's largest weight, from 0.
            let weight = 0.0f32.max(weight);
            held.push((lookup_order(weight, id), weight, i));
        }
    }
    held.sort_unstable_by_key(|&(order, _, _)| order);
    // Each term is looked up at its first place in that order, where its weight is its largest.
    let mut rows: FxHashMap<TermId, usize> = FxHashMap::default();
    rows.reserve(held.len());
    let mut terms: Vec<(TermId, f32)> = Vec::with_capacity(held.len());
    let mut slots = vec![Slot::Row(None); query.len()];
    for &(order, weight, i) in &held {
        let id = order as TermId;
        let row = *rows.entry(id).or_insert_with(|| {
            terms.push((id, weight));
            terms.len() - 1
        });
        if let Some(slot) = slots.get_mut(i) {
            *slot = Slot::Row(Some(row));
        }
    }
    (table.lookup_ids(&terms), slots)
}

/// A key that sorts terms heaviest first, ties by number, that is by text: the order of
/// [`lookup_terms`], which is the order of the additions to each entry's score. For weights of 0 or
/// more, the order of their bits is the order of their values.
fn lookup_order(weight: f32, id: TermId) -> u64 {
    debug_assert!(weight >= 0.0, "{weight}");
    (u64::from(!weight.to_bits()) << 32) | u64::from(id)
}

/// The distinct terms to look up, heaviest first (ties by text), at most `max_terms` of them.
fn lookup_terms<'t>(
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
    // Room for a CJK text's terms: a unigram and a bigram for every three bytes.
    let mut terms = Vec::with_capacity(text.len() * 2 / 3 + 1);
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
