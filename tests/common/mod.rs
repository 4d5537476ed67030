//! Shared by the integration tests that run the binary: a command with every environment variable
//! that changes beian's output removed, so each test sees the same output wherever it runs.

use assert_cmd::Command;

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
    "XDG_DATA_HOME",
    "RUST_BACKTRACE",
    "RUST_LIB_BACKTRACE",
];

/// The beian binary under test, with [`OUTSIDE_VARS`] removed.
// Each test crate compiles this module on its own; those that build std commands use only the list.
#[allow(dead_code)]
pub fn beian() -> Command {
    let mut cmd = Command::cargo_bin("beian").unwrap();
    for var in OUTSIDE_VARS {
        cmd.env_remove(var);
    }
    cmd
}
