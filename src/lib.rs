//! beian: an offline advisor for China's ICP website filing (ICP备案).
//!
//! The library holds the engine: the knowledge base ([`kb`]), the search index ([`index`]), and the
//! advice ([`advise`]) that turns a question or a pasted rejection notice into ranked answers.
//! Rendering ([`render`]) turns answers into text or JSON; [`app`] runs a parsed command line.

pub mod advise;
pub mod app;
pub mod builtin;
pub mod cache;
pub mod check;
pub mod cli;
pub mod ecosystem;
pub mod eval;
pub mod index;
pub mod interrupt;
pub mod kb;
pub mod phrases;
pub mod prepare;
pub mod render;
pub mod repl;
pub mod segment;
pub mod triage;
