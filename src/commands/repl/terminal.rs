//! The session on a terminal: the rustyline editor with completion, hints, bracketed paste and the
//! history file.

use super::helper::ReplHelper;
use super::{history, tell, Flow, Session};
use crate::outcome::Outcome;
use crate::render::wrap::write_line;
use crate::render::Lang;
use anyhow::Context as _;
use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::{History as _, MemHistory};
use rustyline::Editor;
use std::io::Write;
use std::path::PathBuf;

const PROMPT: &str = "beian> ";

/// One line: the version, and how to get help and out.
fn welcome(lang: Lang) -> String {
    let version = crate::VERSION;
    match lang {
        Lang::Zh => format!("beian {version} · 输入问题或粘贴驳回通知，回车得到答案；:help 查看命令，Ctrl-D 退出"),
        Lang::En => format!("beian {version} · ask a question or paste a rejection notice; :help lists the commands, Ctrl-D quits"),
    }
}

/// The line editor on a terminal, with completion, hints and history.
pub(super) fn run(
    session: &mut Session<'_>,
    color: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .max_history_size(history::MAX_ENTRIES)?
        .color_mode(if color {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .bracketed_paste(true)
        .build();
    let mut editor: Editor<ReplHelper, MemHistory> =
        Editor::with_history(config.clone(), MemHistory::with_config(&config))
            .context("cannot start the line editor")?;
    let ids = session
        .advisor
        .kb()
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    editor.set_helper(Some(ReplHelper::new(ids, session.options.palette)));

    let mut recorder = Recorder::open(history::path());
    set_history(&mut editor, &recorder.entries);

    let prompt = if color {
        (
            PROMPT.to_string(),
            session.options.palette.accent(PROMPT.trim_end()) + " ",
        )
    } else {
        (PROMPT.to_string(), PROMPT.to_string())
    };
    let width = session.text_options().width;
    write_line(out, "", "", &welcome(session.lang()), width)?;
    out.flush()?;
    loop {
        let line = match editor.readline(&prompt) {
            Ok(line) => line,
            // Ctrl-C drops the line and the session goes on; a resize is nothing to report.
            Err(ReadlineError::Interrupted) | Err(ReadlineError::Signal(_)) => continue,
            Err(ReadlineError::Eof) => break,
            Err(err) => return Err(err).context("cannot read the terminal"),
        };
        let entry = line.trim();
        if entry.is_empty() {
            continue;
        }
        recorder.record(entry);
        set_history(&mut editor, &recorder.entries);
        let flow = session.handle(entry, out)?;
        if flow == Flow::Continue {
            writeln!(out)?;
        }
        out.flush()?;
        if flow == Flow::Quit {
            break;
        }
    }
    Ok(Outcome::Success)
}

/// The history of a terminal session: the file (`None`: none, or it failed) and its entries.
struct Recorder {
    path: Option<PathBuf>,
    entries: Vec<String>,
}

impl Recorder {
    fn open(path: Option<PathBuf>) -> Recorder {
        let Some(path) = path else {
            return Recorder {
                path: None,
                entries: Vec::new(),
            };
        };
        match history::read(&path) {
            Ok(entries) => Recorder {
                path: Some(path),
                entries,
            },
            Err(err) => {
                tell(&format!(
                    "warning: cannot read the history file {}: {err}; history is off for this session",
                    path.display()
                ));
                Recorder {
                    path: None,
                    entries: Vec::new(),
                }
            }
        }
    }

    /// Adds the entry, to the file too; a file that cannot be written is a warning, once, and the
    /// session goes on with the history in memory.
    fn record(&mut self, entry: &str) {
        if let Some(path) = &self.path {
            match history::add(path, entry) {
                Ok(entries) => {
                    self.entries = entries;
                    return;
                }
                Err(err) => {
                    tell(&format!(
                        "warning: cannot write the history file {}: {err}; history is kept for this session only",
                        path.display()
                    ));
                    self.path = None;
                }
            }
        }
        history::push_collapsed(&mut self.entries, entry);
    }
}

fn set_history(editor: &mut Editor<ReplHelper, MemHistory>, entries: &[String]) {
    let history = editor.history_mut();
    // MemHistory cannot remove one entry, so a collapsed duplicate means loading the list anew.
    let _ = history.clear();
    for entry in entries {
        let _ = history.add(entry);
    }
}
