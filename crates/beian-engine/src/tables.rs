//! The matching tables a knowledge base's text is turned into before the advisor can answer: pattern
//! prefilters, the sorted phrase table, folded synonyms, boilerplate prefilters. The built-in knowledge
//! base has them computed at build time (start-up only decodes them); a `--kb` one at its first run.

use crate::analyzer::fold;
use crate::kb::KnowledgeBase;
use crate::matching::{automata, literal_table, Literals, Owner, Phrases};
use serde::{Deserialize, Serialize};

/// Every table of a knowledge base: the ranker's and the segmenter's.
#[derive(Debug, Serialize, Deserialize)]
pub struct MatchTables {
    pub ranker: RankerTables,
    pub boilerplate: BoilerplateTables,
}

/// What the ranker finds in a text with: pattern prefilters, the phrase table, the synonyms.
#[derive(Debug, Serialize, Deserialize)]
pub struct RankerTables {
    /// Per entry, per pattern: the literal sets a match must hold one literal of each of.
    pub literals: Vec<Vec<Literals>>,
    pub phrases: Phrases,
    /// Synonym groups, folded.
    pub synonyms: Vec<Vec<String>>,
}

/// What the segmenter removes boilerplate with (the patterns of `notice.toml`).
#[derive(Debug, Serialize, Deserialize)]
pub struct BoilerplateTables {
    /// Per boilerplate pattern: its literals.
    pub literals: Vec<Literals>,
    /// The literals as one phrase table (see `Segmenter::gate`).
    pub gate: Phrases,
}

impl MatchTables {
    pub fn new(kb: &KnowledgeBase) -> MatchTables {
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
        for term in &vocabulary.neighbour_terms {
            phrases.push((folded(term).into_bytes(), Owner::Neighbour));
        }
        let boilerplate: Vec<Literals> = vocabulary
            .boilerplate
            .iter()
            .map(|p| Literals::of(p))
            .collect();
        MatchTables {
            ranker: RankerTables {
                literals,
                phrases: Phrases::new(phrases),
                synonyms,
            },
            boilerplate: BoilerplateTables {
                gate: literal_table(&boilerplate),
                literals: boilerplate,
            },
        }
    }
}

/// The automata of a knowledge base's patterns, packed (see [`crate::packed`]): every entry's notice
/// patterns in entry order, then the boilerplate patterns, as the advisor numbers them. The build
/// script makes them for the built-in knowledge base.
pub fn automata(kb: &KnowledgeBase) -> Vec<u8> {
    let patterns = kb
        .entries()
        .iter()
        .flat_map(|entry| &entry.patterns)
        .chain(&kb.vocabulary.boilerplate);
    let built: Vec<Option<Vec<u8>>> = patterns.map(|p| automata::build(p)).collect();
    crate::packed::pack(&built)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Found;

    /// With the automaton or by runs, a text's phrases are the same, for the knowledge base's own
    /// tables and texts full of its phrases.
    #[test]
    fn the_phrase_automaton_finds_what_the_runs_find() {
        let kb = crate::testing::knowledge_base();
        let tables = MatchTables::new(&kb);
        let mut texts: Vec<String> = vec![
            "新增接入被驳回 nginx主题 icp备案hk服务器 thkx topicpage xicp".to_string(),
            String::new(),
        ];
        for entry in kb.entries() {
            let text = format!(
                "{} {} {} {}",
                entry.title,
                entry.title_en,
                entry.aliases.join("，"),
                entry.body().text()
            );
            texts.push(crate::analyzer::fold(&text));
        }
        for phrases in [&tables.ranker.phrases, &tables.boilerplate.gate] {
            let by_runs: Vec<Found> = texts
                .iter()
                .map(|t| phrases.find(t, kb.entries().len()))
                .collect();
            let found: usize = (by_runs.iter())
                .map(|f| f.literals.len() + f.synonyms.len() + f.neighbour_cues)
                .sum();
            assert!(found > 100, "the texts hold few phrases: {found}");
            phrases.prepare_for_many();
            assert!(phrases.has_automaton());
            for (text, want) in texts.iter().zip(&by_runs) {
                assert_eq!(&phrases.find(text, kb.entries().len()), want, "{text}");
            }
        }
    }
}
