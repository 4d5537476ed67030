//! One input line → one output record: reading the ticket, answering it, writing it as JSON or CSV.

use super::jsonl::{self, RecordWriter};
use super::lines::MAX_LINE_BYTES;
use super::summary::Summary;
use super::{Format, InputKind, Options, Record};
use crate::input::{self, has_words, InvalidUtf8, NOTHING_TO_SEARCH};
use crate::render::sanitize;
use beian_engine::advise::{truncate, Advice, Advisor, MAX_QUERY_BYTES};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::panic::{self, AssertUnwindSafe};

/// The CSV header; an error row leaves the answer columns empty and fills `error`.
pub const CSV_HEADER: &str = "id,status,top_id,title,confidence,segments,error\n";

/// A ticket as read from a line.
#[derive(Debug, PartialEq)]
pub struct Ticket<'a> {
    pub id: Value,
    pub text: Cow<'a, str>,
}

/// A line that cannot be answered: the id to report it under and why.
#[derive(Debug, PartialEq)]
pub struct LineError {
    pub id: Value,
    pub message: String,
}

impl LineError {
    fn new(id: Value, message: impl Into<String>) -> LineError {
        LineError {
            id,
            message: message.into(),
        }
    }
}

#[derive(Deserialize)]
struct TicketJson<'a> {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
}

/// Reads the ticket on line `number`. The id of an error is the ticket's own when it could be read,
/// otherwise the line number.
pub fn parse_line(bytes: &[u8], number: u64, kind: InputKind) -> Result<Ticket<'_>, LineError> {
    let line_id = || Value::from(number);
    let bytes = if number == 1 {
        bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
    } else {
        bytes
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LineError::new(line_id(), "empty line"));
    }
    let line = match input::utf8(bytes) {
        Ok(line) => line,
        Err(InvalidUtf8 { at, .. }) => {
            let id = match kind {
                InputKind::Json => id_of(&String::from_utf8_lossy(bytes)),
                InputKind::Text => None,
            };
            let message = format!("not valid UTF-8 (byte {at}); save the tickets as UTF-8");
            return Err(LineError::new(id.unwrap_or_else(line_id), message));
        }
    };
    match kind {
        // A raw NUL is binary data, never text (`ask` refuses it too); JSON rejects it by itself.
        InputKind::Text if input::nul(line.as_bytes()).is_some() => Err(LineError::new(
            line_id(),
            "contains NUL bytes; save the tickets as plain text",
        )),
        InputKind::Text => Ok(Ticket {
            id: line_id(),
            text: Cow::Borrowed(line),
        }),
        InputKind::Json => parse_json(line, number),
    }
}

fn parse_json(line: &str, number: u64) -> Result<Ticket<'_>, LineError> {
    let line_id = || Value::from(number);
    match serde_json::from_str::<TicketJson<'_>>(line) {
        Ok(TicketJson {
            id,
            text: Some(text),
        }) => Ok(Ticket {
            id: id.unwrap_or_else(line_id),
            text,
        }),
        Ok(TicketJson { id, text: None }) => Err(LineError::new(
            id.unwrap_or_else(line_id),
            "no \"text\" field; each line should be {\"id\": …, \"text\": \"…\"}",
        )),
        // The quick reading failed: find out why, keeping the ticket's id when there is one.
        Err(err) => Err(match serde_json::from_str::<Value>(line) {
            Err(_) => LineError::new(
                line_id(),
                format!("not valid JSON: {}", without_position(&err)),
            ),
            Ok(Value::Object(object)) => {
                let id = object
                    .get("id")
                    .filter(|id| !id.is_null())
                    .cloned()
                    .unwrap_or_else(line_id);
                match object.get("text") {
                    Some(text) if !text.is_string() => {
                        LineError::new(id, "\"text\" is not a string")
                    }
                    _ => LineError::new(id, format!("not a ticket: {}", without_position(&err))),
                }
            }
            Ok(_) => LineError::new(
                line_id(),
                "not a JSON object; each line should be {\"id\": …, \"text\": \"…\"}",
            ),
        }),
    }
}

/// The `id` of a JSON object, if the line is one.
fn id_of(line: &str) -> Option<Value> {
    match serde_json::from_str::<Value>(line).ok()? {
        Value::Object(mut object) => object.remove("id").filter(|id| !id.is_null()),
        _ => None,
    }
}

/// serde_json's message without " at line 1 column N": every input is one line.
fn without_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(at) => format!("{} (column {})", &message[..at], err.column()),
        None => message,
    }
}

/// Answers lines with the advisor and the options. One per worker thread.
pub struct Answerer<'a, 'o> {
    advisor: &'a Advisor,
    options: &'o Options,
    records: RecordWriter,
}

impl<'a, 'o> Answerer<'a, 'o> {
    pub fn new(advisor: &'a Advisor, options: &'o Options) -> Answerer<'a, 'o> {
        Answerer {
            advisor,
            options,
            records: RecordWriter::new(),
        }
    }

    /// Answers one line and appends its record to `out`, counting it in `summary`.
    pub fn answer_line(
        &self,
        line: Result<&[u8], u64>,
        number: u64,
        out: &mut Vec<u8>,
        summary: &mut Summary<'a>,
    ) {
        let options = self.options;
        let parsed = match line {
            Ok(bytes) => parse_line(bytes, number, options.input),
            Err(length) => Err(LineError::new(
                Value::from(number),
                format!(
                    "line is {length} bytes long, over the limit of {} MiB; not read",
                    MAX_LINE_BYTES >> 20
                ),
            )),
        };
        let ticket = match parsed {
            Ok(ticket) => ticket,
            Err(error) => {
                summary.count_error();
                return write_error(&error, options.format, out);
            }
        };
        if !has_words(&ticket.text) {
            // What `beian ask` refuses is an error here too, with the same message.
            summary.count_error();
            let error = LineError::new(ticket.id, NOTHING_TO_SEARCH);
            return write_error(&error, options.format, out);
        }
        // One ticket that trips an engine bug is reported, not allowed to end a run of thousands.
        let answered = panic::catch_unwind(AssertUnwindSafe(|| {
            self.advisor.advise(&ticket.text, options.top)
        }));
        let failure = match answered {
            Ok(Ok(advice)) => {
                summary.count(&advice);
                return self.write_advice(&ticket, &advice, out);
            }
            Ok(Err(err)) => format!("the engine failed: {err}"),
            Err(_) => "internal error while answering this ticket".to_string(),
        };
        summary.count_error();
        write_error(&LineError::new(ticket.id, failure), options.format, out);
    }

    fn write_advice(&self, ticket: &Ticket<'_>, advice: &Advice<'_>, out: &mut Vec<u8>) {
        let id = &ticket.id;
        let lang = self.options.lang.for_text(&advice.query);
        match self.options.format {
            Format::Jsonl if self.options.record == Record::Routing => {
                jsonl::write_routing(id, advice, lang, out);
            }
            Format::Jsonl => {
                let kb = self.advisor.kb();
                self.records
                    .write(id, advice, lang, |entry| kb.position(&entry.id), out);
            }
            Format::Csv => {
                let top = advice.results.first();
                let title = top.map_or("", |answer| answer.entry.title_in(lang));
                let confidence =
                    top.map_or(String::new(), |answer| format!("{:.3}", answer.confidence));
                // The CSV `segments` column: the parts the advisor split the ticket into.
                let (text, _) = truncate(&ticket.text, MAX_QUERY_BYTES);
                let segments = self.advisor.segmenter().segments(text.trim()).len();
                let segments = segments.to_string();
                let id = id_text(id);
                let fields: [&str; 7] = [
                    &id,
                    advice.status.as_str(),
                    top.map_or("", |answer| answer.entry.id.as_str()),
                    title,
                    &confidence,
                    &segments,
                    "",
                ];
                write_csv_row(&fields, out);
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorRecord<'a> {
    id: &'a Value,
    status: &'static str,
    error: &'a str,
}

fn write_error(error: &LineError, format: Format, out: &mut Vec<u8>) {
    match format {
        Format::Jsonl => {
            let record = ErrorRecord {
                id: &error.id,
                status: "error",
                error: &error.message,
            };
            crate::render::json::write(out, &record, false)
                .expect("writing JSON to memory cannot fail");
            out.push(b'\n');
        }
        Format::Csv => write_csv_row(
            &[&id_text(&error.id), "error", "", "", "", "", &error.message],
            out,
        ),
    }
}

/// An id as a CSV cell: a string as it is, anything else as JSON.
fn id_text(id: &Value) -> Cow<'_, str> {
    match id {
        Value::String(text) => Cow::Borrowed(text),
        other => Cow::Owned(other.to_string()),
    }
}

/// One RFC 4180 row: a field with a comma, quote or line break is quoted, quotes doubled. Every field
/// is first made safe to open: control characters and escape sequences are removed (as the text view
/// removes them), and a field a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading `'`, as OWASP advises against CSV injection.
fn write_csv_row(fields: &[&str], out: &mut Vec<u8>) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let mut field = sanitize(field);
        if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            field.insert(0, '\'');
        }
        if field.contains([',', '"', '\n', '\r']) {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn json_line(line: &[u8], number: u64) -> Result<Ticket<'_>, LineError> {
        parse_line(line, number, InputKind::Json)
    }

    #[test]
    fn reads_id_and_text_and_ignores_other_fields() {
        let ticket = json_line(
            r#"{"id": "T-1", "channel": "mail", "text": "备案被驳回"}"#.as_bytes(),
            7,
        )
        .unwrap();
        assert_eq!(ticket.id, json!("T-1"));
        assert_eq!(ticket.text, "备案被驳回");
    }

    #[test]
    fn a_ticket_without_id_is_known_by_its_line_number() {
        assert_eq!(json_line(br#"{"text": "x"}"#, 7).unwrap().id, json!(7));
        assert_eq!(
            json_line(br#"{"id": null, "text": "x"}"#, 8).unwrap().id,
            json!(8)
        );
    }

    #[test]
    fn errors_keep_the_ticket_id_when_it_can_be_read() {
        let missing = json_line(br#"{"id": 42}"#, 3).unwrap_err();
        assert_eq!(missing.id, json!(42));
        assert!(
            missing.message.contains("no \"text\""),
            "{}",
            missing.message
        );

        let not_string = json_line(br#"{"id": "a", "text": 5}"#, 3).unwrap_err();
        assert_eq!(
            not_string,
            LineError::new(json!("a"), "\"text\" is not a string")
        );

        let not_utf8 = json_line(b"{\"id\": \"b\", \"text\": \"\xff\"}", 3).unwrap_err();
        assert_eq!(not_utf8.id, json!("b"));
        assert!(
            not_utf8.message.starts_with("not valid UTF-8 (byte 21)"),
            "{}",
            not_utf8.message
        );
    }

    #[test]
    fn errors_fall_back_to_the_line_number() {
        let broken = json_line(br#"{"id": "c", "text": "unterminated"#, 9).unwrap_err();
        assert_eq!(broken.id, json!(9));
        assert!(
            broken.message.starts_with("not valid JSON: "),
            "{}",
            broken.message
        );
        assert!(!broken.message.contains("line 1"), "{}", broken.message);

        assert_eq!(json_line(b"[1, 2]", 10).unwrap_err().id, json!(10));
        assert_eq!(
            json_line(b"  \t", 11).unwrap_err(),
            LineError::new(json!(11), "empty line")
        );
    }

    #[test]
    fn plain_text_lines_are_numbered() {
        let ticket = parse_line("\u{feff}ICP备案被退回".as_bytes(), 1, InputKind::Text).unwrap();
        assert_eq!(
            (ticket.id, ticket.text.as_ref()),
            (json!(1), "ICP备案被退回")
        );
        assert_eq!(
            parse_line(b"\xc3", 2, InputKind::Text).unwrap_err().id,
            json!(2)
        );
    }

    #[test]
    fn csv_fields_are_made_safe_before_they_are_quoted() {
        let mut out = Vec::new();
        write_csv_row(
            &["=1+2", "-0", "\u{1b}[31m@x", "a\u{7}b", "0.870"],
            &mut out,
        );
        assert_eq!(String::from_utf8(out).unwrap(), "'=1+2,'-0,'@x,ab,0.870\n");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        let mut out = Vec::new();
        write_csv_row(&["a", "b,c", "say \"hi\"", "two\nlines", ""], &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\n"
        );
    }
}
