//! What the engine's unit tests share: the repository's knowledge base, read from its directory.

use crate::kb::{Files, KnowledgeBase};
use std::path::Path;

/// The knowledge base the binary builds in, read from `knowledge/` at the repository's root.
pub fn knowledge_base() -> KnowledgeBase {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
    let files = Files::read_dir(&dir).expect("the repository's knowledge directory reads");
    KnowledgeBase::from_layers(Some(&files), None).expect("the repository's knowledge base loads")
}
