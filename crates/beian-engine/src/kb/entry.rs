//! The knowledge-base entry: what one Markdown file under `knowledge/` says.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The five kinds of entry of kb-spec §1; an id is `<kind>/<slug>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Scenario,
    Process,
    Rejection,
    Risk,
    Faq,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Scenario,
        Kind::Process,
        Kind::Rejection,
        Kind::Risk,
        Kind::Faq,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scenario => "scenario",
            Kind::Process => "process",
            Kind::Rejection => "rejection",
            Kind::Risk => "risk",
            Kind::Faq => "faq",
        }
    }

    /// The Chinese label shown in the text view.
    pub fn label_zh(self) -> &'static str {
        match self {
            Kind::Scenario => "场景",
            Kind::Process => "流程",
            Kind::Rejection => "驳回原因",
            Kind::Risk => "风险",
            Kind::Faq => "常见问题",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| {
                format!("unknown kind '{s}' (expected scenario, process, rejection, risk or faq)")
            })
    }
}

/// One entry, parsed: front matter plus the sections the advice is made of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub title_en: String,
    pub aliases: Vec<String>,
    /// Regular expressions for literal notice wording (kb-spec §1).
    pub patterns: Vec<String>,
    pub related: Vec<String>,
    pub sources: Vec<String>,
    pub reviewed: Option<String>,
    /// The first paragraph: the answer in one or two sentences.
    pub summary: String,
    pub causes: Vec<String>,
    pub remediation: Vec<String>,
    pub next_actions: Vec<String>,
    pub symptoms: Vec<String>,
    /// Where the entry came from: `knowledge/<kind>/<slug>.md` for built-in entries, a path for `--kb`.
    pub origin: String,
}

impl Entry {
    /// The text a search sees beyond titles and aliases: the summary and every section.
    pub fn body_text(&self) -> String {
        let mut body = self.summary.clone();
        for item in self
            .causes
            .iter()
            .chain(&self.remediation)
            .chain(&self.next_actions)
        {
            body.push('\n');
            body.push_str(item);
        }
        body
    }
}
