//! The JSON Lines record of an answered ticket: by default what a desk routes on (per result the id,
//! kind, title, confidence and segment, about 0.6 KB a record), with `--full` every result as in
//! `ask --json`, written without serializing each entry's text again.
//!
//! A full record repeats, for each of up to five results, the entry's summary, causes, steps, next actions
//! and sources: most of its bytes, and the same bytes every time the entry answers. Serializing them
//! cost a tenth of a triage run. Each entry's parts are serialized once per worker and language, the
//! first time it answers in that language, into the JSON before and after the fields that vary
//! (score, confidence, segment, matched), and records are assembled from those pieces. A test checks
//! the bytes equal serializing the whole record with serde_json.

use crate::render::json::{self, ResultJson};
use beian_engine::advise::{Advice, Answer};
use beian_engine::kb::{Entry, Registry};
use beian_engine::lang::Lang;
use serde::Serialize;
use serde_json::Value;
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// An entry's result object split around the fields that vary: `head` ends with the comma before
/// `"score"`, `tail` starts at `"lang"` and closes the object.
struct Pieces {
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl Pieces {
    fn of(entry: &Entry, lang: Lang, registry: &Registry) -> Pieces {
        let placeholder = Answer {
            entry,
            score: 0.0,
            confidence: 0.0,
            segment: String::new(),
            matched: Vec::new(),
        };
        let mut whole = Vec::new();
        json::write(
            &mut whole,
            &ResultJson::new(&placeholder, lang, registry),
            false,
        )
        .expect("writing JSON to memory cannot fail");
        // Inside a JSON string a quote is always escaped, so these field boundaries are unique.
        let find = |needle: &[u8]| {
            whole
                .windows(needle.len())
                .position(|w| w == needle)
                .expect("ResultJson writes its fields in the kb-spec order")
        };
        let score = find(b",\"score\":");
        let lang = find(b",\"lang\":");
        Pieces {
            head: whole[..=score].to_vec(),
            tail: whole[lang + 1..].to_vec(),
        }
    }
}

/// Writes records, keeping each entry's pieces once made, per language. One per worker thread.
pub struct RecordWriter {
    pieces: RefCell<Vec<[Option<Rc<Pieces>>; 2]>>,
}

impl RecordWriter {
    pub fn new() -> RecordWriter {
        RecordWriter {
            pieces: RefCell::new(Vec::new()),
        }
    }

    /// Appends the record of a ticket and its advice, answered in `lang`, and a newline (a ticket
    /// with nothing to search for is an error record, written elsewhere). `position` gives an entry's place in the knowledge base.
    pub fn write(
        &self,
        id: &Value,
        advice: &Advice<'_>,
        lang: Lang,
        position: impl Fn(&Entry) -> Option<usize>,
        out: &mut Vec<u8>,
    ) {
        write_record(id, advice, lang, out, |out, answer| {
            let pieces = self.pieces(answer.entry, lang, advice.sources, position(answer.entry));
            write_result(out, answer, &pieces);
        });
    }

    fn pieces(
        &self,
        entry: &Entry,
        lang: Lang,
        registry: &Registry,
        position: Option<usize>,
    ) -> Rc<Pieces> {
        let Some(position) = position else {
            return Rc::new(Pieces::of(entry, lang, registry));
        };
        let mut pieces = self.pieces.borrow_mut();
        if pieces.len() <= position {
            pieces.resize(position + 1, [None, None]);
        }
        let slot = match lang {
            Lang::Zh => 0,
            Lang::En => 1,
        };
        pieces[position][slot]
            .get_or_insert_with(|| Rc::new(Pieces::of(entry, lang, registry)))
            .clone()
    }
}

/// Appends the routing record of a ticket and its advice, answered in `lang`, and a newline: per
/// result only what a desk routes on, no entry text.
pub fn write_routing(id: &Value, advice: &Advice<'_>, lang: Lang, out: &mut Vec<u8>) {
    write_record(id, advice, lang, out, |out, answer| {
        write_value(out, &RoutingResultJson::new(answer));
    });
}

/// A result of the routing record: the fields of `ask --json`'s result a desk routes on.
#[derive(Serialize)]
struct RoutingResultJson<'a> {
    id: &'a str,
    kind: &'static str,
    title: &'a str,
    confidence: f32,
    segment: &'a str,
}

impl<'a> RoutingResultJson<'a> {
    fn new(answer: &'a Answer<'_>) -> RoutingResultJson<'a> {
        RoutingResultJson {
            id: &answer.entry.id,
            kind: answer.entry.kind.as_str(),
            title: &answer.entry.title,
            confidence: answer.confidence,
            segment: &answer.segment,
        }
    }
}

/// The record around its results, each written by `result`.
fn write_record<'e>(
    id: &Value,
    advice: &Advice<'e>,
    lang: Lang,
    out: &mut Vec<u8>,
    mut result: impl FnMut(&mut Vec<u8>, &Answer<'e>),
) {
    out.extend_from_slice(b"{\"id\":");
    write_value(out, id);
    out.extend_from_slice(b",\"status\":");
    write_value(out, advice.status.as_str());
    out.extend_from_slice(b",\"lang\":");
    write_value(out, &lang);
    out.extend_from_slice(b",\"results\":[");
    for (i, answer) in advice.results.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        result(out, answer);
    }
    out.push(b']');
    if advice.truncated {
        out.extend_from_slice(b",\"truncated\":true");
    }
    out.extend_from_slice(b"}\n");
}

/// One result: the entry's pieces around the fields that vary.
fn write_result(out: &mut Vec<u8>, answer: &Answer<'_>, pieces: &Pieces) {
    out.extend_from_slice(&pieces.head);
    out.extend_from_slice(b"\"score\":");
    write_value(out, &answer.score);
    out.extend_from_slice(b",\"confidence\":");
    write_value(out, &answer.confidence);
    out.extend_from_slice(b",\"segment\":");
    write_value(out, answer.segment.as_str());
    out.extend_from_slice(b",\"matched\":");
    write_value(out, &answer.matched);
    out.push(b',');
    out.extend_from_slice(&pieces.tail);
}

impl Default for RecordWriter {
    fn default() -> Self {
        RecordWriter::new()
    }
}

/// One value as [`json::write`] writes it (compact, control characters escaped).
fn write_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    json::write(out as &mut dyn Write, value, false).expect("writing JSON to memory cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record, as serde writes it: the reference the pieces must reproduce.
    #[derive(Serialize)]
    struct AnswerRecord<'a> {
        id: &'a Value,
        status: &'static str,
        lang: Lang,
        results: Vec<ResultJson<'a>>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        truncated: bool,
    }

    fn reference(id: &Value, advice: &Advice<'_>, lang: Lang) -> Vec<u8> {
        let record = AnswerRecord {
            id,
            status: advice.status.as_str(),
            lang,
            results: advice
                .results
                .iter()
                .map(|answer| ResultJson::new(answer, lang, advice.sources))
                .collect(),
            truncated: advice.truncated,
        };
        let mut out = Vec::new();
        json::write(&mut out, &record, false).unwrap();
        out.push(b'\n');
        out
    }

    #[test]
    fn records_equal_serde_json_byte_for_byte() {
        let advisor = crate::builtin::advisor().unwrap();
        let kb = advisor.kb();
        let writer = RecordWriter::new();
        let mut queries: Vec<String> = Vec::new();
        for set in ["tests/eval/dev.jsonl", "tests/eval/holdout.jsonl"] {
            let text =
                std::fs::read_to_string(format!("{}/{set}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let case: Value = serde_json::from_str(line).unwrap();
                queries.push(case["query"].as_str().unwrap().to_string());
            }
        }
        queries.push(format!(
            "{} \u{9b}31m \"quoted\" \\ 域名所有人不正确",
            "长".repeat(70_000)
        ));
        let ids = [
            Value::from(7),
            Value::from("T-1 \"quoted\" \u{85}"),
            serde_json::json!({"nested": [1, 2.5, null]}),
        ];
        for (i, query) in queries.iter().enumerate() {
            let advice = advisor.advise(query, 5).unwrap();
            let id = &ids[i % ids.len()];
            // Both languages, in turns, so that each entry's pieces are reused in each.
            let lang = Lang::ALL[(i / 2) % 2];
            let mut ours = Vec::new();
            writer.write(id, &advice, lang, |e| kb.position(&e.id), &mut ours);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(reference(id, &advice, lang)).unwrap(),
                "{query}"
            );
        }
    }
}
