//! Every phrase the advisor looks for in a text — entry names, synonyms, topic terms, rejection cues,
//! and the literals that gate notice patterns — found in one pass over the text.
//!
//! The phrases are kept sorted, and each position of the text probes the run of phrases that start
//! with its character. An Aho-Corasick automaton would scan faster, but building one for ~1,500
//! phrases costs milliseconds at start-up, which a one-shot `beian ask` cannot afford; queries are short.

use crate::index::analyzer::is_cjk;
use serde::{Deserialize, Serialize};

/// Who a phrase belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Owner {
    /// An entry's title, English title or alias, with its length in characters.
    Name {
        entry: usize,
        chars: usize,
    },
    /// A term of a synonym group.
    Synonym {
        group: usize,
        term: usize,
    },
    Topic,
    RejectionCue,
    /// A literal that a notice pattern's match must contain.
    Literal {
        pattern: usize,
    },
}

/// The phrases, sorted by their bytes, each with its owner and whether it is Latin (whole words only).
/// The bytes of all phrases live in one buffer: decoding thousands of small vectors at start-up cost
/// more (in allocations and page faults) than the search itself.
#[derive(Debug, Serialize, Deserialize)]
pub struct Phrases {
    bytes: Vec<u8>,
    /// (start, length) in `bytes`, owner, Latin.
    phrases: Vec<(u32, u32, Owner, bool)>,
}

/// What one text contains.
#[derive(Debug, Default)]
pub struct Found {
    /// Per entry, the length of the longest name of it that the text contains (0: none).
    pub name_chars: Vec<usize>,
    /// (group, term) of every synonym the text contains.
    pub synonyms: Vec<(usize, usize)>,
    pub topic: bool,
    pub rejection_cue: bool,
    /// Patterns one of whose literals the text contains.
    pub literal_patterns: Vec<usize>,
}

impl Phrases {
    /// `phrases` are (folded text, owner) pairs; empty phrases are skipped.
    pub fn new(phrases: Vec<(Vec<u8>, Owner)>) -> Phrases {
        let mut phrases: Vec<(Vec<u8>, Owner)> =
            phrases.into_iter().filter(|(p, _)| !p.is_empty()).collect();
        phrases.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut bytes = Vec::with_capacity(phrases.iter().map(|(p, _)| p.len()).sum());
        let mut table = Vec::with_capacity(phrases.len());
        for (phrase, owner) in phrases {
            let latin = std::str::from_utf8(&phrase).is_ok_and(|text| !text.chars().any(is_cjk));
            table.push((bytes.len() as u32, phrase.len() as u32, owner, latin));
            bytes.extend_from_slice(&phrase);
        }
        Phrases {
            bytes,
            phrases: table,
        }
    }

    fn phrase(&self, start: u32, len: u32) -> &[u8] {
        &self.bytes[start as usize..(start + len) as usize]
    }

    /// Finds every phrase in `folded` (text already passed through `analyzer::fold`).
    pub fn find(&self, folded: &str, entries: usize) -> Found {
        let mut found = Found {
            name_chars: vec![0; entries],
            ..Found::default()
        };
        let bytes = folded.as_bytes();
        for (start, c) in folded.char_indices() {
            let lead = &bytes[start..start + c.len_utf8()];
            // The phrases whose first character is `c` form one run of the sorted table.
            let from = self
                .phrases
                .partition_point(|&(s, l, _, _)| self.phrase(s, l) < lead);
            for &(s, l, owner, latin) in &self.phrases[from..] {
                let phrase = self.phrase(s, l);
                if !phrase.starts_with(lead) {
                    break;
                }
                let end = start + phrase.len();
                if !bytes[start..].starts_with(phrase) || (latin && !whole_word(bytes, start, end))
                {
                    continue;
                }
                match owner {
                    Owner::Name { entry, chars } => {
                        if let Some(slot) = found.name_chars.get_mut(entry) {
                            *slot = (*slot).max(chars);
                        }
                    }
                    Owner::Synonym { group, term } => found.synonyms.push((group, term)),
                    Owner::Topic => found.topic = true,
                    Owner::RejectionCue => found.rejection_cue = true,
                    Owner::Literal { pattern } => found.literal_patterns.push(pattern),
                }
            }
        }
        found.synonyms.sort_unstable();
        found.synonyms.dedup();
        found.literal_patterns.sort_unstable();
        found.literal_patterns.dedup();
        found
    }
}

/// Whether bytes `start..end` of `text` are not glued to ASCII letters or digits on either side.
fn whole_word(text: &[u8], start: usize, end: usize) -> bool {
    let wordy = |i: usize| text.get(i).is_some_and(u8::is_ascii_alphanumeric);
    let glued_before = start > 0 && wordy(start) && wordy(start - 1);
    let glued_after = end > 0 && wordy(end - 1) && wordy(end);
    !glued_before && !glued_after
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrases() -> Phrases {
        Phrases::new(vec![
            (b"icp".to_vec(), Owner::Topic),
            ("驳回".as_bytes().to_vec(), Owner::RejectionCue),
            (
                "新增接入".as_bytes().to_vec(),
                Owner::Name { entry: 1, chars: 4 },
            ),
            (
                "接入".as_bytes().to_vec(),
                Owner::Name { entry: 1, chars: 2 },
            ),
            (b"hk".to_vec(), Owner::Synonym { group: 0, term: 1 }),
        ])
    }

    #[test]
    fn finds_overlapping_phrases_and_keeps_the_longest_name() {
        let found = phrases().find("新增接入被驳回", 2);
        assert_eq!(found.name_chars, [0, 4]);
        assert!(found.rejection_cue);
        assert!(!found.topic);
    }

    #[test]
    fn latin_phrases_match_whole_words_only() {
        assert!(phrases().find("icp备案", 2).topic);
        assert!(phrases().find("my icp filing", 2).topic);
        assert!(!phrases().find("topicpage", 2).topic);
        assert!(phrases().find("hk服务器", 2).synonyms == [(0, 1)]);
        assert!(phrases().find("thkx", 2).synonyms.is_empty());
    }
}
