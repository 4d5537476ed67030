//! Standard input that is not a terminal: every non-empty line answered in turn, without a prompt and
//! without history, so that `cat questions.txt | beian repl` works. With JSON on, every input line
//! gets exactly one JSON line (an error object for a line that gets no answer), so the output lines
//! up with the input (`paste`, `jq -s`).

use super::{tell, Flow, Session};
use crate::input::decode_query;
use crate::outcome::Outcome;
use anyhow::Context as _;
use beian_engine::advise::MAX_QUERY_BYTES;
use std::io::{self, BufRead, Read, Write};

/// Piped input: every non-empty line in turn, no prompt, no history. Exit 2 if a line could not be
/// read (not UTF-8, NUL bytes); such a line is reported and skipped (in JSON, it gets an error object).
pub(super) fn run(session: &mut Session<'_>, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let stdin = io::stdin();
    let mut reader = stdin.lock();
    let mut number = 0;
    let mut unreadable = false;
    let mut wrote_before = false;
    while let Some((bytes, cut)) = read_line(&mut reader).context("cannot read standard input")? {
        number += 1;
        let json_before = session.json;
        let line = match decode_query(bytes, &format!("standard input line {number}")) {
            Ok(line) => line,
            Err(err) => {
                let _ = writeln!(io::stderr(), "beian: error: {err}");
                unreadable = true;
                if json_before {
                    write_error(out, number, &err.to_string())?;
                }
                continue;
            }
        };
        if line.trim().is_empty() {
            if json_before {
                write_error(out, number, "empty line")?;
            }
            continue;
        }
        if cut {
            tell(&format!(
                "warning: line {number} is longer than {} KiB; only its beginning was read",
                MAX_QUERY_BYTES / 1024
            ));
        }
        // A blank line between two outputs in the text view (not before the first, not for a line
        // that printed nothing); JSON Lines stay one value a line.
        let mut separated = Separated {
            inner: &mut *out,
            pending: wrote_before && !session.json,
            wrote: false,
        };
        let flow = session.handle(&line, &mut separated)?;
        let wrote = separated.wrote;
        wrote_before |= wrote;
        let refusal = session.refusal.take();
        if (json_before || session.json) && !wrote {
            let message = refusal.unwrap_or_else(|| "this line has no answer".to_string());
            write_error(out, number, &message)?;
        }
        out.flush()?;
        if flow == Flow::Quit {
            break;
        }
    }
    out.flush()?;
    Ok(if unreadable {
        Outcome::Error
    } else {
        Outcome::Success
    })
}

/// The JSON value of a line that got no answer: `{"line": N, "status": "error", "error": "…"}`.
fn write_error(out: &mut dyn Write, line: usize, message: &str) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct LineError<'a> {
        line: usize,
        status: &'static str,
        error: &'a str,
    }
    let record = LineError {
        line,
        status: "error",
        error: message,
    };
    crate::render::json::write(out, &record, false)?;
    writeln!(out)
}

/// Writes a blank line before the first byte that goes through it, if one is pending.
struct Separated<'a> {
    inner: &'a mut dyn Write,
    pending: bool,
    wrote: bool,
}

impl Write for Separated<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.pending {
            self.inner.write_all(b"\n")?;
            self.pending = false;
        }
        self.wrote = true;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// One line without its line ending, at most [`MAX_QUERY_BYTES`] of it (the rest is skipped; `true`
/// says so). `None` at the end of the input.
fn read_line(reader: &mut dyn BufRead) -> io::Result<Option<(Vec<u8>, bool)>> {
    let mut bytes = Vec::new();
    let read = (&mut *reader)
        .take(MAX_QUERY_BYTES as u64 + 4)
        .read_until(b'\n', &mut bytes)?;
    if read == 0 {
        return Ok(None);
    }
    let mut cut = false;
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if bytes.len() > MAX_QUERY_BYTES {
        cut = true;
        let mut rest = Vec::new();
        loop {
            rest.clear();
            let skipped = (&mut *reader)
                .take(64 * 1024)
                .read_until(b'\n', &mut rest)?;
            if skipped == 0 || rest.last() == Some(&b'\n') {
                break;
            }
        }
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    Ok(Some((bytes, cut)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_line_strips_endings_and_cuts_long_lines() {
        let long = "备".repeat(MAX_QUERY_BYTES / 3 + 10);
        let input = format!("one\r\ntwo\n{long}\nthree");
        let mut reader = io::Cursor::new(input.into_bytes());
        assert_eq!(
            read_line(&mut reader).unwrap(),
            Some((b"one".to_vec(), false))
        );
        assert_eq!(
            read_line(&mut reader).unwrap(),
            Some((b"two".to_vec(), false))
        );
        let (cut_line, cut) = read_line(&mut reader).unwrap().unwrap();
        assert!(cut && cut_line.len() <= MAX_QUERY_BYTES + 4);
        assert_eq!(
            read_line(&mut reader).unwrap(),
            Some((b"three".to_vec(), false))
        );
        assert_eq!(read_line(&mut reader).unwrap(), None);
    }
}
