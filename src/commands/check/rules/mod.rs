//! The rules, one module per concern. Each rule's doc comment cites where it comes from: a numbered
//! reason or a section of `research/icp-facts.md` and its source keys ([T1], [H8]…).
//!
//! Severity follows one policy: `error` when the filing's own data breaks a rule that applies in
//! every province; `warning` for provincial or provider-specific rules and for text heuristics
//! (the message says which); `info` for what is not a problem but worth knowing.

mod contacts;
mod domain;
mod server;
mod subject;
mod website;

use super::filing::{Filing, Person};
use super::{Finding, Severity};
use time::Date;

/// Runs every rule over a filing.
pub fn run(filing: &Filing, today: Date) -> Vec<Finding> {
    let mut out = Findings::default();
    let ctx = Context { filing, today };
    subject::check(&ctx, &mut out);
    contacts::check(&ctx, &mut out);
    website::check(&ctx, &mut out);
    domain::check(&ctx, &mut out);
    server::check(&ctx, &mut out);
    out.list
}

/// What every rule reads.
pub(crate) struct Context<'a> {
    pub filing: &'a Filing,
    pub today: Date,
}

impl<'a> Context<'a> {
    /// The responsible persons with their field paths: the subject's head, then each website's.
    pub fn persons(&self) -> Vec<(String, &'a Person)> {
        let mut persons = vec![("subject.head".to_string(), &self.filing.subject.head)];
        for (i, site) in self.filing.websites.iter().enumerate() {
            persons.push((format!("websites[{i}].head"), &site.head));
        }
        persons
    }
}

/// Collects findings; every finding is written in Chinese and English.
#[derive(Default)]
pub(crate) struct Findings {
    list: Vec<Finding>,
}

impl Findings {
    /// Starts a finding of `rule` that points at the knowledge-base `entry`: name its field with
    /// [`Draft::at`], then say it in both languages with [`Draft::says`], which adds it.
    pub fn finding(
        &mut self,
        rule: &'static str,
        severity: Severity,
        entry: &'static str,
    ) -> Draft<'_> {
        Draft {
            findings: self,
            rule,
            severity,
            entry,
            field: String::new(),
        }
    }
}

/// A finding being written.
#[must_use = "a finding is added only by `says`"]
pub(crate) struct Draft<'a> {
    findings: &'a mut Findings,
    rule: &'static str,
    severity: Severity,
    entry: &'static str,
    field: String,
}

impl Draft<'_> {
    /// The path of the field the finding is about: `websites[0].domains[1].registrant`.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = field.into();
        self
    }

    /// The finding in Chinese and in English; adds it.
    pub fn says(self, message: impl Into<String>, message_en: impl Into<String>) {
        self.findings.list.push(Finding {
            rule: self.rule,
            severity: self.severity,
            field: self.field,
            message: message.into(),
            message_en: message_en.into(),
            entry: self.entry,
        });
    }
}

/// How two names compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameMatch {
    Same,
    /// Equal once full-width and ASCII brackets are treated alike: some systems compare literally.
    BracketsOnly,
    Different,
}

pub(crate) fn compare_names(a: &str, b: &str) -> NameMatch {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (a, b) = (squash(a), squash(b));
    if a == b {
        return NameMatch::Same;
    }
    let brackets = |s: &str| s.replace('（', "(").replace('）', ")");
    if brackets(&a) == brackets(&b) {
        NameMatch::BracketsOnly
    } else {
        NameMatch::Different
    }
}

/// The digits of a phone number, without a +86 / 0086 country prefix.
pub(crate) fn phone_digits(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let trimmed = phone.trim_start();
    if trimmed.starts_with("+86") || trimmed.starts_with("0086") {
        let prefix = if trimmed.starts_with('+') { 2 } else { 4 };
        return digits[prefix.min(digits.len())..].to_string();
    }
    digits
}

/// Han characters (CJK ideographs) in a text.
pub(crate) fn han_count(text: &str) -> usize {
    text.chars().filter(|c| is_han(*c)).count()
}

pub(crate) fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2ebef}')
}

/// The listed words that occur in a text, in list order.
pub(crate) fn words_in<'w>(text: &str, words: &[&'w str]) -> Vec<&'w str> {
    let lower = text.to_lowercase();
    words
        .iter()
        .copied()
        .filter(|w| lower.contains(&w.to_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_ignoring_spaces_and_flag_bracket_width() {
        assert_eq!(compare_names("张 三", "张三"), NameMatch::Same);
        assert_eq!(
            compare_names(
                "杭州某某科技有限公司（滨江分公司）",
                "杭州某某科技有限公司(滨江分公司)"
            ),
            NameMatch::BracketsOnly
        );
        assert_eq!(compare_names("张三", "李四"), NameMatch::Different);
    }

    #[test]
    fn phone_digits_drop_separators_and_the_country_prefix() {
        assert_eq!(phone_digits("+86 138-0000-0000"), "13800000000");
        assert_eq!(phone_digits("0086 13800000000"), "13800000000");
        assert_eq!(phone_digits("0571-8888 8888"), "057188888888");
    }

    #[test]
    fn han_characters_are_counted_and_words_found_case_insensitively() {
        assert_eq!(han_count("Go语言笔记"), 4);
        assert_eq!(
            words_in("我的BBS论坛", &["bbs", "论坛", "博客"]),
            vec!["bbs", "论坛"]
        );
    }
}
