//! `beian --version`: the release and the knowledge base built into the binary.

use crate::VERSION;

/// `beian 0.1.0 (knowledge base: 54 entries, 3f2a9c1e)`: the version and the built-in entries,
/// so a bug report says which knowledge base gave the answer. clap's version string is static;
/// decoding the knowledge base for it on every run would slow down every `beian ask`, so this is
/// computed only when asked for.
pub fn line() -> String {
    let kb = crate::builtin::knowledge_base();
    format!(
        "beian {VERSION} (knowledge base: {} entries, {}; {})",
        kb.entries().len(),
        short_hash(kb.fingerprint()),
        encoder()
    )
}

/// Which sentence encoder answers would use (as `BEIAN_MODEL` or `beian model install` chose it;
/// not loaded: `beian model status` checks it).
fn encoder() -> String {
    if !cfg!(feature = "encoder") {
        return "built without the sentence encoder".to_string();
    }
    match crate::encoder::Choice::resolve(false, None).dir() {
        Some(dir) => format!(
            "sentence encoder: {}",
            crate::render::sanitize(&dir.display().to_string())
        ),
        None => "no sentence encoder".to_string(),
    }
}

/// The first 8 hex digits of the fingerprint: short enough to read out, long enough to tell builds apart.
pub fn short_hash(fingerprint: u64) -> String {
    format!("{:08x}", fingerprint >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_hash_is_the_fingerprints_first_eight_hex_digits() {
        assert_eq!(short_hash(0x0123_4567_89ab_cdef), "01234567");
        assert_eq!(short_hash(0xab), "00000000");
    }

    #[test]
    fn the_version_line_names_the_built_in_entries() {
        let kb = crate::builtin::knowledge_base();
        let line = line();
        assert!(line.starts_with(&format!("beian {VERSION} ")), "{line}");
        assert!(
            line.contains(&format!("{} entries", kb.entries().len())),
            "{line}"
        );
        assert!(line.contains(&short_hash(kb.fingerprint())), "{line}");
    }
}
