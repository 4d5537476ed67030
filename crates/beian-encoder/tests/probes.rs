//! The encoder reproduces the reference embeddings shipped with the offline test model
//! (`../shared/models/multilingual-e5-small/probes.jsonl`), in both layouts it reads.

use beian_encoder::{dot, Encoder, Role};
use std::path::{Path, PathBuf};

mod support;

/// The shared test model, beside the checkout; `None` (the test is skipped) on a machine without it,
/// but under `CI=true` it must be there.
fn shared_model() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/models/multilingual-e5-small");
    if dir.join("model.safetensors").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing: CI needs ../shared beside the checkout",
        dir.display()
    );
    None
}

fn probes(dir: &Path) -> Vec<(String, Vec<f32>)> {
    std::fs::read_to_string(dir.join("probes.jsonl"))
        .unwrap()
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let input = value["input"].as_str().unwrap().to_string();
            let embedding = value["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect();
            (input, embedding)
        })
        .collect()
}

/// Asserts that the model in `dir` gives the reference embeddings of the shared model's probes.
fn assert_reproduces_the_probes(dir: &Path, probes: &[(String, Vec<f32>)]) {
    let encoder = Encoder::load(dir).unwrap();
    let inputs: Vec<String> = probes.iter().map(|(input, _)| input.clone()).collect();
    let vectors = encoder.embed_inputs(&inputs).unwrap();
    for ((input, reference), vector) in probes.iter().zip(&vectors) {
        let cosine = dot(reference, vector) / dot(reference, reference).sqrt();
        assert!(
            cosine >= 0.999,
            "{}: {input}: cosine {cosine}",
            dir.display()
        );
    }
}

#[test]
fn reproduces_the_reference_embeddings() {
    let Some(dir) = shared_model() else { return };
    assert_reproduces_the_probes(&dir, &probes(&dir));
}

#[test]
fn reproduces_the_reference_embeddings_in_the_bert_layout() {
    let Some(dir) = shared_model() else { return };
    let bert = tempfile::tempdir().unwrap();
    support::write_bert_layout(&dir, bert.path());
    assert_eq!(
        Encoder::load(bert.path()).unwrap().shape().model_type,
        "bert"
    );
    assert_reproduces_the_probes(bert.path(), &probes(&dir));
}

#[test]
fn one_text_alone_and_in_a_batch_agree() {
    let Some(dir) = shared_model() else { return };
    let encoder = Encoder::load(&dir).unwrap();
    let texts = [
        "外国人可以备案吗",
        "My UK company wants a website in China, what do we need?",
        "幕布",
    ];
    let batch = encoder.embed(Role::Query, &texts).unwrap();
    for (text, vector) in texts.iter().zip(&batch) {
        let alone = encoder.embed(Role::Query, &[text]).unwrap();
        assert!(dot(&alone[0], vector) > 0.9999, "{text}");
        assert!((dot(vector, vector) - 1.0).abs() < 1e-4);
    }
}

#[test]
fn a_directory_without_the_weights_is_named_in_the_error() {
    let dir = std::env::temp_dir().join("beian-encoder-missing-test");
    std::fs::create_dir_all(&dir).unwrap();
    let error = Encoder::load(&dir).err().unwrap().to_string();
    assert!(error.contains("config.json: not found"), "{error}");
}
