//! The built-in knowledge base, compiled by `build.rs` with the engine: the Markdown sources (for
//! `kb lint` and for `--kb` overlays), the entries with their matching tables, and the finished
//! tantivy index, all embedded in the binary. A one-shot `beian ask` only decodes these bytes;
//! nothing is parsed or indexed at run time.

use beian_engine::advise::Advisor;
use beian_engine::compiled::Compiled;
use beian_engine::index::table::FrozenTable;
use beian_engine::index::{IndexError, SearchIndex};
use beian_engine::kb::{Files, KnowledgeBase};
use beian_engine::matching::Automata;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/builtin_kb.rs"));
}

/// The fingerprint of the built-in knowledge base's files (see [`beian_engine::kb::fingerprint`]).
pub const FINGERPRINT: u64 = generated::FINGERPRINT;

/// The Markdown and TOML files compiled into the binary.
pub fn files() -> Files {
    Files::embedded(generated::FILES)
}

/// Decodes the compiled knowledge base, each entry's texts when first read. It was produced by this
/// very build, so failing is a build bug.
pub fn compiled() -> Compiled {
    Compiled::decode_split(generated::COMPILED, generated::TEXTS)
        .expect("the embedded knowledge base decodes (it was built with this binary)")
}

/// The built-in entries.
pub fn knowledge_base() -> KnowledgeBase {
    compiled().kb
}

/// Opens the embedded index.
pub fn index() -> Result<SearchIndex, IndexError> {
    SearchIndex::from_files(generated::INDEX_FILES)
}

/// The automata of the built-in patterns (see [`beian_engine::tables::automata`]).
pub fn automata() -> Automata {
    // SAFETY: build.rs packed these automata with this engine's `build`, through the same
    // regex-automata (one Cargo.lock); `every_embedded_automaton_is_valid` checks them all.
    unsafe { Automata::new(generated::AUTOMATA) }
}

/// The term table of the embedded index, frozen at build time.
pub fn terms() -> FrozenTable {
    FrozenTable::new(generated::TERMS)
        .expect("the embedded term table reads (it was built with this binary)")
}

/// The advisor over the built-in knowledge base, from the entries, the term table of the index and
/// the pattern automata compiled into the binary: nothing to open or compile.
pub fn advisor() -> Result<Advisor, IndexError> {
    Ok(Advisor::from_frozen(compiled(), terms()).with_automata(automata()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use beian_engine::matching::Literals;

    /// A pattern with no literal that every match must contain is compiled and run for every text,
    /// which costs time: keep them out (write `(?:19|20)[0-9]{2}` rather than `\d{4}`).
    #[test]
    fn built_in_patterns_have_prefilters() {
        let compiled = compiled();
        let mut open = Vec::new();
        for (entry, literals) in compiled
            .kb
            .entries()
            .iter()
            .zip(&compiled.tables.ranker.literals)
        {
            for (pattern, literal) in entry.patterns.iter().zip(literals) {
                if literal.is_open() {
                    open.push(format!("{}: {pattern}", entry.id));
                }
            }
        }
        for pattern in &compiled.kb.vocabulary.boilerplate {
            if Literals::of(pattern).is_open() {
                open.push(format!("notice.toml: {pattern}"));
            }
        }
        assert!(
            open.is_empty(),
            "patterns without a required literal:\n{}",
            open.join("\n")
        );
    }

    /// Automata are used in place without the check of every transition (see
    /// `beian_engine::matching::automata`): this is that check, and that nearly every pattern has one.
    #[test]
    fn every_embedded_automaton_is_valid() {
        let compiled = compiled();
        let patterns = compiled
            .kb
            .entries()
            .iter()
            .map(|e| e.patterns.len())
            .sum::<usize>()
            + compiled.kb.vocabulary.boilerplate.len();
        let automata = automata();
        assert_eq!(automata.len(), patterns);
        let built: Vec<&[u8]> = (0..patterns).filter_map(|p| automata.get(p)).collect();
        assert!(built
            .iter()
            .all(|bytes| beian_engine::matching::automata::is_valid(bytes)));
        assert!(
            built.len() * 10 >= patterns * 9,
            "{} of {patterns} patterns have automata",
            built.len()
        );
    }

    /// The built-in advisor (automata, frozen term table) answers as one that compiles its patterns
    /// and reads the index: every query of the query sets, and the entries' symptoms, get the same
    /// answers, scores to the last bit.
    #[test]
    fn automata_answer_as_the_regexes_do() {
        let with = advisor().unwrap();
        let without = Advisor::from_compiled(compiled(), index().unwrap());
        // The frozen table must score as the index does, too.
        let mut queries: Vec<String> = Vec::new();
        for set in ["tests/eval/dev.jsonl", "tests/eval/holdout.jsonl"] {
            let text =
                std::fs::read_to_string(format!("{}/{set}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let case: serde_json::Value = serde_json::from_str(line).unwrap();
                queries.push(case["query"].as_str().unwrap().to_string());
            }
        }
        for entry in with.kb().entries() {
            queries.extend(entry.body().symptoms.iter().cloned());
        }
        let answers =
            |advisor: &Advisor, query: &str| -> Vec<(String, f32, f32, String, Vec<String>)> {
                let advice = advisor.advise(query, 5).unwrap();
                advice
                    .results
                    .iter()
                    .map(|a| {
                        (
                            a.entry.id.clone(),
                            a.score,
                            a.confidence,
                            a.segment.clone(),
                            a.matched.clone(),
                        )
                    })
                    .collect()
            };
        for query in &queries {
            assert_eq!(answers(&with, query), answers(&without, query), "{query}");
        }
    }

    #[test]
    fn the_embedded_index_matches_the_embedded_entries() {
        let compiled = compiled();
        let ids: Vec<String> = compiled.kb.entries().iter().map(|e| e.id.clone()).collect();
        assert_eq!(index().unwrap().ids().unwrap(), ids);
    }
}
