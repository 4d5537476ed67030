//! Every phrase the advisor looks for in a text — entry names, synonyms, topic terms, rejection cues,
//! and the literals that gate notice patterns — found in one pass over the text.
//!
//! The phrases are kept sorted, and each position of the text looks up the runs of phrases that start
//! with its first two characters (or are its one character), by integer key. An Aho-Corasick automaton
//! scans faster, but building one for ~1,500 phrases costs milliseconds at start-up, which a one-shot
//! `beian ask` cannot afford; the table is built by `build.rs` and only decoded. A run of many texts
//! (triage, the REPL, `eval`) builds the automaton once ([`Phrases::prepare_for_many`]).

use crate::analyzer::is_cjk;
use aho_corasick::{AhoCorasick, MatchKind};
use once_cell::sync::OnceCell;
use rustc_hash::FxHashMap;
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
    /// A word of a neighbouring topic (see `Vocabulary::neighbour_terms`).
    Neighbour,
    /// A literal of one of the sets a pattern's match must hold a literal of.
    Literal {
        pattern: usize,
        set: usize,
    },
}

/// The phrases, sorted by their bytes, each with its owner and whether it is Latin (whole words only;
/// pattern literals are found anywhere).
/// The bytes of all phrases live in one buffer: decoding thousands of small vectors at start-up cost
/// more (in allocations and page faults) than the search itself.
#[derive(Debug, Serialize, Deserialize)]
pub struct Phrases {
    bytes: Vec<u8>,
    /// (start, length) in `bytes`, owner, Latin.
    phrases: Vec<(u32, u32, Owner, bool)>,
    /// The runs of phrases that share their first two characters (or are one character), sorted by
    /// [`run_key`]: (key, first phrase, end). A text position looks up two keys instead of comparing
    /// bytes with phrase after phrase.
    runs: Vec<(u64, u32, u32)>,
    /// `runs` hashed, made on first use: a text looks up two keys at each of its characters.
    #[serde(skip)]
    index: OnceCell<RunIndex>,
    /// The phrases as one automaton, once [`Phrases::prepare_for_many`] has built it (none: it
    /// could not be built, and the runs serve).
    #[serde(skip)]
    automaton: OnceCell<Option<Automaton>>,
}

/// An automaton of the distinct phrases, each with the range of `phrases` (those of every owner)
/// that hold its bytes.
#[derive(Debug)]
struct Automaton {
    searcher: AhoCorasick,
    phrases: Vec<(u32, u32)>,
}

impl Automaton {
    fn new(phrases: &Phrases) -> Option<Automaton> {
        // `phrases.phrases` is sorted by bytes, so the owners of the same bytes are neighbours.
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        let mut distinct: Vec<&[u8]> = Vec::new();
        for (i, &(start, len, _, _)) in phrases.phrases.iter().enumerate() {
            let bytes = phrases.phrase(start, len);
            match (distinct.last(), ranges.last_mut()) {
                (Some(&last), Some(range)) if last == bytes => range.1 = i as u32 + 1,
                _ => {
                    distinct.push(bytes);
                    ranges.push((i as u32, i as u32 + 1));
                }
            }
        }
        // Standard semantics: every occurrence of every phrase, overlapping ones too.
        let searcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&distinct)
            .ok()?;
        Some(Automaton {
            searcher,
            phrases: ranges,
        })
    }
}

/// The runs by key, and which characters start a run at all.
#[derive(Debug)]
struct RunIndex {
    runs: FxHashMap<u64, (u32, u32)>,
    /// One bit per character, by its code point modulo 2¹⁶: clear, no phrase starts with it (most
    /// characters of a text start none).
    starts: Vec<u64>,
}

const START_BITS: usize = 1 << 16;

fn start_bit(c: char) -> (usize, u64) {
    let bit = c as usize % START_BITS;
    (bit / 64, 1 << (bit % 64))
}

impl RunIndex {
    fn new(runs: &[(u64, u32, u32)]) -> RunIndex {
        let mut starts = vec![0u64; START_BITS / 64];
        let mut by_key = FxHashMap::default();
        by_key.reserve(runs.len());
        for &(key, first, end) in runs {
            by_key.insert(key, (first, end));
            let first_char = char::from_u32((key >> 32) as u32).unwrap_or_default();
            let (word, bit) = start_bit(first_char);
            starts[word] |= bit;
        }
        RunIndex {
            runs: by_key,
            starts,
        }
    }

    fn may_start(&self, c: char) -> bool {
        let (word, bit) = start_bit(c);
        self.starts[word] & bit != 0
    }
}

/// The key of the run of phrases that start with `first` then `second` (`None`: the phrase is `first`).
fn run_key(first: char, second: Option<char>) -> u64 {
    (u64::from(u32::from(first)) << 32) | second.map_or(0, |c| u64::from(u32::from(c)) + 1)
}

/// What one text contains.
#[derive(Debug, Default, PartialEq)]
pub struct Found {
    /// Per entry, the length of the longest name of it that the text contains (0: none).
    pub name_chars: Vec<usize>,
    /// (group, term) of every synonym the text contains.
    pub synonyms: Vec<(usize, usize)>,
    pub topic: bool,
    pub rejection_cue: bool,
    /// How many times the text names a neighbouring topic.
    pub neighbour_cues: usize,
    /// (pattern, set) of every pattern literal the text contains, sorted, without duplicates.
    pub literals: Vec<(usize, usize)>,
}

impl Phrases {
    /// `phrases` are (folded text, owner) pairs; empty phrases are skipped.
    pub fn new(phrases: Vec<(Vec<u8>, Owner)>) -> Phrases {
        let mut phrases: Vec<(Vec<u8>, Owner)> =
            phrases.into_iter().filter(|(p, _)| !p.is_empty()).collect();
        phrases.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut bytes = Vec::with_capacity(phrases.iter().map(|(p, _)| p.len()).sum());
        let mut table = Vec::with_capacity(phrases.len());
        let mut runs: Vec<(u64, u32, u32)> = Vec::new();
        for (phrase, owner) in phrases {
            // Phrases are folded text; one that is not UTF-8 could never match a text.
            let Ok(text) = std::str::from_utf8(&phrase) else {
                continue;
            };
            // A pattern's literal is any part of a match, so it is found inside words too.
            let latin = !text.chars().any(is_cjk) && !matches!(owner, Owner::Literal { .. });
            let mut chars = text.chars();
            let key = run_key(chars.next().unwrap_or_default(), chars.next());
            let index = table.len() as u32;
            match runs.last_mut() {
                Some(run) if run.0 == key => run.2 = index + 1,
                _ => runs.push((key, index, index + 1)),
            }
            table.push((bytes.len() as u32, phrase.len() as u32, owner, latin));
            bytes.extend_from_slice(&phrase);
        }
        // Sorting by bytes groups each run together but orders keys by UTF-8, not by code point.
        runs.sort_unstable_by_key(|run| run.0);
        Phrases {
            bytes,
            phrases: table,
            runs,
            index: OnceCell::new(),
            automaton: OnceCell::new(),
        }
    }

    /// Builds the automaton that finds the phrases of a text in one scan, for many texts: it costs
    /// a few milliseconds once, and [`Phrases::find`] finds the same with it.
    pub fn prepare_for_many(&self) {
        self.automaton.get_or_init(|| Automaton::new(self));
    }

    /// The phrases of one run.
    fn run(&self, index: &RunIndex, key: u64) -> &[(u32, u32, Owner, bool)] {
        match index.runs.get(&key) {
            Some(&(first, end)) => &self.phrases[first as usize..end as usize],
            None => &[],
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
        if let Some(Some(automaton)) = self.automaton.get() {
            for found_at in automaton.searcher.find_overlapping_iter(bytes) {
                let (first, end) = automaton.phrases[found_at.pattern().as_usize()];
                for phrase in &self.phrases[first as usize..end as usize] {
                    note(&mut found, bytes, found_at.start(), phrase);
                }
            }
        } else {
            self.find_by_runs(&mut found, folded);
        }
        found.synonyms.sort_unstable();
        found.synonyms.dedup();
        found.literals.sort_unstable();
        found.literals.dedup();
        found
    }

    /// Whether [`Phrases::prepare_for_many`] has built the automaton.
    #[cfg(test)]
    pub(crate) fn has_automaton(&self) -> bool {
        matches!(self.automaton.get(), Some(Some(_)))
    }

    /// What [`Phrases::find`] finds, by looking up the runs at each character.
    fn find_by_runs(&self, found: &mut Found, folded: &str) {
        let bytes = folded.as_bytes();
        let index = self.index.get_or_init(|| RunIndex::new(&self.runs));
        let mut chars = folded.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if !index.may_start(c) {
                continue;
            }
            let next = chars.peek().map(|&(_, c)| c);
            let singles = self.run(index, run_key(c, None));
            let longer = match next {
                Some(next) => self.run(index, run_key(c, Some(next))),
                None => &[],
            };
            for phrase in singles.iter().chain(longer) {
                if bytes[start..].starts_with(self.phrase(phrase.0, phrase.1)) {
                    note(found, bytes, start, phrase);
                }
            }
        }
    }
}

/// Counts a phrase that occurs in `text` at byte `start`, unless it is a Latin phrase inside a word.
fn note(
    found: &mut Found,
    text: &[u8],
    start: usize,
    &(_, len, owner, latin): &(u32, u32, Owner, bool),
) {
    if latin && !whole_word(text, start, start + len as usize) {
        return;
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
        Owner::Neighbour => found.neighbour_cues += 1,
        Owner::Literal { pattern, set } => found.literals.push((pattern, set)),
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
            (b"nginx".to_vec(), Owner::Neighbour),
            ("主题".as_bytes().to_vec(), Owner::Neighbour),
        ])
    }

    #[test]
    fn counts_every_mention_of_a_neighbouring_topic() {
        assert_eq!(
            phrases()
                .find("nginx 主题里的备案号，换了主题还是不显示", 2)
                .neighbour_cues,
            3
        );
        assert_eq!(phrases().find("nginxconf", 2).neighbour_cues, 0);
        assert_eq!(phrases().find("新增接入被驳回", 2).neighbour_cues, 0);
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

    /// With the automaton or by runs, a text's phrases are the same (the knowledge base's own tables
    /// are checked in `tables`).
    #[test]
    fn the_automaton_finds_what_the_runs_find() {
        let toy = phrases();
        let texts = [
            "新增接入被驳回",
            "nginx 主题里的备案号，换了主题还是不显示",
            "icp备案",
            "my icp filing",
            "topicpage",
            "hk服务器",
            "thkx",
        ];
        let by_runs: Vec<Found> = texts.iter().map(|t| toy.find(t, 2)).collect();
        toy.prepare_for_many();
        for (text, want) in texts.iter().zip(&by_runs) {
            assert_eq!(&toy.find(text, 2), want, "{text}");
        }
    }

    #[test]
    fn pattern_literals_are_found_inside_words() {
        let owner = Owner::Literal { pattern: 3, set: 1 };
        let phrases = Phrases::new(vec![(b"icp".to_vec(), owner)]);
        assert_eq!(phrases.find("xicp备案", 0).literals, [(3, 1)]);
    }
}
