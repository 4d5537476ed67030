//! beian's entry point: parse the command line, run it, exit with the outcome's code.

use beian::dispatch;
use std::process::ExitCode;

fn main() -> ExitCode {
    let outcome = match dispatch::parse(std::env::args_os().collect()) {
        Ok(cli) => dispatch::run(cli),
        Err(err) => dispatch::usage_error(&err),
    };
    ExitCode::from(outcome.code())
}
