//! `beian check`: finds the predictable reasons for rejection in a planned filing before it is
//! submitted. Each finding names the knowledge-base entry that explains it.
//!
//! [`filing`] reads the file, [`rules`] hold the checks (one module per concern), [`report`] writes
//! findings as text or JSON, [`command`] runs `beian check` for the CLI.

pub mod command;
pub mod dates;
pub mod entries;
pub mod filing;
pub mod ids;
pub mod region;
pub mod report;
pub mod rules;

pub use filing::{parse, Filing, ParseError, Syntax};

use serde::Serialize;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks a rule that applies everywhere: the filing will be returned.
    Error,
    /// Provincial or provider-specific rules, and heuristics: likely trouble, worth a look.
    Warning,
    /// Not a problem; something to know.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding: which rule, how serious, about which field, and the entry to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// Path of the field in the filing: `websites[0].domains[1].registrant`.
    pub field: String,
    /// The finding in Chinese.
    pub message: String,
    pub message_en: String,
    /// Knowledge-base id (kb-spec §2).
    pub entry: &'static str,
}

/// All findings for one filing, most serious first (stable within a severity).
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// Checks a filing as of `today` (the date expiry and waiting-time rules count from).
pub fn check(filing: &Filing, today: Date) -> Report {
    let mut findings = rules::run(filing, today);
    findings.sort_by_key(|f| f.severity);
    Report { findings }
}
