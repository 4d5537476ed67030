//! The fitted ranker through the binary: a pasted notice answered reason by reason, text that says
//! nothing answered `no_match`, and `beian kb fit` writing a model that a knowledge base then uses.

mod common;

use common::{assert_golden, run, Run};
use serde_json::Value;
use std::fs;
use std::path::Path;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bilingual");

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}{}", run.stdout, run.stderr))
}

/// The results of a JSON answer as `id  confidence  segment` lines.
fn results(advice: &Value) -> String {
    advice["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}  {}  {}\n", r["id"], r["confidence"], r["segment"]))
        .collect()
}

#[test]
fn golden_notice_with_an_opening_line_an_order_number_and_two_reasons_gets_two_answers() {
    let notice = "您好，您提交的备案订单（20240512001234）经审核被退回，原因如下：\n\
                  1. 幕布照片背景不符合要求，请重新拍摄；\n\
                  2. 网站名称不符合规范，不能使用“博客”等字样。\n\
                  请修改后重新提交。";
    let run = run(&["ask", "--json", "--top", "5", notice]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let advice = json(&run);
    let answers = advice["results"].as_array().unwrap();
    assert_eq!(
        answers.len(),
        2,
        "one answer per reason:\n{}",
        results(&advice)
    );
    for answer in answers {
        let segment = answer["segment"].as_str().unwrap();
        assert!(
            !segment.contains("订单") && !segment.contains("原因如下"),
            "boilerplate became a reason: {segment}"
        );
    }
    assert_golden("ask-notice-two-answers.txt", &results(&advice));
}

#[test]
fn text_that_carries_no_topic_is_no_match() {
    for junk in ["b", "1", "DROP"] {
        let run = run(&["ask", "--json", junk]);
        assert_eq!(run.code, Some(1), "{junk}: {}", run.stdout);
        let advice = json(&run);
        assert_eq!(advice["status"], "no_match", "{junk}");
        assert_eq!(advice["results"], Value::Array(Vec::new()), "{junk}");
    }
    // The text view says what beian covers.
    let text = run(&["ask", "DROP"]);
    assert!(
        text.stdout
            .contains("beian answers questions about ICP filing (ICP备案)"),
        "{}",
        text.stdout
    );
    let text = run(&["ask", "今天天气怎么样"]);
    assert!(
        text.stdout.contains("beian 解答 ICP 备案的问题"),
        "{}",
        text.stdout
    );
    // A one-word text that names the topic is still answered.
    let run = run(&["ask", "--json", "ICP备案"]);
    let answered = json(&run)["results"].as_array().map_or(0, Vec::len);
    assert!(answered > 0, "{}", run.stdout);
}

#[test]
fn eval_prints_the_precision_of_match_and_the_calibration_error() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("set.jsonl");
    fs::write(
        &set,
        "{\"id\": \"a\", \"query\": \"网站名称不符合命名规范\", \"expect\": [\"rejection/site-name-invalid\"]}\n\
         {\"id\": \"b\", \"query\": \"今天天气怎么样\", \"expect\": []}\n",
    )
    .unwrap();
    let run = run(&["eval", set.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout
            .contains("match precision:    1.000 (1 answered match)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("calibration error:"), "{}", run.stdout);
    assert!(
        run.stdout.contains(" precision=1.000 ece="),
        "{}",
        run.stdout
    );
}

/// A copy of the fixture knowledge base (files at its root and one folder down) in `into`.
fn fixture_copy(into: &Path) {
    fn copy(from: &Path, into: &Path) {
        fs::create_dir_all(into).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = into.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    copy(Path::new(FIXTURE), into);
}

/// Runs the binary on the knowledge base in `kb` alone.
fn on_kb(kb: &Path, args: &[&str]) -> Run {
    run(&[&["--no-builtin", "--kb", kb.to_str().unwrap()][..], args].concat())
}

/// Asserts that `output` contains each of `needles`, showing the output if not.
fn assert_contains(output: &str, needles: &[&str]) {
    for needle in needles {
        assert!(output.contains(needle), "no {needle:?} in:\n{output}");
    }
}

const TRAINING: &str = "\
{\"id\": \"1\", \"query\": \"网站名称不合规被驳回\", \"expect\": [\"rejection/site-name-invalid\"]}
{\"id\": \"2\", \"query\": \"website name rejected\", \"expect\": [\"rejection/site-name-invalid\"]}
{\"id\": \"3\", \"query\": \"个人备案放了公司内容被退回\", \"expect\": [\"rejection/personal-site-commercial\"]}
{\"id\": \"4\", \"query\": \"personal filing shows company content\", \"expect\": [\"rejection/personal-site-commercial\"]}
{\"id\": \"5\", \"query\": \"网站内容和备案信息不一致\", \"expect\": [\"rejection/content-mismatch\"]}
{\"id\": \"6\", \"query\": \"site content does not match the filing\", \"expect\": [\"rejection/content-mismatch\"]}
{\"id\": \"7\", \"query\": \"备案被驳回了下一步怎么办\", \"expect\": [\"faq/rejected-what-next\"]}
{\"id\": \"8\", \"query\": \"filing rejected what next\", \"expect\": [\"faq/rejected-what-next\"]}
{\"id\": \"9\", \"query\": \"域名解析的 MX 记录怎么配置\", \"expect\": []}
{\"id\": \"10\", \"query\": \"备案查询接口返回 500\", \"expect\": []}
";

fn fit(kb: &Path, set: &Path, out: &Path) -> Run {
    let (out, set) = (out.to_str().unwrap(), set.to_str().unwrap());
    on_kb(kb, &["kb", "fit", "--folds", "2", "--out", out, set])
}

#[test]
fn kb_fit_writes_a_model_that_the_knowledge_base_then_uses() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    fixture_copy(&kb);
    let set = dir.path().join("train.jsonl");
    fs::write(&set, TRAINING).unwrap();
    let question = "website name rejected";
    let before = json(&on_kb(&kb, &["ask", "--json", question]));

    let first = dir.path().join("first.toml");
    let run1 = fit(&kb, &set, &first);
    assert_eq!(run1.code, Some(0), "{}", run1.stderr);
    assert_contains(
        &run1.stdout,
        &[
            "== titles (cross-validated, 2 folds)",
            "== train (cross-validated, 2 folds)",
            "== all sets (cross-validated)",
        ],
    );
    let model = fs::read_to_string(&first).unwrap();
    assert_contains(
        &model,
        &[
            "[ranker.weights]",
            "[calibration.first]",
            "command = \"beian kb fit --folds 2",
        ],
    );

    // Reproducible: the same files give the same model, byte for byte.
    let second = dir.path().join("second.toml");
    assert_eq!(fit(&kb, &set, &second).code, Some(0));
    assert_eq!(fs::read_to_string(&second).unwrap(), model);

    // Placed beside the entries, it is linted and it ranks.
    fs::copy(&first, kb.join("ranker.toml")).unwrap();
    let lint = on_kb(&kb, &["kb", "lint"]);
    assert_eq!(lint.code, Some(0), "{}{}", lint.stdout, lint.stderr);
    let after = json(&on_kb(&kb, &["ask", "--json", question]));
    assert_eq!(after["results"][0]["id"], "rejection/site-name-invalid");
    assert_ne!(
        after["results"][0]["confidence"], before["results"][0]["confidence"],
        "the fitted model, not the prior formula, gave the confidence"
    );
}

#[test]
fn a_damaged_model_file_is_a_lint_error_and_keeps_the_knowledge_base_from_loading() {
    let dir = tempfile::tempdir().unwrap();
    let kb = dir.path().join("kb");
    fixture_copy(&kb);
    fs::write(
        kb.join("ranker.toml"),
        "[fit]\n[ranker]\nbias = 0.0\n[ranker.weights]\ncoverag = 1.0\n",
    )
    .unwrap();
    let lint = on_kb(&kb, &["kb", "lint"]);
    assert_eq!(lint.code, Some(2), "{}", lint.stdout);
    assert_contains(
        &lint.stdout,
        &["ranker.toml:1: error:", "`beian kb fit` writes this file"],
    );
    let ask = on_kb(&kb, &["ask", "备案"]);
    assert_eq!(ask.code, Some(2), "{}", ask.stdout);
    assert_contains(&ask.stderr, &["ranker.toml"]);
}

#[test]
fn kb_fit_refuses_an_output_in_a_missing_directory_and_an_unreadable_set() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("train.jsonl");
    fs::write(&set, TRAINING).unwrap();
    let missing = dir.path().join("no/such/dir/ranker.toml");
    let run1 = fit(Path::new(FIXTURE), &set, &missing);
    assert_eq!(run1.code, Some(2));
    assert!(
        run1.stderr.contains("is not a directory"),
        "{}",
        run1.stderr
    );

    let bad = dir.path().join("bad.jsonl");
    fs::write(&bad, "{\"id\": \"1\", \"query\": \"x\"}\n").unwrap();
    let out = dir.path().join("ranker.toml");
    let run2 = fit(Path::new(FIXTURE), &bad, &out);
    assert_eq!(run2.code, Some(2));
    assert!(run2.stderr.contains("bad.jsonl:1:"), "{}", run2.stderr);
    assert!(!out.exists(), "nothing written");
}

#[test]
fn explanation_rows_add_up_to_the_logit_of_each_confidence() {
    let run = run(&["ask", "--explain", "--json", "备案被驳回了怎么办"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let advice = json(&run);
    let segments = advice["explanation"].as_array().unwrap();
    assert!(!segments.is_empty());
    for segment in segments {
        for candidate in segment["candidates"].as_array().unwrap() {
            let logit: f64 = candidate["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| row["contribution"].as_f64().unwrap())
                .sum();
            let confidence = candidate["confidence"].as_f64().unwrap();
            let sigmoid = 1.0 / (1.0 + (-logit).exp());
            assert!(
                (sigmoid - confidence).abs() < 1e-4,
                "{}: rows give {sigmoid}, confidence {confidence}",
                candidate["id"]
            );
        }
    }
    // The text view lines its numbers up under the headings, whatever the feature names.
    let text = common::run(&["ask", "--explain", "备案被驳回了怎么办"]);
    let mut table = text
        .stdout
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("feature"));
    let header = table.next().unwrap();
    let value_end = header.find("value").unwrap() + "value".len();
    for row in table.take_while(|l| l.starts_with("    ") && !l.starts_with("     ")) {
        let before: String = row.chars().take(value_end).collect();
        assert!(
            before.ends_with(|c: char| c.is_ascii_digit()),
            "misaligned: {row:?}"
        );
    }
}

/// Issue 19's question, against the built-in knowledge base: an English answer from the right entry,
/// and the same question in Chinese answered in Chinese.
#[test]
fn the_built_in_knowledge_base_answers_the_english_question_about_a_website_name() {
    let english = run(&[
        "ask",
        "--json",
        "my ICP filing was rejected because the website name is not compliant",
    ]);
    assert_eq!(english.code, Some(0), "{}", english.stdout);
    let advice = json(&english);
    assert_eq!(advice["lang"], "en");
    assert_eq!(advice["results"][0]["id"], "rejection/site-name-invalid");
    let chinese = json(&run(&[
        "ask",
        "--json",
        "我的备案因为网站名称不合规被驳回了",
    ]));
    assert_eq!(chinese["lang"], "zh");
    assert_eq!(chinese["results"][0]["id"], "rejection/site-name-invalid");
}
