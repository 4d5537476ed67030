//! The README's examples are the real output of the binary: `scripts/check-readme.sh` runs every
//! block marked `<!-- check -->` (or `<!-- check: COMMAND -->`) and compares. These tests run that
//! script on the README and show that it catches a stale example.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the check script against the binary under test.
fn check_readme(args: &[&Path]) -> Output {
    Command::new("bash")
        .arg(root().join("scripts/check-readme.sh"))
        .args(args)
        .env("BEIAN_BIN", env!("CARGO_BIN_EXE_beian"))
        .output()
        .expect("bash runs")
}

fn report(output: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_readme_examples_are_the_real_output() {
    let output = check_readme(&[&root().join("README.md")]);
    assert!(
        output.status.success(),
        "the README's checked examples differ from the binary's output \
         (scripts/check-readme.sh --update rewrites them; review with git diff):\n{}",
        report(&output)
    );
}

const STALE: &str = "\
# A README

<!-- check -->
```console
$ beian --version | cut -d' ' -f1
not beian
$ beian kb lint | tail -n 1
54 entries checked
```

```console
<!-- check -->
$ an unmarked block is never run
```

<!-- check: beian show nothing/here 2>&1; echo \"exit $?\" -->
```text
stale
```
";

#[test]
fn a_stale_example_is_reported_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, STALE).unwrap();
    let output = check_readme(&[&readme]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", report(&output));
    assert!(
        stdout.contains("README.md:5: `beian --version | cut -d' ' -f1` prints something else"),
        "{stdout}"
    );
    assert!(stdout.contains("-not beian\n+beian\n"), "{stdout}");
    assert!(stdout.contains("+exit 2"), "{stdout}");
    assert!(stdout.contains("3 examples checked, 3 differ"), "{stdout}");
    assert!(!stdout.contains("unmarked"), "{stdout}");
}

#[test]
fn update_writes_the_real_output_and_then_the_check_passes() {
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.md");
    std::fs::write(&readme, STALE).unwrap();
    let update = Path::new("--update");
    let output = check_readme(&[update, &readme]);
    assert!(output.status.success(), "{}", report(&output));

    let updated = std::fs::read_to_string(&readme).unwrap();
    let transcript = "$ beian --version | cut -d' ' -f1\nbeian\n$ beian kb lint | tail -n 1\n65 entries checked: 0 errors";
    assert!(updated.contains(transcript), "{updated}");
    assert!(
        updated.contains("beian: error: no entry 'nothing/here'"),
        "{updated}"
    );
    assert!(updated.contains("exit 2\n```\n"), "{updated}");
    // Everything outside the checked blocks is untouched.
    assert!(updated.contains("```console\n<!-- check -->\n$ an unmarked block is never run\n```\n"));
    assert!(updated.starts_with("# A README\n\n<!-- check -->\n```console\n$ beian"));

    let output = check_readme(&[&readme]);
    assert!(output.status.success(), "{}", report(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("3 examples checked, 0 differ"));
}

#[test]
fn a_marker_without_a_block_or_a_readme_without_markers_fails() {
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.md");

    std::fs::write(
        &readme,
        "<!-- check -->\nsome prose\n\n```\n$ beian --version\n```\n",
    )
    .unwrap();
    let output = check_readme(&[&readme]);
    assert!(!output.status.success(), "{}", report(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("must stand right before a code block"),
        "{}",
        report(&output)
    );

    std::fs::write(
        &readme,
        "# Nothing checked\n\n```\n$ beian --version\n```\n",
    )
    .unwrap();
    let output = check_readme(&[&readme]);
    assert!(!output.status.success(), "{}", report(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("marks no example"));
}

/// Every test the README's "Bad input" table names beside a guarantee exists in the file it names, so
/// the table cannot claim coverage that is not there.
#[test]
fn every_test_the_bad_input_table_names_exists() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("\n## Bad input\n")
        .nth(1)
        .expect("a Bad input section")
        .split("\n## ")
        .next()
        .unwrap();
    let mut named = 0;
    let mut missing = Vec::new();
    for row in section
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains(".rs`"))
    {
        let tests = row.trim_end_matches('|').rsplit('|').next().unwrap();
        // `file.rs`: `a`, `b`; `other.rs`: `c`
        for group in tests.split(';') {
            let Some((file, names)) = group.split_once(':') else {
                continue;
            };
            let file = file.trim().trim_matches('`');
            let source = std::fs::read_to_string(root().join("tests").join(file))
                .unwrap_or_else(|_| panic!("the table names tests/{file}, which does not exist"));
            for name in names.split(',').map(|n| n.trim().trim_matches('`')) {
                if name.is_empty() {
                    continue;
                }
                named += 1;
                // `module::test` names a test inside a module of the file.
                let function = name.rsplit("::").next().unwrap();
                if !source.contains(&format!("fn {function}(")) {
                    missing.push(format!("{file}: {name}"));
                }
            }
        }
    }
    assert!(named >= 15, "only {named} tests found in the table");
    assert!(
        missing.is_empty(),
        "named but not found:\n{}",
        missing.join("\n")
    );
}
