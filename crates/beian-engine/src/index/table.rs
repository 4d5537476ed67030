//! Every term's BM25 contribution per entry, read out of the index once, for long-running modes.
//!
//! A lookup in the tantivy index walks the term dictionary and opens a postings list per term and zone;
//! at a few hundred terms per ticket that is most of a triage run's time. The knowledge base is small
//! (tens of entries, tens of thousands of terms), so for triage, the REPL and `eval` the whole index is
//! folded into one table: term → the entries it occurs in, with its zone-boosted BM25 per unit of query
//! weight and where it occurs. Scores are computed exactly as [`SearchIndex::lookup`] computes them.

use super::{IndexError, Lookup, Presence, SearchIndex, WeightedTerm};
use rustc_hash::FxHashMap;
use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, TERMINATED};

/// One entry a term occurs in.
#[derive(Debug, Clone, Copy)]
struct Hit {
    doc: u32,
    /// The term's BM25 over all zones, before the query weight.
    unit: f32,
    presence: Presence,
}

/// The index as a table, immutable once built, so one instance serves every thread.
pub struct TermTable {
    docs: usize,
    /// Term → its hits, as a range of `hits`.
    terms: FxHashMap<Box<str>, (u32, u32)>,
    hits: Vec<Hit>,
}

impl TermTable {
    /// Reads every term of every zone out of the index.
    pub fn build(index: &SearchIndex) -> Result<TermTable, IndexError> {
        let docs = index.len();
        // Per term, the unit score and presence of every entry, zone by zone in zone order (the same
        // order of additions as `SearchIndex::lookup`, so the sums are equal to the last bit).
        let mut dense: FxHashMap<Box<str>, Vec<(f32, Presence)>> = FxHashMap::default();
        for zone in &index.inverted {
            let mut stream = zone.inverted.terms().stream()?;
            while stream.advance() {
                let Ok(text) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let info = stream.value().clone();
                let slots = dense
                    .entry(text.into())
                    .or_insert_with(|| vec![(0.0, 0); docs]);
                let mut postings = zone
                    .inverted
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if let Some(slot) = slots.get_mut(doc as usize) {
                        let (unit, presence) = zone.score(&info, docs, doc, postings.term_freq());
                        slot.0 += unit;
                        slot.1 |= presence;
                    }
                    doc = postings.advance();
                }
            }
        }
        let mut terms = FxHashMap::default();
        terms.reserve(dense.len());
        let mut hits = Vec::new();
        for (text, slots) in dense {
            let start = hits.len() as u32;
            hits.extend(
                slots
                    .iter()
                    .enumerate()
                    .filter(|(_, &(_, presence))| presence != 0)
                    .map(|(doc, &(unit, presence))| Hit {
                        doc: doc as u32,
                        unit,
                        presence,
                    }),
            );
            terms.insert(text, (start, hits.len() as u32));
        }
        Ok(TermTable { docs, terms, hits })
    }

    /// The number of distinct terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// What [`SearchIndex::lookup`] returns for the same terms, without touching the index.
    pub fn lookup(&self, terms: &[WeightedTerm]) -> Lookup {
        let mut lookup = Lookup::new(self.docs, terms.len());
        for (t, term) in terms.iter().enumerate() {
            let Some(&(start, end)) = self.terms.get(term.text) else {
                continue;
            };
            for hit in &self.hits[start as usize..end as usize] {
                let doc = hit.doc as usize;
                lookup.bm25[doc] += term.weight * hit.unit;
                lookup.presence[t * self.docs + doc] = hit.presence;
            }
        }
        lookup
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer;

    /// The table must answer exactly as the index does: same scores to the last bit, same presence.
    #[test]
    fn lookups_equal_the_index_lookups() {
        let index = SearchIndex::build(&crate::testing::knowledge_base()).unwrap();
        let table = TermTable::build(&index).unwrap();
        assert!(table.len() > 1000, "{} terms", table.len());
        for text in [
            "域名所有人不正确 主体信息有误 icp filing rejected",
            "换了云服务商要不要新增接入，原来的备案号还能用吗",
            "管局短信核验超时 未验证 身份证过期",
            "no such words anywhere qqqq 𠀀𠀁",
        ] {
            let texts = analyzer::terms(text);
            let terms: Vec<WeightedTerm> = texts
                .iter()
                .enumerate()
                .map(|(i, text)| WeightedTerm {
                    text,
                    weight: [1.0, 0.6, 0.25, 0.1][i % 4],
                })
                .collect();
            assert_eq!(
                table.lookup(&terms),
                index.lookup(&terms).unwrap(),
                "{text}"
            );
        }
    }
}
