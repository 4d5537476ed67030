//! The terminal experience through the real binary (issue 22): text wrapped to the width (golden
//! files at 40, 60 and 100 columns, set with `COLUMNS`), the short and the long answer, the pager on
//! a pseudo-terminal, bare questions and did-you-mean.
//!
//! After an intended change of the output, rewrite the golden files with
//! `BLESS=1 cargo test --test terminal` and review `git diff tests/golden`.
#![cfg(unix)]

mod common;
use beian::render::wrap::display_width;
use common::{assert_golden, beian, Run};
use expectrl::{Eof, Expect, Regex, Session};
use std::path::{Path, PathBuf};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_beian");
const REJECTED_QUESTION: &str = "备案退回后下一步做什么";
const WIDTHS: [usize; 3] = [40, 60, 100];

/// Runs beian (hermetic, no standard input) with `COLUMNS` set when `columns` is given.
fn run_at(columns: Option<usize>, args: &[&str]) -> Run {
    let mut command = beian();
    command.args(args);
    if let Some(columns) = columns {
        command.env("COLUMNS", columns.to_string());
    }
    let output = command.output().expect("beian runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Text without the escape sequences a terminal (or rustyline) adds, and without carriage returns.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for next in chars.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&next) {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Closing punctuation no wrapped line may start with, and opening brackets none may end with.
const NO_START: &str = "，。、；：！？）」』】》〉…,.;:!?)";
const NO_END: &str = "（「『【《〈([";

/// Every line fits `width` columns, or is one word that must not be cut (an id, a URL); no line
/// starts with closing punctuation or ends with an opening bracket. List markers (`2.`, `•`) and a
/// leading `… ` (a line that says how many items are left out) are not the text that wrapped.
fn assert_layout(text: &str, width: usize, what: &str) {
    let mut lines = 0;
    for line in text.lines() {
        lines += 1;
        let words: Vec<&str> = line
            .split_whitespace()
            .filter(|word| {
                *word != "•"
                    && !word
                        .trim_end_matches('.')
                        .chars()
                        .all(|c| c.is_ascii_digit())
            })
            .collect();
        let unbreakable = words.len() == 1 && (words[0].is_ascii() || words[0].contains("://"));
        assert!(
            display_width(line) <= width || unbreakable,
            "{what}: {line:?} is wider than {width} columns\n{text}"
        );
        let rest = words.join(" ");
        if let Some(first) = rest.chars().next() {
            // `… 还有 4 条` says what is left out; `:show N|ID` is a command of the session.
            let marker = rest.starts_with("… ")
                || (first == ':' && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic()));
            assert!(
                !NO_START.contains(first) || marker,
                "{what}: {line:?} starts with closing punctuation\n{text}"
            );
        }
        if let Some(last) = line.chars().last() {
            assert!(
                !NO_END.contains(last),
                "{what}: {line:?} ends with an opening bracket\n{text}"
            );
        }
    }
    assert!(lines > 5, "{what}: {text}");
}

// ---------------------------------------------------------------------------------------------
// Width and the short and long answers

#[test]
fn golden_short_and_long_answers_at_40_60_and_100_columns() {
    for width in WIDTHS {
        for length in ["short", "long"] {
            let flag = format!("--{length}");
            let args = [
                "ask",
                &flag,
                "--color",
                "never",
                "--top",
                "2",
                REJECTED_QUESTION,
            ];
            let run = run_at(Some(width), &args);
            assert_eq!(run.code, Some(0), "{}", run.stderr);
            assert_golden(&format!("ask-{length}-{width}.txt"), &run.stdout);
            assert_layout(&run.stdout, width, &format!("ask {flag} at {width}"));
        }
    }
}

#[test]
fn golden_entry_at_40_columns() {
    let run = run_at(
        Some(40),
        &["show", "--color", "never", "scenario/new-access"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_golden("show-scenario-new-access-40.txt", &run.stdout);
}

#[test]
fn every_line_of_every_view_fits_the_width() {
    let notice = "初审驳回：幕布照片太暗；负责人身份证已过期（请更换后重新提交）";
    for width in WIDTHS {
        for args in [
            &["show", "rejection/site-name-invalid"][..],
            &["show", "--lang", "en", "scenario/foreign-entity"],
            &["list"],
            &["list", "--lang", "en"],
            &["ask", "--long", notice],
            &["ask", "--short", notice],
            &["ask", "--short", "--lang", "en", REJECTED_QUESTION],
            &["ask", "推荐一款好用的机械键盘"],
        ] {
            let run = run_at(Some(width), args);
            assert!(run.code.is_some_and(|c| c < 2), "{args:?}: {}", run.stderr);
            assert_layout(&run.stdout, width, &format!("{args:?} at {width}"));
        }
    }
    // The session's answers, `:help` and `:list` too.
    for width in WIDTHS {
        let mut command = beian();
        command
            .env("COLUMNS", width.to_string())
            .args(["repl", "--color", "never"])
            .write_stdin(format!("{REJECTED_QUESTION}\n:help\n:list risk\n:show 2\n"));
        let output = command.output().unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert_layout(&text, width, &format!("repl at {width}"));
        assert!(text.contains(":show N|ID"), "{text}");
    }
}

#[test]
fn piped_output_is_not_wrapped_and_is_the_long_answer() {
    // Scripts and the golden file of tests/cli.rs read the output as it always was.
    let piped = run_at(
        None,
        &["ask", "--color", "never", "--top", "2", REJECTED_QUESTION],
    );
    let long = run_at(
        None,
        &[
            "ask",
            "--long",
            "--color",
            "never",
            "--top",
            "2",
            REJECTED_QUESTION,
        ],
    );
    assert_eq!(piped.stdout, long.stdout);
    assert!(piped.stdout.contains("\n原因\n"), "{}", piped.stdout);
    assert!(
        piped.stdout.lines().any(|line| display_width(line) > 100),
        "lines are whole"
    );
}

#[test]
fn the_short_answer_has_the_steps_and_says_where_the_rest_is() {
    let run = run_at(
        None,
        &[
            "ask",
            "--short",
            "--color",
            "never",
            "--top",
            "3",
            REJECTED_QUESTION,
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = &run.stdout;
    assert!(text.starts_with("备案被驳回后怎么办\n"), "{text}");
    for kept in ["解决步骤", "  7. ", "下一步", "来源:", "其他可能:", "  3. "] {
        assert!(text.contains(kept), "{kept:?}: {text}");
    }
    for left_out in [
        "\n原因\n",
        "相关:",
        "常见驳回原因及其处理.md>\n  • Tencent Cloud: 网站备案 常见问题/短信核验类",
    ] {
        assert!(!text.contains(left_out), "{left_out:?}: {text}");
    }
    assert!(
        text.contains("  … 还有 1 条\n"),
        "one next action left out: {text}"
    );
    assert!(
        text.contains("  … 还有 18 条\n"),
        "sources left out: {text}"
    );
    assert!(
        text.contains("beian show faq/rejected-what-next（或 beian ask --long）"),
        "{text}"
    );
    let long = run_at(None, &["ask", "--long", "--top", "3", REJECTED_QUESTION]);
    assert!(
        text.lines().count() * 3 < long.stdout.lines().count() * 2,
        "short: {} lines, long: {}",
        text.lines().count(),
        long.stdout.lines().count()
    );
    // JSON is the same whatever the length.
    let json = |flag: &str| run_at(None, &["ask", "--json", flag, REJECTED_QUESTION]).stdout;
    assert_eq!(json("--short"), json("--long"));
    let both = run_at(None, &["ask", "--short", "--long", REJECTED_QUESTION]);
    assert_eq!(
        both.code,
        Some(2),
        "--short and --long conflict: {}",
        both.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// On a pseudo-terminal: the default answer, the pager, the 40-column layout

/// `beian ARGS` on a pseudo-terminal of `columns`×24 (set before beian starts), with
/// `env` set; returns everything it printed, escape sequences removed.
fn on_terminal(columns: u16, args: &[&str], env: &[(&str, &str)]) -> (String, Option<i32>) {
    let mut session = spawn_on_terminal(columns, args, env);
    let found = session.expect(Eof).expect("beian ends");
    let text = plain(&String::from_utf8_lossy(found.as_bytes()));
    let status = session.get_process().wait().unwrap();
    let code = match status {
        expectrl::process::unix::WaitStatus::Exited(_, code) => Some(code),
        _ => None,
    };
    (text, code)
}

fn spawn_on_terminal(
    columns: u16,
    args: &[&str],
    env: &[(&str, &str)],
) -> expectrl::session::OsSession {
    let mut command = std::process::Command::new("sh");
    common::hermetic(&mut command);
    // The spawner sets 80×24 once the child runs, so the size is set after it, and beian starts
    // only when the terminal has it.
    command
        .arg("-c")
        .arg(format!(
            "while [ \"$(stty size)\" != \"24 {columns}\" ]; do sleep 0.01; done; exec \"$0\" \"$@\""
        ))
        .arg(BIN)
        .args(args)
        .env("TERM", "xterm-256color")
        .envs(env.iter().copied());
    let mut session = Session::spawn(command).expect("spawn beian on a pseudo-terminal");
    session
        .get_process_mut()
        .set_window_size(columns, 24)
        .expect("set the window size");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// A pager that says it ran (and with which arguments), then shows its input.
fn fake_pager(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("pager");
    std::fs::write(
        &path,
        "#!/bin/sh\necho \"PAGER-STARTED $* LESS=$LESS\"\nexec cat\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn on_a_terminal_the_answer_is_short_and_long_with_long() {
    let no_pager = [("BEIAN_PAGER", "")];
    let (short, code) = on_terminal(
        80,
        &["ask", "--color", "never", REJECTED_QUESTION],
        &no_pager,
    );
    assert_eq!(code, Some(0), "{short}");
    assert!(
        short.contains("解决步骤") && short.contains("其他可能:"),
        "{short}"
    );
    assert!(!short.contains("\n原因\n"), "no causes by default: {short}");
    let (long, _) = on_terminal(
        80,
        &["ask", "--long", "--color", "never", REJECTED_QUESTION],
        &no_pager,
    );
    assert!(
        long.contains("\n原因\n") && long.contains("相关:"),
        "{long}"
    );
}

#[test]
fn long_output_on_a_terminal_goes_through_the_pager() {
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path());
    let pager = pager.to_str().unwrap();
    let show = ["show", "--color", "never", "scenario/new-access"];

    let (paged, code) = on_terminal(80, &show, &[("BEIAN_PAGER", pager)]);
    assert_eq!(code, Some(0), "{paged}");
    assert!(
        paged.contains("PAGER-STARTED  LESS=FRX"),
        "LESS set for the pager: {paged}"
    );
    assert!(
        paged.contains("新增接入"),
        "the entry went through it: {paged}"
    );
    // PAGER when BEIAN_PAGER is not set, with its arguments; a LESS of the user's is kept.
    let with_args = format!("{pager} --flag");
    let (paged, _) = on_terminal(80, &show, &[("PAGER", &with_args), ("LESS", "R")]);
    assert!(paged.contains("PAGER-STARTED --flag LESS=R"), "{paged}");
    // A long answer and the list too.
    for args in [&["ask", "--long", REJECTED_QUESTION][..], &["list"]] {
        let (paged, _) = on_terminal(80, args, &[("BEIAN_PAGER", pager)]);
        assert!(paged.contains("PAGER-STARTED"), "{args:?}: {paged}");
    }
}

#[test]
fn short_output_no_pager_and_an_empty_pager_variable_print_directly() {
    let dir = tempfile::tempdir().unwrap();
    let pager = fake_pager(dir.path());
    let pager = pager.to_str().unwrap();
    let env = [("BEIAN_PAGER", pager)];
    // Three lines fit the window: no pager.
    let (text, _) = on_terminal(80, &["list", "--kind", "risk"], &env);
    assert!(text.contains("risk/shell-site"), "{text}");
    assert!(!text.contains("PAGER-STARTED"), "{text}");
    // --no-pager, and an empty BEIAN_PAGER (which also hides PAGER).
    let show = ["show", "scenario/new-access"];
    let (text, _) = on_terminal(80, &["--no-pager", show[0], show[1]], &env);
    assert!(
        text.contains("新增接入") && !text.contains("PAGER-STARTED"),
        "{text}"
    );
    let (text, _) = on_terminal(80, &show, &[("BEIAN_PAGER", ""), ("PAGER", pager)]);
    assert!(
        text.contains("新增接入") && !text.contains("PAGER-STARTED"),
        "{text}"
    );
    // Piped: never.
    let run = beian()
        .args(show)
        .env("BEIAN_PAGER", pager)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("新增接入") && !stdout.contains("PAGER-STARTED"),
        "{stdout}"
    );
}

#[test]
fn a_pager_that_cannot_be_started_loses_nothing() {
    let (text, code) = on_terminal(
        80,
        &["show", "--color", "never", "scenario/new-access"],
        &[("BEIAN_PAGER", "/nonexistent/pager -x")],
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("beian: warning: cannot run the pager '/nonexistent/pager -x'"),
        "{text}"
    );
    assert!(
        text.contains("新增接入") && text.contains("来源:"),
        "all of it: {text}"
    );
}

#[test]
fn the_default_pager_is_less_and_q_leaves_it() {
    // The tests' environment has no locale: LESSCHARSET keeps less from taking UTF-8 for binary.
    let mut session = spawn_on_terminal(
        80,
        &["show", "--color", "never", "scenario/new-access"],
        &[("LESSCHARSET", "utf-8")],
    );
    if which("less").is_none() {
        // Without less the default pager cannot start: the entry is printed directly.
        let found = session.expect(Eof).unwrap();
        let text = plain(&String::from_utf8_lossy(found.as_bytes()));
        assert!(
            text.contains("cannot run the pager 'less -FRX'") && text.contains("新增接入"),
            "{text}"
        );
        return;
    }
    // less shows the first screen and waits at its prompt; `q` ends it, and beian with it.
    let first = session.expect(Regex("\n:")).expect("less prompts");
    let first = plain(&String::from_utf8_lossy(first.as_bytes()));
    assert!(first.contains("新增接入"), "{first}");
    assert!(!first.contains("来源:"), "only the first screen: {first}");
    session.send("q").unwrap();
    session.expect(Eof).expect("beian ends after less");
    let status = session.get_process().wait().unwrap();
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

#[test]
fn a_40_column_terminal_gets_a_40_column_layout() {
    let no_pager = [("BEIAN_PAGER", "")];
    let (text, _) = on_terminal(
        40,
        &["ask", "--color", "never", REJECTED_QUESTION],
        &no_pager,
    );
    assert_layout(&text, 40, "ask on 40 columns");
    assert!(
        text.contains("常见问题 · faq/rejected-what-next ·\n置信度 0.81"),
        "{text}"
    );
    let (text, _) = on_terminal(
        40,
        &["show", "--color", "never", "rejection/subject-mismatch"],
        &no_pager,
    );
    assert_layout(&text, 40, "show on 40 columns");

    // The session's banner and :help.
    let mut session = spawn_on_terminal(40, &["repl", "--color", "never"], &no_pager);
    let banner = session.expect(Regex("beian> ")).expect("a prompt");
    let banner = plain(&String::from_utf8_lossy(banner.as_bytes()));
    assert!(banner.lines().count() >= 2, "the banner wraps: {banner:?}");
    session.send(":help\r").unwrap();
    let help = session.expect(Regex("退出。\r\n")).expect(":help");
    let help = plain(&String::from_utf8_lossy(help.as_bytes()));
    let help = help
        .split_once(":help\n")
        .map_or(help.as_str(), |(_, rest)| rest);
    assert_layout(
        &format!("{banner}\n{help}"),
        40,
        "banner and :help on 40 columns",
    );
    // Ctrl-D at the next prompt ends the session (sent earlier, the line discipline could take it).
    session
        .expect(Regex("beian> "))
        .expect("a prompt after :help");
    session.send("\x04").unwrap();
    session.expect(Eof).expect("the session ends");
}

// ---------------------------------------------------------------------------------------------
// Bare questions and did-you-mean

#[test]
fn a_bare_question_is_asked() {
    let run = run_at(None, &["外国人可以备案吗"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("scenario/foreign-entity"),
        "{}",
        run.stdout
    );
    // Global options before it, ask's options after it, and an English question with spaces.
    let run = run_at(
        None,
        &[
            "--lang",
            "en",
            "can a foreigner file",
            "a site?",
            "--json",
            "--top",
            "1",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let answer: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(answer["query"], "can a foreigner file a site?");
    assert_eq!(answer["lang"], "en");
}

#[test]
fn a_mistyped_command_gets_a_suggestion() {
    for (typed, meant) in [
        ("aks", "ask"),
        ("lsit", "list"),
        ("shwo", "show"),
        ("comletions", "completions"),
    ] {
        let run = run_at(None, &[typed]);
        assert_eq!(run.code, Some(2), "{typed}: {}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{typed}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("a similar subcommand exists: '{meant}'")),
            "{typed}: {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{typed}: {}", run.stdout);
    }
    // Nested commands too; a word like no command is only unrecognized; unknown flags are as before.
    let run = run_at(None, &["kb", "lnit"]);
    assert!(run.stderr.contains("'lint'"), "{}", run.stderr);
    let run = run_at(None, &["frobnicate"]);
    assert!(
        run.stderr
            .starts_with("beian: error: unrecognized subcommand 'frobnicate'"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("similar"), "{}", run.stderr);
    let run = run_at(None, &["--bogus", "外国人可以备案吗"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("'--bogus'"), "{}", run.stderr);
}
