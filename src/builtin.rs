//! The built-in knowledge base, compiled by `build.rs` with the engine: the Markdown sources (for
//! `kb lint` and for `--kb` overlays), the entries with their matching tables, and the finished
//! tantivy index, all embedded in the binary. A one-shot `beian ask` only decodes these bytes;
//! nothing is parsed or indexed at run time.

use beian_engine::advise::Advisor;
use beian_engine::compiled::Compiled;
use beian_engine::index::{IndexError, SearchIndex};
use beian_engine::kb::{Files, KnowledgeBase};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/builtin_kb.rs"));
}

/// The fingerprint of the built-in knowledge base's files (see [`beian_engine::kb::fingerprint`]).
pub const FINGERPRINT: u64 = generated::FINGERPRINT;

/// The Markdown and TOML files compiled into the binary.
pub fn files() -> Files {
    Files::embedded(generated::FILES)
}

/// Decodes the compiled knowledge base. It was produced by this very build, so failing is a build bug.
pub fn compiled() -> Compiled {
    Compiled::decode(generated::COMPILED)
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

/// The advisor over the built-in knowledge base, from the index and entries compiled into the binary.
pub fn advisor() -> Result<Advisor, IndexError> {
    Ok(Advisor::from_compiled(compiled(), index()?))
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

    #[test]
    fn the_embedded_index_matches_the_embedded_entries() {
        let compiled = compiled();
        let ids: Vec<String> = compiled.kb.entries().iter().map(|e| e.id.clone()).collect();
        assert_eq!(index().unwrap().ids().unwrap(), ids);
    }
}
