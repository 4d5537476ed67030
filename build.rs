//! Embeds the built-in knowledge base: every file under `knowledge/` becomes a (path, text) pair in the binary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut children: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .collect();
    children.sort();
    for path in children {
        if path.is_dir() {
            collect(&path, files);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "toml")) {
            files.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let knowledge = root.join("knowledge");
    println!("cargo:rerun-if-changed=knowledge");
    let mut files = Vec::new();
    collect(&knowledge, &mut files);
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }

    let mut code = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        let relative = file.strip_prefix(&root).expect("under the manifest dir");
        let relative = relative.to_string_lossy().replace('\\', "/");
        writeln!(code, "    ({relative:?}, include_str!({:?})),", file.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_kb.rs");
    fs::write(out, code).expect("write builtin_kb.rs");
}
