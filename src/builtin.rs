//! The built-in knowledge base, compiled by `build.rs`: the Markdown sources (for `kb lint` and for
//! `--kb` overlays), the parsed entries, and the finished tantivy index, all embedded in the binary.
//! A one-shot `beian ask` only decodes these bytes; nothing is parsed or indexed at run time.

use crate::index::{IndexError, SearchIndex};
use crate::kb::{Files, KbError, KnowledgeBase, Sources};
use crate::prepare::Prepared;
use serde::{Deserialize, Serialize};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/builtin_kb.rs"));
}

/// The fingerprint of the built-in knowledge base's files (see [`crate::kb::fingerprint`]).
pub const FINGERPRINT: u64 = generated::FINGERPRINT;

/// What `build.rs` compiles the knowledge base into (serialized with postcard).
#[derive(Serialize, Deserialize)]
pub struct Compiled {
    pub kb: KnowledgeBase,
    pub prepared: Prepared,
}

impl Files {
    /// The Markdown and TOML files compiled into the binary.
    pub fn builtin() -> Files {
        Files::embedded(generated::FILES)
    }
}

impl KnowledgeBase {
    /// The built-in knowledge base, decoded from its compiled form.
    pub fn builtin() -> Result<KnowledgeBase, KbError> {
        Ok(compiled().kb)
    }

    /// Loads entries from the given sources; the first problem that makes an entry unusable is an error.
    pub fn load(sources: &Sources) -> Result<KnowledgeBase, KbError> {
        if sources.builtin && sources.dir.is_none() {
            return KnowledgeBase::builtin();
        }
        let mut layers = Vec::new();
        if sources.builtin {
            layers.push(Files::builtin());
        }
        if let Some(dir) = &sources.dir {
            layers.push(Files::read_dir(dir)?);
        }
        KnowledgeBase::from_layers(&layers)
    }
}

/// Decodes the compiled knowledge base. It was produced by this very build, so failing is a build bug.
pub fn compiled() -> Compiled {
    postcard::from_bytes(generated::COMPILED)
        .expect("the embedded knowledge base decodes (it was built with this binary)")
}

/// Opens the embedded index.
pub fn index() -> Result<SearchIndex, IndexError> {
    SearchIndex::from_files(generated::INDEX_FILES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::prefilter::Literals;

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
            .zip(&compiled.prepared.literals)
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
