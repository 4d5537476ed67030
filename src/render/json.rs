//! The JSON shapes of kb-spec §3. Field names are a contract: never rename one.

use crate::advise::{Advice, Answer};
use crate::kb::Entry;
use serde::Serialize;

#[derive(Serialize)]
pub struct AdviceJson<'a> {
    pub query: &'a str,
    pub status: &'static str,
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
    pub summary: &'a str,
    pub causes: &'a [String],
    pub remediation: &'a [String],
    pub next_actions: &'a [String],
    pub related: &'a [String],
    pub sources: &'a [String],
}

impl<'a> AdviceJson<'a> {
    pub fn new(advice: &'a Advice<'a>) -> AdviceJson<'a> {
        AdviceJson {
            query: &advice.query,
            status: advice.status.as_str(),
            results: advice.results.iter().map(ResultJson::new).collect(),
        }
    }
}

impl<'a> ResultJson<'a> {
    pub fn new(answer: &'a Answer<'a>) -> ResultJson<'a> {
        let entry = answer.entry;
        ResultJson {
            id: &entry.id,
            kind: entry.kind.as_str(),
            title: &entry.title,
            title_en: &entry.title_en,
            score: answer.score,
            confidence: answer.confidence,
            segment: &answer.segment,
            matched: &answer.matched,
            summary: &entry.summary,
            causes: &entry.causes,
            remediation: &entry.remediation,
            next_actions: &entry.next_actions,
            related: &entry.related,
            sources: &entry.sources,
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
    pub summary: &'a str,
    pub causes: &'a [String],
    pub remediation: &'a [String],
    pub next_actions: &'a [String],
    pub symptoms: &'a [String],
    pub related: &'a [String],
    pub sources: &'a [String],
    pub reviewed: Option<&'a str>,
}

impl<'a> EntryJson<'a> {
    pub fn new(entry: &'a Entry) -> EntryJson<'a> {
        EntryJson {
            id: &entry.id,
            kind: entry.kind.as_str(),
            title: &entry.title,
            title_en: &entry.title_en,
            aliases: &entry.aliases,
            summary: &entry.summary,
            causes: &entry.causes,
            remediation: &entry.remediation,
            next_actions: &entry.next_actions,
            symptoms: &entry.symptoms,
            related: &entry.related,
            sources: &entry.sources,
            reviewed: entry.reviewed.as_deref(),
        }
    }
}
