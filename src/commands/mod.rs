//! One module per command. Each reads the resolved [`crate::settings::Settings`] and its own plain
//! arguments (never clap's structs: the dispatcher converts them), asks the engine, and writes
//! through [`crate::render`].

pub mod ask;
pub mod check;
pub mod completions;
pub mod eval;
pub mod kb;
pub mod list;
pub mod man;
pub mod model;
pub mod repl;
pub mod serve;
pub mod show;
pub mod triage;
pub mod version;
