//! A question or a pasted notice → ranked answers with confidence. Nothing here prints.
//!
//! Each segment of the text (see [`crate::segment`]) is analyzed into terms, expanded with the synonym
//! table, scored by the index (BM25 with field boosts), and re-scored with evidence the index cannot
//! see: literal notice patterns, entry names quoted in the text, and how much of the text an entry covers.

use crate::index::analyzer::{analyzer, fold, is_cjk};
use crate::index::{Hit, IndexError, SearchIndex, WeightedTerm};
use crate::kb::{Entry, KnowledgeBase};
use crate::segment::Segmenter;
use once_cell::sync::OnceCell;
use regex::Regex;
use std::collections::{HashMap, HashSet};

/// Text beyond this many bytes is not read (a pasted notice is a few KB; this leaves room for many).
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// Below this confidence an answer is not a match (`no_match`, exit 1). Calibrated on the query sets.
pub const MATCH_THRESHOLD: f32 = 0.5;

/// How many candidates the index returns per segment before re-scoring.
const CANDIDATES: usize = 12;

/// Chinese function words and question words: they carry no topic, so they do not count as evidence.
const STOP_CHARS: &str = "的了吗呢吧啊呀哦么是在我你您他她它们这那个有和与及或也都就还又要会能可以怎样如何什为哪请问下把给让对从到很太最该吧嘛";

/// English function words, for the same reason.
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "am", "do", "doe", "did", "i", "my", "me",
    "we", "our", "us", "you", "your", "it", "it'", "its", "they", "their", "to", "of", "in", "on", "at",
    "for", "from", "by", "with", "and", "or", "if", "so", "what", "how", "why", "when", "where", "which",
    "who", "can", "could", "should", "would", "will", "that", "this", "these", "those", "there", "about",
    "becaus", "not", "no", "have", "has", "had", "get", "got", "need", "want", "pleas", "some", "ani",
    "all", "into", "than", "then", "as", "but", "just", "also", "still", "yet", "after", "befor",
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

/// The terms an entry is named by and the terms it contains anywhere.
struct EntryTerms {
    names: HashSet<String>,
    all: HashSet<String>,
}

/// The knowledge base with its index, ready to answer.
pub struct Advisor {
    kb: KnowledgeBase,
    index: SearchIndex,
    /// (entry position, compiled pattern)
    patterns: Vec<(usize, Regex)>,
    /// Per entry: folded title, English title and aliases, for spotting a name quoted in the text.
    names: Vec<Vec<String>>,
    synonyms: Vec<Vec<String>>,
    segmenter: Segmenter,
    terms: Vec<OnceCell<EntryTerms>>,
    /// Folded words that say the text is about a returned filing (notice.toml `rejection_cues`).
    rejection_cues: Vec<String>,
    /// Folded words that mark a text as being about ICP filing (synonyms.toml `topic_terms`).
    topic_terms: Vec<String>,
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

impl Advisor {
    pub fn new(kb: KnowledgeBase) -> Result<Advisor, AdviseError> {
        let index = SearchIndex::build(&kb)?;
        Ok(Advisor::with_index(kb, index))
    }

    /// Uses an index already built (or opened) for this knowledge base.
    pub fn with_index(kb: KnowledgeBase, index: SearchIndex) -> Advisor {
        let mut patterns = Vec::new();
        let mut names = Vec::new();
        for (position, entry) in kb.entries().iter().enumerate() {
            for pattern in &entry.patterns {
                // The linter rejects invalid patterns; one that slips through is simply not used.
                if let Ok(regex) = Regex::new(pattern) {
                    patterns.push((position, regex));
                }
            }
            let mut entry_names: Vec<String> = std::iter::once(&entry.title)
                .chain(std::iter::once(&entry.title_en))
                .chain(&entry.aliases)
                .map(|name| fold(name.trim()))
                .filter(|name| name.chars().count() >= 2)
                .collect();
            entry_names.sort();
            entry_names.dedup();
            names.push(entry_names);
        }
        let synonyms = kb
            .vocabulary
            .synonyms
            .iter()
            .map(|group| group.terms.iter().map(|t| fold(t.trim())).filter(|t| !t.is_empty()).collect())
            .collect();
        let segmenter = Segmenter::new(&kb.vocabulary.boilerplate);
        let terms = kb.entries().iter().map(|_| OnceCell::new()).collect();
        let rejection_cues = kb.vocabulary.rejection_cues.iter().map(|cue| fold(cue.trim())).filter(|cue| !cue.is_empty()).collect();
        let topic_terms = kb.vocabulary.topic_terms.iter().map(|t| fold(t.trim())).filter(|t| !t.is_empty()).collect();
        Advisor {
            rejection_cues,
            topic_terms,
            kb,
            index,
            patterns,
            names,
            synonyms,
            segmenter,
            terms,
        }
    }

    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// Answers a question or a pasted notice; `top` caps the number of results.
    pub fn advise(&self, query: &str, top: usize) -> Result<Advice<'_>, AdviseError> {
        let (text, truncated) = truncate(query, MAX_QUERY_BYTES);
        let query = text.trim().to_string();
        let segments = self.segmenter.segments(&query);

        // The best answer for each segment that has a confident one, then everything else by score.
        let mut primary: Vec<Answer<'_>> = Vec::new();
        let mut pool: Vec<Answer<'_>> = Vec::new();
        let mut texts: Vec<&str> = segments.iter().map(|s| s.text.as_str()).collect();
        if segments.len() > 1 && query.chars().count() <= 600 {
            // A short multi-part text may also be one question: rank it whole too.
            texts.push(&query);
        }
        for text in texts {
            let candidates = self.rank(text)?;
            for (i, candidate) in candidates.into_iter().enumerate() {
                let answer = self.answer(&candidate, text);
                if i == 0 && candidate.confidence >= MATCH_THRESHOLD {
                    primary.push(answer);
                } else {
                    pool.push(answer);
                }
            }
        }
        let by_confidence = |a: &Answer<'_>, b: &Answer<'_>| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(b.score.total_cmp(&a.score))
                .then(a.entry.id.cmp(&b.entry.id))
        };
        primary.sort_by(by_confidence);
        pool.sort_by(by_confidence);
        let mut results: Vec<Answer<'_>> = Vec::new();
        for answer in primary.into_iter().chain(pool) {
            if results.len() >= top {
                break;
            }
            if !results.iter().any(|r| r.entry.id == answer.entry.id) {
                results.push(answer);
            }
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

    fn answer<'a>(&'a self, candidate: &Candidate, segment: &str) -> Answer<'a> {
        let entry = &self.kb.entries()[candidate.entry];
        Answer {
            entry,
            score: round(candidate.score, 3),
            confidence: round(candidate.confidence, 3),
            segment: segment.to_string(),
            matched: self.matched_spans(candidate.entry, segment),
        }
    }

    /// Scores the entries against one piece of text, best first, each with a confidence.
    fn rank(&self, text: &str) -> Result<Vec<Candidate>, AdviseError> {
        let folded = fold(text);
        let query_terms = analyze(text);
        let content: Vec<&QueryTerm> = query_terms.iter().filter(|t| t.content).collect();

        let mut weighted: HashMap<String, f32> = HashMap::new();
        let mut add = |text: &str, weight: f32| {
            let slot = weighted.entry(text.to_string()).or_insert(0.0);
            *slot = slot.max(weight);
        };
        for term in &query_terms {
            let weight = match (term.content, term.unigram) {
                (true, false) => 1.0,
                (true, true) => 0.6,
                (false, false) => 0.25,
                (false, true) => 0.1,
            };
            add(&term.text, weight);
        }
        for expansion in self.expansions(&folded) {
            for term in analyze(&expansion) {
                if term.content {
                    add(&term.text, if term.unigram { 0.3 } else { 0.6 });
                }
            }
        }
        let mut terms: Vec<WeightedTerm> = weighted
            .into_iter()
            .map(|(text, weight)| WeightedTerm { text, weight })
            .collect();
        terms.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.text.cmp(&b.text)));
        terms.truncate(400);

        let hits: Vec<Hit> = self.index.search(&terms, CANDIDATES)?;
        let mut candidates: HashMap<usize, Candidate> = HashMap::new();
        let new = |entry: usize| Candidate {
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
        };
        for hit in hits {
            candidates.entry(hit.entry).or_insert_with(|| new(hit.entry)).bm25 = hit.score;
        }
        for (entry, regex) in &self.patterns {
            if regex.is_match(&folded) {
                candidates.entry(*entry).or_insert_with(|| new(*entry)).pattern = true;
            }
        }
        for (entry, names) in self.names.iter().enumerate() {
            let longest = names
                .iter()
                .filter(|name| contains_name(&folded, name))
                .map(|name| name.chars().count())
                .max();
            if let Some(chars) = longest {
                candidates.entry(entry).or_insert_with(|| new(entry)).name_chars = chars;
            }
        }

        let on_topic = self.topic_terms.iter().any(|term| contains_name(&folded, term));
        let rejected = self.rejection_cues.iter().any(|cue| contains_name(&folded, cue));
        let total: f32 = content.iter().map(|t| term_weight(t)).sum();
        let mut ranked: Vec<Candidate> = candidates
            .into_values()
            .map(|mut c| {
                let terms = self.entry_terms(c.entry);
                if total > 0.0 {
                    let covered = |set: &HashSet<String>| {
                        content
                            .iter()
                            .filter(|t| set.contains(&t.text))
                            .map(|t| term_weight(t))
                            .sum::<f32>()
                            / total
                    };
                    c.name_cov = covered(&terms.names);
                    c.any_cov = covered(&terms.all);
                }
                c.on_topic = on_topic;
                c.rejection_cue = rejected && self.kb.entries()[c.entry].kind == crate::kb::Kind::Rejection;
                c.score = c.bm25
                    + if c.pattern { 12.0 } else { 0.0 }
                    + 1.5 * (c.name_chars.min(10) as f32);
                c
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));

        let best_bm25 = ranked.iter().map(|c| c.bm25).fold(0.0f32, f32::max);
        for c in &mut ranked {
            c.relative = if best_bm25 > 0.0 { c.bm25 / best_bm25 } else { 0.0 };
            c.evidence = evidence(c);
        }
        // The evidence decides the order; confidence adds how far the best stands ahead of the next.
        ranked.sort_by(|a, b| b.evidence.total_cmp(&a.evidence).then(b.score.total_cmp(&a.score)).then(a.entry.cmp(&b.entry)));
        let first = ranked.first().map_or(0.0, |c| c.evidence);
        let second = ranked.get(1).map_or(first - 2.0, |c| c.evidence);
        for (i, c) in ranked.iter_mut().enumerate() {
            let margin = if i == 0 { first - second } else { c.evidence - first };
            c.confidence = 1.0 / (1.0 + (-(c.evidence + W.margin * margin.clamp(-2.0, 2.0))).exp());
        }
        Ok(ranked)
    }

    /// The evidence behind the ranking of one text, one line per candidate (for `beian ask --explain`).
    pub fn explain(&self, text: &str) -> Result<Vec<String>, AdviseError> {
        let (text, _) = truncate(text, MAX_QUERY_BYTES);
        let mut lines = Vec::new();
        for segment in self.segmenter.segments(text) {
            lines.push(format!("segment: {}", segment.text));
            for c in self.rank(&segment.text)?.iter().take(8) {
                lines.push(format!(
                    "  {:<40} conf={:.3} evidence={:.2} bm25={:.2} rel={:.2} names={:.2} all={:.2} pattern={} quoted={} rejection_cue={} on_topic={}",
                    self.kb.entries()[c.entry].id, c.confidence, c.evidence, c.bm25, c.relative, c.name_cov, c.any_cov, c.pattern, c.name_chars, c.rejection_cue, c.on_topic
                ));
            }
        }
        Ok(lines)
    }

    /// The other terms of every synonym group one of whose terms the text contains.
    fn expansions(&self, folded: &str) -> Vec<String> {
        let mut out = Vec::new();
        for group in &self.synonyms {
            if group.iter().any(|term| contains_name(folded, term)) {
                out.extend(group.iter().filter(|term| !contains_name(folded, term)).cloned());
            }
        }
        out
    }

    fn entry_terms(&self, position: usize) -> &EntryTerms {
        self.terms[position].get_or_init(|| {
            let entry = &self.kb.entries()[position];
            let mut names = HashSet::new();
            for name in std::iter::once(&entry.title)
                .chain(std::iter::once(&entry.title_en))
                .chain(&entry.aliases)
                .chain(&entry.symptoms)
            {
                names.extend(analyze(name).into_iter().map(|t| t.text));
            }
            for pattern in &entry.patterns {
                names.extend(analyze(&pattern_literals(pattern)).into_iter().map(|t| t.text));
            }
            let mut all = names.clone();
            all.extend(analyze(&entry.body_text()).into_iter().map(|t| t.text));
            EntryTerms { names, all }
        })
    }

    /// The spans of `segment` whose terms the entry contains, merged where they touch.
    fn matched_spans(&self, position: usize, segment: &str) -> Vec<String> {
        let terms = self.entry_terms(position);
        let mut ranges: Vec<(usize, usize)> = analyze(segment)
            .into_iter()
            .filter(|t| t.content && !t.unigram && terms.all.contains(&t.text))
            .map(|t| t.offsets)
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
        + if c.rejection_cue { w.rejection_cue } else { 0.0 }
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

/// Whether `name` occurs in `folded`; a Latin name must stand as whole words.
fn contains_name(folded: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    if name.chars().any(is_cjk) {
        return folded.contains(name);
    }
    folded.match_indices(name).any(|(start, _)| {
        let before = folded[..start].chars().next_back();
        let after = folded[start + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The literal runs of a regular expression, joined by spaces (for counting what a pattern names).
fn pattern_literals(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| if c.is_alphanumeric() || is_cjk(c) { c } else { ' ' })
        .collect()
}

fn is_stop_char(c: char) -> bool {
    STOP_CHARS.contains(c)
}

/// Analyzes text into query terms, marking which are evidence.
fn analyze(text: &str) -> Vec<QueryTerm> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while let Some(token) = stream.next() {
        let mut chars = token.text.chars();
        let first = chars.next().unwrap_or(' ');
        let second = chars.next();
        let (content, unigram) = if is_cjk(first) {
            match second {
                // A bigram is evidence unless both characters are function words.
                Some(second) => (!(is_stop_char(first) && is_stop_char(second)), false),
                // A lone character is evidence only when it stands alone in its run (e.g. "个人 站").
                None => {
                    let alone = text[..token.offset_from].chars().next_back().is_none_or(|c| !is_cjk(c))
                        && text[token.offset_to..].chars().next().is_none_or(|c| !is_cjk(c));
                    (alone && !is_stop_char(first), true)
                }
            }
        } else {
            (!STOP_WORDS.contains(&token.text.as_str()), false)
        };
        terms.push(QueryTerm {
            text: token.text.clone(),
            offsets: (token.offset_from, token.offset_to),
            content,
            unigram,
        });
    }
    terms
}
