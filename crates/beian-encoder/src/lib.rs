//! beian's optional sentence encoder: an E5 model (multilingual-e5-small and its kin) in the standard
//! Hugging Face layout — `config.json`, `tokenizer.json`, `model.safetensors` — run on the CPU with
//! candle and the `tokenizers` crate, no Python, no network.
//!
//! The usage contract is E5's: a query is embedded as `query: …`, a document as `passage: …`; the
//! last hidden state is mean-pooled over the attention mask and L2-normalised, so that the cosine of
//! two texts is the dot product of their vectors.
//!
//! Two layouts of the same network are read: `model_type: "xlm-roberta"` (positions numbered from
//! the padding id + 1, as `XLMRobertaModel` does; the offline copy the project tests with) and
//! `model_type: "bert"` (positions from 0; the layout of `intfloat/multilingual-e5-small` itself).

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::{bert, xlm_roberta};
use std::fmt;
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

#[cfg(feature = "tiny")]
pub mod tiny;

/// The files a model directory must hold.
pub const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// The model types read: the two layouts of E5 models.
const SUPPORTED: &str = "xlm-roberta or bert, as E5 models are";

/// The most tokens the network takes (`<s>` and `</s>` included).
pub const MAX_TOKENS: usize = 512;

/// Texts embedded in one forward pass; longer lists are cut into batches of this many, in order
/// of length so that little is padded.
const BATCH: usize = 16;

/// What went wrong loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: not found (a model directory holds config.json, tokenizer.json and model.safetensors)", .path.display())]
    Missing { path: PathBuf },
    #[error("{}: {message}", .path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("the model failed on a text: {0}")]
    Run(String),
}

impl From<candle_core::Error> for Error {
    fn from(error: candle_core::Error) -> Error {
        Error::Run(error.to_string())
    }
}

/// Whether a text is embedded as a question or as a document (E5's two prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Query,
    Passage,
}

impl Role {
    fn prefix(self) -> &'static str {
        match self {
            Role::Query => "query: ",
            Role::Passage => "passage: ",
        }
    }
}

enum Network {
    XlmRoberta(xlm_roberta::XLMRobertaModel),
    Bert(bert::BertModel),
}

/// What a model directory's `config.json` says of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub model_type: String,
    pub layers: usize,
    pub dimensions: usize,
    pub vocabulary: usize,
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} layers, {} dimensions, {} tokens",
            self.model_type, self.layers, self.dimensions, self.vocabulary
        )
    }
}

/// A loaded encoder.
pub struct Encoder {
    network: Network,
    tokenizer: Tokenizer,
    pad_id: u32,
    shape: Shape,
    dir: PathBuf,
    pool: rayon::ThreadPool,
}

#[derive(serde::Deserialize)]
struct ConfigHead {
    model_type: String,
    num_hidden_layers: usize,
    hidden_size: usize,
    num_attention_heads: usize,
    vocab_size: usize,
    pad_token_id: Option<u32>,
}

/// The network `config.json` describes, read before the weights so that a wrong config is reported
/// as such rather than as weights that do not fit it.
enum NetworkConfig {
    XlmRoberta(xlm_roberta::Config),
    Bert(bert::Config),
}

fn invalid(path: &Path, message: impl fmt::Display) -> Error {
    Error::Invalid {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

impl Encoder {
    /// Loads the model in `dir`, with as many threads as the machine offers (at most 4).
    pub fn load(dir: &Path) -> Result<Encoder, Error> {
        for file in FILES {
            let path = dir.join(file);
            if !path.is_file() {
                return Err(Error::Missing { path });
            }
        }
        let config_path = dir.join("config.json");
        let config_text =
            std::fs::read_to_string(&config_path).map_err(|e| invalid(&config_path, e))?;
        let head: ConfigHead =
            serde_json::from_str(&config_text).map_err(|e| invalid(&config_path, e))?;
        let shape = Shape {
            model_type: head.model_type.clone(),
            layers: head.num_hidden_layers,
            dimensions: head.hidden_size,
            vocabulary: head.vocab_size,
        };
        let config = match head.model_type.as_str() {
            "xlm-roberta" => NetworkConfig::XlmRoberta(
                serde_json::from_str(&config_text).map_err(|e| invalid(&config_path, e))?,
            ),
            "bert" => NetworkConfig::Bert(
                serde_json::from_str(&config_text).map_err(|e| invalid(&config_path, e))?,
            ),
            other => {
                let message = format!("model_type {other:?} is not supported ({SUPPORTED})");
                return Err(invalid(&config_path, message));
            }
        };
        // candle divides the one by the other, and panics on zero.
        let heads = head.num_attention_heads;
        if heads == 0 || !head.hidden_size.is_multiple_of(heads) {
            let message = format!(
                "num_attention_heads ({heads}) does not divide hidden_size ({})",
                head.hidden_size
            );
            return Err(invalid(&config_path, message));
        }

        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| invalid(&tokenizer_path, e))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| invalid(&tokenizer_path, e))?;
        // The network's padding id: the tokenizer's own `<pad>` (XLM-R numbers positions after it).
        let pad_id = tokenizer
            .token_to_id("<pad>")
            .or(head.pad_token_id)
            .unwrap_or(1);

        let weights_path = dir.join("model.safetensors");
        let device = Device::Cpu;
        // SAFETY: the file is mapped read-only; like every reader of safetensors through mmap, this
        // relies on no one truncating the file while the process runs.
        let vb =
            unsafe { VarBuilder::from_mmaped_safetensors(&[&weights_path], DType::F32, &device) }
                .map_err(|e| invalid(&weights_path, e))?;
        let unfit = |e| invalid(&weights_path, format_args!("does not fit config.json: {e}"));
        let network = match config {
            NetworkConfig::XlmRoberta(config) => {
                Network::XlmRoberta(xlm_roberta::XLMRobertaModel::new(&config, vb).map_err(unfit)?)
            }
            NetworkConfig::Bert(config) => {
                Network::Bert(bert::BertModel::load(vb, &config).map_err(unfit)?)
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Run(e.to_string()))?;
        Ok(Encoder {
            network,
            tokenizer,
            pad_id,
            shape,
            dir: dir.to_path_buf(),
            pool,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The length of the vectors.
    pub fn dimensions(&self) -> usize {
        self.shape.dimensions
    }

    /// The unit vectors of `texts`, in order, each given the prefix of its role.
    pub fn embed(&self, role: Role, texts: &[&str]) -> Result<Vec<Vec<f32>>, Error> {
        let inputs: Vec<String> = texts
            .iter()
            .map(|text| format!("{}{}", role.prefix(), text))
            .collect();
        self.embed_inputs(&inputs)
    }

    /// The unit vectors of `inputs`, each given to the tokenizer whole (prefix included).
    pub fn embed_inputs(&self, inputs: &[String]) -> Result<Vec<Vec<f32>>, Error> {
        let encodings = self
            .tokenizer
            .encode_batch(inputs.to_vec(), true)
            .map_err(|e| Error::Run(e.to_string()))?;
        let ids: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut out = vec![Vec::new(); ids.len()];
        for batch in order.chunks(BATCH) {
            let rows: Vec<&[u32]> = batch.iter().map(|&i| ids[i]).collect();
            let vectors = self.pool.install(|| self.forward(&rows))?;
            for (&i, vector) in batch.iter().zip(vectors) {
                out[i] = vector;
            }
        }
        Ok(out)
    }

    /// One forward pass over token rows, padded on the right: their mean-pooled unit vectors.
    fn forward(&self, rows: &[&[u32]]) -> Result<Vec<Vec<f32>>, Error> {
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(0).max(1);
        let mut ids = Vec::with_capacity(rows.len() * width);
        let mut mask = Vec::with_capacity(rows.len() * width);
        for row in rows {
            ids.extend_from_slice(row);
            ids.extend(std::iter::repeat_n(self.pad_id, width - row.len()));
            mask.extend(std::iter::repeat_n(1u32, row.len()));
            mask.extend(std::iter::repeat_n(0u32, width - row.len()));
        }
        let device = Device::Cpu;
        let ids = Tensor::from_vec(ids, (rows.len(), width), &device)?;
        let mask = Tensor::from_vec(mask, (rows.len(), width), &device)?;
        let types = ids.zeros_like()?;
        let hidden = match &self.network {
            Network::XlmRoberta(model) => model.forward(&ids, &mask, &types, None, None, None)?,
            Network::Bert(model) => model.forward(&ids, &types, Some(&mask))?,
        };
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        let unit = mean.broadcast_div(&norms)?;
        Ok(unit.to_vec2::<f32>()?)
    }
}

/// The dot product of two vectors of the same length (the cosine of two unit vectors).
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
