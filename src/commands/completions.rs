//! `beian completions SHELL`: a shell completion script, generated from the command line's definition.

use crate::cli::Cli;
use crate::outcome::Outcome;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

/// Writes the completion script to `out`.
pub fn run(shell: Shell, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // clap_complete panics when its writer fails, so it writes to memory and a closed pipe stays quiet.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "beian", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Success)
}
