//! Bytes from outside (standard input, a query set, a filing, a ticket line) → text: UTF-8 without
//! NUL bytes. Each caller words the error for what it reads; the checks are these.

use crate::outcome::user_error;
use beian_engine::advise::MAX_QUERY_BYTES;

/// Bytes that are not UTF-8; `at` is the offset of the first bad byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8 {
    pub at: usize,
    /// The bytes end inside a character (a read that stopped at a limit).
    pub cut: bool,
}

/// Why bytes are not text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotText {
    Nul { at: usize },
    Utf8(InvalidUtf8),
}

impl NotText {
    /// The line (from 1) of the first bad byte.
    pub fn line(self, bytes: &[u8]) -> usize {
        let at = match self {
            NotText::Nul { at } | NotText::Utf8(InvalidUtf8 { at, .. }) => at,
        };
        bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1
    }
}

/// The bytes as UTF-8 (NUL bytes allowed: JSON refuses them itself).
pub fn utf8(bytes: &[u8]) -> Result<&str, InvalidUtf8> {
    std::str::from_utf8(bytes).map_err(|err| InvalidUtf8 {
        at: err.valid_up_to(),
        cut: err.error_len().is_none(),
    })
}

/// The first NUL byte, if any.
pub fn nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

/// The bytes as text: a NUL byte anywhere is reported first, then the first invalid UTF-8.
pub fn text(bytes: &[u8]) -> Result<&str, NotText> {
    match nul(bytes) {
        Some(at) => Err(NotText::Nul { at }),
        None => utf8(bytes).map_err(NotText::Utf8),
    }
}

/// A question or query set read from `what`, as text, or an error for the user. A character cut at
/// the end of a read that stopped past [`MAX_QUERY_BYTES`] is dropped.
pub fn decode_query(mut bytes: Vec<u8>, what: &str) -> anyhow::Result<String> {
    match text(&bytes) {
        Ok(_) => {}
        Err(NotText::Nul { .. }) => {
            return Err(user_error(format!(
                "{what} contains NUL bytes; beian reads text"
            )))
        }
        Err(NotText::Utf8(InvalidUtf8 { at, cut: true })) if bytes.len() > MAX_QUERY_BYTES => {
            bytes.truncate(at);
        }
        Err(NotText::Utf8(InvalidUtf8 { at, .. })) => {
            return Err(user_error(format!(
                "{what} is not valid UTF-8 (byte {at}); save it as UTF-8 and try again"
            )))
        }
    }
    Ok(String::from_utf8(bytes).expect("checked above"))
}

/// Why a text with nothing to search for is refused: `ask` says it with a usage hint, `triage` in an
/// error record, the REPL as a message.
pub const NOTHING_TO_SEARCH: &str =
    "nothing to search for: the text is empty or only spaces and punctuation";

/// Whether the text has anything to search for (letters, digits or CJK characters).
pub fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_byte_is_reported_before_invalid_utf8() {
        assert_eq!(text(b"\xff a\0"), Err(NotText::Nul { at: 3 }));
        assert_eq!(utf8(b"a\0"), Ok("a\0"));
    }

    #[test]
    fn the_line_of_the_first_bad_byte() {
        let bytes = b"a = 1\nb = \"\xff\"\n";
        assert_eq!(text(bytes).unwrap_err().line(bytes), 2);
        let bytes = b"a\nb\nc\0";
        assert_eq!(text(bytes).unwrap_err().line(bytes), 3);
    }

    #[test]
    fn a_character_cut_at_the_end_is_told_apart() {
        assert_eq!(utf8("备".as_bytes()), Ok("备"));
        assert_eq!(
            utf8(&"备".as_bytes()[..2]),
            Err(InvalidUtf8 { at: 0, cut: true })
        );
        assert_eq!(utf8(b"\xffa"), Err(InvalidUtf8 { at: 0, cut: false }));
    }
}
