//! Shared by the integration tests that run the binary: a command with every environment variable
//! that changes beian's output removed, so each test sees the same output wherever it runs.

use assert_cmd::Command;

/// Variables that change what beian prints or where it keeps its files.
pub const OUTSIDE_VARS: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "TERM",
    "COLUMNS",
    "LANG",
    "LC_ALL",
    "BEIAN_HISTORY",
];

/// The beian binary under test, with [`OUTSIDE_VARS`] removed.
pub fn beian() -> Command {
    let mut cmd = Command::cargo_bin("beian").unwrap();
    for var in OUTSIDE_VARS {
        cmd.env_remove(var);
    }
    cmd
}
