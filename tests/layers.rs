//! The layers stay one-way: reads the sources of both crates and fails on an import cycle between
//! top-level modules, on a second importer of the dispatcher, and on CLI concerns below the commands
//! or in the engine.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A crate's files, each with its path below `src/` and its text without comments.
fn sources(src: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for item in fs::read_dir(&dir).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path
                    .strip_prefix(src)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.push((
                    relative,
                    without_comments(&fs::read_to_string(&path).unwrap()),
                ));
            }
        }
    }
    files.sort();
    files
}

/// The text with `//` comments removed (doc links name modules without importing them).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // `://` is a URL inside a string, not a comment.
            Some(at) if !line[..at].ends_with(':') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level module a file belongs to (`commands/check/rules/mod.rs` → `commands`); `None` for
/// the crate root.
fn top_module(relative: &str) -> Option<String> {
    let first = relative.split('/').next().unwrap();
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The modules a text names as `crate::module`.
fn referenced(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .filter(|(at, _)| {
            // `beian_crate::` or `my_crate::` are not this crate.
            !text[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

/// Top-level module → the top-level modules it imports.
fn graph(files: &[(String, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (relative, text) in files {
        let Some(from) = top_module(relative) else {
            continue;
        };
        let to = edges.entry(from.clone()).or_default();
        // `use crate::{a, b::c}` names several modules at once.
        let mut names = referenced(text, "crate::");
        for (at, _) in text.match_indices("crate::{") {
            let group = &text[at + "crate::{".len()..];
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                names.insert(name);
            }
        }
        to.extend(
            names
                .into_iter()
                .filter(|name| *name != from && !name.is_empty()),
        );
    }
    edges
}

/// A cycle in the graph, as the path that closes it, if there is one.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut Vec::new(), &mut done))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> Vec<(String, String)> {
    sources(&root().join("src"))
}

fn engine() -> Vec<(String, String)> {
    sources(&root().join("crates/beian-engine/src"))
}

/// The files of `files` whose text contains `needle`.
fn files_with<'a>(files: &'a [(String, String)], needle: &str) -> Vec<&'a str> {
    files
        .iter()
        .filter(|(_, text)| text.contains(needle))
        .map(|(relative, _)| relative.as_str())
        .collect()
}

#[test]
fn no_top_level_module_of_either_crate_imports_its_way_back_to_itself() {
    for (name, files) in [("beian", binary()), ("beian-engine", engine())] {
        let edges = graph(&files);
        assert!(edges.len() > 5, "{name}: {edges:?}");
        if let Some(cycle) = find_cycle(&edges) {
            panic!("{name}: import cycle {}", cycle.join(" → "));
        }
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let files = [
        ("a.rs".to_string(), "use crate::b::X;".to_string()),
        ("b/mod.rs".to_string(), "use crate::{c, d::Y};".to_string()),
        ("c.rs".to_string(), "fn f() { crate::a::g() }".to_string()),
        (
            "d.rs".to_string(),
            "// crate::a is only named here".to_string(),
        ),
    ];
    let cycle = find_cycle(&graph(&files)).expect("a → b → c → a");
    assert_eq!(cycle, ["a", "b", "c", "a"]);
    assert_eq!(find_cycle(&graph(&files[1..])), None);
}

#[test]
fn only_main_imports_the_dispatcher() {
    let files = binary();
    assert_eq!(files_with(&files, "dispatch::"), ["main.rs"]);
    assert_eq!(files_with(&files, "crate::dispatch"), Vec::<&str>::new());
}

#[test]
fn clap_stays_at_the_top() {
    let files = binary();
    // The completion and man page generators describe the command line, so they read its definition.
    let allowed = [
        "cli.rs",
        "commands/completions.rs",
        "commands/man.rs",
        "dispatch.rs",
        "main.rs",
    ];
    for needle in ["clap::", "crate::cli", "beian::cli"] {
        for file in files_with(&files, needle) {
            assert!(allowed.contains(&file), "{file} uses {needle}");
        }
    }
}

#[test]
fn only_main_ends_the_process() {
    let files = binary();
    // A Ctrl-C that arrives while triage writes a record ends the process once the record is whole;
    // returning instead would wait for a reader thread that may be blocked on its input.
    assert_eq!(
        files_with(&files, "process::exit"),
        ["interrupt.rs"],
        "only interrupt.rs ends the process (main returns its exit code)"
    );
}

#[test]
fn the_engine_has_no_command_line_terminal_or_signal_code_and_prints_nothing() {
    let files = engine();
    for needle in [
        "clap",
        "rustyline",
        "indicatif",
        "terminal_size",
        "libc",
        "println!",
        "print!(",
        "eprint",
        "stdout",
        "stderr",
        "IsTerminal",
    ] {
        assert_eq!(files_with(&files, needle), Vec::<&str>::new(), "{needle}");
    }
    let manifest = fs::read_to_string(root().join("crates/beian-engine/Cargo.toml")).unwrap();
    for dependency in [
        "clap",
        "rustyline",
        "indicatif",
        "terminal_size",
        "libc",
        "anyhow",
    ] {
        assert!(!manifest.contains(dependency), "{dependency}");
    }
}
