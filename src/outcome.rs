//! How a run ended, and the errors meant for the user. Imports nothing else of beian.

/// How a run ended; `main` maps it to the process exit code (grep-like: 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    NoMatch,
    Error,
}

impl Outcome {
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::NoMatch => 1,
            Outcome::Error => 2,
        }
    }
}

/// An error meant for the user: one line, exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// A [`UserError`], ready to return with `?`.
pub fn user_error(message: impl Into<String>) -> anyhow::Error {
    UserError(message.into()).into()
}

/// Several errors at once (every problem of a knowledge base that does not load): one line each,
/// then a hint on a line of its own. Exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{}", errors.join("; "))]
pub struct UserErrors {
    pub errors: Vec<String>,
    pub hint: String,
}

/// A warning on standard error, one line: something did not work as asked, and the run goes on.
pub fn warn(message: std::fmt::Arguments<'_>) {
    eprintln!("beian: warning: {message}");
}
