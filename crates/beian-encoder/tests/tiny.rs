//! The encoder on the tiny random model (`beian_encoder::tiny`): what it computes, and how it fails
//! on a broken model directory. Runs everywhere, without the shared model.

use beian_encoder::{dot, tiny, Encoder, Error, Role};
use std::path::Path;

mod support;

fn tiny_model(seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_model(dir.path(), seed).unwrap();
    dir
}

const TEXTS: [&str; 4] = [
    "外国人可以备案吗",
    "My UK company wants a website in China, what do we need?",
    "幕布",
    "域名证书",
];

#[test]
fn the_tiny_model_loads_and_embeds_to_unit_vectors() {
    let dir = tiny_model(1);
    let encoder = Encoder::load(dir.path()).unwrap();
    let shape = encoder.shape();
    assert_eq!(shape.model_type, "xlm-roberta");
    assert_eq!(shape.layers, tiny::LAYERS);
    assert_eq!(shape.dimensions, tiny::DIMENSIONS);
    assert_eq!(encoder.dimensions(), tiny::DIMENSIONS);
    let vectors = encoder.embed(Role::Query, &TEXTS).unwrap();
    for (text, vector) in TEXTS.iter().zip(&vectors) {
        assert_eq!(vector.len(), tiny::DIMENSIONS, "{text}");
        assert!((dot(vector, vector) - 1.0).abs() < 1e-4, "{text}");
    }
    // The texts differ, so their vectors do (the Chinese ones too: their characters are tokens).
    for (i, a) in vectors.iter().enumerate() {
        for b in &vectors[i + 1..] {
            assert!(dot(a, b) < 0.9999);
        }
    }
}

#[test]
fn one_text_alone_and_in_a_batch_agree() {
    let dir = tiny_model(1);
    let encoder = Encoder::load(dir.path()).unwrap();
    let batch = encoder.embed(Role::Passage, &TEXTS).unwrap();
    for (text, vector) in TEXTS.iter().zip(&batch) {
        let alone = encoder.embed(Role::Passage, &[text]).unwrap();
        assert!(dot(&alone[0], vector) >= 0.9999, "{text}");
        let again = encoder.embed(Role::Passage, &[text]).unwrap();
        assert_eq!(alone, again, "{text}");
    }
}

#[test]
fn one_seed_gives_one_model_and_two_seeds_two() {
    let embed = |seed| {
        let dir = tiny_model(seed);
        let encoder = Encoder::load(dir.path()).unwrap();
        encoder.embed(Role::Query, &TEXTS).unwrap()
    };
    let (first, again, second) = (embed(1), embed(1), embed(2));
    assert_eq!(first, again);
    for ((text, a), b) in TEXTS.iter().zip(&first).zip(&second) {
        assert!(dot(a, b) < 0.99, "{text}: {}", dot(a, b));
    }
}

#[test]
fn the_roles_prefix_the_texts() {
    let dir = tiny_model(1);
    let encoder = Encoder::load(dir.path()).unwrap();
    let query = encoder.embed(Role::Query, &["幕布"]).unwrap();
    let passage = encoder.embed(Role::Passage, &["幕布"]).unwrap();
    let input = encoder.embed_inputs(&["query: 幕布".to_string()]).unwrap();
    assert_eq!(query, input);
    assert!(dot(&query[0], &passage[0]) < 0.9999);
}

#[test]
fn the_bert_layout_gives_the_vectors_of_the_xlm_roberta_layout() {
    let xlm = tiny_model(1);
    let bert = tempfile::tempdir().unwrap();
    support::write_bert_layout(xlm.path(), bert.path());
    let xlm = Encoder::load(xlm.path()).unwrap();
    let bert = Encoder::load(bert.path()).unwrap();
    assert_eq!(bert.shape().model_type, "bert");
    let expected = xlm.embed(Role::Query, &TEXTS).unwrap();
    let vectors = bert.embed(Role::Query, &TEXTS).unwrap();
    for ((text, a), b) in TEXTS.iter().zip(&expected).zip(&vectors) {
        assert!(dot(a, b) >= 0.9999, "{text}: {}", dot(a, b));
    }
}

/// The error loading `dir`, which must not load.
fn load_error(dir: &Path) -> Error {
    match Encoder::load(dir) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(error) => error,
    }
}

/// Asserts that `error` is `Error::Invalid` for `file` and names it when printed.
fn assert_invalid(error: &Error, file: &str) {
    match error {
        Error::Invalid { path, .. } => assert!(path.ends_with(file), "{error}"),
        other => panic!("not Invalid: {other:?}"),
    }
    assert!(error.to_string().contains(file), "{error}");
}

#[test]
fn truncated_weights_are_invalid() {
    let dir = tiny_model(1);
    let path = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert_invalid(&load_error(dir.path()), "model.safetensors");
}

#[test]
fn weights_that_are_not_safetensors_are_invalid() {
    let dir = tiny_model(1);
    std::fs::write(dir.path().join("model.safetensors"), "not safetensors").unwrap();
    assert_invalid(&load_error(dir.path()), "model.safetensors");
}

/// Rewrites one field of the tiny model's `config.json`.
fn edit_config(dir: &Path, field: &str, value: serde_json::Value) {
    let path = dir.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config[field] = value;
    std::fs::write(&path, config.to_string()).unwrap();
}

#[test]
fn a_config_that_is_not_json_is_invalid() {
    let dir = tiny_model(1);
    std::fs::write(dir.path().join("config.json"), "model_type = xlm-roberta").unwrap();
    assert_invalid(&load_error(dir.path()), "config.json");
}

#[test]
fn a_config_without_a_field_the_network_needs_is_invalid() {
    let dir = tiny_model(1);
    let path = dir.path().join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config.as_object_mut().unwrap().remove("intermediate_size");
    std::fs::write(&path, config.to_string()).unwrap();
    let error = load_error(dir.path());
    assert_invalid(&error, "config.json");
    assert!(error.to_string().contains("intermediate_size"), "{error}");
}

#[test]
fn an_unsupported_model_type_is_named() {
    let dir = tiny_model(1);
    edit_config(dir.path(), "model_type", "gpt2".into());
    let error = load_error(dir.path());
    assert_invalid(&error, "config.json");
    assert!(
        error.to_string().contains("\"gpt2\" is not supported"),
        "{error}"
    );
}

#[test]
fn a_wrong_config_is_named_before_broken_weights() {
    let dir = tiny_model(1);
    edit_config(dir.path(), "model_type", "gpt2".into());
    std::fs::write(dir.path().join("model.safetensors"), "not safetensors").unwrap();
    assert_invalid(&load_error(dir.path()), "config.json");
}

#[test]
fn a_hidden_size_the_weights_do_not_have_is_invalid() {
    let dir = tiny_model(1);
    edit_config(dir.path(), "hidden_size", (2 * tiny::DIMENSIONS).into());
    let error = load_error(dir.path());
    assert_invalid(&error, "model.safetensors");
    assert!(error.to_string().contains("config.json"), "{error}");
}

#[test]
fn heads_that_do_not_divide_the_hidden_size_are_invalid() {
    for heads in [0, 3] {
        let dir = tiny_model(1);
        edit_config(dir.path(), "num_attention_heads", heads.into());
        assert_invalid(&load_error(dir.path()), "config.json");
    }
}

#[test]
fn a_tokenizer_that_does_not_load_is_invalid() {
    let dir = tiny_model(1);
    std::fs::write(dir.path().join("tokenizer.json"), "{}").unwrap();
    assert_invalid(&load_error(dir.path()), "tokenizer.json");
}

#[test]
fn each_missing_file_is_named() {
    for file in beian_encoder::FILES {
        let dir = tiny_model(1);
        std::fs::remove_file(dir.path().join(file)).unwrap();
        match load_error(dir.path()) {
            Error::Missing { path } => assert_eq!(path, dir.path().join(file)),
            other => panic!("{file}: not Missing: {other:?}"),
        }
    }
}
