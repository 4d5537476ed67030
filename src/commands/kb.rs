//! `beian kb lint`: every problem of the knowledge base's files as `file:line: message`; `beian kb
//! fit`: the ranking model fitted on labelled sets.

use crate::outcome::{user_error, Outcome};
use crate::render::sanitize;
use crate::settings::Settings;
use anyhow::Context;
use beian_engine::fit::{FitOptions, LabelledSet};
use beian_engine::kb::{lint, Files};
use std::io::Write;
use std::path::PathBuf;

pub fn lint(settings: &Settings, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let builtin = settings.sources.builtin.then(crate::builtin::files);
    let overlay = match &settings.sources.dir {
        Some(dir) => Some(Files::read_dir(dir).map_err(|err| settings.kb_error(err))?),
        None => None,
    };
    let problems = lint::lint(builtin.as_ref(), overlay.as_ref());
    for problem in &problems {
        writeln!(out, "{}", sanitize(&problem.to_string()))?;
    }
    let errors = lint::error_count(&problems);
    let entries: usize = builtin
        .iter()
        .chain(&overlay)
        .map(|l| l.entries.len())
        .sum();
    writeln!(
        out,
        "{entries} entries checked: {errors} errors, {} warnings",
        problems.len() - errors
    )?;
    Ok(if errors > 0 {
        Outcome::Error
    } else {
        Outcome::Success
    })
}

/// What `beian kb fit` was asked.
pub struct FitArgs {
    pub sets: Vec<PathBuf>,
    pub out: PathBuf,
    pub folds: usize,
    pub l2: f64,
}

/// `beian kb fit`: fits the ranking model on the sets, prints each set's cross-validated figures and
/// writes the model to `--out`, replacing the file whole.
pub fn fit(settings: &Settings, args: &FitArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let mut sets = Vec::new();
    for path in &args.sets {
        let cases = crate::commands::eval::read_cases(path)?;
        let name = path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
        sets.push(LabelledSet { name, cases });
    }
    let parent = match args.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(user_error(format!(
            "cannot write {}: {} is not a directory",
            args.out.display(),
            parent.display()
        )));
    }
    // With a sentence encoder named (`--model`, `BEIAN_MODEL`; an installed one is not enough), the
    // model fitted reads its features too: a knowledge base's `ranker-encoder.toml`.
    let mut advisor = match settings.model {
        crate::encoder::Choice::Named(_) => settings.advisor_with_encoder()?,
        _ => settings.lexical_advisor()?,
    };
    let encoder = advisor.semantic().map(|s| s.embedder().fingerprint());
    let options = FitOptions {
        folds: args.folds,
        l2: args.l2,
        command: fit_command(args),
    };
    let mut fitted = beian_engine::fit::fit(&mut advisor, &sets, &options)?;
    if let Some(fingerprint) = encoder {
        fitted.model.fit.encoder = Some(describe_encoder(&fingerprint));
        fitted.model.fit.command =
            fitted
                .model
                .fit
                .command
                .replacen("beian kb fit", "beian --model DIR kb fit", 1);
    }
    // The entries' titles come first: `kb fit` adds them as a set of its own.
    for (name, report) in &fitted.cross_validated {
        let cases = report.in_scope + report.out_of_scope + report.multi;
        writeln!(
            out,
            "== {} (cross-validated, {} folds)",
            sanitize(name),
            options.folds
        )?;
        crate::commands::eval::figures(report, cases, out)?;
    }
    // The acceptance figures of a ranker are read over every text at once.
    let mut all = beian_engine::eval::Report::default();
    for (_, report) in &fitted.cross_validated {
        all.merge(report.clone());
    }
    let cases = all.in_scope + all.out_of_scope + all.multi;
    writeln!(out, "== all sets (cross-validated)")?;
    crate::commands::eval::figures(&all, cases, out)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".ranker-")
        .suffix(".tmp")
        .tempfile_in(&parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    temporary.write_all(fitted.model.to_toml().as_bytes())?;
    temporary
        .persist(&args.out)
        .map_err(|err| err.error)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    writeln!(
        out,
        "wrote {} ({} rows, {} texts)",
        sanitize(&args.out.display().to_string()),
        fitted.model.fit.rows,
        sets.iter().map(|s| s.cases.len()).sum::<usize>()
    )?;
    Ok(Outcome::Success)
}

/// What a model records of the encoder it was fitted with: its shape, not the file times.
fn describe_encoder(fingerprint: &str) -> String {
    fingerprint
        .split(" config.json:")
        .next()
        .unwrap_or(fingerprint)
        .to_string()
}

/// The command line a model records: the sets by file name, the options that shape the fit.
fn fit_command(args: &FitArgs) -> String {
    let mut command = format!("beian kb fit --folds {} --l2 {}", args.folds, args.l2);
    for set in &args.sets {
        command.push(' ');
        command.push_str(&set.display().to_string());
    }
    command
}
