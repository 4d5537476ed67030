//! What the text view needs to know about the terminal it writes to.

use crate::render::wrap::{MAX_WIDTH, MIN_WIDTH};
use std::io::{self, IsTerminal};

/// Whether standard output is a terminal.
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

/// The width to wrap text at: `COLUMNS` when it holds a positive number (POSIX: the user's preferred
/// width, which also serves scripts and tests), else the terminal's when standard output is one;
/// between [`MIN_WIDTH`] and [`MAX_WIDTH`]. `None`: lines are left whole.
pub fn width() -> Option<usize> {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&columns| columns > 0);
    let width = match columns {
        Some(columns) => columns,
        None if stdout_is_terminal() => usize::from(terminal_size::terminal_size()?.0 .0),
        None => return None,
    };
    Some(width.clamp(MIN_WIDTH, MAX_WIDTH))
}

/// The size of the terminal on standard output, (columns, rows); `None` when it is not one.
pub fn size() -> Option<(usize, usize)> {
    if !stdout_is_terminal() {
        return None;
    }
    terminal_size::terminal_size()
        .map(|(width, height)| (usize::from(width.0), usize::from(height.0)))
}
