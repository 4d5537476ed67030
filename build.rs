//! Compiles the built-in knowledge base at build time: every file under `knowledge/` is embedded as
//! text, parsed into entries, and indexed with tantivy by the engine (a build-dependency, so cargo
//! rebuilds this when the engine changes), and its notice and boilerplate patterns are compiled into
//! DFAs and its index read into a term table, so a running `beian` only decodes bytes.

use beian_engine::compiled::Compiled;
use beian_engine::index;
use beian_engine::kb;
use beian_engine::tables;
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
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("md" | "toml")
        ) {
            files.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Cargo scans a directory named here for any change below it: an entry edited, added or removed.
    // The engine's own sources are tracked by cargo as those of a build-dependency.
    println!("cargo:rerun-if-changed=knowledge");

    let mut paths = Vec::new();
    collect(&root.join("knowledge"), &mut paths);
    let mut sources = Vec::new();
    for path in &paths {
        let relative = path.strip_prefix(&root).expect("under the manifest dir");
        let text = fs::read_to_string(path)
            .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
        sources.push((relative.to_string_lossy().replace('\\', "/"), text));
    }
    let pairs: Vec<(&str, &str)> = sources
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();

    // A built-in knowledge base that does not load fails the build, with the file and line.
    let knowledge = kb::KnowledgeBase::from_layers(Some(&kb::Files::embedded(&pairs)), None)
        .unwrap_or_else(|err| {
            let detail = match &err {
                kb::KbError::Problems(problems) => problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
                other => other.to_string(),
            };
            panic!("the built-in knowledge base does not load:\n{detail}")
        });
    let compiled = Compiled::new(knowledge);
    let (head, texts) = compiled.encode_split();
    fs::write(out.join("compiled.bin"), head).expect("write compiled.bin");
    fs::write(out.join("texts.bin"), texts).expect("write texts.bin");
    let knowledge = &compiled.kb;
    fs::write(out.join("automata.bin"), tables::automata(knowledge)).expect("write automata.bin");

    let index_dir = out.join("index");
    let _ = fs::remove_dir_all(&index_dir);
    fs::create_dir_all(&index_dir).expect("create the index directory");
    let built = index::build_index(knowledge).expect("build the index");
    let index_files = index::index_files(&built).expect("read the built index");
    let search = index::SearchIndex::open(built).expect("open the built index");
    let terms = index::table::TermTable::build(&search).expect("read the index into a table");
    fs::write(out.join("terms.bin"), terms.freeze()).expect("write terms.bin");
    for (name, bytes) in &index_files {
        fs::write(index_dir.join(name), bytes).expect("write an index file");
    }

    let mut code = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for path in &paths {
        let relative = path
            .strip_prefix(&root)
            .expect("under the manifest dir")
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({relative:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    writeln!(
        code,
        "pub static COMPILED: &[u8] = include_bytes!({:?});",
        out.join("compiled.bin").display().to_string()
    )
    .unwrap();
    writeln!(
        code,
        "pub static TEXTS: &[u8] = include_bytes!({:?});",
        out.join("texts.bin").display().to_string()
    )
    .unwrap();
    writeln!(
        code,
        "pub static AUTOMATA: &[u8] = include_bytes!({:?});",
        out.join("automata.bin").display().to_string()
    )
    .unwrap();
    writeln!(
        code,
        "pub static TERMS: &[u8] = include_bytes!({:?});",
        out.join("terms.bin").display().to_string()
    )
    .unwrap();
    code.push_str("pub static INDEX_FILES: &[(&str, &[u8])] = &[\n");
    for (name, _) in &index_files {
        writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            index_dir.join(name).display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    writeln!(
        code,
        "pub const FINGERPRINT: u64 = {:#x};",
        knowledge.fingerprint()
    )
    .unwrap();
    fs::write(out.join("builtin_kb.rs"), code).expect("write builtin_kb.rs");
}
