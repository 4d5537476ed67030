//! How beian fits into a user's system, through the binary: completion scripts for every shell,
//! manual pages, `--version` with the knowledge base, and an example in every command's `--help`.

mod common;
use beian::cli::Cli;
use clap::CommandFactory;
use common::beian;
use predicates::prelude::*;

fn stdout_of(args: &[&str]) -> String {
    let output = beian().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "beian {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Every command path under `beian`, e.g. ["ask"], ["kb"], ["kb", "lint"], without clap's `help`.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(command: &clap::Command, prefix: &[String], paths: &mut Vec<Vec<String>>) {
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            walk(sub, &path, paths);
            paths.push(path);
        }
    }
    let mut paths = Vec::new();
    walk(&Cli::command(), &[], &mut paths);
    paths
}

#[test]
fn the_command_line_definition_is_consistent() {
    Cli::command().debug_assert();
    // And as beian parses it, with the global options hidden in every command's help.
    beian::cli::command().debug_assert();
}

#[test]
fn the_command_tree_is_the_one_these_tests_expect() {
    // Guards the walk above: if it found nothing, the loops below would pass vacuously.
    let names: Vec<String> = command_paths().iter().map(|p| p.join(" ")).collect();
    for expected in [
        "ask",
        "repl",
        "kb lint",
        "triage",
        "check",
        "completions",
        "man",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
}

#[test]
fn every_shell_gets_a_script_that_knows_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.lines().count() > 20, "{shell}: {script}");
        for path in command_paths() {
            let name = path.last().unwrap();
            assert!(
                script.contains(name.as_str()),
                "{shell} script lacks {name}"
            );
        }
        // Flags too: completing `beian ask --j` should offer --json.
        assert!(script.contains("json"), "{shell} script lacks --json");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    beian()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("tcsh"));
}

#[test]
fn a_closed_pipe_ends_completions_and_man_quietly() {
    // clap_complete panics when a write fails; `beian completions zsh | head -1` must not.
    for args in [["completions", "zsh"], ["man", "ask"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_beian"))
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr, "", "{args:?}");
        assert!(output.status.success(), "{args:?}: {:?}", output.status);
    }
}

#[test]
fn the_manual_page_is_roff() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with('.'), "not a roff request: {page:.80}");
    let head: Vec<&str> = page.lines().take(5).collect();
    assert!(
        head.iter().any(|l| l.starts_with(".TH beian 1 ")),
        "no .TH line near the top: {head:?}"
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "no {section}");
    }
    // Every command is listed with its own page, e.g. beian-ask(1).
    for path in command_paths().iter().filter(|p| p.len() == 1) {
        assert!(
            page.contains(&format!("beian\\-{}(1)", path[0])),
            "{path:?}"
        );
    }
    assert!(page.contains("beian 0.1.0") || page.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn each_command_has_its_own_page() {
    let page = stdout_of(&["man", "kb", "lint"]);
    assert!(page.contains(".TH beian-kb-lint 1 "), "{page:.200}");
    assert!(page.contains(&format!("beian {}", env!("CARGO_PKG_VERSION"))));
    let ask = stdout_of(&["man", "ask"]);
    assert!(ask.contains("\\-\\-top"), "ask's options are on its page");
    assert!(
        ask.contains(".SH EXAMPLES"),
        "ask's examples are on its page"
    );
}

#[test]
fn an_unknown_page_names_the_known_ones() {
    beian()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("no command 'nope'").and(predicate::str::contains("ask")))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn man_dir_writes_every_page() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man1");
    let listing = stdout_of(&["man", "--dir", target.to_str().unwrap()]);
    let mut expected: Vec<String> = vec!["beian.1".into()];
    expected.extend(
        command_paths()
            .iter()
            .map(|p| format!("beian-{}.1", p.join("-"))),
    );
    for name in &expected {
        let path = target.join(name);
        let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(page.contains(".TH "), "{name}");
        assert!(
            listing.contains(path.to_str().unwrap()),
            "{name} not listed"
        );
    }
    assert_eq!(listing.lines().count(), expected.len(), "{listing}");
}

#[test]
fn man_dir_that_cannot_be_created_is_one_error_line() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let below_a_file = file.path().join("man1");
    beian()
        .args(["man", "--dir", below_a_file.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("beian: error: cannot create"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn version_names_the_knowledge_base() {
    for flag in ["--version", "-V"] {
        let line = stdout_of(&[flag]);
        let expected_start = format!(
            "beian {} (knowledge base: 65 entries, ",
            env!("CARGO_PKG_VERSION")
        );
        assert!(line.starts_with(&expected_start), "{line}");
        let hash = line
            .trim_end()
            .strip_prefix(&expected_start)
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|rest| rest.split_once("; "))
            .map(|(hash, _encoder)| hash)
            .unwrap_or_else(|| panic!("{line}"));
        assert_eq!(hash.len(), 8, "{line}");
        assert!(hash.chars().all(|c| c.is_ascii_hexdigit()), "{line}");
        assert_eq!(line.lines().count(), 1, "{line}");
    }
}

#[test]
fn version_matches_the_library_and_ignores_other_flags() {
    let expected = format!("{}\n", beian::commands::version::line());
    beian()
        .arg("--version")
        .assert()
        .success()
        .stdout(expected.clone());
    beian()
        .args(["--lang", "en", "--version"])
        .assert()
        .success()
        .stdout(expected);
}

#[test]
fn every_help_has_an_example() {
    let mut paths = vec![vec![]];
    paths.extend(command_paths());
    for path in paths {
        for flag in ["--help", "-h"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let help = stdout_of(&args);
            assert!(
                help.contains("Example"),
                "beian {args:?} has no example:\n{help}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn man_dir_does_not_write_through_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    let pages = dir.path().join("man1");
    std::fs::create_dir(&pages).unwrap();
    std::os::unix::fs::symlink(&victim, pages.join("beian.1")).unwrap();
    beian()
        .arg("man")
        .arg("--dir")
        .arg(&pages)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("beian.1").and(predicate::str::contains("symbolic link")))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(std::fs::symlink_metadata(pages.join("beian.1"))
        .unwrap()
        .file_type()
        .is_symlink());
    // Nothing written before the refusal, either.
    assert_eq!(std::fs::read_dir(&pages).unwrap().count(), 1);

    // A page that is a regular file is replaced, as an update of installed pages should be.
    std::fs::remove_file(pages.join("beian.1")).unwrap();
    std::fs::write(pages.join("beian.1"), "old page\n").unwrap();
    stdout_of(&["man", "--dir", pages.to_str().unwrap()]);
    assert!(std::fs::read_to_string(pages.join("beian.1"))
        .unwrap()
        .contains(".TH "));
}

#[cfg(unix)]
#[test]
fn version_and_help_to_a_full_disk_exit_2() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        &["--version"][..],
        &["-V"],
        &["--help"],
        &["ask", "--help"],
        &["help", "triage"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_beian"));
        common::hermetic(&mut command).args(args);
        let output = command
            .stdin(std::process::Stdio::null())
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("beian: error: cannot write") && stderr.lines().count() == 1,
            "{args:?}: {stderr}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Help that lists the global options once; manual pages with their sections; completion of ids

const GLOBAL_NOTE: &str = "Global options: --kb DIR, --no-builtin, --no-cache, --color WHEN, --lang LANG, --no-pager, --model DIR, --no-model (see `beian --help`)";

/// The help text with its lines joined, so that a note clap wrapped reads as one line.
fn joined(help: &str) -> String {
    help.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn global_options_are_listed_once_in_beian_help_and_referred_to_elsewhere() {
    let root = stdout_of(&["--help"]);
    assert!(root.contains("\nGlobal options:\n"), "{root}");
    for option in [
        "--kb <DIR>",
        "--no-builtin",
        "--no-cache",
        "--color <WHEN>",
        "--lang <LANG>",
        "--no-pager",
        "--model <DIR>",
        "--no-model",
    ] {
        let listed = root
            .lines()
            .filter(|line| line.trim_start().starts_with(option))
            .count();
        assert_eq!(listed, 1, "{option} in beian --help:\n{root}");
    }
    for path in command_paths() {
        for flag in ["--help", "-h"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let help = stdout_of(&args);
            assert!(
                joined(&help).contains(GLOBAL_NOTE),
                "beian {args:?}:\n{help}"
            );
            for option in ["--kb <DIR>", "--no-builtin", "--color <WHEN>"] {
                assert!(
                    !help.lines().any(|l| l.trim_start().starts_with(option)),
                    "beian {args:?} repeats {option}:\n{help}"
                );
            }
        }
    }
    // About thirty lines shorter than when it repeated them.
    assert!(stdout_of(&["show", "--help"]).lines().count() < 20);
    // Hidden from the help, not from the command line.
    beian()
        .args([
            "show",
            "scenario/new-access",
            "--lang",
            "en",
            "--color",
            "never",
            "--no-pager",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Add access"));
}

#[test]
fn the_manual_pages_have_examples_exit_status_environment_and_files() {
    let page = stdout_of(&["man"]);
    for section in [
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        ".SH FILES",
        ".SH EXAMPLES",
    ] {
        assert!(page.contains(section), "beian(1) has no {section}");
    }
    let examples = page.split(".SH EXAMPLES").nth(1).unwrap();
    assert!(examples.contains("beian ask \\-\\-json"), "{examples}");
    for path in command_paths() {
        let mut args = vec!["man"];
        args.extend(path.iter().map(String::as_str));
        let page = stdout_of(&args);
        assert!(
            !page.contains(".SH EXTRA"),
            "{path:?}: examples under EXTRA"
        );
        if path != ["kb"] {
            assert!(page.contains(".SH EXAMPLES"), "{path:?} has no EXAMPLES");
        }
        assert!(
            page.contains(".SH \"SEE ALSO\"\n\\fBbeian\\fR(1) for the global options"),
            "{path:?}"
        );
    }
    let ask = stdout_of(&["man", "ask"]);
    assert!(
        ask.contains(".SH \"EXIT STATUS\"\n.PP\n0 a confident match"),
        "{ask}"
    );
    let repl = stdout_of(&["man", "repl"]);
    assert!(
        repl.contains(".SH NOTES\n.PP\nHistory: $BEIAN_HISTORY"),
        "{repl}"
    );
}

/// The names of the environment variables beian's sources read: `var("X")`, `var_os("X")`,
/// `env = "X"` (clap) and `…_VAR: &str = "X"`.
fn variables_read() -> std::collections::BTreeSet<String> {
    let pattern = regex::Regex::new(
        r#"(?:var(?:_os)?\(\s*"([A-Z_]+)"\s*\)|env = "([A-Z_]+)"|_VAR: &str = "([A-Z_]+)")"#,
    )
    .unwrap();
    let mut names = std::collections::BTreeSet::new();
    let mut pending = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = pending.pop() {
        for item in std::fs::read_dir(dir).unwrap() {
            let path = item.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for found in pattern.captures_iter(&text) {
                    let name = found.iter().skip(1).flatten().next().unwrap();
                    names.insert(name.as_str().to_string());
                }
            }
        }
    }
    names
}

#[test]
fn every_variable_beian_reads_is_in_the_environment_section() {
    let names = variables_read();
    for expected in [
        "NO_COLOR",
        "BEIAN_HISTORY",
        "BEIAN_CACHE_DIR",
        "BEIAN_CACHE_LOG",
        "BEIAN_PAGER",
        "PAGER",
        "COLUMNS",
    ] {
        assert!(
            names.contains(expected),
            "the scan misses {expected}: {names:?}"
        );
    }
    let page = stdout_of(&["man"]);
    let environment = page
        .split(".SH ENVIRONMENT")
        .nth(1)
        .and_then(|rest| rest.split(".SH ").next())
        .expect("an ENVIRONMENT section");
    for name in &names {
        assert!(
            environment.contains(&format!("\\fB{name}\\fR")) || environment.contains(name.as_str()),
            "{name} is read but not in ENVIRONMENT:\n{environment}"
        );
    }
}

#[test]
fn completion_scripts_know_the_entry_ids_and_the_kinds() {
    let id = "scenario/foreign-entity";
    let bash = stdout_of(&["completions", "bash"]);
    let show = bash.split("beian__subcmd__show)").nth(1).unwrap();
    let show = show.split(";;").next().unwrap();
    assert!(show.contains(id), "{show}");
    assert!(bash.contains("compgen -W \"scenario process rejection risk faq\""));
    let zsh = stdout_of(&["completions", "zsh"]);
    assert!(zsh.contains(":id -- Entry id, e.g. rejection/subject-mismatch:("));
    assert!(zsh.contains(&format!(" {id} ")), "zsh");
    assert!(
        zsh.contains("KIND:(scenario process rejection risk faq)"),
        "zsh kinds"
    );
    let fish = stdout_of(&["completions", "fish"]);
    assert!(
        fish.contains(&format!(
            "complete -c beian -n \"__fish_beian_using_subcommand show\" -f -a '{id}' -d '"
        )),
        "fish"
    );
    assert!(
        fish.contains("-l kind -d 'Only entries of this kind' -r -f -a \"scenario"),
        "fish kinds"
    );
    // Every built-in id.
    let ids = beian::builtin::knowledge_base();
    for entry in ids.entries() {
        assert!(show.contains(entry.id.as_str()), "{}", entry.id);
    }
}

#[cfg(unix)]
#[test]
fn bash_completes_an_entry_id_prefix_and_a_kind() {
    use expectrl::{Eof, Expect, Session};
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("beian.bash");
    std::fs::write(&script, stdout_of(&["completions", "bash"])).unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_beian"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    // A terminal echoes what is typed, and readline shows completions only when it does; the
    // pseudo-terminal starts without echo, so it is switched on before bash starts.
    let mut command = std::process::Command::new("sh");
    common::hermetic(&mut command);
    command
        .args(["-c", "stty echo && exec bash --norc --noprofile"])
        .env("PATH", path)
        .env("PS1", "$ ")
        .env("TERM", "xterm-256color")
        .env("BEIAN_PAGER", "");
    let mut session = Session::spawn(command).expect("bash on a pseudo-terminal");
    session.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    session.expect("$ ").expect("a prompt");
    session
        .send(format!("source {}\r", script.display()))
        .unwrap();
    session.expect("$ ").expect("the script is read");
    session.send("beian show scenario/fore\t").unwrap();
    session
        .expect("scenario/foreign-entity")
        .expect("bash completes the id");
    // The completed command runs.
    session.send(" --color never\r").unwrap();
    // The title is shown only if the whole id was run (a prefix is an error naming the id).
    session
        .expect("外籍人士、境外公司与港澳台居民能否备案")
        .expect("the entry is shown");
    session.expect("$ ").expect("a prompt after the entry");
    session.send("beian list --kind rej\t").unwrap();
    session
        .expect("--kind rejection")
        .expect("bash completes the kind");
    session.send("\r").unwrap();
    session
        .expect("rejection/subject-mismatch")
        .expect("the rejections are listed");
    session.expect("$ ").expect("a prompt after the list");
    session.send("exit\r").unwrap();
    session.expect(Eof).unwrap();
}
