//! The ranker: one text against every entry → candidates, best first, each with a confidence.
//!
//! [`query`] analyzes the text into terms and the weighted terms the index is asked about; the
//! evidence the index cannot see (notice patterns, quoted entry names, coverage, cues) is gathered
//! into [`Features`], inputs only; [`Weights`] holds every weight and constant of the ranking; [`score`]
//! turns features into the evidence (a logit) and a confidence, row by row, so that [`explain`] can
//! show which number decided an answer.

pub mod explain;
mod features;
mod query;
mod score;
mod weights;

pub use explain::{CandidateExplanation, Row, SegmentExplanation};
pub use features::Features;
pub use weights::{
    ConfidenceWeights, EvidenceWeights, LookupWeights, ScoreWeights, Weights, MATCH_THRESHOLD,
};

use crate::analyzer::fold;
use crate::index::{IndexError, Lookup, Presence, WeightedTerm, ANYWHERE, NAMED};
use crate::kb::{Entry, Kind};
use crate::matching::{compile, Found, Literals, Phrases};
use crate::tables::RankerTables;
use once_cell::sync::OnceCell;
use query::{analyze, lookup_terms, QueryTerm};
use regex::Regex;

/// A notice pattern, compiled on first use when its prefilter lets a text through.
struct Pattern {
    entry: usize,
    source: String,
    literals: Literals,
    regex: OnceCell<Option<Regex>>,
}

impl Pattern {
    /// `admitted`: the text holds a literal of each set the pattern's matches must contain.
    fn is_match(&self, folded: &str, admitted: bool) -> bool {
        admitted
            && self
                .regex
                .get_or_init(|| compile(&self.source))
                .as_ref()
                .is_some_and(|regex| regex.is_match(folded))
    }
}

/// What the ranker holds of a knowledge base: its patterns, phrases and synonyms, and the weights.
pub struct Ranker {
    patterns: Vec<Pattern>,
    /// Folded synonym groups.
    synonyms: Vec<Vec<String>>,
    /// Per synonym group, per term: its content terms, analyzed on first use.
    expansion_terms: Vec<OnceCell<Vec<Vec<QueryTerm>>>>,
    /// Entry names, synonyms, topic terms, rejection cues and pattern literals, found in one pass.
    phrases: Phrases,
    weights: Weights,
}

/// A candidate, scored.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Position in the knowledge base's entries.
    pub entry: usize,
    pub features: Features,
    /// The raw score (see [`Weights::score`]).
    pub score: f32,
    /// The weighted evidence (a logit): the ranking key.
    pub evidence: f32,
    /// 0..1; at or above [`MATCH_THRESHOLD`] the candidate is a match.
    pub confidence: f32,
}

/// One text ranked: the candidates, best first, and what the ranking learned about the text's terms.
pub struct Ranking {
    pub candidates: Vec<Candidate>,
    terms: Vec<QueryTerm>,
    /// Per query term, its position among the terms looked up (none: not looked up).
    slots: Vec<Option<usize>>,
    lookup: Lookup,
}

impl Ranking {
    /// Where the `term`-th query term occurs in `entry`.
    fn presence(&self, term: usize, entry: usize) -> Presence {
        self.slots[term].map_or(0, |slot| self.lookup.presence(slot, entry))
    }

    /// The spans of `text` (the text ranked) whose terms the entry contains, merged where they touch.
    pub fn matched_spans(&self, entry: usize, text: &str) -> Vec<String> {
        let mut ranges: Vec<(usize, usize)> = self
            .terms
            .iter()
            .enumerate()
            .filter(|&(i, t)| t.content && !t.unigram && self.presence(i, entry) != 0)
            .map(|(_, t)| t.offsets)
            .collect();
        ranges.sort();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        let mut spans: Vec<String> = Vec::new();
        for (start, end) in merged {
            let span = text[start..end].to_string();
            if !spans.contains(&span) {
                spans.push(span);
            }
        }
        spans
    }
}

/// The candidates of one text, each entry at most once, in the order first seen.
struct Candidates {
    list: Vec<(usize, Features)>,
    /// Per entry, its position in `list` (`usize::MAX`: not a candidate).
    position: Vec<usize>,
}

impl Candidates {
    fn new(entries: usize) -> Candidates {
        Candidates {
            list: Vec::new(),
            position: vec![usize::MAX; entries],
        }
    }

    /// The entry's features, added if it is not a candidate yet.
    fn get(&mut self, entry: usize) -> &mut Features {
        if self.position[entry] == usize::MAX {
            self.position[entry] = self.list.len();
            self.list.push((entry, Features::default()));
        }
        &mut self.list[self.position[entry]].1
    }
}

impl Ranker {
    /// The ranker of the knowledge base whose `entries` the `tables` were made from.
    pub fn new(entries: &[Entry], tables: RankerTables, weights: Weights) -> Ranker {
        let mut patterns = Vec::new();
        for ((position, entry), literals) in entries.iter().enumerate().zip(tables.literals) {
            for (source, literals) in entry.patterns.iter().zip(literals) {
                patterns.push(Pattern {
                    entry: position,
                    source: source.clone(),
                    literals,
                    regex: OnceCell::new(),
                });
            }
        }
        Ranker {
            patterns,
            expansion_terms: tables.synonyms.iter().map(|_| OnceCell::new()).collect(),
            synonyms: tables.synonyms,
            phrases: tables.phrases,
            weights,
        }
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// Scores the `entries` against one piece of text, best first, each with a confidence. `lookup`
    /// scores weighted terms against the index (or its term table).
    pub fn rank(
        &self,
        text: &str,
        entries: &[Entry],
        lookup: impl FnOnce(&[WeightedTerm]) -> Result<Lookup, IndexError>,
    ) -> Result<Ranking, IndexError> {
        let weights = &self.weights;
        let folded = fold(text);
        let query_terms = analyze(text);
        let found = self.phrases.find(&folded, entries.len());
        let expanded: Vec<&QueryTerm> = self
            .expansions(&found)
            .into_iter()
            .flat_map(|(group, term)| &self.expansion_terms(group)[term])
            .collect();
        let terms = lookup_terms(&query_terms, &expanded, weights);
        let lookup = lookup(&terms)?;
        let slots: Vec<Option<usize>> = {
            let positions: rustc_hash::FxHashMap<&str, usize> = terms
                .iter()
                .enumerate()
                .map(|(i, term)| (term.text, i))
                .collect();
            query_terms
                .iter()
                .map(|term| positions.get(term.text.as_str()).copied())
                .collect()
        };
        // The content terms that were looked up count for coverage.
        let content: Vec<(usize, f32)> = query_terms
            .iter()
            .enumerate()
            .filter(|&(i, term)| term.content && slots[i].is_some())
            .map(|(i, term)| (i, term.coverage_weight(weights)))
            .collect();

        let candidates = self.candidates(&lookup, &folded, &found, entries.len());
        let ranking = Ranking {
            candidates: Vec::new(),
            terms: query_terms,
            slots,
            lookup,
        };

        let total: f32 = content.iter().map(|&(_, weight)| weight).sum();
        let covered = |entry: usize, bit: Presence| {
            if total == 0.0 {
                return 0.0;
            }
            content
                .iter()
                .filter(|&&(i, _)| ranking.presence(i, entry) & bit != 0)
                .map(|&(_, weight)| weight)
                .sum::<f32>()
                / total
        };
        let mut ranked: Vec<Candidate> = candidates
            .list
            .into_iter()
            .map(|(entry, mut features)| {
                features.name_coverage = covered(entry, NAMED);
                features.coverage = covered(entry, ANYWHERE);
                features.on_topic = found.topic;
                // Only reasons for returns gain: a general entry about returns must win on its own words.
                features.rejection_cue =
                    found.rejection_cue && entries[entry].kind == Kind::Rejection;
                Candidate {
                    entry,
                    score: weights.score(&features),
                    features,
                    evidence: 0.0,
                    confidence: 0.0,
                }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));

        let best_bm25 = ranked
            .iter()
            .map(|c| c.features.bm25)
            .fold(0.0f32, f32::max);
        for c in &mut ranked {
            c.features.relative_bm25 = if best_bm25 > 0.0 {
                c.features.bm25 / best_bm25
            } else {
                0.0
            };
            c.evidence = weights.evidence(&c.features);
        }
        // The evidence decides the order; confidence adds how far the best stands ahead of the next.
        ranked.sort_by(|a, b| {
            b.evidence
                .total_cmp(&a.evidence)
                .then(b.score.total_cmp(&a.score))
                .then(a.entry.cmp(&b.entry))
        });
        let margins = margins(&ranked, weights);
        for (c, margin) in ranked.iter_mut().zip(margins) {
            c.confidence = weights.confidence(c.evidence, margin);
        }
        Ok(Ranking {
            candidates: ranked,
            ..ranking
        })
    }

    /// The candidates of a text: the entries the index scores best, those whose notice patterns
    /// match, and those the text names, with the features known before coverage.
    fn candidates(
        &self,
        lookup: &Lookup,
        folded: &str,
        found: &Found,
        entries: usize,
    ) -> Candidates {
        let mut hits: Vec<(usize, f32)> = lookup
            .bm25
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, score)| score > 0.0)
            .collect();
        hits.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(self.weights.candidates);
        let mut candidates = Candidates::new(entries);
        for (entry, score) in hits {
            candidates.get(entry).bm25 = score;
        }
        for (i, pattern) in self.patterns.iter().enumerate() {
            if pattern.is_match(folded, pattern.literals.admits(i, found)) {
                candidates.get(pattern.entry).pattern = true;
            }
        }
        for (entry, &chars) in found.name_chars.iter().enumerate() {
            if chars > 0 {
                candidates.get(entry).quoted_chars = chars;
            }
        }
        candidates
    }

    /// The rows behind a candidate's confidence: its evidence rows, then the margin.
    pub fn explain<'a>(
        &self,
        ranking: &Ranking,
        entries: &'a [Entry],
        top: usize,
    ) -> Vec<CandidateExplanation<'a>> {
        let margins = margins(&ranking.candidates, &self.weights);
        ranking
            .candidates
            .iter()
            .zip(margins)
            .take(top)
            .map(|(c, margin)| {
                let mut rows = self.weights.evidence_rows(&c.features).to_vec();
                rows.push(self.weights.margin_row(margin));
                CandidateExplanation {
                    entry: &entries[c.entry],
                    bm25: c.features.bm25,
                    score: c.score,
                    evidence: c.evidence,
                    confidence: c.confidence,
                    rows,
                }
            })
            .collect()
    }

    /// The content terms of each term of a synonym group, analyzed once.
    fn expansion_terms(&self, group: usize) -> &[Vec<QueryTerm>] {
        self.expansion_terms[group].get_or_init(|| {
            self.synonyms[group]
                .iter()
                .map(|text| analyze(text).into_iter().filter(|t| t.content).collect())
                .collect()
        })
    }

    /// (group, term) of the other terms of every synonym group one of whose terms the text contains.
    fn expansions(&self, found: &Found) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, &(group, _)) in found.synonyms.iter().enumerate() {
            if i > 0 && found.synonyms[i - 1].0 == group {
                continue;
            }
            let present: Vec<usize> = found
                .synonyms
                .iter()
                .filter(|(g, _)| *g == group)
                .map(|&(_, t)| t)
                .collect();
            for term in 0..self.synonyms[group].len() {
                if !present.contains(&term) {
                    out.push((group, term));
                }
            }
        }
        out
    }
}

/// Per candidate (in ranked order), its margin: how far the best stands ahead of the second, or how
/// far another stands behind the best.
fn margins(ranked: &[Candidate], weights: &Weights) -> Vec<f32> {
    let first = ranked.first().map_or(0.0, |c| c.evidence);
    let second = ranked
        .get(1)
        .map_or(first - weights.confidence.lone_margin, |c| c.evidence);
    ranked
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i == 0 {
                first - second
            } else {
                c.evidence - first
            }
        })
        .collect()
}
