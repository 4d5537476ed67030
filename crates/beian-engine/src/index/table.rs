//! Every term's BM25 contribution per entry, read out of the index once, for long-running modes.
//!
//! A lookup in the tantivy index walks the term dictionary and opens a postings list per term and zone;
//! at a few hundred terms per ticket that is most of a triage run's time. The knowledge base is small
//! (tens of entries, tens of thousands of terms), so for triage, the REPL and `eval` the whole index is
//! folded into one table: term → the entries it occurs in, with its zone-boosted BM25 per unit of query
//! weight and where it occurs. Scores are computed exactly as [`SearchIndex::lookup`] computes them.
//! The built-in index's table is made at build time and read in place ([`FrozenTable`]).

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

/// A term's number in a [`TermTable`]: numbers follow the order of the terms' bytes, so sorting
/// terms by number sorts them as their texts sort.
pub type TermId = u32;

/// The index as a table, immutable once built, so one instance serves every thread.
pub struct TermTable {
    docs: usize,
    /// Term → its number.
    ids: FxHashMap<Box<str>, TermId>,
    /// Per term number, its hits as a range of `hits`.
    ranges: Vec<(u32, u32)>,
    hits: Vec<Hit>,
    /// Per term number, its row of `dense_units` and `dense_presence`, if it has one (see
    /// [`TermTable::add`]); `NOT_DENSE` if not.
    dense_rows: Vec<u32>,
    /// `docs` values a row: a term's unit score and presence in every entry, 0 where it does not occur.
    dense_units: Vec<f32>,
    dense_presence: Vec<Presence>,
}

const NOT_DENSE: u32 = u32::MAX;

/// A dense term's score unit and presence in each document, while the table is built.
type DenseSlots = Vec<(f32, Presence)>;

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
        let mut dense: Vec<(Box<str>, DenseSlots)> = dense.into_iter().collect();
        dense.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut table = TermTable::with_capacity(docs, dense.len(), 0);
        for (text, slots) in dense {
            let hits = slots
                .iter()
                .enumerate()
                .filter(|(_, &(_, presence))| presence != 0)
                .map(|(doc, &(unit, presence))| Hit {
                    doc: doc as u32,
                    unit,
                    presence,
                });
            table.push(text, hits);
        }
        Ok(table)
    }

    fn with_capacity(docs: usize, terms: usize, hits: usize) -> TermTable {
        let mut ids = FxHashMap::default();
        ids.reserve(terms);
        TermTable {
            docs,
            ids,
            ranges: Vec::with_capacity(terms),
            hits: Vec::with_capacity(hits),
            dense_rows: Vec::with_capacity(terms),
            dense_units: Vec::new(),
            dense_presence: Vec::new(),
        }
    }

    /// Adds the next term, which must sort after every term added before.
    fn push(&mut self, text: Box<str>, hits: impl Iterator<Item = Hit>) {
        let start = self.hits.len() as u32;
        self.hits.extend(hits);
        let id = self.ranges.len() as TermId;
        self.ranges.push((start, self.hits.len() as u32));
        self.ids.insert(text, id);
        // A term in a quarter of the entries or more (a few hundred of them, most of a query's hits)
        // also gets a dense row: about 5 bytes an entry.
        let hits = &self.hits[start as usize..];
        if !hits.is_empty() && hits.len() * 4 >= self.docs {
            self.dense_rows
                .push((self.dense_units.len() / self.docs) as u32);
            let at = self.dense_units.len();
            self.dense_units.resize(at + self.docs, 0.0);
            self.dense_presence.resize(at + self.docs, 0);
            for hit in hits {
                self.dense_units[at + hit.doc as usize] = hit.unit;
                self.dense_presence[at + hit.doc as usize] = hit.presence;
            }
        } else {
            self.dense_rows.push(NOT_DENSE);
        }
    }

    /// The number of distinct terms.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The term's number, if the table holds it.
    pub fn id(&self, text: &str) -> Option<TermId> {
        self.ids.get(text).copied()
    }

    fn hits(&self, id: TermId) -> &[Hit] {
        let (start, end) = self.ranges[id as usize];
        &self.hits[start as usize..end as usize]
    }

    /// The table as bytes for [`FrozenTable`]: the terms sorted, each with its hits.
    pub fn freeze(&self) -> Vec<u8> {
        let mut terms: Vec<(&str, TermId)> =
            self.ids.iter().map(|(text, &id)| (&**text, id)).collect();
        terms.sort_unstable_by_key(|&(_, id)| id);
        let terms: Vec<(&str, (u32, u32))> = terms
            .into_iter()
            .map(|(text, id)| (text, self.ranges[id as usize]))
            .collect();
        let mut out = Vec::new();
        let word = |out: &mut Vec<u8>, value: usize| {
            out.extend_from_slice(&u32::try_from(value).expect("fits in u32").to_le_bytes())
        };
        word(&mut out, self.docs);
        word(&mut out, terms.len());
        let (mut key_end, mut hit_end) = (0, 0);
        for (text, _) in &terms {
            key_end += text.len();
            word(&mut out, key_end);
        }
        for (_, (start, end)) in &terms {
            hit_end += (end - start) as usize;
            word(&mut out, hit_end);
        }
        for (text, _) in &terms {
            out.extend_from_slice(text.as_bytes());
        }
        for (_, (start, end)) in &terms {
            for hit in &self.hits[*start as usize..*end as usize] {
                word(&mut out, hit.doc as usize);
                out.extend_from_slice(&hit.unit.to_bits().to_le_bytes());
                out.push(hit.presence);
            }
        }
        out
    }

    /// The table of a frozen one, for hashing its terms rather than searching them: worth it for many queries.
    pub fn thaw(frozen: &FrozenTable) -> TermTable {
        let mut table = TermTable::with_capacity(frozen.docs, frozen.terms, frozen.hit_count());
        // The frozen terms are sorted already, so their numbers stay the same.
        for term in 0..frozen.terms {
            let text = std::str::from_utf8(frozen.key(term)).unwrap_or_default();
            table.push(text.into(), frozen.hits(term));
        }
        table
    }

    /// What [`SearchIndex::lookup`] returns for the same terms, without touching the index.
    pub fn lookup(&self, terms: &[WeightedTerm]) -> Lookup {
        let mut lookup = Lookup::new(self.docs, terms.len());
        for (t, term) in terms.iter().enumerate() {
            if let Some(id) = self.id(term.text) {
                self.add(&mut lookup, t, id, term.weight);
            }
        }
        lookup
    }

    /// The lookup of terms given by number, with their weights: row `t` of the lookup is the `t`-th
    /// term's. Scores are what [`TermTable::lookup`] gives for the same terms in the same order.
    pub fn lookup_ids(&self, terms: &[(TermId, f32)]) -> Lookup {
        let mut lookup = Lookup::new(self.docs, terms.len());
        for (t, &(id, weight)) in terms.iter().enumerate() {
            self.add(&mut lookup, t, id, weight);
        }
        lookup
    }

    /// Adds term `id`, with its weight, to the lookup as its row `t`.
    fn add(&self, lookup: &mut Lookup, t: usize, id: TermId, weight: f32) {
        let docs = self.docs;
        let presence = &mut lookup.presence[t * docs..(t + 1) * docs];
        match self.dense_rows[id as usize] {
            NOT_DENSE => {
                for hit in self.hits(id) {
                    let doc = hit.doc as usize;
                    lookup.bm25[doc] += weight * hit.unit;
                    presence[doc] = hit.presence;
                }
            }
            // One pass over every entry, which vectorizes: where the term does not occur it adds
            // weight × 0.0 = +0.0, which leaves a score as it is (scores start at +0.0 and only
            // grow, so none is -0.0), so the sums are the sparse ones to the last bit.
            row => {
                let row = row as usize * docs..(row as usize + 1) * docs;
                for (score, unit) in lookup.bm25.iter_mut().zip(&self.dense_units[row.clone()]) {
                    *score += weight * unit;
                }
                presence.copy_from_slice(&self.dense_presence[row]);
            }
        }
    }
}

/// A [`TermTable`] as [`TermTable::freeze`] wrote it, read in place: the binary's build script
/// freezes the built-in index's table, so a process neither opens the index nor builds a table.
/// Terms are found by binary search. Layout, little-endian `u32` words: docs, terms, each term's key
/// end, each term's hit end, then the keys, then 9 bytes a hit (doc, unit as f32 bits, presence).
#[derive(Debug, Clone, Copy)]
pub struct FrozenTable {
    bytes: &'static [u8],
    docs: usize,
    terms: usize,
    keys: usize,
    hits: usize,
}

const HIT_BYTES: usize = 9;

impl FrozenTable {
    /// `None` when the bytes are not a frozen table.
    pub fn new(bytes: &'static [u8]) -> Option<FrozenTable> {
        let word = |at: usize| -> Option<usize> {
            Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize)
        };
        let (docs, terms) = (word(0)?, word(4)?);
        let keys = 8 + 8 * terms;
        let key_bytes = if terms == 0 {
            0
        } else {
            word(8 + 4 * (terms - 1))?
        };
        let hit_count = if terms == 0 { 0 } else { word(keys - 4)? };
        let table = FrozenTable {
            bytes,
            docs,
            terms,
            keys,
            hits: keys + key_bytes,
        };
        (bytes.len() == table.hits + hit_count * HIT_BYTES).then_some(table)
    }

    /// The number of entries the table scores.
    pub fn docs(&self) -> usize {
        self.docs
    }

    fn word(&self, at: usize) -> usize {
        u32::from_le_bytes(self.bytes[at..at + 4].try_into().expect("four bytes")) as usize
    }

    /// The end of term `term`'s entry in the `ends`-th array of ends (0: keys, 1: hits).
    fn end(&self, ends: usize, term: usize) -> usize {
        self.word(8 + 4 * (ends * self.terms + term))
    }

    fn start(&self, ends: usize, term: usize) -> usize {
        if term == 0 {
            0
        } else {
            self.end(ends, term - 1)
        }
    }

    fn key(&self, term: usize) -> &'static [u8] {
        let bytes: &'static [u8] = self.bytes;
        &bytes[self.keys + self.start(0, term)..self.keys + self.end(0, term)]
    }

    fn hit_count(&self) -> usize {
        (self.bytes.len() - self.hits) / HIT_BYTES
    }

    fn hits(&self, term: usize) -> impl Iterator<Item = Hit> + '_ {
        (self.start(1, term)..self.end(1, term)).map(move |hit| {
            let at = self.hits + hit * HIT_BYTES;
            Hit {
                doc: self.word(at) as u32,
                unit: f32::from_bits(self.word(at + 4) as u32),
                presence: self.bytes[at + 8],
            }
        })
    }

    fn find(&self, text: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.terms);
        while low < high {
            let middle = (low + high) / 2;
            match self.key(middle).cmp(text.as_bytes()) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle),
            }
        }
        None
    }

    /// What [`TermTable::lookup`] returns for the same terms.
    pub fn lookup(&self, terms: &[WeightedTerm]) -> Lookup {
        let mut lookup = Lookup::new(self.docs, terms.len());
        for (t, term) in terms.iter().enumerate() {
            let Some(found) = self.find(term.text) else {
                continue;
            };
            for hit in self.hits(found) {
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
        let frozen = FrozenTable::new(Box::leak(table.freeze().into_boxed_slice())).unwrap();
        let thawed = TermTable::thaw(&frozen);
        assert_eq!((frozen.terms, thawed.len()), (table.len(), table.len()));
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
            assert_eq!(frozen.lookup(&terms), table.lookup(&terms), "{text}");
            assert_eq!(thawed.lookup(&terms), table.lookup(&terms), "{text}");
            // By number, the terms the table holds give the same scores and presence.
            let held: Vec<&WeightedTerm> = terms
                .iter()
                .filter(|t| table.id(t.text).is_some())
                .collect();
            let numbered: Vec<(TermId, f32)> = held
                .iter()
                .map(|t| (thawed.id(t.text).unwrap(), t.weight))
                .collect();
            let by_text: Vec<WeightedTerm> = held.into_iter().cloned().collect();
            assert_eq!(
                table.lookup_ids(&numbered),
                table.lookup(&by_text),
                "{text}"
            );
        }
    }

    /// A ranking sorts terms by number where it would sort them by text.
    #[test]
    fn terms_are_numbered_in_the_order_of_their_bytes() {
        let index = SearchIndex::build(&crate::testing::knowledge_base()).unwrap();
        let table = TermTable::build(&index).unwrap();
        let frozen = FrozenTable::new(Box::leak(table.freeze().into_boxed_slice())).unwrap();
        let thawed = TermTable::thaw(&frozen);
        for table in [&table, &thawed] {
            let mut terms: Vec<(&str, TermId)> =
                table.ids.iter().map(|(text, &id)| (&**text, id)).collect();
            terms.sort_unstable_by_key(|&(_, id)| id);
            let ids: Vec<TermId> = terms.iter().map(|&(_, id)| id).collect();
            assert_eq!(ids, (0..table.len() as TermId).collect::<Vec<_>>());
            assert!(terms.windows(2).all(|pair| pair[0].0 < pair[1].0));
        }
        for term in 0..frozen.terms {
            let text = std::str::from_utf8(frozen.key(term)).unwrap();
            assert_eq!(table.id(text), Some(term as TermId));
        }
    }
}
