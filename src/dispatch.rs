//! Parses and runs the command line: a bare question is `ask`, a mistyped command gets a
//! suggestion; the clap structs become settings and each command's own arguments here, and nowhere
//! else; then the command runs (long output through the pager), and an error is printed as one
//! line. Only `main` calls this.

use crate::cli::{
    CheckArgs, Cli, ColorChoice, Command, GlobalArgs, KbCommand, KindChoice, LangChoice, ManArgs,
    ModelCommand, QueryLang, ServeArgs, TriageArgs, TriageFormat,
};
use crate::commands::{
    ask, check, completions, eval, kb, list, man, model, repl, serve, show, triage, version,
};
use crate::outcome::{user_error, Outcome, UserErrors};
use crate::render::text::Length;
use crate::render::{sanitize, Lang};
use crate::settings::{AnswerLang, ColorWhen, Options, Settings};
use beian_engine::kb::Kind;
use clap::error::{ContextKind, ContextValue};
use clap::FromArgMatches;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};

/// Parses the command line. A first word that is no command but reads as a question (it holds
/// whitespace or non-ASCII text: `beian 外国人可以备案吗`) is asked, as if after `ask`; a word that
/// is a command mistyped gets the nearest one as a suggestion, also where clap finds none.
pub fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let err = match parse_as_is(&args) {
        Ok(cli) => return Ok(cli),
        Err(err) => err,
    };
    let Some(ContextValue::String(word)) = err.get(ContextKind::InvalidSubcommand) else {
        return Err(err);
    };
    let word = word.clone();
    let at = args
        .iter()
        .skip(1)
        .position(|arg| *arg == *word)
        .map(|i| i + 1);
    if word.chars().any(|c| c.is_whitespace() || !c.is_ascii()) {
        if let Some(at) = at {
            let mut asked = args.clone();
            asked.insert(at, OsString::from("ask"));
            return parse_as_is(&asked);
        }
    }
    let mut err = err;
    if err.get(ContextKind::SuggestedSubcommand).is_none() {
        // No words at all (not even the program's name) leave nothing before it.
        let before = args.get(1..at.unwrap_or(args.len())).unwrap_or_default();
        if let Some(near) = nearest_command(before, &word) {
            err.insert(
                ContextKind::SuggestedSubcommand,
                ContextValue::Strings(vec![near]),
            );
        }
    }
    Err(err)
}

fn parse_as_is(args: &[OsString]) -> Result<Cli, clap::Error> {
    let matches = crate::cli::command().try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// The command nearest to `word` (an edit or a swap of two letters away, two for longer names)
/// among those of the command that `before` (the words before it) names: clap's own suggestion
/// misses a swap in a short name (`aks` for `ask`).
fn nearest_command(before: &[OsString], word: &str) -> Option<String> {
    let mut command = crate::cli::command();
    for arg in before {
        let name = arg.to_string_lossy();
        if let Some(sub) = command.find_subcommand(name.as_ref()) {
            command = sub.clone();
        }
    }
    let limit = if word.chars().count() > 5 { 2 } else { 1 };
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| (strsim::osa_distance(word, sub.get_name()), sub.get_name()))
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name.to_string())
}

/// Runs the command line and reports how it ended. Errors are printed here, as one line.
pub fn run(cli: Cli) -> Outcome {
    match dispatch(cli) {
        Ok(outcome) => outcome,
        Err(err) => {
            if is_broken_pipe(&err) {
                return Outcome::Success;
            }
            let one_line = |text: &str| sanitize(text).replace('\n', " ");
            let mut stderr = io::stderr().lock();
            if let Some(many) = err.downcast_ref::<UserErrors>() {
                for error in &many.errors {
                    let _ = writeln!(stderr, "beian: error: {}", one_line(error));
                }
                let _ = writeln!(stderr, "beian: {}", one_line(&many.hint));
            } else {
                let _ = writeln!(stderr, "beian: error: {}", one_line(&format!("{err:#}")));
            }
            Outcome::Error
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let settings = Settings::resolve(options(cli.global))?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    // The commands whose output can be long are written whole first, then paged if it is.
    let pageable = matches!(
        cli.command,
        Some(Command::Ask(_) | Command::Show { .. } | Command::List { .. })
    );
    let outcome = match &settings.pager {
        Some(pager) if pageable => {
            let mut page = Vec::new();
            let outcome = run_command(cli.command, &settings, &mut page)?;
            pager.page(&page, &mut out)?;
            outcome
        }
        _ => run_command(cli.command, &settings, &mut out)?,
    };
    out.flush()?;
    Ok(outcome)
}

fn run_command(
    command: Option<Command>,
    settings: &Settings,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let outcome = match command {
        Some(Command::Ask(args)) => {
            // Short on a terminal, where a person reads it; long (as it always was) for scripts.
            let length = if args.short || (!args.long && settings.stdout_terminal) {
                Length::Short
            } else {
                Length::Long
            };
            let args = ask::Args {
                text: args.text,
                json: args.json,
                top: usize::from(args.top),
                explain: args.explain,
                length,
            };
            ask::run(settings, &args, out)?
        }
        Some(Command::Show { id, json }) => show::run(settings, &id, json, out)?,
        Some(Command::List { kind, json }) => {
            list::run(settings, kind.map(self::kind), json, out)?
        }
        Some(Command::Kb(KbCommand::Lint)) => kb::lint(settings, out)?,
        Some(Command::Kb(KbCommand::Fit {
            sets,
            out: model,
            folds,
            l2,
        })) => {
            let args = kb::FitArgs {
                sets,
                out: model,
                folds: usize::from(folds),
                l2,
            };
            kb::fit(settings, &args, out)?
        }
        Some(Command::Eval {
            file,
            verbose,
            query_lang,
        }) => {
            let only = query_lang.map(|lang| match lang {
                QueryLang::Zh => Lang::Zh,
                QueryLang::En => Lang::En,
            });
            eval::run(settings, &file, verbose, only, out)?
        }
        Some(Command::Triage(args)) => triage::run(settings, &triage_args(args), out)?,
        Some(Command::Check(args)) => check::command::run(settings, &check_args(args), out)?,
        Some(Command::Repl { json }) => repl::run(settings, json, out)?,
        Some(Command::Serve(args)) => serve::run(settings, &serve_args(args))?,
        Some(Command::Completions { shell }) => completions::run(shell, out)?,
        Some(Command::Man(args)) => man::run(&man_args(args), out)?,
        Some(Command::Model(ModelCommand::Install { dir })) => model::install(&dir, out)?,
        Some(Command::Model(ModelCommand::Status)) => model::status(settings, out)?,
        None if io::stdin().is_terminal() => repl::run(settings, false, out)?,
        // Piped input without a command is ambiguous (one notice, or one question a line?): ask which.
        None => {
            return Err(user_error(
                "no command given; pipe a notice to `beian ask`, questions (one a line) to `beian repl`, or see `beian --help`",
            ))
        }
    };
    Ok(outcome)
}

fn options(global: GlobalArgs) -> Options {
    Options {
        kb: global.kb,
        no_builtin: global.no_builtin,
        no_cache: global.no_cache,
        color: match global.color {
            ColorChoice::Auto => ColorWhen::Auto,
            ColorChoice::Always => ColorWhen::Always,
            ColorChoice::Never => ColorWhen::Never,
        },
        lang: match global.lang {
            LangChoice::Auto => AnswerLang::Auto,
            LangChoice::Zh => AnswerLang::Fixed(Lang::Zh),
            LangChoice::En => AnswerLang::Fixed(Lang::En),
        },
        no_pager: global.no_pager,
        model: global.model,
        no_model: global.no_model,
    }
}

fn kind(kind: KindChoice) -> Kind {
    match kind {
        KindChoice::Scenario => Kind::Scenario,
        KindChoice::Process => Kind::Process,
        KindChoice::Rejection => Kind::Rejection,
        KindChoice::Risk => Kind::Risk,
        KindChoice::Faq => Kind::Faq,
    }
}

fn triage_args(args: TriageArgs) -> triage::Args {
    triage::Args {
        file: args.file,
        top: usize::from(args.top),
        format: match args.format {
            TriageFormat::Jsonl => triage::Format::Jsonl,
            TriageFormat::Csv => triage::Format::Csv,
        },
        summary: args.summary,
        input: if args.text {
            triage::InputKind::Text
        } else {
            triage::InputKind::Json
        },
        jobs: args.jobs.map(usize::from),
        record: if args.full {
            triage::Record::Full
        } else {
            triage::Record::Routing
        },
    }
}

fn check_args(args: CheckArgs) -> check::command::Args {
    check::command::Args {
        file: args.file,
        template: args.template,
        json: args.json,
        today: args.today,
    }
}

fn serve_args(args: ServeArgs) -> serve::Args {
    serve::Args {
        listen: args.listen,
        token: args.token,
        cors: args.cors,
        concurrency: args.concurrency as usize,
        timeout: std::time::Duration::from_secs(args.timeout),
        triage_limit: args.triage_limit,
        triage_streams: usize::from(args.triage_streams),
    }
}

fn man_args(args: ManArgs) -> man::Args {
    man::Args {
        command: args.command,
        dir: args.dir,
    }
}

/// Reports a command line that clap did not run: `--version` (with the built-in knowledge base),
/// help as clap prints it, and a rejected command line as beian's contract wants it, one line on
/// stderr and exit 2.
pub fn usage_error(err: &clap::Error) -> Outcome {
    use clap::error::ErrorKind;
    if err.kind() == ErrorKind::DisplayVersion {
        let written = writeln!(io::stdout(), "{}", version::line());
        return printed(
            written.and_then(|()| io::stdout().flush()),
            Outcome::Success,
        );
    }
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let outcome = if err.exit_code() == 0 {
            Outcome::Success
        } else {
            Outcome::Error
        };
        return printed(err.print().and_then(|()| io::stdout().flush()), outcome);
    }
    let _ = writeln!(
        io::stderr(),
        "beian: error: {}",
        one_line_usage_error(&err.to_string())
    );
    Outcome::Error
}

/// How printing help or the version ended: `outcome` once written; a full disk (or any write error)
/// is reported, exit 2; a closed pipe (`beian --version | true`) is not worth a message.
fn printed(written: io::Result<()>, outcome: Outcome) -> Outcome {
    match written {
        Ok(()) => outcome,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => outcome,
        Err(err) => {
            let _ = writeln!(
                io::stderr(),
                "beian: error: cannot write to standard output: {err}"
            );
            Outcome::Error
        }
    }
}

/// clap's `error: …`, its indented details and tips, and which `--help` to read, on one line.
fn one_line_usage_error(rendered: &str) -> String {
    let mut message = String::new();
    let mut help = None;
    for line in rendered.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(usage) = line.strip_prefix("Usage: ") {
            let path: Vec<&str> = usage
                .split_whitespace()
                .take_while(|word| !word.starts_with(['[', '<']))
                .collect();
            help = Some(format!(" (see `{} --help`)", path.join(" ")));
        } else if let Some(tip) = line.strip_prefix("tip: ") {
            message.push_str("; ");
            message.push_str(tip);
        } else if !line.starts_with("For more information") {
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(line.strip_prefix("error: ").unwrap_or(line));
        }
    }
    sanitize(&format!("{message}{}", help.unwrap_or_default()))
}
