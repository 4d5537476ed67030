//! `beian ask`: one question or pasted notice → the ranked answers, as text or JSON.

use crate::input::{decode_query, has_words, NOTHING_TO_SEARCH};
use crate::outcome::{user_error, Outcome};
use crate::render::json::{AdviceJson, ExplainedAdviceJson};
use crate::render::text::{self, Length};
use crate::settings::{AnswerLang, Settings};
use anyhow::Context;
use beian_engine::advise::{Advisor, Status, MAX_QUERY_BYTES};
use std::io::{self, IsTerminal, Read, Write};

/// How many candidates of each segment `--explain` shows.
const EXPLAINED_CANDIDATES: usize = 8;

/// What `beian ask` was asked.
#[derive(Debug, Clone)]
pub struct Args {
    /// The words of the question; none or `-`: standard input.
    pub text: Vec<String>,
    pub json: bool,
    pub top: usize,
    /// Also show the evidence behind the ranking.
    pub explain: bool,
    /// How much of the best answers the text view shows.
    pub length: Length,
}

pub fn run(settings: &Settings, args: &Args, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let (query, cut_on_read) = read_query(&args.text)?;
    if !has_words(&query) {
        return Err(user_error(format!(
            "{NOTHING_TO_SEARCH}; ask something, e.g. beian ask \"备案退回后下一步做什么\""
        )));
    }
    // The process ends right after answering: freeing the knowledge base entry by entry would
    // cost as much as a sixth of a one-shot run, and the system takes the memory back at exit.
    let advisor = std::mem::ManuallyDrop::new(settings.advisor()?);
    let view = View {
        json: args.json,
        top: args.top,
        explain: args.explain,
        lang: settings.lang,
        length: args.length,
    };
    let answered = answer(settings, &advisor, &query, view, out)?;
    if answered.truncated || cut_on_read {
        let _ = writeln!(
            io::stderr(),
            "beian: warning: the input is longer than {} KiB; only its beginning was read",
            MAX_QUERY_BYTES / 1024
        );
    }
    Ok(match answered.status {
        Status::Match => Outcome::Success,
        Status::NoMatch => Outcome::NoMatch,
    })
}

/// How an answer is printed.
#[derive(Debug, Clone, Copy)]
pub struct View {
    /// The JSON object of kb-spec §3 instead of the text view.
    pub json: bool,
    /// Results at most.
    pub top: usize,
    /// The evidence behind the ranking too.
    pub explain: bool,
    /// The language of the answer (`--lang`; `auto`: the question's).
    pub lang: AnswerLang,
    /// How much of the best answers the text view shows.
    pub length: Length,
}

/// What [`answer`] found.
#[derive(Debug, Clone, Copy)]
pub struct Answered {
    pub status: Status,
    /// The query was cut at [`MAX_QUERY_BYTES`].
    pub truncated: bool,
}

/// Answers `query` (checked to have words) and writes the answer as `beian ask` prints it: the one
/// path from a question to its printed answer, shared by `beian ask` and `beian serve`'s `/v1/ask`.
pub fn answer(
    settings: &Settings,
    advisor: &Advisor,
    query: &str,
    view: View,
    out: &mut dyn Write,
) -> anyhow::Result<Answered> {
    let explanation = if view.explain {
        Some(advisor.explain(query, EXPLAINED_CANDIDATES)?)
    } else {
        None
    };
    if let (Some(explanation), false) = (&explanation, view.json) {
        text::write_explanation(out, explanation)?;
        writeln!(out)?;
    }
    let advice = advisor.advise(query, view.top)?;
    let lang = view.lang.for_text(&advice.query);
    if view.json {
        let advice_json = AdviceJson::new(&advice, lang);
        match &explanation {
            Some(explanation) => crate::render::json::write(
                out,
                &ExplainedAdviceJson::new(advice_json, explanation),
                false,
            )?,
            None => crate::render::json::write(out, &advice_json, false)?,
        }
        writeln!(out)?;
    } else {
        let mut options = settings.text;
        options.lang = lang;
        options.length = view.length;
        text::write_advice(out, &advice, &options)?;
    }
    Ok(Answered {
        status: advice.status,
        truncated: advice.truncated,
    })
}

/// Reads the query: the arguments joined, or standard input for none or `-`; and whether standard
/// input was cut at [`MAX_QUERY_BYTES`].
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
    decode_query(bytes, "standard input").map(|text| (text, cut))
}
