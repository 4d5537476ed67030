//! The compiled form of a knowledge base: its entries and the matching tables made from them, encoded
//! with postcard. The binary's build script compiles the built-in knowledge base into it, the
//! entries' texts packed apart so that a process decodes only those it shows
//! ([`Compiled::encode_split`]); each `--kb` cache file holds one whole ([`Compiled::encode`]).

use crate::kb::{KnowledgeBase, LazyTexts};
use crate::packed::{self, Packed};
use crate::tables::MatchTables;
use serde::{Deserialize, Serialize};

/// A knowledge base with its matching tables (which were made from it).
#[derive(Debug, Serialize, Deserialize)]
pub struct Compiled {
    pub kb: KnowledgeBase,
    pub tables: MatchTables,
}

/// Bytes that are not a compiled knowledge base (damaged, or written by another layout).
#[derive(Debug, thiserror::Error)]
#[error("not a compiled knowledge base: {0}")]
pub struct DecodeError(#[from] postcard::Error);

impl Compiled {
    /// Computes the matching tables of `kb`.
    pub fn new(kb: KnowledgeBase) -> Compiled {
        let tables = MatchTables::new(&kb);
        Compiled { kb, tables }
    }

    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("a knowledge base always serializes")
    }

    pub fn decode(bytes: &[u8]) -> Result<Compiled, DecodeError> {
        Ok(postcard::from_bytes(bytes)?)
    }

    /// Encodes the knowledge base without its entries' texts, and the texts apart: one packed
    /// item per entry (see [`crate::packed`]), for [`Compiled::decode_split`].
    pub fn encode_split(&self) -> (Vec<u8>, Vec<u8>) {
        let texts: Vec<Option<Vec<u8>>> = (self.kb.entries().iter())
            .map(|entry| {
                Some(postcard::to_stdvec(entry.texts.get()).expect("texts always serialize"))
            })
            .collect();
        let mut kb = self.kb.clone();
        for entry in kb.entries_mut() {
            entry.texts = LazyTexts::default();
        }
        // A pair of references encodes as the struct of the two does.
        let head =
            postcard::to_stdvec(&(&kb, &self.tables)).expect("a knowledge base always serializes");
        (head, packed::pack(&texts))
    }

    /// Decodes what [`Compiled::encode_split`] wrote; each entry's texts are decoded when first read.
    pub fn decode_split(bytes: &[u8], texts: &'static [u8]) -> Result<Compiled, DecodeError> {
        let mut compiled = Compiled::decode(bytes)?;
        let texts = Packed::new(texts);
        for (position, entry) in compiled.kb.entries_mut().iter_mut().enumerate() {
            if entry.texts.is_apart() {
                entry.texts = LazyTexts::encoded(texts.get(position).unwrap_or_default());
            }
        }
        Ok(compiled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_knowledge_base_decodes_to_the_same_entries() {
        let compiled = Compiled::new(crate::testing::knowledge_base());
        let (head, texts) = compiled.encode_split();
        let whole = compiled.encode();
        assert!(head.len() < whole.len() / 2, "the texts are most of it");
        let split = Compiled::decode_split(&head, Box::leak(texts.into_boxed_slice())).unwrap();
        assert!(split.kb.entries().iter().all(|e| !e.texts.is_apart()));
        assert_eq!(split.kb.entries(), compiled.kb.entries());
        assert_eq!(split.encode(), whole, "and encodes whole as before");
    }
}
