//! Finding what a text holds in one pass: entry names, synonyms, topic terms, rejection cues and the
//! literals of notice patterns ([`Phrases`]), and the literal prefilters that decide which pattern
//! regexes are worth running on it ([`Literals`]), and the patterns' automata compiled at build time
//! ([`automata`]).

pub mod automata;
mod phrases;
mod prefilter;

pub use automata::{Automata, LazyMatcher, Matcher};
pub use phrases::{Found, Owner, Phrases};
pub use prefilter::{compile, Literals};

/// The literals of several patterns as one phrase table, owners `Literal { pattern, set }` with
/// `pattern` the position in `literals` (how the segmenter finds which boilerplate patterns may match).
pub fn literal_table(literals: &[Literals]) -> Phrases {
    let phrases = literals
        .iter()
        .enumerate()
        .flat_map(|(pattern, literals)| literals.phrases(pattern))
        .collect();
    Phrases::new(phrases)
}
