//! Test support (the `tiny` feature): writes a tiny, randomly initialised XLM-RoBERTa model in the
//! Hugging Face layout, so that tests of the encoder and of its callers run without a real model.
//!
//! The network has E5's shape at a toy size; its weights are pseudo-random, drawn from a seed, so its
//! vectors mean nothing but are deterministic: one seed always gives the same vectors, and two seeds
//! give different ones (a test can simulate "the model changed"). The tokenizer is a WordPiece over a
//! few hundred tokens — XLM-R's special tokens at XLM-R's ids, ASCII letters and pieces, some
//! English words and common Chinese characters — so that English and Chinese texts both tokenize.

use candle_core::{Device, Tensor};
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::Path;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::normalizers::BertNormalizer;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, Tokenizer};

/// The length of the tiny model's vectors (its hidden size).
pub const DIMENSIONS: usize = 32;

/// The tiny model's transformer layers.
pub const LAYERS: usize = 2;

const HEADS: usize = 4;
const INTERMEDIATE: usize = 64;
/// XLM-R's: 512 positions after the padding id + 1.
const POSITIONS: usize = 514;
const PAD_ID: u32 = 1;

/// XLM-R's special tokens, at XLM-R's ids (`<mask>` comes last, as in XLM-R).
const SPECIAL: [&str; 4] = ["<s>", "<pad>", "</s>", "<unk>"];
const MASK: &str = "<mask>";

const WORDS: &str = "query passage the a an of to in and or for is are what how can do we our my \
    need want company website site domain server china chinese foreign filing license record";

/// Common characters, and those of the ICP filing's vocabulary; a character not here becomes `<unk>`.
const HANZI: &str = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去\
    之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面\
    公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女\
    问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代吗\
    产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提\
    备案域网站企证许审核拒驳材料照片负责号码服务器接管局境资籍护更换注销幕布";

/// Writes the tiny model — `config.json`, `tokenizer.json`, `model.safetensors` — into `dir` (which
/// must exist), with weights drawn from `seed`.
pub fn write_model(dir: &Path, seed: u64) -> io::Result<()> {
    let tokenizer = tokenizer()?;
    let vocabulary = tokenizer.get_vocab_size(true);
    tokenizer
        .save(dir.join("tokenizer.json"), true)
        .map_err(io::Error::other)?;
    let config = serde_json::to_string_pretty(&config(vocabulary))?;
    std::fs::write(dir.join("config.json"), config)?;
    candle_core::safetensors::save(&weights(vocabulary, seed)?, dir.join("model.safetensors"))
        .map_err(io::Error::other)
}

/// The fields `candle_transformers`' XLM-RoBERTa reads, and those a Hugging Face config has beside.
fn config(vocabulary: usize) -> serde_json::Value {
    serde_json::json!({
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "hidden_size": DIMENSIONS,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INTERMEDIATE,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": POSITIONS,
        "position_embedding_type": "absolute",
        "type_vocab_size": 1,
        "vocab_size": vocabulary,
        "layer_norm_eps": 1e-5,
        "initializer_range": 0.02,
        "pad_token_id": PAD_ID,
        "bos_token_id": 0,
        "eos_token_id": 2,
    })
}

/// The tokens, one a line in id order (the WordPiece vocabulary format).
fn vocabulary() -> String {
    let mut tokens: Vec<String> = SPECIAL.iter().map(|t| t.to_string()).collect();
    let ascii = ('a'..='z').chain('0'..='9');
    tokens.extend(ascii.clone().map(String::from));
    tokens.extend(ascii.map(|c| format!("##{c}")));
    tokens.extend(
        "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
            .chars()
            .map(String::from),
    );
    tokens.extend("，。？！、：；（）《》“”".chars().map(String::from));
    tokens.extend(WORDS.split_whitespace().map(String::from));
    tokens.extend(HANZI.chars().map(String::from));
    tokens.push(MASK.to_string());
    let mut seen = HashSet::new();
    tokens.retain(|token| seen.insert(token.clone()));
    tokens.join("\n")
}

fn tokenizer() -> io::Result<Tokenizer> {
    let vocab = WordPiece::read_bytes(vocabulary().as_bytes()).map_err(io::Error::other)?;
    let id = |token: &str| vocab[token];
    let model = WordPiece::builder()
        .vocab(vocab.clone())
        .unk_token("<unk>".to_string())
        .build()
        .map_err(io::Error::other)?;
    let post_processor = TemplateProcessing::builder()
        .try_single("<s> $A </s>")
        .and_then(|b| b.try_pair("<s> $A </s> </s> $B </s>"))
        .map_err(io::Error::other)?
        .special_tokens(vec![("<s>", id("<s>")), ("</s>", id("</s>"))])
        .build()
        .map_err(io::Error::other)?;
    let mut tokenizer = Tokenizer::new(model);
    // Lower-case, strip accents, and put spaces around each CJK character, so that every character
    // of unspaced Chinese is a word of its own.
    tokenizer
        .with_normalizer(Some(BertNormalizer::new(true, true, None, true)))
        .map_err(io::Error::other)?;
    tokenizer.with_pre_tokenizer(Some(BertPreTokenizer));
    tokenizer.with_post_processor(Some(post_processor));
    let special = SPECIAL.iter().chain([&MASK]);
    tokenizer
        .add_special_tokens(special.map(|t| AddedToken::from(*t, true)))
        .map_err(io::Error::other)?;
    Ok(tokenizer)
}

/// Every tensor `XLMRobertaModel` loads, pseudo-random from `seed`: matrices scaled as PyTorch
/// initialises a linear layer (±1/√fan-in), LayerNorms near the identity.
fn weights(vocabulary: usize, seed: u64) -> io::Result<HashMap<String, Tensor>> {
    let mut random = SplitMix64(seed);
    let mut tensors = HashMap::new();
    let mut add = |name: String, shape: &[usize], centre: f32, spread: f32| -> io::Result<()> {
        let values: Vec<f32> = (0..shape.iter().product::<usize>())
            .map(|_| centre + spread * random.next_signed())
            .collect();
        let tensor = Tensor::from_vec(values, shape, &Device::Cpu).map_err(io::Error::other)?;
        tensors.insert(name, tensor);
        Ok(())
    };
    let (h, i) = (DIMENSIONS, INTERMEDIATE);
    let norm = |name: &str| {
        (
            format!("{name}.LayerNorm.weight"),
            format!("{name}.LayerNorm.bias"),
        )
    };
    add(
        "embeddings.word_embeddings.weight".into(),
        &[vocabulary, h],
        0.0,
        0.5,
    )?;
    add(
        "embeddings.position_embeddings.weight".into(),
        &[POSITIONS, h],
        0.0,
        0.5,
    )?;
    add(
        "embeddings.token_type_embeddings.weight".into(),
        &[1, h],
        0.0,
        0.5,
    )?;
    let (weight, bias) = norm("embeddings");
    add(weight, &[h], 1.0, 0.1)?;
    add(bias, &[h], 0.0, 0.1)?;
    for layer in 0..LAYERS {
        let prefix = format!("encoder.layer.{layer}");
        let linears = [
            ("attention.self.query", h, h),
            ("attention.self.key", h, h),
            ("attention.self.value", h, h),
            ("attention.output.dense", h, h),
            ("intermediate.dense", h, i),
            ("output.dense", i, h),
        ];
        for (name, fan_in, fan_out) in linears {
            let spread = 1.0 / (fan_in as f32).sqrt();
            add(
                format!("{prefix}.{name}.weight"),
                &[fan_out, fan_in],
                0.0,
                spread,
            )?;
            add(format!("{prefix}.{name}.bias"), &[fan_out], 0.0, spread)?;
        }
        for name in ["attention.output", "output"] {
            let (weight, bias) = norm(&format!("{prefix}.{name}"));
            add(weight, &[h], 1.0, 0.1)?;
            add(bias, &[h], 0.0, 0.1)?;
        }
    }
    Ok(tensors)
}

/// Steele, Lea and Flood's SplitMix64: a few lines, and enough for weights that only need to differ.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    fn next_signed(&mut self) -> f32 {
        // The top 24 bits: exactly representable in an f32.
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}
