//! Splits a pasted notice into the reasons it lists: numbered items, semicolons and line breaks, with
//! boilerplate (greetings, order numbers, "请修改后重新提交") removed. A plain question is one segment.

use crate::matching::{literal_table, Automata, LazyMatcher, Literals, Phrases};
use crate::tables::BoilerplateTables;
use std::sync::atomic::{AtomicBool, Ordering};

/// One reason of a notice: the text as written (trimmed, marker removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
}

/// A boilerplate pattern, made ready the first time a text contains one of its literals.
#[derive(Debug)]
struct Boilerplate {
    literals: Literals,
    matcher: LazyMatcher,
}

impl Boilerplate {
    /// The text with every match replaced by a space, or `None` when nothing matches. `compile`:
    /// compile the regex even when there is an automaton (see [`Segmenter::prefer_compiled`]).
    fn remove(&self, text: &str, compile: bool) -> Option<String> {
        let matcher = self.matcher.get(compile)?;
        matcher
            .is_match(text)
            .then(|| matcher.replace_all(text, " "))
    }
}

/// Splitting rules plus the boilerplate patterns of the knowledge base's `notice.toml`.
#[derive(Debug)]
pub struct Segmenter {
    boilerplate: Vec<Boilerplate>,
    /// The patterns' literals (owner: `Literal { pattern, set }`), to find in one pass which patterns
    /// a piece of text may match.
    gate: Phrases,
    /// Set by [`Segmenter::prefer_compiled`].
    compile_patterns: AtomicBool,
}

/// Characters that end a reason.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | ';' | '；' | '。')
}

/// Characters after which an enumeration marker may start.
fn may_precede_marker(c: char) -> bool {
    c.is_whitespace() || matches!(c, ':' | '：' | ',' | '，' | '、')
}

const CHINESE_NUMERALS: &str = "一二三四五六七八九十";

/// The byte length of an enumeration marker at the start of `text`: `1.` `1、` `1)` `(1)` `（1）` `①` `一、`.
/// Numbers have one or two digits, so codes like `(1005)` and decimals like `1.5` are not markers.
fn marker_len(text: &str) -> Option<usize> {
    let mut chars = text.char_indices();
    let (_, first) = chars.next()?;
    if ('①'..='⑳').contains(&first) {
        return Some(first.len_utf8());
    }
    if first == '(' || first == '（' {
        let rest = &text[first.len_utf8()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let close = rest[digits..].chars().next()?;
        return ((1..=2).contains(&digits) && (close == ')' || close == '）'))
            .then(|| first.len_utf8() + digits + close.len_utf8());
    }
    if first.is_ascii_digit() {
        let digits = text.chars().take_while(char::is_ascii_digit).count();
        let mut after = text[digits..].chars();
        let delimiter = after.next()?;
        let next = after.next();
        let is_delimiter = matches!(delimiter, '.' | '、' | ')' | '）');
        // "1.5" is a number, not item 1.
        let number_follows = delimiter == '.' && next.is_some_and(|c| c.is_ascii_digit());
        return ((1..=2).contains(&digits) && is_delimiter && !number_follows)
            .then(|| digits + delimiter.len_utf8());
    }
    if CHINESE_NUMERALS.contains(first) {
        let numerals: usize = text
            .chars()
            .take_while(|&c| CHINESE_NUMERALS.contains(c))
            .map(char::len_utf8)
            .sum();
        let delimiter = text[numerals..].chars().next()?;
        return (numerals <= 2 * '一'.len_utf8() && delimiter == '、')
            .then(|| numerals + delimiter.len_utf8());
    }
    None
}

impl Segmenter {
    /// `boilerplate` holds regular expressions; invalid ones are never applied (the linter reports them).
    pub fn new(boilerplate: &[String]) -> Segmenter {
        let literals: Vec<Literals> = boilerplate.iter().map(|p| Literals::of(p)).collect();
        let gate = literal_table(&literals);
        Segmenter::prepared(boilerplate, BoilerplateTables { literals, gate })
    }

    /// As [`Segmenter::new`], with each pattern's literals and their table already computed.
    pub fn prepared(boilerplate: &[String], tables: BoilerplateTables) -> Segmenter {
        let BoilerplateTables { literals, gate } = tables;
        Segmenter {
            boilerplate: boilerplate
                .iter()
                .zip(literals)
                .map(|(source, literals)| Boilerplate {
                    literals,
                    matcher: LazyMatcher::new(source.clone()),
                })
                .collect(),
            gate,
            compile_patterns: AtomicBool::new(false),
        }
    }

    /// Uses the automata built for the boilerplate patterns, pattern number `first` being the first
    /// of them, so that they are not compiled at run time.
    pub fn use_automata(&mut self, automata: Automata, first: usize) {
        for (number, pattern) in self.boilerplate.iter_mut().enumerate() {
            pattern.matcher.set_automaton(automata.get(first + number));
        }
    }

    /// From now on, boilerplate patterns not used yet are compiled even when they have an automaton
    /// (as [`crate::rank::Ranker::prefer_compiled`] does, for the same reason), and the gate's
    /// literals are found with one automaton.
    pub fn prefer_compiled(&self) {
        self.compile_patterns.store(true, Ordering::Relaxed);
        self.gate.prepare_for_many();
    }

    /// The reasons in `text`, in order. Never empty for non-empty text: if every part is boilerplate,
    /// the whole text is the one segment.
    pub fn segments(&self, text: &str) -> Vec<Segment> {
        self.split(text).0
    }

    /// The reasons in `text`, and whether it reads as a notice: it numbers its items or carries
    /// boilerplate (a greeting, an order number, "原因如下").
    pub fn split(&self, text: &str) -> (Vec<Segment>, bool) {
        let mut notice = false;
        let mut pieces: Vec<&str> = Vec::new();
        for part in text.split(is_break) {
            let mut start = 0;
            let mut previous: Option<char> = None;
            for (i, c) in part.char_indices() {
                // ① and (1) are markers anywhere; 1. 1、 一、 only after a separator ("第1、2条" is not a list).
                let anywhere = ('①'..='⑳').contains(&c) || c == '(' || c == '（';
                if anywhere || previous.is_none_or(may_precede_marker) {
                    if let Some(len) = marker_len(&part[i..]) {
                        notice = true;
                        pieces.push(&part[start..i]);
                        start = i + len;
                    }
                }
                previous = Some(c);
            }
            pieces.push(&part[start..]);
        }

        let mut segments: Vec<Segment> = Vec::new();
        for piece in pieces {
            let (text, stripped) = self.strip(piece);
            notice |= stripped;
            if has_content(&text) {
                segments.push(Segment { text });
            }
        }
        if segments.is_empty() {
            let whole = text.split_whitespace().collect::<Vec<_>>().join(" ");
            return (vec![Segment { text: whole }], notice);
        }
        (segments, notice)
    }

    /// Removes boilerplate, collapses white space and trims punctuation at the ends; says whether
    /// boilerplate was removed.
    fn strip(&self, piece: &str) -> (String, bool) {
        let mut stripped = false;
        let mut text = piece.trim().to_string();
        // Patterns without literals always run; the others when the text holds one of their literals.
        let mark = |text: &str| {
            let found = self.gate.find(text, 0);
            let may_match: Vec<bool> = (self.boilerplate.iter().enumerate())
                .map(|(i, pattern)| pattern.literals.admits(i, &found))
                .collect();
            may_match
        };
        let mut may_match = mark(&text);
        for (i, pattern) in self.boilerplate.iter().enumerate() {
            if !may_match[i] {
                continue;
            }
            if let Some(rest) = pattern.remove(&text, self.compile_patterns.load(Ordering::Relaxed))
            {
                text = rest;
                stripped = true;
                // The text changed: what the later patterns may match is found again.
                may_match = mark(&text);
            }
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = text
            .trim_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '（' && c != '.')
            .to_string();
        (text, stripped)
    }
}

/// A segment worth searching: at least two CJK characters or one Latin word of three letters.
fn has_content(text: &str) -> bool {
    let cjk = text.chars().filter(|&c| crate::analyzer::is_cjk(c)).count();
    cjk >= 2
        || text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word.len() >= 3 && word.chars().any(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(segmenter: &Segmenter, text: &str) -> Vec<String> {
        segmenter
            .segments(text)
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    fn plain() -> Segmenter {
        Segmenter::new(&[
            "您好".to_string(),
            "请修改后重新提交".to_string(),
            "^\\s*原因[:：]".to_string(),
        ])
    }

    #[test]
    fn a_question_is_one_segment() {
        assert_eq!(
            texts(&plain(), "备案退回后下一步做什么?"),
            ["备案退回后下一步做什么"]
        );
    }

    #[test]
    fn numbered_items_and_semicolons_split() {
        let s = plain();
        assert_eq!(
            texts(&s, "原因:1. 网站名称含敏感词;2. 地址缺门牌号"),
            ["网站名称含敏感词", "地址缺门牌号"]
        );
        assert_eq!(
            texts(&s, "(1)幕布照片太暗(2)证件过期"),
            ["幕布照片太暗", "证件过期"]
        );
        assert_eq!(
            texts(&s, "(1)幕布照片太暗 (2)证件过期"),
            ["幕布照片太暗", "证件过期"]
        );
        assert_eq!(
            texts(&s, "①名称不规范②地址不详"),
            ["名称不规范", "地址不详"]
        );
        assert_eq!(texts(&s, "见第1、2条的要求"), ["见第1、2条的要求"]);
        assert_eq!(
            texts(&s, "① 名称不规范，② 地址不详"),
            ["名称不规范", "地址不详"]
        );
        assert_eq!(
            texts(&s, "一、名称不规范\n二、地址不详"),
            ["名称不规范", "地址不详"]
        );
        assert_eq!(
            texts(&s, "幕布照片太暗；法人身份证到期了"),
            ["幕布照片太暗", "法人身份证到期了"]
        );
    }

    #[test]
    fn codes_and_decimals_are_not_markers() {
        let s = plain();
        assert_eq!(texts(&s, "(1005)域名冲突"), ["(1005)域名冲突"]);
        assert_eq!(texts(&s, "版本 1.5 的网站"), ["版本 1.5 的网站"]);
        assert_eq!(texts(&s, "保留 45 天"), ["保留 45 天"]);
    }

    #[test]
    fn boilerplate_is_removed_and_an_all_boilerplate_text_stays_whole() {
        let s = plain();
        assert_eq!(texts(&s, "您好;证件过期;请修改后重新提交"), ["证件过期"]);
        assert_eq!(texts(&s, "您好"), ["您好"]);
    }
}
