//! Rules about the server the filing is made for: where it is, how it is billed, how long it lasts.

use super::{Context, Findings};
use crate::commands::check::entries::*;
use crate::commands::check::filing::{Billing, Server};
use crate::commands::check::Severity::{Error, Info, Warning};

pub(super) fn check(ctx: &Context<'_>, out: &mut Findings) {
    let Some(server) = &ctx.filing.server else {
        out.finding("server", Info, RESOURCE_UNSUITABLE)
            .at("server")
            .says(
                "没有填写服务器信息：备案要在托管网站的大陆服务器的接入商处办理，服务器须包年包月且剩余时间足够。",
                "No server given: you file with the provider whose mainland server hosts the site; it must be prepaid with enough time left.",
            );
        return;
    };
    if !server.mainland {
        outside_mainland(out);
        return;
    }
    billing_and_term(server, out);
}

/// A site served only from outside mainland China needs no ICP filing; filing follows 谁接入谁备案.
/// Source: §4 [T14, T18, H5, H13, Q9].
fn outside_mainland(out: &mut Findings) {
    out.finding("overseas-server", Info, OVERSEAS_HOSTING)
        .at("server.mainland")
        .says(
            "服务器不在中国大陆：只解析到境外（含港澳台）服务器的网站不需要ICP备案；备案要在托管网站的大陆服务器的接入商处办理（谁接入谁备案）。",
            "The server is outside mainland China: a site served only from outside the mainland needs no ICP filing; you file with the provider whose mainland server hosts the site.",
        );
}

/// Which provider rules to quote.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider {
    Tencent,
    Huawei,
    Other,
}

fn provider_of(server: &Server) -> Provider {
    let name = server.provider.as_deref().unwrap_or("").to_lowercase();
    if ["腾讯", "tencent", "qcloud"]
        .iter()
        .any(|p| name.contains(p))
    {
        Provider::Tencent
    } else if ["华为", "huawei"].iter().any(|p| name.contains(p)) {
        Provider::Huawei
    } else {
        Provider::Other
    }
}

/// The filing server must be prepaid, bought for long enough and valid through the review. Source:
/// reason 56 and §2.6 [T18, T5, H2, H7, J1]: Tencent prepaid ≥90 days with ≥30 days left, Huawei
/// ≥3 months; provider-specific, so warnings. A server already expired cannot carry a filing: error.
fn billing_and_term(server: &Server, out: &mut Findings) {
    const RULE: &str = "server-resource";
    let provider = provider_of(server);
    if server.billing == Some(Billing::PayAsYouGo) {
        let (zh, en) = match provider {
            Provider::Huawei => ("华为云要求包年包月至少 3 个月的云服务器", "Huawei wants a prepaid server of at least 3 months"),
            _ => ("腾讯云不接受按量计费的服务器用于备案；华为云要求包年包月至少 3 个月", "Tencent does not accept pay-as-you-go servers; Huawei wants prepaid of at least 3 months"),
        };
        out.finding(RULE, Warning, RESOURCE_UNSUITABLE)
            .at("server.billing")
            .says(
                format!("服务器按量付费：{zh}（接入商规定），请换成包年包月。"),
                format!("The server is pay-as-you-go: {en} (provider rule); switch to prepaid."),
            );
    }
    if let Some(months) = server.term_months.filter(|m| *m < 3) {
        out.finding(RULE, Warning, RESOURCE_UNSUITABLE)
            .at("server.term_months")
            .says(
                format!("服务器只购买了 {months} 个月：腾讯云要求包年包月至少 90 天，华为云至少 3 个月（接入商规定）。"),
                format!("The server was bought for {months} months: Tencent wants at least 90 days prepaid, Huawei at least 3 months (provider rules)."),
            );
    }
    match server.days_remaining {
        Some(days) if days <= 0 => out.finding(RULE, Error, RESOURCE_UNSUITABLE)
            .at("server.days_remaining")
            .says(
                "服务器已经到期：备案用的服务器在审核期间必须有效，先续费。",
                "The server has expired: the server a filing is made for must stay valid through the review; renew it first.",
            ),
        Some(days) if days < 30 => {
            let who = if provider == Provider::Huawei { "华为云要求至少 3 个月，腾讯云要求剩余 30 天以上" } else { "腾讯云要求剩余 30 天以上" };
            let who_en = if provider == Provider::Huawei { "Huawei wants 3 months, Tencent 30 days left" } else { "Tencent wants more than 30 days left" };
            out.finding(RULE, Warning, RESOURCE_UNSUITABLE)
                .at("server.days_remaining")
                .says(
                    format!("服务器只剩 {days} 天：管局审核最长 20 个工作日，期间到期会影响通过；{who}（接入商规定），先续费。"),
                    format!("The server has {days} days left: bureau review takes up to 20 working days and an expiry during it hurts approval; {who_en} (provider rule); renew first."),
                );
        }
        _ => {}
    }
}
