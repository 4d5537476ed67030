//! A question or a pasted notice → ranked answers with confidence. Nothing here prints.
//!
//! Each segment of the text (see [`crate::segment`]) is analyzed into terms, expanded with the synonym
//! table, scored by the index (BM25 with field boosts), and re-scored with evidence the index cannot
//! see: literal notice patterns, entry names quoted in the text, and how much of the text an entry covers.

use crate::index::analyzer::{analyzer, fold, is_cjk};
use crate::index::prefilter::Literals;
use crate::index::table::TermTable;
use crate::index::{IndexError, Lookup, Presence, SearchIndex, WeightedTerm, ANYWHERE, NAMED};
use crate::kb::{Entry, KnowledgeBase};
use crate::phrases::{Found, Phrases};
use crate::prepare::Prepared;
use crate::segment::Segmenter;
use once_cell::sync::OnceCell;
use regex::Regex;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use tantivy::tokenizer::TextAnalyzer;

/// Text beyond this many bytes is not read (a pasted notice is a few KB; this leaves room for many).
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// Below this confidence an answer is not a match (`no_match`, exit 1). Calibrated on the query sets.
pub const MATCH_THRESHOLD: f32 = 0.5;

/// How many candidates the index returns per segment before re-scoring.
const CANDIDATES: usize = 12;

/// At most this many distinct terms of one text are searched (a pasted notice rarely has half as many).
const MAX_TERMS: usize = 400;

/// Chinese function words and question words: they carry no topic, so they do not count as evidence.
const STOP_CHARS: &str = "的了吗呢吧啊呀哦么是在我你您他她它们这那个有和与及或也都就还又要会能可以怎样如何什为哪请问下把给让对从到很太最该吧嘛咋啥";

/// English function words, for the same reason.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "am", "do", "doe", "did", "i",
    "my", "me", "we", "our", "us", "you", "your", "it", "it'", "its", "they", "their", "to", "of",
    "in", "on", "at", "for", "from", "by", "with", "and", "or", "if", "so", "what", "how", "why",
    "when", "where", "which", "who", "can", "could", "should", "would", "will", "that", "this",
    "these", "those", "there", "about", "becaus", "not", "no", "have", "has", "had", "get", "got",
    "need", "want", "pleas", "some", "ani", "all", "into", "than", "then", "as", "but", "just",
    "also", "still", "yet", "after", "befor",
];

#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Whether the best answer is confident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Match,
    NoMatch,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Match => "match",
            Status::NoMatch => "no_match",
        }
    }
}

/// One ranked answer.
#[derive(Debug, Clone)]
pub struct Answer<'a> {
    pub entry: &'a Entry,
    /// The engine's raw score (index score plus pattern and name evidence).
    pub score: f32,
    /// 0..1; at or above [`MATCH_THRESHOLD`] the answer is a match.
    pub confidence: f32,
    /// The part of the query this answer is for.
    pub segment: String,
    /// Spans of the query that matched the entry.
    pub matched: Vec<String>,
}

/// The answer to one query.
#[derive(Debug, Clone)]
pub struct Advice<'a> {
    pub query: String,
    pub status: Status,
    pub results: Vec<Answer<'a>>,
    /// Whether the query was cut at [`MAX_QUERY_BYTES`].
    pub truncated: bool,
}

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
                .get_or_init(|| crate::index::prefilter::compile(&self.source))
                .as_ref()
                .is_some_and(|regex| regex.is_match(folded))
    }
}

/// One text scored: the candidates, best first, and what the scoring learned about the text's terms.
struct Ranking {
    candidates: Vec<Candidate>,
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
}

/// The knowledge base with its index, ready to answer.
pub struct Advisor {
    kb: KnowledgeBase,
    index: SearchIndex,
    patterns: Vec<Pattern>,
    /// Folded synonym groups.
    synonyms: Vec<Vec<String>>,
    /// Per synonym group, per term: its content terms, analyzed on first use.
    expansion_terms: Vec<OnceCell<Vec<Vec<QueryTerm>>>>,
    /// Entry names, synonyms, topic terms, rejection cues and pattern literals, found in one pass.
    phrases: Phrases,
    segmenter: Segmenter,
    /// The index as a table, for many queries (see [`Advisor::prepare_for_many`]).
    table: OnceCell<TermTable>,
}

/// An analyzed query term.
#[derive(Debug, Clone)]
struct QueryTerm {
    text: String,
    offsets: (usize, usize),
    /// Counts as evidence (not a stop word, not a lone character inside a longer CJK run).
    content: bool,
    unigram: bool,
}

/// A candidate during scoring.
#[derive(Debug, Clone)]
struct Candidate {
    entry: usize,
    bm25: f32,
    pattern: bool,
    name_chars: usize,
    name_cov: f32,
    any_cov: f32,
    /// The text says the filing was returned and this entry is a reason for returns.
    rejection_cue: bool,
    /// The text names the topic (ICP filing) at all.
    on_topic: bool,
    /// BM25 relative to the best candidate's (0..1).
    relative: f32,
    score: f32,
    /// The weighted evidence (a logit): the ranking key.
    evidence: f32,
    confidence: f32,
}

/// The candidates of one text, each entry at most once, in the order first seen.
struct Candidates {
    list: Vec<Candidate>,
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

    /// The entry's candidate, added if it is not one yet.
    fn get(&mut self, entry: usize) -> &mut Candidate {
        if self.position[entry] == usize::MAX {
            self.position[entry] = self.list.len();
            self.list.push(Candidate::new(entry));
        }
        &mut self.list[self.position[entry]]
    }
}

impl Candidate {
    fn new(entry: usize) -> Candidate {
        Candidate {
            entry,
            bm25: 0.0,
            pattern: false,
            name_chars: 0,
            name_cov: 0.0,
            any_cov: 0.0,
            rejection_cue: false,
            on_topic: false,
            relative: 0.0,
            evidence: 0.0,
            score: 0.0,
            confidence: 0.0,
        }
    }
}

impl Advisor {
    /// The built-in knowledge base, from the index and entries compiled into the binary.
    pub fn builtin() -> Result<Advisor, AdviseError> {
        let compiled = crate::builtin::compiled();
        let index = crate::builtin::index()?;
        Ok(Advisor::from_parts(compiled.kb, index, compiled.prepared))
    }

    /// Any knowledge base: indexes it in memory first.
    pub fn new(kb: KnowledgeBase) -> Result<Advisor, AdviseError> {
        let index = SearchIndex::build(&kb)?;
        let prepared = Prepared::new(&kb);
        Ok(Advisor::from_parts(kb, index, prepared))
    }

    /// A knowledge base with its index and prepared data (which must have been made from it).
    pub fn from_parts(kb: KnowledgeBase, index: SearchIndex, prepared: Prepared) -> Advisor {
        let mut patterns = Vec::new();
        for ((position, entry), literals) in kb.entries().iter().enumerate().zip(prepared.literals)
        {
            for (source, literals) in entry.patterns.iter().zip(literals) {
                patterns.push(Pattern {
                    entry: position,
                    source: source.clone(),
                    literals,
                    regex: OnceCell::new(),
                });
            }
        }
        let segmenter = Segmenter::prepared(
            &kb.vocabulary.boilerplate,
            prepared.boilerplate,
            prepared.boilerplate_gate,
        );
        Advisor {
            phrases: prepared.phrases,
            kb,
            index,
            patterns,
            expansion_terms: prepared.synonyms.iter().map(|_| OnceCell::new()).collect(),
            synonyms: prepared.synonyms,
            segmenter,
            table: OnceCell::new(),
        }
    }

    /// Readies the advisor for many queries (triage, the REPL, `eval`): reads the whole index into a
    /// table once, which makes every later query several times cheaper. A one-shot `ask` skips it.
    pub fn prepare_for_many(&self) -> Result<(), AdviseError> {
        self.table
            .get_or_try_init(|| TermTable::build(&self.index))
            .map(|_| ())
            .map_err(AdviseError::from)
    }

    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// How the advisor splits a notice into its reasons.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// Answers a question or a pasted notice; `top` caps the number of results.
    pub fn advise(&self, query: &str, top: usize) -> Result<Advice<'_>, AdviseError> {
        let (text, truncated) = truncate(query, MAX_QUERY_BYTES);
        let query = text.trim().to_string();
        let segments = self.segmenter.segments(&query);

        let mut texts: Vec<&str> = segments.iter().map(|s| s.text.as_str()).collect();
        if segments.len() > 1 && query.chars().count() <= 600 {
            // A short multi-part text may also be one question: rank it whole too.
            texts.push(&query);
        }
        let rankings: Vec<Ranking> = texts
            .iter()
            .map(|text| self.rank(text))
            .collect::<Result<_, _>>()?;

        // The best answer of each text that has a confident one comes first, then everything else;
        // within each group, by confidence.
        let mut picks: Vec<(bool, usize, usize)> = Vec::new();
        for (r, ranking) in rankings.iter().enumerate() {
            for (c, candidate) in ranking.candidates.iter().enumerate() {
                picks.push((c == 0 && candidate.confidence >= MATCH_THRESHOLD, r, c));
            }
        }
        let candidate = |&(_, r, c): &(bool, usize, usize)| &rankings[r].candidates[c];
        picks.sort_by(|a, b| {
            let (x, y) = (candidate(a), candidate(b));
            b.0.cmp(&a.0)
                .then(y.confidence.total_cmp(&x.confidence))
                .then(y.score.total_cmp(&x.score))
                .then(x.entry.cmp(&y.entry))
        });
        let mut results: Vec<Answer<'_>> = Vec::new();
        for pick in &picks {
            if results.len() >= top {
                break;
            }
            let chosen = candidate(pick);
            let entry = &self.kb.entries()[chosen.entry];
            if results.iter().any(|r| r.entry.id == entry.id) {
                continue;
            }
            // An entry that is also the confident best of one reason answers that reason, not the whole.
            let r = rankings
                .iter()
                .take(segments.len())
                .position(|ranking| {
                    ranking.candidates.first().is_some_and(|best| {
                        best.entry == chosen.entry && best.confidence >= MATCH_THRESHOLD
                    })
                })
                .unwrap_or(pick.1);
            results.push(self.answer(chosen, texts[r], &rankings[r]));
        }
        let status = match results.first() {
            Some(best) if best.confidence >= MATCH_THRESHOLD => Status::Match,
            _ => Status::NoMatch,
        };
        Ok(Advice {
            query,
            status,
            results,
            truncated,
        })
    }

    fn answer<'a>(&'a self, candidate: &Candidate, segment: &str, ranking: &Ranking) -> Answer<'a> {
        let entry = &self.kb.entries()[candidate.entry];
        Answer {
            entry,
            score: round(candidate.score, 3),
            confidence: round(candidate.confidence, 3),
            segment: segment.to_string(),
            matched: matched_spans(candidate.entry, segment, ranking),
        }
    }

    /// Scores the entries against one piece of text, best first, each with a confidence.
    fn rank(&self, text: &str) -> Result<Ranking, AdviseError> {
        let entries = self.kb.entries().len();
        let folded = fold(text);
        let query_terms = analyze(text);
        let found = self.phrases.find(&folded, entries);
        let expanded: Vec<&QueryTerm> = self
            .expansions(&found)
            .into_iter()
            .flat_map(|(group, term)| &self.expansion_terms(group)[term])
            .collect();

        let mut weighted: FxHashMap<&str, f32> = FxHashMap::default();
        weighted.reserve(query_terms.len() + expanded.len());
        let query_weights = query_terms.iter().map(|term| {
            let weight = match (term.content, term.unigram) {
                (true, false) => 1.0,
                (true, true) => 0.6,
                (false, false) => 0.25,
                (false, true) => 0.1,
            };
            (term, weight)
        });
        let expanded_weights = expanded
            .iter()
            .map(|&term| (term, if term.unigram { 0.3 } else { 0.6 }));
        for (term, weight) in query_weights.chain(expanded_weights) {
            let slot = weighted.entry(term.text.as_str()).or_insert(0.0);
            *slot = slot.max(weight);
        }
        let mut terms: Vec<WeightedTerm<'_>> = weighted
            .into_iter()
            .map(|(text, weight)| WeightedTerm { text, weight })
            .collect();
        terms.sort_unstable_by(|a, b| b.weight.total_cmp(&a.weight).then(a.text.cmp(b.text)));
        terms.truncate(MAX_TERMS);

        let lookup = match self.table.get() {
            Some(table) => table.lookup(&terms),
            None => self.index.lookup(&terms)?,
        };
        let positions: FxHashMap<&str, usize> = terms
            .iter()
            .enumerate()
            .map(|(i, term)| (term.text, i))
            .collect();
        let slots: Vec<Option<usize>> = query_terms
            .iter()
            .map(|term| positions.get(term.text.as_str()).copied())
            .collect();
        // The content terms that were looked up count for coverage.
        let content: Vec<(usize, f32)> = query_terms
            .iter()
            .enumerate()
            .filter(|&(i, term)| term.content && slots[i].is_some())
            .map(|(i, term)| (i, term_weight(term)))
            .collect();

        let mut hits: Vec<(usize, f32)> = lookup
            .bm25
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, score)| score > 0.0)
            .collect();
        hits.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(CANDIDATES);
        let mut candidates = Candidates::new(entries);
        for (entry, score) in hits {
            candidates.get(entry).bm25 = score;
        }
        for (i, pattern) in self.patterns.iter().enumerate() {
            if pattern.is_match(&folded, pattern.literals.admits(i, &found)) {
                candidates.get(pattern.entry).pattern = true;
            }
        }
        for (entry, &chars) in found.name_chars.iter().enumerate() {
            if chars > 0 {
                candidates.get(entry).name_chars = chars;
            }
        }
        let ranking = Ranking {
            candidates: Vec::new(),
            terms: query_terms,
            slots,
            lookup,
        };

        let on_topic = found.topic;
        let rejected = found.rejection_cue;
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
            .map(|mut c| {
                c.name_cov = covered(c.entry, NAMED);
                c.any_cov = covered(c.entry, ANYWHERE);
                c.on_topic = on_topic;
                // Only reasons for returns gain: a general entry about returns must win on its own words.
                c.rejection_cue =
                    rejected && self.kb.entries()[c.entry].kind == crate::kb::Kind::Rejection;
                c.score = c.bm25
                    + if c.pattern { 12.0 } else { 0.0 }
                    + 1.5 * (c.name_chars.min(10) as f32);
                c
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));

        let best_bm25 = ranked.iter().map(|c| c.bm25).fold(0.0f32, f32::max);
        for c in &mut ranked {
            c.relative = if best_bm25 > 0.0 {
                c.bm25 / best_bm25
            } else {
                0.0
            };
            c.evidence = evidence(c);
        }
        // The evidence decides the order; confidence adds how far the best stands ahead of the next.
        ranked.sort_by(|a, b| {
            b.evidence
                .total_cmp(&a.evidence)
                .then(b.score.total_cmp(&a.score))
                .then(a.entry.cmp(&b.entry))
        });
        let first = ranked.first().map_or(0.0, |c| c.evidence);
        let second = ranked.get(1).map_or(first - 2.0, |c| c.evidence);
        for (i, c) in ranked.iter_mut().enumerate() {
            let margin = if i == 0 {
                first - second
            } else {
                c.evidence - first
            };
            c.confidence = 1.0 / (1.0 + (-(c.evidence + W.margin * margin.clamp(-2.0, 2.0))).exp());
        }
        Ok(Ranking {
            candidates: ranked,
            ..ranking
        })
    }

    /// The evidence behind the ranking of one text, one line per candidate (for `beian ask --explain`).
    pub fn explain(&self, text: &str) -> Result<Vec<String>, AdviseError> {
        let (text, _) = truncate(text, MAX_QUERY_BYTES);
        let mut lines = Vec::new();
        for segment in self.segmenter.segments(text) {
            lines.push(format!("segment: {}", segment.text));
            for c in self.rank(&segment.text)?.candidates.iter().take(8) {
                lines.push(format!(
                    "  {:<40} conf={:.3} evidence={:.2} bm25={:.2} rel={:.2} names={:.2} all={:.2} pattern={} quoted={} rejection_cue={} on_topic={}",
                    self.kb.entries()[c.entry].id, c.confidence, c.evidence, c.bm25, c.relative, c.name_cov, c.any_cov, c.pattern, c.name_chars, c.rejection_cue, c.on_topic
                ));
            }
        }
        Ok(lines)
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

/// Weights of the evidence, set by hand on the dev query set (see `beian eval`): coverage of the question
/// by the entry's names matters most, then literal pattern hits and quoted names, then the index score
/// relative to the best candidate's.
struct Weights {
    bias: f32,
    names: f32,
    all: f32,
    relative: f32,
    pattern: f32,
    quoted: f32,
    rejection_cue: f32,
    on_topic: f32,
    margin: f32,
}

const W: Weights = Weights {
    bias: -4.0,
    names: 3.0,
    all: 4.0,
    relative: 1.0,
    pattern: 3.0,
    quoted: 0.35,
    rejection_cue: 1.5,
    on_topic: 2.0,
    margin: 0.5,
};

/// The evidence for a candidate, as a logit.
fn evidence(c: &Candidate) -> f32 {
    let w = &W;
    w.bias
        + w.names * c.name_cov
        + w.all * c.any_cov
        + w.relative * c.relative
        + if c.pattern { w.pattern } else { 0.0 }
        + w.quoted * (c.name_chars.min(8) as f32)
        + if c.rejection_cue {
            w.rejection_cue
        } else {
            0.0
        }
        + if c.on_topic { w.on_topic } else { 0.0 }
}

fn term_weight(term: &QueryTerm) -> f32 {
    if term.unigram {
        0.5
    } else {
        1.0
    }
}

fn round(value: f32, digits: i32) -> f32 {
    let factor = 10f32.powi(digits);
    (value * factor).round() / factor
}

/// Cuts `text` at `max` bytes on a character boundary.
pub fn truncate(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

/// The spans of `segment` whose terms the entry contains, merged where they touch.
fn matched_spans(entry: usize, segment: &str, ranking: &Ranking) -> Vec<String> {
    let mut ranges: Vec<(usize, usize)> = ranking
        .terms
        .iter()
        .enumerate()
        .filter(|&(i, t)| t.content && !t.unigram && ranking.presence(i, entry) != 0)
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
        let span = segment[start..end].to_string();
        if !spans.contains(&span) {
            spans.push(span);
        }
    }
    spans
}

fn is_stop_char(c: char) -> bool {
    STOP_CHARS.contains(c)
}

thread_local! {
    /// Building an analyzer (its filter chain and stemmer) for every text cost more than analyzing it.
    static ANALYZER: RefCell<TextAnalyzer> = RefCell::new(analyzer());
}

/// Analyzes text into query terms, marking which are evidence.
fn analyze(text: &str) -> Vec<QueryTerm> {
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
            (!STOP_WORDS.contains(&token.text.as_str()), false)
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
