//! The compiled form of a knowledge base: its entries and the matching tables made from them, encoded
//! with postcard. The binary's build script compiles the built-in knowledge base into it (a process
//! then only decodes it), and each `--kb` cache file holds one.

use crate::kb::KnowledgeBase;
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
}
