//! Runs a parsed command line: resolves settings once, loads the knowledge base, dispatches.

use crate::advise::{Advisor, MAX_QUERY_BYTES};
use crate::cli::{Cli, ColorChoice, Command, GlobalArgs, KbCommand, LangChoice};
use crate::kb::{lint, Files, KnowledgeBase, Sources};
use crate::render::json::{AdviceJson, EntryJson};
use crate::render::text::{self, TextOptions};
use crate::render::{sanitize, Lang, Palette};
use crate::{eval, kb};
use anyhow::Context;
use std::io::{self, IsTerminal, Read, Write};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How a run ended; `main` maps it to the process exit code (grep-like: 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    NoMatch,
    Error,
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::NoMatch => 1,
            Outcome::Error => 2,
        }
    }
}

/// An error meant for the user: one line, exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

fn user_error(message: impl Into<String>) -> anyhow::Error {
    UserError(message.into()).into()
}

/// The command line resolved into what the program reads.
#[derive(Debug, Clone)]
pub struct Settings {
    pub sources: Sources,
    /// Where a `--kb` knowledge base is kept once compiled.
    pub cache: crate::cache::Policy,
    pub text: TextOptions,
    pub color: bool,
}

impl Settings {
    pub fn resolve(global: &GlobalArgs) -> anyhow::Result<Settings> {
        if global.no_builtin && global.kb.is_none() {
            return Err(user_error(
                "--no-builtin needs --kb DIR: otherwise there are no entries",
            ));
        }
        let stdout_terminal = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stdout_terminal && !no_color && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        };
        let lang = match global.lang {
            LangChoice::Zh => Lang::Zh,
            LangChoice::En => Lang::En,
        };
        Ok(Settings {
            sources: Sources {
                builtin: !global.no_builtin,
                dir: global.kb.clone(),
            },
            cache: crate::cache::Policy::resolve(global.no_cache),
            text: TextOptions {
                lang,
                palette: Palette { enabled: color },
                width: None,
            },
            color,
        })
    }

    pub fn load_kb(&self) -> anyhow::Result<KnowledgeBase> {
        KnowledgeBase::load(&self.sources).map_err(|err| user_error(err.to_string()))
    }

    /// The advisor: the prebuilt built-in one, or, when `--kb` adds entries, one compiled from the
    /// files (read from the cache when it was compiled before).
    pub fn advisor(&self) -> anyhow::Result<Advisor> {
        if self.sources.builtin && self.sources.dir.is_none() {
            return Ok(Advisor::builtin()?);
        }
        crate::cache::advisor(&self.sources, &self.cache).map_err(|err| match err {
            crate::cache::LoadError::Kb(err) => user_error(err.to_string()),
            other => other.into(),
        })
    }
}

/// Runs the command line and reports how it ended. Errors are printed here, as one line.
pub fn run(cli: Cli) -> Outcome {
    match dispatch(cli) {
        Ok(outcome) => outcome,
        Err(err) => {
            if is_broken_pipe(&err) {
                return Outcome::Success;
            }
            let message = sanitize(&format!("{err:#}")).replace('\n', " ");
            let _ = writeln!(io::stderr(), "beian: error: {message}");
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

/// Reports a command line that clap rejected. clap spreads an error over several lines; beian's
/// contract is one line on stderr and exit 2. Help output is printed as clap has it.
pub fn usage_error(err: &clap::Error) -> Outcome {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = err.print();
        return if err.exit_code() == 0 {
            Outcome::Success
        } else {
            Outcome::Error
        };
    }
    let _ = writeln!(
        io::stderr(),
        "beian: error: {}",
        one_line_usage_error(&err.to_string())
    );
    Outcome::Error
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

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let settings = Settings::resolve(&cli.global)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let outcome = match cli.command {
        Some(Command::Ask(args)) => ask(&settings, &args, &mut out)?,
        Some(Command::Show { id, json }) => show(&settings, &id, json, &mut out)?,
        Some(Command::List { kind, json }) => list(&settings, kind.map(Into::into), json, &mut out)?,
        Some(Command::Kb(KbCommand::Lint)) => kb_lint(&settings, &mut out)?,
        Some(Command::Eval { file, verbose }) => eval_file(&settings, &file, verbose, &mut out)?,
        Some(Command::Triage(args)) => crate::triage::run(&settings, &args, &mut out)?,
        Some(Command::Check(args)) => crate::check::command::run(&settings, &args, &mut out)?,
        Some(Command::Repl { json }) => crate::repl::run(&settings, json, &mut out)?,
        Some(Command::Completions { shell }) => crate::ecosystem::completions(shell, &mut out)?,
        Some(Command::Man(args)) => crate::ecosystem::man(&args, &mut out)?,
        None if io::stdin().is_terminal() => crate::repl::run(&settings, false, &mut out)?,
        // Piped input without a command is ambiguous (one notice, or one question a line?): ask which.
        None => {
            return Err(user_error(
                "no command given; pipe a notice to `beian ask`, questions (one a line) to `beian repl`, or see `beian --help`",
            ))
        }
    };
    out.flush()?;
    Ok(outcome)
}

/// Reads the query: the arguments joined, or standard input for none or `-`.
fn read_query(args: &[String]) -> anyhow::Result<(String, bool)> {
    if !(args.is_empty() || args == ["-"]) {
        return Ok((args.join(" "), false));
    }
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return Err(user_error(
            "no question given; pass it as an argument (beian ask \"…\") or on standard input",
        ));
    }
    let mut bytes = Vec::new();
    // Read a little past the limit, so a cut is noticed without reading a huge input whole.
    stdin
        .lock()
        .take(MAX_QUERY_BYTES as u64 + 4)
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let cut = bytes.len() > MAX_QUERY_BYTES;
    decode_input(bytes, "standard input").map(|text| (text, cut))
}

/// UTF-8 text without NUL bytes, or a clear error. A character cut at the end of a read is dropped.
pub fn decode_input(mut bytes: Vec<u8>, what: &str) -> anyhow::Result<String> {
    if bytes.contains(&0) {
        return Err(user_error(format!(
            "{what} contains NUL bytes; beian reads text"
        )));
    }
    match std::str::from_utf8(&bytes) {
        Ok(_) => {}
        Err(err) if err.error_len().is_none() && bytes.len() > MAX_QUERY_BYTES => {
            bytes.truncate(err.valid_up_to());
        }
        Err(err) => {
            return Err(user_error(format!(
                "{what} is not valid UTF-8 (byte {}); save it as UTF-8 and try again",
                err.valid_up_to()
            )))
        }
    }
    Ok(String::from_utf8(bytes).expect("checked above"))
}

/// Whether the text has anything to search for (letters, digits or CJK characters).
pub fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn ask(
    settings: &Settings,
    args: &crate::cli::AskArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let (query, cut_on_read) = read_query(&args.text)?;
    if !has_words(&query) {
        return Err(user_error(
            "the question is empty; ask something, e.g. beian ask \"备案退回后下一步做什么\"",
        ));
    }
    let advisor = settings.advisor()?;
    if args.explain {
        for line in advisor.explain(&query)? {
            writeln!(out, "{}", sanitize(&line))?;
        }
        writeln!(out)?;
    }
    let advice = advisor.advise(&query, usize::from(args.top))?;
    if advice.truncated || cut_on_read {
        let _ = writeln!(
            io::stderr(),
            "beian: warning: the input is longer than {} KiB; only its beginning was read",
            MAX_QUERY_BYTES / 1024
        );
    }
    if args.json {
        crate::render::json::write(out, &AdviceJson::new(&advice), false)?;
        writeln!(out)?;
    } else {
        let mut options = settings.text;
        options.width = terminal_width();
        text::write_advice(out, &advice, &options)?;
    }
    Ok(match advice.status {
        crate::advise::Status::Match => Outcome::Success,
        crate::advise::Status::NoMatch => Outcome::NoMatch,
    })
}

/// The terminal's width when standard output is one.
pub fn terminal_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(width, _)| usize::from(width.0).min(100))
}

fn show(settings: &Settings, id: &str, json: bool, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let kb = settings.load_kb()?;
    let Some(entry) = kb.get(id) else {
        let near: Vec<&str> = kb
            .entries()
            .iter()
            .map(|e| e.id.as_str())
            .filter(|candidate| {
                let slug = id.rsplit('/').next().unwrap_or(id);
                !slug.is_empty() && candidate.contains(slug)
            })
            .take(5)
            .collect();
        let hint = if near.is_empty() {
            "`beian list` shows every id".to_string()
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        return Err(user_error(format!("no entry '{}'; {hint}", sanitize(id))));
    };
    if json {
        crate::render::json::write(out, &EntryJson::new(entry), true)?;
        writeln!(out)?;
    } else {
        let mut options = settings.text;
        options.width = terminal_width();
        text::write_entry(out, entry, &options)?;
    }
    Ok(Outcome::Success)
}

fn list(
    settings: &Settings,
    kind: Option<kb::Kind>,
    json: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let kb = settings.load_kb()?;
    let entries: Vec<_> = kb
        .entries()
        .iter()
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .collect();
    if json {
        let items: Vec<_> = entries.iter().map(|e| EntryJson::new(e)).collect();
        crate::render::json::write(out, &items, true)?;
        writeln!(out)?;
    } else {
        text::write_list(out, &entries, &settings.text)?;
    }
    Ok(Outcome::Success)
}

fn kb_lint(settings: &Settings, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let mut layers = Vec::new();
    if settings.sources.builtin {
        layers.push(Files::builtin());
    }
    if let Some(dir) = &settings.sources.dir {
        layers.push(Files::read_dir(dir).map_err(|err| user_error(err.to_string()))?);
    }
    let problems = lint::lint(&layers);
    for problem in &problems {
        writeln!(out, "{}", sanitize(&problem.to_string()))?;
    }
    let errors = lint::error_count(&problems);
    let entries: usize = layers.iter().map(|l| l.entries.len()).sum();
    writeln!(
        out,
        "{entries} entries checked: {errors} errors, {} warnings",
        problems.len() - errors
    )?;
    Ok(if errors > 0 {
        Outcome::Error
    } else {
        Outcome::Success
    })
}

fn eval_file(
    settings: &Settings,
    file: &std::path::Path,
    verbose: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let text = decode_input(bytes, &file.display().to_string())?;
    let cases = eval::parse_cases(&text)
        .map_err(|(line, message)| user_error(format!("{}:{line}: {message}", file.display())))?;
    let advisor = settings.advisor()?;
    let report = eval::evaluate(&advisor, &cases)?;
    if verbose {
        for miss in &report.misses {
            let got: Vec<String> = miss
                .got
                .iter()
                .map(|(id, c)| format!("{id} ({c:.2})"))
                .collect();
            let expected = miss
                .case
                .expect_all
                .as_ref()
                .or(miss.case.expect.as_ref())
                .map(|ids| ids.join(" | "))
                .unwrap_or_default();
            writeln!(out, "MISS {}: {}", miss.case.id, miss.reason)?;
            writeln!(out, "  query:    {}", sanitize(&miss.case.query))?;
            writeln!(
                out,
                "  expected: {}",
                if expected.is_empty() {
                    "no_match"
                } else {
                    &expected
                }
            )?;
            writeln!(
                out,
                "  got:      [{}] {}",
                miss.status.as_str(),
                got.join(", ")
            )?;
        }
        if !report.misses.is_empty() {
            writeln!(out)?;
        }
    }
    writeln!(
        out,
        "cases: {} (in scope {}, out of scope {}, multi-reason {})",
        cases.len(),
        report.in_scope,
        report.out_of_scope,
        report.multi
    )?;
    writeln!(
        out,
        "top-1:              {:.3} ({}/{})",
        report.top1_rate(),
        report.top1,
        report.in_scope
    )?;
    writeln!(
        out,
        "top-3:              {:.3} ({}/{})",
        report.top3_rate(),
        report.top3,
        report.in_scope
    )?;
    writeln!(out, "MRR:                {:.3}", report.mrr())?;
    writeln!(
        out,
        "out-of-scope:       {}/{} answered no_match",
        report.out_of_scope_ok, report.out_of_scope
    )?;
    writeln!(
        out,
        "multi-reason:       {}/{} complete in the first five",
        report.multi_ok, report.multi
    )?;
    writeln!(out, "in-scope no_match:  {}", report.in_scope_no_match)?;
    writeln!(
        out,
        "summary: top1={:.3} top3={:.3} mrr={:.3} out_of_scope={}/{} multi={}/{} in_scope_no_match={}",
        report.top1_rate(),
        report.top3_rate(),
        report.mrr(),
        report.out_of_scope_ok,
        report.out_of_scope,
        report.multi_ok,
        report.multi,
        report.in_scope_no_match
    )?;
    Ok(Outcome::Success)
}

impl From<crate::advise::AdviseError> for UserError {
    fn from(err: crate::advise::AdviseError) -> Self {
        UserError(err.to_string())
    }
}
