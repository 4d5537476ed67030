//! What the text view needs to know about the terminal it writes to.

use std::io::{self, IsTerminal};

/// The terminal's width when standard output is one (at most 100 columns: longer lines read badly).
pub fn width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(width, _)| usize::from(width.0).min(100))
}
