//! The command line's global options resolved once into what the program reads: where the entries
//! come from, the `--kb` cache, colour, language, the width text wraps at and the pager. Commands
//! read only this.

use crate::cache;
use crate::encoder;
use crate::outcome::{user_error, UserErrors};
use crate::pager::Pager;
use crate::render::text::TextOptions;
use crate::render::{Lang, Palette};
use beian_engine::advise::Advisor;
use beian_engine::kb::{Files, KbError, KnowledgeBase};
use std::path::PathBuf;

/// Where the entries come from: the built-in set, a directory, or both (the directory wins on equal ids).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub builtin: bool,
    pub dir: Option<PathBuf>,
}

/// When to colour the text view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set or `TERM=dumb`.
    Auto,
    Always,
    Never,
}

/// The language answers are given in (`--lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnswerLang {
    /// The question's own language (see [`Lang::of_text`]).
    #[default]
    Auto,
    Fixed(Lang),
}

impl AnswerLang {
    /// The language of the answer to `question`.
    pub fn for_text(self, question: &str) -> Lang {
        match self {
            AnswerLang::Auto => Lang::of_text(question),
            AnswerLang::Fixed(lang) => lang,
        }
    }

    /// The language when there is no question to go by (`show`, `list`, `check`, messages):
    /// the fixed one, else Chinese, the knowledge base's first language.
    pub fn without_text(self) -> Lang {
        match self {
            AnswerLang::Auto => Lang::Zh,
            AnswerLang::Fixed(lang) => lang,
        }
    }

    /// How `--lang` and `:lang` write it.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerLang::Auto => "auto",
            AnswerLang::Fixed(lang) => lang.as_str(),
        }
    }
}

/// The global options as given.
#[derive(Debug, Clone)]
pub struct Options {
    pub kb: Option<PathBuf>,
    pub no_builtin: bool,
    pub no_cache: bool,
    pub color: ColorWhen,
    pub lang: AnswerLang,
    /// `--no-pager`.
    pub no_pager: bool,
    /// `--model DIR` and `--no-model`.
    pub model: Option<PathBuf>,
    pub no_model: bool,
}

/// The global options resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub sources: Sources,
    /// Where a `--kb` knowledge base is kept once compiled.
    pub cache: cache::Policy,
    /// The text view's options; its language is [`AnswerLang::without_text`]: a command that
    /// answers a question sets it from the question.
    pub text: TextOptions,
    /// The language of answers.
    pub lang: AnswerLang,
    pub color: bool,
    /// Whether standard output is a terminal.
    pub stdout_terminal: bool,
    /// The pager for long output: only when standard output is a terminal, `--no-pager` is not
    /// given and the environment names one (see [`Pager::from_env`]).
    pub pager: Option<Pager>,
    /// The sentence encoder's model, if one is used (see [`crate::encoder`]).
    pub model: encoder::Choice,
}

impl Settings {
    pub fn resolve(options: Options) -> anyhow::Result<Settings> {
        if options.no_builtin && options.kb.is_none() {
            return Err(user_error(
                "--no-builtin needs --kb DIR: otherwise there are no entries",
            ));
        }
        let stdout_terminal = crate::terminal::stdout_is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match options.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => {
                stdout_terminal && !no_color && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        };
        Ok(Settings {
            sources: Sources {
                builtin: !options.no_builtin,
                dir: options.kb,
            },
            cache: cache::Policy::resolve(options.no_cache),
            text: TextOptions {
                lang: options.lang.without_text(),
                palette: Palette { enabled: color },
                width: crate::terminal::width(),
                ..TextOptions::default()
            },
            lang: options.lang,
            color,
            stdout_terminal,
            pager: if stdout_terminal && !options.no_pager {
                Pager::from_env()
            } else {
                None
            },
            model: encoder::Choice::resolve(options.no_model, options.model),
        })
    }

    /// The entries of the sources; every error `kb lint` would report keeps them from loading.
    pub fn load_kb(&self) -> anyhow::Result<KnowledgeBase> {
        let sources = &self.sources;
        if sources.builtin && sources.dir.is_none() {
            return Ok(crate::builtin::knowledge_base());
        }
        let builtin = sources.builtin.then(crate::builtin::files);
        let overlay = match &sources.dir {
            Some(dir) => Some(Files::read_dir(dir).map_err(|err| self.kb_error(err))?),
            None => None,
        };
        KnowledgeBase::from_layers(builtin.as_ref(), overlay.as_ref())
            .map_err(|err| self.kb_error(err))
    }

    /// A knowledge base that does not load, for the user: its one problem on one line, or every error
    /// (one a line) and how to see them with the warnings.
    pub fn kb_error(&self, err: KbError) -> anyhow::Error {
        match err {
            KbError::Problems(problems) if problems.len() > 1 => {
                let mut lint = String::from("beian");
                if !self.sources.builtin {
                    lint.push_str(" --no-builtin");
                }
                if let Some(dir) = &self.sources.dir {
                    lint.push_str(&format!(" --kb {}", dir.display()));
                }
                UserErrors {
                    hint: format!(
                        "{} errors in the knowledge base; `{lint} kb lint` checks every file and lists the warnings too",
                        problems.len()
                    ),
                    errors: problems.iter().map(ToString::to_string).collect(),
                }
                .into()
            }
            other => user_error(other.to_string()),
        }
    }

    /// The advisor: the prebuilt built-in one, or, when `--kb` adds entries, one compiled from the
    /// files (read from the cache when it was compiled before).
    ///
    /// With a sentence encoder's model chosen, and a model fitted with its features in the
    /// knowledge base (`ranker-encoder.toml`), the advisor reads meaning too.
    pub fn advisor(&self) -> anyhow::Result<Advisor> {
        let mut advisor = self.lexical_advisor()?;
        let Some(dir) = self.model.dir() else {
            return Ok(advisor);
        };
        if advisor.kb().ranker_encoder.is_none() {
            if let encoder::Choice::Named(_) = self.model {
                crate::outcome::warn(format_args!(
                    "the knowledge base has no ranking model fitted with a sentence encoder \
                     ({}; `beian kb fit --model DIR` fits one): answering without the model",
                    beian_engine::kb::ENCODER_RANKER_FILE
                ));
            }
            return Ok(advisor);
        }
        match encoder::attach(&mut advisor, dir, &self.cache) {
            Ok(()) => Ok(advisor),
            Err(err) if matches!(self.model, encoder::Choice::Installed(_)) => {
                crate::outcome::warn(format_args!(
                    "the installed sentence encoder does not load ({err}): answering without it; \
                     `beian model status` says more"
                ));
                Ok(advisor)
            }
            Err(err) => Err(user_error(err.to_string())),
        }
    }

    /// The advisor with the chosen sentence encoder whatever the knowledge base's models (for `kb
    /// fit --model`, which fits the model that reads it); an error when none is chosen or it does
    /// not load.
    pub fn advisor_with_encoder(&self) -> anyhow::Result<Advisor> {
        let mut advisor = self.lexical_advisor()?;
        let dir = self.model.dir().ok_or_else(|| {
            user_error("no sentence encoder: give --model DIR (or BEIAN_MODEL, or `beian model install DIR`)")
        })?;
        encoder::attach(&mut advisor, dir, &self.cache)
            .map_err(|err| user_error(err.to_string()))?;
        Ok(advisor)
    }

    /// The advisor without a sentence encoder.
    pub fn lexical_advisor(&self) -> anyhow::Result<Advisor> {
        if self.sources.builtin && self.sources.dir.is_none() {
            return Ok(crate::builtin::advisor()?);
        }
        let sources = &self.sources;
        cache::advisor(sources.builtin, sources.dir.as_deref(), &self.cache).map_err(
            |err| match err {
                cache::LoadError::Kb(err) => self.kb_error(err),
                other => other.into(),
            },
        )
    }
}
