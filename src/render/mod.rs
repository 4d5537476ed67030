//! Output: the text view and the JSON contract, written to any `impl Write`.

pub mod compact;
pub mod json;
pub mod text;
pub mod wrap;

/// The language of an answer: its labels, titles and body (the engine's, so that views, settings
/// and entries agree).
pub use beian_engine::lang::Lang;

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Palette {
    pub enabled: bool,
}

impl Palette {
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn heading(&self, text: &str) -> String {
        self.paint("1;36", text)
    }

    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn accent(&self, text: &str) -> String {
        self.paint("33", text)
    }
}

/// Removes control characters (ANSI escapes included) so that text from a query or a knowledge-base
/// file can never drive the terminal. Newlines and tabs are kept.
pub fn sanitize(text: &str) -> String {
    // Nearly every text is clean (the knowledge base's always is): copied whole, not char by char.
    if !text.chars().any(|c| removed(c) && c != '\n' && c != '\t') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\u{1b}' => {
                // Drop a whole CSI sequence (ESC [ … final byte), not just the ESC.
                if chars.peek() == Some(&'[') {
                    chars.next();
                    while let Some(&next) = chars.peek() {
                        chars.next();
                        if ('\u{40}'..='\u{7e}').contains(&next) {
                            break;
                        }
                    }
                }
            }
            c if removed(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether [`sanitize`] drops `c` (newlines and tabs aside): control characters, and bidirectional
/// overrides, which can make text display other than it reads.
fn removed(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitize_strips_escapes_and_controls_but_keeps_text() {
        assert_eq!(sanitize("a\x1b[31mred\x1b[0m b"), "ared b");
        assert_eq!(sanitize("x\x07y\x00z\r"), "xyz");
        assert_eq!(sanitize("备案\n下一步\t1"), "备案\n下一步\t1");
        assert_eq!(sanitize("a\u{202e}b\u{2066}c"), "abc");
    }
}
