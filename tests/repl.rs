//! The REPL through the real binary: on a pseudo-terminal (expectrl) and with piped input (assert_cmd).
#![cfg(unix)]

use assert_cmd::Command;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Regex, Session};
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_beian");
const PROMPT: &str = "beian> ";
/// The prompt as a terminal shows it: plain, or coloured (`beian>` in an escape sequence, then a space).
const PROMPT_PATTERN: &str = r"beian>(\x1b\[0m)? ";
const ENTER: &str = "\r";
const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";

/// Variables that change what beian prints or where it keeps its files.
const OUTSIDE_VARS: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "COLUMNS",
    "BEIAN_HISTORY",
    "XDG_DATA_HOME",
    "BEIAN_CACHE_DIR",
    "BEIAN_CACHE_LOG",
    "XDG_CACHE_HOME",
    "BEIAN_PAGER",
    "PAGER",
    "LESS",
];

/// A scratch home: the history file inside it, and HOME and XDG_DATA_HOME pointing into it, so that
/// nothing reads or writes the real user's files.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn history(&self) -> PathBuf {
        self.dir.path().join("state").join("history")
    }

    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(BIN);
        command.args(args);
        for var in OUTSIDE_VARS {
            command.env_remove(var);
        }
        command
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("BEIAN_HISTORY", self.history())
            // No pager unless a test asks for one: `less` would wait for a key.
            .env("BEIAN_PAGER", "")
            .env("TERM", "xterm-256color");
        command
    }

    /// `beian ARGS` on a pseudo-terminal (80×24), with the welcome line read.
    fn spawn(&self, args: &[&str]) -> OsSession {
        self.spawn_command(self.command(args))
    }

    fn spawn_command(&self, command: std::process::Command) -> OsSession {
        let mut session = Session::spawn(command).expect("spawn beian on a pseudo-terminal");
        session.set_expect_timeout(Some(Duration::from_secs(10)));
        session
            .expect(":help")
            .expect("the welcome line says how to get help");
        session.expect(Regex(PROMPT_PATTERN)).expect("a prompt");
        session
    }

    fn piped(&self, args: &[&str]) -> Command {
        Command::from_std(self.command(args))
    }
}

/// Everything up to and including `needle` (a regular expression), as text.
fn until(session: &mut OsSession, needle: &str) -> String {
    let found = session
        .expect(Regex(needle))
        .unwrap_or_else(|err| panic!("waiting for {needle:?}: {err}"));
    String::from_utf8_lossy(found.as_bytes()).into_owned()
}

/// Sends a line and returns the output up to the next prompt after `last`, a text the answer ends with.
fn ask(session: &mut OsSession, line: &str, last: &str) -> String {
    session.send(format!("{line}{ENTER}")).unwrap();
    let mut text = until(session, last);
    text.push_str(&until(session, PROMPT_PATTERN));
    text
}

/// The session ends, with exit status 0.
fn exits_zero(session: &mut OsSession) {
    session.expect(Eof).expect("beian ends");
    let status = session.get_process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_chinese_question_gets_the_right_entry_and_show_opens_it_in_full() {
    let home = Home::new();
    let mut session = home.spawn(&["repl", "--color", "never"]);
    let answer = ask(&mut session, "备案退回后下一步做什么", "其他可能");
    assert!(answer.contains("1. 备案被驳回后怎么办"), "{answer}");
    assert!(answer.contains("faq/rejected-what-next"), "{answer}");
    assert!(
        answer.contains(":show 1"),
        "the compact view says where the rest is: {answer}"
    );

    // The full entry has what the compact view leaves out: the sources and every step.
    let full = ask(&mut session, ":show 1", "来源:");
    assert!(full.contains("faq/rejected-what-next"), "{full}");
    assert!(full.contains("  7. "), "all seven steps: {full}");

    // Every other test ends with Ctrl-D; :quit ends the same way.
    session.send(format!(":quit{ENTER}")).unwrap();
    exits_zero(&mut session);
}

#[test]
fn no_arguments_on_a_terminal_open_the_session_and_ctrl_d_leaves_it() {
    let home = Home::new();
    let mut session = home.spawn(&[]);
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
}

#[test]
fn tab_completes_a_command_and_an_entry_id() {
    let home = Home::new();
    let mut session = home.spawn(&["repl", "--color", "never"]);
    // `:sh<TAB>` must become `:show ` (with the space): without it the line would read `:shsubj…`.
    session.send(":sh\t").unwrap();
    session.send("subject-mis\t").unwrap();
    let full = ask(&mut session, "", "来源:");
    assert!(full.contains("rejection/subject-mismatch"), "{full}");
    assert!(
        full.contains("常见提示"),
        "the full entry, not an error: {full}"
    );
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
}

#[test]
fn a_pasted_two_line_notice_is_one_query_with_an_answer_for_each_line() {
    let home = Home::new();
    let mut session = home.spawn(&["repl", "--color", "never"]);
    // Bracketed paste, as a terminal sends it (a pasted newline is a carriage return, like Enter):
    // the line break inside must not end the line.
    session
        .send("\x1b[200~初审驳回：幕布照片不清晰\r负责人身份证已过期\x1b[201~")
        .unwrap();
    let answer = ask(&mut session, "", "其他可能");
    // The terminal is asked for bracketed paste before each prompt; otherwise it would not mark pastes.
    assert!(
        answer.contains("\x1b[?2004h"),
        "bracketed paste switched on: {answer:?}"
    );
    // Each line's reason is answered in full, above the other candidates.
    let (blocks, _) = answer.split_once("其他可能").unwrap();
    assert!(
        blocks.contains("rejection/identity-verification"),
        "{answer}"
    );
    assert!(blocks.contains("rejection/document-expired"), "{answer}");
    assert!(blocks.matches("针对: ").count() >= 2, "{answer}");
    // And it is the only answer: had the newline ended the line, a second one would follow.
    session.send(CTRL_D).unwrap();
    let rest = session.expect(Eof).expect("beian ends after Ctrl-D");
    let rest = String::from_utf8_lossy(rest.as_bytes());
    assert!(
        !rest.contains("其他可能") && !rest.contains("1. "),
        "{rest}"
    );
    let status = session.get_process().wait().unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");

    let history = fs::read_to_string(home.history()).unwrap();
    assert!(
        history.contains("初审驳回：幕布照片不清晰\\n负责人身份证已过期\n"),
        "one entry: {history:?}"
    );
}

#[test]
fn ctrl_c_clears_the_line_and_the_session_goes_on() {
    let home = Home::new();
    let mut session = home.spawn(&["repl", "--color", "never"]);
    // Were `:frob` kept, the next line would be an unknown command instead of a question.
    session.send(":frob").unwrap();
    until(&mut session, ":frob");
    session.send(CTRL_C).unwrap();
    // Keys typed before the new prompt may be dropped with the old line, as a person would not type them.
    until(&mut session, PROMPT_PATTERN);
    let answer = ask(&mut session, "备案退回后下一步做什么", "其他可能");
    assert!(answer.contains("faq/rejected-what-next"), "{answer}");
    assert!(!answer.contains("unknown command"), "{answer}");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
    let history = fs::read_to_string(home.history()).unwrap();
    assert!(!history.contains(":frob"), "{history:?}");
}

#[test]
fn the_history_file_is_private_holds_the_queries_and_collapses_duplicates() {
    let home = Home::new();
    let mut session = home.spawn(&["repl", "--color", "never"]);
    ask(&mut session, "备案退回后下一步做什么", "其他可能");
    ask(&mut session, "幕布照片不清晰", "其他可能");
    ask(&mut session, "备案退回后下一步做什么", "其他可能");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);

    let path = home.history();
    assert_eq!(mode(&path), 0o600);
    let history = fs::read_to_string(&path).unwrap();
    assert_eq!(history, "#V2\n幕布照片不清晰\n备案退回后下一步做什么\n");

    // The next session starts with it: Up brings back the last query.
    let mut session = home.spawn(&["repl", "--color", "never"]);
    session.send("\x1b[A").unwrap();
    let answer = ask(&mut session, "", "其他可能");
    assert!(answer.contains("faq/rejected-what-next"), "{answer}");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
}

#[test]
fn without_an_override_the_history_goes_to_the_data_directory() {
    let home = Home::new();
    let mut command = home.command(&["repl", "--color", "never"]);
    command.env_remove("BEIAN_HISTORY");
    let mut session = home.spawn_command(command);
    ask(&mut session, "备案退回后下一步做什么", "其他可能");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
    let path = home.dir.path().join("data").join("beian").join("history");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "#V2\n备案退回后下一步做什么\n"
    );
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn a_history_file_that_cannot_be_written_is_a_warning_not_a_failure() {
    let home = Home::new();
    // Nothing can create a file in /proc/self, not even root (tests may run as root: modes do not stop it).
    let mut command = home.command(&["repl", "--color", "never"]);
    command.env("BEIAN_HISTORY", "/proc/self/beian-history");
    let mut session = home.spawn_command(command);
    let answer = ask(&mut session, "备案退回后下一步做什么", "其他可能");
    assert!(
        answer.contains("warning: cannot write the history file /proc/self/beian-history"),
        "{answer}"
    );
    assert!(answer.contains("faq/rejected-what-next"), "{answer}");
    // Once: the second query is answered without a second warning.
    let again = ask(&mut session, "幕布照片不清晰", "其他可能");
    assert!(!again.contains("warning"), "{again}");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
}

#[test]
fn a_history_file_that_cannot_be_read_is_a_warning_at_the_start() {
    let home = Home::new();
    let mut command = home.command(&["repl", "--color", "never"]);
    command.env("BEIAN_HISTORY", home.dir.path());
    let mut session = Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(10)));
    let start = until(&mut session, PROMPT_PATTERN);
    assert!(
        start.contains("warning: cannot read the history file"),
        "{start}"
    );
    let answer = ask(&mut session, "备案退回后下一步做什么", "其他可能");
    assert!(answer.contains("faq/rejected-what-next"), "{answer}");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
}

#[test]
fn json_toggles_and_colour_follows_no_color() {
    let home = Home::new();
    let mut session = home.spawn(&["repl"]);
    let coloured = ask(&mut session, "备案退回后下一步做什么", "其他可能");
    assert!(
        coloured.contains("\x1b[1m备案被驳回后怎么办\x1b[0m"),
        "bold title on a terminal: {coloured:?}"
    );
    ask(&mut session, ":json", "JSON");
    let json = ask(&mut session, "备案退回后下一步做什么", "\"results\"");
    assert!(json.contains("\"status\": \"match\""), "{json}");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);

    let mut command = home.command(&["repl"]);
    command.env("NO_COLOR", "1");
    let mut session = home.spawn_command(command);
    let plain = ask(&mut session, "备案退回后下一步做什么", "其他可能");
    assert!(plain.contains("1. 备案被驳回后怎么办"), "{plain:?}");
    assert!(
        !plain.contains("\x1b[1m") && !plain.contains("\x1b[1;36m"),
        "{plain:?}"
    );
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
}

#[test]
fn piped_lines_are_answered_in_turn_without_prompt_or_history() {
    let home = Home::new();
    let output = home
        .piped(&["repl"])
        .write_stdin("备案退回后下一步做什么\n\n幕布照片不清晰\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.matches("问：").count(), 2, "{stdout}");
    assert!(
        stdout.starts_with("问：备案退回后下一步做什么\n1. 备案被驳回后怎么办\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n\n问：幕布照片不清晰\n1. 真实性核验未通过"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(PROMPT) && !stdout.contains(":help"),
        "no prompt, no welcome: {stdout}"
    );
    assert!(!home.history().exists(), "piped input is never recorded");
    assert!(
        !home.dir.path().join("data").exists(),
        "nothing written to the data directory"
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn piped_json_is_one_object_a_line_and_commands_work_too() {
    let home = Home::new();
    let output = home
        .piped(&["repl"])
        .write_stdin(":json\n备案退回后下一步做什么\r\n:show 1\n:nope\n")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let values: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(values.len(), 4, "one value a line: {stdout}");
    assert_eq!(values[0], serde_json::json!({"json": true}));
    assert_eq!(values[1]["query"], "备案退回后下一步做什么");
    assert_eq!(values[1]["results"][0]["id"], "faq/rejected-what-next");
    assert_eq!(
        values[2]["id"], "faq/rejected-what-next",
        "`:show 1` opens the first result"
    );
    assert_eq!(values[3]["status"], "error");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("unknown command :nope"), "{stderr}");
}

#[test]
fn an_unreadable_piped_line_is_reported_and_skipped() {
    let home = Home::new();
    let output = home
        .piped(&["repl", "--json"])
        .write_stdin(b"\xff\xfe bad\n\xe5\xb9\x95\xe5\xb8\x83\xe7\x85\xa7\xe7\x89\x87\xe4\xb8\x8d\xe6\xb8\x85\xe6\x99\xb0\n".to_vec())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("standard input line 1 is not valid UTF-8"),
        "{stderr}"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one JSON line for each input line: {stdout}"
    );
    assert!(
        lines[0].starts_with("{\"line\":1,\"status\":\"error\""),
        "{stdout}"
    );
    assert!(
        lines[1].contains("\"query\":\"幕布照片不清晰\""),
        "the readable line is answered: {stdout}"
    );
}

#[test]
fn no_command_with_piped_input_says_which_command_to_use() {
    let home = Home::new();
    home.piped(&[])
        .write_stdin("备案退回后下一步做什么\n")
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicates::str::contains("`beian repl`").and(predicates::str::contains("`beian ask`")),
        );
}

#[test]
fn repl_help_has_examples() {
    Home::new()
        .piped(&["repl", "--help"])
        .assert()
        .success()
        .stdout(
            predicates::str::contains("cat questions.txt | beian repl")
                .and(predicates::str::contains("BEIAN_HISTORY")),
        );
}

/// Makes a special file at `path`: a FIFO, or (as root, who may call mknod) a character device with
/// these numbers, a stand-in for `/dev/null` (1, 3) or `/dev/zero` (1, 5) that is not the real one.
fn special_file(path: &Path, device: Option<(u32, u32)>) -> bool {
    let status = match device {
        None => std::process::Command::new("mkfifo").arg(path).status(),
        Some(_) if unsafe { libc::geteuid() } != 0 => return false,
        Some((major, minor)) => std::process::Command::new("mknod")
            .arg(path)
            .args(["c", &major.to_string(), &minor.to_string()])
            .status(),
    };
    assert!(status.expect("mkfifo/mknod runs").success());
    true
}

/// Caps the address space of the process a command starts, so that a bug that reads a device
/// without end fails that process rather than the machine.
fn limit_memory(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &limit);
            Ok(())
        });
    }
}

/// A session whose history path is `path`: it must start (with `warning` before the prompt), answer,
/// and end; returns what it printed before the first prompt.
fn session_with_history(home: &Home, path: &Path) -> String {
    let mut command = home.command(&["repl", "--color", "never"]);
    command.env("BEIAN_HISTORY", path);
    limit_memory(&mut command);
    let mut session = Session::spawn(command).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(10)));
    let start = until(&mut session, PROMPT_PATTERN);
    let answer = ask(&mut session, "备案退回后下一步做什么", "其他可能");
    assert!(answer.contains("faq/rejected-what-next"), "{answer}");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
    start
}

#[test]
fn a_history_path_that_is_a_fifo_or_a_device_is_left_alone() {
    use std::os::unix::fs::FileTypeExt;
    let home = Home::new();
    for (name, device) in [
        ("fifo", None),
        ("null", Some((1, 3))),
        ("zero", Some((1, 5))),
    ] {
        let path = home.dir.path().join(name);
        if !special_file(&path, device) {
            continue;
        }
        let start = session_with_history(&home, &path);
        assert!(
            start.contains("warning:") && start.contains("not a regular file"),
            "{name}: {start}"
        );
        let kind = fs::symlink_metadata(&path).unwrap().file_type();
        assert!(
            kind.is_fifo() || kind.is_char_device(),
            "{name} was replaced: {kind:?}"
        );
    }
}

#[test]
fn a_history_path_that_is_a_symlink_is_not_followed_or_replaced() {
    let home = Home::new();
    let target = home.dir.path().join("elsewhere");
    fs::write(&target, "#V2\nkept as it is\n").unwrap();
    let link = home.dir.path().join("history-link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let start = session_with_history(&home, &link);
    assert!(
        start.contains("warning:") && start.contains("symbolic link"),
        "{start}"
    );
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&target).unwrap(), "#V2\nkept as it is\n");
}

#[test]
fn a_file_planted_where_the_history_is_written_is_not_followed() {
    let home = Home::new();
    let victim = home.dir.path().join("victim");
    fs::write(&victim, "precious\n").unwrap();
    let mut session = home.spawn(&["repl", "--color", "never"]);
    // The name the history used to be written under first: `<history>.<pid>.tmp`.
    let pid = session.get_process().pid();
    let history = home.history();
    fs::create_dir_all(history.parent().unwrap()).unwrap();
    let planted = history.with_file_name(format!("history.{pid}.tmp"));
    std::os::unix::fs::symlink(&victim, &planted).unwrap();
    ask(&mut session, "备案退回后下一步做什么", "其他可能");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
    assert!(fs::symlink_metadata(&history).unwrap().is_file());
    assert_eq!(
        fs::read_to_string(&history).unwrap(),
        "#V2\n备案退回后下一步做什么\n"
    );
}

#[test]
fn a_history_file_over_the_size_limit_is_left_alone() {
    let home = Home::new();
    let path = home.history();
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut text = String::from("#V2\n");
    for i in 0..40_000 {
        text.push_str(&format!(
            "第{i}个很长的问题：备案被驳回了怎么办，网站内容与备案信息不符\n"
        ));
    }
    assert!(text.len() > 2 << 20);
    fs::write(&path, &text).unwrap();
    let start = session_with_history(&home, &path);
    assert!(
        start.contains("warning:") && start.contains("MiB"),
        "{start}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text, "left as it was");
}

#[test]
fn piped_json_writes_one_line_for_every_input_line() {
    let home = Home::new();
    let input: &[&[u8]] = &[
        "备案退回后下一步做什么".as_bytes(),
        b"",
        b":help",
        b"\xff\xfe not UTF-8",
        "？！。".as_bytes(),
        b":list risk",
        b":nope",
        b":show 1",
        b"   ",
        b":json",
    ];
    let output = home
        .piped(&["repl", "--json"])
        .write_stdin(input.join(&b'\n'))
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let values: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(values.len(), input.len(), "{stdout}");
    assert_eq!(values[0]["results"][0]["id"], "faq/rejected-what-next");
    for (i, line) in [(1, 2), (3, 4), (4, 5), (6, 7), (8, 9)] {
        assert_eq!(values[i]["status"], "error", "line {line}: {}", values[i]);
        assert_eq!(values[i]["line"], line, "{}", values[i]);
        assert!(values[i]["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert!(values[3]["error"].as_str().unwrap().contains("UTF-8"));
    assert!(values[6]["error"].as_str().unwrap().contains(":nope"));
    let commands = values[2]["commands"].as_array().expect("help as JSON");
    assert!(
        commands.iter().any(|c| c["command"] == ":show"),
        "{}",
        values[2]
    );
    assert!(values[5]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["kind"] == "risk"));
    assert_eq!(values[7]["id"], "faq/rejected-what-next");
    assert_eq!(values[9], serde_json::json!({"json": false}));
    // An unreadable line still makes the exit code 2.
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn show_and_list_go_through_the_pager_when_long() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let pager = home.dir.path().join("pager");
    fs::write(&pager, "#!/bin/sh\necho PAGER-STARTED\nexec cat\n").unwrap();
    fs::set_permissions(&pager, fs::Permissions::from_mode(0o755)).unwrap();
    let mut command = home.command(&["repl", "--color", "never"]);
    command.env("BEIAN_PAGER", &pager);
    let mut session = home.spawn_command(command);
    let full = ask(&mut session, ":show rejection/subject-mismatch", "来源:");
    assert!(full.contains("PAGER-STARTED"), "{full}");
    assert!(full.contains("rejection/subject-mismatch"), "{full}");
    // Three entries fit the window: printed directly.
    let short = ask(&mut session, ":list risk", "risk/shell-site");
    assert!(!short.contains("PAGER-STARTED"), "{short}");
    session.send(CTRL_D).unwrap();
    exits_zero(&mut session);
}
