//! Long output on a terminal through a pager, as git and bat do: `$BEIAN_PAGER`, else `$PAGER`,
//! else `less -FRX` (quits when the text fits, keeps colours, leaves the screen as it was). Output
//! that fits the window is printed directly, and a pager that cannot be started never loses it.

use std::io::{self, Write};
use std::process::{Command, Stdio};

/// The pager when none is set.
const DEFAULT: &str = "less -FRX";

/// A pager command: the program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pager {
    words: Vec<String>,
}

impl Pager {
    /// The pager the environment asks for: `BEIAN_PAGER`, else `PAGER`, else `less -FRX`. An empty
    /// value (of the first one set) or `cat` means none.
    pub fn from_env() -> Option<Pager> {
        let chosen = std::env::var("BEIAN_PAGER").or_else(|_| std::env::var("PAGER"));
        Pager::parse(chosen.as_deref().unwrap_or(DEFAULT))
    }

    /// The pager a command line names (words split as a shell would, quotes and backslashes
    /// included); `None` for none.
    pub fn parse(command: &str) -> Option<Pager> {
        let words = split_words(command)?;
        match words.first().map(String::as_str) {
            None | Some("cat") => None,
            Some(_) => Some(Pager { words }),
        }
    }

    /// Shows `text` on the terminal: through the pager when it takes more rows than the terminal
    /// on standard output has, else directly on `out` (standard output). A pager that cannot be
    /// started is a warning on standard error, and the text goes to `out` after all.
    pub fn page(&self, text: &[u8], out: &mut dyn Write) -> io::Result<()> {
        match crate::terminal::size() {
            Some((columns, rows)) if rows_taken(text, columns) >= rows => {}
            _ => return out.write_all(text),
        }
        out.flush()?;
        let mut command = Command::new(&self.words[0]);
        command.args(&self.words[1..]).stdin(Stdio::piped());
        // git's defaults for less (and lv) when the user has set none: quit when the text fits,
        // pass colours through, leave the screen as it was.
        if std::env::var_os("LESS").is_none() {
            command.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            command.env("LV", "-c");
        }
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(err) => {
                let _ = writeln!(
                    io::stderr(),
                    "beian: warning: cannot run the pager '{}': {err}; printing directly",
                    crate::render::sanitize(&self.words.join(" "))
                );
                return out.write_all(text);
            }
        };
        // Ctrl-C in the pager is the pager's: beian must not end and leave it the terminal.
        let _ignored = IgnoreInterrupts::new();
        if let Some(mut stdin) = child.stdin.take() {
            match stdin.write_all(text) {
                // The reader quit before the end (`q` in less): that is how paging ends.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
        child.wait()?;
        Ok(())
    }
}

/// The rows `text` takes on a terminal `columns` wide (a line longer than that takes several).
fn rows_taken(text: &[u8], columns: usize) -> usize {
    let columns = columns.max(1);
    String::from_utf8_lossy(text)
        .lines()
        .map(|line| {
            crate::render::wrap::display_width(line)
                .div_ceil(columns)
                .max(1)
        })
        .sum()
}

/// Words as a POSIX shell splits them: whitespace between words, '…' and "…" quote, a backslash
/// escapes the next character (inside "…" only before `"`, `\`, `$` and a backquote). `None` for an
/// unclosed quote.
fn split_words(command: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(done) = word.take() {
                    words.push(done);
                }
            }
            '\'' => {
                let current = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => current.push(c),
                    }
                }
            }
            '"' => {
                let current = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => current.push(c),
                            c => {
                                current.push('\\');
                                current.push(c);
                            }
                        },
                        c => current.push(c),
                    }
                }
            }
            '\\' => {
                let current = word.get_or_insert_with(String::new);
                if let Some(c) = chars.next() {
                    current.push(c);
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Some(words)
}

/// SIGINT and SIGQUIT ignored while it lives (and restored after), as git does while its pager runs.
struct IgnoreInterrupts {
    #[cfg(unix)]
    previous: [libc::sighandler_t; 2],
}

impl IgnoreInterrupts {
    fn new() -> IgnoreInterrupts {
        IgnoreInterrupts {
            #[cfg(unix)]
            // SAFETY: `signal` with SIG_IGN installs no code of ours; the old handlers are restored on drop.
            previous: unsafe {
                [
                    libc::signal(libc::SIGINT, libc::SIG_IGN),
                    libc::signal(libc::SIGQUIT, libc::SIG_IGN),
                ]
            },
        }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: puts back the handlers `new` found.
        unsafe {
            libc::signal(libc::SIGINT, self.previous[0]);
            libc::signal(libc::SIGQUIT, self.previous[1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(command: &str) -> Vec<String> {
        Pager::parse(command).map(|p| p.words).unwrap_or_default()
    }

    #[test]
    fn a_pager_command_is_split_as_a_shell_splits_it() {
        assert_eq!(words("less -FRX"), ["less", "-FRX"]);
        assert_eq!(words("  most  "), ["most"]);
        assert_eq!(
            words(r#"'/opt/my pager' --title "a \"b\" c" x\ y"#),
            ["/opt/my pager", "--title", r#"a "b" c"#, "x y"]
        );
        assert_eq!(words("less ''"), ["less", ""]);
    }

    #[test]
    fn empty_cat_or_unclosed_means_no_pager() {
        assert_eq!(Pager::parse(""), None);
        assert_eq!(Pager::parse("   "), None);
        assert_eq!(Pager::parse("cat"), None);
        assert_eq!(Pager::parse("less 'oops"), None);
    }

    #[test]
    fn long_lines_take_several_rows() {
        assert_eq!(rows_taken(b"a\nb\n", 80), 2);
        assert_eq!(rows_taken("备案".repeat(50).as_bytes(), 80), 3);
        assert_eq!(rows_taken(b"\n\n", 80), 2);
    }
}
