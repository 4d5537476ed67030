//! The JSON shapes of kb-spec §3 and `docs/contract.md`. Field names are a contract: never rename
//! or drop one; new fields are added.

use beian_engine::advise::{Advice, Answer};
use beian_engine::kb::{Entry, Registry, Resolved};
use beian_engine::lang::Lang;
use beian_engine::rank::{CandidateExplanation, Row, SegmentExplanation};
use serde::Serialize;

#[derive(Serialize)]
pub struct AdviceJson<'a> {
    pub query: &'a str,
    pub status: &'static str,
    /// The language the answer was asked for (`--lang`, or the question's own under `auto`).
    pub lang: Lang,
    pub results: Vec<ResultJson<'a>>,
}

#[derive(Serialize)]
pub struct ResultJson<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub title: &'a str,
    pub title_en: &'a str,
    pub score: f32,
    pub confidence: f32,
    pub segment: &'a str,
    pub matched: &'a [String],
    /// The language of `summary`, `causes`, `remediation` and `next_actions`: the answer's, or `zh`
    /// for an entry without English text.
    pub lang: Lang,
    pub summary: &'a str,
    pub causes: &'a [String],
    pub remediation: &'a [String],
    pub next_actions: &'a [String],
    pub related: &'a [String],
    pub sources: &'a [String],
    /// `sources` resolved in the source registry, in the same order.
    pub source_refs: Vec<SourceRefJson<'a>>,
}

/// A source key with what the registry says of it. A URL stands for itself (its host as the
/// publisher); a key the registry does not know has only the key.
#[derive(Serialize)]
pub struct SourceRefJson<'a> {
    pub key: &'a str,
    pub title: Option<&'a str>,
    pub publisher: Option<&'a str>,
    pub url: Option<&'a str>,
    pub read: Option<&'a str>,
}

impl<'a> SourceRefJson<'a> {
    pub fn new(key: &'a str, registry: &'a Registry) -> SourceRefJson<'a> {
        let unknown = SourceRefJson {
            key,
            title: None,
            publisher: None,
            url: None,
            read: None,
        };
        match registry.resolve(key) {
            Resolved::Registered(source) => SourceRefJson {
                title: Some(&source.title),
                publisher: Some(&source.publisher),
                url: source.url.as_deref(),
                read: source.read.as_deref(),
                ..unknown
            },
            Resolved::Url => SourceRefJson {
                publisher: host(key),
                url: Some(key.trim()),
                ..unknown
            },
            Resolved::Unknown => unknown,
        }
    }

    /// Every source of an entry, resolved.
    pub fn all(entry: &'a Entry, registry: &'a Registry) -> Vec<SourceRefJson<'a>> {
        entry
            .sources
            .iter()
            .map(|key| SourceRefJson::new(key, registry))
            .collect()
    }
}

/// The host of a URL (`https://beian.miit.gov.cn/#/` → `beian.miit.gov.cn`).
fn host(url: &str) -> Option<&str> {
    let rest = url.trim().split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    (!host.is_empty()).then_some(host)
}

impl<'a> AdviceJson<'a> {
    /// The answer in `lang`: each result's body in that language where the entry has it.
    pub fn new(advice: &'a Advice<'a>, lang: Lang) -> AdviceJson<'a> {
        AdviceJson {
            query: &advice.query,
            status: advice.status.as_str(),
            lang,
            results: advice
                .results
                .iter()
                .map(|answer| ResultJson::new(answer, lang, advice.sources))
                .collect(),
        }
    }
}

impl<'a> ResultJson<'a> {
    pub fn new(answer: &'a Answer<'a>, lang: Lang, registry: &'a Registry) -> ResultJson<'a> {
        let entry = answer.entry;
        let (body, lang) = entry.body_in(lang);
        ResultJson {
            id: &entry.id,
            kind: entry.kind.as_str(),
            title: &entry.title,
            title_en: &entry.title_en,
            score: answer.score,
            confidence: answer.confidence,
            segment: &answer.segment,
            matched: &answer.matched,
            lang,
            summary: &body.summary,
            causes: &body.causes,
            remediation: &body.remediation,
            next_actions: &body.next_actions,
            related: &entry.related,
            sources: &entry.sources,
            source_refs: SourceRefJson::all(entry, registry),
        }
    }
}

/// `beian ask --explain --json`: the answer as [`AdviceJson`] has it, plus the evidence behind the
/// ranking of each segment (the keys of [`AdviceJson`] come first and stay as they are).
#[derive(Serialize)]
pub struct ExplainedAdviceJson<'a> {
    #[serde(flatten)]
    pub advice: AdviceJson<'a>,
    pub explanation: Vec<SegmentExplanationJson<'a>>,
}

#[derive(Serialize)]
pub struct SegmentExplanationJson<'a> {
    pub segment: &'a str,
    pub candidates: Vec<CandidateExplanationJson<'a>>,
}

#[derive(Serialize)]
pub struct CandidateExplanationJson<'a> {
    pub id: &'a str,
    pub confidence: f32,
    pub evidence: f32,
    pub score: f32,
    pub bm25: f32,
    /// (feature, value, weight, contribution); the contributions add up to the confidence's logit.
    pub rows: Vec<RowJson>,
}

#[derive(Serialize)]
pub struct RowJson {
    pub feature: &'static str,
    pub value: f32,
    pub weight: f32,
    pub contribution: f32,
}

impl<'a> ExplainedAdviceJson<'a> {
    pub fn new(
        advice: AdviceJson<'a>,
        segments: &'a [SegmentExplanation<'a>],
    ) -> ExplainedAdviceJson<'a> {
        let candidate = |c: &'a CandidateExplanation<'a>| CandidateExplanationJson {
            id: &c.entry.id,
            confidence: c.confidence,
            evidence: c.evidence,
            score: c.score,
            bm25: c.bm25,
            rows: c.rows.iter().map(RowJson::new).collect(),
        };
        ExplainedAdviceJson {
            advice,
            explanation: segments
                .iter()
                .map(|s| SegmentExplanationJson {
                    segment: &s.segment,
                    candidates: s.candidates.iter().map(candidate).collect(),
                })
                .collect(),
        }
    }
}

impl RowJson {
    fn new(row: &Row) -> RowJson {
        RowJson {
            feature: row.feature,
            value: row.value,
            weight: row.weight,
            contribution: row.contribution,
        }
    }
}

/// A whole entry, for `beian show --json` and `beian list --json`.
#[derive(Serialize)]
pub struct EntryJson<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub title: &'a str,
    pub title_en: &'a str,
    pub aliases: &'a [String],
    /// The language of the body fields (`summary` … `symptoms`), as in [`ResultJson`].
    pub lang: Lang,
    pub summary: &'a str,
    pub causes: &'a [String],
    pub remediation: &'a [String],
    pub next_actions: &'a [String],
    pub symptoms: &'a [String],
    pub related: &'a [String],
    pub sources: &'a [String],
    pub source_refs: Vec<SourceRefJson<'a>>,
    pub reviewed: Option<&'a str>,
}

impl<'a> EntryJson<'a> {
    /// The entry with its body in `lang` where it has one.
    pub fn new(entry: &'a Entry, lang: Lang, registry: &'a Registry) -> EntryJson<'a> {
        let (body, lang) = entry.body_in(lang);
        EntryJson {
            id: &entry.id,
            kind: entry.kind.as_str(),
            title: &entry.title,
            title_en: &entry.title_en,
            aliases: &entry.aliases,
            lang,
            summary: &body.summary,
            causes: &body.causes,
            remediation: &body.remediation,
            next_actions: &body.next_actions,
            symptoms: &body.symptoms,
            related: &entry.related,
            sources: &entry.sources,
            source_refs: SourceRefJson::all(entry, registry),
            reviewed: entry.reviewed.as_deref(),
        }
    }
}

/// Writes `value` as JSON with every control character escaped. serde_json escapes U+0000–U+001F but
/// leaves the C1 controls U+0080–U+009F raw (U+009B starts an escape sequence on some terminals); in
/// JSON text they can only stand inside strings, where `\u0080`-style escapes are equivalent.
pub fn write<T: Serialize + ?Sized>(
    out: &mut dyn std::io::Write,
    value: &T,
    pretty: bool,
) -> std::io::Result<()> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(std::io::Error::other)?;
    // In UTF-8 a C1 control is 0xC2 followed by 0x80..=0x9F (0xC2 never continues a character).
    let bytes = text.as_bytes();
    let has_c1 = memchr::memchr_iter(0xc2, bytes)
        .any(|i| bytes.get(i + 1).is_some_and(|b| (0x80..=0x9f).contains(b)));
    if !has_c1 {
        return out.write_all(text.as_bytes());
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if ('\u{80}'..='\u{9f}').contains(&c) {
            escaped.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            escaped.push(c);
        }
    }
    out.write_all(escaped.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_source_names_its_host() {
        assert_eq!(
            super::host("https://beian.miit.gov.cn/#/Integrated"),
            Some("beian.miit.gov.cn")
        );
        assert_eq!(
            super::host("http://user@example.com:8080/a"),
            Some("example.com:8080")
        );
        assert_eq!(super::host("https://"), None);
    }

    #[test]
    fn c1_controls_are_escaped_and_the_json_stays_equal() {
        let value = serde_json::json!({"query": "a\u{9b}31mb\u{85}c 备案"});
        let mut out = Vec::new();
        super::write(&mut out, &value, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(|c| c.is_control()), "{text:?}");
        assert!(text.contains("\\u009b"));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
