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

pub use crate::model::{
    sigmoid, Calibration, FirstCalibration, FitInfo, Model, ModelError, FEATURE_COUNT,
    FEATURE_NAMES, MARGIN_CAP,
};
pub use explain::{CandidateExplanation, Row, SegmentExplanation};
pub use features::{EncoderFeatures, Features, TextFeatures};
pub use weights::{LookupWeights, ScoreWeights, Weights, MATCH_THRESHOLD};

use crate::analyzer::fold;
use crate::index::{IndexError, Lookup, Presence, TermSource, ANYWHERE, ENGLISH_BODY, NAMED};
use crate::kb::{Entry, Kind};
use crate::matching::{Automata, Found, LazyMatcher, Literals, Phrases};
use crate::semantic::Similarities;
use crate::tables::RankerTables;
use once_cell::sync::OnceCell;
use query::{analyze, look_up, QueryTerm, Slot};
use std::sync::atomic::{AtomicBool, Ordering};

/// A notice pattern, made ready on first use when its prefilter lets a text through.
struct Pattern {
    entry: usize,
    literals: Literals,
    matcher: LazyMatcher,
}

impl Pattern {
    /// The characters of the pattern's longest match in the text, if it matches (asked only of a
    /// text that holds a literal of each set the pattern's matches must contain). `compile`:
    /// compile the regex even when there is an automaton (see [`Ranker::prefer_compiled`]).
    fn match_chars(&self, folded: &str, compile: bool) -> Option<usize> {
        self.matcher
            .get(compile)?
            .find_iter(folded)
            .map(|(start, end)| folded[start..end].chars().count().max(1))
            .max()
    }
}

/// The entries a sentence encoder finds closest that become candidates whatever their words: a text
/// that shares no word with its answer ("UK company" for 境外主体) still reaches it.
const ENCODER_CANDIDATES: usize = 5;

/// What the name, Chinese and English coverages count: the terms held where these bits say.
const COVERAGE_BITS: [Presence; 3] = [NAMED, ANYWHERE, ENGLISH_BODY];

/// Texts longer than this are never taken for ones that carry no topic (see
/// [`Ranker::carries_no_topic`]).
const NO_TOPIC_MAX_BYTES: usize = 48;

/// What the ranker holds of a knowledge base: its patterns, phrases and synonyms, and the weights.
pub struct Ranker {
    patterns: Vec<Pattern>,
    /// The patterns without literals, which every text may match.
    open_patterns: Vec<usize>,
    /// Folded synonym groups.
    synonyms: Vec<Vec<String>>,
    /// Per synonym group, per term: its content terms, analyzed on first use.
    expansion_terms: Vec<OnceCell<Vec<Vec<QueryTerm<'static>>>>>,
    /// Entry names, synonyms, topic terms, rejection cues and pattern literals, found in one pass.
    phrases: Phrases,
    weights: Weights,
    model: Model,
    /// Set by [`Ranker::prefer_compiled`].
    compile_patterns: AtomicBool,
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
    /// 0..1, the probability that the candidate is a right answer; at or above [`MATCH_THRESHOLD`]
    /// the candidate is a match.
    pub confidence: f32,
}

/// What part of a text the ranked piece is: the whole of a question, one reason of a notice, or a
/// notice with several reasons ranked whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    Whole,
    NoticePart,
    NoticeWhole,
}

/// One text ranked: the candidates, best first, and what the ranking learned about the text's terms.
pub struct Ranking<'t> {
    pub candidates: Vec<Candidate>,
    terms: Vec<QueryTerm<'t>>,
    /// Per query term, where the lookup holds it.
    slots: Vec<Slot>,
    lookup: Lookup,
}

impl Ranking<'_> {
    /// Whether one of the entries' notice patterns matches the text ranked: its wording is a
    /// provider's or a bureau's, and words decide it.
    pub fn decided_by_pattern(&self) -> bool {
        self.candidates
            .first()
            .is_some_and(|c| c.features.text.patterns_matched > 0)
    }

    /// Where the `term`-th query term occurs in `entry`.
    fn presence(&self, term: usize, entry: usize) -> Presence {
        match self.slots[term] {
            Slot::Row(Some(row)) => self.lookup.presence(row, entry),
            Slot::Row(None) | Slot::Cut => 0,
        }
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
    pub fn new(entries: &[Entry], tables: RankerTables, weights: Weights, model: Model) -> Ranker {
        let mut patterns = Vec::new();
        for ((position, entry), literals) in entries.iter().enumerate().zip(tables.literals) {
            for (source, literals) in entry.patterns.iter().zip(literals) {
                patterns.push(Pattern {
                    entry: position,
                    literals,
                    matcher: LazyMatcher::new(source.clone()),
                });
            }
        }
        Ranker {
            open_patterns: (patterns.iter().enumerate())
                .filter(|(_, pattern)| pattern.literals.is_open())
                .map(|(i, _)| i)
                .collect(),
            patterns,
            expansion_terms: tables.synonyms.iter().map(|_| OnceCell::new()).collect(),
            synonyms: tables.synonyms,
            phrases: tables.phrases,
            weights,
            model,
            compile_patterns: AtomicBool::new(false),
        }
    }

    /// Uses the automata built for these patterns (numbered from 0, in entry order), so that they
    /// are not compiled at run time.
    pub fn use_automata(&mut self, automata: Automata) {
        for (number, pattern) in self.patterns.iter_mut().enumerate() {
            pattern.matcher.set_automaton(automata.get(number));
        }
    }

    /// From now on, patterns not used yet are compiled with the regex crate even when they have an
    /// automaton: for many texts, a compiled regex (its lazy DFA scans a text once) is several times
    /// faster than trying the anchored automaton at each start, and its compilation is paid once.
    /// For the same reason the phrases are found with one automaton from now on.
    pub fn prefer_compiled(&self) {
        self.compile_patterns.store(true, Ordering::Relaxed);
        self.phrases.prepare_for_many();
    }

    fn compiles(&self) -> bool {
        self.compile_patterns.load(Ordering::Relaxed)
    }

    /// How many notice patterns the entries have.
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Ranks with another model from now on (cross-validation fits one per fold).
    pub fn set_model(&mut self, model: Model) {
        self.model = model;
    }

    /// Scores the `entries` against one piece of text, best first, each with a confidence. `source`
    /// scores the terms per entry (the index or its term table); `similarities`, a sentence
    /// encoder's, if one is used.
    pub fn rank<'t>(
        &self,
        text: &'t str,
        role: Role,
        entries: &[Entry],
        similarities: Option<&Similarities>,
        source: TermSource<'_>,
    ) -> Result<Ranking<'t>, IndexError> {
        let weights = &self.weights;
        let folded = fold(text);
        let query_terms = analyze(text);
        let found = self.phrases.find(&folded, entries.len());
        let expanded: Vec<&QueryTerm<'_>> = self
            .expansions(&found)
            .into_iter()
            .flat_map(|(group, term)| &self.expansion_terms(group)[term])
            .collect();
        let (lookup, slots) = look_up(&query_terms, &expanded, weights, source)?;
        // The content terms that were looked up count for coverage.
        let mut content: Vec<(usize, f32)> = Vec::with_capacity(query_terms.len());
        content.extend(
            (query_terms.iter().enumerate())
                .filter(|&(i, term)| term.content && slots[i] != Slot::Cut)
                .map(|(i, term)| (i, term.coverage_weight(weights))),
        );

        let mut candidates = self.candidates(&lookup, &folded, &found, entries.len());
        if let Some(similarities) = similarities {
            for &entry in similarities.top(ENCODER_CANDIDATES) {
                candidates.get(entry);
            }
        }
        let ranking = Ranking {
            candidates: Vec::new(),
            terms: query_terms,
            slots,
            lookup,
        };

        let total: f32 = content.iter().map(|&(_, weight)| weight).sum();
        // Per bit, the share of the content terms' weight the entry holds, in one pass.
        let covered = |entry: usize| -> [f32; 3] {
            if total == 0.0 {
                return [0.0; 3];
            }
            // -0.0: where an empty `sum` starts, so that each share is what summing it alone gives.
            let mut sums = [-0.0f32; 3];
            for &(i, weight) in &content {
                let presence = ranking.presence(i, entry);
                for (sum, bit) in sums.iter_mut().zip(COVERAGE_BITS) {
                    if presence & bit != 0 {
                        *sum += weight;
                    }
                }
            }
            sums.map(|sum| sum / total)
        };
        let text_features = TextFeatures {
            on_topic: found.topic,
            rejection_cue: found.rejection_cue,
            latin: latin_share(text),
            content_terms: total,
            chars: text.chars().count(),
            patterns_matched: candidates.list.iter().filter(|(_, f)| f.pattern).count(),
            neighbour_cues: found.neighbour_cues,
            notice_part: role == Role::NoticePart,
            notice_whole: role == Role::NoticeWhole,
        };
        let bare_chars = folded
            .trim_matches(|c: char| !c.is_alphanumeric())
            .chars()
            .count();
        let mut ranked: Vec<Candidate> = candidates
            .list
            .into_iter()
            .map(|(entry, mut features)| {
                [
                    features.name_coverage,
                    features.coverage,
                    features.english_coverage,
                ] = covered(entry);
                features.quoted_whole =
                    features.quoted_chars > 0 && features.quoted_chars >= bare_chars;
                features.kind = Some(entries[entry].kind);
                // Only reasons for returns gain: a general entry about returns must win on its own words.
                features.rejection_cue =
                    found.rejection_cue && entries[entry].kind == Kind::Rejection;
                features.text = text_features;
                if let Some(similarities) = similarities {
                    features.encoder = encoder_features(similarities, entry);
                }
                Candidate {
                    entry,
                    score: weights.score(&features),
                    features,
                    evidence: 0.0,
                    confidence: 0.0,
                }
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.features
                .bm25
                .total_cmp(&a.features.bm25)
                .then(a.entry.cmp(&b.entry))
        });
        let best_bm25 = ranked.first().map_or(0.0, |c| c.features.bm25);
        let best_coverage = ranked
            .iter()
            .map(|c| c.features.coverage)
            .fold(0.0f32, f32::max);
        let best_name_coverage = ranked
            .iter()
            .map(|c| c.features.name_coverage)
            .fold(0.0f32, f32::max);
        for (rank, c) in ranked.iter_mut().enumerate() {
            let f = &mut c.features;
            f.bm25_rank = rank;
            f.relative_bm25 = if best_bm25 > 0.0 {
                f.bm25 / best_bm25
            } else {
                0.0
            };
            f.best_coverage = best_coverage;
            f.best_name_coverage = best_name_coverage;
            c.evidence = self.model.evidence(&f.vector());
        }
        // The evidence decides the order; confidence adds how far the best stands ahead of the next.
        ranked.sort_by(|a, b| {
            b.evidence
                .total_cmp(&a.evidence)
                .then(b.score.total_cmp(&a.score))
                .then(a.entry.cmp(&b.entry))
        });
        let margins = margins(&ranked);
        for (i, (c, margin)) in ranked.iter_mut().zip(margins).enumerate() {
            let logit = if i == 0 {
                self.model
                    .first_logit(&c.features.vector(), c.evidence, margin)
            } else {
                self.model.other_logit(c.evidence, margin)
            };
            c.confidence = crate::model::sigmoid(logit);
        }
        Ok(Ranking {
            candidates: ranked,
            ..ranking
        })
    }

    /// Whether a text says nothing to answer: at most one content term, and it names neither the
    /// topic, nor an entry, nor a notice's wording (`b`, `1`, `DROP`).
    pub fn carries_no_topic(&self, text: &str, entries: usize) -> bool {
        // A text this long holds more than one content term in practice; not analyzing it twice
        // keeps a long notice as fast as before.
        if text.len() > NO_TOPIC_MAX_BYTES {
            return false;
        }
        let folded = fold(text);
        let found = self.phrases.find(&folded, entries);
        if found.topic || found.name_chars.iter().any(|&chars| chars > 0) {
            return false;
        }
        let terms: f32 = analyze(text)
            .iter()
            .filter(|t| t.content)
            .map(|t| t.coverage_weight(&self.weights))
            .sum();
        let pattern = self.admitted(&found).any(|i| {
            self.patterns[i]
                .match_chars(&folded, self.compiles())
                .is_some()
        });
        terms <= 1.0 && !pattern
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
        let mut hits: Vec<(usize, f32)> = Vec::with_capacity(entries);
        hits.extend((lookup.bm25.iter().copied().enumerate()).filter(|&(_, score)| score > 0.0));
        // Best first, ties by entry: a total order, so picking the best few before sorting them
        // gives what sorting all would.
        let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        let best = self.weights.candidates;
        if hits.len() > best {
            hits.select_nth_unstable_by(best, order);
            hits.truncate(best);
        }
        hits.sort_unstable_by(order);
        let mut candidates = Candidates::new(entries);
        for (entry, score) in hits {
            candidates.get(entry).bm25 = score;
        }
        for i in self.admitted(found) {
            let pattern = &self.patterns[i];
            if let Some(chars) = pattern.match_chars(folded, self.compiles()) {
                let features = candidates.get(pattern.entry);
                features.pattern = true;
                features.pattern_chars = features.pattern_chars.max(chars);
            }
        }
        for (entry, &chars) in found.name_chars.iter().enumerate() {
            if chars > 0 {
                candidates.get(entry).quoted_chars = chars;
            }
        }
        candidates
    }

    /// The patterns a text may match, given what the phrase table `found` in it (see
    /// [`Literals::admits`]): those without literals, and those with a literal of each of their sets
    /// found. Only these few are visited, not every pattern.
    fn admitted<'a>(&'a self, found: &'a Found) -> impl Iterator<Item = usize> + 'a {
        // `found.literals` is sorted and free of duplicates: a pattern's run counts its sets found.
        let gated = (found.literals.chunk_by(|a, b| a.0 == b.0)).filter_map(|run| {
            let pattern = run[0].0;
            let sets = self.patterns.get(pattern)?.literals.sets.len();
            (run.len() == sets).then_some(pattern)
        });
        self.open_patterns.iter().copied().chain(gated)
    }

    /// The rows behind a candidate's confidence: the features with their weights as the calibration
    /// scales them, then the margin and the first place, adding up to the confidence's logit.
    pub fn explain<'a>(
        &self,
        ranking: &Ranking,
        entries: &'a [Entry],
        top: usize,
    ) -> Vec<CandidateExplanation<'a>> {
        let margins = margins(&ranking.candidates);
        ranking
            .candidates
            .iter()
            .zip(margins)
            .enumerate()
            .take(top)
            .map(|(i, (c, margin))| {
                let rows = self.model.rows(&c.features.vector(), margin, i == 0);
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
    fn expansion_terms(&self, group: usize) -> &[Vec<QueryTerm<'static>>] {
        self.expansion_terms[group].get_or_init(|| {
            self.synonyms[group]
                .iter()
                .map(|text| {
                    (analyze(text).into_iter())
                        .filter(|t| t.content)
                        .map(QueryTerm::into_owned)
                        .collect()
                })
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

/// Per candidate (in ranked order), its margin: how far the best stands ahead of the second (a lone
/// best stands [`MARGIN_CAP`] ahead), or how far another stands behind the best.
pub fn margins(ranked: &[Candidate]) -> Vec<f32> {
    let first = ranked.first().map_or(0.0, |c| c.evidence);
    let second = ranked.get(1).map_or(first - MARGIN_CAP, |c| c.evidence);
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

/// What the encoder's similarities say of one entry.
fn encoder_features(similarities: &Similarities, entry: usize) -> EncoderFeatures {
    let similarity = similarities.get(entry);
    let rank = similarities.rank(entry);
    let (first, second) = similarities.leaders();
    EncoderFeatures {
        present: true,
        best: similarity.best,
        mean_of_top3: similarity.mean_of_top3,
        rank,
        behind_best: similarity.best - first,
        z: similarities.z_score(entry),
        lead: if rank == 0 { first - second } else { 0.0 },
    }
}

/// The share of the text's letters that are Latin rather than Chinese (0 when it has neither).
fn latin_share(text: &str) -> f32 {
    let (mut latin, mut cjk) = (0usize, 0usize);
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            latin += 1;
        } else if crate::analyzer::is_cjk(c) {
            cjk += 1;
        }
    }
    if latin + cjk == 0 {
        0.0
    } else {
        latin as f32 / (latin + cjk) as f32
    }
}
