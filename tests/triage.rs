//! `beian triage` through the real binary: one record per input line, in order, whatever the line holds.

mod common;
use common::beian;
use predicates::prelude::*;
use serde_json::{json, Value};
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

/// An entry's titles as the knowledge base has them today: (title, title_en).
fn titles(id: &str) -> (String, String) {
    let output = beian().args(["show", "--json", id]).output().unwrap();
    let entry: Value = serde_json::from_slice(&output.stdout).unwrap();
    (
        entry["title"].as_str().unwrap().into(),
        entry["title_en"].as_str().unwrap().into(),
    )
}

fn records(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// A queue as exports have them: good tickets between broken lines of every kind.
fn messy_queue() -> (Vec<u8>, Vec<(Value, &'static str)>) {
    let mut input: Vec<u8> = Vec::new();
    let mut want: Vec<(Value, &'static str)> = Vec::new();
    let mut line = |bytes: &[u8], id: Value, status: &'static str| {
        input.extend_from_slice(bytes);
        input.push(b'\n');
        want.push((id, status));
    };
    // A notice followed by a pasted blob: 1 MB on one line. Only its beginning is read.
    let huge = format!(
        "初审驳回：域名所有人不正确，域名实名认证信息与主办单位名称不一致。附件：{}",
        " ".repeat(1_050_000)
    );
    line(
        json!({"id": "huge", "text": huge}).to_string().as_bytes(),
        json!("huge"),
        "match",
    );
    line(
        r#"{"id": "A-1", "text": "您好，订单号：ICP0012345678，备案被驳回了怎么办"}"#.as_bytes(),
        json!("A-1"),
        "match",
    );
    line(b"", json!(3), "error");
    line(br#"{"id": "A-4", "text": "unterminated"#, json!(4), "error");
    line(
        b"{\"id\": \"A-5\", \"text\": \"\xb1\xb8\xb0\xb8\"}",
        json!("A-5"),
        "error",
    );
    line(br#"{"id": 6}"#, json!(6), "error");
    line(br#"{"id": "A-7", "text": 12381}"#, json!("A-7"), "error");
    line(b"\xff\xfe not json either", json!(8), "error");
    line(br#"{"id": "A-9", "text": "  "}"#, json!("A-9"), "no_match");
    line(
        r#"{"id": 10, "text": "用香港服务器需要备案吗"}"#.as_bytes(),
        json!(10),
        "match",
    );
    // Enough cheap lines for several batches, so that the slow huge ticket is overtaken by later ones.
    for n in 11..=400 {
        line(
            json!({"id": n, "text": "？"}).to_string().as_bytes(),
            json!(n),
            "no_match",
        );
    }
    (input, want)
}

#[test]
fn every_line_gets_one_record_in_input_order() {
    let (input, want) = messy_queue();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("queue.jsonl");
    fs::write(&file, &input).unwrap();

    let output = beian()
        .args(["triage", "--jobs", "3"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let got = records(&output.stdout);
    let got: Vec<(Value, &str)> = got
        .iter()
        .map(|r| (r["id"].clone(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn records_follow_the_contract() {
    let (input, _) = messy_queue();
    let output = beian()
        .args(["triage", "--top", "2"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let got = records(&output.stdout);

    let huge = &got[0];
    assert_eq!(huge["results"][0]["id"], "rejection/subject-mismatch");
    assert_eq!(
        huge["truncated"], true,
        "the huge ticket is answered from its beginning"
    );
    let answered = &got[1];
    assert_eq!(answered["results"][0]["id"], "faq/rejected-what-next");
    assert_eq!(answered["results"].as_array().unwrap().len(), 2, "--top 2");
    for field in [
        "kind",
        "title",
        "title_en",
        "score",
        "confidence",
        "segment",
        "matched",
        "lang",
        "summary",
        "causes",
        "remediation",
        "next_actions",
        "related",
        "sources",
        "source_refs",
    ] {
        assert!(
            answered["results"][0].get(field).is_some(),
            "results carry {field}"
        );
    }
    assert_eq!(
        answered["lang"], "zh",
        "a Chinese ticket is answered in Chinese"
    );
    assert!(answered.get("truncated").is_none());

    assert_eq!(
        got[2],
        json!({"id": 3, "status": "error", "error": "empty line"})
    );
    assert!(got[3]["error"]
        .as_str()
        .unwrap()
        .starts_with("not valid JSON"));
    assert!(got[4]["error"]
        .as_str()
        .unwrap()
        .starts_with("not valid UTF-8"));
    assert!(got[5]["error"].as_str().unwrap().contains("no \"text\""));
    assert_eq!(got[6]["error"], "\"text\" is not a string");
    assert_eq!(
        got[8],
        json!({"id": "A-9", "status": "no_match", "lang": "zh", "results": []})
    );
}

#[test]
fn csv_has_a_header_and_one_row_per_line() {
    let input = concat!(
        "{\"id\": \"a,1\", \"text\": \"备案被驳回了怎么办\"}\n",
        "not json\n",
        "{\"id\": 3, \"text\": \"您的ICP备案申请已被管局退回，原因如下：1. 幕布照片不清晰；2. 通信地址不详，需具体到门牌号\"}\n",
    );
    let output = beian()
        .args(["triage", "--format", "csv", "--top", "3"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert_eq!(rows[0], "id,status,top_id,title,confidence,segments,error");
    let (title, _) = titles("faq/rejected-what-next");
    assert!(
        rows[1].starts_with(&format!("\"a,1\",match,faq/rejected-what-next,{title},")),
        "{}",
        rows[1]
    );
    assert!(
        rows[1].ends_with(",1,"),
        "a question is one segment, no error: {}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("2,error,,,,,not valid JSON"),
        "{}",
        rows[2]
    );
    assert!(rows[3].starts_with("3,match,rejection/"), "{}", rows[3]);
    assert!(
        rows[3].ends_with(",2,"),
        "a notice of two reasons: {}",
        rows[3]
    );
}

#[test]
fn csv_titles_follow_the_language() {
    let output = beian()
        .args(["--lang", "en", "triage", "--format", "csv"])
        .write_stdin("{\"id\": 1, \"text\": \"备案被驳回了怎么办\"}\n")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let (_, title_en) = titles("faq/rejected-what-next");
    let title_en = if title_en.contains([',', '"']) {
        format!("\"{}\"", title_en.replace('"', "\"\""))
    } else {
        title_en
    };
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .contains(&format!(",faq/rejected-what-next,{title_en},")),
        "{text}"
    );
}

#[test]
fn summary_counts_every_line() {
    let (input, want) = messy_queue();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("counts.json");
    let output = beian()
        .arg("triage")
        .arg("--summary")
        .arg(&summary)
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let counts: Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    let of = |status: &str| want.iter().filter(|(_, s)| *s == status).count() as u64;
    assert_eq!(counts["tickets"], 400);
    assert_eq!(counts["match"], of("match"));
    assert_eq!(counts["no_match"], of("no_match"));
    assert_eq!(counts["error"], of("error"));
    assert_eq!(counts["truncated"], 1);
    assert_eq!(counts["entries"]["rejection/subject-mismatch"]["top"], 1);
    assert_eq!(counts["entries"]["faq/rejected-what-next"]["top"], 1);
    assert_eq!(
        counts["entries"]["scenario/overseas-hosting"],
        json!({"top": 1, "matched": 1})
    );
}

#[test]
fn summary_counts_the_answer_to_each_part_not_every_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("counts.json");
    let input = concat!(
        "{\"id\": 1, \"text\": \"用香港服务器需要备案吗\"}\n",
        "{\"id\": 2, \"text\": \"您的ICP备案申请已被管局退回，原因如下：1. 幕布照片不清晰；2. 通信地址不详，需具体到门牌号\"}\n",
    );
    beian()
        .arg("triage")
        .arg("--summary")
        .arg(&summary)
        .write_stdin(input)
        .assert()
        .success();
    let counts: Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    let entries = counts["entries"].as_object().unwrap();
    let question: Vec<&String> = entries
        .iter()
        .filter(|(_, count)| count["matched"] == 1 && count["top"] == 1)
        .map(|(id, _)| id)
        .collect();
    assert!(
        question.contains(&&"scenario/overseas-hosting".to_string()),
        "{counts}"
    );
    for reason in [
        "rejection/identity-verification",
        "rejection/address-incomplete",
    ] {
        assert_eq!(
            entries[reason]["matched"], 1,
            "{reason} answers a part: {counts}"
        );
    }
    let tops: u64 = entries.values().map(|c| c["top"].as_u64().unwrap()).sum();
    assert_eq!(tops, 2, "one route per ticket");
    let matched: u64 = entries
        .values()
        .map(|c| c["matched"].as_u64().unwrap())
        .sum();
    assert!(
        matched <= 1 + 3,
        "at most one per part (a question; two reasons and the whole notice): {counts}"
    );
}

#[test]
fn text_mode_numbers_the_lines() {
    let input = b"\xe5\xa4\x87\xe6\xa1\x88\xe8\xa2\xab\xe9\xa9\xb3\xe5\x9b\x9e\xe4\xba\x86\xe6\x80\x8e\xe4\xb9\x88\xe5\x8a\x9e\r\n\n\xb1\xb8\xb0\xb8\n{\"id\": 9, \"text\": \"x\"}\n";
    let output = beian()
        .args(["triage", "--text"])
        .write_stdin(input.to_vec())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let got = records(&output.stdout);
    assert_eq!(got.len(), 4);
    assert_eq!(
        (&got[0]["id"], &got[0]["status"]),
        (&json!(1), &json!("match"))
    );
    assert_eq!(got[0]["results"][0]["id"], "faq/rejected-what-next");
    assert_eq!(
        got[1],
        json!({"id": 2, "status": "error", "error": "empty line"})
    );
    assert_eq!(
        (&got[2]["id"], &got[2]["status"]),
        (&json!(3), &json!("error"))
    );
    // A JSON-looking line is just text here: its own id is not used.
    assert_eq!(got[3]["id"], 4);
    assert_ne!(got[3]["status"], "error");
}

#[test]
fn a_missing_file_is_one_error_line_and_exit_2() {
    beian()
        .args(["triage", "no/such/tickets.jsonl"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::starts_with("beian: error: cannot open no/such/tickets.jsonl")
                .and(predicate::str::ends_with("\n")),
        )
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

#[test]
fn an_unreadable_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    beian()
        .arg("triage")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read"));
}

#[test]
fn a_summary_path_that_cannot_be_written_fails_before_any_work() {
    beian()
        .args(["triage", "--summary", "no/such/dir/counts.json"])
        .write_stdin("{\"id\": 1, \"text\": \"备案被驳回了怎么办\"}\n")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "cannot write the summary to no/such/dir/counts.json",
        ));
}

#[test]
fn a_full_disk_exits_2() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("beian"));
    let mut child = cmd
        .arg("triage")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let tickets = "{\"id\": 1, \"text\": \"备案被驳回了怎么办\"}\n".repeat(50);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(tickets.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr)
        .starts_with("beian: error: cannot write the output"));
}

#[test]
fn help_shows_an_example() {
    beian()
        .args(["triage", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Examples:")
                .and(predicate::str::contains("beian triage tickets.jsonl")),
        );
}
