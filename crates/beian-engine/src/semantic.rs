//! Meaning beside words: an optional sentence encoder's similarities between a text and the entries,
//! read by the ranker as features (see [`crate::rank::EncoderFeatures`]).
//!
//! The engine runs no network itself: whatever embeds texts implements [`Embed`] (the binary wraps
//! the `beian-encoder` crate). Each entry's short texts — titles, summaries, aliases and symptoms, in
//! both languages — are embedded once as passages ([`EntryVectors`]); a text ranked is embedded once
//! as a query, and its cosine to every passage gives, per entry, the best and the mean of the best
//! three ([`Similarities`]).

use crate::kb::Entry;
use std::collections::HashMap;
use std::sync::Mutex;

/// What went wrong embedding texts, in the embedder's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the sentence encoder failed: {0}")]
pub struct EmbedError(pub String);

/// A sentence encoder: texts to unit vectors, a question and a document each embedded as the model
/// expects (E5's `query: ` and `passage: `).
pub trait Embed: Send + Sync {
    fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
    fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// Says which model this is, for cache keys: different weights must give a different string.
    fn fingerprint(&self) -> String;
}

/// The texts of the entries embedded as passages: `owner[i]` is the entry of the `i`-th text.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryVectors {
    dimensions: usize,
    /// Row-major, one row of `dimensions` per text.
    rows: Vec<f32>,
    owner: Vec<u32>,
}

/// The magic bytes of [`EntryVectors::to_bytes`], with the format's version.
const MAGIC: &[u8; 8] = b"BEIANEV1";

impl EntryVectors {
    /// The texts of the entries that are embedded, each with its entry's position, in order: titles,
    /// summaries, aliases and symptoms (Chinese and English), each distinct text of an entry once.
    pub fn passages(entries: &[Entry]) -> Vec<(usize, &str)> {
        let mut out = Vec::new();
        for (position, entry) in entries.iter().enumerate() {
            let mut texts: Vec<&str> = vec![&entry.title, &entry.title_en, &entry.body().summary];
            if let Some(english) = entry.english() {
                texts.push(&english.summary);
            }
            texts.extend(entry.aliases.iter().map(String::as_str));
            texts.extend(entry.body().symptoms.iter().map(String::as_str));
            if let Some(english) = entry.english() {
                texts.extend(english.symptoms.iter().map(String::as_str));
            }
            let mut seen: Vec<&str> = Vec::new();
            for text in texts.into_iter().map(str::trim) {
                if !text.is_empty() && !seen.contains(&text) {
                    seen.push(text);
                    out.push((position, text));
                }
            }
        }
        out
    }

    /// Embeds every passage of the entries (see [`EntryVectors::passages`]); `progress` is told how
    /// many are done after each batch, and of how many.
    pub fn build(
        entries: &[Entry],
        embed: &dyn Embed,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<EntryVectors, EmbedError> {
        const BATCH: usize = 64;
        let passages = EntryVectors::passages(entries);
        let mut vectors = EntryVectors {
            dimensions: 0,
            rows: Vec::new(),
            owner: Vec::with_capacity(passages.len()),
        };
        for batch in passages.chunks(BATCH) {
            let texts: Vec<&str> = batch.iter().map(|&(_, text)| text).collect();
            for ((entry, _), row) in batch.iter().zip(embed.embed_passages(&texts)?) {
                vectors.push(*entry, &row)?;
            }
            progress(vectors.owner.len(), passages.len());
        }
        Ok(vectors)
    }

    fn push(&mut self, entry: usize, row: &[f32]) -> Result<(), EmbedError> {
        if self.owner.is_empty() {
            self.dimensions = row.len();
        }
        if row.len() != self.dimensions || row.is_empty() {
            return Err(EmbedError(format!(
                "a vector of {} dimensions among vectors of {}",
                row.len(),
                self.dimensions
            )));
        }
        self.rows.extend_from_slice(row);
        self.owner.push(entry as u32);
        Ok(())
    }

    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// How many texts were embedded.
    pub fn len(&self) -> usize {
        self.owner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.owner.is_empty()
    }

    /// Per entry (of `entries` in all), the similarities of its texts to a query's vector.
    pub fn similarities(&self, query: &[f32], entries: usize) -> Similarities {
        Similarities::new(self.scores(query, entries))
    }

    /// Per entry, its closest text's cosine to the query's vector and the mean of its closest three.
    fn scores(&self, query: &[f32], entries: usize) -> Vec<EntrySimilarity> {
        // The best three cosines of each entry, best first.
        let mut best = vec![[f32::NEG_INFINITY; 3]; entries];
        if query.len() == self.dimensions {
            for (row, &owner) in self.rows.chunks_exact(self.dimensions).zip(&self.owner) {
                let cosine: f32 = row.iter().zip(query).map(|(a, b)| a * b).sum();
                let Some(top) = best.get_mut(owner as usize) else {
                    continue;
                };
                if cosine > top[2] {
                    top[2] = cosine;
                    top.sort_by(|a, b| b.total_cmp(a));
                }
            }
        }
        best.iter()
            .map(|top| {
                let known: Vec<f32> = top.iter().copied().filter(|c| c.is_finite()).collect();
                if known.is_empty() {
                    return EntrySimilarity::default();
                }
                EntrySimilarity {
                    best: known[0],
                    mean_of_top3: known.iter().sum::<f32>() / known.len() as f32,
                }
            })
            .collect()
    }

    /// The vectors as bytes, for a cache file: magic, dimensions, count, then the owners and the rows
    /// (little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(24 + self.owner.len() * 4 + self.rows.len() * 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.dimensions as u64).to_le_bytes());
        out.extend_from_slice(&(self.owner.len() as u64).to_le_bytes());
        for owner in &self.owner {
            out.extend_from_slice(&owner.to_le_bytes());
        }
        for value in &self.rows {
            out.extend_from_slice(&value.to_le_bytes());
        }
        out
    }

    /// Reads [`EntryVectors::to_bytes`]'s form; `None` for anything else (a damaged cache file), and
    /// for vectors of entries beyond `entries`.
    pub fn from_bytes(bytes: &[u8], entries: usize) -> Option<EntryVectors> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let (dimensions, rest) = read_u64(rest)?;
        let (count, rest) = read_u64(rest)?;
        let (dimensions, count) = (
            usize::try_from(dimensions).ok()?,
            usize::try_from(count).ok()?,
        );
        let owners_len = count.checked_mul(4)?;
        let rows_len = count.checked_mul(dimensions)?.checked_mul(4)?;
        if dimensions == 0 || rest.len() != owners_len.checked_add(rows_len)? {
            return None;
        }
        let (owners, rows) = rest.split_at(owners_len);
        let owner: Vec<u32> = owners
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if owner.iter().any(|&o| o as usize >= entries) {
            return None;
        }
        let rows: Vec<f32> = rows
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if rows.iter().any(|v| !v.is_finite()) {
            return None;
        }
        Some(EntryVectors {
            dimensions,
            rows,
            owner,
        })
    }
}

fn read_u64(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let (head, rest) = bytes.split_first_chunk::<8>()?;
    Some((u64::from_le_bytes(*head), rest))
}

/// One entry's similarity to a query: the cosine of its closest text, and the mean of its closest
/// three.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct EntrySimilarity {
    pub best: f32,
    pub mean_of_top3: f32,
}

/// Every entry's similarity to one query, with what the ranker reads beside it: each entry's rank
/// among the entries, and how the best stand among all.
#[derive(Debug, Clone, PartialEq)]
pub struct Similarities {
    scores: Vec<EntrySimilarity>,
    /// Entry positions, most similar first.
    order: Vec<usize>,
    /// Per entry, its place in `order`.
    rank: Vec<usize>,
    mean: f32,
    deviation: f32,
}

impl Similarities {
    fn new(scores: Vec<EntrySimilarity>) -> Similarities {
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].best.total_cmp(&scores[a].best).then(a.cmp(&b)));
        let mut rank = vec![0; scores.len()];
        for (place, &entry) in order.iter().enumerate() {
            rank[entry] = place;
        }
        let n = scores.len().max(1) as f32;
        let mean = scores.iter().map(|s| s.best).sum::<f32>() / n;
        let variance = scores.iter().map(|s| (s.best - mean).powi(2)).sum::<f32>() / n;
        Similarities {
            scores,
            order,
            rank,
            mean,
            deviation: variance.sqrt(),
        }
    }

    pub fn get(&self, entry: usize) -> EntrySimilarity {
        self.scores.get(entry).copied().unwrap_or_default()
    }

    /// The entry's place among the entries by similarity (0: the closest).
    pub fn rank(&self, entry: usize) -> usize {
        self.rank.get(entry).copied().unwrap_or(usize::MAX)
    }

    /// The `n` most similar entries, closest first.
    pub fn top(&self, n: usize) -> &[usize] {
        &self.order[..n.min(self.order.len())]
    }

    /// The closest entry's best similarity, and the next one's.
    pub fn leaders(&self) -> (f32, f32) {
        let at = |place: usize| {
            self.order
                .get(place)
                .map_or(0.0, |&entry| self.scores[entry].best)
        };
        (at(0), at(1))
    }

    /// How many standard deviations the entry's best similarity stands above the mean of all
    /// entries' (0 when they are all alike).
    pub fn z_score(&self, entry: usize) -> f32 {
        if self.deviation <= f32::EPSILON {
            return 0.0;
        }
        (self.get(entry).best - self.mean) / self.deviation
    }
}

/// An encoder with the entries' vectors: what an advisor needs to read meaning. Query vectors are
/// remembered (up to a bound), so that a text ranked again — by each fold of a fit, or asked twice in
/// the REPL — is embedded once.
pub struct Semantic {
    embed: Box<dyn Embed>,
    vectors: EntryVectors,
    remembered: Mutex<HashMap<String, Vec<f32>>>,
}

/// Query vectors remembered at most; beyond, the memory is cleared and starts again.
const REMEMBERED: usize = 8192;

impl Semantic {
    pub fn new(embed: Box<dyn Embed>, vectors: EntryVectors) -> Semantic {
        Semantic {
            embed,
            vectors,
            remembered: Mutex::new(HashMap::new()),
        }
    }

    pub fn vectors(&self) -> &EntryVectors {
        &self.vectors
    }

    pub fn embedder(&self) -> &dyn Embed {
        self.embed.as_ref()
    }

    /// The similarities of each text to every entry (of `entries` in all), the texts embedded in
    /// one batch.
    pub fn similarities(
        &self,
        texts: &[&str],
        entries: usize,
    ) -> Result<Vec<Similarities>, EmbedError> {
        // The lock is not held while embedding: requests of a server embed side by side.
        let lock = || {
            self.remembered
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        let mut known: HashMap<&str, Vec<f32>> = HashMap::new();
        let mut missing: Vec<&str> = Vec::new();
        {
            let remembered = lock();
            for &text in texts {
                match remembered.get(text) {
                    Some(vector) => {
                        known.insert(text, vector.clone());
                    }
                    None if !missing.contains(&text) => missing.push(text),
                    None => {}
                }
            }
        }
        if !missing.is_empty() {
            let vectors = self.embed.embed_queries(&missing)?;
            if vectors.len() != missing.len() {
                return Err(EmbedError(format!(
                    "{} vectors for {} texts",
                    vectors.len(),
                    missing.len()
                )));
            }
            let mut remembered = lock();
            if remembered.len() + missing.len() > REMEMBERED {
                remembered.clear();
            }
            for (text, vector) in missing.into_iter().zip(vectors) {
                remembered.insert(text.to_string(), vector.clone());
                known.insert(text, vector);
            }
        }
        Ok(texts
            .iter()
            .map(|text| self.vectors.similarities(&known[text], entries))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An embedder that maps a text to a fixed vector by its first letter.
    struct Letters;

    impl Embed for Letters {
        fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            Ok(texts.iter().map(|t| letter(t)).collect())
        }
        fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.embed_queries(texts)
        }
        fn fingerprint(&self) -> String {
            "letters".to_string()
        }
    }

    fn letter(text: &str) -> Vec<f32> {
        match text.chars().next() {
            Some('a') => vec![1.0, 0.0],
            Some('b') => vec![0.0, 1.0],
            _ => vec![0.6, 0.8],
        }
    }

    fn vectors(rows: &[(usize, &str)]) -> EntryVectors {
        let mut vectors = EntryVectors {
            dimensions: 0,
            rows: Vec::new(),
            owner: Vec::new(),
        };
        for &(entry, text) in rows {
            vectors.push(entry, &letter(text)).unwrap();
        }
        vectors
    }

    #[test]
    fn each_entry_gets_its_closest_text_and_the_mean_of_its_closest_three() {
        let vectors = vectors(&[(0, "a"), (0, "b"), (1, "b"), (1, "c"), (1, "c")]);
        let s = vectors.similarities(&[1.0, 0.0], 3);
        assert_eq!(s.get(0).best, 1.0);
        assert_eq!(s.get(0).mean_of_top3, 0.5);
        assert!((s.get(1).best - 0.6).abs() < 1e-6);
        assert!((s.get(1).mean_of_top3 - 0.4).abs() < 1e-6);
        // An entry without texts is the least similar.
        assert_eq!(s.get(2), EntrySimilarity::default());
        assert_eq!(s.top(3), [0, 1, 2]);
        assert_eq!(s.rank(1), 1);
        assert!(s.z_score(0) > s.z_score(1));
    }

    #[test]
    fn vectors_survive_their_bytes_and_damaged_bytes_are_refused() {
        let vectors = vectors(&[(0, "a"), (1, "b"), (1, "c")]);
        let bytes = vectors.to_bytes();
        assert_eq!(EntryVectors::from_bytes(&bytes, 2), Some(vectors));
        assert_eq!(EntryVectors::from_bytes(&bytes[..bytes.len() - 1], 2), None);
        assert_eq!(EntryVectors::from_bytes(b"BEIANEV1", 2), None);
        assert_eq!(
            EntryVectors::from_bytes(&bytes, 1),
            None,
            "an entry too many"
        );
        let mut nan = bytes.clone();
        let end = nan.len();
        nan[end - 4..].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(EntryVectors::from_bytes(&nan, 2), None);
    }

    #[test]
    fn a_query_is_embedded_once() {
        struct Counting(std::sync::Arc<Mutex<usize>>);
        impl Embed for Counting {
            fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
                *self.0.lock().unwrap() += texts.len();
                Letters.embed_queries(texts)
            }
            fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
                Letters.embed_passages(texts)
            }
            fn fingerprint(&self) -> String {
                "counting".to_string()
            }
        }
        let count = std::sync::Arc::new(Mutex::new(0));
        let semantic = Semantic::new(
            Box::new(Counting(count.clone())),
            vectors(&[(0, "a"), (1, "b")]),
        );
        semantic.similarities(&["a1", "b1", "a1"], 2).unwrap();
        let again = semantic.similarities(&["b1"], 2).unwrap();
        assert_eq!(again[0].top(1), [1]);
        assert_eq!(*count.lock().unwrap(), 2);
    }
}
