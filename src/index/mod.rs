//! The tantivy index over the knowledge base: schema, build, and a weighted-term search.
//! User text never reaches `QueryParser`; queries are built from analyzed terms.

pub mod analyzer;

use crate::kb::KnowledgeBase;
use analyzer::{analyzer, ANALYZER};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::directory::RamDirectory;
use tantivy::tokenizer::TokenizerManager;
use tantivy::{Index, IndexReader, TantivyDocument, Term};

/// The text fields an entry is indexed under, with how much a match in each counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Title,
    TitleEn,
    Aliases,
    Symptoms,
    Summary,
    Body,
}

impl Zone {
    pub const ALL: [Zone; 6] = [
        Zone::Title,
        Zone::TitleEn,
        Zone::Aliases,
        Zone::Symptoms,
        Zone::Summary,
        Zone::Body,
    ];

    fn name(self) -> &'static str {
        match self {
            Zone::Title => "title",
            Zone::TitleEn => "title_en",
            Zone::Aliases => "aliases",
            Zone::Symptoms => "symptoms",
            Zone::Summary => "summary",
            Zone::Body => "body",
        }
    }

    /// Field boosts: the words an entry is named by weigh more than the words it explains with.
    fn boost(self) -> f32 {
        match self {
            Zone::Title => 3.0,
            Zone::TitleEn => 2.0,
            Zone::Aliases => 2.5,
            Zone::Symptoms => 1.5,
            Zone::Summary => 1.0,
            Zone::Body => 0.4,
        }
    }
}

/// A query term with its weight (bigrams weigh more than single characters).
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedTerm {
    pub text: String,
    pub weight: f32,
}

/// One hit: the entry's position in the knowledge base and tantivy's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub entry: usize,
    pub score: f32,
}

#[derive(Debug, thiserror::Error)]
#[error("search index: {0}")]
pub struct IndexError(#[from] tantivy::TantivyError);

pub struct SearchIndex {
    reader: IndexReader,
    id: Field,
    zones: Vec<(Zone, Field)>,
}

fn schema() -> (Schema, Field, Vec<(Zone, Field)>) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    let zones = Zone::ALL
        .iter()
        .map(|&zone| (zone, builder.add_text_field(zone.name(), options.clone())))
        .collect();
    (builder.build(), id, zones)
}

impl SearchIndex {
    /// Builds the index in memory. Documents are added in knowledge-base order, so a doc id is an entry's position.
    pub fn build(kb: &KnowledgeBase) -> Result<SearchIndex, IndexError> {
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
                        for symptom in &entry.symptoms {
                            doc.add_text(field, symptom);
                        }
                    }
                    Zone::Summary => doc.add_text(field, &entry.summary),
                    Zone::Body => doc.add_text(field, entry.body_text()),
                }
            }
            writer.add_document(doc)?;
        }
        let index = writer.finalize()?;
        SearchIndex::open(index, id, zones)
    }

    fn open(index: Index, id: Field, zones: Vec<(Zone, Field)>) -> Result<SearchIndex, IndexError> {
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index.reader()?;
        Ok(SearchIndex { reader, id, zones })
    }

    /// Scores every entry against the weighted terms; returns up to `limit` hits, best first.
    pub fn search(&self, terms: &[WeightedTerm], limit: usize) -> Result<Vec<Hit>, IndexError> {
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(terms.len() * self.zones.len());
        for term in terms {
            for &(zone, field) in &self.zones {
                let query = TermQuery::new(
                    Term::from_field_text(field, &term.text),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), zone.boost() * term.weight)),
                ));
            }
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        Ok(top
            .into_iter()
            .map(|(score, address)| Hit {
                entry: address.doc_id as usize,
                score,
            })
            .collect())
    }

    /// The ids in document order, to check that doc ids still line up with the knowledge base.
    pub fn ids(&self) -> Result<Vec<String>, IndexError> {
        let searcher = self.reader.searcher();
        let mut ids = Vec::new();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1).map_err(tantivy::TantivyError::from)?;
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
