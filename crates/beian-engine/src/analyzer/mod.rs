//! The Chinese-aware analyzer: CJK runs become overlapping character bigrams plus unigrams, Latin words
//! are folded to ASCII, lowercased and stemmed. The same analyzer serves the index and the queries.

pub mod stop;

use tantivy::tokenizer::{Language, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the analyzer is registered under in every index.
pub const ANALYZER: &str = "beian_cjk";

/// Words longer than this (in bytes) are dropped: they are noise (hashes, base64), never vocabulary.
const MAX_WORD_BYTES: usize = 48;

/// Builds the analyzer: the tokenizer below plus an English stemmer (which leaves CJK tokens alone).
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CjkTokenizer)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Folds full-width ASCII variants (`Ａ`, `１`, `，`, `（`) and the ideographic space to ASCII, and lowercases.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// [`fold_char`] over a whole string.
pub fn fold(text: &str) -> String {
    text.chars()
        .map(fold_char)
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a character is written without spaces between words (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3400..=0x4DBF   // CJK Extension A
        | 0x4E00..=0x9FFF   // CJK Unified Ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK Compatibility Ideographs
        | 0x20000..=0x3134F // Extensions B–G
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Word,
    Separator,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Separator
    }
}

/// The tokenizer; see the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct CjkTokenizer;

impl Tokenizer for CjkTokenizer {
    type TokenStream<'a> = CjkTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokenStream {
        CjkTokenStream {
            tokens: tokenize(text),
            next: 0,
            current: Token::default(),
        }
    }
}

/// Splits `text` into tokens with byte offsets on character boundaries of the original text.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0usize;
    // (byte offset, char) of the CJK run or word being read.
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut run_class = Class::Separator;

    let mut flush =
        |run: &mut Vec<(usize, char)>, class: Class, end: usize, tokens: &mut Vec<Token>| {
            match class {
                Class::Cjk => {
                    for (i, &(start, c)) in run.iter().enumerate() {
                        let char_end = start + c.len_utf8();
                        tokens.push(token(start, char_end, position, c.to_string()));
                        if let Some(&(next_start, next)) = run.get(i + 1) {
                            let mut pair = String::with_capacity(8);
                            pair.push(c);
                            pair.push(next);
                            tokens.push(token(start, next_start + next.len_utf8(), position, pair));
                        }
                        position += 1;
                    }
                }
                Class::Word => {
                    let word: String = run
                        .iter()
                        .map(|&(_, c)| fold_char(c))
                        .flat_map(char::to_lowercase)
                        .collect();
                    if word.len() <= MAX_WORD_BYTES {
                        tokens.push(token(run[0].0, end, position, word));
                        position += 1;
                    }
                }
                Class::Separator => {}
            }
            run.clear();
        };

    for (offset, c) in text.char_indices() {
        let folded = fold_char(c);
        let c_class = class(folded);
        if c_class != run_class && !run.is_empty() {
            flush(&mut run, run_class, offset, &mut tokens);
        }
        run_class = c_class;
        if c_class != Class::Separator {
            run.push((offset, c));
        }
    }
    if !run.is_empty() {
        flush(&mut run, run_class, text.len(), &mut tokens);
    }
    tokens
}

fn token(offset_from: usize, offset_to: usize, position: usize, text: String) -> Token {
    Token {
        offset_from,
        offset_to,
        position,
        text,
        position_length: 1,
    }
}

pub struct CjkTokenStream {
    tokens: Vec<Token>,
    next: usize,
    current: Token,
}

impl TokenStream for CjkTokenStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get_mut(self.next) {
            Some(token) => {
                self.current = std::mem::take(token);
                self.next += 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
    }
}

/// Runs the whole analyzer (tokenizer and stemmer) and returns the token texts in order.
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        terms(text)
    }

    #[test]
    fn chinese_becomes_unigrams_and_bigrams() {
        assert_eq!(texts("备案号"), ["备", "备案", "案", "案号", "号"]);
    }

    #[test]
    fn english_is_lowercased_and_stemmed() {
        assert_eq!(texts("Filing REJECTED"), ["file", "reject"]);
    }

    #[test]
    fn mixed_scripts_split_at_the_boundary() {
        assert_eq!(texts("ICP备案"), ["icp", "备", "备案", "案"]);
        assert_eq!(
            texts("域名.io后缀"),
            ["域", "域名", "名", "io", "后", "后缀", "缀"]
        );
    }

    #[test]
    fn full_width_punctuation_separates_and_full_width_letters_fold() {
        assert_eq!(
            texts("驳回：ＩＣＰ（１００５）"),
            ["驳", "驳回", "回", "icp", "1005"]
        );
        assert_eq!(texts("原因，一；二"), ["原", "原因", "因", "一", "二"]);
    }

    #[test]
    fn offsets_fall_on_character_boundaries_of_the_original() {
        let text = "Ａ备案：ok 网站";
        for token in tokenize(text) {
            assert!(text.is_char_boundary(token.offset_from), "{token:?}");
            assert!(text.is_char_boundary(token.offset_to), "{token:?}");
            assert!(token.offset_from < token.offset_to);
        }
        let bigram = tokenize(text)
            .into_iter()
            .find(|t| t.text == "备案")
            .unwrap();
        assert_eq!(&text[bigram.offset_from..bigram.offset_to], "备案");
    }

    #[test]
    fn punctuation_only_and_empty_give_nothing() {
        assert!(texts("").is_empty());
        assert!(texts("（）：^\"~*[]，。！").is_empty());
    }

    #[test]
    fn very_long_words_are_dropped() {
        let long = "a".repeat(200);
        assert_eq!(texts(&format!("{long} 备案")), ["备", "备案", "案"]);
    }

    #[test]
    fn fold_handles_full_width_and_case() {
        assert_eq!(fold("ＡＢｃ，（１）"), "abc,(1)");
    }
}
