//! `beian completions SHELL`: a shell completion script, generated from the command line's definition,
//! with the ids of the built-in entries baked in for `beian show ID` (the knowledge base is compiled
//! into the binary, so the script is as current as the binary that wrote it).

use crate::cli::Cli;
use crate::outcome::Outcome;
use crate::render::sanitize;
use clap::builder::PossibleValuesParser;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;

/// Writes the completion script to `out`.
pub fn run(shell: Shell, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    // `--kind` takes the kinds already (its values are the ValueEnum's); `show` gets the ids here
    // only, so that `show` still accepts an id of a `--kb` entry, which no list can know.
    let kb = crate::builtin::knowledge_base();
    let ids: Vec<String> = kb.entries().iter().map(|entry| entry.id.clone()).collect();
    // The definition as clap derives it: the global options stay on every command, to be completed there.
    let mut command = Cli::command().mut_subcommand("show", |show| {
        show.mut_arg("id", |id| id.value_parser(PossibleValuesParser::new(ids)))
    });
    // clap_complete panics when its writer fails, so it writes to memory and a closed pipe stays quiet.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "beian", &mut script);
    if shell == Shell::Fish {
        // clap_complete's fish scripts complete options only, not arguments: the ids are added here,
        // each with its title, through the function the script defines.
        for entry in kb.entries() {
            writeln!(
                script,
                "complete -c beian -n \"__fish_beian_using_subcommand show\" -f -a '{}' -d '{}'",
                fish_quoted(&entry.id),
                fish_quoted(&sanitize(&entry.title))
            )?;
        }
    }
    out.write_all(&script)?;
    Ok(Outcome::Success)
}

/// Text for inside fish's single quotes, where only `\` and `'` need a backslash.
fn fish_quoted(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\'', "\\'")
}
