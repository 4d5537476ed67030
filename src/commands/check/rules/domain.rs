//! Rules about each domain: its real-name verification has reached MIIT, it stays valid through
//! the review, and its suffix and registrar can be filed.

use super::{Context, Findings};
use crate::commands::check::dates::{add_months, days_between, working_days_between, FilingDate};
use crate::commands::check::entries::*;
use crate::commands::check::filing::{Domain, FilingType};
use crate::commands::check::Severity::{Error, Info, Warning};
use time::Date;

pub(super) fn check(ctx: &Context<'_>, out: &mut Findings) {
    for (i, site) in ctx.filing.websites.iter().enumerate() {
        for (j, domain) in site.domains.iter().enumerate() {
            let field = format!("websites[{i}].domains[{j}]");
            verification_has_synced(ctx, &field, domain, out);
            stays_valid(ctx, &field, domain, out);
            suffix_is_approved(&field, domain, out);
            registrar_is_approved(&field, domain, out);
        }
    }
}

/// Working days a fresh real-name verification needs to reach the MIIT database.
const SYNC_WORKING_DAYS: i64 = 3;

/// Real-name data takes about three working days to reach MIIT; submitted earlier, the domain is
/// "未入库" and returned. Source: reason 28 and §5.1 [T11, Q4, H4, H7, H1, X4, X11]: Tencent 3
/// working days, Huawei 3–5.
fn verification_has_synced(ctx: &Context<'_>, field: &str, domain: &Domain, out: &mut Findings) {
    const RULE: &str = "domain-verification";
    let field = format!("{field}.verified_on");
    let Some(FilingDate(verified)) = domain.verified_on else {
        out.finding(RULE, Warning, DOMAIN_NOT_VERIFIED)
            .at(field)
            .says(
                format!("没有填写域名 {} 的实名认证日期：域名须先完成实名认证，且认证后至少等 3 个工作日再提交备案。", domain.name),
                format!("No real-name verification date for {}: the domain must be verified, at least 3 working days before you file.", domain.name),
            );
        return;
    };
    let elapsed = working_days_between(verified, ctx.today);
    if verified > ctx.today || elapsed < SYNC_WORKING_DAYS {
        let earliest = FilingDate(earliest_submission(verified.max(ctx.today), verified));
        out.finding(RULE, Error, DOMAIN_NOT_VERIFIED)
            .at(field)
            .says(
                format!("域名 {} 的实名认证（{}）到今天只过了 {elapsed} 个工作日：实名信息同步到工信部约需 3 个工作日（华为云说 3–5 个），早交会以\"域名未入库\"退回；{earliest} 起再提交（节假日另计）。", domain.name, FilingDate(verified)),
                format!("{}'s real-name verification ({}) is {elapsed} working days old: it takes about 3 working days to reach MIIT (Huawei says 3–5), earlier filings are returned as not in the database; submit from {earliest} (holidays not counted).", domain.name, FilingDate(verified)),
            );
    }
}

/// The first day with at least three working days after `verified`, from `from` on.
fn earliest_submission(from: Date, verified: Date) -> Date {
    let mut day = from;
    while working_days_between(verified, day) < SYNC_WORKING_DAYS {
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    day
}

/// The domain must be within its registration; provinces want margin beyond: more than 3 months in
/// many provinces (Huawei, QingCloud), more than 180 days in Shanghai (QingCloud), over a month for
/// some individual filings (Baidu). Source: reason 31 [H8, Q4, Q8, H6, B1] (⚠ varies: warnings);
/// an expired domain in a 新增接入 must be renewed or removed first (reason 51 [Q2]).
fn stays_valid(ctx: &Context<'_>, field: &str, domain: &Domain, out: &mut Findings) {
    const RULE: &str = "domain-validity";
    let field = format!("{field}.expires_on");
    let Some(FilingDate(expires)) = domain.expires_on else {
        out.finding(RULE, Info, DOMAIN_STATUS_ABNORMAL)
            .at(field)
            .says(
                format!("没有填写域名 {} 的到期日：域名必须在有效期内，多数省份还要求剩余 3 个月以上。", domain.name),
                format!("No expiry date for {}: the domain must be valid, with more than 3 months left in most provinces.", domain.name),
            );
        return;
    };
    let left = days_between(ctx.today, expires);
    if expires < ctx.today {
        let (entry, extra, extra_en) = if ctx.filing.filing_type == FilingType::NewAccess {
            (
                ACCESS_INFO_MISMATCH,
                "新增接入前要先续费或把它从网站中注销；",
                "for 新增接入, renew it or remove it from the site first; ",
            )
        } else {
            (DOMAIN_STATUS_ABNORMAL, "", "")
        };
        out.finding(RULE, Error, entry).at(field).says(
            format!(
                "域名 {} 已于 {} 到期：{extra}续费后再提交。",
                domain.name,
                FilingDate(expires)
            ),
            format!(
                "{} expired on {}: {extra_en}renew it before filing.",
                domain.name,
                FilingDate(expires)
            ),
        );
        return;
    }
    let shanghai = ctx.filing.province.name == "上海";
    let short = if shanghai {
        left <= 180
    } else {
        expires <= add_months(ctx.today, 3)
    };
    if short {
        let (rule_zh, rule_en) = if shanghai {
            (
                "上海要求剩余 180 天以上（青云）",
                "Shanghai wants more than 180 days (QingCloud)",
            )
        } else {
            (
                "多数省份要求剩余 3 个月以上（华为云、青云），部分省份要求更多",
                "most provinces want more than 3 months (Huawei, QingCloud), some more",
            )
        };
        out.finding(RULE, Warning, DOMAIN_STATUS_ABNORMAL)
            .at(field)
            .says(
                format!("域名 {} 还有 {left} 天到期（{}）：{rule_zh}，属省级规定；建议续费几年后再提交。", domain.name, FilingDate(expires)),
                format!("{} expires in {left} days ({}): {rule_en}, a provincial rule; renew it for a few years before filing.", domain.name, FilingDate(expires)),
            );
    }
}

/// Suffixes that are certainly on MIIT's approved list; others are pointed at the list.
const COMMON_SUFFIXES: [&str; 5] = ["cn", "com", "net", "org", "中国"];

/// Only suffixes (TLDs) approved by MIIT can be filed. beian ships no copy of the list (it
/// changes), so other suffixes get a pointer to it, not a verdict. Source: reason 29 [T11, Q4,
/// Q11, H4].
fn suffix_is_approved(field: &str, domain: &Domain, out: &mut Findings) {
    let name = domain.name.trim().trim_end_matches('.').to_lowercase();
    let suffix = name.rsplit('.').next().unwrap_or("");
    if COMMON_SUFFIXES.contains(&suffix) {
        return;
    }
    out.finding("domain-suffix", Info, DOMAIN_SUFFIX_UNSUPPORTED)
        .at(format!("{field}.name"))
        .says(
            format!("后缀 .{suffix} 是否可以备案，以工信部域名信息查询网站（domain.miit.gov.cn）公布的获批顶级域名为准，提交前查一下；北京等地另有清单。"),
            format!("Whether .{suffix} can be filed depends on MIIT's list of approved TLDs (domain.miit.gov.cn): check it before filing; Beijing and others keep lists of their own."),
        );
}

/// Registrars outside mainland China; their domains must move to an approved mainland registrar.
const FOREIGN_REGISTRARS: [&str; 16] = [
    "godaddy",
    "namecheap",
    "cloudflare",
    "porkbun",
    "google domains",
    "squarespace",
    "name.com",
    "dynadot",
    "gandi",
    "hover",
    "network solutions",
    "namesilo",
    "ovh",
    "ionos",
    "enom",
    "tucows",
];

/// Domains at registrars without MIIT approval (foreign registrars) cannot be filed. Source: reason
/// 30 [T1, H8, H4, T18, Q11] and icp-facts-2.md §2.1 [TC-CAN, AL-PREP2018] (the Alibaba Cloud
/// International statement is from 2018). Name matching: warning.
fn registrar_is_approved(field: &str, domain: &Domain, out: &mut Findings) {
    let Some(registrar) = &domain.registrar else {
        return;
    };
    let lower = registrar.to_lowercase();
    let field = format!("{field}.registrar");
    if let Some(foreign) = FOREIGN_REGISTRARS.iter().find(|r| lower.contains(**r)) {
        out.finding("registrar", Warning, REGISTRAR_NOT_APPROVED)
            .at(field)
            .says(
                format!("{} 的注册商 {registrar} 是境外注册商：境外注册的域名不能直接备案，先转入工信部批准的境内注册商并重新实名。", domain.name),
                format!("{}'s registrar {registrar} ({foreign}) is outside mainland China: such domains cannot be filed directly; transfer it to an approved mainland registrar and verify it again.", domain.name),
            );
    } else if (lower.contains("阿里云") || lower.contains("alibaba") || lower.contains("aliyun"))
        && (lower.contains("国际") || lower.contains("international") || lower.contains("intl"))
    {
        out.finding("registrar", Warning, REGISTRAR_NOT_APPROVED)
            .at(field)
            .says(
                format!("{} 注册在阿里云国际站：阿里云 2018 年的文档说国际站注册的域名工信部系统不接受，要在中国站注册（较旧的说法，以接入商为准）。", domain.name),
                format!("{} is registered at Alibaba Cloud International: Alibaba's 2018 docs say MIIT did not accept those, only the China site's (older statement; confirm with the provider).", domain.name),
            );
    }
}
