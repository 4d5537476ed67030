//! Literal prefilters for notice patterns: compiling every pattern's regex at start-up would cost
//! milliseconds, so each pattern carries the literals one of which any match must start with, and its
//! regex is compiled only when one of them occurs in the text.

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::{Deserialize, Serialize};

/// The literals a match must begin with; `None` when no such finite set exists (the regex always runs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Literals(pub Option<Vec<Vec<u8>>>);

impl Literals {
    /// Extracts the prefix literals of `pattern`; an invalid pattern gets `None` (the linter reports it).
    pub fn of(pattern: &str) -> Literals {
        let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
            return Literals(None);
        };
        let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
        let literals = seq.literals().and_then(|literals| {
            let mut bytes: Vec<Vec<u8>> = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
            // A text holding "您好！" holds "您好": a literal that extends another adds nothing to the
            // filter (the extractor spells out every alternative, hundreds for some patterns).
            bytes.sort();
            bytes.dedup_by(|longer, shorter| longer.starts_with(shorter));
            (!bytes.is_empty() && bytes.iter().all(|b| !b.is_empty())).then_some(bytes)
        });
        Literals(literals)
    }
}

#[cfg(test)]
mod tests {
    use super::Literals;
    use regex::Regex;

    /// How the advisor and the segmenter use a prefilter: a text may match when it holds a literal.
    impl Literals {
        fn may_match(&self, text: &str) -> bool {
            self.0.as_ref().is_none_or(|literals| {
                literals
                    .iter()
                    .any(|l| memchr::memmem::find(text.as_bytes(), l).is_some())
            })
        }
    }

    #[test]
    fn a_prefilter_never_rejects_a_text_the_pattern_matches() {
        let cases = [
            (
                "域名(持有者|所有者).{0,12}(不一致|不符)",
                "域名所有者与主体不符",
            ),
            (r"\(1005\)域名冲突", "(1005)域名冲突"),
            ("短信核验.{0,6}超时", "工信部短信核验已超时"),
            (".*备案号", "没有备案号"),
        ];
        for (pattern, text) in cases {
            assert!(Regex::new(pattern).unwrap().is_match(text));
            assert!(Literals::of(pattern).may_match(text), "{pattern}");
        }
    }

    #[test]
    fn literals_that_extend_another_are_dropped() {
        let literals = Literals::of("(?:客户|用户)?您好[,，!！]?").0.unwrap();
        let texts: Vec<&str> = literals
            .iter()
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect();
        assert_eq!(texts, ["客户您好", "您好", "用户您好"]);
    }

    #[test]
    fn a_prefilter_skips_texts_without_its_literals() {
        assert!(!Literals::of("域名(持有者|所有者)").may_match("备案退回后下一步做什么"));
    }

    #[test]
    fn open_patterns_have_no_prefilter() {
        assert_eq!(Literals::of(".*x"), Literals(None));
        assert_eq!(
            Literals::of("(a|)b").0.is_some(),
            Literals::of("(a|)b").may_match("b")
        );
    }
}
