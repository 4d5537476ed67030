//! Notice and boilerplate patterns compiled at build time: each pattern as an anchored DFA
//! (regex-automata), serialized by the binary's build script and used in place at run time, so a
//! process compiles no pattern it has an automaton for. A pattern without one (a `--kb` knowledge
//! base, a pattern whose DFA would be too large or that a DFA cannot express) is compiled with the
//! regex crate the first time a text may match it, as before.
//!
//! Why anchored: an unanchored DFA of `备案地域.{0,40}证件地址不符` must track every place a match
//! may have started and grows past a gigabyte; anchored at one start it stays a few tens of KB. The
//! search tries each start in turn, which finds the same leftmost-first matches as `regex::Regex`.

use crate::packed::Packed;
use once_cell::sync::OnceCell;
use regex_automata::dfa::{dense, sparse, Automaton, StartKind};
use regex_automata::{Anchored, Input, MatchKind};

/// A pattern's matches are found with its automaton or, failing one, its regex. (The DFA's header
/// is boxed: it is some 700 bytes, a regex a pointer.)
#[derive(Debug)]
pub enum Matcher {
    Automaton(Box<sparse::DFA<&'static [u8]>>),
    Regex(regex::Regex),
}

/// A pattern made ready on first use: its automaton from the build when it has one, else its regex
/// compiled. (How the ranker's notice patterns and the segmenter's boilerplate hold theirs.)
#[derive(Debug)]
pub struct LazyMatcher {
    source: String,
    automaton: Option<&'static [u8]>,
    matcher: OnceCell<Option<Matcher>>,
}

impl LazyMatcher {
    /// The pattern `source`, with no automaton until [`LazyMatcher::set_automaton`] gives one.
    pub fn new(source: String) -> LazyMatcher {
        LazyMatcher {
            source,
            automaton: None,
            matcher: OnceCell::new(),
        }
    }

    /// Uses `automaton` (serialized at build time) if the matcher has not been made yet.
    pub fn set_automaton(&mut self, automaton: Option<&'static [u8]>) {
        self.automaton = automaton;
    }

    /// The matcher, made on the first call: `compile` makes it from the regex even when there is an
    /// automaton (a compiled regex scans a text once, which pays in long-running modes). `None` for
    /// an invalid pattern.
    pub fn get(&self, compile: bool) -> Option<&Matcher> {
        let automaton = self.automaton.filter(|_| !compile);
        self.matcher
            .get_or_init(|| Matcher::new(&self.source, automaton))
            .as_ref()
    }
}

/// A serialized DFA larger than this is not kept (the pattern is compiled at run time instead): it
/// would cost more binary than it saves time.
const MAX_AUTOMATON_BYTES: usize = 256 * 1024;

/// The limit on the dense DFA a pattern is determinized into, before it is made sparse: past it the
/// build gives up on that pattern quickly rather than spend seconds on it.
const MAX_DENSE_BYTES: usize = 4 << 20;

impl Matcher {
    /// The matcher of `pattern`: its automaton when there is one, else its regex; `None` for an
    /// invalid pattern (the linter reports it).
    pub fn new(pattern: &str, automaton: Option<&'static [u8]>) -> Option<Matcher> {
        match automaton.and_then(deserialize) {
            Some(dfa) => Some(Matcher::Automaton(Box::new(dfa))),
            None => super::compile(pattern).map(Matcher::Regex),
        }
    }

    /// The non-overlapping leftmost-first matches of the pattern in `text`, as byte ranges, in order:
    /// what `regex::Regex::find_iter` returns.
    pub fn find_iter<'m, 't>(
        &'m self,
        text: &'t str,
    ) -> Box<dyn Iterator<Item = (usize, usize)> + 'm>
    where
        't: 'm,
    {
        match self {
            Matcher::Regex(regex) => Box::new(regex.find_iter(text).map(|m| (m.start(), m.end()))),
            Matcher::Automaton(dfa) => {
                let mut at = 0;
                let start = dfa.universal_start_state(Anchored::Yes);
                Box::new(std::iter::from_fn(move || {
                    let found = anchored_find(dfa, start, text, at)?;
                    at = found.1;
                    Some(found)
                }))
            }
        }
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.find_iter(text).next().is_some()
    }

    /// `text` with every match replaced by `with`, as `regex::Regex::replace_all` with a literal
    /// replacement does it.
    pub fn replace_all(&self, text: &str, with: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for (start, end) in self.find_iter(text) {
            out.push_str(&text[last..start]);
            out.push_str(with);
            last = end;
        }
        out.push_str(&text[last..]);
        out
    }
}

/// The first match that starts at or after `from`: the DFA is tried anchored at each character
/// boundary in turn, and the first start with a match gives it, its end the leftmost-first one.
/// Every pattern with an automaton matches at least one character (see [`build`]), so a match never
/// ends where it starts and the search always moves on. `universal`: the DFA's start state when it
/// is the same at every position (no look-behind); with it, a start whose first character leads
/// nowhere is passed over without a search, which is most of them.
fn anchored_find(
    dfa: &sparse::DFA<&'static [u8]>,
    universal: Option<regex_automata::util::primitives::StateID>,
    text: &str,
    from: usize,
) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let may_start = |start: usize| {
        let Some(mut state) = universal else {
            return true;
        };
        let width = text[start..].chars().next().map_or(1, char::len_utf8);
        for &byte in &bytes[start..start + width] {
            state = dfa.next_state(state, byte);
        }
        !dfa.is_dead_state(state)
    };
    (from..bytes.len())
        .filter(|&start| text.is_char_boundary(start) && may_start(start))
        .find_map(|start| {
            let input = Input::new(bytes).range(start..).anchored(Anchored::Yes);
            // The DFA has no quit bytes, so a search cannot fail.
            let end = dfa.try_search_fwd(&input).ok()??.offset();
            Some((start, end))
        })
}

/// The serialized anchored DFA of `pattern` (little endian), or `None` when the pattern is better
/// left to the regex crate: invalid, able to match the empty string, inexpressible as a DFA (a
/// Unicode word boundary) or too large.
pub fn build(pattern: &str) -> Option<Vec<u8>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    if hir.properties().minimum_len().is_none_or(|len| len == 0) {
        return None;
    }
    let dense = dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .match_kind(MatchKind::LeftmostFirst)
                .dfa_size_limit(Some(MAX_DENSE_BYTES))
                .determinize_size_limit(Some(MAX_DENSE_BYTES)),
        )
        .build(pattern)
        .ok()?;
    let bytes = dense.to_sparse().ok()?.to_bytes_little_endian();
    (bytes.len() <= MAX_AUTOMATON_BYTES).then_some(bytes)
}

/// The automata of a list of patterns, packed (see [`crate::packed`]), read in place.
#[derive(Debug, Clone, Copy)]
pub struct Automata {
    packed: Packed,
}

impl Automata {
    /// The automata packed in `packed`.
    ///
    /// # Safety
    ///
    /// `packed` must be what the build packed of [`build`]'s output, by the same version of
    /// regex-automata: the automata are read without checking every transition (see
    /// [`is_valid`] for the check).
    pub unsafe fn new(packed: &'static [u8]) -> Automata {
        Automata {
            packed: Packed::new(packed),
        }
    }

    /// How many patterns the automata were built for.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// The serialized automaton of pattern number `pattern`, if it has one.
    pub fn get(&self, pattern: usize) -> Option<&'static [u8]> {
        self.packed.get(pattern)
    }
}

/// A serialized automaton, used in place. Only on little-endian targets, where the build script's
/// bytes can be read as they are; elsewhere the pattern is compiled at run time.
fn deserialize(bytes: &'static [u8]) -> Option<sparse::DFA<&'static [u8]>> {
    if cfg!(target_endian = "big") {
        return None;
    }
    // SAFETY: the bytes are what `build` wrote with `to_bytes_little_endian`, through the same
    // regex-automata (the build script's and the binary's are one version: one Cargo.lock). Checked
    // deserialization would verify every transition, which costs more than compiling the pattern;
    // a test (`every_embedded_automaton_is_valid` in the binary's builtin module) runs the checked
    // `sparse::DFA::from_bytes` on every embedded automaton instead.
    let (dfa, _) = unsafe { sparse::DFA::from_bytes_unchecked(bytes) }.ok()?;
    Some(dfa)
}

/// Whether `bytes` are a valid serialized automaton (the check [`deserialize`] skips).
pub fn is_valid(bytes: &[u8]) -> bool {
    sparse::DFA::from_bytes(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leak(bytes: Vec<u8>) -> &'static [u8] {
        Box::leak(bytes.into_boxed_slice())
    }

    fn both(pattern: &str) -> (Matcher, regex::Regex) {
        let bytes = leak(build(pattern).expect("an automaton"));
        assert!(is_valid(bytes));
        let matcher = Matcher::new(pattern, Some(bytes)).unwrap();
        assert!(matches!(matcher, Matcher::Automaton(_)));
        (matcher, regex::Regex::new(pattern).unwrap())
    }

    #[test]
    fn automata_find_what_the_regex_finds() {
        let cases = [
            (
                "域名(持有者|所有者).{0,12}(不一致|不符)",
                "域名持有者与主体不符，域名所有者信息不一致；域名持有者不符",
            ),
            ("(?:客户|用户)?您好[,，!！]?", "客户您好！用户您好您好，x"),
            (
                "请(?:您)?(?:尽快)?登录[^。]{0,20}(?:控制台|系统)[^。]*",
                "请登录备案系统修改。请您尽快登录控制台查看详情。",
            ),
            (
                "(?:您|贵单位)?(?:提交|申请)的(?:ICP)?备案(?:订单|申请)?[^。，,：:]{0,30}?(?:经|已)?(?:审核|审查)?(?:后)?(?:被|已被)?(?:驳回|退回)了?[,，。:：]?(?:具体)?(?:原因|理由)?(?:如下)?[:：]?",
                "您提交的ICP备案订单经审核后被驳回了，具体原因如下：1. 名称",
            ),
            ("^\\s*原因[:：]", "  原因：名称不规范；原因：x"),
            ("(?i)icp备案", "ICP备案 icp备案 Icp备案"),
            ("a+?", "aaa"),
            ("备案", "没有"),
        ];
        for (pattern, text) in cases {
            let (matcher, regex) = both(pattern);
            let ours: Vec<(usize, usize)> = matcher.find_iter(text).collect();
            let theirs: Vec<(usize, usize)> = regex
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect();
            assert_eq!(ours, theirs, "{pattern}");
            assert_eq!(
                matcher.replace_all(text, " "),
                regex.replace_all(text, " "),
                "{pattern}"
            );
        }
    }

    #[test]
    fn patterns_a_dfa_should_not_take_are_left_to_the_regex() {
        assert!(build("a*").is_none(), "matches the empty string");
        assert!(build(r"\bword\b").is_none(), "a Unicode word boundary");
        assert!(build("(").is_none(), "invalid");
        let matcher = Matcher::new("a*", None).unwrap();
        assert!(matches!(matcher, Matcher::Regex(_)));
    }
}
