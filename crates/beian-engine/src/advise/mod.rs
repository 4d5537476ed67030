//! A question or a pasted notice → ranked answers with confidence. Nothing here prints.
//!
//! The text is split into its reasons (see [`crate::segment`]); each is ranked against the entries
//! (see [`crate::rank`]), and the best answer of each reason comes first.

use crate::compiled::Compiled;
use crate::index::table::{FrozenTable, TermTable};
use crate::index::{IndexError, SearchIndex, TermSource};
use crate::kb::{Entry, KnowledgeBase, Registry};
use crate::matching::Automata;
pub use crate::rank::MATCH_THRESHOLD;
use crate::rank::{
    Candidate, Model, Ranker, Ranking, Role, SegmentExplanation, Weights, FEATURE_COUNT,
};
use crate::segment::Segmenter;
use crate::semantic::{EmbedError, Semantic, Similarities};
use once_cell::sync::OnceCell;

/// One row a model is fitted on: a candidate's features and whether it is a right answer.
pub type FitRow = ([f32; FEATURE_COUNT], bool);

/// Text beyond this many bytes is not read (a pasted notice is a few KB; this leaves room for many).
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Embed(#[from] EmbedError),
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
    /// The knowledge base's source registry: what the results' source keys stand for.
    pub sources: &'a Registry,
}

/// The knowledge base with its index, ready to answer.
pub struct Advisor {
    kb: KnowledgeBase,
    index: Scores,
    ranker: Ranker,
    segmenter: Segmenter,
    /// The index as a table, for many queries (see [`Advisor::prepare_for_many`]).
    table: OnceCell<TermTable>,
    /// A sentence encoder with the entries' vectors, if one is used (see [`Advisor::set_semantic`]).
    semantic: Option<Semantic>,
}

/// Where each term's scores per entry are read from.
enum Scores {
    /// The tantivy index.
    Index(SearchIndex),
    /// The table the build made from the index, read in place: nothing to open.
    Frozen(FrozenTable),
}

impl Advisor {
    /// Any knowledge base: indexes it in memory first.
    pub fn new(kb: KnowledgeBase) -> Result<Advisor, AdviseError> {
        let index = SearchIndex::build(&kb)?;
        Ok(Advisor::from_compiled(Compiled::new(kb), index))
    }

    /// A compiled knowledge base with its index (which must have been built from it).
    pub fn from_compiled(compiled: Compiled, index: SearchIndex) -> Advisor {
        Advisor::with_scores(compiled, Scores::Index(index))
    }

    fn with_scores(compiled: Compiled, index: Scores) -> Advisor {
        let Compiled { kb, tables } = compiled;
        let segmenter = Segmenter::prepared(&kb.vocabulary.boilerplate, tables.boilerplate);
        let model = kb.ranker.clone().unwrap_or_else(Model::prior);
        Advisor {
            ranker: Ranker::new(kb.entries(), tables.ranker, Weights::DEFAULT, model),
            kb,
            index,
            segmenter,
            table: OnceCell::new(),
            semantic: None,
        }
    }

    /// Reads meaning too from now on: the encoder's similarities become features, and the model
    /// fitted with them (the knowledge base's `ranker-encoder.toml`) ranks. Without such a model
    /// the lexical one keeps ranking and reads none of them (`kb fit` then fits one).
    pub fn set_semantic(&mut self, semantic: Semantic) {
        if let Some(model) = &self.kb.ranker_encoder {
            self.ranker.set_model(model.clone());
        }
        self.semantic = Some(semantic);
    }

    /// The sentence encoder in use, if any.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_ref()
    }

    /// Ranks each piece of a text. With an encoder, the pieces that no notice pattern decides are
    /// embedded (in one batch) and ranked again with the encoder's similarities; a piece whose
    /// wording a notice pattern matches is decided by words, and embedding it would only cost time
    /// (the encoder's model is fitted the same way, so its weights expect it).
    fn rank_pieces<'t>(&self, pieces: &[(&'t str, Role)]) -> Result<Vec<Ranking<'t>>, AdviseError> {
        let mut rankings: Vec<Ranking<'t>> = pieces
            .iter()
            .map(|&(text, role)| self.rank(text, role, None))
            .collect::<Result<_, _>>()?;
        let Some(semantic) = &self.semantic else {
            return Ok(rankings);
        };
        let open: Vec<usize> = (0..pieces.len())
            .filter(|&i| !rankings[i].decided_by_pattern())
            .collect();
        if open.is_empty() {
            return Ok(rankings);
        }
        let texts: Vec<&str> = open.iter().map(|&i| pieces[i].0).collect();
        let similarities = semantic.similarities(&texts, self.kb.entries().len())?;
        for (&i, similarities) in open.iter().zip(&similarities) {
            let (text, role) = pieces[i];
            rankings[i] = self.rank(text, role, Some(similarities))?;
        }
        Ok(rankings)
    }

    /// A compiled knowledge base with the frozen term table of its index (see [`FrozenTable`]):
    /// answers exactly as [`Advisor::from_compiled`] with that index does.
    pub fn from_frozen(compiled: Compiled, table: FrozenTable) -> Advisor {
        Advisor::with_scores(compiled, Scores::Frozen(table))
    }

    /// Uses the automata the build compiled for the knowledge base's patterns (see
    /// [`crate::tables::automata`]): the entries' notice patterns, then the boilerplate patterns.
    pub fn with_automata(mut self, automata: Automata) -> Advisor {
        self.ranker.use_automata(automata);
        let first = self.ranker.pattern_count();
        self.segmenter.use_automata(automata, first);
        self
    }

    /// Readies the advisor for many queries (triage, the REPL, `eval`): reads the whole index into a
    /// hashed table once, which makes every later query several times cheaper, and has patterns
    /// compiled rather than searched with their automata, and phrases found with one automaton
    /// (see [`Ranker::prefer_compiled`]). A
    /// one-shot `ask` skips it.
    pub fn prepare_for_many(&self) -> Result<(), AdviseError> {
        self.ranker.prefer_compiled();
        self.segmenter.prefer_compiled();
        self.table
            .get_or_try_init(|| match &self.index {
                Scores::Index(index) => TermTable::build(index),
                Scores::Frozen(frozen) => Ok(TermTable::thaw(frozen)),
            })
            .map(|_| ())
            .map_err(AdviseError::from)
    }

    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The model that orders candidates and gives their confidence.
    pub fn model(&self) -> &Model {
        self.ranker.model()
    }

    /// Answers with another model from now on (`kb fit` scores each fold's).
    pub fn set_model(&mut self, model: Model) {
        self.ranker.set_model(model);
    }

    /// How the advisor splits a notice into its reasons.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The pieces of a text the advisor ranks: each reason of a notice, and a short notice also whole
    /// (it may be one question), each with its role. A text that says nothing to answer ([`Ranker::carries_no_topic`]) has no pieces.
    fn pieces<'q>(
        &self,
        query: &'q str,
        segments: &'q [crate::segment::Segment],
    ) -> Vec<(&'q str, Role)> {
        if self.ranker.carries_no_topic(query, self.kb.entries().len()) {
            return Vec::new();
        }
        match segments {
            [] => return Vec::new(),
            // What boilerplate removal left may have lost the words that ask (备案被驳回了怎么办):
            // the text is ranked whole too.
            [only] if only.text != query => {
                return vec![
                    (only.text.as_str(), Role::Whole),
                    (query, Role::NoticeWhole),
                ];
            }
            [only] => return vec![(only.text.as_str(), Role::Whole)],
            _ => {}
        }
        let mut pieces: Vec<(&str, Role)> = segments
            .iter()
            .map(|s| (s.text.as_str(), Role::NoticePart))
            .collect();
        if query.chars().count() <= self.ranker.weights().whole_text_max_chars {
            pieces.push((query, Role::NoticeWhole));
        }
        pieces
    }

    /// The rows a model is fitted on: per piece of the text the advisor ranks, each candidate's
    /// features and whether its entry is one of `expected`.
    pub fn fit_rows(
        &self,
        query: &str,
        expected: &[String],
    ) -> Result<Vec<Vec<FitRow>>, AdviseError> {
        let (text, _) = truncate(query, MAX_QUERY_BYTES);
        let query = text.trim();
        let segments = self.segmenter.segments(query);
        let entries = self.kb.entries();
        let pieces = self.pieces(query, &segments);
        let rankings = self.rank_pieces(&pieces)?;
        Ok(rankings
            .iter()
            .map(|ranking| {
                ranking
                    .candidates
                    .iter()
                    .map(|c| {
                        let id = &entries[c.entry].id;
                        (c.features.vector(), expected.iter().any(|e| e == id))
                    })
                    .collect()
            })
            .collect())
    }

    /// Answers a question or a pasted notice; `top` caps the number of results.
    pub fn advise(&self, query: &str, top: usize) -> Result<Advice<'_>, AdviseError> {
        let (text, truncated) = truncate(query, MAX_QUERY_BYTES);
        let query = text.trim().to_string();
        let (segments, notice) = self.segmenter.split(&query);
        let pieces = self.pieces(&query, &segments);
        let rankings = self.rank_pieces(&pieces)?;

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
        // A notice whose every reason has a confident answer is answered reason by reason: those
        // answers (and the whole notice's best, if confident), not their runners-up. A notice with
        // an unsure reason keeps them, and so does a post of several lines without a notice's
        // numbering or boilerplate.
        let every_reason_answered = rankings.iter().take(segments.len()).all(|ranking| {
            ranking
                .candidates
                .first()
                .is_some_and(|best| best.confidence >= MATCH_THRESHOLD)
        });
        if notice && segments.len() > 1 && every_reason_answered {
            picks.retain(|&(confident, _, _)| confident);
        }
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
            results.push(self.answer(chosen, pieces[r].0, &rankings[r]));
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
            sources: &self.kb.sources,
        })
    }

    fn answer<'a>(
        &'a self,
        candidate: &Candidate,
        segment: &str,
        ranking: &Ranking<'_>,
    ) -> Answer<'a> {
        let entry = &self.kb.entries()[candidate.entry];
        Answer {
            entry,
            score: round(candidate.score, 3),
            confidence: round(candidate.confidence, 3),
            segment: segment.to_string(),
            matched: ranking.matched_spans(candidate.entry, segment),
        }
    }

    /// Scores the entries against one piece of text, best first, each with a confidence.
    fn rank<'t>(
        &self,
        text: &'t str,
        role: Role,
        similarities: Option<&Similarities>,
    ) -> Result<Ranking<'t>, AdviseError> {
        let entries = self.kb.entries();
        let source = match (self.table.get(), &self.index) {
            (Some(table), _) => TermSource::Table(table),
            (None, Scores::Frozen(frozen)) => TermSource::Frozen(frozen),
            (None, Scores::Index(index)) => TermSource::Index(index),
        };
        Ok(self
            .ranker
            .rank(text, role, entries, similarities, source)?)
    }

    /// The evidence behind the ranking of each segment of a text, its best `top` candidates each
    /// (for `beian ask --explain`).
    pub fn explain(
        &self,
        text: &str,
        top: usize,
    ) -> Result<Vec<SegmentExplanation<'_>>, AdviseError> {
        let (text, _) = truncate(text, MAX_QUERY_BYTES);
        let text = text.trim();
        let found = self.segmenter.segments(text);
        let mut segments = Vec::new();
        let pieces = self.pieces(text, &found);
        let rankings = self.rank_pieces(&pieces)?;
        for ((piece, _), ranking) in pieces.into_iter().zip(&rankings) {
            segments.push(SegmentExplanation {
                candidates: self.ranker.explain(ranking, self.kb.entries(), top),
                segment: piece.to_string(),
            });
        }
        Ok(segments)
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
