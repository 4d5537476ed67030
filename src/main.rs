use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = beian::ecosystem::parse_command_line();
    ExitCode::from(beian::app::run(cli).code())
}
