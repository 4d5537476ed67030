//! The command-line contract of kb-spec §3 through the real binary: `ask`, `show` and `list`, exit
//! codes, the JSON shape, pasted and piped input, labels, colour and broken pipes.
//!
//! Golden files live in `tests/golden/`. After an intended change of the output (an edited entry, a
//! new label), rewrite them with
//!
//!     BLESS=1 cargo test --test cli
//!
//! and review the change with `git diff tests/golden` before committing it. Without `BLESS=1` a test
//! fails when the output differs from its golden file, naming the first line that differs.
#![cfg(unix)]

mod common;
use common::{assert_golden, beian, golden_path, run, run_with_stdin, Run};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_beian");

/// The 54 ids kb-spec §2 requires, copied from the spec: scripts and query sets depend on them.
const REQUIRED_IDS: [&str; 54] = [
    "scenario/first-filing",
    "scenario/new-site",
    "scenario/new-access",
    "scenario/access-restore",
    "scenario/change-filing",
    "scenario/cancel-access",
    "scenario/deregister",
    "scenario/commercial-license",
    "scenario/overseas-hosting",
    "scenario/cdn-or-storage",
    "process/prepare-materials",
    "process/provider-submission",
    "process/authenticity-verification",
    "process/sms-verification",
    "process/bureau-review",
    "process/after-approval",
    "rejection/subject-mismatch",
    "rejection/document-invalid",
    "rejection/document-expired",
    "rejection/contact-unreachable",
    "rejection/sms-verification-failed",
    "rejection/phone-ownership",
    "rejection/content-mismatch",
    "rejection/pre-approval-missing",
    "rejection/personal-site-commercial",
    "rejection/business-scope-exceeded",
    "rejection/site-name-invalid",
    "rejection/identity-verification",
    "rejection/domain-not-verified",
    "rejection/domain-suffix-unsupported",
    "rejection/registrar-not-approved",
    "rejection/domain-status-abnormal",
    "rejection/domain-conflict",
    "rejection/already-filed",
    "rejection/address-incomplete",
    "rejection/cross-province",
    "rejection/authorization-letter",
    "rejection/site-live-during-review",
    "rejection/business-license-abnormal",
    "rejection/existing-sites-noncompliant",
    "rejection/multiple-domains",
    "rejection/resource-unsuitable",
    "rejection/site-remark-insufficient",
    "rejection/access-info-mismatch",
    "risk/provider-conflict",
    "risk/shell-site",
    "risk/filing-spot-check",
    "faq/access-during-review",
    "faq/rejected-what-next",
    "faq/public-security-filing",
    "faq/site-blocked-not-filed",
    "faq/platform-requires-filing",
    "scenario/app-filing",
    "scenario/foreign-entity",
];

const KINDS: [&str; 5] = ["scenario", "process", "rejection", "risk", "faq"];

/// The question of issue 2's acceptance list: a filed site moving to a new provider.
const MIGRATION_QUESTION: &str = "已有备案号的网站迁移到新的云服务商要做什么";
const WEATHER_QUESTION: &str = "今天北京天气怎么样";
const REJECTED_QUESTION: &str = "备案退回后下一步做什么";

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", run.stdout))
}

/// Exit 2, nothing on stdout, one clear line on stderr, never a panic. Returns the line.
fn assert_usage_error(run: &Run, what: &str) -> String {
    assert_eq!(
        run.code,
        Some(2),
        "{what}: exit code\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    assert!(
        run.stderr.ends_with('\n') && run.stderr.lines().count() == 1,
        "{what}: stderr must be exactly one line, got {:?}",
        run.stderr
    );
    let line = run.stderr.trim_end().to_string();
    assert!(
        line.starts_with("beian: error: ") && line.len() > "beian: error: ".len() + 10,
        "{what}: one clear line that says it is beian's error, got {line:?}"
    );
    assert!(
        run.stdout.is_empty(),
        "{what}: nothing on stdout: {:?}",
        run.stdout
    );
    line
}

fn ids(results: &Value) -> Vec<String> {
    results
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["id"].as_str().expect("an id string").to_string())
        .collect()
}

fn assert_string_array(value: &Value, what: &str) {
    let items = value
        .as_array()
        .unwrap_or_else(|| panic!("{what} is not an array: {value}"));
    for item in items {
        assert!(item.is_string(), "{what} holds a non-string: {item}");
    }
}

/// Every field of kb-spec §3 present in one result, with its JSON type.
fn assert_result_shape(result: &Value) {
    let object = result.as_object().expect("a result is an object");
    let id = result["id"].as_str().expect("id is a string");
    let kind = result["kind"].as_str().expect("kind is a string");
    assert!(KINDS.contains(&kind), "{id}: unknown kind {kind}");
    assert_eq!(
        id.split_once('/').map(|(k, _)| k),
        Some(kind),
        "{id}: the id starts with its kind"
    );
    for field in ["title", "title_en", "summary"] {
        let text = result[field]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: {field} is not a string"));
        assert!(!text.trim().is_empty(), "{id}: {field} is empty");
    }
    let score = result["score"]
        .as_f64()
        .unwrap_or_else(|| panic!("{id}: score is not a number"));
    assert!(score.is_finite(), "{id}: score {score}");
    let confidence = result["confidence"]
        .as_f64()
        .unwrap_or_else(|| panic!("{id}: confidence is not a number"));
    assert!(
        (0.0..=1.0).contains(&confidence),
        "{id}: confidence {confidence} outside 0..1"
    );
    assert!(result["segment"].is_string(), "{id}: segment is a string");
    for field in [
        "matched",
        "causes",
        "remediation",
        "next_actions",
        "related",
        "sources",
    ] {
        assert!(object.contains_key(field), "{id}: {field} is missing");
        assert_string_array(&result[field], &format!("{id}: {field}"));
    }
    for field in ["causes", "remediation", "next_actions", "sources"] {
        assert!(
            !result[field].as_array().unwrap().is_empty(),
            "{id}: {field} is empty"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Golden files

/// `ask --json` made stable for a golden file: `score` (the engine's raw, unbounded number) is
/// checked for range and dropped; `confidence` is kept at two decimals, as the text view shows it.
fn stable_json(mut advice: Value) -> String {
    for result in advice["results"].as_array_mut().expect("results") {
        assert_result_shape(result);
        let object = result.as_object_mut().unwrap();
        let score = object.remove("score").and_then(|s| s.as_f64()).unwrap();
        assert!(score > 0.0, "a ranked result has a positive score: {score}");
        let confidence = object["confidence"].as_f64().unwrap();
        object.insert(
            "confidence".into(),
            serde_json::json!((confidence * 100.0).round() / 100.0),
        );
    }
    let mut text = serde_json::to_string_pretty(&advice).unwrap();
    text.push('\n');
    text
}

#[test]
fn golden_text_view_of_one_entry() {
    let run = run(&["show", "scenario/new-access", "--color", "never"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_golden("show-scenario-new-access.txt", &run.stdout);
}

// The golden answers hold only the confident results (`--top 1`, `--top 2`): the weak candidates
// behind them reorder with every ranking tweak, which would make the files churn for no reason.
// The one-line form of the other candidates is checked without a golden file below.

#[test]
fn golden_text_view_of_an_answer() {
    let run = run(&["ask", "--color", "never", "--top", "1", REJECTED_QUESTION]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_golden("ask-rejected-what-next.txt", &run.stdout);
}

#[test]
fn the_text_view_lists_the_other_candidates_one_line_each() {
    let run = run(&["ask", "--color", "never", "--top", "4", REJECTED_QUESTION]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let (best, others) = run
        .stdout
        .split_once("\n其他可能:\n")
        .unwrap_or_else(|| panic!("no candidates section:\n{}", run.stdout));
    assert!(best.starts_with("备案被驳回后怎么办\n"), "{best}");
    let lines: Vec<&str> = others.lines().collect();
    assert_eq!(lines.len(), 3, "{others}");
    for (line, rank) in lines.iter().zip(2..) {
        // "  2. scenario/first-filing  首次备案：……  0.95"
        let rest = line
            .strip_prefix(&format!("  {rank}. "))
            .unwrap_or_else(|| panic!("rank {rank}: {line:?}"));
        let fields: Vec<&str> = rest.split("  ").collect();
        assert_eq!(fields.len(), 3, "id, title, confidence: {line:?}");
        assert!(
            KINDS.contains(&fields[0].split('/').next().unwrap()),
            "{line:?}"
        );
        let confidence: f64 = fields[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&confidence), "{line:?}");
        assert_eq!(fields[2].len(), 4, "two decimals: {line:?}");
    }
}

#[test]
fn golden_json_of_a_notice_with_two_reasons() {
    let notice = "初审驳回:幕布照片不清晰;负责人证件已过期";
    let run = run(&["ask", "--json", "--top", "2", notice]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let advice = json(&run);
    assert_eq!(advice["query"], notice);
    assert_golden("ask-two-reasons.json", &stable_json(advice));
}

#[test]
fn the_golden_helper_notices_a_difference() {
    // The comparison itself must be able to fail: an output one character off is caught.
    if std::env::var_os("BLESS").is_some() {
        return;
    }
    let expected = fs::read_to_string(golden_path("show-scenario-new-access.txt")).unwrap();
    let altered = expected.replacen("新增接入", "新增接人", 1);
    let caught = std::panic::catch_unwind(|| {
        assert_golden("show-scenario-new-access.txt", &altered);
    });
    assert!(caught.is_err(), "a changed output must not pass");
}

// ---------------------------------------------------------------------------------------------
// ask: answers, the JSON contract, exit codes

#[test]
fn a_migration_question_matches_new_access_with_every_json_field() {
    let run = run(&["ask", "--json", MIGRATION_QUESTION]);
    assert_eq!(
        run.code,
        Some(0),
        "exit 0 for a confident match: {}",
        run.stderr
    );
    let advice = json(&run);
    let object = advice.as_object().expect("one object");
    for field in ["query", "status", "results"] {
        assert!(object.contains_key(field), "{field} is missing");
    }
    assert_eq!(advice["query"], MIGRATION_QUESTION);
    assert_eq!(advice["status"], "match");
    let results = advice["results"].as_array().expect("results is an array");
    assert!(
        !results.is_empty() && results.len() <= 5,
        "{}",
        results.len()
    );
    assert_eq!(
        results[0]["id"],
        "scenario/new-access",
        "{:?}",
        ids(&advice["results"])
    );
    for result in results {
        assert_result_shape(result);
    }
    let best = &results[0];
    assert!(best["confidence"].as_f64().unwrap() >= 0.5);
    assert!(!best["matched"].as_array().unwrap().is_empty());
    assert!(MIGRATION_QUESTION.contains(best["segment"].as_str().unwrap()));
    let ids = ids(&advice["results"]);
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no entry twice: {ids:?}");
}

#[test]
fn the_readme_question_about_a_new_provider_prints_new_access() {
    // The run command of the README (issue 2's first acceptance item).
    let run = run(&["ask", "--json", "网站换了云服务商,原来的备案号还能用吗"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let advice = json(&run);
    assert_eq!(
        ids(&advice["results"]).first().map(String::as_str),
        Some("scenario/new-access"),
        "{:?}",
        ids(&advice["results"])
    );
}

#[test]
fn top_limits_the_results() {
    for (top, most) in [("1", 1), ("3", 3)] {
        let run = run(&["ask", "--json", "--top", top, REJECTED_QUESTION]);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let count = json(&run)["results"].as_array().unwrap().len();
        assert!((1..=most).contains(&count), "--top {top}: {count} results");
    }
}

#[test]
fn an_out_of_scope_question_is_no_match_with_exit_1() {
    let text = run(&["ask", "--color", "never", WEATHER_QUESTION]);
    assert_eq!(text.code, Some(1), "{}", text.stderr);
    assert!(
        text.stderr.is_empty(),
        "no error for a normal outcome: {}",
        text.stderr
    );
    assert!(
        text.stdout.contains("没有找到把握较大的答案"),
        "the text view says so: {}",
        text.stdout
    );

    let json_run = run(&["ask", "--json", WEATHER_QUESTION]);
    assert_eq!(json_run.code, Some(1), "{}", json_run.stderr);
    let advice = json(&json_run);
    assert_eq!(advice["status"], "no_match");
    assert_eq!(advice["query"], WEATHER_QUESTION);
    for result in advice["results"].as_array().unwrap() {
        assert_result_shape(result);
        assert!(result["confidence"].as_f64().unwrap() < 0.5, "{result}");
    }
}

#[test]
fn an_unknown_flag_is_one_line_and_exit_2() {
    for args in [
        &["ask", "--bogus", REJECTED_QUESTION][..],
        &["--bogus", "ask", REJECTED_QUESTION],
        &["show", "--bogus", "scenario/new-access"],
        &["list", "--kind", "nonsense"],
        &["ask", "--color", "purple", REJECTED_QUESTION],
        &["no-such-command"],
    ] {
        let run = run(args);
        let line = assert_usage_error(&run, &format!("{args:?}"));
        assert!(
            line.contains("--bogus")
                || line.contains("nonsense")
                || line.contains("purple")
                || line.contains("no-such-command"),
            "{args:?}: the line names what was wrong: {line}"
        );
    }
}

#[test]
fn an_empty_query_is_one_line_and_exit_2() {
    for text in [
        "",
        "   ",
        "\t \u{3000}",
        "？！。，、…",
        "( ) : ^ \" ~ * [ ]",
        "——《》【】",
    ] {
        let run = run(&["ask", "--json", text]);
        assert_usage_error(&run, &format!("ask {text:?}"));
    }
    for stdin in [&b""[..], b"  \n\n", "。。。\n".as_bytes()] {
        let run = run_with_stdin(&["ask"], Some(stdin));
        assert_usage_error(&run, &format!("stdin {stdin:?}"));
    }
}

#[test]
fn top_zero_is_one_line_and_exit_2() {
    let run = run(&["ask", "--top", "0", REJECTED_QUESTION]);
    let line = assert_usage_error(&run, "--top 0");
    assert!(line.contains("--top"), "{line}");
}

// ---------------------------------------------------------------------------------------------
// Pasted text and standard input

/// A long provider notice, as support agents paste it: greeting, order number, several reasons.
fn long_notice(chars: usize) -> String {
    let paragraph = "尊敬的用户您好：您的备案订单（订单号：ICP20261128000123）已被管局退回。\
        退回原因：1. 域名所有人不正确，域名实名认证信息与主办单位名称不一致；\
        2. 网站负责人证件已过期，请上传有效期内的证件；\
        3. 网站内容与备案信息不符，请整改后重新提交。\
        请登录备案控制台（https://console.example.com/beian?order=123&tab=[reasons]）修改后重新提交，\
        如有疑问请拨打 95187 或提交工单。感谢您的支持！\n";
    let text: String = paragraph.chars().cycle().take(chars).collect();
    assert_eq!(text.chars().count(), chars);
    text
}

fn pasted_texts() -> Vec<(&'static str, String)> {
    vec![
        (
            "query syntax",
            "备案 (驳回) title:\"域名\" AND NOT ~2 ^3 * [1 TO 5] {x} 域名所有人不正确 +必须 -排除 a:b:c".into(),
        ),
        (
            "only operators around a word",
            "(((^ \"备案\" ~ * [ ] : )))".into(),
        ),
        (
            "URLs",
            "https://beian.miit.gov.cn/#/Integrated/index?a=1&b=[2]&c=(3) 打不开 http://例子.中国/路径?q=备案%20查询"
                .into(),
        ),
        (
            "full-width punctuation",
            "「备案」被驳回了！？（域名所有人不正确）：【初审】＂幕布照片＂～＊［不清晰］＾".into(),
        ),
        ("emoji", "😀🚀 备案退回后下一步做什么 🙏🏽👨‍👩‍👧".into()),
        ("a single CJK character", "案".into()),
        ("a notice of 5,000 characters", long_notice(5_000)),
        ("control characters", "备案\u{1b}[31m被驳回\u{7}了\r\n怎么办\u{202e}".into()),
    ]
}

/// Exit 0 or 1 (an answer, confident or not), never 2; with `--json` stdout is one JSON object.
fn assert_answered(run: &Run, what: &str) -> Value {
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{what}: answered with exit 0 or 1, got {:?}: {}",
        run.code,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
    assert!(
        !run.stderr.contains("error"),
        "{what}: no error: {}",
        run.stderr
    );
    let advice = json(run);
    assert!(
        matches!(advice["status"].as_str(), Some("match" | "no_match")),
        "{what}: {}",
        advice["status"]
    );
    for result in advice["results"].as_array().expect("results") {
        assert_result_shape(result);
    }
    advice
}

#[test]
fn pasted_text_as_an_argument_is_answered() {
    for (what, text) in pasted_texts() {
        let run = run(&["ask", "--json", &text]);
        assert_answered(&run, what);
    }
}

#[test]
fn pasted_text_on_standard_input_is_answered() {
    for (what, text) in pasted_texts() {
        for args in [&["ask", "--json"][..], &["ask", "--json", "-"]] {
            let run = run_with_stdin(args, Some(text.as_bytes()));
            assert_answered(&run, &format!("{what} via {args:?}"));
        }
    }
}

#[test]
fn a_long_notice_finds_each_of_its_reasons() {
    let run = run(&["ask", "--json", &long_notice(5_000)]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let found = ids(&json(&run)["results"]);
    for id in ["rejection/subject-mismatch", "rejection/document-expired"] {
        assert!(found.iter().any(|f| f == id), "{id} not in {found:?}");
    }
}

#[test]
fn standard_input_without_text_and_with_a_dash_is_the_query() {
    for args in [&["ask", "--json"][..], &["ask", "--json", "-"]] {
        let run = run_with_stdin(args, Some(format!("{REJECTED_QUESTION}\n").as_bytes()));
        assert_eq!(run.code, Some(0), "{args:?}: {}", run.stderr);
        let advice = json(&run);
        assert_eq!(
            advice["query"].as_str().map(str::trim),
            Some(REJECTED_QUESTION)
        );
        assert_eq!(advice["results"][0]["id"], "faq/rejected-what-next");
    }
    let text = run_with_stdin(
        &["ask", "--color", "never"],
        Some(MIGRATION_QUESTION.as_bytes()),
    );
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(
        text.stdout.contains("scenario/new-access"),
        "{}",
        text.stdout
    );
}

#[test]
fn arguments_are_joined_into_one_question() {
    let run = run(&["ask", "--json", "备案", "被驳回了", "怎么办"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let advice = json(&run);
    assert_eq!(advice["query"], "备案 被驳回了 怎么办");
    assert_eq!(advice["results"][0]["id"], "faq/rejected-what-next");
}

// ---------------------------------------------------------------------------------------------
// Labels and colour

fn title_en(id: &str) -> String {
    let run = run(&["show", "--json", id]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    json(&run)["title_en"].as_str().unwrap().to_string()
}

#[test]
fn labels_are_chinese_by_default_and_english_with_lang_en() {
    let zh = run(&["ask", "--color", "never", REJECTED_QUESTION]);
    assert_eq!(zh.code, Some(0), "{}", zh.stderr);
    for label in [
        "\n原因\n",
        "\n解决步骤\n",
        "\n下一步\n",
        "\n相关: ",
        "\n来源:\n",
        "置信度",
    ] {
        assert!(
            zh.stdout.contains(label),
            "missing {label:?} in\n{}",
            zh.stdout
        );
    }

    let en = run(&["ask", "--lang", "en", "--color", "never", REJECTED_QUESTION]);
    assert_eq!(en.code, Some(0), "{}", en.stderr);
    for label in [
        "\nCauses\n",
        "\nRemediation\n",
        "\nNext actions\n",
        "\nRelated: ",
        "\nSources:\n",
        "confidence",
    ] {
        assert!(
            en.stdout.contains(label),
            "missing {label:?} in\n{}",
            en.stdout
        );
    }
    for label in [
        "\n原因\n",
        "\n解决步骤\n",
        "\n下一步\n",
        "相关:",
        "来源:",
        "置信度",
    ] {
        assert!(
            !en.stdout.contains(label),
            "{label:?} in --lang en:\n{}",
            en.stdout
        );
    }
    let title = title_en("faq/rejected-what-next");
    assert!(
        en.stdout.starts_with(&format!("{title}\n")),
        "the English title first: {}",
        en.stdout
    );

    let show = run(&[
        "show",
        "--lang",
        "en",
        "--color",
        "never",
        "scenario/new-access",
    ]);
    assert!(show
        .stdout
        .starts_with(&format!("{}\n", title_en("scenario/new-access"))));
    assert!(show.stdout.contains("\nRemediation\n"), "{}", show.stdout);

    let list = run(&["list", "--lang", "en", "--kind", "faq"]);
    assert!(
        list.stdout.contains(&title_en("faq/rejected-what-next")),
        "{}",
        list.stdout
    );
}

const ESC: char = '\u{1b}';

#[test]
fn colour_follows_the_color_flag() {
    for args in [
        &["ask", REJECTED_QUESTION][..],
        &["show", "scenario/new-access"],
        &["list"],
    ] {
        let always = run(&[&["--color", "always"][..], args].concat());
        assert_eq!(always.code, Some(0), "{}", always.stderr);
        assert!(
            always.stdout.contains(&format!("{ESC}[")),
            "{args:?} --color always has ANSI escapes"
        );
        for choice in ["never", "auto"] {
            let plain = run(&[&["--color", choice][..], args].concat());
            assert_eq!(plain.code, Some(0), "{}", plain.stderr);
            assert!(
                !plain.stdout.contains(ESC),
                "{args:?} --color {choice} into a pipe has no escapes"
            );
        }
    }
    // An explicit `always` wins over NO_COLOR, which only turns off `auto`.
    let forced = beian()
        .args(["ask", "--color", "always", REJECTED_QUESTION])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains(ESC));
}

#[test]
fn json_never_has_colour() {
    let run = run(&["ask", "--json", "--color", "always", REJECTED_QUESTION]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains(ESC));
    json(&run);
}

/// Runs beian on a pseudo-terminal (so `--color auto` sees a terminal) and returns all it printed.
fn on_terminal(args: &[&str], no_color: Option<&str>) -> String {
    use expectrl::{Eof, Expect, Session};
    let mut command = std::process::Command::new(BIN);
    common::hermetic(&mut command);
    command.args(args).env("TERM", "xterm-256color");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let mut session = Session::spawn(command).expect("spawn beian on a pseudo-terminal");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    let found = session.expect(Eof).expect("beian ends");
    String::from_utf8_lossy(found.as_bytes()).into_owned()
}

#[test]
fn on_a_terminal_auto_colours_unless_no_color_is_set() {
    let args = ["ask", "--no-pager", "--color", "auto", REJECTED_QUESTION];
    let coloured = on_terminal(&args, None);
    assert!(
        coloured.contains(&format!("{ESC}[")),
        "auto on a terminal colours: {coloured:?}"
    );
    let plain = on_terminal(&args, Some("1"));
    assert!(plain.contains("解决步骤"), "the answer is there: {plain:?}");
    assert!(!plain.contains(ESC), "NO_COLOR=1 turns auto off: {plain:?}");
    // An empty NO_COLOR does not count (no-color.org).
    let empty = on_terminal(&args, Some(""));
    assert!(empty.contains(&format!("{ESC}[")), "{empty:?}");
}

// ---------------------------------------------------------------------------------------------
// Broken pipes

fn assert_quiet_exit(args: &[&str], read_first_line: bool) {
    let mut command = std::process::Command::new(BIN);
    common::hermetic(&mut command);
    let mut child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    if read_first_line {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(!line.is_empty(), "{args:?}: a first line");
    } else {
        // No reader at all: the first write already fails.
        drop(stdout);
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert!(
        stderr.is_empty(),
        "{args:?}: quiet on a broken pipe, got {stderr:?}"
    );
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
}

#[test]
fn a_broken_pipe_exits_quietly() {
    // `beian list --json | head -1`: 200 KB, far more than a pipe holds, so the pipe breaks mid-way.
    assert_quiet_exit(&["list", "--json"], true);
    // `beian list | head -1` literally (the list may fit in the pipe; then nothing breaks, and that is fine too).
    assert_quiet_exit(&["list"], true);
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["show", "scenario/new-access"],
        &["show", "--json", "scenario/new-access"],
        &["ask", REJECTED_QUESTION],
        &["ask", "--json", REJECTED_QUESTION],
    ] {
        assert_quiet_exit(args, false);
    }
}

// ---------------------------------------------------------------------------------------------
// show and list

#[test]
fn show_of_an_unknown_id_is_one_line_with_a_hint() {
    let run = run(&["show", "no/such-id"]);
    let line = assert_usage_error(&run, "show no/such-id");
    assert!(line.contains("no/such-id"), "{line}");
    assert!(
        line.contains("beian list"),
        "the hint says where the ids are: {line}"
    );

    let near = run_with_stdin(&["show", "rejection/subject"], None);
    let line = assert_usage_error(&near, "show rejection/subject");
    assert!(line.contains("rejection/subject-mismatch"), "{line}");
}

#[test]
fn show_prints_the_whole_entry() {
    let run = run(&["show", "--json", "scenario/new-access"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let entry = json(&run);
    assert_eq!(entry["id"], "scenario/new-access");
    assert_eq!(entry["kind"], "scenario");
    for field in [
        "causes",
        "remediation",
        "next_actions",
        "related",
        "sources",
        "aliases",
    ] {
        assert_string_array(&entry[field], field);
    }
}

fn listed(args: &[&str]) -> Vec<Value> {
    let run = run(args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    json(&run)
        .as_array()
        .expect("list --json is an array")
        .clone()
}

#[test]
fn list_kind_rejection_holds_only_rejections() {
    let rejections = listed(&["list", "--kind", "rejection", "--json"]);
    assert!(!rejections.is_empty());
    for entry in &rejections {
        assert_eq!(entry["kind"], "rejection", "{}", entry["id"]);
        assert!(entry["id"].as_str().unwrap().starts_with("rejection/"));
    }
    let got: BTreeSet<String> = ids(&Value::Array(rejections)).into_iter().collect();
    let all = listed(&["list", "--json"]);
    let want: BTreeSet<String> = all
        .iter()
        .filter(|e| e["kind"] == "rejection")
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want, "every rejection entry, and only those");
    for id in REQUIRED_IDS
        .iter()
        .filter(|id| id.starts_with("rejection/"))
    {
        assert!(got.contains(*id), "{id} missing");
    }

    let text = run(&["list", "--kind", "rejection"]);
    assert_eq!(text.code, Some(0));
    for line in text.stdout.lines() {
        assert!(line.starts_with("rejection/"), "{line}");
    }
}

#[test]
fn list_json_holds_every_required_id() {
    let all = listed(&["list", "--json"]);
    let got: Vec<String> = ids(&Value::Array(all.clone()));
    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no id twice");
    let missing: Vec<&str> = REQUIRED_IDS
        .iter()
        .copied()
        .filter(|id| !unique.contains(&id.to_string()))
        .collect();
    assert!(missing.is_empty(), "required ids missing: {missing:?}");
    assert_eq!(REQUIRED_IDS.iter().collect::<BTreeSet<_>>().len(), 54);
    for entry in &all {
        let id = entry["id"].as_str().unwrap();
        assert!(
            KINDS.contains(&entry["kind"].as_str().unwrap()),
            "{id}: kind {}",
            entry["kind"]
        );
        for field in ["title", "title_en", "summary"] {
            assert!(
                !entry[field].as_str().unwrap_or_default().trim().is_empty(),
                "{id}: {field}"
            );
        }
    }
    let text = run(&["list"]);
    assert_eq!(text.stdout.lines().count(), all.len(), "one line per entry");
}
