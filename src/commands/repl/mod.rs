//! The interactive session (`beian repl`, or `beian` on a terminal): ask, read a compact answer, follow
//! up with `:show N`, `:list`, `:lang`, `:json`. Standard input that is not a terminal is answered line
//! by line, without a prompt and without history.

mod command;
mod helper;
mod history;
mod piped;
mod terminal;

use crate::input::{has_words, NOTHING_TO_SEARCH};
use crate::outcome::Outcome;
use crate::pager::Pager;
use crate::render::json::{AdviceJson, EntryJson};
use crate::render::text::{self, display_width, TextOptions};
use crate::render::wrap::write_line;
use crate::render::{compact, sanitize, Lang};
use crate::settings::{AnswerLang, Settings};
use beian_engine::advise::{Advisor, Status, MAX_QUERY_BYTES};
use beian_engine::kb::{Entry, Kind};
use command::{Input, Target, COMMANDS};
use serde::Serialize;
use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};

/// How many results a query returns: the best ones in the compact view, the rest numbered below.
const TOP: usize = 5;

/// Runs the session on standard input: the line editor on a terminal, otherwise one answer per line.
pub fn run(settings: &Settings, json: bool, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let advisor = settings.advisor()?;
    let interactive = io::stdin().is_terminal();
    let mut session = Session {
        advisor: &advisor,
        options: settings.text,
        answer_lang: settings.lang,
        json,
        interactive,
        pager: settings.pager.clone().filter(|_| interactive),
        last: None,
        refusal: RefCell::new(None),
    };
    std::thread::scope(|scope| {
        // The term table makes every query cheaper; until it is ready, queries read the index. If it
        // cannot be built, reading the index fails the same way and the query reports it.
        scope.spawn(|| advisor.prepare_for_many().ok());
        if interactive {
            terminal::run(&mut session, settings.color, out)
        } else {
            piped::run(&mut session, out)
        }
    })
}

/// What the loop does after a line.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Quit,
}

struct Session<'a> {
    advisor: &'a Advisor,
    /// The text options; their language is that of the last answer (under `auto`, the last
    /// question's), which messages, `:show` and `:list` follow too.
    options: TextOptions,
    /// The language of answers (`--lang`, changed by `:lang`).
    answer_lang: AnswerLang,
    json: bool,
    interactive: bool,
    /// The pager for `:show` and `:list` (on a terminal only).
    pager: Option<Pager>,
    /// The ids of the last answer's results, best first: what `:show N` opens (`None`: no query yet).
    last: Option<Vec<String>>,
    /// Piped JSON: why the current line got no answer, for its error object (see `piped`).
    refusal: RefCell<Option<String>>,
}

impl Session<'_> {
    fn lang(&self) -> Lang {
        self.options.lang
    }

    /// Piped JSON Lines: every line gets one JSON value, commands included (not the terminal's text).
    fn json_lines(&self) -> bool {
        self.json && !self.interactive
    }

    /// Tells the user why a line got no answer; in piped JSON, also keeps it for the line's error object.
    fn tell(&self, message: &str) {
        tell(message);
        if self.json_lines() {
            *self.refusal.borrow_mut() = Some(message.to_string());
        }
    }

    /// The text options for this moment: the terminal may have been resized since the last answer.
    fn text_options(&self) -> TextOptions {
        TextOptions {
            width: crate::terminal::width(),
            ..self.options
        }
    }

    /// Handles one input. Messages for the user go to standard error; `Err` is only an output failure.
    fn handle(&mut self, line: &str, out: &mut dyn Write) -> io::Result<Flow> {
        let input = match command::parse(line) {
            Ok(Some(input)) => input,
            Ok(None) => return Ok(Flow::Continue),
            Err(message) => {
                self.tell(&message);
                return Ok(Flow::Continue);
            }
        };
        match input {
            Input::Query(query) => self.answer(&query, out)?,
            Input::Show(target) => self.paged(out, |session, page| session.show(target, page))?,
            Input::List(kind) => self.paged(out, |session, page| session.list(kind, page))?,
            Input::Json => {
                self.json = !self.json;
                if !self.interactive {
                    // Piped: JSON before or after this line, so the line's value says the new state.
                    self.write_json_line(out, &serde_json::json!({ "json": self.json }))?;
                } else {
                    let state = match (self.lang(), self.json) {
                        (Lang::Zh, true) => "JSON 输出：开（再输入 :json 关闭）",
                        (Lang::Zh, false) => "JSON 输出：关",
                        (Lang::En, true) => "JSON output on (:json again turns it off)",
                        (Lang::En, false) => "JSON output off",
                    };
                    let width = self.text_options().width;
                    write_line(out, "", "", &self.options.palette.dim(state), width)?;
                }
            }
            Input::Lang(choice) => {
                if let Some(choice) = choice {
                    self.answer_lang = choice;
                    if let AnswerLang::Fixed(lang) = choice {
                        self.options.lang = lang;
                    }
                }
                if self.interactive || choice.is_none() {
                    let state = self.options.palette.dim(&self.lang_state());
                    write_line(out, "", "", &state, self.text_options().width)?;
                }
            }
            Input::Help => self.help(out)?,
            Input::Quit => {
                if self.json_lines() {
                    self.write_json_line(out, &serde_json::json!({ "quit": true }))?;
                }
                return Ok(Flow::Quit);
            }
        }
        Ok(Flow::Continue)
    }

    /// Writes what `write` writes through the pager, when there is one and it is long.
    fn paged(
        &self,
        out: &mut dyn Write,
        write: impl FnOnce(&Self, &mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let Some(pager) = &self.pager else {
            return write(self, out);
        };
        let mut page = Vec::new();
        write(self, &mut page)?;
        pager.page(&page, out)
    }

    fn list(&self, kind: Option<Kind>, out: &mut dyn Write) -> io::Result<()> {
        let kb = self.advisor.kb();
        let entries: Vec<&Entry> = kb
            .entries()
            .iter()
            .filter(|e| kind.is_none_or(|k| e.kind == k))
            .collect();
        if self.json {
            let items: Vec<EntryJson<'_>> = entries
                .iter()
                .map(|e| EntryJson::new(e, self.lang(), &kb.sources))
                .collect();
            self.write_json(out, &items)
        } else {
            text::write_list(out, &entries, &self.text_options())
        }
    }

    fn answer(&mut self, query: &str, out: &mut dyn Write) -> io::Result<()> {
        if !has_words(query) {
            self.tell(&format!(
                "{NOTHING_TO_SEARCH}; ask a question, e.g. 备案退回后下一步做什么, or paste a rejection notice"
            ));
            return Ok(());
        }
        let advice = match self.advisor.advise(query, TOP) {
            Ok(advice) => advice,
            Err(err) => {
                self.tell(&err.to_string());
                return Ok(());
            }
        };
        self.last = Some(advice.results.iter().map(|a| a.entry.id.clone()).collect());
        self.options.lang = self.answer_lang.for_text(&advice.query);
        if self.json {
            if advice.truncated {
                tell(&format!(
                    "warning: the input is longer than {} KiB; only its beginning was read",
                    MAX_QUERY_BYTES / 1024
                ));
            }
            return self.write_json(out, &AdviceJson::new(&advice, self.lang()));
        }
        if !self.interactive {
            let first_line = query.lines().next().unwrap_or_default();
            let label = match self.lang() {
                Lang::Zh => "问：",
                Lang::En => "Q: ",
            };
            let p = self.options.palette;
            let question = p.heading(&format!("{label}{}", sanitize(first_line)));
            write_line(out, "", "", &question, self.text_options().width)?;
        }
        compact::write_advice(out, &advice, &self.text_options())?;
        if advice.status == Status::NoMatch && self.interactive {
            let tip = match self.lang() {
                Lang::Zh => "提示：:list 列出所有条目，:show ID 打开其中一个",
                Lang::En => "Tip: :list shows every entry, :show ID opens one",
            };
            let tip = self.options.palette.dim(tip);
            write_line(out, "", "", &tip, self.text_options().width)?;
        }
        Ok(())
    }

    fn show(&self, target: Option<Target>, out: &mut dyn Write) -> io::Result<()> {
        let kb = self.advisor.kb();
        let entry = match target.unwrap_or(Target::Rank(1)) {
            Target::Rank(rank) => match &self.last {
                None => {
                    self.tell("no answer yet: ask a question first, or give an id (:show rejection/subject-mismatch)");
                    return Ok(());
                }
                Some(last) if last.is_empty() => {
                    self.tell("the last answer has no results; :show ID opens any entry, :list shows them");
                    return Ok(());
                }
                Some(last) if rank > last.len() => {
                    let count = last.len();
                    self.tell(&format!(
                        "the last answer has {count} results; :show 1 to {count}"
                    ));
                    return Ok(());
                }
                Some(last) => kb.get(&last[rank - 1]),
            },
            Target::Id(id) => match kb.get(&id) {
                Some(entry) => Some(entry),
                None => {
                    self.tell(&unknown_id_message(&id, kb.entries()));
                    return Ok(());
                }
            },
        };
        // An id of the last answer is always in the knowledge base it came from.
        let Some(entry) = entry else { return Ok(()) };
        if self.json {
            self.write_json(out, &EntryJson::new(entry, self.lang(), &kb.sources))
        } else {
            text::write_entry(out, entry, &kb.sources, &self.text_options())
        }
    }

    /// What `:lang` says: the language of answers.
    fn lang_state(&self) -> String {
        match (self.lang(), self.answer_lang) {
            (Lang::Zh, AnswerLang::Auto) => "回答语言：auto（跟随问题的语言）".to_string(),
            (Lang::Zh, AnswerLang::Fixed(lang)) => {
                format!("回答语言：{lang}（:lang auto 跟随问题的语言）")
            }
            (Lang::En, AnswerLang::Auto) => {
                "answers: auto (in the language of the question)".to_string()
            }
            (Lang::En, AnswerLang::Fixed(lang)) => {
                format!("answers: {lang} (:lang auto answers in the language of the question)")
            }
        }
    }

    fn help(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.json_lines() {
            #[derive(Serialize)]
            struct CommandJson {
                command: &'static str,
                usage: &'static str,
                help: &'static str,
            }
            let commands: Vec<CommandJson> = COMMANDS
                .iter()
                .map(|c| CommandJson {
                    command: c.name,
                    usage: c.usage,
                    help: c.help(self.lang()),
                })
                .collect();
            return self.write_json_line(out, &serde_json::json!({ "commands": commands }));
        }
        let p = self.options.palette;
        let width = self.text_options().width;
        let intro = match self.lang() {
            Lang::Zh => "输入问题或粘贴整段驳回通知（多行粘贴算一个问题），回车得到答案。命令：",
            Lang::En => "Type a question or paste a whole rejection notice (a multi-line paste is one query), then Enter. Commands:",
        };
        write_line(out, "", "", intro, width)?;
        let usage =
            |c: &command::CommandSpec| format!("{} {}", c.name, c.usage).trim_end().to_string();
        let usage_width = COMMANDS
            .iter()
            .map(|c| display_width(&usage(c)))
            .max()
            .unwrap_or(0);
        // The help wraps under itself, or under the command when that leaves it too little room.
        let indent = match width {
            Some(width) if 2 + usage_width + 2 + 30 > width => " ".repeat(6),
            _ => " ".repeat(2 + usage_width + 2),
        };
        for command in COMMANDS {
            let usage = usage(command);
            let line = format!(
                "{}{}  {}",
                p.accent(&usage),
                " ".repeat(usage_width - display_width(&usage)),
                command.help(self.lang())
            );
            write_line(out, "  ", &indent, &line, width)?;
        }
        let keys = match self.lang() {
            Lang::Zh => "Tab 补全命令和条目 id；↑/↓ 翻历史；Ctrl-C 清空当前行；Ctrl-D 退出。",
            Lang::En => "Tab completes commands and entry ids; Up/Down walk the history; Ctrl-C clears the line; Ctrl-D quits.",
        };
        write_line(out, "", "", &p.dim(keys), width)
    }

    /// One JSON value on one line.
    fn write_json_line<T: Serialize>(&self, out: &mut dyn Write, value: &T) -> io::Result<()> {
        crate::render::json::write(out, value, false)?;
        writeln!(out)
    }

    /// JSON: pretty on a terminal, one line per value when piped (JSON Lines).
    fn write_json<T: Serialize>(&self, out: &mut dyn Write, value: &T) -> io::Result<()> {
        if self.interactive {
            crate::render::json::write(out, value, true)?;
        } else {
            crate::render::json::write(out, value, false)?;
        }
        writeln!(out)
    }
}

/// A message for the user on standard error; the session goes on.
fn tell(message: &str) {
    let _ = writeln!(io::stderr(), "beian: {}", sanitize(message));
}

fn unknown_id_message(id: &str, entries: &[Entry]) -> String {
    let slug = id.rsplit('/').next().unwrap_or(id);
    let near: Vec<&str> = entries
        .iter()
        .map(|e| e.id.as_str())
        .filter(|candidate| !slug.is_empty() && candidate.contains(slug))
        .take(5)
        .collect();
    if near.is_empty() {
        format!("no entry '{id}'; :list shows every id")
    } else {
        format!("no entry '{id}'; did you mean {}?", near.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_id_suggests_near_ones() {
        let kb = crate::builtin::knowledge_base();
        let message = unknown_id_message("subject-mismatch", kb.entries());
        assert!(
            message.contains("did you mean rejection/subject-mismatch"),
            "{message}"
        );
        assert!(unknown_id_message("nothing/here", kb.entries()).contains(":list"));
    }
}
