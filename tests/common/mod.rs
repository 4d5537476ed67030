//! Shared by the integration tests that run the binary: a command with every environment variable
//! that changes beian's output removed, so each test sees the same output wherever it runs.

use assert_cmd::Command;
use std::fs;
use std::path::PathBuf;

pub mod server;

/// Variables that change what beian prints or where it keeps its files.
pub const OUTSIDE_VARS: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "FORCE_COLOR",
    "TERM",
    "COLUMNS",
    "LINES",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "BEIAN_HISTORY",
    "BEIAN_CACHE_DIR",
    "BEIAN_CACHE_LOG",
    "BEIAN_TOKEN",
    "BEIAN_PAGER",
    "BEIAN_MODEL",
    "BEIAN_DATA_DIR",
    "PAGER",
    "LESS",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "RUST_BACKTRACE",
    "RUST_LIB_BACKTRACE",
];

/// Where the tests' runs keep compiled `--kb` knowledge bases: the build's scratch space, never the
/// user's cache directory. Safe to share, as beian's own concurrent runs share a cache.
pub const CACHE_DIR: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/beian-cache");

/// Where the tests' runs look for an installed sentence encoder: a directory no test writes, so no
/// model a developer installed changes the answers.
pub const DATA_DIR: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/beian-data-none");

/// Removes [`OUTSIDE_VARS`], points the `--kb` cache at [`CACHE_DIR`] and the data directory at
/// [`DATA_DIR`].
// Each test crate compiles this module on its own and uses what it needs of it.
#[allow(dead_code)]
pub fn hermetic(command: &mut std::process::Command) -> &mut std::process::Command {
    for var in OUTSIDE_VARS {
        command.env_remove(var);
    }
    command
        .env("BEIAN_CACHE_DIR", CACHE_DIR)
        .env("BEIAN_DATA_DIR", DATA_DIR)
}

/// The beian binary under test, run as [`hermetic`] describes.
#[allow(dead_code)]
pub fn beian() -> Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_beian"));
    hermetic(&mut cmd);
    Command::from_std(cmd)
}

/// What a run of the binary left: its exit code and its output as text.
#[allow(dead_code)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary (see [`beian`]) with `args` and no standard input.
#[allow(dead_code)]
pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

/// Runs the binary (see [`beian`]) with `args`, and `stdin` on standard input (`None`: none).
#[allow(dead_code)]
pub fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_beian"));
    hermetic(&mut command).args(args);
    if stdin.is_none() {
        command.stdin(std::process::Stdio::null());
    }
    let mut command = Command::from_std(command);
    if let Some(bytes) = stdin {
        command.write_stdin(bytes.to_vec());
    }
    let output = command.output().expect("beian runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `tests/golden/NAME`. After an intended change of an output, rewrite the golden files with
/// `BLESS=1 cargo test --test cli --test bilingual` and review `git diff tests/golden`.
#[allow(dead_code)]
pub fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
        .join(name)
}

/// Compares `actual` with `tests/golden/NAME`; with `BLESS=1` rewrites the file instead.
#[allow(dead_code)]
pub fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("BLESS").is_some_and(|value| value == "1") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!(
            "cannot read {}: {err}; create it with `BLESS=1 cargo test --test cli --test bilingual`",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    let (line, want, got) = expected
        .lines()
        .map(Some)
        .chain(std::iter::repeat(None))
        .zip(actual.lines().map(Some).chain(std::iter::repeat(None)))
        .enumerate()
        .find(|(_, (want, got))| want != got)
        .map(|(i, (want, got))| (i + 1, want, got))
        .unwrap_or((0, None, None));
    panic!(
        "the output differs from {} at line {line}:\n  golden: {want:?}\n  actual: {got:?}\n\
         If the change is intended, run `BLESS=1 cargo test --test cli --test bilingual` and review `git diff tests/golden`.\n\
         --- actual output ---\n{actual}",
        path.display()
    );
}
