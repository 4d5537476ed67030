//! The Chinese-aware analyzer: CJK runs become overlapping character bigrams plus unigrams, Latin words
//! are folded to ASCII, lowercased and stemmed. The same analyzer serves the index and the queries.

pub mod stop;

use std::borrow::Cow;
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

/// [`fold_char`] over a whole string, then lowercased.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    fold_into(&mut folded, text);
    folded
}

/// Appends `text`, folded and lowercased, to `out`. ASCII (lowercased by [`fold_char`]) and CJK
/// characters (which have no case) skip Unicode's lowercase tables: they are most of every text.
fn fold_into(out: &mut String, text: &str) {
    for c in text.chars().map(fold_char) {
        if c.is_ascii() || is_cjk(c) {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
    }
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
    // A bigram shares the position of the character it starts with.
    let (mut position, mut next) = (0, 0);
    for_each_token(text, false, |term| {
        if term.kind != TokenKind::Bigram {
            position = next;
            next += 1;
        }
        tokens.push(token(term.from, term.to, position, term.text.to_string()));
    });
    tokens
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// One CJK character.
    Unigram,
    /// Two CJK characters in a row.
    Bigram,
    /// A word of letters and digits, folded and lowercased (and stemmed, from [`for_each_term`]).
    Word,
}

/// A token of a text, lent to the caller: `from..to` are its byte offsets in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term<'a> {
    pub kind: TokenKind,
    pub from: usize,
    pub to: usize,
    pub text: &'a str,
}

/// The terms the whole analyzer (tokenizer and stemmer) makes of `text`, in order, each lent to
/// `emit`: the same texts and offsets as [`analyzer`]'s token stream (a test checks it), without a
/// string for every token. A query's terms are analyzed this way, many times a ticket; only a word
/// is stemmed, since the English stemmer leaves CJK characters as they are.
pub fn for_each_term(text: &str, emit: impl FnMut(Term<'_>)) {
    for_each_token(text, true, emit);
}

/// The tokens of `text`: CJK runs as unigrams and bigrams (slices of `text`), words folded (and
/// stemmed, if `stem`) into a buffer.
fn for_each_token(text: &str, stem: bool, mut emit: impl FnMut(Term<'_>)) {
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    let mut word = String::new();
    let mut emit_run = |class: Class, start: usize, end: usize| match class {
        Class::Cjk => {
            let run = &text[start..end];
            let mut chars = run.char_indices().peekable();
            while let Some((at, c)) = chars.next() {
                let from = start + at;
                let char_end = from + c.len_utf8();
                emit(Term {
                    kind: TokenKind::Unigram,
                    from,
                    to: char_end,
                    text: &text[from..char_end],
                });
                if let Some(&(next_at, next)) = chars.peek() {
                    let to = start + next_at + next.len_utf8();
                    emit(Term {
                        kind: TokenKind::Bigram,
                        from,
                        to,
                        text: &text[from..to],
                    });
                }
            }
        }
        Class::Word => {
            word.clear();
            fold_into(&mut word, &text[start..end]);
            if word.len() <= MAX_WORD_BYTES {
                let stemmed = if stem {
                    stemmer.stem(&word)
                } else {
                    Cow::Borrowed(word.as_str())
                };
                emit(Term {
                    kind: TokenKind::Word,
                    from: start,
                    to: end,
                    text: &stemmed,
                });
            }
        }
        Class::Separator => {}
    };

    // The class and start of the run being read (a run: characters of one class in a row).
    let mut run: Option<(Class, usize)> = None;
    for (offset, c) in text.char_indices() {
        let c_class = class(fold_char(c));
        match run {
            Some((class, _)) if class == c_class => {}
            _ => {
                if let Some((class, start)) = run {
                    emit_run(class, start, offset);
                }
                run = Some((c_class, offset));
            }
        }
    }
    if let Some((class, start)) = run {
        emit_run(class, start, text.len());
    }
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

    /// A term's text and byte span.
    type Spanned = (String, usize, usize);

    /// (text, from, to) of every term, through the analyzer's token stream and through [`for_each_term`].
    fn both_ways(text: &str) -> (Vec<Spanned>, Vec<Spanned>) {
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut streamed = Vec::new();
        while let Some(token) = stream.next() {
            streamed.push((token.text.clone(), token.offset_from, token.offset_to));
        }
        let mut lent = Vec::new();
        for_each_term(text, |term| {
            lent.push((term.text.to_string(), term.from, term.to))
        });
        (streamed, lent)
    }

    #[test]
    fn lent_terms_equal_the_token_stream() {
        for text in [
            "",
            "备案号",
            "Filing REJECTED, websites running; ＩＣＰ（１００５）备案",
            "域名.io后缀 my company's domains 个人 站 ",
            "ｆｉｌｉｎｇｓ 𠀀𠀁 ｶﾀｶﾅ カタカナ 한국어 café naïve ÉCOLE",
            &format!("{} 备案 generally", "a".repeat(60)),
        ] {
            let (streamed, lent) = both_ways(text);
            assert_eq!(lent, streamed, "{text}");
        }
    }

    /// Only words are stemmed on the way of [`for_each_term`]: the stemmer must leave every CJK
    /// character, and every pair of them, as it is.
    #[test]
    fn the_stemmer_leaves_cjk_alone() {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let cjk: Vec<char> = (0..=0x3134F)
            .filter_map(char::from_u32)
            .filter(|&c| is_cjk(c))
            .collect();
        let mut pair = String::new();
        for (i, &c) in cjk.iter().enumerate() {
            assert_eq!(stemmer.stem(c.encode_utf8(&mut [0; 4])), c.to_string());
            let next = cjk[(i * 7919) % cjk.len()];
            pair.clear();
            pair.extend([c, next]);
            assert_eq!(stemmer.stem(&pair), pair.as_str());
        }
    }

    /// The shortcut for ASCII and CJK must lowercase as Unicode's tables do.
    #[test]
    fn fold_lowercases_every_character_as_unicode_does() {
        for c in (0..=0x3134F).filter_map(char::from_u32) {
            let text = c.to_string();
            let slow: String = text
                .chars()
                .map(fold_char)
                .flat_map(char::to_lowercase)
                .collect();
            assert_eq!(fold(&text), slow, "{c:?}");
        }
    }

    #[test]
    fn fold_handles_full_width_and_case() {
        assert_eq!(fold("ＡＢｃ，（１）"), "abc,(1)");
    }
}
