//! What the rule tests share: generated numbers, two clean filings, and assertions on findings.

use beian::commands::check::{check, parse, Finding, Severity, Syntax};

/// The date every test checks as of (a Tuesday).
pub const TODAY: &str = "2026-03-10";

pub fn today() -> time::Date {
    time::Date::from_calendar_date(2026, time::Month::March, 10).unwrap()
}

/// GB 11643-1999: weights 2^(17-i) mod 11, check (12 - sum mod 11) mod 11, 10 written X.
pub fn make_id(body: &str) -> String {
    assert_eq!(body.len(), 17, "{body}");
    let sum: u64 = body
        .bytes()
        .enumerate()
        .map(|(i, d)| u64::from(d - b'0') * (2u64.pow(17 - i as u32) % 11))
        .sum();
    match (12 - sum % 11) % 11 {
        10 => format!("{body}X"),
        check => format!("{body}{check}"),
    }
}

/// GB 32100-2015: 31 characters, weights 3^i mod 31, check (31 - sum mod 31) mod 31.
pub fn make_uscc(body: &str) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let sum: usize = body
        .chars()
        .enumerate()
        .map(|(i, c)| ALPHABET.find(c).unwrap() * (3usize.pow(i as u32) % 31))
        .sum();
    format!(
        "{body}{}",
        ALPHABET.chars().nth((31 - sum % 31) % 31).unwrap()
    )
}

/// The same number with a wrong last character.
pub fn break_check(number: &str) -> String {
    let (body, last) = number.split_at(17);
    let wrong = if last == "0" { "1" } else { "0" };
    format!("{body}{wrong}")
}

/// A valid organisation filing in Zhejiang: no findings at all.
pub fn organisation() -> String {
    format!(
        r#"
filing_type = "首次备案"
province = "浙江"

[subject]
type = "企业"
name = "杭州测试网络有限公司"
id_number = "{uscc}"
document_expiry = "长期"
licence_address = "浙江省杭州市滨江区江南大道1号"
mailing_address = "浙江省杭州市滨江区江南大道1号2幢303室"
legal_representative = "赵一"

[subject.head]
name = "赵一"
id_number = "{head}"
id_expiry = "2036-01-01"
mobile = "13900000011"
email = "zhao@example.com"
emergency_phone = "0571-86000011"

[account]
real_name = "杭州测试网络有限公司"

[server]
provider = "阿里云"
mainland = true
billing = "包年包月"
term_months = 12
days_remaining = 200

[[websites]]
name = "测试网络公司门户"
description = "公司门户网站，介绍公司业务和联系方式。"
service_content = "单位门户网站"

[websites.head]
name = "钱二"
id_number = "{site}"
id_expiry = "2037-01-01"
mobile = "13900000012"
email = "qian@example.com"
emergency_phone = "0571-86000011"

[[websites.domains]]
name = "example.com"
registrant = "杭州测试网络有限公司"
registrar = "阿里云"
verified_on = "2026-01-05"
expires_on = "2030-01-05"
"#,
        uscc = make_uscc("91330108MA2C00001"),
        head = make_id("33010819800101001"),
        site = make_id("33010819900202002"),
    )
}

/// A valid individual filing in Zhejiang: no findings at all.
pub fn individual() -> String {
    let id = make_id("33010619950505003");
    format!(
        r#"
filing_type = "首次备案"
province = "浙江"

[subject]
type = "个人"
name = "孙三"
id_number = "{id}"
document_expiry = "2035-05-05"
licence_address = "浙江省杭州市西湖区文一路2号"
mailing_address = "浙江省杭州市西湖区文一路2号3单元101室"

[subject.head]
name = "孙三"
id_number = "{id}"
id_expiry = "2035-05-05"
mobile = "13900000021"
email = "sun@example.com"
emergency_phone = "13900000022"

[account]
real_name = "孙三"

[server]
provider = "腾讯云"
mainland = true
billing = "包年包月"
term_months = 12
days_remaining = 300

[[websites]]
name = "孙三的读书笔记"
description = "网站主要用于记录个人读书心得，以文字和少量图片展示，不涉及经营内容。"
service_content = "个人空间"

[websites.head]
name = "孙三"
id_number = "{id}"
id_expiry = "2035-05-05"
mobile = "13900000021"
email = "sun@example.com"
emergency_phone = "13900000022"

[[websites.domains]]
name = "example.cn"
registrant = "孙三"
registrar = "阿里云"
verified_on = "2026-01-05"
expires_on = "2030-01-05"
"#
    )
}

/// Replaces every `old` (which must occur) with `new`.
pub fn with(text: &str, old: &str, new: &str) -> String {
    assert!(text.contains(old), "the filing has no {old:?}");
    text.replace(old, new)
}

pub fn findings(text: &str) -> Vec<Finding> {
    let filing = parse(text, Syntax::Toml).unwrap_or_else(|err| panic!("{err:?}\n{text}"));
    check(&filing, today()).findings
}

/// Asserts a finding of `rule` with this severity, entry and field exists; returns it.
#[track_caller]
pub fn fires(
    found: &[Finding],
    rule: &str,
    severity: Severity,
    entry: &str,
    field: &str,
) -> Finding {
    found
        .iter()
        .find(|f| f.rule == rule && f.severity == severity && f.entry == entry && f.field == field)
        .cloned()
        .unwrap_or_else(|| panic!("no {severity:?} {rule} → {entry} at {field}; got:\n{found:#?}"))
}

#[track_caller]
pub fn quiet(found: &[Finding], rule: &str) {
    let hits: Vec<_> = found.iter().filter(|f| f.rule == rule).collect();
    assert!(hits.is_empty(), "{rule} fired: {hits:#?}");
}
