//! Property tests (issue 8): the analyzer, the notice segmenter and the advice path on arbitrary
//! strings never panic and keep their promises, and no pattern prefilter refuses a text its regex
//! matches. A few hundred cases each, so `cargo test` stays fast.

use beian_engine::advise::Advisor;
use beian_engine::analyzer::{analyzer, for_each_term, tokenize};
use beian_engine::matching::{Literals, Phrases};
use beian_engine::segment::Segmenter;
use proptest::prelude::*;
use std::sync::LazyLock;

static ADVISOR: LazyLock<Advisor> =
    LazyLock::new(|| beian::builtin::advisor().expect("the built-in knowledge base loads"));

/// Text that looks like what people paste: Chinese, ASCII, list markers, punctuation, controls,
/// emoji and combining marks, mixed with arbitrary characters.
fn pasted() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("备案被驳回".to_string()),
        Just("①".to_string()),
        Just("(1)".to_string()),
        Just("一、".to_string()),
        Just("1. ".to_string()),
        Just("；\n".to_string()),
        Just("\r\n".to_string()),
        Just("\u{1b}[31m".to_string()),
        Just("👨‍👩‍👧".to_string()),
        Just("e\u{301}".to_string()),
        Just("ＩＣＰ".to_string()),
        "[a-zA-Z0-9 ]{0,12}",
        "\\PC{0,8}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), pasted()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tokens_sit_on_character_boundaries(text in any_text()) {
        for token in tokenize(&text) {
            prop_assert!(token.offset_from < token.offset_to, "{token:?}");
            prop_assert!(token.offset_to <= text.len(), "{token:?}");
            prop_assert!(text.is_char_boundary(token.offset_from), "{token:?}");
            prop_assert!(text.is_char_boundary(token.offset_to), "{token:?}");
            prop_assert!(!token.text.is_empty(), "{token:?}");
        }
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(&text);
        while let Some(token) = stream.next() {
            prop_assert!(token.offset_from < token.offset_to, "{token:?}");
            prop_assert!(text.is_char_boundary(token.offset_from), "{token:?}");
            prop_assert!(text.is_char_boundary(token.offset_to), "{token:?}");
        }
    }

    /// A query's terms are analyzed without the token stream; they must be the index's terms.
    #[test]
    fn lent_terms_are_the_analyzers_terms(text in any_text()) {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(&text);
        let mut streamed = Vec::new();
        while let Some(token) = stream.next() {
            streamed.push((token.text.clone(), token.offset_from, token.offset_to));
        }
        let mut lent = Vec::new();
        for_each_term(&text, |term| lent.push((term.text.to_string(), term.from, term.to)));
        prop_assert_eq!(lent, streamed);
    }

    #[test]
    fn a_text_with_content_has_at_least_one_segment(text in any_text()) {
        let boilerplate = [
            "^尊敬的.*用户".to_string(),
            "如有疑问.*".to_string(),
            "([".to_string(), // invalid: never applied
        ];
        for segmenter in [Segmenter::new(&[]), Segmenter::new(&boilerplate)] {
            let segments = segmenter.segments(&text);
            if text.trim().is_empty() {
                continue;
            }
            prop_assert!(!segments.is_empty(), "no segment for {text:?}");
            for segment in &segments {
                prop_assert!(!segment.text.trim().is_empty(), "an empty segment of {text:?}");
            }
        }
    }

    #[test]
    fn advice_on_any_text_comes_from_known_entries(text in any_text()) {
        let advice = ADVISOR.advise(&text, 5).expect("advice on any text");
        prop_assert!(advice.results.len() <= 5);
        for answer in &advice.results {
            prop_assert!(ADVISOR.kb().get(&answer.entry.id).is_some(), "{}", answer.entry.id);
            prop_assert!((0.0..=1.0).contains(&answer.confidence), "{}", answer.confidence);
            prop_assert!(answer.score.is_finite());
        }
    }
}

/// Every built-in notice and boilerplate pattern, compiled, with its prefilter.
struct Gated {
    regex: regex::Regex,
    literals: Literals,
}

static GATED: LazyLock<Vec<Gated>> = LazyLock::new(|| {
    let kb = beian::builtin::knowledge_base();
    let sources = kb
        .entries()
        .iter()
        .flat_map(|entry| entry.patterns.iter())
        .chain(&kb.vocabulary.boilerplate);
    sources
        .map(|source| Gated {
            regex: regex::Regex::new(source).unwrap(),
            literals: Literals::of(source),
        })
        .collect()
});

/// The literals of every built-in pattern: text made of them (and of other text) comes close to
/// matching, which is where a wrong prefilter would show.
static PIECES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut pieces: Vec<String> = GATED
        .iter()
        .flat_map(|gated| gated.literals.sets.iter().flatten())
        .filter_map(|literal| String::from_utf8(literal.clone()).ok())
        .collect();
    pieces.sort();
    pieces.dedup();
    pieces
});

fn near_matches() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => (0..PIECES.len()).prop_map(|i| PIECES[i].clone()),
        1 => "\\PC{0,4}",
        1 => Just("，".to_string()),
    ];
    prop::collection::vec(piece, 1..10).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A pattern's regex runs only on texts its prefilter admits, so the prefilter must admit every
    /// text the regex matches.
    #[test]
    fn a_prefilter_admits_every_text_its_pattern_matches(text in near_matches()) {
        for (i, gated) in GATED.iter().enumerate() {
            if gated.regex.is_match(&text) {
                let phrases = Phrases::new(gated.literals.phrases(i).collect());
                prop_assert!(
                    gated.literals.admits(i, &phrases.find(&text, 0)),
                    "{} matches {text:?} but its prefilter refuses it",
                    gated.regex.as_str()
                );
            }
        }
    }
}
