//! The optional sentence encoder through the command line (`--model`, `BEIAN_MODEL`, `beian model`,
//! `kb fit --model`), on a tiny random model the tests write themselves: which model is used, the
//! cache of the entries' vectors (rebuilt after a change of model, of knowledge base, or damage),
//! and the failures (a truncated or wrong model is a one-line error naming the file; an installed
//! one that fails is a warning and the words-only answer).
#![cfg(feature = "encoder")]

mod common;

use common::Run;
use std::path::Path;
use tempfile::TempDir;

const QUESTION: &str = "备案被驳回了怎么办";

/// A tiny random model in a directory of its own.
fn tiny_model(seed: u64) -> TempDir {
    let dir = TempDir::new().unwrap();
    beian_encoder::tiny::write_model(dir.path(), seed).unwrap();
    dir
}

/// Runs beian with its cache in `cache`, logging the cache's decisions, and `env` set.
fn run_in(cache: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_beian"));
    common::hermetic(&mut command)
        .env("BEIAN_CACHE_DIR", cache)
        .env("BEIAN_CACHE_LOG", "1")
        .envs(env.iter().copied())
        .args(args)
        .stdin(std::process::Stdio::null());
    let output = command.output().expect("beian runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn path(dir: &TempDir) -> &str {
    dir.path().to_str().unwrap()
}

/// The vector files in the cache.
fn vector_files(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(cache)
        .map(|listing| listing.flatten().map(|item| item.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.starts_with("vec-") && name.ends_with(".bin")
    });
    files.sort();
    files
}

#[test]
fn a_named_model_answers_and_the_entries_vectors_are_computed_once() {
    let model = tiny_model(1);
    let cache = TempDir::new().unwrap();
    let first = run_in(
        cache.path(),
        &[],
        &["--model", path(&model), "ask", "--json", QUESTION],
    );
    assert!(matches!(first.code, Some(0 | 1)), "{}", first.stderr);
    assert!(first.stderr.contains("embedding"), "{}", first.stderr);
    assert!(first.stderr.contains("stored"), "{}", first.stderr);
    assert_eq!(vector_files(cache.path()).len(), 1);
    let answer: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert!(!answer["results"].as_array().unwrap().is_empty());

    // BEIAN_MODEL names the same model: the vectors are read, not computed again.
    let again = run_in(
        cache.path(),
        &[("BEIAN_MODEL", path(&model))],
        &["ask", "--json", QUESTION],
    );
    assert_eq!(again.stdout, first.stdout);
    assert!(again.stderr.contains("read"), "{}", again.stderr);
    assert!(!again.stderr.contains("embedding"), "{}", again.stderr);
}

#[test]
fn another_model_or_knowledge_base_gets_vectors_of_its_own() {
    let model = tiny_model(1);
    let cache = TempDir::new().unwrap();
    let ask = |extra: &[&str]| {
        let mut args = vec!["--model", path(&model)];
        args.extend_from_slice(extra);
        args.extend(["ask", "--json", QUESTION]);
        run_in(cache.path(), &[], &args)
    };
    assert!(ask(&[]).stderr.contains("stored"));
    // The model replaced in place (other weights): its vectors are computed again.
    beian_encoder::tiny::write_model(model.path(), 2).unwrap();
    let changed = ask(&[]);
    assert!(changed.stderr.contains("embedding"), "{}", changed.stderr);
    assert_eq!(vector_files(cache.path()).len(), 2);
    // An entry of one's own: new texts, new vectors.
    let kb = TempDir::new().unwrap();
    std::fs::create_dir(kb.path().join("faq")).unwrap();
    std::fs::write(
        kb.path().join("faq/our-question.md"),
        r#"+++
id = "faq/our-question"
kind = "faq"
title = "蓝鲸机房的工单怎么提交"
title_en = "How to file a ticket for the Blue Whale room"
aliases = ["蓝鲸机房工单"]
patterns = []
related = []
sources = ["https://wiki.example.com/team-1"]
+++
先在公司内部的工单系统登记蓝鲸机房的申请。

## 原因
- 蓝鲸机房是公司自有的接入点。

## 解决步骤
1. 在工单系统提交申请。

## 下一步
- 等值班同事回复。
"#,
    )
    .unwrap();
    let own = ask(&["--kb", path(&kb)]);
    assert!(matches!(own.code, Some(0 | 1)), "{}", own.stderr);
    assert!(own.stderr.contains("embedding"), "{}", own.stderr);
    assert_eq!(vector_files(cache.path()).len(), 3);
}

#[test]
fn a_damaged_vector_file_is_computed_again() {
    let model = tiny_model(1);
    let cache = TempDir::new().unwrap();
    let args = ["--model", path(&model), "ask", "--json", QUESTION];
    let first = run_in(cache.path(), &[], &args);
    let file = vector_files(cache.path()).pop().unwrap();
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let damaged = run_in(cache.path(), &[], &args);
    assert!(
        damaged.stderr.contains("checksum mismatch"),
        "{}",
        damaged.stderr
    );
    assert_eq!(damaged.stdout, first.stdout);
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "written whole again");
}

#[test]
fn a_model_that_does_not_load_is_a_one_line_error_naming_its_file() {
    let cache = TempDir::new().unwrap();
    let truncated = tiny_model(1);
    let weights = truncated.path().join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let wrong = tiny_model(1);
    std::fs::write(
        wrong.path().join("config.json"),
        "{\"model_type\": \"gpt2\"",
    )
    .unwrap();
    let empty = TempDir::new().unwrap();
    for (dir, file) in [
        (&truncated, "model.safetensors"),
        (&wrong, "config.json"),
        (&empty, "config.json"),
    ] {
        let run = run_in(cache.path(), &[], &["--model", path(dir), "ask", QUESTION]);
        assert_eq!(run.code, Some(2), "{file}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.starts_with("beian: error: "), "{}", run.stderr);
        assert!(run.stderr.contains(file), "{file}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn an_installed_model_is_used_and_one_that_fails_is_a_warning() {
    let model = tiny_model(1);
    let cache = TempDir::new().unwrap();
    let data = TempDir::new().unwrap();
    let env = [("BEIAN_DATA_DIR", path(&data))];
    let installed = run_in(cache.path(), &env, &["model", "install", path(&model)]);
    assert_eq!(installed.code, Some(0), "{}", installed.stderr);
    assert!(
        installed.stdout.contains("32 dimensions"),
        "{}",
        installed.stdout
    );
    assert!(data.path().join("model.toml").is_file());

    let status = run_in(cache.path(), &env, &["model", "status"]);
    assert_eq!(status.code, Some(0), "{}", status.stderr);
    assert!(status.stdout.contains("installed"), "{}", status.stdout);
    assert!(status.stdout.contains(path(&model)), "{}", status.stdout);
    let version = run_in(cache.path(), &env, &["--version"]);
    assert!(
        version
            .stdout
            .contains(&format!("sentence encoder: {}", path(&model))),
        "{}",
        version.stdout
    );

    let with_model = run_in(cache.path(), &env, &["ask", "--json", QUESTION]);
    assert!(
        with_model.stderr.contains("embedding"),
        "{}",
        with_model.stderr
    );
    let words = run_in(
        cache.path(),
        &env,
        &["--no-model", "ask", "--json", QUESTION],
    );
    assert!(!words.stderr.contains("embedding"));

    // The installed model broken: a warning, and the words-only answer.
    std::fs::write(model.path().join("model.safetensors"), "broken").unwrap();
    let broken = run_in(cache.path(), &env, &["ask", "--json", QUESTION]);
    assert!(matches!(broken.code, Some(0 | 1)), "{}", broken.stderr);
    assert_eq!(broken.stdout, words.stdout);
    assert!(
        broken
            .stderr
            .lines()
            .any(|l| l.starts_with("beian: warning: the installed sentence encoder does not load")),
        "{}",
        broken.stderr
    );
    let status = run_in(cache.path(), &env, &["model", "status"]);
    assert_eq!(status.code, Some(2));
    assert!(status.stdout.contains("does not load"), "{}", status.stdout);
}

#[test]
fn without_a_model_the_answer_is_the_words_only_one() {
    let plain = common::run(&["ask", "--json", QUESTION]);
    let off = common::run(&["--no-model", "ask", "--json", QUESTION]);
    assert_eq!(plain.stdout, off.stdout);
    let status = common::run(&["model", "status"]);
    assert_eq!(status.code, Some(0));
    assert!(
        status.stdout.starts_with("no sentence encoder"),
        "{}",
        status.stdout
    );
    let clash = common::run(&["--model", "x", "--no-model", "ask", QUESTION]);
    assert_eq!(clash.code, Some(2));
}

#[test]
fn kb_fit_with_a_model_fits_a_model_that_reads_it() {
    let model = tiny_model(1);
    let cache = TempDir::new().unwrap();
    let out = TempDir::new().unwrap();
    let set = out.path().join("set.jsonl");
    std::fs::write(
        &set,
        "{\"id\": \"a\", \"query\": \"备案被驳回了怎么办\", \"expect\": [\"faq/rejected-what-next\"]}\n\
         {\"id\": \"b\", \"query\": \"推荐一款机械键盘\", \"expect\": []}\n",
    )
    .unwrap();
    let fitted = out.path().join("ranker-encoder.toml");
    let run = run_in(
        cache.path(),
        &[],
        &[
            "--model",
            path(&model),
            "kb",
            "fit",
            "--folds",
            "2",
            "--out",
            fitted.to_str().unwrap(),
            set.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&fitted).unwrap();
    assert!(
        text.contains("encoder = \"xlm-roberta, 2 layers, 32 dimensions"),
        "{text}"
    );
    assert!(text.contains("encoder_reciprocal_rank = "), "{text}");
}
