//! The two languages of the knowledge base, and which of them a text is written in.

use crate::analyzer::{fold_char, is_cjk};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A language an entry is written in and an answer is given in. Chinese is the first: every entry
/// has a Chinese body, some also an English one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The code used on the command line and in JSON: `zh`, `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The language a question is written in.
    ///
    /// Latin-script words are counted against Chinese words, a Chinese word taken as two CJK
    /// characters (the average length of a Chinese word): the text is English when its Latin words
    /// outnumber its Chinese words, otherwise Chinese. So "my ICP filing was rejected" is English,
    /// "ICP备案被驳回" and "Cloudflare CDN 需要备案吗" are Chinese (a product name or two in a
    /// Chinese sentence does not make it English), and "what does 新增接入 mean" is English. A text
    /// with neither (digits, punctuation) is Chinese, the knowledge base's first language. Letters
    /// of other alphabetic scripts count as Latin: English serves their readers better than Chinese.
    pub fn of_text(text: &str) -> Lang {
        let mut latin_words = 0usize;
        let mut cjk_chars = 0usize;
        let mut in_word = false;
        for c in text.chars() {
            let c = fold_char(c);
            if is_cjk(c) {
                cjk_chars += 1;
                in_word = false;
            } else if c.is_alphabetic() {
                if !in_word {
                    latin_words += 1;
                }
                in_word = true;
            } else {
                // An apostrophe or hyphen inside a word (it's, e-mail) does not start a new one.
                in_word = in_word && matches!(c, '\'' | '’' | '-');
            }
        }
        if latin_words * 2 > cjk_chars {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown language '{s}' (expected zh or en)"))
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn latin_script_questions_are_english() {
        for text in [
            "my ICP filing was rejected because the website name is not compliant",
            "ICP",
            "what does 新增接入 mean",
            "how do I do 备案 for a site hosted in Shanghai",
            "Do foreigners need a Chinese ID? (外国人)",
            "Ｗｅｂｓｉｔｅ ｎａｍｅ",
        ] {
            assert_eq!(Lang::of_text(text), Lang::En, "{text}");
        }
    }

    #[test]
    fn chinese_questions_are_chinese_even_with_product_names() {
        for text in [
            "网站名称不合格被驳回了",
            "ICP备案被驳回了怎么办",
            "Cloudflare CDN 需要备案吗",
            "阿里云 ECS 到期了，备案会被注销吗",
            "驳回原因：(1005) 域名已备案",
        ] {
            assert_eq!(Lang::of_text(text), Lang::Zh, "{text}");
        }
    }

    #[test]
    fn text_without_letters_is_chinese() {
        assert_eq!(Lang::of_text(""), Lang::Zh);
        assert_eq!(Lang::of_text("1005 ？！"), Lang::Zh);
    }

    #[test]
    fn apostrophes_and_hyphens_stay_inside_a_word() {
        // Two words against three Chinese words: Chinese. Split at the apostrophe it would be four.
        assert_eq!(Lang::of_text("it's e-mail 备案号码是什么"), Lang::Zh);
    }

    #[test]
    fn codes_parse_and_print() {
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert_eq!(" ZH ".parse::<Lang>(), Ok(Lang::Zh));
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(Lang::En.to_string(), "en");
    }
}
