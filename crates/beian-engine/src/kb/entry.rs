//! The knowledge-base entry: what one Markdown file under `knowledge/` says.

use crate::lang::Lang;
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

/// The advice sections of kb-spec §1 (the summary aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    Causes,
    Remediation,
    NextActions,
    Symptoms,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Causes,
        Section::Remediation,
        Section::NextActions,
        Section::Symptoms,
    ];

    pub const REQUIRED: [Section; 3] =
        [Section::Causes, Section::Remediation, Section::NextActions];

    /// The section a `##` heading names, in either language.
    pub fn from_heading(heading: &str) -> Option<Section> {
        match heading.trim().to_lowercase().as_str() {
            "原因" | "causes" => Some(Section::Causes),
            "解决步骤" | "remediation" => Some(Section::Remediation),
            "下一步" | "next actions" => Some(Section::NextActions),
            "常见提示" | "symptoms" => Some(Section::Symptoms),
            _ => None,
        }
    }

    /// The heading an author writes, in the language of the body it heads.
    pub fn heading_in(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Section::Causes, Lang::Zh) => "## 原因",
            (Section::Remediation, Lang::Zh) => "## 解决步骤",
            (Section::NextActions, Lang::Zh) => "## 下一步",
            (Section::Symptoms, Lang::Zh) => "## 常见提示",
            (Section::Causes, Lang::En) => "## Causes",
            (Section::Remediation, Lang::En) => "## Remediation",
            (Section::NextActions, Lang::En) => "## Next actions",
            (Section::Symptoms, Lang::En) => "## Symptoms",
        }
    }

    /// The Chinese heading.
    pub fn heading(self) -> &'static str {
        self.heading_in(Lang::Zh)
    }
}

/// What an entry says in one language: the summary and the items of each section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Body {
    /// The first paragraph: the answer in one or two sentences.
    pub summary: String,
    pub causes: Vec<String>,
    pub remediation: Vec<String>,
    pub next_actions: Vec<String>,
    pub symptoms: Vec<String>,
}

impl Body {
    pub fn section(&self, section: Section) -> &[String] {
        match section {
            Section::Causes => &self.causes,
            Section::Remediation => &self.remediation,
            Section::NextActions => &self.next_actions,
            Section::Symptoms => &self.symptoms,
        }
    }

    /// The text a search sees beyond titles, aliases and symptoms: the summary and the advice sections.
    pub fn text(&self) -> String {
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

/// One entry, parsed: front matter plus what it says, in Chinese and, when it has one, in English.
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
    /// Keys of the source registry (`sources.toml`) or URLs.
    pub sources: Vec<String>,
    pub reviewed: Option<String>,
    /// The Chinese body: the part before the `# English` heading.
    pub body: Body,
    /// The English body: the part after the `# English` heading, if the file has one.
    pub english: Option<Body>,
    /// Where the entry came from: `knowledge/<kind>/<slug>.md` for built-in entries, a path for `--kb`.
    pub origin: String,
}

impl Entry {
    /// The body in `lang`, and the language it is in: the Chinese one when there is no English text.
    pub fn body_in(&self, lang: Lang) -> (&Body, Lang) {
        match (lang, &self.english) {
            (Lang::En, Some(english)) => (english, Lang::En),
            _ => (&self.body, Lang::Zh),
        }
    }

    /// The title in `lang`.
    pub fn title_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.title,
            Lang::En => &self.title_en,
        }
    }
}
