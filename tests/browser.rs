//! The page of `beian serve` in a real headless Chromium, driven over the DevTools protocol: paste a
//! notice with two reasons, press Ctrl+Enter, get a card per reason and a reply draft that names
//! both fixes; switch to English; read it at phone width; triage a CSV upload. Screenshots go to
//! the build's scratch directory (target/tmp/serve-page-*.png).
//!
//! Needs Debian's `chromium` (`.ci/run` installs it when missing); without it the test says so and
//! passes without running, except under CI (`CI` set), where it fails: there it must really run.

mod common;

use common::server::{request, Server};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

const NOTICE: &str = "您好，您的备案订单被退回。\n1. 网站名称不符合规范；\n2. 通信地址不详细，请填写到门牌号。\n请修改后重新提交。";

/// A question in English: under auto it is answered in English.
const ENGLISH_QUESTION: &str = "my ICP filing was rejected because the site name is not allowed";

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    assert!(
        found.is_some() || std::env::var_os("CI").is_none(),
        "no chromium on PATH under CI: the browser test must run there (.ci/run installs Debian's chromium)"
    );
    found
}

/// A headless Chromium on a fresh profile, ended when dropped.
struct Browser {
    child: Child,
    /// `127.0.0.1:PORT` of its DevTools endpoint.
    devtools: String,
    /// The browser's own DevTools connection (`ws://…/devtools/browser/…`).
    browser_url: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1280,1000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium starts");
        let stderr = child.stderr.take().unwrap();
        let (found, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("ws://") {
                    let _ = found.send(line[at..].trim().to_string());
                }
            }
        });
        let browser_url = address
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium prints its DevTools address");
        let devtools = browser_url["ws://".len()..]
            .split('/')
            .next()
            .unwrap()
            .to_string();
        Browser {
            child,
            devtools,
            browser_url,
            _profile: profile,
        }
    }

    /// The browser-wide DevTools connection (downloads, for one).
    fn session(&self) -> Page {
        connect(&self.browser_url)
    }

    /// The DevTools connection of the page the browser opened.
    fn page(&self) -> Page {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let list = request(&self.devtools, "GET", "/json/list", &[], None);
            if list.status == 200 {
                let targets = list.json();
                if let Some(page) = targets
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["type"] == "page")
                {
                    return connect(page["webSocketDebuggerUrl"].as_str().unwrap());
                }
            }
            assert!(Instant::now() < deadline, "no page target: {}", list.text());
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn connect(url: &str) -> Page {
    let (socket, _) = tungstenite::connect(url).expect("DevTools accepts");
    if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
    }
    Page {
        socket,
        next_id: 0,
        problems: Vec::new(),
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // SIGTERM lets Chromium end its helper processes; SIGKILL if it does not go.
        // SAFETY: kill(2) on our own child, not yet waited for.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page over the DevTools protocol.
struct Page {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Script exceptions and console errors seen so far.
    problems: Vec<String>,
}

impl Page {
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        self.socket.send(Message::text(message)).unwrap();
        loop {
            let Message::Text(text) = self.socket.read().expect("DevTools answers") else {
                continue;
            };
            let reply: Value = serde_json::from_str(&text).unwrap();
            match reply["method"].as_str() {
                Some("Runtime.exceptionThrown") => self
                    .problems
                    .push(reply["params"]["exceptionDetails"].to_string()),
                Some("Log.entryAdded") if reply["params"]["entry"]["level"] == "error" => self
                    .problems
                    .push(reply["params"]["entry"]["text"].to_string()),
                _ => {}
            }
            if reply["id"] == id {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
        }
    }

    /// The value of a script expression (JSON-serializable).
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true.
    fn wait_for(&mut self, expression: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.eval(expression) != Value::Bool(true) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {expression}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A real mouse click in the middle of the element `selector` selects.
    fn click(&mut self, selector: &str) {
        let rect = self.eval(&format!(
            "(() => {{ const r = document.querySelector({selector:?}).getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        let (x, y) = (rect[0].as_f64().unwrap(), rect[1].as_f64().unwrap());
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }

    fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// The whole page as a PNG file.
    fn screenshot(&mut self, name: &str) -> PathBuf {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true,
                   "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}}),
        );
        let png = base64_decode(shot["data"].as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        std::fs::write(&path, png).unwrap();
        path
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for group in digits.chunks(4) {
        let bits = group
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &d)| acc | u32::from(d) << (18 - 6 * i));
        out.extend_from_slice(&bits.to_be_bytes()[1..group.len()]);
    }
    out
}

#[test]
fn base64_decodes_what_chromium_sends() {
    assert_eq!(base64_decode("iVBORw0KGgo="), b"\x89PNG\r\n\x1a\n");
    assert_eq!(base64_decode("YWJj"), b"abc");
    assert_eq!(base64_decode("YQ=="), b"a");
}

#[test]
fn an_agent_pastes_a_notice_and_gets_a_card_per_reason_and_a_reply() {
    let Some(binary) = chromium() else {
        eprintln!(
            "SKIPPED tests/browser.rs: no chromium on PATH; install Debian's chromium (apt-get install -y chromium), as .ci/run does"
        );
        return;
    };
    let server = Server::start(&[]);
    let browser = Browser::start(&binary);
    let mut page = browser.page();
    for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
        page.call(domain, json!({}));
    }
    page.viewport(1280, 1000, false);
    page.call(
        "Page.navigate",
        json!({"url": format!("http://{}/", server.addr)}),
    );
    page.wait_for("document.readyState === 'complete' && !!document.getElementById('question') && document.getElementById('footer').textContent.includes('beian')");

    // Paste the notice and ask with the keyboard.
    page.eval("document.getElementById('question').focus()");
    page.call("Input.insertText", json!({"text": NOTICE}));
    for kind in ["keyDown", "keyUp"] {
        page.call(
            "Input.dispatchKeyEvent",
            json!({"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "modifiers": 2}),
        );
    }
    page.wait_for("document.querySelectorAll('#answers .card.answer').length > 0");
    assert_eq!(
        page.eval("document.getElementById('question').value"),
        NOTICE,
        "Ctrl+Enter asks; it adds no line"
    );
    let cards = page.eval("[...document.querySelectorAll('#answers .card.answer')].map(c => [c.dataset.id, c.querySelector('h3').textContent])");
    let mut ids: Vec<&str> = cards
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "rejection/address-incomplete",
            "rejection/site-name-invalid"
        ],
        "one card per reason"
    );
    let entries: Vec<Value> = ids
        .iter()
        .map(|id| server.get(&format!("/v1/entries/{id}")).json())
        .collect();
    let draft = page.eval("document.getElementById('reply').value");
    let draft = draft.as_str().unwrap();
    assert!(draft.starts_with("您好"), "{draft}");
    for entry in &entries {
        assert!(draft.contains(entry["title"].as_str().unwrap()), "{draft}");
        for step in entry["remediation"].as_array().unwrap() {
            assert!(
                draft.contains(step.as_str().unwrap()),
                "the draft lacks {step}: {draft}"
            );
        }
    }
    let shot = page.screenshot("serve-page-zh.png");
    eprintln!("screenshot: {}", shot.display());

    // The copy button puts the draft on the clipboard (or says it cannot).
    page.click("#copy");
    page.wait_for("document.getElementById('copy-status').textContent.length > 0");

    // Switch to English with the mouse: the same notice is asked again, the page speaks English.
    page.click("label:has(#lang-en)");
    page.wait_for("document.documentElement.lang === 'en' && document.getElementById('reply').value.startsWith('Hello,')");
    let titles = page.eval(
        "[...document.querySelectorAll('#answers .card.answer h3')].map(h => h.textContent).sort()",
    );
    let mut english: Vec<&str> = entries
        .iter()
        .map(|e| e["title_en"].as_str().unwrap())
        .collect();
    english.sort_unstable();
    assert_eq!(titles, json!(english));
    assert_eq!(
        page.eval("document.getElementById('ask').textContent"),
        "Answer"
    );
    // The English draft names both fixes too, in English.
    let draft = page.eval("document.getElementById('reply').value");
    let draft = draft.as_str().unwrap();
    for id in &ids {
        let entry = server.get(&format!("/v1/entries/{id}?lang=en")).json();
        for step in entry["remediation"].as_array().unwrap() {
            assert!(
                draft.contains(step.as_str().unwrap()),
                "the English draft lacks {step}: {draft}"
            );
        }
    }
    let shot = page.screenshot("serve-page-en.png");
    eprintln!("screenshot: {}", shot.display());

    // Auto, as `--lang auto`: the page's labels are Chinese, and an English question gets English
    // cards and an English draft.
    page.click("label:has(#lang-auto)");
    page.wait_for("document.documentElement.lang === 'zh' && document.getElementById('reply').value.startsWith('您好')");
    page.eval(&format!(
        "document.getElementById('question').value = {}",
        json!(ENGLISH_QUESTION)
    ));
    page.click("#ask");
    page.wait_for("document.getElementById('reply').value.startsWith('Hello,')");
    assert_eq!(
        page.eval("document.getElementById('ask').textContent"),
        "解答"
    );
    let answer = server
        .post_json(
            "/v1/ask",
            &json!({"text": ENGLISH_QUESTION, "lang": "auto"}).to_string(),
        )
        .json();
    assert_eq!(answer["lang"], "en");
    let first = page.eval("document.querySelector('#answers .card.answer h3').textContent");
    assert_eq!(first, answer["results"][0]["title_en"]);
    let shot = page.screenshot("serve-page-auto-en.png");
    eprintln!("screenshot: {}", shot.display());

    // A phone-width window: nothing wider than the screen.
    page.viewport(390, 844, true);
    page.wait_for("window.innerWidth === 390");
    assert_eq!(
        page.eval("document.documentElement.scrollWidth <= window.innerWidth"),
        true,
        "the page scrolls sideways at phone width"
    );
    let shot = page.screenshot("serve-page-phone.png");
    eprintln!("screenshot: {}", shot.display());
    assert!(page.problems.is_empty(), "{:?}", page.problems);
}

#[test]
fn an_agent_triages_a_csv_queue_on_the_page() {
    let Some(binary) = chromium() else {
        eprintln!("SKIPPED tests/browser.rs: no chromium on PATH (apt-get install -y chromium)");
        return;
    };
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("queue.csv");
    std::fs::write(
        &csv,
        "id,channel,text\nT-1,mail,域名所有人不正确\nT-2,chat,\"网站名称不符合规范, 请修改\"\nT-3,mail,\"两行\n通信地址不详细\"\nT-4,chat,推荐一款机械键盘\nT-5,mail,域名所有人不正确怎么办\n",
    )
    .unwrap();
    let browser = Browser::start(&binary);
    let mut page = browser.page();
    for domain in ["Page.enable", "Runtime.enable", "Log.enable", "DOM.enable"] {
        page.call(domain, json!({}));
    }
    page.viewport(1280, 1000, false);
    page.call(
        "Page.navigate",
        json!({"url": format!("http://{}/", server.addr)}),
    );
    page.wait_for("document.readyState === 'complete' && !!document.getElementById('triage-file')");
    let document = page.call("DOM.getDocument", json!({}));
    let input = page.call(
        "DOM.querySelector",
        json!({"nodeId": document["root"]["nodeId"], "selector": "#triage-file"}),
    );
    page.call(
        "DOM.setFileInputFiles",
        json!({"nodeId": input["nodeId"], "files": [csv.to_str().unwrap()]}),
    );
    page.click("#triage-start");
    page.wait_for("!document.getElementById('triage-counts').hidden");
    let progress = page.eval("[document.getElementById('triage-progress').value, document.getElementById('triage-progress').max]");
    assert_eq!(progress, json!([5, 5]));
    let rows = page.eval("[...document.querySelectorAll('#triage-counts tbody tr')].map(r => [...r.cells].map(c => c.textContent))");
    let rows = rows.as_array().unwrap();
    let count_of = |id: &str| {
        rows.iter()
            .find(|r| r[0] == id)
            .map(|r| r[2].as_str().unwrap().to_string())
    };
    assert_eq!(
        count_of("rejection/subject-mismatch").as_deref(),
        Some("2"),
        "{rows:?}"
    );
    assert_eq!(
        count_of("rejection/site-name-invalid").as_deref(),
        Some("1"),
        "{rows:?}"
    );
    assert_eq!(
        count_of("rejection/address-incomplete").as_deref(),
        Some("1"),
        "{rows:?}"
    );
    let link = page.eval("[document.getElementById('triage-download').download, document.getElementById('triage-download').href.startsWith('blob:')]");
    assert_eq!(link, json!(["queue.labelled.csv", true]));
    // Download the labelled file as the agent would: it is what `beian triage --format csv` writes.
    let downloads = tempfile::tempdir().unwrap();
    // Kept open: the setting lasts as long as the connection that made it.
    let mut session = browser.session();
    session.call(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.path().to_str().unwrap()}),
    );
    page.click("#triage-download");
    let saved = downloads.path().join("queue.labelled.csv");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !saved.is_file() {
        assert!(Instant::now() < deadline, "no download");
        std::thread::sleep(Duration::from_millis(50));
    }
    let labelled = std::fs::read_to_string(&saved).unwrap();
    let tickets = concat!(
        r#"{"id":"T-1","text":"域名所有人不正确"}"#,
        "\n",
        r#"{"id":"T-2","text":"网站名称不符合规范, 请修改"}"#,
        "\n",
        r#"{"id":"T-3","text":"两行\n通信地址不详细"}"#,
        "\n",
        r#"{"id":"T-4","text":"推荐一款机械键盘"}"#,
        "\n",
        r#"{"id":"T-5","text":"域名所有人不正确怎么办"}"#,
        "\n",
    );
    let cli = common::run_with_stdin(&["triage", "--format", "csv"], Some(tickets.as_bytes()));
    assert_eq!(labelled, cli.stdout);
    let shot = page.screenshot("serve-page-triage.png");
    eprintln!("screenshot: {}", shot.display());
    assert!(page.problems.is_empty(), "{:?}", page.problems);
}
