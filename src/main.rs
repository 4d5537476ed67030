use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = beian::cli::Cli::parse();
    ExitCode::from(beian::app::run(cli).code())
}
