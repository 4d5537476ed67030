//! The knowledge-base entry: what one Markdown file under `knowledge/` says.

use crate::lang::Lang;
use once_cell::sync::OnceCell;
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

/// What an entry says: the Chinese body and, when the file has one, the English body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Texts {
    /// The part before the `# English` heading.
    pub body: Body,
    /// The part after the `# English` heading, if the file has one.
    pub english: Option<Body>,
}

/// An entry's [`Texts`], decoded when first read. The built-in knowledge base keeps every entry's
/// texts encoded apart from the rest (see [`crate::compiled::Compiled::decode_split`]), so that a
/// process decodes only the texts of the entries it shows. Serialized as `Option<Texts>`: `None` for
/// texts kept apart.
#[derive(Debug, Clone, Default)]
pub struct LazyTexts {
    decoded: OnceCell<Texts>,
    /// The postcard bytes of the texts, when they are not decoded yet.
    encoded: &'static [u8],
}

impl LazyTexts {
    pub fn new(texts: Texts) -> LazyTexts {
        LazyTexts {
            decoded: OnceCell::with_value(texts),
            encoded: &[],
        }
    }

    /// Texts to be decoded from `encoded` (postcard bytes of [`Texts`]) when first read.
    pub fn encoded(encoded: &'static [u8]) -> LazyTexts {
        LazyTexts {
            decoded: OnceCell::new(),
            encoded,
        }
    }

    /// Whether the texts are kept apart: neither decoded nor given their bytes yet.
    pub fn is_apart(&self) -> bool {
        self.decoded.get().is_none() && self.encoded.is_empty()
    }

    pub fn get(&self) -> &Texts {
        self.decoded.get_or_init(|| {
            postcard::from_bytes(self.encoded)
                .expect("an entry's texts decode (they were encoded by this build)")
        })
    }
}

impl PartialEq for LazyTexts {
    fn eq(&self, other: &LazyTexts) -> bool {
        self.get() == other.get()
    }
}

impl Serialize for LazyTexts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (!self.is_apart()).then(|| self.get()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LazyTexts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<Texts>::deserialize(deserializer)?
            .map(LazyTexts::new)
            .unwrap_or_default())
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
    /// The Chinese and English bodies (see [`Entry::body`] and [`Entry::english`]).
    pub texts: LazyTexts,
    /// Where the entry came from: `knowledge/<kind>/<slug>.md` for built-in entries, a path for `--kb`.
    pub origin: String,
}

impl Entry {
    /// The Chinese body: the part before the `# English` heading.
    pub fn body(&self) -> &Body {
        &self.texts.get().body
    }

    /// The English body: the part after the `# English` heading, if the file has one.
    pub fn english(&self) -> Option<&Body> {
        self.texts.get().english.as_ref()
    }

    /// The body in `lang`, and the language it is in: the Chinese one when there is no English text.
    pub fn body_in(&self, lang: Lang) -> (&Body, Lang) {
        match (lang, self.english()) {
            (Lang::En, Some(english)) => (english, Lang::En),
            _ => (self.body(), Lang::Zh),
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
