//! beian, the command line on top of the engine (`beian-engine`): settings, commands, views.
//!
//! `main` parses the command line and hands it to [`dispatch`]; the commands ([`commands`]) read
//! [`settings`], ask the engine and write through [`render`]. The built-in knowledge base
//! ([`builtin`]) is compiled by `build.rs` and embedded.

pub mod builtin;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod dispatch;
pub mod encoder;
pub mod input;
pub mod interrupt;
pub mod outcome;
pub mod pager;
pub mod render;
pub mod settings;
pub mod terminal;

/// The release, from the package.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
