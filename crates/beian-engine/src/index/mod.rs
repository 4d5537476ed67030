//! The tantivy index over the knowledge base: schema, build, and a weighted-term search.
//! User text never reaches `QueryParser`; queries are built from analyzed terms.

pub mod table;

use crate::analyzer::{analyzer, is_cjk, ANALYZER};
use crate::kb::KnowledgeBase;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use table::{FrozenTable, TermTable};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::RamDirectory;
use tantivy::directory::{
    DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::InvertedIndexReader;
use tantivy::postings::Postings;
use tantivy::postings::TermInfo;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::TokenizerManager;
use tantivy::Directory as _;
use tantivy::{DocId, DocSet, Index, Searcher, TantivyDocument, Term, TERMINATED};

/// The text fields an entry is indexed under, with how much a match in each counts.
///
/// The English body has zones of its own, parallel to the Chinese body's with the same boosts, so
/// that English questions reach entries through its words while Chinese questions score as they did
/// (a zone's length normalisation and term statistics are its own). They hold the English text's
/// Latin-script words only: its bracketed Chinese terms and quoted originals repeat the Chinese body,
/// and indexing them twice would weigh Chinese words twice.
///
/// A match in an English zone adds to the index score only, not to the coverage features (see
/// [`Zone::presence`]): English prose repeats the topic's general words (filing, website, domain,
/// provider) in nearly every entry, so every entry would seem to cover an English question, while
/// BM25's term weights discount such words. Counted as coverage, the English body made the English
/// questions of the held-out set worse (top-1 11/13 → 8/13); counted in the score alone, they hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Title,
    TitleEn,
    Aliases,
    Symptoms,
    Summary,
    Body,
    SymptomsEn,
    SummaryEn,
    BodyEn,
}

impl Zone {
    pub const ALL: [Zone; 9] = [
        Zone::Title,
        Zone::TitleEn,
        Zone::Aliases,
        Zone::Symptoms,
        Zone::Summary,
        Zone::Body,
        Zone::SymptomsEn,
        Zone::SummaryEn,
        Zone::BodyEn,
    ];

    /// Whether a match here means the entry is named by the term (title, aliases, symptoms, patterns).
    pub fn names(self) -> bool {
        matches!(
            self,
            Zone::Title | Zone::TitleEn | Zone::Aliases | Zone::Symptoms
        )
    }

    /// Whether the zone holds the English body.
    pub fn is_english_body(self) -> bool {
        matches!(self, Zone::SymptomsEn | Zone::SummaryEn | Zone::BodyEn)
    }

    /// What a match in this zone says about where the term occurs.
    fn presence(self) -> Presence {
        if self.is_english_body() {
            ENGLISH_BODY
        } else if self.names() {
            NAMED | ANYWHERE
        } else {
            ANYWHERE
        }
    }

    fn name(self) -> &'static str {
        match self {
            Zone::Title => "title",
            Zone::TitleEn => "title_en",
            Zone::Aliases => "aliases",
            Zone::Symptoms => "symptoms",
            Zone::Summary => "summary",
            Zone::Body => "body",
            Zone::SymptomsEn => "symptoms_en",
            Zone::SummaryEn => "summary_en",
            Zone::BodyEn => "body_en",
        }
    }

    /// Field boosts: the words an entry is named by weigh more than the words it explains with. An
    /// English zone weighs what its Chinese counterpart does.
    fn boost(self) -> f32 {
        match self {
            Zone::Title => 3.0,
            Zone::TitleEn => 2.0,
            Zone::Aliases => 2.5,
            Zone::Symptoms | Zone::SymptomsEn => 1.5,
            Zone::Summary | Zone::SummaryEn => 1.0,
            Zone::Body | Zone::BodyEn => 0.4,
        }
    }
}

/// The Latin-script words of an English text: CJK characters become spaces (see [`Zone`]).
fn latin_only(text: &str) -> String {
    text.chars()
        .map(|c| if is_cjk(c) { ' ' } else { c })
        .collect()
}

/// Where a ranking reads each term's scores per entry.
#[derive(Clone, Copy)]
pub enum TermSource<'a> {
    /// The index as a table (for many queries): its terms are numbered, so a ranking looks each
    /// term up once and works with numbers from then on.
    Table(&'a TermTable),
    /// The built-in table, read in place.
    Frozen(&'a FrozenTable),
    /// The tantivy index.
    Index(&'a SearchIndex),
}

impl TermSource<'_> {
    /// What [`SearchIndex::lookup`] returns for the terms, from whichever source.
    pub fn lookup(self, terms: &[WeightedTerm]) -> Result<Lookup, IndexError> {
        match self {
            TermSource::Table(table) => Ok(table.lookup(terms)),
            TermSource::Frozen(frozen) => Ok(frozen.lookup(terms)),
            TermSource::Index(index) => index.lookup(terms),
        }
    }
}

/// A query term with its weight (bigrams weigh more than single characters).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedTerm<'a> {
    pub text: &'a str,
    pub weight: f32,
}

#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct IndexError(#[from] tantivy::TantivyError);

impl From<std::io::Error> for IndexError {
    fn from(err: std::io::Error) -> Self {
        IndexError(err.into())
    }
}

/// Where a term occurs in one entry: bit [`NAMED`] in its names, bit [`ANYWHERE`] anywhere in its
/// Chinese text and names, bit [`ENGLISH_BODY`] in its English body (which adds to the score but
/// counts for neither coverage; see [`Zone`]). Any bit set: the term matched the entry.
pub type Presence = u8;
pub const NAMED: Presence = 1;
pub const ANYWHERE: Presence = 2;
pub const ENGLISH_BODY: Presence = 4;

/// The index, opened for searching. Immutable once built, so one instance serves every thread.
pub struct SearchIndex {
    searcher: Searcher,
    id: Field,
    /// What scoring reads of each zone (the index has exactly one segment).
    inverted: Vec<ZoneReader>,
}

struct ZoneReader {
    zone: Zone,
    field: Field,
    inverted: Arc<InvertedIndexReader>,
    fieldnorms: FieldNormReader,
    /// BM25's length normalisation per fieldnorm id, computed once instead of once per term.
    tf_norms: [f32; 256],
}

impl ZoneReader {
    /// A term's zone-boosted BM25 in one document, before the query weight, and where it occurs.
    fn score(&self, info: &TermInfo, docs: usize, doc: DocId, term_freq: u32) -> (f32, Presence) {
        let idf = bm25_idf(u64::from(info.doc_freq), docs as u64);
        let tf = term_freq as f32;
        let norm = self.tf_norms[usize::from(self.fieldnorms.fieldnorm_id(doc))];
        let presence = self.zone.presence();
        (
            idf * (1.0 + BM25_K1) * self.zone.boost() * (tf / (tf + norm)),
            presence,
        )
    }
}

// tantivy's BM25 (query/bm25.rs), applied directly to postings; a test checks the scores are equal.
const BM25_K1: f32 = 1.2;
const BM25_B: f32 = 0.75;

fn bm25_idf(doc_freq: u64, docs: u64) -> f32 {
    let x = (docs.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

fn tf_norms(average_fieldnorm: f32) -> [f32; 256] {
    let mut norms = [0.0; 256];
    for (id, norm) in norms.iter_mut().enumerate() {
        let fieldnorm = FieldNormReader::id_to_fieldnorm(id as u8) as f32;
        *norm = BM25_K1 * (1.0 - BM25_B + BM25_B * fieldnorm / average_fieldnorm);
    }
    norms
}

/// A read-only directory over index files held in memory: embedded in the binary (read where they are;
/// a `RamDirectory` would first copy half a megabyte, at a cost a one-shot `ask` notices) or read from
/// the cache.
#[derive(Clone)]
struct FrozenDirectory {
    files: Arc<Vec<(String, OwnedBytes)>>,
}

impl std::fmt::Debug for FrozenDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FrozenDirectory({} files)", self.files.len())
    }
}

impl FrozenDirectory {
    fn file(&self, path: &Path) -> Option<&OwnedBytes> {
        let name = path.to_str()?;
        self.files
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, bytes)| bytes)
    }

    fn read_only(path: &Path) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("{}: a frozen index is read-only", path.display()),
        )
    }
}

impl tantivy::Directory for FrozenDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let bytes = self
            .file(path)
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))?;
        Ok(Arc::new(bytes.clone()))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(FrozenDirectory::read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        Ok(self.file(path).is_some())
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(FrozenDirectory::read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.file(path)
            .map(|bytes| bytes.as_slice().to_vec())
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> std::io::Result<()> {
        Err(FrozenDirectory::read_only(path))
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }

    /// Nothing can change the files, so readers need no lock (tantivy takes one to read `meta.json`).
    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// What [`SearchIndex::lookup`] finds: a BM25 score per entry, and per term where it occurs.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    pub bm25: Vec<f32>,
    docs: usize,
    /// Term by term, in the order looked up, one [`Presence`] per entry.
    presence: Vec<Presence>,
}

impl Lookup {
    fn new(docs: usize, terms: usize) -> Lookup {
        Lookup {
            bm25: vec![0.0; docs],
            docs,
            presence: vec![0; docs * terms],
        }
    }

    /// Where the `term`-th term looked up occurs in entry `doc`.
    pub fn presence(&self, term: usize, doc: usize) -> Presence {
        self.presence[term * self.docs + doc]
    }
}

fn schema() -> (Schema, Field, Vec<(Zone, Field)>) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        // Scoring needs term frequencies; nothing searches phrases, so positions are not stored.
        .set_index_option(IndexRecordOption::WithFreqs);
    let options = TextOptions::default().set_indexing_options(indexing);
    let zones = Zone::ALL
        .iter()
        .map(|&zone| (zone, builder.add_text_field(zone.name(), options.clone())))
        .collect();
    (builder.build(), id, zones)
}

/// The literal runs of a regular expression, joined by spaces (what a notice pattern names).
pub fn pattern_literals(pattern: &str) -> String {
    pattern
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect()
}

/// Builds the index in memory. Documents are added in knowledge-base order, so a doc id is an entry's position.
pub fn build_index(kb: &KnowledgeBase) -> Result<Index, IndexError> {
    let (schema, id, zones) = schema();
    let tokenizers = TokenizerManager::default();
    tokenizers.register(ANALYZER, analyzer());
    // One segment, documents in insertion order, no threads: the knowledge base is small.
    let mut writer = Index::builder()
        .schema(schema)
        .tokenizers(tokenizers)
        .single_segment_index_writer(RamDirectory::create(), 15_000_000)?;
    for entry in kb.entries() {
        let mut doc = TantivyDocument::default();
        doc.add_text(id, &entry.id);
        for &(zone, field) in &zones {
            match zone {
                Zone::Title => doc.add_text(field, &entry.title),
                Zone::TitleEn => doc.add_text(field, &entry.title_en),
                Zone::Aliases => {
                    for alias in &entry.aliases {
                        doc.add_text(field, alias);
                    }
                }
                Zone::Symptoms => {
                    for symptom in &entry.body().symptoms {
                        doc.add_text(field, symptom);
                    }
                    for pattern in &entry.patterns {
                        doc.add_text(field, pattern_literals(pattern));
                    }
                }
                Zone::Summary => doc.add_text(field, &entry.body().summary),
                Zone::Body => doc.add_text(field, entry.body().text()),
                Zone::SymptomsEn | Zone::SummaryEn | Zone::BodyEn => {
                    let Some(english) = entry.english() else {
                        continue;
                    };
                    match zone {
                        Zone::SymptomsEn => {
                            for symptom in &english.symptoms {
                                doc.add_text(field, latin_only(symptom));
                            }
                        }
                        Zone::SummaryEn => doc.add_text(field, latin_only(&english.summary)),
                        _ => doc.add_text(field, latin_only(&english.text())),
                    }
                }
            }
        }
        writer.add_document(doc)?;
    }
    Ok(writer.finalize()?)
}

/// The files of a built index (what a reader needs: `meta.json` and the segment's files), by name.
pub fn index_files(index: &Index) -> Result<Vec<(String, Vec<u8>)>, IndexError> {
    let directory = index.directory();
    let mut names: Vec<PathBuf> = directory.list_managed_files().into_iter().collect();
    names.push(PathBuf::from("meta.json"));
    names.sort();
    names.dedup();
    let mut files = Vec::with_capacity(names.len());
    for name in names {
        let Some(text) = name.to_str() else {
            continue;
        };
        // Lock files are how writers coordinate; a reader has no use for them.
        if text.ends_with(".lock") || !directory.exists(&name).unwrap_or(false) {
            continue;
        }
        let bytes = directory
            .atomic_read(&name)
            .map_err(|err| IndexError(err.into()))?;
        files.push((text.to_string(), bytes));
    }
    Ok(files)
}

impl SearchIndex {
    /// Builds the index for a knowledge base in memory (for `--kb`; the built-in one is prebuilt).
    pub fn build(kb: &KnowledgeBase) -> Result<SearchIndex, IndexError> {
        SearchIndex::open(build_index(kb)?)
    }

    /// Opens an index from its files, as `build.rs` embeds them: read in place, never copied.
    pub fn from_files(
        files: &'static [(&'static str, &'static [u8])],
    ) -> Result<SearchIndex, IndexError> {
        let files = files
            .iter()
            .map(|&(name, bytes)| (name.to_string(), OwnedBytes::new(bytes)))
            .collect();
        SearchIndex::from_frozen(files)
    }

    /// Opens an index from the files [`index_files`] returned.
    pub fn from_owned_files(files: Vec<(String, Vec<u8>)>) -> Result<SearchIndex, IndexError> {
        let files = files
            .into_iter()
            .map(|(name, bytes)| (name, OwnedBytes::new(bytes)))
            .collect();
        SearchIndex::from_frozen(files)
    }

    fn from_frozen(files: Vec<(String, OwnedBytes)>) -> Result<SearchIndex, IndexError> {
        let directory = FrozenDirectory {
            files: Arc::new(files),
        };
        SearchIndex::open(Index::open(directory)?)
    }

    /// Opens a built index; the analyzer is registered again, since tantivy does not store it.
    pub fn open(index: Index) -> Result<SearchIndex, IndexError> {
        index.tokenizers().register(ANALYZER, analyzer());
        let (_, id, zones) = schema();
        let searcher = index.reader()?.searcher();
        let segments = searcher.segment_readers();
        if segments.len() > 1 {
            return Err(IndexError(tantivy::TantivyError::InvalidArgument(
                "the index must have one segment".into(),
            )));
        }
        let mut inverted = Vec::new();
        if let Some(segment) = segments.first() {
            let docs = segment.num_docs().max(1) as f32;
            for &(zone, field) in &zones {
                let reader = segment.inverted_index(field)?;
                inverted.push(ZoneReader {
                    zone,
                    field,
                    tf_norms: tf_norms(reader.total_num_tokens() as f32 / docs),
                    inverted: reader,
                    fieldnorms: segment.get_fieldnorms_reader(field)?,
                });
            }
        }
        Ok(SearchIndex {
            searcher,
            id,
            inverted,
        })
    }

    /// The number of entries indexed.
    pub fn len(&self) -> usize {
        self.searcher.num_docs() as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Scores every entry against the weighted terms with tantivy's BM25 (per zone, times the zone's
    /// boost and the term's weight), reading each term's postings once; the same pass records where
    /// each term occurs. Much cheaper than a `BooleanQuery` of terms × zones clauses, with equal scores.
    pub fn lookup(&self, terms: &[WeightedTerm]) -> Result<Lookup, IndexError> {
        let docs = self.len();
        let mut lookup = Lookup::new(docs, terms.len());
        // The term's score per entry over all zones, before its weight (as `TermTable` stores it).
        let mut units = vec![0.0f32; docs];
        for (t, term) in terms.iter().enumerate() {
            units.fill(0.0);
            let presence = &mut lookup.presence[t * docs..(t + 1) * docs];
            for zone in &self.inverted {
                let key = Term::from_field_text(zone.field, term.text);
                let Some(info) = zone.inverted.get_term_info(&key)? else {
                    continue;
                };
                let mut postings = zone
                    .inverted
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    let d = doc as usize;
                    if d < docs {
                        let (unit, bits) = zone.score(&info, docs, doc, postings.term_freq());
                        units[d] += unit;
                        presence[d] |= bits;
                    }
                    doc = postings.advance();
                }
            }
            for (d, unit) in units.iter().enumerate() {
                if presence[d] != 0 {
                    lookup.bm25[d] += term.weight * unit;
                }
            }
        }
        Ok(lookup)
    }

    /// The ids in document order, to check that doc ids still line up with the knowledge base.
    pub fn ids(&self) -> Result<Vec<String>, IndexError> {
        let mut ids = Vec::new();
        for segment in self.searcher.segment_readers() {
            let store = segment
                .get_store_reader(1)
                .map_err(tantivy::TantivyError::from)?;
            for doc in 0..segment.max_doc() {
                let doc: TantivyDocument = store.get(doc)?;
                if let Some(id) = doc.get_first(self.id).and_then(|v| v.as_str()) {
                    ids.push(id.to_string());
                }
            }
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};

    /// The postings scorer must give tantivy's own scores: compare with a BooleanQuery of the same
    /// terms, zones and boosts.
    #[test]
    fn lookup_scores_equal_tantivys_boolean_query() {
        let kb = crate::testing::knowledge_base();
        let index = build_index(&kb).unwrap();
        let search = SearchIndex::open(index.clone()).unwrap();
        let texts = crate::analyzer::terms("域名所有人不正确 主体信息有误 icp filing rejected");
        let terms: Vec<WeightedTerm> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| WeightedTerm {
                text,
                weight: if i % 2 == 0 { 1.0 } else { 0.4 },
            })
            .collect();
        let ours = search.lookup(&terms).unwrap().bm25;

        let (_, _, zones) = schema();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for term in &terms {
            for &(zone, field) in &zones {
                let query = TermQuery::new(
                    Term::from_field_text(field, term.text),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), zone.boost() * term.weight)),
                ));
            }
        }
        let searcher = index.reader().unwrap().searcher();
        let top = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(100).order_by_score(),
            )
            .unwrap();
        assert!(!top.is_empty());
        for (score, address) in top {
            let mine = ours[address.doc_id as usize];
            assert!(
                (mine - score).abs() <= 1e-3 * score.max(1.0),
                "doc {}: {mine} vs {score}",
                address.doc_id
            );
        }
    }

    /// Two entries as a `--kb` directory holds them (whole, so they load): `faq/a` with an English
    /// body, `faq/b` Chinese only.
    fn bilingual_kb() -> KnowledgeBase {
        let entry = |id: &str, english: &str| {
            format!("+++\nid = \"{id}\"\ntitle = \"测试{id}\"\nsources = [\"https://example.com\"]\n+++\n中文回答。\n\n## 原因\n- 中文原因。\n\n## 解决步骤\n1. 第一步。\n\n## 下一步\n- 等待。\n{english}")
        };
        let a = entry(
            "faq/a",
            "\n# English\n\nThe unicorn answer.\n\n## Causes\n- A cause with a unicorn (麒麟).\n\n## Remediation\n1. First step.\n\n## Next actions\n- Wait.\n",
        );
        let b = entry("faq/b", "");
        let files = crate::kb::Files::embedded(&[
            ("knowledge/faq/a.md", a.as_str()),
            ("knowledge/faq/b.md", b.as_str()),
        ]);
        KnowledgeBase::from_layers(None, Some(&files)).unwrap()
    }

    #[test]
    fn english_words_reach_an_entry_through_its_english_body_only_as_score() {
        let kb = bilingual_kb();
        let search = SearchIndex::build(&kb).unwrap();
        let lookup = search
            .lookup(&[WeightedTerm {
                text: "unicorn",
                weight: 1.0,
            }])
            .unwrap();
        let (a, b) = (kb.position("faq/a").unwrap(), kb.position("faq/b").unwrap());
        assert!(
            lookup.bm25[a] > 0.0 && lookup.bm25[b] == 0.0,
            "{:?}",
            lookup.bm25
        );
        assert_eq!(lookup.presence(0, a), ENGLISH_BODY, "score, not coverage");
    }

    #[test]
    fn chinese_in_the_english_body_is_not_indexed_twice() {
        let kb = bilingual_kb();
        let search = SearchIndex::build(&kb).unwrap();
        let lookup = search
            .lookup(&[WeightedTerm {
                text: "麒麟",
                weight: 1.0,
            }])
            .unwrap();
        assert!(
            lookup.bm25.iter().all(|&score| score == 0.0),
            "{:?}",
            lookup.bm25
        );
    }

    #[test]
    fn presence_marks_names_and_body() {
        let kb = crate::testing::knowledge_base();
        let search = SearchIndex::open(build_index(&kb).unwrap()).unwrap();
        let position = kb.position("scenario/new-access").unwrap();
        let lookup = search
            .lookup(&[WeightedTerm {
                text: "接入",
                weight: 1.0,
            }])
            .unwrap();
        assert_eq!(lookup.presence(0, position), NAMED | ANYWHERE);
    }
}
