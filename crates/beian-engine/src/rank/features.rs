//! What the ranker knows about one (text, entry) pair: inputs only, gathered before anything is scored,
//! and the vector the fitted model reads (in the order of [`crate::model::FEATURE_NAMES`]).

use crate::kb::Kind;
use crate::model::FEATURE_COUNT;

/// The evidence for one candidate entry against one text.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features {
    /// The index score: BM25 with zone boosts over the weighted query terms.
    pub bm25: f32,
    /// `bm25` relative to the best candidate's (0..1).
    pub relative_bm25: f32,
    /// The candidate's place in the order of index scores (0: the best).
    pub bm25_rank: usize,
    /// One of the entry's notice patterns matches the text.
    pub pattern: bool,
    /// Characters of the longest match of the entry's notice patterns (0: none).
    pub pattern_chars: usize,
    /// Characters of the longest name (title, English title, alias) of the entry the text contains.
    pub quoted_chars: usize,
    /// The name the text contains is the whole text (after trimming punctuation).
    pub quoted_whole: bool,
    /// Share of the text's content terms (bigrams weigh more than unigrams) in the entry's names.
    pub name_coverage: f32,
    /// Share of the text's content terms anywhere in the entry.
    pub coverage: f32,
    /// Share of the text's content terms in the entry's English text.
    pub english_coverage: f32,
    /// The best `coverage` and `name_coverage` among the text's candidates.
    pub best_coverage: f32,
    pub best_name_coverage: f32,
    /// The text says the filing was returned and the entry is a reason for returns.
    pub rejection_cue: bool,
    /// The entry's kind.
    pub kind: Option<Kind>,
    /// What is known of the text itself, the same for every candidate.
    pub text: TextFeatures,
    /// What a sentence encoder says of the pair (all 0 without one).
    pub encoder: EncoderFeatures,
}

/// A sentence encoder's similarities of the text to the entry (see [`crate::semantic`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EncoderFeatures {
    /// An encoder gave the values below.
    pub present: bool,
    /// The cosine of the entry's closest text, and the mean of its closest three.
    pub best: f32,
    pub mean_of_top3: f32,
    /// The entry's place among all entries by `best` (0: the closest).
    pub rank: usize,
    /// `best` minus the closest entry's.
    pub behind_best: f32,
    /// Standard deviations `best` stands above the mean of all entries'.
    pub z: f32,
    /// For the closest entry, how far its `best` leads the next entry's (0 for the others).
    pub lead: f32,
}

/// Where E5's cosines centre: related texts score about 0.85, unrelated about 0.75.
const COSINE_CENTRE: f32 = 0.8;
/// Cosines spread over about a tenth: scaled by this, a feature spans about ±1.
const COSINE_SCALE: f32 = 10.0;

impl EncoderFeatures {
    fn vector(&self) -> [f32; 6] {
        if !self.present {
            return [0.0; 6];
        }
        [
            (self.best - COSINE_CENTRE) * COSINE_SCALE,
            (self.mean_of_top3 - COSINE_CENTRE) * COSINE_SCALE,
            1.0 / (1.0 + self.rank as f32),
            self.behind_best * COSINE_SCALE,
            (self.z / 3.0).clamp(-1.0, 3.0),
            self.lead * COSINE_SCALE,
        ]
    }
}

/// What the ranker knows of the text ranked, whatever the entry.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TextFeatures {
    /// The text names the topic (ICP filing) at all.
    pub on_topic: bool,
    /// The text says a filing was returned.
    pub rejection_cue: bool,
    /// The share of the text's letters that are Latin (0: all Chinese).
    pub latin: f32,
    /// The number of content terms (bigrams count 1, lone characters ½).
    pub content_terms: f32,
    /// Characters of the text.
    pub chars: usize,
    /// How many of the text's candidates have a notice pattern that matches.
    pub patterns_matched: usize,
    /// How many times the text names a neighbouring topic (a lookup scraper, theme code, mail DNS…).
    pub neighbour_cues: usize,
    /// The text is one reason of a notice with several.
    pub notice_part: bool,
    /// The text is a notice with several reasons, ranked whole.
    pub notice_whole: bool,
}

/// Characters of a quoted name or a pattern match beyond which more say nothing new.
const CHARS_CAP: usize = 12;

fn flag(value: bool) -> f32 {
    if value {
        1.0
    } else {
        0.0
    }
}

impl Features {
    /// The values the model reads, in the order of [`crate::model::FEATURE_NAMES`].
    pub fn vector(&self) -> [f32; FEATURE_COUNT] {
        let t = &self.text;
        let kind = |k: Kind| flag(self.kind == Some(k));
        let capped = |chars: usize| chars.min(CHARS_CAP) as f32 / CHARS_CAP as f32;
        let [encoder_best, encoder_mean, encoder_rank, encoder_behind, encoder_z, encoder_lead] =
            self.encoder.vector();
        [
            self.name_coverage,
            self.coverage,
            self.english_coverage,
            self.coverage - self.best_coverage,
            self.name_coverage - self.best_name_coverage,
            self.relative_bm25,
            (1.0 + self.bm25).ln(),
            flag(self.bm25_rank == 0 && self.bm25 > 0.0),
            if self.bm25 > 0.0 {
                1.0 / (1.0 + self.bm25_rank as f32)
            } else {
                0.0
            },
            flag(self.pattern),
            capped(self.pattern_chars),
            flag(self.pattern && t.patterns_matched > 1),
            capped(self.quoted_chars),
            flag(self.quoted_whole),
            flag(self.rejection_cue),
            kind(Kind::Rejection),
            kind(Kind::Process),
            kind(Kind::Scenario),
            kind(Kind::Risk),
            flag(t.on_topic),
            flag(t.rejection_cue),
            t.latin,
            t.latin * self.coverage,
            t.latin * self.name_coverage,
            (1.0 + t.content_terms).ln(),
            flag(t.content_terms <= 2.0),
            (1.0 + t.chars as f32).ln(),
            flag(t.notice_part),
            flag(t.notice_whole),
            flag(!t.on_topic && t.patterns_matched == 0 && self.quoted_chars == 0),
            t.neighbour_cues.min(3) as f32 / 3.0,
            flag(t.neighbour_cues > 0 && t.patterns_matched == 0 && self.quoted_chars == 0),
            encoder_best,
            encoder_mean,
            encoder_rank,
            encoder_behind,
            encoder_z,
            encoder_lead,
            // Meaning counts most where words say little: a text whose best candidate covers little
            // of it, or one written in English (the entries are written in Chinese first).
            encoder_rank * (1.0 - self.best_coverage).clamp(0.0, 1.0),
            encoder_rank * t.latin,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FEATURE_NAMES;

    fn value(features: &Features, name: &str) -> f32 {
        let i = FEATURE_NAMES.iter().position(|n| *n == name).unwrap();
        features.vector()[i]
    }

    #[test]
    fn the_encoders_rank_weighs_again_where_words_cover_little_or_the_text_is_english() {
        let mut f = Features {
            best_coverage: 0.25,
            text: TextFeatures {
                latin: 1.0,
                ..TextFeatures::default()
            },
            ..Features::default()
        };
        assert_eq!(value(&f, "encoder_rank_weak_words"), 0.0, "no encoder");
        assert_eq!(value(&f, "encoder_rank_latin"), 0.0, "no encoder");
        f.encoder = EncoderFeatures {
            present: true,
            rank: 1,
            ..EncoderFeatures::default()
        };
        assert_eq!(value(&f, "encoder_rank_weak_words"), 0.5 * 0.75);
        assert_eq!(value(&f, "encoder_rank_latin"), 0.5);
    }
}
