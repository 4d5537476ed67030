//! Batch mode: a queue of support tickets (JSON Lines or plain lines) → one answer record per line, in
//! input order, streamed with bounded memory over all cores (`beian triage`).

mod jsonl;
mod lines;
mod pipeline;
mod record;
mod summary;

pub use lines::MAX_LINE_BYTES;
pub use pipeline::Progress;
pub use record::{parse_line, LineError, Ticket};
pub use summary::{EntryCount, Summary};

use crate::outcome::{Outcome, UserError};
use crate::settings::{AnswerLang, Settings};
use anyhow::Context;
use beian_engine::advise::Advisor;
use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// What `beian triage` was asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// The tickets; none or `-`: standard input.
    pub file: Option<PathBuf>,
    /// Results per ticket.
    pub top: usize,
    pub format: Format,
    /// Where to write the counts as JSON, if anywhere.
    pub summary: Option<PathBuf>,
    pub input: InputKind,
    /// Worker threads; none: one per core.
    pub jobs: Option<usize>,
    /// What a JSON Lines record holds of each result.
    pub record: Record,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line (kb-spec §3).
    Jsonl,
    /// A header, then one row per ticket: id, status, top id, title, confidence, segments, error.
    Csv,
}

/// What a JSON Lines record holds of each result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// What a desk routes on: id, kind, title, confidence, segment (the default of `beian triage`).
    Routing,
    /// Every field of a result of `ask --json`, the entry's text included (`--full`, and `/v1/triage`).
    Full,
}

/// What an input line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// `{"id": …, "text": "…"}`
    Json,
    /// The ticket's text; its line number is its id.
    Text,
}

/// How a run answers and writes.
#[derive(Debug, Clone)]
pub struct Options {
    /// Results per ticket.
    pub top: usize,
    pub format: Format,
    pub input: InputKind,
    /// Worker threads.
    pub jobs: usize,
    /// Language of each ticket's answer: the JSON body fields and the CSV `title` column.
    pub lang: AnswerLang,
    pub record: Record,
}

/// A run stops only when it cannot read its input or write its output; bad lines are records.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    #[error("cannot read the tickets: {0}")]
    Read(#[source] io::Error),
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
}

/// Answers every line of `input` and writes one record per line to `out`, in order. `progress` is
/// called on the writing thread after each batch.
pub fn triage<'a>(
    advisor: &'a Advisor,
    input: impl Read + Send,
    out: &mut dyn Write,
    options: &Options,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary<'a>, TriageError> {
    if options.format == Format::Csv {
        out.write_all(record::CSV_HEADER.as_bytes())
            .map_err(TriageError::Write)?;
    }
    pipeline::run(advisor, input, out, options, progress)
}

/// `beian triage`: resolves the arguments, runs, and writes the summary file.
pub fn run(settings: &Settings, args: &Args, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let file = args.file.as_deref().filter(|path| *path != Path::new("-"));
    // The files being read or written already, which the summary must not be.
    let mut taken: Vec<(Option<std::fs::Metadata>, &str)> = Vec::new();
    let (input, name, size): (Box<dyn Read + Send>, String, Option<u64>) = match file {
        Some(path) => {
            let name = path.display().to_string();
            let opened = File::open(path).with_context(|| format!("cannot open {name}"))?;
            let metadata = opened.metadata().ok();
            let size = metadata.as_ref().filter(|m| m.is_file()).map(|m| m.len());
            taken.push((metadata, "the input"));
            (Box::new(opened), name, size)
        }
        None => {
            if io::stdin().is_terminal() {
                return Err(UserError(
                    "no tickets given; pass a file (beian triage tickets.jsonl) or pipe them on standard input".into(),
                )
                .into());
            }
            taken.push((stdio_metadata(&io::stdin()), "the input (standard input)"));
            (Box::new(io::stdin()), "standard input".to_string(), None)
        }
    };
    taken.push((stdio_metadata(&io::stdout()), "standard output"));
    // Opened first, so that a bad path is reported before the work rather than after it.
    let mut summary_file = match &args.summary {
        Some(path) => Some(open_summary(path, &taken)?),
        None => None,
    };
    let options = Options {
        top: args.top,
        format: args.format,
        input: args.input,
        jobs: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        lang: settings.lang,
        record: args.record,
    };
    let advisor = settings.advisor()?;
    advisor.prepare_for_many()?;
    return_large_buffers();

    // A bar would garble records printed on the same terminal, so only while stdout goes elsewhere.
    let show_bar = io::stderr().is_terminal() && !io::stdout().is_terminal();
    let bar = size.filter(|_| show_bar).map(progress_bar);
    let mut report = |done: Progress| {
        if let Some(bar) = &bar {
            bar.set_position(done.input_bytes);
            bar.set_message(format!("{} tickets", done.tickets));
        }
    };
    crate::interrupt::catch();
    let result = triage(&advisor, input, out, &options, &mut report);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = result.map_err(|err| match err {
        TriageError::Read(source) => {
            anyhow::Error::new(source).context(format!("cannot read {name}"))
        }
        TriageError::Write(source) => anyhow::Error::new(source).context("cannot write the output"),
    })?;
    out.flush().context("cannot write the output")?;

    if let (Some(file), Some(path)) = (&mut summary_file, &args.summary) {
        let mut text = serde_json::to_vec_pretty(&summary).expect("a summary always serializes");
        text.push(b'\n');
        file.write_all(&text)
            .with_context(|| format!("cannot write the summary to {}", path.display()))?;
    }
    Ok(Outcome::Success)
}

/// Opens the summary file for writing, emptied, unless it is one of the `taken` files (the input,
/// standard output): those it must not clobber. It is opened without truncating, so that the check
/// is made on the very file that will be written.
fn open_summary(path: &Path, taken: &[(Option<std::fs::Metadata>, &str)]) -> anyhow::Result<File> {
    let shown = path.display();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot write the summary to {shown}"))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("cannot write the summary to {shown}"))?;
    for (other, what) in taken {
        // Only a regular file can be lost this way: `--summary /dev/null > /dev/null` is fine.
        if metadata.is_file()
            && other
                .as_ref()
                .is_some_and(|other| same_file(&metadata, other))
        {
            return Err(UserError(format!(
                "the summary file {shown} is the same file as {what}; writing it would destroy it, so name another file"
            ))
            .into());
        }
    }
    if metadata.is_file() {
        file.set_len(0)
            .with_context(|| format!("cannot write the summary to {shown}"))?;
    }
    Ok(file)
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// What standard input or output is, when it is a file (or anything `fstat` describes).
#[cfg(unix)]
fn stdio_metadata(stream: &impl std::os::fd::AsFd) -> Option<std::fs::Metadata> {
    let fd = stream.as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdio_metadata<T>(_: &T) -> Option<std::fs::Metadata> {
    None
}

fn progress_bar(size: u64) -> indicatif::ProgressBar {
    let style =
        indicatif::ProgressStyle::with_template("{wide_bar} {percent:>3}%  {msg}  eta {eta}")
            .expect("the template is valid");
    indicatif::ProgressBar::new(size).with_style(style)
}

/// Has large allocations (a 1 MB ticket's line, its batch, its records) mapped on their own and given
/// back to the system when freed. glibc otherwise raises its threshold after the first such free and
/// serves later ones from the heap, which keeps the high-water mark of every huge ticket met so far:
/// peak memory would creep up with the number of huge tickets in the input.
fn return_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a tuning parameter of the allocator; no memory is touched.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}
