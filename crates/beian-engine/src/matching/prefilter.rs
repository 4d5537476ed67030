//! Literal prefilters for notice patterns: compiling every pattern's regex at start-up would cost
//! milliseconds, and most texts match none of them. Each pattern carries the literals its matches must
//! contain, as sets: every match holds at least one literal of each set. A regex is compiled and run
//! only on a text that holds a literal of every set of it.

use super::phrases::{Found, Owner};
use regex_syntax::hir::{Class, Hir, HirKind};
use serde::{Deserialize, Serialize};

/// Sets larger than this make a poor filter and a large phrase table: the part is treated as unknown.
const MAX_SET: usize = 64;

/// A class of at most this many characters counts as that many one-character literals.
const MAX_CLASS: usize = 8;

/// The literals a pattern's matches must contain: one of each set. No sets: the regex runs on every text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Literals {
    pub sets: Vec<Vec<Vec<u8>>>,
}

impl Literals {
    /// Finds the literal sets of `pattern`; an invalid pattern gets none (the linter reports it).
    pub fn of(pattern: &str) -> Literals {
        let mut sets = Vec::new();
        if let Ok(hir) = regex_syntax::Parser::new().parse(pattern) {
            required(&hir, &mut sets);
        }
        for set in &mut sets {
            minimize(set);
        }
        sets.sort();
        sets.dedup();
        Literals { sets }
    }

    /// Whether the regex must run on every text.
    pub fn is_open(&self) -> bool {
        self.sets.is_empty()
    }

    /// The phrases that tell, through [`super::Phrases::find`], which sets of pattern number
    /// `pattern` a text holds a literal of.
    pub fn phrases(&self, pattern: usize) -> impl Iterator<Item = (Vec<u8>, Owner)> + '_ {
        self.sets
            .iter()
            .enumerate()
            .flat_map(move |(set, literals)| {
                literals
                    .iter()
                    .map(move |literal| (literal.clone(), Owner::Literal { pattern, set }))
            })
    }

    /// Whether a text in which the phrase table found `found` may match pattern number `pattern`.
    pub fn admits(&self, pattern: usize, found: &Found) -> bool {
        let from = found.literals.partition_point(|&(p, _)| p < pattern);
        let held = found.literals[from..]
            .iter()
            .take_while(|&&(p, _)| p == pattern)
            .count();
        // `found.literals` is sorted and free of duplicates, so this counts distinct sets.
        held == self.sets.len()
    }
}

/// Compiles a notice or boilerplate pattern for matching; `None` if it is invalid (the linter reports
/// it). The lazy DFA's cache is kept small: a long triage run would otherwise grow each compiled
/// pattern's cache towards regex's 2 MiB default, per thread, as it meets more varied text.
pub fn compile(pattern: &str) -> Option<regex::Regex> {
    regex::RegexBuilder::new(pattern)
        .dfa_size_limit(DFA_CACHE_BYTES)
        .build()
        .ok()
}

/// The lazy DFA cache of each compiled pattern.
const DFA_CACHE_BYTES: usize = 256 * 1024;

/// Collects, for the parts every match of `hir` goes through, a literal set of each.
fn required(hir: &Hir, sets: &mut Vec<Vec<Vec<u8>>>) {
    match hir.kind() {
        HirKind::Concat(children) => {
            for child in children {
                required(child, sets);
            }
        }
        HirKind::Capture(capture) => required(&capture.sub, sets),
        HirKind::Repetition(repetition) if repetition.min >= 1 => required(&repetition.sub, sets),
        _ => sets.extend(factor(hir)),
    }
}

/// One set of literals every match of `hir` contains one of, if there is a small one.
fn factor(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let set = match hir.kind() {
        HirKind::Literal(literal) => vec![literal.0.to_vec()],
        HirKind::Class(class) => class_literals(class)?,
        HirKind::Capture(capture) => factor(&capture.sub)?,
        HirKind::Repetition(repetition) if repetition.min >= 1 => factor(&repetition.sub)?,
        // Any part will do; the one whose shortest literal is longest filters best.
        HirKind::Concat(children) => children
            .iter()
            .filter_map(factor)
            .max_by_key(|set| (shortest(set), std::cmp::Reverse(set.len())))?,
        // Every branch must contribute.
        HirKind::Alternation(branches) => {
            let mut union = Vec::new();
            for branch in branches {
                union.extend(factor(branch)?);
            }
            union
        }
        _ => return None,
    };
    // The phrase table finds text, so a literal that is not UTF-8 (a byte class) could never be found.
    let findable = |l: &Vec<u8>| !l.is_empty() && std::str::from_utf8(l).is_ok();
    (!set.is_empty() && set.len() <= MAX_SET && set.iter().all(findable)).then_some(set)
}

fn shortest(set: &[Vec<u8>]) -> usize {
    set.iter().map(Vec::len).min().unwrap_or(0)
}

/// A small class as its characters (or bytes), each a literal.
fn class_literals(class: &Class) -> Option<Vec<Vec<u8>>> {
    let mut literals = Vec::new();
    match class {
        Class::Unicode(class) => {
            for range in class.iter() {
                for c in range.start()..=range.end() {
                    literals.push(c.to_string().into_bytes());
                    if literals.len() > MAX_CLASS {
                        return None;
                    }
                }
            }
        }
        Class::Bytes(class) => {
            for range in class.iter() {
                for b in range.start()..=range.end() {
                    literals.push(vec![b]);
                    if literals.len() > MAX_CLASS {
                        return None;
                    }
                }
            }
        }
    }
    Some(literals)
}

/// Drops every literal that contains another of the set: a text holding "驳回了" holds "驳回".
fn minimize(set: &mut Vec<Vec<u8>>) {
    set.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    set.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::with_capacity(set.len());
    for literal in set.drain(..) {
        if !kept
            .iter()
            .any(|k| memchr::memmem::find(&literal, k).is_some())
        {
            kept.push(literal);
        }
    }
    kept.sort();
    *set = kept;
}

#[cfg(test)]
mod tests {
    use super::Literals;
    use crate::matching::Phrases;
    use regex::Regex;

    /// How the advisor and the segmenter use a prefilter: through the phrase table.
    fn may_match(pattern: &str, text: &str) -> bool {
        let literals = Literals::of(pattern);
        let phrases = Phrases::new(literals.phrases(0).collect());
        literals.admits(0, &phrases.find(text, 0))
    }

    fn sets(pattern: &str) -> Vec<Vec<String>> {
        Literals::of(pattern)
            .sets
            .iter()
            .map(|set| {
                set.iter()
                    .map(|l| String::from_utf8(l.clone()).unwrap())
                    .collect()
            })
            .collect()
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
            ("(?:客户|用户)?您好[,，!！]?", "客户您好！"),
            (
                "(?:您的)?(?:ICP)?备案(?:申请)?被?(?:驳回|退回)[了]?(?:原因)?[:：]?",
                "您的ICP备案申请被驳回了原因：",
            ),
            ("(?i)icp", "xICPy"),
            ("(?:19|20)[0-9]{2}[-/年.][0-9]{1,2}", "于2026年11月"),
            ("(ab|a)c+", "acc"),
            ("(?-u:[a-c])备案", "b备案"),
        ];
        for (pattern, text) in cases {
            assert!(Regex::new(pattern).unwrap().is_match(text));
            assert!(may_match(pattern, text), "{pattern}");
        }
    }

    #[test]
    fn every_required_part_is_a_set() {
        assert_eq!(
            sets("域名(持有者|所有者).{0,12}(不一致|不符)"),
            [
                vec!["不一致", "不符"],
                vec!["域名"],
                vec!["所有者", "持有者"],
            ]
        );
        // Optional parts say nothing; a literal that contains another of its set adds nothing.
        assert_eq!(
            sets("(?:您的)?备案被?(?:驳回|退回了|退回)[了]?"),
            [vec!["备案"], vec!["退回", "驳回"]]
        );
    }

    #[test]
    fn a_prefilter_skips_texts_without_its_literals() {
        assert!(!may_match("域名(持有者|所有者)", "备案退回后下一步做什么"));
        // "备案" is there, "驳回"/"退回" are not.
        assert!(!may_match(
            "(?:您的)?备案(?:申请)?被?(?:驳回|退回)",
            "网站换了云服务商，原来的备案号还能用吗"
        ));
    }

    #[test]
    fn open_patterns_have_no_prefilter() {
        assert!(Literals::of("a*|.+").is_open());
        assert!(may_match("a*|.+", "anything"));
        assert!(!Literals::of(".*x").is_open());
        assert!(may_match(".*x", "yx") && !may_match(".*x", "y"));
    }
}
