//! The engine of beian, the offline ICP-filing advisor: the knowledge base ([`kb`]), the Chinese-aware
//! analyzer ([`analyzer`]) and search index ([`index`]), the phrase and pattern matching ([`matching`])
//! with the tables precomputed for it ([`tables`]), the splitting of a pasted notice ([`segment`]),
//! the languages of entries and questions ([`lang`]), the fitted ranking model ([`model`]), a sentence encoder's similarities ([`semantic`]), the ranker ([`rank`]) and the advice built on
//! it ([`advise`]), the built-in form a knowledge base is compiled into ([`compiled`]) and the
//! scoring of query sets ([`eval`]).
//!
//! Nothing here prints, reads a terminal or parses a command line: lookups return data.

pub mod advise;
pub mod analyzer;
pub mod compiled;
pub mod eval;
pub mod fit;
pub mod index;
pub mod kb;
pub mod lang;
pub mod matching;
pub mod model;
pub mod packed;
pub mod rank;
pub mod segment;
pub mod semantic;
pub mod tables;

#[cfg(test)]
mod testing;
