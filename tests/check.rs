//! `beian check`: every rule firing and not firing (through the library), and the CLI contract
//! (through the binary): examples, template, JSON, exit codes, `file:line` errors.
//!
//! ID numbers and credit codes are generated here with the check-digit algorithms, written
//! independently of the code under test; none is a real person's number.

#[path = "check/contact_server_rules.rs"]
mod contact_server_rules;
#[path = "check/subject_rules.rs"]
mod subject_rules;
#[path = "check/support.rs"]
mod support;
#[path = "check/website_rules.rs"]
mod website_rules;

mod common;
use common::beian;
use std::collections::BTreeSet;
use support::{findings, individual, organisation, TODAY};

#[test]
fn the_base_filings_are_clean() {
    assert_eq!(findings(&organisation()), vec![]);
    assert_eq!(findings(&individual()), vec![]);
}

// ---- The binary: the CLI contract ----

fn json_of(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(output)))
}

#[test]
fn the_valid_example_passes() {
    // As of the real date (the example's dates are years away) and as of the tests' date.
    beian()
        .args(["check", "examples/filing-valid.toml"])
        .assert()
        .success();
    beian()
        .args(["check", "--today", TODAY, "examples/filing-valid.toml"])
        .assert()
        .success()
        .stdout(predicates::str::contains("没有发现问题"));
    let out = beian()
        .args([
            "check",
            "--json",
            "--today",
            TODAY,
            "examples/filing-valid.toml",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json = json_of(&out);
    assert_eq!(json["status"], "ok");
    assert_eq!(json["findings"].as_array().unwrap().len(), 0, "{json}");
}

#[test]
fn the_invalid_example_reports_every_planted_problem() {
    let out = beian()
        .args([
            "check",
            "--json",
            "--today",
            TODAY,
            "examples/filing-invalid.toml",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json = json_of(&out);
    assert_eq!(json["status"], "error");
    assert_eq!(json["filing_type"], "首次备案");
    let found: BTreeSet<(String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            for key in [
                "rule",
                "severity",
                "field",
                "message",
                "message_en",
                "entry",
            ] {
                assert!(f[key].is_string(), "{key} missing in {f}");
            }
            (
                f["rule"].as_str().unwrap().into(),
                f["field"].as_str().unwrap().into(),
                f["entry"].as_str().unwrap().into(),
            )
        })
        .collect();
    let planted = [
        ("filing-type", "filing_type", "rejection/already-filed"),
        (
            "id-check-digit",
            "subject.id_number",
            "rejection/document-invalid",
        ),
        (
            "document-expiry",
            "subject.document_expiry",
            "rejection/document-expired",
        ),
        (
            "address-detail",
            "subject.mailing_address",
            "rejection/address-incomplete",
        ),
        ("cross-province", "province", "rejection/cross-province"),
        (
            "emergency-phone",
            "subject.head.emergency_phone",
            "rejection/phone-ownership",
        ),
        (
            "contacts-distinct",
            "websites[0].head.mobile",
            "rejection/phone-ownership",
        ),
        (
            "subject-mismatch",
            "account.real_name",
            "rejection/subject-mismatch",
        ),
        (
            "site-name",
            "websites[0].name",
            "rejection/site-name-invalid",
        ),
        (
            "multiple-domains",
            "websites[0].domains",
            "rejection/multiple-domains",
        ),
        (
            "site-description",
            "websites[0].description",
            "rejection/site-remark-insufficient",
        ),
        (
            "personal-site-content",
            "websites[0].description",
            "rejection/personal-site-commercial",
        ),
        (
            "pre-approval",
            "websites[0]",
            "rejection/pre-approval-missing",
        ),
        (
            "subject-mismatch",
            "websites[0].domains[1].registrant",
            "rejection/subject-mismatch",
        ),
        (
            "domain-validity",
            "websites[0].domains[1].expires_on",
            "rejection/domain-status-abnormal",
        ),
        (
            "registrar",
            "websites[0].domains[1].registrar",
            "rejection/registrar-not-approved",
        ),
        (
            "domain-verification",
            "websites[0].domains[2].verified_on",
            "rejection/domain-not-verified",
        ),
        (
            "server-resource",
            "server.billing",
            "rejection/resource-unsuitable",
        ),
        (
            "server-resource",
            "server.days_remaining",
            "rejection/resource-unsuitable",
        ),
    ];
    for (rule, field, entry) in planted {
        assert!(
            found.contains(&(rule.to_string(), field.to_string(), entry.to_string())),
            "missing {rule} at {field} → {entry}; found {found:#?}"
        );
    }
    // The ones the example's comment lists are all there, and every entry exists.
    for (_, _, entry) in &found {
        beian().args(["show", entry]).assert().success();
    }
}

#[test]
fn text_output_groups_by_severity_and_names_entries() {
    let assert = beian()
        .args(["check", "--today", TODAY, "examples/filing-invalid.toml"])
        .assert()
        .code(1);
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let errors = text.find("错误 ").expect("an error group");
    let warnings = text.find("警告 ").expect("a warning group");
    assert!(errors < warnings, "{text}");
    assert!(
        text.contains("→ rejection/multiple-domains  一个网站填报了多个域名"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no colour when not a terminal");

    let english = beian()
        .args([
            "check",
            "--lang",
            "en",
            "--today",
            TODAY,
            "examples/filing-invalid.toml",
        ])
        .assert()
        .code(1);
    let english = String::from_utf8(english.get_output().stdout.clone()).unwrap();
    assert!(
        english.contains("Errors: ") && english.contains("lists 3 domains"),
        "{english}"
    );
}

#[test]
fn the_template_is_a_passing_filing_and_json_works_too() {
    let template = beian()
        .args(["check", "--template"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(template).unwrap();
    assert!(
        text.starts_with('#') && text.contains("filing_type"),
        "{text}"
    );
    beian()
        .args(["check", "--today", TODAY, "-"])
        .write_stdin(text.clone())
        .assert()
        .success();

    // The same filing written as JSON.
    let value: toml::Value = toml::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filing.json");
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    beian()
        .args(["check", "--today", TODAY])
        .arg(&path)
        .assert()
        .success();
    let broken = text.replace(
        "name = \"example.com\"",
        "name = \"example.com\"\nname = \"example.org\"",
    );
    std::fs::write(dir.path().join("dup.toml"), broken).unwrap();
    beian()
        .args(["check", "--today", TODAY])
        .arg(dir.path().join("dup.toml"))
        .assert()
        .code(2);
}

#[test]
fn unreadable_files_exit_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 5] = [
        ("syntax.toml", b"filing_type = \"\xe9\xa6\x96\xe6\xac\xa1\xe5\xa4\x87\xe6\xa1\x88\"\nprovince = [\n", "syntax.toml:2:"),
        ("value.toml", "filing_type = \"首次备案\"\nprovince = \"火星\"\n".as_bytes(), "value.toml:2: unknown province"),
        ("field.json", b"{\n  \"filing_type\": \"\xe9\xa6\x96\xe6\xac\xa1\xe5\xa4\x87\xe6\xa1\x88\",\n  \"provinc\": \"x\"\n}", "field.json:3: unknown field `provinc`"),
        ("latin1.toml", b"filing_type = 1\n# caf\xe9\n", "latin1.toml:2: not valid UTF-8"),
        ("missing.toml", b"", ""),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        if name != "missing.toml" {
            std::fs::write(&path, bytes).unwrap();
        }
        let assert = beian().arg("check").arg(&path).assert().code(2);
        let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.starts_with("beian: error: "), "{stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        if name == "missing.toml" {
            assert!(stderr.contains("missing.toml: cannot read"), "{stderr}");
        }
    }
    beian()
        .args([
            "check",
            "--today",
            "2026-02-30",
            "examples/filing-valid.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--today"));
}

#[test]
fn help_shows_an_example_and_the_exit_codes() {
    beian()
        .args(["check", "--help"])
        .assert()
        .success()
        .stdout(predicates::str::contains("beian check filing.toml"))
        .stdout(predicates::str::contains("Exit status"));
    beian().arg("check").assert().code(2);
}
