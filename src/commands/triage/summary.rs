//! Counts over a triage run, written by `--summary PATH` as one JSON object.

use beian_engine::advise::{Advice, Status, MATCH_THRESHOLD};
use serde::Serialize;
use std::collections::BTreeMap;

/// How often an entry answered.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EntryCount {
    /// Tickets whose best answer is this entry (with status `match`): where they would be routed.
    pub top: u64,
    /// Tickets where this entry is the confident answer to one of its parts (a notice that lists
    /// several reasons counts for each of them).
    pub matched: u64,
}

/// The counts of a run; the entry ids borrow from the advisor's knowledge base.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Summary<'a> {
    /// Input lines, every one of which has a record in the output.
    pub tickets: u64,
    #[serde(rename = "match")]
    pub matched: u64,
    pub no_match: u64,
    pub error: u64,
    /// Answered tickets whose text was cut at the advisor's limit.
    pub truncated: u64,
    /// Per entry id, only entries that answered at least once.
    pub entries: BTreeMap<&'a str, EntryCount>,
}

impl<'a> Summary<'a> {
    pub fn count(&mut self, advice: &Advice<'a>) {
        self.tickets += 1;
        self.truncated += u64::from(advice.truncated);
        match advice.status {
            Status::Match => self.matched += 1,
            Status::NoMatch => self.no_match += 1,
        }
        if advice.status == Status::Match {
            if let Some(best) = advice.results.first() {
                self.entries.entry(&best.entry.id).or_default().top += 1;
            }
        }
        // Results come best first, so the first one for each part of the text is that part's answer.
        let mut parts: Vec<&str> = Vec::new();
        let mut counted: Vec<&str> = Vec::new();
        for answer in &advice.results {
            if parts.contains(&answer.segment.as_str()) {
                continue;
            }
            parts.push(&answer.segment);
            if answer.confidence >= MATCH_THRESHOLD && !counted.contains(&answer.entry.id.as_str())
            {
                counted.push(&answer.entry.id);
                self.entries.entry(&answer.entry.id).or_default().matched += 1;
            }
        }
    }

    pub fn count_error(&mut self) {
        self.tickets += 1;
        self.error += 1;
    }

    pub fn merge(&mut self, other: Summary<'a>) {
        self.tickets += other.tickets;
        self.matched += other.matched;
        self.no_match += other.no_match;
        self.error += other.error;
        self.truncated += other.truncated;
        for (id, count) in other.entries {
            let slot = self.entries.entry(id).or_default();
            slot.top += count.top;
            slot.matched += count.matched;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_adds_every_count() {
        let mut total = Summary::default();
        let mut part = Summary::default();
        part.count_error();
        part.count_error();
        part.entries
            .insert("faq/some-entry", EntryCount { top: 2, matched: 3 });
        total.merge(part.clone());
        total.merge(part);
        assert_eq!((total.tickets, total.error, total.no_match), (4, 4, 0));
        assert_eq!(
            total.entries["faq/some-entry"],
            EntryCount { top: 4, matched: 6 }
        );
    }
}
