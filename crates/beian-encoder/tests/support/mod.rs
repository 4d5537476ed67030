//! Helpers shared by the integration tests.

use candle_core::Device;
use std::path::Path;

/// Writes into `bert` the model in `xlm` (XLM-RoBERTa layout) in the BERT layout, the one of
/// `intfloat/multilingual-e5-small` itself: the same tensor names, `model_type: "bert"`, and
/// positions numbered from 0 — XLM-R numbers them from its padding id + 1, so the rows before
/// that are dropped from the position table.
pub fn write_bert_layout(xlm: &Path, bert: &Path) {
    let text = std::fs::read_to_string(xlm.join("config.json")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = config["pad_token_id"].as_u64().unwrap() as usize + 1;
    let positions = config["max_position_embeddings"].as_u64().unwrap() as usize - first;
    config["model_type"] = "bert".into();
    config["architectures"] = serde_json::json!(["BertModel"]);
    config["max_position_embeddings"] = positions.into();
    if config.get("initializer_range").is_none() {
        config["initializer_range"] = 0.02.into();
    }
    std::fs::write(bert.join("config.json"), config.to_string()).unwrap();
    std::fs::copy(xlm.join("tokenizer.json"), bert.join("tokenizer.json")).unwrap();

    let mut tensors =
        candle_core::safetensors::load(xlm.join("model.safetensors"), &Device::Cpu).unwrap();
    let name = "embeddings.position_embeddings.weight";
    let table = tensors[name].narrow(0, first, positions).unwrap();
    tensors.insert(name.to_string(), table);
    candle_core::safetensors::save(&tensors, bert.join("model.safetensors")).unwrap();
}
