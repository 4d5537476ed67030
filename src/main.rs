//! beian's entry point: parse the command line, run it, exit with the outcome's code.

use beian::cli::Cli;
use beian::dispatch;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = match Cli::try_parse() {
        Ok(cli) => dispatch::run(cli),
        Err(err) => dispatch::usage_error(&err),
    };
    ExitCode::from(outcome.code())
}
