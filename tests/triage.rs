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
    line(br#"{"id": "A-9", "text": "  "}"#, json!("A-9"), "error");
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
            "error",
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

/// Without `--full` a record carries what a desk routes on, and each value is the full record's.
#[test]
fn the_default_record_carries_what_a_desk_routes_on() {
    let (input, _) = messy_queue();
    let run = |extra: &[&str]| {
        let output = beian()
            .arg("triage")
            .args(extra)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        records(&output.stdout)
    };
    let (routing, full) = (run(&[]), run(&["--full"]));
    assert_eq!(routing.len(), full.len());
    let keys = |value: &Value| -> Vec<String> {
        let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    let mut answered = 0;
    for (slim, whole) in routing.iter().zip(&full) {
        if whole["status"] == "error" {
            assert_eq!(slim, whole, "error records are the same either way");
            continue;
        }
        answered += 1;
        for field in ["id", "status", "lang", "truncated"] {
            assert_eq!(slim.get(field), whole.get(field), "{field}");
        }
        let (slim, whole) = (
            slim["results"].as_array().unwrap(),
            whole["results"].as_array().unwrap(),
        );
        assert_eq!(slim.len(), whole.len());
        for (result, full_result) in slim.iter().zip(whole) {
            assert_eq!(
                keys(result),
                ["confidence", "id", "kind", "segment", "title"]
            );
            for field in ["id", "kind", "title", "confidence", "segment"] {
                assert_eq!(result[field], full_result[field], "{field}");
            }
            assert!(full_result.get("causes").is_some(), "--full has the bodies");
        }
    }
    assert!(answered >= 3, "{answered} tickets answered");
}

#[test]
fn help_documents_full_records() {
    beian()
        .args(["triage", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--full"));
}

#[test]
fn full_records_follow_the_contract() {
    let (input, _) = messy_queue();
    let output = beian()
        .args(["triage", "--top", "2", "--full"])
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
        json!({"id": "A-9", "status": "error", "error": "nothing to search for: the text is empty or only spaces and punctuation"})
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

#[test]
fn a_summary_path_that_is_the_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let tickets = dir.path().join("tickets.jsonl");
    let text = "{\"id\": 1, \"text\": \"备案被驳回了怎么办\"}\n";
    fs::write(&tickets, text).unwrap();
    let hard_link = dir.path().join("same-file.json");
    fs::hard_link(&tickets, &hard_link).unwrap();
    // As the file argument, as standard input, and under another name of the same file.
    let cases: [(&Path, bool); 3] = [(&tickets, false), (&tickets, true), (&hard_link, false)];
    for (summary, on_stdin) in cases {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_beian"));
        common::hermetic(&mut command)
            .arg("triage")
            .arg("--summary")
            .arg(summary);
        if on_stdin {
            command.stdin(fs::File::open(&tickets).unwrap());
        } else {
            command.arg(&tickets).stdin(Stdio::null());
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{summary:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{summary:?}: nothing answered");
        assert!(
            stderr.contains("is the same file as the input") && stderr.lines().count() == 1,
            "{summary:?}: {stderr}"
        );
        assert_eq!(fs::read_to_string(&tickets).unwrap(), text, "{summary:?}");
    }
}

#[test]
fn empty_or_punctuation_only_text_is_an_error_record_with_the_message_of_ask() {
    let ask = beian().args(["ask", "？！"]).output().unwrap();
    let refusal = String::from_utf8(ask.stderr).unwrap();
    let input = concat!(
        "{\"id\": 1, \"text\": \"\"}\n",
        "{\"id\": 2, \"text\": \"？！。……\"}\n",
        "{\"id\": 3, \"text\": \" \\t \"}\n",
        "{\"id\": 4, \"text\": \"备案被驳回了怎么办\"}\n",
    );
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
    let got = records(&output.stdout);
    for record in &got[..3] {
        assert_eq!(record["status"], "error", "{record}");
        let message = record["error"].as_str().unwrap();
        assert!(
            refusal.contains(message),
            "the message of `ask`: {message:?} / {refusal:?}"
        );
    }
    assert_eq!(got[3]["status"], "match");
    let counts: Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(
        (&counts["error"], &counts["no_match"]),
        (&json!(3), &json!(0))
    );

    let text_mode = beian()
        .args(["triage", "--text"])
        .write_stdin("…… ！\n")
        .output()
        .unwrap();
    assert_eq!(records(&text_mode.stdout)[0]["status"], "error");
}

#[test]
fn ids_are_echoed_exactly_as_written() {
    let ids = [
        "123456789012345678901234567890",
        "123456789012345678901234567891",
        "-0",
        "1.50",
        "18446744073709551616",
    ];
    let input: String = ids
        .iter()
        .map(|id| format!("{{\"id\": {id}, \"text\": \"备案被驳回了怎么办\"}}\n"))
        .collect();
    let output = beian()
        .arg("triage")
        .write_stdin(input.clone())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), ids.len());
    for (line, id) in lines.iter().zip(ids) {
        assert!(
            line.starts_with(&format!("{{\"id\":{id},\"status\":\"match\"")),
            "{id}: {line}"
        );
    }
    let csv = beian()
        .args(["triage", "--format", "csv"])
        .write_stdin(input)
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let firsts: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|row| row.split(',').next().unwrap())
        .collect();
    // `-0` starts with a minus sign: a formula to a spreadsheet, so it is quoted (see the CSV test).
    assert_eq!(
        firsts,
        [
            "123456789012345678901234567890",
            "123456789012345678901234567891",
            "'-0",
            "1.50",
            "18446744073709551616"
        ]
    );
}

/// The cells of an RFC 4180 text (quoted cells may hold commas, quotes and line breaks).
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![Vec::new()];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => rows.last_mut().unwrap().push(std::mem::take(&mut cell)),
            (false, '\n') => {
                rows.last_mut().unwrap().push(std::mem::take(&mut cell));
                rows.push(Vec::new());
            }
            (false, c) => cell.push(c),
        }
    }
    rows.pop();
    rows
}

#[test]
fn csv_cells_carry_no_escapes_and_no_formulas() {
    let kb = tempfile::tempdir().unwrap();
    let entry = fs::read_to_string("knowledge/faq/rejected-what-next.md")
        .unwrap()
        .replacen(
            "\ntitle = \"",
            "\ntitle = \"=HYPERLINK(\\\"http://example.com\\\")\\u001b[31m",
            1,
        );
    fs::create_dir_all(kb.path().join("faq")).unwrap();
    fs::write(kb.path().join("faq/rejected-what-next.md"), entry).unwrap();
    let ids = [
        "=1+2",
        "+SUM(A1)",
        "-3",
        "@cmd",
        "\tTab",
        "\rReturn",
        "\u{1b}[31mred\u{1b}[0m",
        "\u{9b}2Jclear",
        "plain",
    ];
    let input: String = ids
        .iter()
        .map(|id| json!({"id": id, "text": "备案被驳回了怎么办"}).to_string() + "\n")
        .collect();
    let output = beian()
        .arg("--kb")
        .arg(kb.path())
        .args(["triage", "--format", "csv"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'),
        "{text:?}"
    );
    let rows = csv_cells(&text);
    assert_eq!(rows.len(), ids.len() + 1, "{text}");
    for row in &rows[1..] {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell: {cell:?} in {row:?}"
            );
        }
        assert_eq!(
            row[3], "'=HYPERLINK(\"http://example.com\")备案被驳回后怎么办",
            "{row:?}"
        );
    }
    let firsts: Vec<&str> = rows[1..].iter().map(|row| row[0].as_str()).collect();
    assert_eq!(
        firsts,
        [
            "'=1+2",
            "'+SUM(A1)",
            "'-3",
            "'@cmd",
            "'\tTab",
            "Return",
            "red",
            "2Jclear",
            "plain"
        ]
    );
}
