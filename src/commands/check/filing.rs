//! A planned filing as written in TOML or JSON (`beian check --template` shows every field), and
//! reading it with `file:line` errors. Shape errors, unknown values and unknown fields are caught
//! here; everything that breaks a filing rule is left to the rules.

use super::dates::{Expiry, FilingDate};
use super::region::Province;
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filing {
    pub filing_type: FilingType,
    /// The province whose bureau (管局) receives the filing.
    pub province: Province,
    pub subject: Subject,
    /// The cloud account the filing is submitted from.
    #[serde(default)]
    pub account: Option<Account>,
    #[serde(default)]
    pub server: Option<Server>,
    #[serde(default)]
    pub websites: Vec<Website>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum FilingType {
    #[serde(rename = "首次备案", alias = "新增备案", alias = "first-filing")]
    FirstFiling,
    #[serde(rename = "新增网站", alias = "新增互联网信息服务", alias = "new-site")]
    NewSite,
    #[serde(
        rename = "新增接入",
        alias = "接入备案",
        alias = "备案介入",
        alias = "转接入",
        alias = "new-access"
    )]
    NewAccess,
    #[serde(
        rename = "变更备案",
        alias = "变更主体",
        alias = "变更网站",
        alias = "变更接入",
        alias = "change"
    )]
    Change,
}

impl FilingType {
    pub fn as_str(self) -> &'static str {
        match self {
            FilingType::FirstFiling => "首次备案",
            FilingType::NewSite => "新增网站",
            FilingType::NewAccess => "新增接入",
            FilingType::Change => "变更备案",
        }
    }
}

impl fmt::Display for FilingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum SubjectKind {
    #[serde(rename = "个人", alias = "individual")]
    Individual,
    #[serde(
        rename = "企业",
        alias = "单位",
        alias = "事业单位",
        alias = "社会团体",
        alias = "民办非企业单位",
        alias = "organisation",
        alias = "organization",
        alias = "company"
    )]
    Organisation,
    /// State bodies may use reserved name prefixes (中国, 国家…).
    #[serde(
        rename = "政府机关",
        alias = "国家机关",
        alias = "机关",
        alias = "government"
    )]
    StateBody,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Individual => "个人",
            SubjectKind::Organisation => "企业/单位",
            SubjectKind::StateBody => "政府机关",
        }
    }

    pub fn as_str_en(self) -> &'static str {
        match self {
            SubjectKind::Individual => "individual",
            SubjectKind::Organisation => "organisation",
            SubjectKind::StateBody => "state body",
        }
    }
}

/// The kind of document a number belongs to; only the first two carry a check digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum DocumentType {
    #[serde(rename = "身份证", alias = "居民身份证", alias = "id-card")]
    IdCard,
    #[serde(
        rename = "统一社会信用代码",
        alias = "营业执照",
        alias = "uscc",
        alias = "business-licence",
        alias = "business-license"
    )]
    CreditCode,
    #[serde(rename = "护照", alias = "passport")]
    Passport,
    #[serde(
        rename = "港澳居民来往内地通行证",
        alias = "回乡证",
        alias = "hk-macao-permit"
    )]
    HkMacaoPermit,
    #[serde(
        rename = "台湾居民来往大陆通行证",
        alias = "台胞证",
        alias = "taiwan-permit"
    )]
    TaiwanPermit,
    #[serde(rename = "其他", alias = "other")]
    Other,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    #[serde(rename = "type")]
    pub kind: SubjectKind,
    /// The name on the ID card or the licence.
    pub name: String,
    /// Default: 身份证 for individuals, 统一社会信用代码 for organisations.
    #[serde(default)]
    pub id_type: Option<DocumentType>,
    pub id_number: String,
    /// The ID card's or licence's last valid day, or 长期.
    #[serde(default)]
    pub document_expiry: Option<Expiry>,
    /// 证件住所: the address on the ID card or licence.
    #[serde(default, alias = "license_address")]
    pub licence_address: Option<String>,
    /// 通信地址.
    pub mailing_address: String,
    /// The subject's filing number when it already has one (浙ICP备12345678号).
    #[serde(default)]
    pub filing_number: Option<String>,
    /// 法定代表人 of an organisation.
    #[serde(default)]
    pub legal_representative: Option<String>,
    /// 主体负责人.
    pub head: Person,
}

impl Subject {
    pub fn document(&self) -> DocumentType {
        self.id_type.unwrap_or(match self.kind {
            SubjectKind::Individual => DocumentType::IdCard,
            _ => DocumentType::CreditCode,
        })
    }
}

/// A responsible person: the subject's head (主体负责人) or a website's head (网站负责人).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    /// Default: 身份证.
    #[serde(default)]
    pub id_type: Option<DocumentType>,
    pub id_number: String,
    #[serde(default)]
    pub id_expiry: Option<Expiry>,
    pub mobile: String,
    #[serde(default)]
    pub email: Option<String>,
    /// 应急联系电话.
    #[serde(default)]
    pub emergency_phone: Option<String>,
}

impl Person {
    pub fn document(&self) -> DocumentType {
        self.id_type.unwrap_or(DocumentType::IdCard)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The name the cloud account is real-name verified under (实名认证主体).
    pub real_name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// The access provider (接入商): 阿里云, 腾讯云, 华为云…
    #[serde(default)]
    pub provider: Option<String>,
    /// Whether the server is in mainland China (not Hong Kong, Macao, Taiwan or abroad).
    pub mainland: bool,
    #[serde(default)]
    pub billing: Option<Billing>,
    /// The prepaid term bought, in months.
    #[serde(default)]
    pub term_months: Option<u32>,
    /// Days until the server expires.
    #[serde(default)]
    pub days_remaining: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Billing {
    #[serde(
        rename = "包年包月",
        alias = "预付费",
        alias = "prepaid",
        alias = "subscription"
    )]
    Prepaid,
    #[serde(
        rename = "按量付费",
        alias = "后付费",
        alias = "pay-as-you-go",
        alias = "postpaid"
    )]
    PayAsYouGo,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Website {
    pub name: String,
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// 网站备注: what the site is for and what it shows.
    #[serde(default)]
    pub description: Option<String>,
    /// 网站服务内容, as chosen in the form: 博客/个人空间, 单位门户网站…
    #[serde(default)]
    pub service_content: Option<String>,
    /// Categories the subject holds pre-approval (前置审批) documents for.
    #[serde(default)]
    pub pre_approvals: Vec<PreApproval>,
    /// 网站负责人 (互联网信息服务负责人).
    pub head: Person,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// The registered domain, without scheme or path: example.com.
    #[serde(deserialize_with = "domain_name")]
    pub name: String,
    /// 域名持有者, as in the registrar's real-name record.
    #[serde(default)]
    pub registrant: Option<String>,
    #[serde(default)]
    pub registrar: Option<String>,
    /// The day the domain's real-name verification (实名认证) passed.
    #[serde(default)]
    pub verified_on: Option<FilingDate>,
    /// The domain's registration expiry.
    #[serde(default)]
    pub expires_on: Option<FilingDate>,
}

/// A bare domain name: labels of letters, digits, hyphens or non-ASCII (IDN) characters.
fn domain_name<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    let name = text.trim().trim_end_matches('.').to_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |label: &&str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) || name.chars().any(char::is_whitespace) {
        return Err(serde::de::Error::custom(format!(
            "'{text}' is not a domain name; write the bare domain, e.g. example.com (no http://, no path)"
        )));
    }
    Ok(name)
}

/// Pre-approval categories of icp-facts.md reason 42 (Tencent's table, T12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum PreApproval {
    #[serde(rename = "新闻", alias = "news")]
    News,
    #[serde(rename = "出版", alias = "publishing")]
    Publishing,
    #[serde(rename = "药品和医疗器械", alias = "药品", alias = "drugs")]
    Drugs,
    #[serde(rename = "文化", alias = "culture")]
    Culture,
    #[serde(rename = "广播电影电视节目", alias = "视听", alias = "audio-visual")]
    AudioVisual,
    #[serde(rename = "网络预约车", alias = "网约车", alias = "ride-hailing")]
    RideHailing,
    #[serde(rename = "金融", alias = "finance")]
    Finance,
    #[serde(rename = "游戏", alias = "games")]
    Games,
    #[serde(rename = "教育", alias = "education")]
    Education,
    #[serde(rename = "医疗保健", alias = "healthcare")]
    Healthcare,
    #[serde(rename = "电子公告", alias = "论坛", alias = "bbs")]
    Bulletin,
}

/// A file that could not be read as a filing: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line; 0 when the position is unknown.
    pub line: usize,
    pub message: String,
}

/// The two syntaxes a filing may be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Toml,
    Json,
}

impl Syntax {
    /// By extension; otherwise JSON when the text starts with `{`.
    pub fn detect(path: &str, text: &str) -> Syntax {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Syntax::Json
        } else if lower.ends_with(".toml") {
            Syntax::Toml
        } else if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            Syntax::Json
        } else {
            Syntax::Toml
        }
    }
}

/// Reads a filing. The error says on which line the problem is.
pub fn parse(text: &str, syntax: Syntax) -> Result<Filing, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match syntax {
        Syntax::Toml => toml::from_str(text).map_err(|err| ParseError {
            line: err.span().map_or(0, |span| line_of(text, span.start)),
            message: one_line(err.message()),
        }),
        Syntax::Json => serde_json::from_str(text).map_err(|err| {
            let full = err.to_string();
            // serde_json appends " at line L column C"; the line is reported separately.
            let message = full
                .rfind(" at line ")
                .map_or(full.as_str(), |at| &full[..at]);
            ParseError {
                line: err.line(),
                message: one_line(message),
            }
        }),
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    let end = byte.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
filing_type = "首次备案"
province = "浙江"

[subject]
type = "个人"
name = "张三"
id_number = "330106199001010000"
mailing_address = "浙江省杭州市西湖区文三路1号"

[subject.head]
name = "张三"
id_number = "330106199001010000"
mobile = "13800000000"
"#;

    #[test]
    fn a_minimal_toml_filing_reads() {
        let filing = parse(MINIMAL, Syntax::Toml).unwrap();
        assert_eq!(filing.filing_type, FilingType::FirstFiling);
        assert_eq!(filing.province.name, "浙江");
        assert_eq!(filing.subject.document(), DocumentType::IdCard);
        assert!(filing.websites.is_empty());
    }

    #[test]
    fn toml_errors_carry_the_line_of_the_problem() {
        let typo = MINIMAL.replace("mobile =", "mobil =");
        let err = parse(&typo, Syntax::Toml).unwrap_err();
        assert_eq!(err.line, 14, "{err:?}");
        assert!(err.message.contains("mobil"), "{err:?}");

        let unknown = MINIMAL.replace("首次备案", "首备");
        let err = parse(&unknown, Syntax::Toml).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("首备") && err.message.contains("首次备案"),
            "{err:?}"
        );

        let province = MINIMAL.replace("\"浙江\"", "\"火星\"");
        assert_eq!(parse(&province, Syntax::Toml).unwrap_err().line, 3);
    }

    #[test]
    fn json_errors_carry_the_line_too() {
        let json = "{\n  \"filing_type\": \"新增网站\",\n  \"province\": 7\n}";
        let err = parse(json, Syntax::Json).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(!err.message.contains("at line"), "{err:?}");
    }

    #[test]
    fn syntax_follows_the_extension_then_the_first_character() {
        assert_eq!(Syntax::detect("a.JSON", "x"), Syntax::Json);
        assert_eq!(Syntax::detect("a.toml", "{"), Syntax::Toml);
        assert_eq!(Syntax::detect("-", "  {\"a\":1}"), Syntax::Json);
        assert_eq!(Syntax::detect("-", "a = 1"), Syntax::Toml);
    }
}
