//! Issue 3 through the real binary: `beian kb lint` on the built-in knowledge base and on fixture
//! entries with one defect each (asserting the exact `file:line:` prefix), and `--kb DIR` overlays.
//! Fixtures are written into temporary directories, each beside a valid template entry, so a test
//! shows the one line that makes the difference.

mod common;
use common::{run, Run};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};

/// A knowledge-base directory in a temporary folder; `path` names files as beian reports them.
struct Kb {
    dir: tempfile::TempDir,
}

impl Kb {
    fn new() -> Kb {
        Kb {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &str {
        self.dir.path().to_str().expect("a UTF-8 temp path")
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// How beian names the file in messages: the directory as given, joined with the relative path.
    fn shown(&self, relative: &str) -> String {
        self.path(relative).display().to_string()
    }

    fn write(&self, relative: &str, bytes: impl AsRef<[u8]>) -> &Kb {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
        self
    }

    fn lint(&self) -> Run {
        run(&["--no-builtin", "--kb", self.root(), "kb", "lint"])
    }

    fn with_builtin(&self, args: &[&str]) -> Run {
        run(&[&["--kb", self.root()][..], args].concat())
    }
}

/// A valid entry with the given id, in Chinese and English. Its layout (1-based lines):
///  1 `+++`, 2 id, 3 kind, 4 title, 5 title_en, 6 aliases, 7 patterns, 8 related, 9 sources, 10 `+++`,
///  11 summary, 13 `## 原因`, 16 `## 解决步骤`, 19 `## 下一步`,
///  22 `# English`, 24 summary, 26 `## Causes`, 29 `## Remediation` (30 its step), 32 `## Next actions`.
fn entry(id: &str, word: &str) -> String {
    let kind = id.split_once('/').unwrap().0;
    format!(
        r#"+++
id = "{id}"
kind = "{kind}"
title = "{word}的测试条目"
title_en = "Test entry about {word}"
aliases = ["{word}别名", "{word} alias"]
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

/// The 1-based line of the first line of `text` that contains `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in the fixture"))
        + 1
}

/// Replaces exactly one line that starts with `start` by `new`.
fn replace_line(text: &str, start: &str, new: &str) -> String {
    assert_eq!(
        text.lines().filter(|l| l.starts_with(start)).count(),
        1,
        "{start:?}"
    );
    text.lines()
        .map(|line| if line.starts_with(start) { new } else { line })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// `kb lint` found an error at exactly `file:line:`, with a message containing `message`, and exited 2.
fn assert_lint_error(run: &Run, file: &str, line: usize, message: &str) {
    let prefix = format!("{file}:{line}: error: ");
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains(message)),
        "expected a line starting {prefix:?} and containing {message:?}, got:\n{}{}",
        run.stdout,
        run.stderr
    );
    assert_eq!(run.code, Some(2), "errors exit 2:\n{}", run.stdout);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stdout
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .contains("errors"),
        "a closing count: {}",
        run.stdout
    );
}

/// Exit 2 and exactly one line on stderr that starts with `beian: error: FILE:LINE: `.
fn assert_one_line_error(run: &Run, file: &str, line: usize, what: &str) {
    assert_eq!(run.code, Some(2), "{what}: {}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    assert!(
        run.stderr.ends_with('\n') && run.stderr.lines().count() == 1,
        "{what}: one line on stderr, got {:?}",
        run.stderr
    );
    let prefix = format!("beian: error: {file}:{line}: ");
    assert!(
        run.stderr.starts_with(&prefix),
        "{what}: expected {prefix:?}, got {:?}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "{what}: {:?}", run.stdout);
}

fn json_ids(run: &Run) -> Vec<String> {
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let value: Value = serde_json::from_str(&run.stdout).expect("JSON");
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

fn builtin_count() -> usize {
    json_ids(&run(&["list", "--json"])).len()
}

// ---------------------------------------------------------------------------------------------
// Lint

#[test]
fn the_built_in_knowledge_base_passes_lint() {
    let run = run(&["kb", "lint"]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let last = run.stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("{} entries checked: 0 errors", builtin_count())),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains(": error: "),
        "no error lines:\n{}",
        run.stdout
    );
}

#[test]
fn a_valid_fixture_passes_lint_alone_and_beside_the_built_in_entries() {
    let kb = Kb::new();
    kb.write("faq/blue-whale.md", entry("faq/blue-whale", "蓝鲸机房"));
    let alone = kb.lint();
    assert_eq!(alone.code, Some(0), "{}", alone.stdout);
    assert!(
        alone
            .stdout
            .contains("1 entries checked: 0 errors, 0 warnings"),
        "{}",
        alone.stdout
    );
    // Beside the built-in entries, `related` may name them.
    let text = replace_line(
        &entry("faq/blue-whale", "蓝鲸机房"),
        "related = ",
        r#"related = ["scenario/new-access"]"#,
    );
    kb.write("faq/blue-whale.md", text);
    let layered = kb.with_builtin(&["kb", "lint"]);
    assert_eq!(layered.code, Some(0), "{}", layered.stdout);
    assert!(
        layered.stdout.contains(&format!(
            "{} entries checked: 0 errors",
            builtin_count() + 1
        )),
        "{}",
        layered.stdout
    );
}

#[test]
fn lint_reports_invalid_toml_at_the_line_of_the_error() {
    let kb = Kb::new();
    let text = replace_line(
        &entry("faq/broken", "坏条目"),
        "title = ",
        r#"title = "没有结束的引号"#,
    );
    kb.write("faq/broken.md", &text);
    assert_lint_error(
        &kb.lint(),
        &kb.shown("faq/broken.md"),
        line_of(&text, "没有结束的引号"),
        "invalid front matter",
    );

    // A value that is not TOML at all, further down.
    let text = replace_line(
        &entry("faq/broken", "坏条目"),
        "sources = ",
        "sources = T1, T2",
    );
    kb.write("faq/broken.md", &text);
    assert_lint_error(
        &kb.lint(),
        &kb.shown("faq/broken.md"),
        line_of(&text, "sources = "),
        "invalid front matter",
    );
}

#[test]
fn lint_reports_missing_front_matter() {
    let kb = Kb::new();
    let full = entry("faq/bare", "裸条目");
    let body = full.split("+++\n").nth(2).unwrap();
    kb.write("faq/bare.md", body);
    assert_lint_error(
        &kb.lint(),
        &kb.shown("faq/bare.md"),
        1,
        "missing front matter",
    );
}

#[test]
fn lint_reports_an_id_that_is_not_the_path() {
    let kb = Kb::new();
    let text = entry("faq/elsewhere", "错位");
    kb.write("faq/misplaced.md", &text);
    assert_lint_error(
        &kb.lint(),
        &kb.shown("faq/misplaced.md"),
        2,
        "'faq/elsewhere' does not match the file's path (expected 'faq/misplaced')",
    );
    // The kind folder counts too.
    let kb = Kb::new();
    kb.write("risk/misplaced.md", entry("faq/misplaced", "错位"));
    assert_lint_error(
        &kb.lint(),
        &kb.shown("risk/misplaced.md"),
        2,
        "expected 'risk/misplaced'",
    );
}

#[test]
fn lint_reports_a_duplicate_id_in_one_directory() {
    let kb = Kb::new();
    kb.write("faq/first.md", entry("faq/first", "第一"));
    kb.write("faq/second.md", entry("faq/first", "第二"));
    let run = kb.lint();
    assert_lint_error(
        &run,
        &kb.shown("faq/second.md"),
        2,
        &format!(
            "duplicate id 'faq/first' (also in {})",
            kb.shown("faq/first.md")
        ),
    );
    assert!(
        !run.stdout
            .contains(&format!("{}:", kb.shown("faq/first.md"))),
        "the first claimant is fine:\n{}",
        run.stdout
    );
}

#[test]
fn lint_reports_a_missing_section() {
    let kb = Kb::new();
    let full = entry("faq/short", "短条目");
    let text = full.split("## 下一步").next().unwrap().to_string();
    kb.write("faq/short.md", &text);
    assert_lint_error(
        &kb.lint(),
        &kb.shown("faq/short.md"),
        line_of(&text, "## 原因"),
        "missing section '## 下一步'",
    );
}

#[test]
fn lint_reports_an_empty_section_at_its_heading() {
    let kb = Kb::new();
    let text = entry("faq/hollow", "空段落").replace("1. 在空段落工单系统提交申请。\n", "");
    kb.write("faq/hollow.md", &text);
    assert_lint_error(
        &kb.lint(),
        &kb.shown("faq/hollow.md"),
        line_of(&text, "## 解决步骤"),
        "section '## 解决步骤' is empty",
    );
}

#[test]
fn lint_reports_an_unresolved_related_id() {
    let kb = Kb::new();
    kb.write("faq/target.md", entry("faq/target", "目标"));
    let text = replace_line(
        &entry("faq/linked", "链接"),
        "related = ",
        r#"related = ["faq/target", "faq/nowhere"]"#,
    );
    kb.write("faq/linked.md", &text);
    let run = kb.lint();
    assert_lint_error(
        &run,
        &kb.shown("faq/linked.md"),
        line_of(&text, "related = "),
        "related id 'faq/nowhere' does not exist",
    );
    assert!(!run.stdout.contains("'faq/target'"), "{}", run.stdout);
}

#[test]
fn lint_reports_empty_sources() {
    let kb = Kb::new();
    for (slug, sources) in [("none", "sources = []"), ("blank", r#"sources = [" "]"#)] {
        let text = replace_line(
            &entry(&format!("faq/{slug}"), "无来源"),
            "sources = ",
            sources,
        );
        kb.write(&format!("faq/{slug}.md"), &text);
    }
    let run = kb.lint();
    for slug in ["none", "blank"] {
        assert_lint_error(
            &run,
            &kb.shown(&format!("faq/{slug}.md")),
            9,
            "sources is empty",
        );
    }
    // Absent entirely is empty too.
    let kb = Kb::new();
    let text = entry("faq/absent", "无来源")
        .replace("sources = [\"https://wiki.example.com/team-1\"]\n", "");
    kb.write("faq/absent.md", &text);
    let run = kb.lint();
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("{}:", kb.shown("faq/absent.md")))
            && run.stdout.contains("sources is empty"),
        "{}",
        run.stdout
    );
}

#[test]
fn lint_reports_an_invalid_pattern() {
    let kb = Kb::new();
    let text = replace_line(
        &entry("rejection/bad-pattern", "坏模式"),
        "patterns = ",
        r#"patterns = ["域名所有人不正确", "驳回(原因"]"#,
    );
    kb.write("rejection/bad-pattern.md", &text);
    let run = kb.lint();
    assert_lint_error(
        &run,
        &kb.shown("rejection/bad-pattern.md"),
        line_of(&text, "patterns = "),
        "pattern '驳回(原因' is not a valid regular expression",
    );
    assert!(
        !run.stdout.contains("'域名所有人不正确'"),
        "a valid pattern is fine:\n{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Lint: the two bodies of an entry, and the source registry

/// The entry of [`entry`] without its English part (lines 1–20).
fn chinese_only(id: &str, word: &str) -> String {
    let text = entry(id, word);
    let cut = text.find("\n# English").unwrap();
    text[..=cut].to_string()
}

#[test]
fn a_kb_entry_without_english_is_a_warning_not_an_error() {
    let kb = Kb::new();
    kb.write(
        "faq/blue-whale.md",
        chinese_only("faq/blue-whale", "蓝鲸机房"),
    );
    let run = kb.lint();
    assert_eq!(
        run.code,
        Some(0),
        "a warning alone exits 0:\n{}",
        run.stdout
    );
    let prefix = format!(
        "{}:11: warning: no English part",
        kb.shown("faq/blue-whale.md")
    );
    assert!(
        run.stdout.lines().any(|l| l.starts_with(&prefix)),
        "expected {prefix:?}:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("0 errors, 1 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn lint_fails_on_an_english_body_that_lacks_a_step_of_the_chinese_one() {
    let kb = Kb::new();
    let text = entry("faq/two-steps", "蓝鲸机房").replace(
        "1. 在蓝鲸机房工单系统提交申请。\n",
        "1. 在蓝鲸机房工单系统提交申请。\n2. 提交后在工单里上传机柜照片。\n",
    );
    kb.write("faq/two-steps.md", &text);
    assert_lint_error(
        &kb.lint(),
        &kb.shown("faq/two-steps.md"),
        line_of(&text, "## Remediation"),
        "'## Remediation' has 1 items, the Chinese '## 解决步骤' (line 16) has 2",
    );
}

#[test]
fn lint_fails_on_an_english_item_that_lacks_a_number_of_the_chinese_one() {
    let kb = Kb::new();
    let text = entry("faq/deadline", "蓝鲸机房").replace(
        "- 等待蓝鲸机房值班同事一个工作日内回复。",
        "- 等待蓝鲸机房值班同事 24 小时内回复，最长 3 个工作日。",
    );
    kb.write("faq/deadline.md", &text);
    let run = kb.lint();
    let file = kb.shown("faq/deadline.md");
    let line = line_of(&text, "- Wait for the");
    assert_lint_error(
        &run,
        &file,
        line,
        "lacks the number 24, which the Chinese (line 20) has",
    );
    assert_lint_error(&run, &file, line, "lacks the number 3,");

    // And the other way: a number the English adds is reported at the English line too.
    let text = entry("faq/deadline", "蓝鲸机房")
        .replace("within one working day", "within 2 working days");
    kb.write("faq/deadline.md", &text);
    assert_lint_error(
        &kb.lint(),
        &file,
        line_of(&text, "- Wait for the"),
        "has the number 2, which the Chinese (line 20) does not",
    );
}

#[test]
fn lint_rejects_a_source_key_that_does_not_resolve() {
    let kb = Kb::new();
    let text = replace_line(
        &entry("faq/team", "蓝鲸机房"),
        "sources = ",
        r#"sources = ["TEAM-1", "https://wiki.example.com/team-2"]"#,
    );
    kb.write("faq/team.md", &text);
    let run = kb.lint();
    assert_lint_error(
        &run,
        &kb.shown("faq/team.md"),
        9,
        "source 'TEAM-1' is not a key of sources.toml",
    );
    assert!(
        !run.stdout.contains("team-2"),
        "a URL resolves to itself:\n{}",
        run.stdout
    );

    // The directory's registry resolves it.
    kb.write(
        "sources.toml",
        "[TEAM-1]\ntitle = \"蓝鲸机房运维手册\"\npublisher = \"Example Corp IT\"\nurl = \"https://wiki.example.com/team-1\"\nread = 2026-12-01\n",
    );
    let run = kb.lint();
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout.contains("0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}

#[test]
fn lint_reports_a_registry_table_without_a_publisher_at_its_line() {
    let kb = Kb::new();
    let text = replace_line(
        &entry("faq/team", "蓝鲸机房"),
        "sources = ",
        r#"sources = ["TEAM-1"]"#,
    );
    kb.write("faq/team.md", &text);
    kb.write(
        "sources.toml",
        "# Our sources\n\n[TEAM-1]\ntitle = \"蓝鲸机房运维手册\"\n",
    );
    let run = kb.lint();
    assert_lint_error(
        &run,
        &kb.shown("sources.toml"),
        3,
        "source 'TEAM-1' needs a title and a publisher",
    );
    // A table that is left out does not resolve the key either.
    assert_lint_error(
        &run,
        &kb.shown("faq/team.md"),
        9,
        "source 'TEAM-1' is not a key",
    );

    kb.write("sources.toml", "[TEAM-1\n");
    assert_lint_error(&kb.lint(), &kb.shown("sources.toml"), 1, "invalid TOML");
}

#[test]
fn the_same_alias_on_two_entries_is_a_warning_with_exit_0() {
    let kb = Kb::new();
    kb.write("faq/one.md", entry("faq/one", "同名"));
    let text = entry("faq/two", "另一个").replace("另一个别名", "同名别名");
    kb.write("faq/two.md", &text);
    let run = kb.lint();
    assert_eq!(
        run.code,
        Some(0),
        "a warning alone exits 0:\n{}",
        run.stdout
    );
    let prefix = format!(
        "{}:{}: warning: ",
        kb.shown("faq/two.md"),
        line_of(&text, "aliases = ")
    );
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains("'同名别名'") && l.contains("faq/one")),
        "expected {prefix:?} about 同名别名:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("0 errors, 1 warnings"),
        "{}",
        run.stdout
    );

    // Differing only in case and spaces is the same alias.
    let text = entry("faq/two", "另一个").replace("另一个 alias", " 同名 ALIAS");
    kb.write("faq/two.md", &text);
    let run = kb.lint();
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(run.stdout.contains("warning: alias"), "{}", run.stdout);
}

/// An entry with its title (line 4) in GBK, as a Windows editor might save it: 备案 = B1 B8 B0 B8.
fn gbk_entry(id: &str) -> Vec<u8> {
    let mut bytes = entry(id, "编码").into_bytes();
    let at = bytes.windows(8).position(|w| w == b"title = ").unwrap() + 9;
    bytes.splice(at..at, [0xB1, 0xB8, 0xB0, 0xB8]);
    bytes
}

#[test]
fn lint_reports_a_file_that_is_not_utf8_with_the_other_problems() {
    let kb = Kb::new();
    kb.write("faq/latin1.md", gbk_entry("faq/latin1"));
    kb.write("faq/empty.md", "");
    let run = kb.lint();
    assert_lint_error(&run, &kb.shown("faq/latin1.md"), 4, "not valid UTF-8");
    assert_lint_error(&run, &kb.shown("faq/empty.md"), 1, "empty file");
    assert!(run.stdout.contains("2 errors"), "{}", run.stdout);
}

#[test]
fn a_kb_with_a_file_that_is_not_utf8_does_not_load() {
    let kb = Kb::new();
    kb.write("faq/ok.md", entry("faq/ok", "正常"));
    // Cached first, so the check must not be skipped when the other files are unchanged.
    assert_eq!(kb.with_builtin(&["ask", "正常的测试条目"]).code, Some(0));
    kb.write("faq/latin1.md", gbk_entry("faq/latin1"));
    let run = kb.with_builtin(&["ask", "正常的测试条目"]);
    assert_one_line_error(&run, &kb.shown("faq/latin1.md"), 4, "ask with a GBK file");
    assert!(run.stderr.contains("UTF-8"), "{}", run.stderr);
}

#[test]
fn lint_reports_an_empty_file() {
    let kb = Kb::new();
    kb.write("faq/ok.md", entry("faq/ok", "正常"));
    for (name, content) in [("faq/empty.md", ""), ("faq/blank.md", "\n  \n")] {
        kb.write(name, content);
    }
    let run = kb.lint();
    for name in ["faq/empty.md", "faq/blank.md"] {
        assert_lint_error(&run, &kb.shown(name), 1, "empty file");
    }
    assert!(run.stdout.contains("2 errors"), "{}", run.stdout);
}

#[test]
fn lint_reports_every_problem_of_a_directory_in_one_run() {
    let kb = Kb::new();
    kb.write("faq/empty.md", "");
    kb.write(
        "faq/no-sources.md",
        replace_line(&entry("faq/no-sources", "甲"), "sources = ", "sources = []"),
    );
    kb.write(
        "faq/bad-related.md",
        replace_line(
            &entry("faq/bad-related", "乙"),
            "related = ",
            r#"related = ["x/y"]"#,
        ),
    );
    let run = kb.lint();
    assert_eq!(run.code, Some(2));
    assert_eq!(
        run.stdout
            .lines()
            .filter(|l| l.contains(": error: "))
            .count(),
        3,
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("3 errors"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// --kb DIR overlays

#[test]
fn an_overlay_entry_is_added_and_answers() {
    let kb = Kb::new();
    kb.write("faq/blue-whale.md", entry("faq/blue-whale", "蓝鲸机房"));
    let listed = json_ids(&kb.with_builtin(&["list", "--json"]));
    assert_eq!(listed.len(), builtin_count() + 1, "{listed:?}");
    assert_eq!(listed.len(), 66);
    assert!(listed.contains(&"faq/blue-whale".to_string()));
    assert!(listed.contains(&"scenario/new-access".to_string()));

    let run = kb.with_builtin(&["ask", "--json", "蓝鲸机房的工单怎么提交"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let advice: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(advice["status"], "match");
    assert_eq!(
        advice["results"][0]["id"], "faq/blue-whale",
        "{}",
        run.stdout
    );

    // Built-in answers still come from the built-in entries.
    let run = kb.with_builtin(&["ask", "--json", "备案退回后下一步做什么"]);
    let advice: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(advice["results"][0]["id"], "faq/rejected-what-next");

    let text = kb.with_builtin(&["list", "--kind", "faq"]);
    assert!(text.stdout.contains("faq/blue-whale"), "{}", text.stdout);
}

#[test]
fn an_overlay_entry_replaces_the_built_in_one_with_its_id() {
    let kb = Kb::new();
    let text = entry("scenario/new-access", "蓝鲸专线")
        .replace("蓝鲸专线的测试条目", "新增接入（本公司流程）");
    kb.write("scenario/new-access.md", text);

    let show = kb.with_builtin(&["show", "--color", "never", "scenario/new-access"]);
    assert_eq!(show.code, Some(0), "{}", show.stderr);
    assert!(
        show.stdout.starts_with("新增接入（本公司流程）\n"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("在蓝鲸专线工单系统提交申请"),
        "{}",
        show.stdout
    );
    let builtin = run(&["show", "--color", "never", "scenario/new-access"]);
    let builtin_title = builtin.stdout.lines().next().unwrap();
    assert!(
        !show.stdout.contains(builtin_title),
        "the built-in entry is gone: {}",
        show.stdout
    );

    let listed = json_ids(&kb.with_builtin(&["list", "--json"]));
    assert_eq!(listed.len(), builtin_count(), "replaced, not added");
    assert_eq!(
        listed
            .iter()
            .filter(|id| *id == "scenario/new-access")
            .count(),
        1
    );

    let run = kb.with_builtin(&["ask", "--json", "蓝鲸专线怎么接入"]);
    let advice: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(advice["results"][0]["id"], "scenario/new-access");
    assert_eq!(advice["results"][0]["title"], "新增接入（本公司流程）");
}

#[test]
fn no_builtin_uses_the_directory_alone() {
    let kb = Kb::new();
    kb.write("faq/blue-whale.md", entry("faq/blue-whale", "蓝鲸机房"));
    kb.write("risk/outage.md", entry("risk/outage", "机房断电"));
    let listed = json_ids(&run(&["--no-builtin", "--kb", kb.root(), "list", "--json"]));
    assert_eq!(listed, ["faq/blue-whale", "risk/outage"]);

    let text = run(&["--no-builtin", "--kb", kb.root(), "list"]);
    assert_eq!(text.stdout.lines().count(), 2, "{}", text.stdout);

    let show = run(&[
        "--no-builtin",
        "--kb",
        kb.root(),
        "show",
        "scenario/new-access",
    ]);
    assert_eq!(show.code, Some(2), "a built-in id is not there");

    let run = run(&[
        "--no-builtin",
        "--kb",
        kb.root(),
        "ask",
        "--json",
        "机房断电了怎么办",
    ]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    let advice: Value = serde_json::from_str(&run.stdout).unwrap();
    for result in advice["results"].as_array().unwrap() {
        let id = result["id"].as_str().unwrap();
        assert!(id == "faq/blue-whale" || id == "risk/outage", "{id}");
    }
    assert_eq!(advice["results"][0]["id"], "risk/outage");
}

#[test]
fn no_builtin_without_kb_is_one_line_and_exit_2() {
    for args in [
        &["--no-builtin", "list"][..],
        &["--no-builtin", "ask", "备案"],
        &["--no-builtin", "kb", "lint"],
    ] {
        let run = run(args);
        assert_eq!(run.code, Some(2), "{args:?}");
        assert!(
            run.stderr.lines().count() == 1 && run.stderr.contains("--kb"),
            "{args:?}: {:?}",
            run.stderr
        );
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn a_kb_that_is_not_a_directory_is_one_line_and_exit_2() {
    let kb = Kb::new();
    kb.write("faq/ok.md", entry("faq/ok", "正常"));
    let missing = kb.shown("missing");
    let file = kb.shown("faq/ok.md");
    for dir in [missing.as_str(), file.as_str()] {
        let run = run(&["--kb", dir, "list"]);
        assert_eq!(run.code, Some(2), "{dir}");
        assert_eq!(run.stderr.lines().count(), 1, "{:?}", run.stderr);
        assert!(run.stderr.starts_with("beian: error: ") && run.stderr.contains(dir));
    }
}

/// Each broken entry with the line beian must name.
fn broken_entries() -> Vec<(&'static str, &'static str, Vec<u8>, usize)> {
    let good = entry("faq/broken", "坏条目");
    let bad_toml = replace_line(&good, "aliases = ", r#"aliases = ["少了逗号" "alias"]"#);
    let bad_toml_line = line_of(&bad_toml, "aliases = ");
    let mut gbk = good.clone().into_bytes();
    let marker = "## 原因".as_bytes();
    let at = gbk.windows(marker.len()).position(|w| w == marker).unwrap();
    gbk.splice(at..at, [0xB1, 0xB8, 0xB0, 0xB8, b'\n']);
    vec![
        (
            "invalid TOML",
            "faq/broken.md",
            bad_toml.into_bytes(),
            bad_toml_line,
        ),
        ("an empty file", "faq/broken.md", Vec::new(), 1),
        (
            "no front matter",
            "faq/broken.md",
            b"## \xe5\x8e\x9f\xe5\x9b\xa0\n- x\n".to_vec(),
            1,
        ),
        (
            "an id that is not the path",
            "faq/other.md",
            good.clone().into_bytes(),
            2,
        ),
        ("GBK bytes", "faq/broken.md", gbk, line_of(&good, "## 原因")),
        (
            "an invalid id",
            "faq/broken.md",
            replace_line(&good, "id = ", r#"id = "faq/Not A Slug""#).into_bytes(),
            2,
        ),
    ]
}

#[test]
fn a_malformed_entry_in_kb_is_one_line_naming_file_and_line() {
    for (what, name, bytes, line) in broken_entries() {
        let kb = Kb::new();
        kb.write("faq/fine.md", entry("faq/fine", "正常"));
        kb.write(name, &bytes);
        let file = kb.shown(name);
        for args in [
            &["ask", "备案退回后下一步做什么"][..],
            &["ask", "--json", "备案退回后下一步做什么"],
            &["list"],
            &["show", "faq/fine"],
        ] {
            let with = kb.with_builtin(args);
            assert_one_line_error(&with, &file, line, &format!("{what}, {args:?}"));
            let alone = run(&[&["--no-builtin", "--kb", kb.root()][..], args].concat());
            assert_one_line_error(
                &alone,
                &file,
                line,
                &format!("{what}, --no-builtin {args:?}"),
            );
        }
    }
}

#[test]
fn files_outside_the_kind_folders_are_not_entries() {
    let kb = Kb::new();
    kb.write("faq/blue-whale.md", entry("faq/blue-whale", "蓝鲸机房"));
    kb.write("README.md", "# Our entries\n\nNot an entry.\n");
    let listed = json_ids(&run(&["--no-builtin", "--kb", kb.root(), "list", "--json"]));
    assert_eq!(listed, ["faq/blue-whale"]);
    assert!(Path::new(&kb.shown("README.md")).exists());
}
