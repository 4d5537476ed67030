//! `beian model install DIR`: checks a sentence encoder's directory and records it as the one to
//! use; `beian model status`: which one answers use, where the choice comes from, its size and speed.

use crate::encoder::{self, Choice};
use crate::outcome::{user_error, Outcome};
use crate::render::sanitize;
use crate::settings::Settings;
use std::io::Write;
use std::path::Path;

pub fn install(dir: &Path, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let dir =
        std::path::absolute(dir).map_err(|err| user_error(format!("{}: {err}", dir.display())))?;
    let probe = encoder::probe(&dir).map_err(|err| user_error(err.to_string()))?;
    let record = encoder::record(&dir)?;
    writeln!(
        out,
        "installed {} ({}; {})",
        shown(&dir),
        probe.shape,
        figures(&probe)
    )?;
    writeln!(out, "recorded in {}", shown(&record))?;
    Ok(Outcome::Success)
}

pub fn status(settings: &Settings, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let (dir, source) = match &settings.model {
        Choice::Off => {
            writeln!(
                out,
                "no sentence encoder: answers come from words alone (`beian model install DIR`, \
                 --model DIR or BEIAN_MODEL choose one; --no-model turns it off)"
            )?;
            return Ok(Outcome::Success);
        }
        Choice::Named(dir) => (dir, "named by --model or BEIAN_MODEL"),
        Choice::Installed(dir) => (dir, "installed (`beian model install`)"),
    };
    writeln!(out, "model:  {} ({source})", shown(dir))?;
    let probe = match encoder::probe(dir) {
        Ok(probe) => probe,
        Err(err) => {
            writeln!(out, "status: does not load: {}", sanitize(&err.to_string()))?;
            return Ok(Outcome::Error);
        }
    };
    writeln!(out, "shape:  {}", probe.shape)?;
    writeln!(out, "speed:  {}", figures(&probe))?;
    let kb = settings.load_kb()?;
    let used = if kb.ranker_encoder.is_some() {
        "answers use it (the knowledge base has a model fitted with its features)".to_string()
    } else {
        format!(
            "answers do not use it: the knowledge base has no {} (`beian kb fit --model DIR` fits one)",
            beian_engine::kb::ENCODER_RANKER_FILE
        )
    };
    writeln!(out, "use:    {used}")?;
    Ok(Outcome::Success)
}

fn figures(probe: &encoder::Probe) -> String {
    format!(
        "{:.0} MB, loads in {:.2} s, a question in {} ms",
        probe.bytes as f64 / 1e6,
        probe.load.as_secs_f64(),
        probe.query.as_millis()
    )
}

fn shown(path: &Path) -> String {
    sanitize(&path.display().to_string())
}
