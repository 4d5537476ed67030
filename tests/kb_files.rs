//! Issue 15, reading a `--kb` directory: symlink loops and FIFOs cannot hang a run, a file over the
//! size limit is reported, and content the parser would drop (an unknown front-matter key, a second
//! summary paragraph, a table) is an error. Loading and `kb lint` agree on what is an error, and a
//! directory that does not load shows every error.
#![cfg(unix)]

mod common;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A valid entry with the given id and word, Chinese and English (the layout of `tests/kb.rs`'s: the
/// summary on line 11).
fn entry(id: &str, word: &str) -> String {
    let kind = id.split_once('/').unwrap().0;
    format!(
        r#"+++
id = "{id}"
kind = "{kind}"
title = "{word}的测试条目"
title_en = "Test entry about {word}"
aliases = ["{word}别名"]
patterns = ["{word}通知原文"]
related = []
sources = ["https://wiki.example.com/team-1"]
+++
遇到{word}时，先在公司内部的{word}工单系统登记，再按下面的步骤处理。

## 原因
- {word}是公司自有的接入点，外部接入商不了解它。

## 解决步骤
1. 在{word}工单系统提交申请。

## 下一步
- 等待{word}值班同事一个工作日内回复。

# English

When {word} comes up, first log it in the company's internal {word} ticket system, then follow the steps below.

## Causes
- {word} is the company's own access point; outside access providers do not know it.

## Remediation
1. Submit a request in the {word} ticket system.

## Next actions
- Wait for the {word} duty colleague to reply within one working day.
"#
    )
}

struct Kb {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

impl Kb {
    fn new() -> Kb {
        let kb = Kb {
            dir: tempfile::tempdir().unwrap(),
            cache: tempfile::tempdir().unwrap(),
        };
        kb.write("faq/blue-whale.md", entry("faq/blue-whale", "蓝鲸机房"));
        kb
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn shown(&self, relative: &str) -> String {
        self.path(relative).display().to_string()
    }

    fn write(&self, relative: &str, text: impl AsRef<[u8]>) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// `beian --no-builtin --kb DIR ARGS`, killed after 60 s (`None`: it had to be).
    fn run(&self, args: &[&str]) -> Option<Output> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_beian"));
        common::hermetic(&mut command)
            .env("BEIAN_CACHE_DIR", self.cache.path())
            .arg("--no-builtin")
            .arg("--kb")
            .arg(self.dir.path())
            .args(args)
            .stdin(Stdio::null());
        within(command, Duration::from_secs(60))
    }

    fn lint(&self) -> (Option<i32>, String) {
        let output = self.run(&["kb", "lint"]).expect("kb lint ends");
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
        )
    }

    fn ask(&self) -> (Option<i32>, String) {
        let output = self
            .run(&["ask", "蓝鲸机房的工单怎么提交"])
            .expect("ask ends");
        (
            output.status.code(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }
}

/// Runs `command` to its end, or kills it after `limit`.
fn within(mut command: Command, limit: Duration) -> Option<Output> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(child.wait_with_output().unwrap())
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn symlink_loops_are_walked_once() {
    let kb = Kb::new();
    std::os::unix::fs::symlink(".", kb.path("a")).unwrap();
    std::os::unix::fs::symlink(".", kb.path("b")).unwrap();
    let output = kb
        .run(&["ask", "蓝鲸机房的工单怎么提交"])
        .expect("two loops must not make the run endless");
    assert_eq!(output.status.code(), Some(0), "{output:?}");

    fs::remove_file(kb.path("b")).unwrap();
    let (code, report) = kb.lint();
    assert_eq!(code, Some(0), "a loop is only a warning: {report}");
    let warnings: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "one warning for the loop: {report}");
    assert!(warnings[0].contains("loop"), "{report}");
    assert!(report.contains("1 entries checked"), "{report}");
}

#[test]
fn a_symlinked_kind_folder_is_read() {
    let kb = Kb::new();
    let elsewhere = tempfile::tempdir().unwrap();
    fs::write(
        elsewhere.path().join("linked.md"),
        entry("risk/linked", "链接目录"),
    )
    .unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), kb.path("risk")).unwrap();
    let (code, report) = kb.lint();
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("2 entries checked"), "{report}");
}

#[test]
fn a_fifo_or_a_file_over_the_limit_is_an_error_not_a_hang() {
    let kb = Kb::new();
    mkfifo(&kb.path("faq/pipe.md"));
    let mut huge = entry("faq/huge", "巨大");
    huge.insert_str(huge.find("\n## ").unwrap(), &"很长的摘要".repeat(150_000));
    assert!(huge.len() > 2 << 20);
    kb.write("faq/huge.md", &huge);

    let (code, report) = kb.lint();
    assert_eq!(code, Some(2), "{report}");
    let pipe = format!("{}:1: error: ", kb.shown("faq/pipe.md"));
    assert!(
        report
            .lines()
            .any(|l| l.starts_with(&pipe) && l.contains("not a regular file")),
        "{report}"
    );
    let big = format!("{}:1: error: ", kb.shown("faq/huge.md"));
    assert!(
        report
            .lines()
            .any(|l| l.starts_with(&big) && l.contains("1 MiB")),
        "{report}"
    );
    let (code, stderr) = kb.ask();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("pipe.md") && stderr.contains("huge.md"),
        "{stderr}"
    );
}

/// Each way an author's text used to be dropped or accepted by one command and refused by the other,
/// with the line `kb lint` must name and a word of its message.
fn silent_losses(good: &str) -> Vec<(&'static str, String, usize, &'static str)> {
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let misspelled = good.replace("aliases = ", "alises = ");
    let misspelled_line = line_of(&misspelled, "alises");
    let second = good.replace(
        "再按下面的步骤处理。\n",
        "再按下面的步骤处理。\n\n第二段也是作者写的，不能悄悄丢掉。\n",
    );
    let second_line = line_of(&second, "第二段");
    let table = good.replace(
        "## 下一步\n",
        "## 下一步\n| 步骤 | 时间 |\n|---|---|\n| 回复 | 一天 |\n\n",
    );
    let table_line = line_of(&table, "| 步骤");
    let list = good.replace(
        "再按下面的步骤处理。\n",
        "再按下面的步骤处理。\n\n- 写在标题之前的列表也会丢。\n",
    );
    let list_line = line_of(&list, "写在标题之前");
    let pattern = good.replace("通知原文\"]", "通知(原文\"]");
    let pattern_line = line_of(&pattern, "patterns = ");
    let kind = good.replace("kind = \"faq\"", "kind = \"risk\"");
    let kind_line = line_of(&kind, "kind = ");
    // The English body is read like the Chinese one: its summary is not a second paragraph, but
    // one after it is, and a table in it is dropped alike.
    let english_second = good.replace(
        "then follow the steps below.\n",
        "then follow the steps below.\n\nA second English paragraph the author wrote.\n",
    );
    let english_second_line = line_of(&english_second, "A second English paragraph");
    let english_table = good.replace(
        "## Next actions\n",
        "## Next actions\n| Step | Time |\n|---|---|\n| Reply | A day |\n\n",
    );
    let english_table_line = line_of(&english_table, "| Step");
    vec![
        (
            "an unknown key",
            misspelled,
            misspelled_line,
            "unknown key 'alises'",
        ),
        (
            "a second summary paragraph",
            second,
            second_line,
            "paragraph",
        ),
        ("a list before the sections", list, list_line, "list before"),
        ("a table", table, table_line, "table"),
        (
            "an invalid pattern",
            pattern,
            pattern_line,
            "not a valid regular expression",
        ),
        (
            "a kind that is not the id's",
            kind,
            kind_line,
            "does not match",
        ),
        (
            "a second paragraph after the English summary",
            english_second,
            english_second_line,
            "paragraph",
        ),
        (
            "a table in the English body",
            english_table,
            english_table_line,
            "table",
        ),
    ]
}

#[test]
fn content_the_parser_would_drop_is_an_error_for_lint_and_for_loading() {
    let good = entry("faq/blue-whale", "蓝鲸机房");
    for (what, text, line, message) in silent_losses(&good) {
        let kb = Kb::new();
        kb.write("faq/blue-whale.md", &text);
        let (code, report) = kb.lint();
        let prefix = format!("{}:{line}: error: ", kb.shown("faq/blue-whale.md"));
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&prefix) && l.contains(message)),
            "{what}: expected {prefix:?} … {message:?}:\n{report}"
        );
        assert_eq!(code, Some(2), "{what}: {report}");
        let (code, stderr) = kb.ask();
        assert_eq!(code, Some(2), "{what}: loading refuses it too: {stderr}");
        assert!(
            stderr.starts_with(&format!("beian: error: {prefix}")) && stderr.contains(message),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn a_directory_that_does_not_load_shows_every_error_and_names_kb_lint() {
    let kb = Kb::new();
    let good = entry("faq/blue-whale", "蓝鲸机房");
    let losses = silent_losses(&good);
    for (i, (_, text, _, _)) in losses.iter().enumerate() {
        let id = format!("faq/broken-{i}");
        kb.write(&format!("{id}.md"), text.replace("faq/blue-whale", &id));
    }
    let (code, stderr) = kb.ask();
    assert_eq!(code, Some(2), "{stderr}");
    for (i, (what, _, line, message)) in losses.iter().enumerate() {
        let shown = format!(
            "{}:{line}: error: ",
            kb.shown(&format!("faq/broken-{i}.md"))
        );
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(&shown) && l.contains(message)),
            "{what}: {shown:?} … {message:?} in\n{stderr}"
        );
    }
    let last = stderr.lines().last().unwrap();
    assert!(
        last.contains("beian") && last.contains("kb lint"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
