//! The optional sentence encoder: which model directory is used, loading it, and the entries'
//! vectors (from the cache when they were computed before).
//!
//! The model is, in order: none with `--no-model`; the directory `--model DIR` names; the one
//! `BEIAN_MODEL` names; the one `beian model install` recorded in the data directory
//! (`~/.local/share/beian/model.toml` on Linux); else none. A model named on the command line or in
//! the environment that does not load is an error; a recorded one that does not load is a warning,
//! and the answer is the lexical one.

use crate::cache;
use beian_engine::advise::Advisor;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file in the data directory that names the installed model.
pub const RECORD_FILE: &str = "model.toml";

/// Where the model comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// No model: `--no-model`, or none named or installed.
    Off,
    /// Named by `--model` or `BEIAN_MODEL`: a model that does not load is an error.
    Named(PathBuf),
    /// Recorded by `beian model install`: a model that does not load is a warning.
    Installed(PathBuf),
}

impl Choice {
    /// The choice the options and the environment make.
    pub fn resolve(no_model: bool, model: Option<PathBuf>) -> Choice {
        if no_model {
            return Choice::Off;
        }
        if let Some(dir) = model {
            return Choice::Named(dir);
        }
        match std::env::var_os("BEIAN_MODEL") {
            Some(dir) if !dir.is_empty() => return Choice::Named(PathBuf::from(dir)),
            _ => {}
        }
        match installed() {
            Some(dir) => Choice::Installed(dir),
            None => Choice::Off,
        }
    }

    pub fn dir(&self) -> Option<&Path> {
        match self {
            Choice::Off => None,
            Choice::Named(dir) | Choice::Installed(dir) => Some(dir),
        }
    }
}

/// The data directory's record of the installed model (`BEIAN_DATA_DIR` overrides where it is).
pub fn record_path() -> Option<PathBuf> {
    match std::env::var_os("BEIAN_DATA_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join(RECORD_FILE)),
        _ => dirs::data_dir().map(|dir| dir.join("beian").join(RECORD_FILE)),
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Record {
    /// The model directory, absolute.
    path: PathBuf,
}

/// The installed model's directory, if one was recorded.
fn installed() -> Option<PathBuf> {
    let text = std::fs::read_to_string(record_path()?).ok()?;
    toml::from_str::<Record>(&text).ok().map(|r| r.path)
}

/// Records `dir` as the installed model, replacing the record whole.
pub fn record(dir: &Path) -> anyhow::Result<PathBuf> {
    use anyhow::Context;
    let path = record_path().context("this platform has no data directory: set BEIAN_DATA_DIR")?;
    let parent = path.parent().expect("the record is in a directory");
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let text = toml::to_string(&Record {
        path: dir.to_path_buf(),
    })?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".model-")
        .suffix(".tmp")
        .tempfile_in(parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    temporary.write_all(
        format!("# The sentence encoder beian uses. Written by `beian model install`.\n{text}")
            .as_bytes(),
    )?;
    temporary
        .persist(&path)
        .map_err(|err| err.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Gives the advisor the model `dir` holds, with the entries' vectors from the cache (computed and
/// stored when they are not there, with progress on a terminal's standard error).
pub fn attach(advisor: &mut Advisor, dir: &Path, policy: &cache::Policy) -> anyhow::Result<()> {
    #[cfg(feature = "encoder")]
    return loaded::attach(advisor, dir, policy);
    #[cfg(not(feature = "encoder"))]
    {
        let _ = (advisor, policy);
        anyhow::bail!(
            "cannot use the sentence encoder in {}: this beian was built without it \
             (build with `--features encoder`)",
            dir.display()
        )
    }
}

/// What loading a model and embedding a probe text showed.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The network, as `config.json` describes it.
    pub shape: String,
    /// The bytes of the model's files.
    pub bytes: u64,
    pub load: std::time::Duration,
    /// One short question embedded.
    pub query: std::time::Duration,
}

/// Loads the model in `dir` and embeds a probe question, timing both.
pub fn probe(dir: &Path) -> anyhow::Result<Probe> {
    let bytes: u64 = ["config.json", "tokenizer.json", "model.safetensors"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum();
    #[cfg(feature = "encoder")]
    {
        use beian_engine::semantic::Embed;
        let started = std::time::Instant::now();
        let embedder = loaded::Embedder::load(dir)?;
        let load = started.elapsed();
        let started = std::time::Instant::now();
        embedder.embed_queries(&["这是一段检查模型能否运行的文字"])?;
        Ok(Probe {
            shape: embedder.encoder().shape().to_string(),
            bytes,
            load,
            query: started.elapsed(),
        })
    }
    #[cfg(not(feature = "encoder"))]
    {
        let _ = bytes;
        anyhow::bail!(
            "cannot load the sentence encoder in {}: this beian was built without it \
             (build with `--features encoder`)",
            dir.display()
        )
    }
}

#[cfg(feature = "encoder")]
pub mod loaded {
    //! The model loaded with the `beian-encoder` crate.

    use crate::cache;
    use beian_encoder::{Encoder, Role};
    use beian_engine::advise::Advisor;
    use beian_engine::semantic::{Embed, EmbedError, Semantic};
    use std::io::{IsTerminal, Write};
    use std::path::Path;

    /// A loaded model, as the engine sees it.
    pub struct Embedder {
        encoder: Encoder,
        fingerprint: String,
    }

    impl Embedder {
        pub fn load(dir: &Path) -> Result<Embedder, beian_encoder::Error> {
            let encoder = Encoder::load(dir)?;
            Ok(Embedder {
                fingerprint: fingerprint(dir, &encoder),
                encoder,
            })
        }

        pub fn encoder(&self) -> &Encoder {
            &self.encoder
        }
    }

    /// What identifies a model's weights without reading them: its shape and each file's size and
    /// modification time (a model replaced in place changes them).
    fn fingerprint(dir: &Path, encoder: &Encoder) -> String {
        let mut out = encoder.shape().to_string();
        for name in beian_encoder::FILES {
            let metadata = std::fs::metadata(dir.join(name));
            let (len, modified) = metadata.map_or((0, 0), |m| {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                (m.len(), modified)
            });
            out.push_str(&format!(" {name}:{len}:{modified}"));
        }
        out
    }

    impl Embed for Embedder {
        fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.encoder
                .embed(Role::Query, texts)
                .map_err(|err| EmbedError(err.to_string()))
        }

        fn embed_passages(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
            self.encoder
                .embed(Role::Passage, texts)
                .map_err(|err| EmbedError(err.to_string()))
        }

        fn fingerprint(&self) -> String {
            self.fingerprint.clone()
        }
    }

    /// See [`super::attach`].
    pub fn attach(advisor: &mut Advisor, dir: &Path, policy: &cache::Policy) -> anyhow::Result<()> {
        let embedder = Embedder::load(dir)?;
        let entries = advisor.kb().entries();
        let vectors = cache::entry_vectors(entries, &embedder, policy, &mut progress())?;
        advisor.set_semantic(Semantic::new(Box::new(embedder), vectors));
        Ok(())
    }

    /// Reports the embedding of the entries' texts on standard error when it is a terminal: it takes
    /// tens of seconds the first time.
    fn progress() -> impl FnMut(usize, usize) {
        let terminal = std::io::stderr().is_terminal();
        move |done, total| {
            if terminal {
                let mut err = std::io::stderr();
                let _ = write!(
                err,
                "\rbeian: embedding the entries' texts for the sentence encoder: {done}/{total}"
            );
                if done == total {
                    let _ = writeln!(err);
                }
            }
        }
    }
}
