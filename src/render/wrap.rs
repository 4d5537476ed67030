//! Lines of text wrapped to a width in display columns. A CJK character is two columns and a line may
//! break between two of them; a Latin word, an id or a URL stays whole (one longer than the line gets
//! a line of its own rather than being cut, so it can still be copied); and the line-breaking rules
//! of Chinese typesetting (禁则) keep closing punctuation off the start of a line and opening brackets
//! off its end. The palette's escape codes take no columns, and a colour that spans a break is closed
//! at the end of the line and reopened after the indent.

use std::io::{self, Write};
use unicode_width::UnicodeWidthChar;

/// The widest a detected width is taken to be: longer lines read badly.
pub const MAX_WIDTH: usize = 100;
/// The narrowest width text is wrapped to; a narrower terminal gets lines this long.
pub const MIN_WIDTH: usize = 20;
/// The fewest columns a wrapped line keeps for text after its indent.
const MIN_TEXT: usize = 10;

const RESET: &str = "\x1b[0m";

/// Characters a line must not start with: closing punctuation, full-width and ASCII.
fn no_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '】'
            | '》'
            | '〉'
            | '〕'
            | '〗'
            | '］'
            | '｝'
            | '％'
            | '”'
            | '’'
            | '…'
            | '‥'
            | '·'
            | '・'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Characters a line must not end with: opening brackets and quotes.
fn no_end(c: char) -> bool {
    matches!(
        c,
        '（' | '「'
            | '『'
            | '【'
            | '《'
            | '〈'
            | '〔'
            | '〖'
            | '［'
            | '｛'
            | '“'
            | '‘'
            | '('
            | '['
            | '{'
    )
}

/// A character a line may break before or after (a CJK character, full-width punctuation).
fn wide(c: char) -> bool {
    c.width() == Some(2)
}

/// The columns `text` takes on a terminal: CJK characters count two, escape sequences nothing.
pub fn display_width(text: &str) -> usize {
    units(text)
        .map(|unit| match unit {
            Unit::Char(c) => c.width().unwrap_or(0),
            Unit::Escape(_) => 0,
        })
        .sum()
}

/// A visible character, or a whole escape sequence (ESC [ … final byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit<'a> {
    Char(char),
    Escape(&'a str),
}

fn units(text: &str) -> impl Iterator<Item = Unit<'_>> + Clone {
    let mut rest = text;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        if let Some(sequence) = rest.strip_prefix("\x1b[") {
            let end = sequence
                .char_indices()
                .find(|(_, c)| ('\u{40}'..='\u{7e}').contains(c))
                .map_or(sequence.len(), |(at, c)| at + c.len_utf8());
            let (escape, after) = rest.split_at(2 + end);
            rest = after;
            return Some(Unit::Escape(escape));
        }
        rest = &rest[c.len_utf8()..];
        Some(Unit::Char(c))
    })
}

/// A piece of a line that is never broken, and the whitespace before it (kept inside a line, dropped
/// where the line breaks).
#[derive(Debug, Default)]
struct Chunk {
    space: String,
    text: String,
    width: usize,
}

/// The chunks of `text`: it may break at whitespace and around CJK characters, but never before a
/// character that may not start a line, after one that may not end it, beside an ASCII double quote
/// (which opens and closes alike), or inside a word that is kept whole (see [`kept_whole`]).
fn chunks(text: &str) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let mut current = Chunk::default();
    // The last visible character of the chunks so far, and whether whitespace followed it.
    let mut last: Option<char> = None;
    let mut space = String::new();
    // Escape codes seen since the last visible character, not yet placed.
    let mut escapes: Vec<&str> = Vec::new();
    let mut protected = false;
    let mut word_start = true;
    let mut chars = units(text).peekable();
    while let Some(unit) = chars.next() {
        let c = match unit {
            Unit::Escape(escape) => {
                escapes.push(escape);
                continue;
            }
            Unit::Char(c) => c,
        };
        if c.is_whitespace() {
            for escape in escapes.drain(..) {
                current.text.push_str(escape);
            }
            space.push(if c == '\n' { ' ' } else { c });
            word_start = true;
            continue;
        }
        if word_start {
            protected = kept_whole(c, chars.clone());
        }
        let breakable = match last {
            None => false,
            Some(before) if !space.is_empty() => !no_end(before) && !no_start(c),
            Some(before) => {
                !protected
                    && (wide(before) || wide(c))
                    && !no_end(before)
                    && !no_start(c)
                    && before != '"'
                    && c != '"'
            }
        };
        if breakable {
            // A colour's reset stays with the text it ends; a new colour goes with the text it starts.
            let (resets, starts): (Vec<&str>, Vec<&str>) =
                escapes.drain(..).partition(|escape| *escape == RESET);
            for escape in resets {
                current.text.push_str(escape);
            }
            out.push(std::mem::take(&mut current));
            current.space = std::mem::take(&mut space);
            for escape in starts {
                current.text.push_str(escape);
            }
        } else {
            // Whitespace that may not break stays inside the chunk.
            current.text.push_str(&space);
            current.width += display_width(&space);
            space.clear();
            for escape in escapes.drain(..) {
                current.text.push_str(escape);
            }
        }
        current.text.push(c);
        current.width += c.width().unwrap_or(0);
        last = Some(c);
        word_start = false;
    }
    for escape in escapes {
        current.text.push_str(escape);
    }
    if last.is_none() {
        // Nothing visible: keep the text (escape codes, whitespace) as it is.
        current.space = space;
    }
    out.push(current);
    out
}

/// Whether the whitespace-delimited word that starts with `first` (then `rest`) is never broken: a
/// URL (it holds `://`, whatever its path), or a word of at most four characters (a label such as
/// 置信度 or 常见问题 reads badly cut in two, and an id between spaces is whole anyway).
fn kept_whole<'a>(first: char, rest: impl Iterator<Item = Unit<'a>>) -> bool {
    let mut word = String::from(first);
    for unit in rest {
        match unit {
            Unit::Char(c) if c.is_whitespace() => break,
            Unit::Char(c) => word.push(c),
            Unit::Escape(_) => {}
        }
    }
    word.contains("://") || word.chars().count() <= 4
}

/// The last colour `text` leaves switched on, if any (the palette never nests colours).
fn open_colour(text: &str, mut open: Option<String>) -> Option<String> {
    for unit in units(text) {
        if let Unit::Escape(escape) = unit {
            open = (escape != RESET).then(|| escape.to_string());
        }
    }
    open
}

/// The lines of `first` followed by `text`, wrapped at `width` columns with `indent` before every
/// line after the first. `width` `None`: one line, exactly `first` and `text`.
pub fn wrap(first: &str, indent: &str, text: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return vec![format!("{first}{text}")];
    };
    let indent_width = display_width(indent);
    let width = width.max(indent_width + MIN_TEXT);
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut column = display_width(first);
    let mut has_text = false;
    let mut colour = open_colour(first, None);
    for chunk in chunks(text) {
        let space = display_width(&chunk.space);
        if has_text && column + space + chunk.width > width {
            if colour.is_some() {
                line.push_str(RESET);
            }
            lines.push(trim_end(&line));
            line = indent.to_string();
            if let Some(code) = &colour {
                line.push_str(code);
            }
            column = indent_width;
        } else {
            line.push_str(&chunk.space);
            column += space;
        }
        line.push_str(&chunk.text);
        column += chunk.width;
        has_text |= chunk.width > 0;
        colour = open_colour(&chunk.text, colour);
    }
    lines.push(trim_end(&line));
    lines
}

/// The line without trailing whitespace (escape codes after it are kept).
fn trim_end(line: &str) -> String {
    let mut kept = String::with_capacity(line.len());
    // Whitespace and escape codes since the last visible character, in order.
    let mut pending: Vec<Unit<'_>> = Vec::new();
    let push = |kept: &mut String, unit: &Unit<'_>| match unit {
        Unit::Char(c) => kept.push(*c),
        Unit::Escape(escape) => kept.push_str(escape),
    };
    for unit in units(line) {
        match unit {
            Unit::Char(c) if !c.is_whitespace() => {
                for held in pending.drain(..) {
                    push(&mut kept, &held);
                }
                kept.push(c);
            }
            held => pending.push(held),
        }
    }
    for held in pending.iter().filter(|u| matches!(u, Unit::Escape(_))) {
        push(&mut kept, held);
    }
    kept
}

/// Writes [`wrap`]'s lines.
pub fn write_line(
    out: &mut dyn Write,
    first: &str,
    indent: &str,
    text: &str,
    width: Option<usize>,
) -> io::Result<()> {
    for line in wrap(first, indent, text, width) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(first: &str, indent: &str, text: &str, width: usize) -> Vec<String> {
        wrap(first, indent, text, Some(width))
    }

    #[test]
    fn without_a_width_the_line_is_left_as_it_is() {
        assert_eq!(wrap("  • ", "    ", "a  b ", None), ["  • a  b "]);
    }

    #[test]
    fn chinese_counts_two_columns_and_breaks_between_characters() {
        let lines = plain("", "", "备案备案备案备案备案备案", 10);
        assert_eq!(lines, ["备案备案备", "案备案备案", "备案"]);
    }

    #[test]
    fn latin_words_ids_and_urls_stay_whole() {
        let lines = plain(
            "  • ",
            "    ",
            "see rejection/subject-mismatch and <https://example.com/域名与网站/备案.md> now",
            24,
        );
        assert_eq!(
            lines,
            [
                "  • see",
                "    rejection/subject-mismatch",
                "    and",
                "    <https://example.com/域名与网站/备案.md>",
                "    now"
            ]
        );
    }

    #[test]
    fn no_line_starts_with_closing_punctuation_or_ends_with_an_opening_bracket() {
        // Every break point of a naive wrap at 10 columns lands on punctuation here.
        let text = "备案备案，备案备案（备案）备案备案。备案备案…备案「备案」";
        for width in 6..30 {
            let lines = plain("", "", text, width);
            assert_eq!(lines.concat(), text, "nothing lost at {width}");
            for line in &lines[1..] {
                let first = line.chars().next().unwrap();
                assert!(!no_start(first), "{width}: {line:?} in {lines:?}");
            }
            for line in &lines {
                let last = line.chars().last().unwrap();
                assert!(!no_end(last), "{width}: {line:?} in {lines:?}");
            }
        }
        assert_eq!(
            plain("", "", "word word, (word) word.", 10),
            ["word word,", "(word)", "word."]
        );
    }

    #[test]
    fn a_space_before_closing_punctuation_is_no_break_either() {
        assert_eq!(
            plain(
                "",
                "",
                "常见问题 · faq/rejected-what-next · 置信度 0.81",
                40
            ),
            ["常见问题 · faq/rejected-what-next ·", "置信度 0.81"]
        );
    }

    #[test]
    fn escape_codes_take_no_columns_and_colours_reopen_after_a_break() {
        let text = "\x1b[2m置信度 置信度 置信度\x1b[0m";
        assert_eq!(display_width(text), 20);
        let lines = plain("", "  ", text, 14);
        assert_eq!(
            lines,
            ["\x1b[2m置信度 置信度\x1b[0m", "  \x1b[2m置信度\x1b[0m"]
        );
        // A colour that ends before the break is not reopened.
        let lines = plain("", "", "\x1b[33mabc\x1b[0m 备案备案备案", 10);
        assert_eq!(lines, ["\x1b[33mabc\x1b[0m 备案备", "案备案"]);
    }

    #[test]
    fn a_word_longer_than_the_line_overflows_on_a_line_of_its_own() {
        let lines = plain(
            "  1. ",
            "     ",
            "a rejection/existing-sites-noncompliant b",
            20,
        );
        assert_eq!(
            lines,
            [
                "  1. a",
                "     rejection/existing-sites-noncompliant",
                "     b"
            ]
        );
        // Right after the marker it stays on the first line: an empty marker line helps no one.
        let lines = plain(
            "  1. ",
            "     ",
            "rejection/existing-sites-noncompliant",
            20,
        );
        assert_eq!(lines, ["  1. rejection/existing-sites-noncompliant"]);
    }

    #[test]
    fn a_tiny_width_still_leaves_room_for_text() {
        let lines = plain("", "        ", "备案备案备案备案备案备案", 4);
        assert!(lines.iter().all(|l| display_width(l) <= 18), "{lines:?}");
    }
}
