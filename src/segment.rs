//! Splits a pasted notice into the reasons it lists: numbered items, semicolons and line breaks, with
//! boilerplate (greetings, order numbers, "请修改后重新提交") removed. A plain question is one segment.

use regex::Regex;

/// One reason of a notice: the text as written (trimmed, marker removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
}

/// Splitting rules plus the boilerplate patterns of the knowledge base's `notice.toml`.
#[derive(Debug)]
pub struct Segmenter {
    boilerplate: Vec<Regex>,
    marker: Regex,
    split: Regex,
}

impl Segmenter {
    /// `boilerplate` patterns must be valid (the knowledge base is linted); invalid ones are skipped.
    pub fn new(boilerplate: &[String]) -> Segmenter {
        Segmenter {
            boilerplate: boilerplate
                .iter()
                .filter_map(|pattern| Regex::new(pattern).ok())
                .collect(),
            // An enumeration marker: 1. 1、 1) (1) （1） ① 一、 — numbers of one or two digits only, so codes
            // like (1005) stay part of the text.
            marker: Regex::new(
                r"(?:^|[\s:：;；,，。])(?:\d{1,2}[.、)）](?:\s|[^\d])|[(（]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}、)",
            )
            .expect("marker pattern is valid"),
            split: Regex::new(r"[\n\r;；]+|。").expect("split pattern is valid"),
        }
    }

    /// The reasons in `text`, in order. Never empty for non-empty text: if every part is boilerplate,
    /// the whole text is the one segment.
    pub fn segments(&self, text: &str) -> Vec<Segment> {
        let mut pieces: Vec<String> = Vec::new();
        for part in self.split.split(text) {
            let mut last = 0;
            for found in self.marker.find_iter(part) {
                // Keep the separator before the marker with the previous piece; start after the marker.
                let marker_start = found
                    .as_str()
                    .char_indices()
                    .find(|(_, c)| !matches!(c, ' ' | '\t' | ':' | '：' | ';' | '；' | ',' | '，' | '。'))
                    .map_or(found.start(), |(i, _)| found.start() + i);
                pieces.push(part[last..marker_start].to_string());
                last = marker_end(part, marker_start, found.end());
            }
            pieces.push(part[last..].to_string());
        }

        let segments: Vec<Segment> = pieces
            .iter()
            .map(|piece| self.strip(piece))
            .filter(|piece| has_content(piece))
            .map(|text| Segment { text })
            .collect();
        if segments.is_empty() {
            let whole = text.split_whitespace().collect::<Vec<_>>().join(" ");
            return vec![Segment { text: whole }];
        }
        segments
    }

    /// Removes boilerplate and list markers, collapses white space and trims punctuation at the ends.
    fn strip(&self, piece: &str) -> String {
        let mut text = piece.to_string();
        for pattern in &self.boilerplate {
            text = pattern.replace_all(&text, " ").into_owned();
        }
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        text.trim_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '（' && c != '.')
            .to_string()
    }
}

/// The byte offset where the text after a marker starts: a marker like `1.` that matched the following
/// character (to tell `1.5` apart) must not eat it.
fn marker_end(part: &str, marker_start: usize, matched_end: usize) -> usize {
    let marker = &part[marker_start..matched_end];
    let mut chars = marker.char_indices();
    if let Some((_, first)) = chars.next() {
        if first.is_ascii_digit() {
            // \d{1,2} then [.、)）] then one more char: end right after the delimiter.
            let digits = marker.chars().take_while(char::is_ascii_digit).count();
            let delimiter = marker[digits..].chars().next().map_or(0, char::len_utf8);
            return marker_start + digits + delimiter;
        }
    }
    matched_end
}

/// A segment worth searching: at least two CJK characters or one Latin word of three letters.
fn has_content(text: &str) -> bool {
    let cjk = text.chars().filter(|&c| crate::index::analyzer::is_cjk(c)).count();
    cjk >= 2
        || text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| word.len() >= 3 && word.chars().any(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(segmenter: &Segmenter, text: &str) -> Vec<String> {
        segmenter.segments(text).into_iter().map(|s| s.text).collect()
    }

    fn plain() -> Segmenter {
        Segmenter::new(&["您好".to_string(), "请修改后重新提交".to_string()])
    }

    #[test]
    fn a_question_is_one_segment() {
        assert_eq!(texts(&plain(), "备案被驳回了怎么办?"), ["备案被驳回了怎么办"]);
    }

    #[test]
    fn numbered_items_and_semicolons_split() {
        let s = plain();
        assert_eq!(
            texts(&s, "原因:1. 网站名称不符合规范;2. 通信地址不详细"),
            ["原因", "网站名称不符合规范", "通信地址不详细"]
        );
        assert_eq!(texts(&s, "(1)幕布照片不清晰(2)证件过期"), ["幕布照片不清晰", "证件过期"]);
        assert_eq!(texts(&s, "①名称不规范②地址不详"), ["名称不规范", "地址不详"]);
        assert_eq!(texts(&s, "一、名称不规范\n二、地址不详"), ["名称不规范", "地址不详"]);
    }

    #[test]
    fn codes_and_decimals_are_not_markers() {
        let s = plain();
        assert_eq!(texts(&s, "(1005)域名冲突"), ["(1005)域名冲突"]);
        assert_eq!(texts(&s, "版本1.5的网站"), ["版本1.5的网站"]);
    }

    #[test]
    fn boilerplate_is_removed_and_an_all_boilerplate_text_stays_whole() {
        let s = plain();
        assert_eq!(texts(&s, "您好;证件过期;请修改后重新提交"), ["证件过期"]);
        assert_eq!(texts(&s, "您好"), ["您好"]);
    }
}
