//! What the advisor derives from a knowledge base's text before it can answer: pattern prefilters,
//! the sorted phrase table, folded synonyms, boilerplate prefilters. `build.rs` computes it for the
//! built-in knowledge base (start-up then only decodes it); `--kb` computes it at start-up.

use crate::index::analyzer::fold;
use crate::index::prefilter::Literals;
use crate::kb::KnowledgeBase;
use crate::phrases::{Owner, Phrases};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Prepared {
    /// Per entry, per pattern: the literal sets a match must hold one literal of each of.
    pub literals: Vec<Vec<Literals>>,
    pub phrases: Phrases,
    /// Synonym groups, folded.
    pub synonyms: Vec<Vec<String>>,
    /// Per boilerplate pattern of `notice.toml`: its literals.
    pub boilerplate: Vec<Literals>,
    /// The boilerplate literals as one phrase table (see `Segmenter::gate`).
    pub boilerplate_gate: Phrases,
}

impl Prepared {
    pub fn new(kb: &KnowledgeBase) -> Prepared {
        let folded = |text: &str| fold(text.trim());
        let mut phrases: Vec<(Vec<u8>, Owner)> = Vec::new();
        let mut literals = Vec::new();
        let mut pattern = 0;
        for (position, entry) in kb.entries().iter().enumerate() {
            let mut entry_literals = Vec::new();
            for source in &entry.patterns {
                let found = Literals::of(source);
                phrases.extend(found.phrases(pattern));
                entry_literals.push(found);
                pattern += 1;
            }
            literals.push(entry_literals);
            let names = std::iter::once(&entry.title)
                .chain(std::iter::once(&entry.title_en))
                .chain(&entry.aliases);
            for name in names {
                let name = folded(name);
                let chars = name.chars().count();
                if chars >= 2 {
                    let owner = Owner::Name {
                        entry: position,
                        chars,
                    };
                    phrases.push((name.into_bytes(), owner));
                }
            }
        }
        let vocabulary = &kb.vocabulary;
        let synonyms: Vec<Vec<String>> = vocabulary
            .synonyms
            .iter()
            .map(|group| group.terms.iter().map(|t| folded(t)).collect())
            .collect();
        for (group, terms) in synonyms.iter().enumerate() {
            for (term, text) in terms.iter().enumerate() {
                phrases.push((text.clone().into_bytes(), Owner::Synonym { group, term }));
            }
        }
        for topic in &vocabulary.topic_terms {
            phrases.push((folded(topic).into_bytes(), Owner::Topic));
        }
        for cue in &vocabulary.rejection_cues {
            phrases.push((folded(cue).into_bytes(), Owner::RejectionCue));
        }
        let boilerplate: Vec<Literals> = vocabulary
            .boilerplate
            .iter()
            .map(|p| Literals::of(p))
            .collect();
        Prepared {
            literals,
            phrases: Phrases::new(phrases),
            synonyms,
            boilerplate_gate: boilerplate_gate(&boilerplate),
            boilerplate,
        }
    }
}

/// The boilerplate literals as one phrase table, owners `Literal`/`Suffix { pattern }` (its index).
pub fn boilerplate_gate(literals: &[Literals]) -> Phrases {
    let phrases = literals
        .iter()
        .enumerate()
        .flat_map(|(pattern, literals)| literals.phrases(pattern))
        .collect();
    Phrases::new(phrases)
}
