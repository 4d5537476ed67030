//! Issue 8's bad-input matrix, each row through the real binary. Rows covered elsewhere:
//! - knowledge base: invalid TOML, missing front matter, non-UTF-8 file, empty file → `file:line`, exit 2:
//!   `tests/kb.rs` (`a_malformed_entry_in_kb_is_one_line_naming_file_and_line`, `lint_reports_*`);
//!   a duplicate id under `--kb` (every error listed) is here;
//! - unwritable history → a warning, the answer still printed: `tests/repl.rs`
//!   (`a_history_file_that_cannot_be_written_is_a_warning_not_a_failure`, on a pseudo-terminal);
//! - broken pipe → quiet exit: `tests/cli.rs` (`a_broken_pipe_exits_quietly`).
#![cfg(unix)]

mod common;
use common::Run;
use serde_json::Value;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_beian");

fn command(args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(BIN);
    common::hermetic(&mut command);
    command.args(args);
    command
}

/// A run that must not panic, whatever it is given.
fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let run = common::run_with_stdin(args, stdin);
    assert_no_panic(&run, args);
    run
}

fn assert_no_panic(run: &Run, what: &[&str]) {
    assert!(
        !run.stdout.contains("panicked") && !run.stderr.contains("panicked"),
        "{what:?}: {}",
        run.stderr
    );
}

/// Exit 2 with one line on stderr, starting `beian: error: `, nothing on stdout.
fn assert_one_line_error(run: &Run, what: &str) -> String {
    assert_eq!(run.code, Some(2), "{what}: {}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{what}: {:?}", run.stderr);
    assert!(
        run.stderr.starts_with("beian: error: "),
        "{what}: {}",
        run.stderr
    );
    assert_eq!(run.stdout, "", "{what}");
    run.stderr.clone()
}

/// Answered: exit 0 (match) or 1 (no match), an answer on stdout.
fn assert_answered(run: &Run, what: &str) {
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{what}: exit {:?}, {}",
        run.code,
        run.stderr
    );
    assert!(!run.stdout.trim().is_empty(), "{what}: no answer");
}

/// No escape or other control character but newline and tab.
fn assert_no_raw_controls(text: &str, what: &str) {
    assert_no_raw(text, what, |c| c.is_control());
}

/// JSON keeps the text as given, escaped: no C0 control (ESC, BEL, CR, …), DEL or C1 control
/// (U+0080–U+009F, which serde_json alone would leave raw) appears as a character.
fn assert_no_raw_c0(text: &str, what: &str) {
    assert_no_raw(text, what, |c| c.is_control());
}

fn assert_no_raw(text: &str, what: &str, is_bad: impl Fn(char) -> bool) {
    if let Some(c) = text.chars().find(|&c| is_bad(c) && c != '\n' && c != '\t') {
        panic!("{what}: raw control character {c:?} in {text:?}");
    }
}

/// Controls a pasted text can carry: colour, a title change, a bell, a cursor move, a carriage return.
const HOSTILE: &str = "备案被驳回\x1b[31m红\x1b[0m\x1b]0;owned\x07\x08\x1b[2J\r怎么办\u{9b}31m";

#[test]
fn an_empty_blank_or_punctuation_only_query_is_one_line_and_exit_2() {
    for query in ["", "   ", "\t \u{3000}", "？！。……", "...!!!", "（）【】“”"] {
        let as_argument = run(&["ask", query], None);
        let message = assert_one_line_error(&as_argument, &format!("argument {query:?}"));
        assert!(message.contains("beian ask"), "a hint: {message}");
        let on_stdin = run(&["ask"], Some(query.as_bytes()));
        assert_one_line_error(&on_stdin, &format!("stdin {query:?}"));
    }
}

#[test]
fn ten_megabytes_on_standard_input_are_answered_with_a_truncation_warning() {
    let limit = beian_engine::advise::MAX_QUERY_BYTES;
    let unit = "备案被驳回了怎么办，网站内容与备案信息不符。";
    let big = unit.repeat(10 * 1024 * 1024 / unit.len() + 1);
    assert!(big.len() > 10 * 1024 * 1024 && big.len() > limit);
    for args in [&["ask"][..], &["ask", "--json"]] {
        let run = run(args, Some(big.as_bytes()));
        assert_answered(&run, &format!("{args:?}"));
        assert!(
            run.stderr.contains("warning") && run.stderr.contains(&(limit / 1024).to_string()),
            "{args:?}: {}",
            run.stderr
        );
    }
}

#[test]
fn invalid_utf8_and_nul_bytes_on_standard_input_are_one_line_and_exit_2() {
    let cases: [(&str, &[u8], &str); 3] = [
        ("invalid UTF-8", b"\xe5\xa4\x87\xff\xfe", "UTF-8"),
        ("GBK", b"\xb1\xb8\xb0\xb8\xb1\xbb\xb2\xb5", "UTF-8"),
        ("NUL", "备案\0被驳回".as_bytes(), "NUL"),
    ];
    for (what, bytes, word) in cases {
        let run = run(&["ask"], Some(bytes));
        let message = assert_one_line_error(&run, what);
        assert!(message.contains(word), "{what}: {message}");
    }
}

fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect()
}

#[test]
fn triage_turns_unreadable_lines_into_error_records_and_goes_on() {
    let mut json_input: Vec<u8> = Vec::new();
    json_input.extend_from_slice(
        b"{\"id\": \"surrogate\", \"text\": \"\\ud800 \xe5\xa4\x87\xe6\xa1\x88\"}\n",
    );
    json_input.extend_from_slice(b"{\"id\": \"low\", \"text\": \"\\udc00\"}\n");
    json_input.extend_from_slice(b"{\"id\": \"bytes\", \"text\": \"\xff\"}\n");
    json_input.extend_from_slice(b"{\"id\": \"nul\", \"text\": \"a\0b\"}\n");
    json_input
        .extend_from_slice("{\"id\": \"fine\", \"text\": \"备案被驳回了怎么办\"}\n".as_bytes());
    let run_json = run(&["triage"], Some(&json_input));
    let out = records(&run_json.stdout);
    assert_eq!(out.len(), 5, "{}", run_json.stdout);
    for record in &out[..4] {
        assert_eq!(record["status"], "error", "{record}");
        assert!(!record["error"].as_str().unwrap().is_empty());
    }
    assert_eq!(out[2]["id"], "bytes", "the ticket's own id is kept");
    assert_eq!(out[4]["status"], "match");

    let text_input =
        b"\xb1\xb8\xb0\xb8\nx\0y\n\xe5\xa4\x87\xe6\xa1\x88\xe8\xa2\xab\xe9\xa9\xb3\xe5\x9b\x9e\n";
    let run_text = run(&["triage", "--text"], Some(text_input));
    let out = records(&run_text.stdout);
    assert_eq!(out.len(), 3, "{}", run_text.stdout);
    assert_eq!(out[0]["status"], "error", "{}", out[0]);
    assert!(out[0]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(out[1]["status"], "error", "a NUL byte: {}", out[1]);
    assert!(out[1]["error"].as_str().unwrap().contains("NUL"));
    assert_eq!(out[2]["status"], "match");
    for run in [run_json, run_text] {
        assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    }
}

#[test]
fn control_characters_in_a_query_never_reach_stdout_raw() {
    for args in [&["ask"][..], &["ask", "--top", "1"], &["ask", "--json"]] {
        let args = [args, &["--color", "never", HOSTILE]].concat();
        let run = run(&args, None);
        assert_answered(&run, &format!("{args:?}"));
        if args.contains(&"--json") {
            assert_no_raw_c0(&run.stdout, &format!("{args:?}"));
        } else {
            assert_no_raw_controls(&run.stdout, &format!("{args:?}"));
        }
    }
    // The REPL's piped mode answers each line; a command line with controls too.
    let lines = format!("{HOSTILE}\nshow faq/rejected-what-next\x1b[31m\n");
    for args in [&["repl"][..], &["repl", "--json"]] {
        let run = run(args, Some(lines.as_bytes()));
        assert!(!run.stdout.is_empty(), "{args:?}: {}", run.stderr);
        if args.contains(&"--json") {
            assert_no_raw_c0(&run.stdout, &format!("{args:?}"));
        } else {
            assert_no_raw_controls(&run.stdout, &format!("{args:?}"));
        }
        assert_no_raw_controls(&run.stderr, &format!("{args:?} stderr"));
    }
}

/// An overlay entry whose every text field carries escapes (TOML `\u001b`, raw ones in the body).
fn hostile_entry() -> String {
    r#"+++
id = "faq/hostile"
kind = "faq"
title = "恶意条目\u001b[31m红字\u001b]0;owned\u0007"
title_en = "Hostile entry\u001b[2J"
aliases = ["恶意测试别名"]
patterns = ["恶意测试通知"]
related = []
sources = ["https://wiki.example.com/team-1"]
+++
遇到恶意测试时先登记。\x1b[5m闪烁

## 原因
- 恶意测试的原因。\x1b[1m

## 解决步骤
1. 在工单系统提交申请。

## 下一步
- 等待回复。
"#
    .replace("\\x1b", "\x1b")
}

#[test]
fn control_characters_in_a_kb_entry_never_reach_stdout_raw() {
    let dir = tempfile::tempdir().unwrap();
    let faq = dir.path().join("faq");
    fs::create_dir_all(&faq).unwrap();
    fs::write(faq.join("hostile.md"), hostile_entry()).unwrap();
    let root = dir.path().to_str().unwrap();
    for args in [
        &["ask", "恶意测试别名"][..],
        &["ask", "--json", "恶意测试别名"],
        &["show", "faq/hostile"],
        &["show", "--json", "faq/hostile"],
        &["list"],
    ] {
        let args = [&["--kb", root, "--color", "never"][..], args].concat();
        let run = run(&args, None);
        assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
        assert!(run.stdout.contains("恶意"), "{args:?}: the entry is shown");
        if args.contains(&"--json") {
            assert_no_raw_c0(&run.stdout, &format!("{args:?}"));
        } else {
            assert_no_raw_controls(&run.stdout, &format!("{args:?}"));
        }
    }
    let piped = run(&["--kb", root, "repl"], Some("恶意测试别名\n".as_bytes()));
    assert!(piped.stdout.contains("恶意"), "{}", piped.stderr);
    assert_no_raw_controls(&piped.stdout, "repl");
}

#[test]
fn unusual_but_honest_queries_are_answered_normally() {
    let long_word = "a".repeat(10_000);
    let long_han = "备".repeat(10_000);
    let queries = [
        "备案 AND (驳回 OR 退回) NOT \"怎么办\" title:* ~2 ^3 [a TO z] {x} \\ / +-&&||!",
        "备案被驳回了😭怎么办🙏🏽👨‍👩‍👧",
        long_word.as_str(),
        long_han.as_str(),
        "ICP备案 rejected, домен не работает, ドメイン 審査 被驳回 مرحبا",
        "备案\u{200b}被\u{feff}驳回\u{202e}了怎么办",
        "%s %n {} {{}} $(rm -rf /) `id` ${HOME} <script>alert(1)</script>",
    ];
    for query in queries {
        let short: String = query.chars().take(30).collect();
        for args in [&["ask"][..], &["ask", "--json"]] {
            let args = [args, &[query]].concat();
            let run = run(&args, None);
            assert_answered(&run, &short);
            if args.contains(&"--json") {
                let advice: Value = serde_json::from_str(&run.stdout).expect("JSON");
                assert!(advice["results"].is_array(), "{short}");
            }
        }
    }
}

#[test]
fn a_duplicate_id_under_kb_names_every_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let entry = hostile_entry();
    for name in ["faq/hostile.md", "faq/hostile-copy.md"] {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, &entry).unwrap();
    }
    let root = dir.path().to_str().unwrap();
    let run = run(&["--kb", root, "ask", "备案被驳回了怎么办"], None);
    // Two errors (the copy's id is not its path, and the id is taken twice), each on its line.
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(lines[0].starts_with("beian: error: ") && lines[0].contains("hostile-copy.md:2"));
    assert!(lines[1].starts_with("beian: error: ") && lines[1].contains("duplicate id"));
    assert!(lines[2].contains("kb lint"), "{}", run.stderr);
}

/// Starts a triage of many tickets, sends it `signal` (`INT`, `TERM`, `HUP`) once it has answered
/// some, checks it exited with `code` (128 + the signal's number, as a shell reports it), and returns
/// all it wrote.
fn interrupted_triage(signal: &str, code: i32) -> String {
    let tickets: String = (0..200_000)
        .map(|i| format!("备案被驳回了怎么办，第{i}号工单，网站内容与备案信息不符\n"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("tickets.txt");
    fs::write(&input, tickets).unwrap();
    let mut child = command(&["triage", "--text", input.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("beian starts");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut written = String::new();
    // Wait for the first answers, so that the signal lands in the middle of the work.
    stdout.read_line(&mut written).unwrap();
    assert!(!written.is_empty(), "triage answered nothing");
    std::thread::sleep(Duration::from_millis(200));
    let killed = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut stdout, &mut rest).unwrap();
    written.push_str(&String::from_utf8(rest).expect("no character is cut"));
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(code),
        "stopped by SIG{signal}: {status:?}"
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    written
}

#[test]
fn ctrl_c_during_triage_leaves_only_whole_lines() {
    assert_whole_records(&interrupted_triage("INT", 130));
}

#[test]
fn sigterm_and_sighup_during_triage_leave_only_whole_lines() {
    assert_whole_records(&interrupted_triage("TERM", 143));
    assert_whole_records(&interrupted_triage("HUP", 129));
}

/// Every line is a whole record, numbered from 1, none missing.
fn assert_whole_records(written: &str) {
    assert!(written.ends_with('\n'), "the last line is cut: …{:?}", {
        let tail: String = written.chars().rev().take(80).collect();
        tail.chars().rev().collect::<String>()
    });
    let lines: Vec<&str> = written.lines().collect();
    assert!(lines.len() < 200_000, "the signal came after the end");
    for (number, line) in lines.iter().enumerate() {
        let record: Value = serde_json::from_str(line)
            .unwrap_or_else(|err| panic!("line {} is not whole JSON: {err}", number + 1));
        assert_eq!(record["id"], number as u64 + 1, "in order, none missing");
    }
}

/// Writing to a closed pipe must not panic even when the first write comes late (see also
/// `tests/cli.rs` for the quiet exit on `ask`).
#[test]
fn triage_into_a_closed_pipe_exits_without_panicking() {
    let mut child = command(&["triage", "--text"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("beian starts");
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let lines = "备案被驳回了怎么办\n".repeat(20_000);
    // beian may stop reading once it finds the pipe closed; a failed write here is expected.
    let _ = stdin.write_all(lines.as_bytes());
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.lines().count() <= 1, "quiet: {stderr}");
}

#[test]
fn eval_verbose_prints_ids_and_expectations_without_escapes() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    let case = serde_json::json!({
        "id": "q\u{1b}]0;owned\u{7}\u{1b}[31m1",
        "query": "备案被驳回了怎么办",
        "expect": ["faq/\u{1b}[2Jnothing"],
    });
    fs::write(&cases, format!("{case}\n")).unwrap();
    let run = run(&["eval", "--verbose", cases.to_str().unwrap()], None);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("MISS q"), "{}", run.stdout);
    assert_no_raw_controls(&run.stdout, "eval --verbose");
}
