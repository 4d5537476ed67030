//! The command line, as clap derive definitions, and [`command`], which lists the global options
//! once for help and man pages. `dispatch` turns it into settings and each command's arguments;
//! nothing else reads these types (but the completion and man page generators, which describe them).

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

const ABOUT: &str = "Offline advisor for China's ICP website filing (ICP备案): what a rejection means and what to do next";

const LONG_ABOUT: &str = "\
beian answers questions about China's ICP website filing (ICP备案) and explains pasted rejection
notices (驳回/退回通知): why it happened, how to fix it, and what to do next. Everything runs offline
on the knowledge base built into the binary; teams add their own entries with --kb DIR.

A question needs no command: `beian 外国人可以备案吗` is `beian ask 外国人可以备案吗`. With no command
on a terminal, beian opens an interactive session (see `beian repl`). On a terminal, text wraps to
the window (or $COLUMNS) and long output goes through a pager ($BEIAN_PAGER, $PAGER, less -FRX).";

const EXAMPLES: &str = "\
Examples:
  beian ask \"网站换了云服务商,原来的备案号还能用吗\"
  beian 外国人可以备案吗                # a question needs no `ask`
  beian ask --json \"驳回原因：域名所有人不正确\"
  pbpaste | beian ask               # a whole rejection notice from standard input
  beian show rejection/subject-mismatch
  beian list --kind rejection
  beian kb lint --kb ./our-entries
  beian eval queries.jsonl --verbose
  beian serve                       # the API and a page for support agents on http://127.0.0.1:8080";

/// The heading of the options every command takes, in `beian --help`.
pub const GLOBAL_HEADING: &str = "Global options";

/// The command line as beian parses it and describes it in help and man pages: the global options
/// are listed once, in `beian --help` and beian(1); every command's help names them in one line
/// that refers there, instead of repeating them.
pub fn command() -> clap::Command {
    let root = Cli::command();
    let globals: Vec<clap::Arg> = root
        .get_arguments()
        .filter(|arg| arg.is_global_set() && !arg.is_hide_set())
        .cloned()
        .collect();
    let note = format!(
        "{GLOBAL_HEADING}: {} (see `beian --help`)",
        globals.iter().map(usage).collect::<Vec<_>>().join(", ")
    );
    root.mut_subcommands(|sub| refer_to_globals(sub, &globals, &note))
}

/// `--kb DIR`, `--no-cache`: an option as the one-line note names it.
fn usage(arg: &clap::Arg) -> String {
    let long = format!("--{}", arg.get_long().unwrap_or(arg.get_id().as_str()));
    match arg.get_value_names() {
        Some([name, ..]) if arg.get_action().takes_values() => format!("{long} {name}"),
        _ => long,
    }
}

/// Gives `command` (and its subcommands) hidden copies of the global options, which clap then
/// does not propagate over them: they parse as before but stay out of the command's help, where
/// the note names them instead.
fn refer_to_globals(command: clap::Command, globals: &[clap::Arg], note: &str) -> clap::Command {
    // clap's own `help` command takes no options.
    if command.get_name() == "help" {
        return command;
    }
    let after = match command.get_after_help() {
        Some(after) => format!("{note}\n\n{after}"),
        None => note.to_string(),
    };
    globals
        .iter()
        .fold(command, |command, arg| command.arg(arg.clone().hide(true)))
        .after_help(after)
        .mut_subcommands(|sub| refer_to_globals(sub, globals, note))
}

#[derive(Debug, Parser)]
#[command(name = "beian", version = crate::VERSION, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args, Clone)]
#[command(next_help_heading = GLOBAL_HEADING)]
pub struct GlobalArgs {
    /// Also load the entries in DIR (DIR/<kind>/<slug>.md); an entry with a built-in id replaces it
    #[arg(long, global = true, value_name = "DIR")]
    pub kb: Option<PathBuf>,

    /// Use only the entries of --kb DIR, not the built-in knowledge base
    #[arg(long, global = true)]
    pub no_builtin: bool,

    /// Build the --kb knowledge base in memory, without reading or writing the cache
    /// (kept in $BEIAN_CACHE_DIR, else the platform cache directory, e.g. ~/.cache/beian)
    #[arg(long, global = true)]
    pub no_cache: bool,

    /// When to use colour (NO_COLOR turns it off for `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Language of answers: labels, titles and the entries' text (and of the JSON body fields);
    /// auto answers in the question's language (Latin-script question: English, Chinese: Chinese;
    /// show, list and check, which have no question, use Chinese)
    #[arg(long, global = true, value_enum, default_value_t = LangChoice::Auto, value_name = "LANG")]
    pub lang: LangChoice,

    /// Never page long output (on a terminal it goes through $BEIAN_PAGER, else $PAGER, else
    /// `less -FRX`; an empty value turns the pager off too)
    #[arg(long, global = true)]
    pub no_pager: bool,

    /// Read meaning too with the sentence encoder in DIR (a Hugging Face model directory such as
    /// multilingual-e5-small); default: $BEIAN_MODEL, else the one `beian model install` recorded
    #[arg(long, global = true, value_name = "DIR", conflicts_with = "no_model")]
    pub model: Option<PathBuf>,

    /// Answer from words alone, without a sentence encoder even if one is installed
    #[arg(long, global = true)]
    pub no_model: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangChoice {
    /// The question's language: English when its Latin-script words outnumber its Chinese words
    /// (a Chinese word counted as two characters), else Chinese
    Auto,
    /// 中文: labels (原因 / 解决步骤 / 下一步), titles and text
    Zh,
    /// English labels, titles and text (an entry without English text says so and shows the Chinese)
    En,
}

/// A language of questions (`beian eval --query-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryLang {
    Zh,
    En,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer one question or pasted rejection notice
    #[command(after_help = "\
Examples:
  beian ask \"备案退回后下一步做什么\"
  beian ask --json --top 3 \"初审退回:照片背景不对;法人身份证到期了\"
  beian ask \"our ICP filing came back, what now?\"   # answered in English (--lang auto)
  beian ask --long \"外国人可以备案吗\"                # causes, related entries, every source
  beian ask - < notice.txt

Exit status: 0 a confident match, 1 no confident match, 2 a usage, input or knowledge-base error.")]
    Ask(AskArgs),

    /// Open the interactive session: ask, read, follow up (:show N, :list, :json, :help)
    #[command(after_help = "\
Examples:
  beian repl                         # on a terminal: prompt, completion, history
  beian                              # the same, when standard input is a terminal
  cat questions.txt | beian repl     # one answer per non-empty line, no prompt, no history
  beian repl --json < questions.txt  # one JSON object per line (the shape of ask --json)

History: $BEIAN_HISTORY, else <data dir>/beian/history (~/.local/share/beian/history on Linux),
mode 0600, duplicates collapsed; BEIAN_HISTORY= (empty) turns it off. Piped input is never recorded.
Exit status: 0 at the end of the session, 2 if a piped line could not be read (it is skipped).")]
    Repl {
        /// Start with JSON output (:json toggles it)
        #[arg(long)]
        json: bool,
    },

    /// Show one entry in full
    #[command(after_help = "Example:\n  beian show scenario/new-access")]
    Show {
        /// Entry id, e.g. rejection/subject-mismatch
        id: String,
        /// Print the entry as JSON
        #[arg(long)]
        json: bool,
    },

    /// List the entries of the knowledge base
    #[command(after_help = "Examples:\n  beian list\n  beian list --kind rejection --json")]
    List {
        /// Only entries of this kind
        #[arg(long, value_enum)]
        kind: Option<KindChoice>,
        /// Print a JSON array
        #[arg(long)]
        json: bool,
    },

    /// Knowledge-base tools
    #[command(
        subcommand,
        after_help = "Examples:\n  beian kb lint\n  beian kb lint --kb ./our-entries"
    )]
    Kb(KbCommand),

    /// Score a query set (JSON Lines: {"id", "query", "expect": [...]} or "expect_all")
    #[command(after_help = "\
Examples:
  beian eval queries.jsonl --verbose
  beian eval queries.jsonl --query-lang en     # the English questions only

Prints top-1, top-3, MRR, out-of-scope and multi-reason accuracy, the precision of `match` answers
and the calibration error of first answers; --verbose lists every miss.")]
    Eval {
        /// The query set
        file: PathBuf,
        /// List every miss
        #[arg(long)]
        verbose: bool,
        /// Score only the cases whose query is in this language, as --lang auto tells it
        #[arg(long, value_enum, value_name = "LANG")]
        query_lang: Option<QueryLang>,
    },

    /// Answer a queue of support tickets: one record per input line, in order
    #[command(after_help = "\
Examples:
  beian triage tickets.jsonl > answers.jsonl
  beian triage tickets.jsonl --format csv --top 3 --summary counts.json > queue.csv
  cut -f2 export.tsv | beian triage --text      # plain lines; the line number is the id

Input lines are {\"id\": …, \"text\": \"…\"}. Each record is {\"id\", \"status\", \"lang\", \"results\"}, each
result {\"id\", \"kind\", \"title\", \"confidence\", \"segment\"}; --full adds the rest of `ask --json`'s result
(the entry's summary, causes, steps, next actions and sources). A line that cannot be read (not JSON, no
text, not UTF-8) gets {\"id\": …, \"status\": \"error\", \"error\": \"…\"} and the run goes on.
Exit status: 0 every line answered or reported, 2 the input could not be read or the output written.")]
    Triage(TriageArgs),

    /// Check a planned filing for the predictable reasons for rejection, before submitting it
    #[command(after_help = "\
Examples:
  beian check --template > filing.toml   # a commented example to fill in
  beian check filing.toml
  beian check --json filing.json

Each finding names the knowledge-base entry that explains it (beian show <entry>).
Exit status: 0 no errors (warnings allowed), 1 errors found, 2 the file could not be read.")]
    Check(CheckArgs),

    /// Serve the advisor over HTTP: a JSON API for ticket systems and a page for support agents
    #[command(after_help = "\
Examples:
  beian serve                                   # http://127.0.0.1:8080/ (the page) and /v1/…
  beian serve --listen 127.0.0.1:0              # any free port; the address is printed on stderr
  BEIAN_TOKEN=$(openssl rand -hex 32) beian serve --listen 0.0.0.0:8080
  curl -s localhost:8080/v1/ask -H 'content-type: application/json' -d '{\"text\": \"驳回原因：域名所有人不正确\"}'

API: POST /v1/ask {\"text\", \"top\", \"lang\"} (the object of `ask --json`), POST /v1/triage (JSON Lines in
and out, streamed), POST /v1/check (a filing as JSON or TOML), GET /v1/entries, GET /v1/entries/KIND/SLUG,
GET /v1/version, GET /healthz. Errors are {\"error\": \"…\"} with status 400, 401, 404, 413, 415, 429 or 503.
Listening on an address other than loopback needs a token (--token or BEIAN_TOKEN); then every request
but /healthz and the page needs `Authorization: Bearer TOKEN`. One line per request goes to stderr.
SIGINT or SIGTERM: no new connections; requests in flight finish (a triage stream stops reading and ends
after the records of the lines it has), for up to --timeout seconds; a second signal stops at once.")]
    Serve(ServeArgs),

    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(after_help = "\
Examples:
  beian completions bash > ~/.local/share/bash-completion/completions/beian
  beian completions zsh > ~/.zfunc/_beian     # with fpath+=(~/.zfunc) before compinit
  beian completions fish > ~/.config/fish/completions/beian.fish
  beian completions powershell >> $PROFILE")]
    Completions {
        /// The shell to complete for
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },

    /// Print the manual page (roff) of beian or of one of its commands
    #[command(after_help = "\
Examples:
  beian man | man -l -                          # read it now
  beian man > ~/.local/share/man/man1/beian.1
  beian man kb lint                             # the page of `beian kb lint`
  beian man --dir ~/.local/share/man/man1       # every page: beian.1, beian-ask.1, …")]
    Man(ManArgs),

    /// Install the optional sentence encoder, or say which one is used
    #[command(
        subcommand,
        after_help = "\
Examples:
  beian model install ~/models/multilingual-e5-small
  beian model status
  beian --model ~/models/multilingual-e5-small ask \"We are a UK company, can we file?\""
    )]
    Model(ModelCommand),
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Check a model directory (load it, embed a probe text) and record it as the one to use
    #[command(after_help = "\
DIR is a sentence encoder in the Hugging Face layout (config.json, tokenizer.json, model.safetensors),
such as multilingual-e5-small as `git clone https://huggingface.co/intfloat/multilingual-e5-small` or
`huggingface-cli download intfloat/multilingual-e5-small --local-dir DIR` gives it. The record is
model.toml in the data directory ($BEIAN_DATA_DIR, else e.g. ~/.local/share/beian); --model DIR and
$BEIAN_MODEL come before it, --no-model turns it off. The first answer with a new model embeds the
entries' texts once (tens of seconds) and caches them.

Examples:
  beian model install ~/models/multilingual-e5-small
  beian model status

Exit status: 0 installed, 2 the directory does not hold a model that loads.")]
    Install {
        /// The model directory
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Say which sentence encoder answers use, where it comes from, its size and speed
    #[command(after_help = "\
Examples:
  beian model status
  beian --no-model model status      # what turning it off means

Exit status: 0 a model is used or none is chosen, 2 the chosen one does not load.")]
    Status,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on; one that is not loopback needs a token
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: SocketAddr,

    /// Require `Authorization: Bearer TOKEN` on every request but /healthz and the page
    #[arg(
        long,
        env = "BEIAN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    pub token: Option<String>,

    /// Let pages from this origin call the API (CORS), e.g. https://desk.example.com; off by default
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,

    /// Requests handled at once; more are refused with 503 at once
    #[arg(long, default_value_t = 128, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub concurrency: u32,

    /// Seconds a request may take, and a triage stream may wait for more of its body
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// The largest /v1/triage body: bytes, or a number with K, M or G (KiB, MiB, GiB)
    #[arg(long, default_value = "64M", value_name = "SIZE", value_parser = parse_size)]
    pub triage_limit: u64,

    /// Triage streams at once; more are refused with 429
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub triage_streams: u16,
}

/// `65536`, `64K`, `64M`, `1G` (binary units) → bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((at, 'k' | 'K')) => (&text[..at], 10),
        Some((at, 'm' | 'M')) => (&text[..at], 20),
        Some((at, 'g' | 'G')) => (&text[..at], 30),
        _ => (text, 0),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("'{text}' is not a size; write bytes, or a number with K, M or G"))?;
    number
        .checked_mul(1 << shift)
        .filter(|&bytes| bytes > 0)
        .ok_or_else(|| format!("'{text}' is out of range"))
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `ask` or `kb lint`; none: beian(1)
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub command: Vec<String>,

    /// Write every page (beian.1, beian-ask.1, …) into DIR instead, and list them
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The planned filing, TOML or JSON; `-`: standard input
    #[arg(value_name = "FILE", required_unless_present = "template")]
    pub file: Option<PathBuf>,

    /// Print a commented example filing to start from
    #[arg(long, conflicts_with_all = ["file", "json"])]
    pub template: bool,

    /// Print the findings as JSON
    #[arg(long)]
    pub json: bool,

    /// Check as of this date (YYYY-MM-DD) instead of today in China (for tests)
    #[arg(long, hide = true, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
}

#[derive(Debug, Args)]
pub struct TriageArgs {
    /// Tickets as JSON Lines; omitted or `-`: standard input
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// How many results per ticket
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=100))]
    pub top: u16,

    /// Output format
    #[arg(long, value_enum, default_value_t = TriageFormat::Jsonl, value_name = "FORMAT")]
    pub format: TriageFormat,

    /// Also write counts (per entry, no_match, errors) to PATH as JSON
    #[arg(long, value_name = "PATH")]
    pub summary: Option<PathBuf>,

    /// Read plain text, one ticket per line, numbered from 1 as its id
    #[arg(long)]
    pub text: bool,

    /// Worker threads [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// Write every result in full, as `ask --json` does (the entry's text and sources), not only the
    /// id, kind, title, confidence and segment a desk routes on
    #[arg(long)]
    pub full: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TriageFormat {
    /// One JSON object per line (kb-spec §3)
    Jsonl,
    /// id, status, top_id, title, confidence, segments, error
    Csv,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// Print the answer as JSON (kb-spec §3)
    #[arg(long)]
    pub json: bool,

    /// How many results to return
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=100))]
    pub top: u16,

    /// Print the evidence behind the ranking (for knowledge-base authors)
    #[arg(long, hide_short_help = true)]
    pub explain: bool,

    /// The short answer: summary, steps, the first next actions and sources, the other candidates
    /// one line each [default on a terminal]
    #[arg(long, conflicts_with = "long")]
    pub short: bool,

    /// The long answer: causes, every next action, related entries and every source too [default
    /// when the output is not a terminal]
    #[arg(long)]
    pub long: bool,

    /// The question or notice; omitted or `-`: read standard input
    #[arg(value_name = "TEXT", allow_hyphen_values = false)]
    pub text: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Check entries against the knowledge-base contract; every problem as file:line: message
    #[command(after_help = "\
Examples:
  beian kb lint                     # the built-in knowledge base
  beian kb lint --kb ./our-entries  # your entries together with the built-in ones

Exit status: 0 no errors (warnings allowed), 2 errors found.")]
    Lint,

    /// Fit the ranking model (ranker.toml) on labelled query sets, cross-validated
    #[command(after_help = "\
Examples:
  scripts/fit-ranker.sh                        # the built-in model, from the project's sets
  beian kb fit --kb ./our-entries --out ./our-entries/ranker.toml ours.jsonl

Every text of the sets (the `beian eval` format) is ranked as `ask` ranks it; a logistic regression
over the features of each (text, candidate) pair gives the ranking weights, and a second one, fitted
on scores from models that did not see the text (--folds), gives calibrated confidence. Prints the
cross-validated figures of each set and of all together, then writes the model. Refit after changing
entries; a built-in model takes effect when the binary is rebuilt.

Exit status: 0 fitted and written, 2 a set could not be read or the model not written.")]
    Fit {
        /// Labelled query sets (JSON Lines with \"expect\" or \"expect_all\")
        #[arg(required = true, value_name = "SET")]
        sets: Vec<PathBuf>,
        /// Where to write the model (replaced whole; the directory must exist)
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Folds of the cross-validation
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(2..=20))]
        folds: u8,
        /// L2 penalty of the regressions
        #[arg(long, default_value_t = 1.0, value_name = "X")]
        l2: f64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindChoice {
    Scenario,
    Process,
    Rejection,
    Risk,
    Faq,
}
