//! What the ranker knows about one (text, entry) pair: inputs only, gathered before anything is scored.

/// The evidence for one candidate entry against one text.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// The index score: BM25 with zone boosts over the weighted query terms.
    pub bm25: f32,
    /// `bm25` relative to the best candidate's (0..1).
    pub relative_bm25: f32,
    /// One of the entry's notice patterns matches the text.
    pub pattern: bool,
    /// Characters of the longest name (title, English title, alias) of the entry the text contains.
    pub quoted_chars: usize,
    /// Share of the text's content terms (bigrams weigh more than unigrams) in the entry's names.
    pub name_coverage: f32,
    /// Share of the text's content terms anywhere in the entry.
    pub coverage: f32,
    /// The text says the filing was returned and the entry is a reason for returns.
    pub rejection_cue: bool,
    /// The text names the topic (ICP filing) at all.
    pub on_topic: bool,
}
