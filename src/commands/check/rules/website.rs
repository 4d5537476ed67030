//! Rules about each website: how many domains it lists, its name, its description, and content
//! that needs a pre-approval or does not fit an individual.

use super::{han_count, is_han, words_in, Context, Findings};
use crate::commands::check::entries::*;
use crate::commands::check::filing::{FilingType, PreApproval, SubjectKind, Website};
use crate::commands::check::Severity::{Error, Warning};

pub(super) fn check(ctx: &Context<'_>, out: &mut Findings) {
    websites_are_listed(ctx, out);
    for (i, site) in ctx.filing.websites.iter().enumerate() {
        one_domain_per_website(ctx, i, site, out);
        site_name_follows_the_rules(ctx, i, site, out);
        personal_site_is_described(ctx, i, site, out);
        personal_site_stays_personal(ctx, i, site, out);
        pre_approval_content(ctx, i, site, out);
    }
}

/// A first filing, a new site and a new access are all about websites. Source: §1 [Q1, H2, T19].
fn websites_are_listed(ctx: &Context<'_>, out: &mut Findings) {
    let filing = ctx.filing;
    if filing.websites.is_empty() && filing.filing_type != FilingType::Change {
        out.finding("websites-present", Error, PREPARE_MATERIALS)
            .at("websites")
            .says(
                format!(
                    "{}需要填写网站信息，但没有列出任何网站（[[websites]]）。",
                    filing.filing_type
                ),
                format!(
                    "{} files websites, and none is listed ([[websites]]).",
                    filing.filing_type
                ),
            );
    }
}

/// Since 2019-04-22 a website in a 首次备案 or 新增网站 lists exactly one domain (工信管函〔2019〕
/// 633号). Source: §0 and reason 33 [X5, B1, T11, H6].
fn one_domain_per_website(ctx: &Context<'_>, i: usize, site: &Website, out: &mut Findings) {
    let one_only = matches!(
        ctx.filing.filing_type,
        FilingType::FirstFiling | FilingType::NewSite
    );
    let count = site.domains.len();
    if count == 0 {
        out.finding("multiple-domains", Error, MULTIPLE_DOMAINS)
            .at(format!("websites[{i}].domains"))
            .says(
                format!("网站\"{}\"没有填写域名：每个网站填报一个域名。", site.name),
                format!(
                    "Website \"{}\" lists no domain: each website lists one.",
                    site.name
                ),
            );
    } else if one_only && count > 1 {
        let names: Vec<&str> = site.domains.iter().map(|d| d.name.as_str()).collect();
        out.finding("multiple-domains", Error, MULTIPLE_DOMAINS)
            .at(format!("websites[{i}].domains"))
            .says(
                format!("网站\"{}\"填了 {count} 个域名（{}）：自 2019-04-22 起{}一个网站只能填一个域名，会被自动退回；拆成每个域名一个网站。", site.name, names.join("、"), ctx.filing.filing_type),
                format!("Website \"{}\" lists {count} domains ({}): since 2019-04-22 a website in a {} lists one domain and is returned automatically otherwise; make one website per domain.", site.name, names.join(", "), ctx.filing.filing_type),
            );
    }
}

const RESERVED_PREFIXES: [&str; 6] = ["中国", "中华", "中央", "人民", "人大", "国家"];
const SENSITIVE_WORDS: [&str; 4] = ["反腐", "赌博", "廉政", "色情"];
const HUAWEI_RESTRICTED: [&str; 5] = ["纪检", "监察", "信访", "维权", "投诉"];
const QINGCLOUD_PERSONAL_BANNED: [&str; 18] = [
    "博客",
    "论坛",
    "在线",
    "社区",
    "交流",
    "个人空间",
    "爱好者",
    "导航",
    "工作室",
    "平台",
    "热线",
    "社团",
    "网络",
    "网站",
    "网址",
    "主页",
    "资讯",
    "作品展示",
];
const ORGANISATION_TERMS: [&str; 8] = [
    "公司", "企业", "集团", "组织", "协会", "官网", "官方", "有限",
];

/// Website naming rules. Source: reasons 37 and 39 [T1, Q3, H12, H1, T23, Q11]: at least three
/// Han characters, not only digits or Latin letters, no special symbols, not the domain, no
/// sensitive words, no reserved prefixes for non-state bodies; individuals may not use company or
/// organisation terms (general) nor a person's name (T23). QingCloud's personal word list and
/// Huawei's restricted words are provider-specific: warnings.
fn site_name_follows_the_rules(ctx: &Context<'_>, i: usize, site: &Website, out: &mut Findings) {
    let field = format!("websites[{i}].name");
    let name = site.name.trim();
    let subject = &ctx.filing.subject;
    let mut error = |zh: String, en: String| {
        out.finding("site-name", Error, SITE_NAME_INVALID)
            .at(field.clone())
            .says(zh, en);
    };
    let han = han_count(name);
    if han == 0 && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ') {
        error(
            format!("网站名称\"{name}\"只有数字或英文字母：名称要用至少 3 个汉字描述网站内容。"),
            format!("Website name \"{name}\" is only digits or Latin letters: use at least three Chinese characters that describe the site."),
        );
    } else if han < 3 {
        error(
            format!("网站名称\"{name}\"只有 {han} 个汉字：至少需要 3 个汉字。"),
            format!(
                "Website name \"{name}\" has {han} Chinese characters: at least three are needed."
            ),
        );
    }
    let symbols: String = name
        .chars()
        .filter(|c| !(c.is_alphanumeric() || is_han(*c) || *c == ' '))
        .collect();
    if !symbols.is_empty() {
        error(
            format!("网站名称\"{name}\"含有特殊符号\"{symbols}\"：名称里不能有特殊符号。"),
            format!("Website name \"{name}\" contains symbols \"{symbols}\": names may not contain special symbols."),
        );
    }
    let lower = name.to_lowercase();
    if let Some(domain) = site
        .domains
        .iter()
        .find(|d| lower.contains(&d.name.to_lowercase()))
    {
        error(
            format!(
                "网站名称\"{name}\"用了域名 {}：网站名称不能是域名。",
                domain.name
            ),
            format!(
                "Website name \"{name}\" uses the domain {}: a website name may not be the domain.",
                domain.name
            ),
        );
    }
    let sensitive = words_in(name, &SENSITIVE_WORDS);
    if !sensitive.is_empty() {
        error(
            format!("网站名称含敏感词\"{}\"。", sensitive.join("、")),
            format!(
                "The website name contains sensitive words \"{}\".",
                sensitive.join(", ")
            ),
        );
    }
    if subject.kind != SubjectKind::StateBody {
        if let Some(prefix) = RESERVED_PREFIXES.iter().find(|p| name.starts_with(**p)) {
            error(
                format!("网站名称以\"{prefix}\"开头：非国家机关不能以中国、中华、中央、人民、人大、国家开头。"),
                format!("The website name starts with \"{prefix}\": only state bodies may start a name with 中国, 中华, 中央, 人民, 人大 or 国家."),
            );
        }
    }
    if subject.kind == SubjectKind::Individual {
        let terms = words_in(name, &ORGANISATION_TERMS);
        if !terms.is_empty() {
            error(
                format!("个人网站名称含\"{}\"：个人网站名称不能涉及公司、组织或官方性质。", terms.join("、")),
                format!("A personal site's name contains \"{}\": an individual's site name may not suggest a company, an organisation or an official site.", terms.join(", ")),
            );
        }
    }
    let mut warn = |zh: String, en: String| {
        out.finding("site-name", Warning, SITE_NAME_INVALID)
            .at(field.clone())
            .says(zh, en);
    };
    let restricted = words_in(name, &HUAWEI_RESTRICTED);
    if subject.kind != SubjectKind::StateBody && !restricted.is_empty() {
        warn(
            format!("网站名称含\"{}\"：华为云把这些列为受限词（接入商规定）。", restricted.join("、")),
            format!("The website name contains \"{}\": Huawei Cloud lists these as restricted (provider rule).", restricted.join(", ")),
        );
    }
    if subject.kind == SubjectKind::Individual {
        let banned = words_in(name, &QINGCLOUD_PERSONAL_BANNED);
        if !banned.is_empty() {
            warn(
                format!("个人网站名称含\"{}\"：青云的个人网站禁用词清单里有这些词（各接入商、各省清单不同）。", banned.join("、")),
                format!("A personal site's name contains \"{}\": QingCloud's list of words banned in personal site names has them (lists vary by provider and province).", banned.join(", ")),
            );
        }
        if super::compare_names(name, &subject.name) == super::NameMatch::Same {
            warn(
                format!("网站名称就是人名\"{name}\"：腾讯云国际站要求个人网站名称不能是人名（接入商规定）；改成描述内容的名称。"),
                format!("The website name is a person's name \"{name}\": Tencent's international rules forbid this for personal sites (provider rule); describe the content instead."),
            );
        }
    }
}

/// An individual's website needs a description (备注) of what it is for and what it shows.
/// Source: reason 44 [H14, Q8, B1]; "specific" is judged by length, a heuristic (warning).
fn personal_site_is_described(ctx: &Context<'_>, i: usize, site: &Website, out: &mut Findings) {
    if ctx.filing.subject.kind != SubjectKind::Individual {
        return;
    }
    let field = format!("websites[{i}].description");
    let description = site.description.as_deref().map(str::trim).unwrap_or("");
    if description.is_empty() {
        out.finding("site-description", Error, SITE_REMARK_INSUFFICIENT)
            .at(field)
            .says(
                format!("个人网站\"{}\"没有填写网站备注：写明网站用途、具体内容和展现形式（文字/图片），例如\"网站主要用于……\"。", site.name),
                format!("Personal site \"{}\" has no description: say what the site is for, what it contains and in what form (text, images), e.g. \"网站主要用于……\".", site.name),
            );
    } else if description.chars().count() < 15 {
        out.finding("site-description", Warning, SITE_REMARK_INSUFFICIENT)
            .at(field)
            .says(
                format!("网站备注\"{description}\"太笼统（少于 15 个字）：要具体写出网站做什么、涉及哪方面、用文字还是图片展示，且不超出个人范围。"),
                format!("The description \"{description}\" is too vague (under 15 characters): say what the site does, which topics, shown as text or images, within personal scope."),
            );
    }
}

const COMMERCIAL_TERMS: [&str; 20] = [
    "论坛",
    "bbs",
    "留言板",
    "贴吧",
    "社区",
    "商城",
    "购物",
    "销售",
    "电商",
    "网店",
    "店铺",
    "代购",
    "招商",
    "加盟",
    "公司",
    "企业",
    "产品",
    "付费",
    "会员",
    "广告",
];

/// Personal filings carry personal, non-commercial content: no company or organisation content, no
/// forum, no commerce. Source: reasons 40 and 45 [T10, T11, H14, A1, T18, Q9]. Keyword matching on
/// the description and service content is a heuristic (warning); pre-approvals can only be held by
/// organisations (reason 42), so an individual declaring one is an error.
fn personal_site_stays_personal(ctx: &Context<'_>, i: usize, site: &Website, out: &mut Findings) {
    if ctx.filing.subject.kind != SubjectKind::Individual {
        return;
    }
    let text = [site.description.as_deref(), site.service_content.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let terms = words_in(&text, &COMMERCIAL_TERMS);
    if !terms.is_empty() {
        out.finding("personal-site-content", Warning, PERSONAL_SITE_COMMERCIAL)
            .at(format!("websites[{i}].description"))
            .says(
                format!("个人网站\"{}\"的描述提到\"{}\"：个人备案只能是个人性质的内容，不能有单位、论坛、经营性内容（按关键词判断）。", site.name, terms.join("、")),
                format!("Personal site \"{}\" mentions \"{}\": an individual's filing covers personal content only, no organisation, forum or commercial content (keyword heuristic).", site.name, terms.join(", ")),
            );
    }
    if !site.pre_approvals.is_empty() {
        out.finding("personal-site-content", Error, PERSONAL_SITE_COMMERCIAL)
            .at(format!("websites[{i}].pre_approvals"))
            .says(
                "个人备案不能办理前置审批：涉及前置审批的内容只能由单位取得许可后备案。",
                "An individual cannot hold pre-approvals: content that needs one is filed by an organisation that holds the permit.",
            );
    }
}

struct Category {
    kind: PreApproval,
    zh: &'static str,
    en: &'static str,
    /// Who approves, and the permit, as Tencent's table names them.
    approver: &'static str,
    keywords: &'static [&'static str],
    /// Tencent describes these as cancelled nationally; others still list them.
    disputed: bool,
}

const CATEGORIES: [Category; 11] = [
    Category {
        kind: PreApproval::News,
        zh: "新闻",
        en: "news",
        approver: "省级新闻办《互联网新闻信息服务许可证》",
        keywords: &["新闻", "时政", "时事"],
        disputed: false,
    },
    Category {
        kind: PreApproval::Publishing,
        zh: "出版",
        en: "publishing",
        approver: "新闻出版部门的出版许可",
        keywords: &["出版", "电子书", "网络文学", "小说", "期刊", "杂志"],
        disputed: false,
    },
    Category {
        kind: PreApproval::Drugs,
        zh: "药品和医疗器械",
        en: "drugs and medical devices",
        approver: "药监部门《互联网药品信息服务资格证书》",
        keywords: &["药品", "药店", "医药", "医疗器械", "处方", "药物"],
        disputed: false,
    },
    Category {
        kind: PreApproval::Culture,
        zh: "文化",
        en: "culture",
        approver: "文化部门《网络文化经营许可证》",
        keywords: &["演出", "动漫", "艺术品", "网络表演", "音乐"],
        disputed: false,
    },
    Category {
        kind: PreApproval::AudioVisual,
        zh: "广播电影电视节目",
        en: "audio-visual programmes",
        approver: "广电部门《信息网络传播视听节目许可证》",
        keywords: &[
            "视频",
            "影视",
            "电影",
            "电视剧",
            "视听",
            "直播",
            "点播",
            "综艺",
        ],
        disputed: false,
    },
    Category {
        kind: PreApproval::RideHailing,
        zh: "网络预约车",
        en: "ride-hailing",
        approver: "交通部门《网络预约出租汽车经营许可证》",
        keywords: &["网约车", "打车", "约车", "专车"],
        disputed: false,
    },
    Category {
        kind: PreApproval::Finance,
        zh: "金融",
        en: "finance",
        approver: "人民银行/金融监管/证监等金融监管部门",
        keywords: &[
            "金融",
            "理财",
            "基金",
            "投资管理",
            "资产管理",
            "p2p",
            "众筹",
            "支付",
            "贷款",
            "借贷",
            "证券",
            "期货",
            "外汇",
        ],
        disputed: false,
    },
    Category {
        kind: PreApproval::Games,
        zh: "游戏",
        en: "games",
        approver: "中宣部出版局",
        keywords: &["游戏"],
        disputed: false,
    },
    Category {
        kind: PreApproval::Education,
        zh: "教育",
        en: "education",
        approver: "教育部门",
        keywords: &["教育", "培训", "网校", "辅导"],
        disputed: true,
    },
    Category {
        kind: PreApproval::Healthcare,
        zh: "医疗保健",
        en: "healthcare",
        approver: "卫生健康部门",
        keywords: &["医疗", "医院", "诊所", "问诊", "保健"],
        disputed: true,
    },
    Category {
        kind: PreApproval::Bulletin,
        zh: "电子公告",
        en: "bulletin boards",
        approver: "通信管理部门",
        keywords: &["论坛", "bbs", "留言板", "贴吧"],
        disputed: true,
    },
];

/// Content in a pre-approval (前置审批) category needs the approval at filing time. Source: reasons
/// 42 and 43 [T12, T11, H1, T1, Q8]; the categories and approvers are Tencent's table (T12), which
/// calls education, healthcare and bulletin-board approvals cancelled nationally (⚠ others still
/// list them). Financial words in an organisation's name also count (reason 43). Keyword
/// matching is a heuristic: warnings.
fn pre_approval_content(ctx: &Context<'_>, i: usize, site: &Website, out: &mut Findings) {
    let subject = &ctx.filing.subject;
    let individual = subject.kind == SubjectKind::Individual;
    let text = [
        Some(site.name.as_str()),
        site.description.as_deref(),
        site.service_content.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    for category in &CATEGORIES {
        // An individual's forum is a personal-scope problem, reported by the rule above.
        if site.pre_approvals.contains(&category.kind)
            || (individual && category.kind == PreApproval::Bulletin)
        {
            continue;
        }
        let hits = if category.kind == PreApproval::Finance && !individual {
            words_in(&format!("{text} {}", subject.name), category.keywords)
        } else {
            words_in(&text, category.keywords)
        };
        if hits.is_empty() {
            continue;
        }
        let who_zh = if individual {
            "；个人无法取得前置审批，应删去这类内容"
        } else {
            "；取得审批后在备案时填写审批号并上传文件，否则删去这类内容并选\"以上都不涉及\""
        };
        let who_en = if individual {
            "; individuals cannot obtain it, so drop such content"
        } else {
            "; enter the approval number and upload it, or drop the content and choose \"以上都不涉及\""
        };
        let disputed_zh = if category.disputed {
            "（腾讯云称该类审批已在全国取消，其他接入商仍列出，以管局要求为准）"
        } else {
            ""
        };
        let disputed_en = if category.disputed {
            " (Tencent calls this approval cancelled nationally; others still list it)"
        } else {
            ""
        };
        out.finding("pre-approval", Warning, PRE_APPROVAL_MISSING)
            .at(format!("websites[{i}]"))
            .says(
                format!("网站\"{}\"提到\"{}\"，可能属于{}类前置审批（{}）{disputed_zh}{who_zh}。按关键词判断。", site.name, hits.join("、"), category.zh, category.approver),
                format!("Website \"{}\" mentions \"{}\": it may need a {} pre-approval{disputed_en}{who_en}. Keyword heuristic.", site.name, hits.join(", "), category.en),
            );
    }
}
