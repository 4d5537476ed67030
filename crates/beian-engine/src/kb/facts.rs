//! The facts of a sentence that its translation must keep as they are: URLs, dates, codes and
//! numbers. `kb lint` compares them between each Chinese item and its English counterpart.
//!
//! What counts, in this order (each found piece is taken out before the next kind is looked for, so a
//! date's digits are not numbers too):
//! - a URL: `http://` or `https://` up to a space, a quote, a bracket or CJK punctuation;
//! - a date, written `2018-01-01`, `2018/1/1`, `2018.01.01`, `2018年1月1日`, `1 January 2018` or
//!   `January 1, 2018`: all the same date;
//! - a code: a run of ASCII letters and digits that starts with a letter and holds a digit (`B2`,
//!   `H3`), compared without case;
//! - a number: a run of digits, with a decimal part (`1.5`); an ordinal (`6th`) or a unit (`24h`,
//!   `5G`) is its number, a thousands separator (`10,000`) is dropped, leading zeros too.
//!
//! An English month written with a year (`August 2023`) is that month's number and the year, as
//! `2023年8月` is in Chinese. Numbers written as words (三, three) are not facts here.

use crate::analyzer::fold;
use once_cell::sync::Lazy;
use regex::{Captures, Regex};
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fact {
    Url(String),
    Date(String),
    Code(String),
    Number(String),
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fact::Url(url) => write!(f, "the URL {url}"),
            Fact::Date(date) => write!(f, "the date {date}"),
            Fact::Code(code) => write!(f, "the code {code}"),
            Fact::Number(number) => write!(f, "the number {number}"),
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_number(name: &str) -> u32 {
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(name))
        .map_or(0, |i| i as u32 + 1)
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the fact patterns are valid")
}

static URL: Lazy<Regex> =
    Lazy::new(|| regex(r#"https?://[^\s"'“”‘’<>()（）\[\]【】「」《》，。；、！？]+"#));
static DAY_MONTH_YEAR: Lazy<Regex> = Lazy::new(|| {
    regex(&format!(
        r"\b(\d{{1,2}})\s+({})\s*,?\s+(\d{{4}})\b",
        MONTHS.join("|")
    ))
});
static MONTH_DAY_YEAR: Lazy<Regex> = Lazy::new(|| {
    regex(&format!(
        r"\b({})\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(\d{{4}})\b",
        MONTHS.join("|")
    ))
});
static CHINESE_DATE: Lazy<Regex> =
    Lazy::new(|| regex(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"));
static NUMERIC_DATE: Lazy<Regex> =
    Lazy::new(|| regex(r"(?:^|[^0-9.])(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})(?:$|[^0-9])"));
static MONTH_YEAR: Lazy<Regex> =
    Lazy::new(|| regex(&format!(r"\b({})\s*,?\s+(\d{{4}})\b", MONTHS.join("|"))));
static THOUSANDS: Lazy<Regex> = Lazy::new(|| regex(r"(\d),(\d{3})\b"));

fn date(year: &str, month: u32, day: &str) -> Fact {
    let day: u32 = day.parse().unwrap_or(0);
    Fact::Date(format!("{year}-{month:02}-{day:02}"))
}

/// The facts of `text`: see the module docs.
pub fn facts(text: &str) -> BTreeSet<Fact> {
    let mut found = BTreeSet::new();
    // URLs keep their case; everything after is compared folded (full-width digits, case).
    let text = URL.replace_all(text, |c: &Captures| {
        let url = c[0].trim_end_matches(['.', ',', ';', ':', '!', '?']);
        found.insert(Fact::Url(url.to_string()));
        " ".to_string()
    });
    let text = fold(&text);
    let text = DAY_MONTH_YEAR.replace_all(&text, |c: &Captures| {
        found.insert(date(&c[3], month_number(&c[2]), &c[1]));
        " "
    });
    let text = MONTH_DAY_YEAR.replace_all(&text, |c: &Captures| {
        found.insert(date(&c[3], month_number(&c[1]), &c[2]));
        " "
    });
    let text = CHINESE_DATE.replace_all(&text, |c: &Captures| {
        found.insert(date(&c[1], c[2].parse().unwrap_or(0), &c[3]));
        " "
    });
    let mut text = text.into_owned();
    // The boundaries are part of each match, so matches that touch need another pass.
    loop {
        let next = NUMERIC_DATE.replace_all(&text, |c: &Captures| {
            if c[2] != c[4] {
                return c[0].to_string();
            }
            found.insert(date(&c[1], c[3].parse().unwrap_or(0), &c[5]));
            let whole = &c[0];
            let lead = whole.len()
                - whole
                    .trim_start_matches(|ch: char| !ch.is_ascii_digit())
                    .len();
            let trail = whole.len()
                - whole
                    .trim_end_matches(|ch: char| !ch.is_ascii_digit())
                    .len();
            format!("{} {}", &whole[..lead], &whole[whole.len() - trail..])
        });
        if next == text {
            break;
        }
        text = next.into_owned();
    }
    let text = MONTH_YEAR.replace_all(&text, |c: &Captures| {
        format!(" {} {} ", month_number(&c[1]), &c[2])
    });
    let mut text = text.into_owned();
    while THOUSANDS.is_match(&text) {
        text = THOUSANDS.replace_all(&text, "$1$2").into_owned();
    }
    scan_codes_and_numbers(&text, &mut found);
    found
}

/// Codes and numbers: runs of ASCII letters and digits (a `.` between digits stays in the run).
fn scan_codes_and_numbers(text: &str, found: &mut BTreeSet<Fact>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric()
                || (bytes[i] == b'.'
                    && i > start
                    && bytes[i - 1].is_ascii_digit()
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)))
        {
            i += 1;
        }
        let run = &text[start..i];
        if run.as_bytes()[0].is_ascii_alphabetic() {
            if run.bytes().any(|b| b.is_ascii_digit()) {
                found.insert(Fact::Code(run.to_ascii_uppercase()));
            }
            continue;
        }
        let end = run
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(run.len());
        let number = &run[..end];
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let whole = whole.trim_start_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        let number = if fraction.is_empty() {
            whole.to_string()
        } else {
            format!("{whole}.{fraction}")
        };
        found.insert(Fact::Number(number));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Vec<String> {
        facts(text).iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn chinese_and_english_say_the_same_facts() {
        let pairs = [
            (
                "自2018年1月1日起，工信部要求域名注册人的实名信息与备案主体一致。",
                "Since 1 January 2018, MIIT has required the registrant's real-name information to match.",
            ),
            (
                "验证码输错 5 次后，第 6 次就会退回申请；24 小时内完成。",
                "After 5 wrong entries, the 6th attempt returns the application; complete it within 24h.",
            ),
            (
                "依据是工信部 2023 年 8 月发布的通知，2019-04-22 起一个网站只能填一个域名。",
                "The basis is a notice MIIT issued in August 2023; since April 22, 2019 a site lists one domain.",
            ),
            (
                "登录 https://beian.miit.gov.cn/（ICP备案系统）查询，B2 许可证另办，１０，０００ 元。",
                "Look it up at https://beian.miit.gov.cn/ (the ICP filing system); a b2 license is separate, 10,000 yuan.",
            ),
            ("腾讯云复审约1–2个工作日，最长20个工作日。", "about 1-2 working days, at most 20 working days."),
        ];
        for (zh, en) in pairs {
            assert_eq!(facts(zh), facts(en), "\n{zh}\n{en}");
            assert!(!facts(zh).is_empty(), "{zh}");
        }
    }

    #[test]
    fn each_kind_is_found_once_and_named() {
        assert_eq!(
            shown("see https://example.com/a?b=1. on 2019/4/22, code H3, 3rd time, 1.5 days, 007"),
            [
                "the URL https://example.com/a?b=1",
                "the date 2019-04-22",
                "the code H3",
                "the number 1.5",
                "the number 3",
                "the number 7",
            ]
        );
    }

    #[test]
    fn dates_are_not_numbers_and_numbers_are_not_dates() {
        assert_eq!(shown("2020-08-17"), ["the date 2020-08-17"]);
        assert_eq!(shown("2020-08"), ["the number 2020", "the number 8"]);
        assert_eq!(
            shown("版本 1.2.3，80/443 端口"),
            ["the number 1.2.3", "the number 443", "the number 80"]
        );
        assert_eq!(
            shown("2019-04-22、2024-03-31"),
            ["the date 2019-04-22", "the date 2024-03-31"]
        );
    }

    #[test]
    fn words_without_digits_are_not_facts() {
        assert!(facts("beian.miit.gov.cn ICP 备案 three days, the sixth try").is_empty());
    }

    #[test]
    fn a_missing_number_is_a_difference() {
        let zh = facts("管局审核最长20个工作日，短信核验24小时内完成。");
        let en = facts("The bureau review takes at most 20 working days; verify the SMS in time.");
        let missing: Vec<String> = zh.difference(&en).map(|f| f.to_string()).collect();
        assert_eq!(missing, ["the number 24"]);
    }
}
