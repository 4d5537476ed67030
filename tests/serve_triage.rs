//! `/v1/triage` of `beian serve` through the real binary: the records of `beian triage`, streamed
//! both ways; its errors; the limit on streams; and a body over the limit or a SIGTERM in the middle
//! of a stream, after which the client has whole records and an unfinished transfer.

mod common;

use common::run_with_stdin;
use common::server::{open_chunked, parse_reply, request_chunked, send_chunk, Server};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const NOTICE: &str = "您好，您的备案订单被退回。\n1. 网站名称不符合规范；\n2. 通信地址不详细，请填写到门牌号。\n请修改后重新提交。";

/// Tickets of every kind a queue holds, broken lines included.
fn tickets() -> Vec<u8> {
    let mut input = Vec::new();
    for n in 1..=300 {
        let line = match n % 10 {
            0 => json!({"id": n, "text": NOTICE}).to_string(),
            1 => "{\"id\": \"broken".to_string(),
            2 => json!({"id": format!("T-{n}"), "body": "no text"}).to_string(),
            3 => String::new(),
            4 => json!({"id": n, "text": "？？"}).to_string(),
            5 => json!({"text": "推荐一款机械键盘"}).to_string(),
            // Answered in English under auto, in Chinese under zh.
            6 => {
                json!({"id": n, "text": "my ICP filing was rejected, what do I do now"}).to_string()
            }
            _ => json!({"id": format!("T-{n}"), "text": "备案被驳回了，域名所有人不正确，怎么办"})
                .to_string(),
        };
        input.extend_from_slice(line.as_bytes());
        if n == 7 {
            input.extend_from_slice(b"{\"id\": 7.5, \"text\": \"\xb1\xb8\xb0\xb8\"}");
            input.push(b'\n');
        }
        input.push(b'\n');
    }
    input
}

#[test]
fn triage_streams_the_records_beian_triage_writes() {
    let server = Server::start(&[]);
    let input = tickets();
    let jsonl = [("Content-Type", "application/x-ndjson")];
    // `lang` is `--lang`: records are answered in it (per ticket under auto, the default).
    for (query, lang, flags) in [
        ("", "auto", vec![]),
        ("?top=2&lang=en", "en", vec!["--top", "2"]),
        ("?lang=zh", "zh", vec![]),
        ("?format=csv&lang=en", "en", vec!["--format", "csv"]),
    ] {
        let reply = server.request("POST", &format!("/v1/triage{query}"), &jsonl, Some(&input));
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert!(reply.complete);
        // `/v1/triage` keeps the full records of `/v1`: it writes what `beian triage --full` writes.
        let mut args = vec!["--lang", lang, "triage", "--full"];
        args.extend(flags);
        let cli = run_with_stdin(&args, Some(&input));
        assert_eq!(reply.text(), cli.stdout, "{query}");
    }
    assert_eq!(
        server
            .request("POST", "/v1/triage?format=csv", &jsonl, Some(&input))
            .header("content-type"),
        Some("text/csv; charset=utf-8")
    );
    // Plain lines, as `beian triage --text` reads them; sent chunked, cut anywhere.
    let text = "备案被驳回了怎么办\n\n网站名称不符合规范\n用香港服务器需要备案吗\n".repeat(20);
    let pieces: Vec<&[u8]> = text.as_bytes().chunks(7).collect();
    let reply = request_chunked(
        &server.addr,
        "POST",
        "/v1/triage",
        &[("Content-Type", "text/plain; charset=utf-8")],
        &pieces,
    );
    assert_eq!(reply.status, 200);
    assert!(reply.complete);
    assert_eq!(
        reply.text(),
        run_with_stdin(&["triage", "--text", "--full"], Some(text.as_bytes())).stdout
    );
    // Nothing in, nothing out.
    let empty = server.request("POST", "/v1/triage", &jsonl, Some(b""));
    assert_eq!(
        (empty.status, empty.body.len(), empty.complete),
        (200, 0, true)
    );
}

#[test]
fn bad_triage_requests_get_json_errors() {
    let server = Server::start(&["--triage-limit", "1K"]);
    let jsonl = [("Content-Type", "application/x-ndjson")];
    let line = b"{\"id\": 1, \"text\": \"x\"}\n";
    for (path, status, needle) in [
        ("/v1/triage?top=0", 400, "top"),
        ("/v1/triage?format=xml", 400, "jsonl or csv"),
        ("/v1/triage?lang=de", 400, "lang"),
        ("/v1/triage?jobs=8", 400, "unknown parameter \"jobs\""),
    ] {
        let reply = server.request("POST", path, &jsonl, Some(line));
        assert_eq!(reply.status, status, "{path}");
        assert!(reply.error().contains(needle), "{path}");
    }
    let csv = server.request(
        "POST",
        "/v1/triage",
        &[("Content-Type", "text/csv")],
        Some(line),
    );
    assert_eq!(csv.status, 415);
    assert!(csv.error().contains("application/x-ndjson"));
    let big = line.repeat(100);
    let over = server.request("POST", "/v1/triage", &jsonl, Some(&big));
    assert_eq!(over.status, 413);
    assert!(over.error().contains("1 KiB"));
}

/// The records of a reply body: each whole, each JSON; and their ids.
fn record_ids(body: &[u8]) -> Vec<Value> {
    assert!(
        body.is_empty() || body.ends_with(b"\n"),
        "the body ends inside a record: {:?}",
        String::from_utf8_lossy(&body[body.len().saturating_sub(200)..])
    );
    body.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let record: Value = serde_json::from_slice(line).unwrap_or_else(|err| {
                panic!(
                    "a record cut short ({err}): {}",
                    String::from_utf8_lossy(line)
                )
            });
            record["id"].clone()
        })
        .collect()
}

#[test]
fn a_chunked_triage_body_over_the_limit_ends_after_the_whole_lines_within_it() {
    let server = Server::start(&["--triage-limit", "1K"]);
    let lines: Vec<String> = (1..=40)
        .map(|n| json!({"id": n, "text": "域名所有人不正确"}).to_string() + "\n")
        .collect();
    let body = lines.concat();
    let pieces: Vec<&[u8]> = body.as_bytes().chunks(100).collect();
    let reply = request_chunked(
        &server.addr,
        "POST",
        "/v1/triage",
        &[("Content-Type", "application/x-ndjson")],
        &pieces,
    );
    assert_eq!(reply.status, 200);
    assert!(!reply.complete, "a cut stream must not look finished");
    let ids = record_ids(&reply.body);
    let within: usize = {
        let mut total = 0;
        lines
            .iter()
            .take_while(|l| {
                total += l.len();
                total <= 1024
            })
            .count()
    };
    let expected: Vec<Value> = (1..=within as u64).map(Value::from).collect();
    assert_eq!(ids, expected);
    assert!(server
        .wait_for_log("over the limit of 1 KiB")
        .contains("POST /v1/triage 200"));
}

#[test]
fn a_second_triage_stream_beyond_the_limit_is_429() {
    let server = Server::start(&["--triage-streams", "1"]);
    let headers = [("Content-Type", "application/x-ndjson")];
    let mut first = open_chunked(&server.addr, "POST", "/v1/triage", &headers);
    send_chunk(
        &mut first,
        "{\"id\": 1, \"text\": \"域名所有人不正确\"}\n".as_bytes(),
    )
    .unwrap();
    // The first stream is running once its first record is back.
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\"id\":1") {
        let n = first.read(&mut buffer).unwrap();
        assert!(n > 0, "the first stream ended early");
        seen.extend_from_slice(&buffer[..n]);
    }
    let second = server.request("POST", "/v1/triage", &headers, Some(b"{\"text\": \"x\"}\n"));
    assert_eq!(second.status, 429);
    assert!(second.error().contains("retry later"));
    // Once the first has finished, there is room again.
    first.write_all(b"0\r\n\r\n").unwrap();
    let mut rest = Vec::new();
    first.read_to_end(&mut rest).unwrap();
    let mut third = server.request("POST", "/v1/triage", &headers, Some(b"{\"text\": \"x\"}\n"));
    for _ in 0..50 {
        if third.status == 200 {
            break;
        }
        // The slot is given back when the first stream's threads have finished.
        thread::sleep(Duration::from_millis(20));
        third = server.request("POST", "/v1/triage", &headers, Some(b"{\"text\": \"x\"}\n"));
    }
    assert_eq!(third.status, 200);
}

#[test]
fn sigterm_during_a_triage_stream_leaves_the_client_whole_records() {
    let mut server = Server::start(&[]);
    let mut stream = open_chunked(
        &server.addr,
        "POST",
        "/v1/triage",
        &[("Content-Type", "application/x-ndjson")],
    );
    let received = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let mut stream = stream.try_clone().unwrap();
        let received = Arc::clone(&received);
        thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            // A reset after the last record is the server closing: what came before counts.
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                received.lock().unwrap().extend_from_slice(&buffer[..n]);
            }
        })
    };
    let total = 20_000;
    let body: String = (1..=total)
        .map(|n| json!({"id": n, "text": format!("工单{n}：{NOTICE}")}).to_string() + "\n")
        .collect();
    let mut signalled = None;
    // Chunks of 333 bytes end anywhere, mostly inside a line.
    for (i, chunk) in body.as_bytes().chunks(333).enumerate() {
        if send_chunk(&mut stream, chunk).is_err() {
            break;
        }
        if signalled.is_none()
            && received
                .lock()
                .unwrap()
                .windows(8)
                .any(|w| w == b"\"id\":10,")
        {
            server.terminate();
            signalled = Some(Instant::now());
        }
        if let Some(at) = signalled {
            if at.elapsed() > Duration::from_millis(500) {
                break;
            }
        }
        if i % 20 == 0 {
            thread::sleep(Duration::from_millis(2));
        }
    }
    assert!(signalled.is_some(), "no record came back while sending");
    reader.join().unwrap();
    let raw = received.lock().unwrap().clone();
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 200);
    assert!(
        !reply.complete,
        "a stream stopped early must not look finished"
    );
    let ids = record_ids(&reply.body);
    assert!(
        ids.len() >= 10 && ids.len() < total,
        "{} records",
        ids.len()
    );
    let expected: Vec<Value> = (1..=ids.len() as u64).map(Value::from).collect();
    assert_eq!(ids, expected, "records in input order, none missing");

    let status = server
        .wait(Duration::from_secs(20))
        .expect("the server stops");
    assert!(status.success(), "{status:?}");
    let log = server.log();
    assert!(log.contains("SIGTERM: stopping"), "{log}");
    assert!(log.contains("beian serve: stopped\n"), "{log}");
    assert!(
        TcpStream::connect(&server.addr).is_err(),
        "no new connections"
    );
}
