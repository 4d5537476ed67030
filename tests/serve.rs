//! `beian serve` through the real binary on a free loopback port: every endpoint answers what the
//! matching command prints, every error is a JSON `{"error"}` with its status, the token, CORS and
//! the limits hold, the page is self-contained, each request is one log line. `/v1/triage` has its
//! own file, `serve_triage.rs`.

mod common;

use common::server::{request_chunked, Reply, Server};
use common::{run, run_with_stdin};
use serde_json::{json, Value};
use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

const NOTICE: &str = "您好，您的备案订单被退回。\n1. 网站名称不符合规范；\n2. 通信地址不详细，请填写到门牌号。\n请修改后重新提交。";

fn ask_body(text: &str, extra: Value) -> String {
    let mut body = json!({"text": text});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    body.to_string()
}

#[test]
fn ask_returns_exactly_what_ask_json_prints() {
    let server = Server::start(&[]);
    let cases: [(&str, Value, Vec<&str>); 6] = [
        ("驳回原因：域名所有人不正确", json!({}), vec![]),
        (NOTICE, json!({"top": 3}), vec!["--top", "3"]),
        ("推荐一款好用的机械键盘", json!({}), vec![]),
        (
            "网站换了云服务商,原来的备案号还能用吗",
            json!({"lang": "en"}),
            vec!["--lang", "en"],
        ),
        (
            "how long does the bureau review take",
            json!({"lang": "zh", "top": 1}),
            vec!["--lang", "zh", "--top", "1"],
        ),
        (
            "备案审核期间网站能访问吗",
            json!({"lang": "auto", "top": null}),
            vec![],
        ),
    ];
    for (text, extra, flags) in cases {
        let reply = server.post_json("/v1/ask", &ask_body(text, extra));
        assert_eq!(reply.status, 200, "{}", reply.text());
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let mut args: Vec<&str> = flags.clone();
        args.insert(0, "ask");
        args.extend(["--json", text]);
        if let Some(at) = args.iter().position(|a| *a == "--lang") {
            // --lang is a global option: it goes before the command, where users write it.
            let lang = args.remove(at + 1);
            args.remove(at);
            args.splice(0..0, ["--lang", lang]);
        }
        let cli = run(&args);
        assert_eq!(reply.text(), cli.stdout, "{text} {flags:?}");
    }
}

#[test]
fn a_requests_lang_means_what_the_command_lines_lang_means() {
    // auto answers in the question's language; no lang is the server's --lang.
    let question = "my ICP filing was rejected because the site name is not allowed";
    let cli = |flags: &[&str]| {
        let mut args = flags.to_vec();
        args.extend(["ask", "--json", question]);
        run(&args).stdout
    };
    let server = Server::start(&[]);
    let auto = server.post_json("/v1/ask", &ask_body(question, json!({"lang": "auto"})));
    assert_eq!(auto.text(), cli(&["--lang", "auto"]));
    assert_eq!(
        auto.json()["lang"],
        "en",
        "an English question, answered in English"
    );
    let unnamed = server.post_json("/v1/ask", &ask_body(question, json!({})));
    assert_eq!(
        unnamed.text(),
        auto.text(),
        "the server's --lang is auto by default"
    );
    let zh = server.post_json("/v1/ask", &ask_body(question, json!({"lang": "zh"})));
    assert_eq!(zh.text(), cli(&["--lang", "zh"]));
    assert_eq!(zh.json()["lang"], "zh");

    let chinese_server = Server::start(&["--lang", "zh"]);
    let unnamed = chinese_server.post_json("/v1/ask", &ask_body(question, json!({})));
    assert_eq!(
        unnamed.text(),
        cli(&["--lang", "zh"]),
        "no lang: the server's --lang"
    );
    let auto = chinese_server.post_json("/v1/ask", &ask_body(question, json!({"lang": "auto"})));
    assert_eq!(
        auto.text(),
        cli(&["--lang", "auto"]),
        "auto: the question's language"
    );
}

#[test]
fn a_two_reason_notice_gets_an_answer_for_each_reason() {
    let server = Server::start(&[]);
    let answer = server
        .post_json("/v1/ask", &ask_body(NOTICE, json!({})))
        .json();
    assert_eq!(answer["status"], "match");
    let ids: Vec<&str> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"rejection/site-name-invalid"), "{ids:?}");
    assert!(ids.contains(&"rejection/address-incomplete"), "{ids:?}");
}

#[test]
fn bad_ask_requests_get_json_errors_with_their_status() {
    let server = Server::start(&[]);
    let json_type = [("Content-Type", "application/json")];
    let cases: Vec<(Reply, u16, &str)> = vec![
        (
            server.post_json("/v1/ask", "{\"text\": "),
            400,
            "not valid JSON",
        ),
        (server.post_json("/v1/ask", "[1, 2]"), 400, "JSON object"),
        (
            server.post_json("/v1/ask", "{\"text\": 12381}"),
            400,
            "must be a string",
        ),
        (
            server.post_json("/v1/ask", "{\"text\": \"\"}"),
            400,
            "empty",
        ),
        (
            server.post_json("/v1/ask", "{\"text\": \"？？ ...\"}"),
            400,
            "empty",
        ),
        (
            server.post_json("/v1/ask", "{\"text\": \"a\\u0000\"}"),
            400,
            "NUL",
        ),
        (
            server.post_json("/v1/ask", "{\"text\": \"备案\", \"top\": 0}"),
            400,
            "1 to 100",
        ),
        (
            server.post_json("/v1/ask", "{\"text\": \"备案\", \"top\": 2.5}"),
            400,
            "1 to 100",
        ),
        (
            server.post_json("/v1/ask", "{\"text\": \"备案\", \"lang\": \"fr\"}"),
            400,
            "\"lang\"",
        ),
        (
            server.post_json("/v1/ask", "{\"question\": \"备案\"}"),
            400,
            "unknown field \"question\"",
        ),
        (
            server.request(
                "POST",
                "/v1/ask",
                &json_type,
                Some(b"{\"text\": \"\xe5\xa4\x87\xff\"}"),
            ),
            400,
            "not valid UTF-8",
        ),
        (
            server.request(
                "POST",
                "/v1/ask",
                &[("Content-Type", "text/plain")],
                Some(b"{\"text\": \"x\"}"),
            ),
            415,
            "send application/json",
        ),
        (
            server.request("POST", "/v1/ask", &[], Some(b"{\"text\": \"x\"}")),
            415,
            "no Content-Type",
        ),
        (server.get("/v1/ask"), 405, "does not take GET"),
        (server.get("/v2/ask"), 404, "nothing at GET /v2/ask"),
    ];
    for (reply, status, needle) in cases {
        assert_eq!(reply.status, status, "{}", reply.text());
        let error = reply.error();
        assert!(
            error.contains(needle),
            "{status}: {error:?} lacks {needle:?}"
        );
    }
}

#[test]
fn a_body_over_64_kib_is_413_whether_its_length_is_declared_or_not() {
    let server = Server::start(&[]);
    let text = "备案".repeat(1024 * 1024 / 6);
    let body = ask_body(&text, json!({}));
    assert!(body.len() > 1_000_000);
    let declared = server.post_json("/v1/ask", &body);
    assert_eq!(declared.status, 413);
    assert!(declared.error().contains("64 KiB"));
    let pieces: Vec<&[u8]> = body.as_bytes().chunks(50_000).collect();
    let chunked = request_chunked(
        &server.addr,
        "POST",
        "/v1/ask",
        &[("Content-Type", "application/json")],
        &pieces,
    );
    assert_eq!(chunked.status, 413);
    assert!(chunked.error().contains("64 KiB"));
    // Just under the limit is answered (the advisor reads 64 KiB of a text).
    let near = ask_body(&"网站备案被退回".repeat(60_000 / 21), json!({"top": 1}));
    assert!(near.len() < 64 * 1024);
    assert_eq!(server.post_json("/v1/ask", &near).status, 200);
}

#[test]
fn entries_are_what_list_and_show_print() {
    let server = Server::start(&[]);
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    let all = server.get("/v1/entries");
    assert_eq!(all.status, 200);
    assert_eq!(all.json(), parse(&run(&["list", "--json"]).stdout));
    let rejections = server.get("/v1/entries?kind=rejection").json();
    assert_eq!(
        rejections,
        parse(&run(&["list", "--kind", "rejection", "--json"]).stdout)
    );
    assert!(rejections.as_array().unwrap().len() > 10);
    let one = server.get("/v1/entries/rejection/subject-mismatch");
    assert_eq!(one.status, 200);
    assert_eq!(
        one.json(),
        parse(&run(&["show", "--json", "rejection/subject-mismatch"]).stdout)
    );

    for lang in ["en", "zh"] {
        assert_eq!(
            server
                .get(&format!(
                    "/v1/entries/rejection/subject-mismatch?lang={lang}"
                ))
                .json(),
            parse(
                &run(&[
                    "--lang",
                    lang,
                    "show",
                    "--json",
                    "rejection/subject-mismatch"
                ])
                .stdout
            )
        );
        assert_eq!(
            server.get(&format!("/v1/entries?lang={lang}")).json(),
            parse(&run(&["--lang", lang, "list", "--json"]).stdout)
        );
    }

    let missing = server.get("/v1/entries/rejection/no-such-entry");
    assert_eq!(missing.status, 404);
    assert!(missing.error().contains("rejection/no-such-entry"));
    for (path, needle) in [
        ("/v1/entries?kind=reason", "unknown kind"),
        ("/v1/entries?sort=title", "unknown parameter \"sort\""),
        ("/v1/entries?lang=fr", "\"lang\""),
        ("/v1/entries/rejection/subject-mismatch?lang=fr", "\"lang\""),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 400, "{path}");
        assert!(reply.error().contains(needle), "{path}");
    }
    assert_eq!(server.get("/v1/entries/rejection").status, 404);
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The report without `file`, which names where the filing came from.
fn without_file(mut report: Value) -> Value {
    report.as_object_mut().unwrap().remove("file");
    report
}

#[test]
fn check_returns_the_check_json_report() {
    let server = Server::start(&[]);
    for name in ["filing-invalid.toml", "filing-valid.toml"] {
        let toml_text = example(name);
        let cli = run_with_stdin(&["check", "--json", "-"], Some(toml_text.as_bytes()));
        let expected = without_file(serde_json::from_str(&cli.stdout).unwrap());

        let as_toml = server.request(
            "POST",
            "/v1/check",
            &[("Content-Type", "application/toml")],
            Some(toml_text.as_bytes()),
        );
        assert_eq!(as_toml.status, 200, "{}", as_toml.text());
        assert_eq!(as_toml.json()["file"], "<request>");
        assert_eq!(without_file(as_toml.json()), expected, "{name}");

        let filing: toml::Value = toml::from_str(&toml_text).unwrap();
        let as_json = server.post_json("/v1/check", &serde_json::to_string(&filing).unwrap());
        assert_eq!(as_json.status, 200, "{}", as_json.text());
        assert_eq!(without_file(as_json.json()), expected, "{name}");
    }
    let invalid = server.post_json(
        "/v1/check",
        &serde_json::to_string(
            &toml::from_str::<toml::Value>(&example("filing-invalid.toml")).unwrap(),
        )
        .unwrap(),
    );
    assert_eq!(invalid.json()["status"], "error");

    let broken = server.post_json("/v1/check", "{\"filing_type\": ");
    assert_eq!(broken.status, 400);
    broken.error();
    let wrong = server.post_json("/v1/check", "{\"filing_type\": 5}");
    assert_eq!(wrong.status, 400, "{}", wrong.text());
    wrong.error();
    let plain = server.request(
        "POST",
        "/v1/check",
        &[("Content-Type", "text/plain")],
        Some(b"x"),
    );
    assert_eq!(plain.status, 415);
    assert!(plain.error().contains("application/toml"));
}

#[test]
fn version_and_health() {
    let server = Server::start(&[]);
    let health = server.get("/healthz");
    assert_eq!(
        (health.status, health.json()),
        (200, json!({"status": "ok"}))
    );
    let version = server.get("/v1/version").json();
    let line = run(&["--version"]).stdout;
    let expected = format!(
        "beian {} (knowledge base: {} entries, {}; ",
        version["version"].as_str().unwrap(),
        version["knowledge_base"]["entries"],
        version["knowledge_base"]["hash"].as_str().unwrap()
    );
    assert!(line.starts_with(&expected), "{line}");
}

#[test]
fn a_token_guards_every_endpoint_but_health_and_the_page() {
    for server in [
        Server::start(&["--token", "s3cret-token"]),
        Server::start_with(&[], &[("BEIAN_TOKEN", "s3cret-token")]),
    ] {
        assert!(server.log().contains("requests need the token"));
        let body = ask_body("备案被驳回了怎么办", json!({}));
        let json_type = ("Content-Type", "application/json");
        for (headers, status, needle) in [
            (vec![json_type], 401, "needs a token"),
            (
                vec![json_type, ("Authorization", "Bearer wrong-token!")],
                401,
                "wrong",
            ),
            (
                vec![json_type, ("Authorization", "Bearer s3cret-toke")],
                401,
                "wrong",
            ),
            (
                vec![json_type, ("Authorization", "Basic s3cret-token")],
                401,
                "needs a token",
            ),
            (
                vec![json_type, ("Authorization", "Bearer s3cret-token")],
                200,
                "",
            ),
            (
                vec![json_type, ("Authorization", "bearer s3cret-token")],
                200,
                "",
            ),
        ] {
            let reply = server.request("POST", "/v1/ask", &headers, Some(body.as_bytes()));
            assert_eq!(reply.status, status, "{headers:?}");
            if status == 401 {
                assert!(reply.error().contains(needle), "{headers:?}");
                assert_eq!(reply.header("www-authenticate"), Some("Bearer"));
            }
        }
        for path in [
            "/v1/version",
            "/v1/entries",
            "/v1/entries/rejection/subject-mismatch",
            "/nothing",
        ] {
            assert_eq!(server.get(path).status, 401, "{path}");
        }
        let triage = server.request(
            "POST",
            "/v1/triage",
            &[("Content-Type", "application/x-ndjson")],
            Some(b"{\"text\": \"x\"}\n"),
        );
        assert_eq!(triage.status, 401);
        assert_eq!(server.get("/healthz").status, 200);
        assert_eq!(server.get("/").status, 200);
    }
}

#[test]
fn listening_beyond_loopback_needs_a_token() {
    let refused = run(&["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(refused.code, Some(2));
    assert!(
        refused.stderr.contains("needs a token"),
        "{}",
        refused.stderr
    );
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    let empty = run(&["serve", "--token", ""]);
    assert_eq!(empty.code, Some(2));
    assert!(empty.stderr.contains("token is empty"), "{}", empty.stderr);
}

/// Sends all of a request but the last bytes of its body, so that it is held open.
fn start_slow_request(addr: &str, body: &str) -> TcpStream {
    let mut slow = TcpStream::connect(addr).unwrap();
    write!(
        slow,
        "POST /v1/ask HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..5]
    )
    .unwrap();
    slow
}

/// Whether the server has replied on (or closed) a connection, without waiting for it.
fn has_been_answered(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let peeked = stream.peek(&mut [0u8; 1]);
    stream.set_nonblocking(false).unwrap();
    peeked.is_ok()
}

#[test]
fn a_busy_server_refuses_with_503_and_a_slow_request_times_out() {
    let server = Server::start(&["--concurrency", "1", "--timeout", "1"]);
    let body = ask_body("备案被驳回了怎么办", json!({}));
    // A request whose body is still coming holds the one slot. On a loaded machine a probe can
    // reach the server first, take the slot and get the slow request turned away: then the slow
    // request is sent again, until a probe finds the server busy.
    let mut slow = start_slow_request(&server.addr, &body);
    let mut busy = server.post_json("/v1/ask", &body);
    for _ in 0..100 {
        if busy.status == 503 {
            break;
        }
        if has_been_answered(&slow) {
            slow = start_slow_request(&server.addr, &body);
        }
        thread::sleep(Duration::from_millis(10));
        busy = server.post_json("/v1/ask", &body);
    }
    assert_eq!(busy.status, 503);
    assert!(busy.error().contains("busy"));
    assert_eq!(busy.header("retry-after"), Some("1"));
    // The slow one is given up on after --timeout.
    let started = Instant::now();
    let timed_out = common::server::read_reply(&mut slow);
    assert_eq!(timed_out.status, 503);
    assert!(timed_out.error().contains("within 1 s"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(server.post_json("/v1/ask", &body).status, 200);
    // The health check is not held up by the limits.
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn cors_is_off_unless_an_origin_is_given() {
    let origin = ("Origin", "https://desk.example.com");
    let plain = Server::start(&[]);
    let reply = plain.request("GET", "/v1/version", &[origin], None);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("access-control-allow-origin"), None);

    let open = Server::start(&["--cors", "https://desk.example.com", "--token", "t0ken"]);
    let preflight = open.request(
        "OPTIONS",
        "/v1/ask",
        &[
            origin,
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type,authorization",
            ),
        ],
        None,
    );
    assert_eq!(preflight.status, 200, "a preflight carries no token");
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://desk.example.com")
    );
    let reply = open.request(
        "GET",
        "/v1/version",
        &[origin, ("Authorization", "Bearer t0ken")],
        None,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://desk.example.com")
    );
    let other = open.request(
        "GET",
        "/v1/version",
        &[
            ("Origin", "https://evil.example"),
            ("Authorization", "Bearer t0ken"),
        ],
        None,
    );
    // The allowed origin is named whoever asks: the browser compares it with its own.
    assert_eq!(
        other.header("access-control-allow-origin"),
        Some("https://desk.example.com")
    );

    let bad = run(&["serve", "--cors", "desk.example.com/"]);
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.contains("not an origin"), "{}", bad.stderr);
}

#[test]
fn the_page_is_one_self_contained_file() {
    let server = Server::start(&[]);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    let html = page.text();
    assert!(html.contains("<textarea"), "{html}");
    // Nothing from elsewhere: no address with a scheme, no external script, style or font.
    assert!(!html.contains("://"), "the page names an outside address");
    for tag in [
        "<script src",
        "<link rel=\"stylesheet",
        "@import",
        "url(",
        "<img",
    ] {
        assert!(!html.contains(tag), "{tag}");
    }
}

#[test]
fn each_request_is_one_log_line() {
    let server = Server::start(&[]);
    server.post_json("/v1/ask", &ask_body("备案被驳回了怎么办", json!({})));
    server.get("/nothing");
    let log = server.wait_for_log("GET /nothing 404");
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" /v1/ask ") || l.contains(" /nothing "))
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 5, "time method path status duration: {line}");
        assert!(
            fields[0].ends_with('Z') && fields[0].contains('T'),
            "{line}"
        );
        assert!(["200", "404"].contains(&fields[3]), "{line}");
        assert!(fields[4].ends_with("ms"), "{line}");
        fields[4].trim_end_matches("ms").parse::<f64>().unwrap();
    }
}

#[test]
fn a_kb_directory_is_served_beside_the_built_in_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("faq")).unwrap();
    std::fs::write(
        dir.path().join("faq/blue-whale.md"),
        r#"+++
id = "faq/blue-whale"
kind = "faq"
title = "蓝鲸机房的备案"
title_en = "Filing for the Blue Whale data centre"
aliases = ["蓝鲸机房"]
patterns = ["蓝鲸机房通知原文"]
related = []
sources = ["https://wiki.example.com/team-1"]
+++
蓝鲸机房是公司自有的接入点：先在内部工单系统登记，再按下面的步骤处理。

## 原因
- 蓝鲸机房是公司自有的接入点，外部接入商不了解它。

## 解决步骤
1. 在内部工单系统提交蓝鲸机房的接入申请。

## 下一步
- 等待值班同事一个工作日内回复。
"#,
    )
    .unwrap();
    let kb = dir.path().to_str().unwrap();
    let server = Server::start(&["--kb", kb]);
    let answer = server
        .post_json("/v1/ask", &ask_body("蓝鲸机房怎么备案", json!({"top": 1})))
        .json();
    assert_eq!(answer["results"][0]["id"], "faq/blue-whale");
    assert_eq!(
        server.get("/v1/entries/faq/blue-whale").json()["title"],
        "蓝鲸机房的备案"
    );
    let served = server.get("/v1/version").json();
    let built_in = Server::start(&[]).get("/v1/version").json();
    assert_eq!(
        served["knowledge_base"]["entries"].as_u64().unwrap(),
        built_in["knowledge_base"]["entries"].as_u64().unwrap() + 1
    );
    assert_ne!(
        served["knowledge_base"]["hash"],
        built_in["knowledge_base"]["hash"]
    );
    let cli = run(&[
        "--kb",
        kb,
        "ask",
        "--json",
        "--top",
        "1",
        "蓝鲸机房怎么备案",
    ]);
    let reply = server.post_json("/v1/ask", &ask_body("蓝鲸机房怎么备案", json!({"top": 1})));
    assert_eq!(reply.text(), cli.stdout);
}
