//! Rules about the filing subject (主体): who it is, its documents and addresses, which filing type
//! and province fit it, and whether domains and the cloud account are in its name.

use super::{compare_names, Context, Findings, NameMatch};
use crate::commands::check::dates::{add_months, Expiry};
use crate::commands::check::entries::*;
use crate::commands::check::filing::{DocumentType, FilingType, SubjectKind};
use crate::commands::check::ids::{validate_id_number, validate_uscc, IdProblem, UsccProblem};
use crate::commands::check::region::Province;
use crate::commands::check::Severity::{Error, Info, Warning};
use once_cell::sync::Lazy;
use regex::Regex;

pub(super) fn check(ctx: &Context<'_>, out: &mut Findings) {
    registrant_and_account_match_subject(ctx, out);
    id_numbers_are_well_formed(ctx, out);
    documents_are_valid(ctx, out);
    mailing_address_is_detailed(ctx, out);
    filing_type_fits_subject(ctx, out);
    files_in_its_own_province(ctx, out);
    heads_are_legal_representative(ctx, out);
}

/// Domain registrant = filing subject = cloud account's real-name holder (rejection/subject-mismatch).
/// Source: icp-facts.md reason 27 [T1, T21, H1, Q4, Q8, X11]: since 2018-01-01 the registrant's
/// real-name record must match the subject; who may hold a company's domain differs by provider and
/// province [T21, Q4, H6], so a domain held by the legal representative is a warning. One account =
/// one subject (reason 57 [T13, T18, H5]). Bracket width: icp-facts-2.md §3 [WC-DEVC] (one report).
fn registrant_and_account_match_subject(ctx: &Context<'_>, out: &mut Findings) {
    const RULE: &str = "subject-mismatch";
    let subject = &ctx.filing.subject;
    for (i, site) in ctx.filing.websites.iter().enumerate() {
        for (j, domain) in site.domains.iter().enumerate() {
            let field = format!("websites[{i}].domains[{j}].registrant");
            let Some(registrant) = &domain.registrant else {
                out.finding(RULE, Info, SUBJECT_MISMATCH)
                    .at(field)
                    .says(
                        format!("未填写域名 {} 的持有者：它必须与备案主体\"{}\"一致，请在注册商处核对。", domain.name, subject.name),
                        format!("No registrant given for {}: it must be the filing subject \"{}\"; check it at the registrar.", domain.name, subject.name),
                    );
                continue;
            };
            match compare_names(registrant, &subject.name) {
                NameMatch::Same => {}
                NameMatch::BracketsOnly => out.finding(RULE, Warning, SUBJECT_MISMATCH)
                    .at(field)
                    .says(
                        format!("域名持有者\"{registrant}\"与主体\"{}\"只差在全角/半角括号上；有的系统逐字比对，建议写成完全相同。", subject.name),
                        format!("Registrant \"{registrant}\" differs from the subject \"{}\" only in bracket width; some systems compare literally, so make them identical.", subject.name),
                    ),
                NameMatch::Different if held_by_legal_representative(ctx, registrant) => out.finding(RULE, Warning, SUBJECT_MISMATCH)
                    .at(field)
                    .says(
                        format!("域名 {} 登记在法定代表人/负责人\"{registrant}\"名下，不在公司名下：西部数码、青云等认可法定代表人持有，宁夏等地要求必须是公司本身（因接入商和省份而异），稳妥做法是过户到\"{}\"。", domain.name, subject.name),
                        format!("{} is held by the legal representative/head \"{registrant}\", not the company: some providers accept this, Ningxia and others require the company itself (provider- and province-specific); transferring it to \"{}\" is safe.", domain.name, subject.name),
                    ),
                NameMatch::Different => out.finding(RULE, Error, SUBJECT_MISMATCH)
                    .at(field)
                    .says(
                        format!("域名 {} 的持有者\"{registrant}\"与备案主体\"{}\"不一致：先过户或重新实名到主体名下，再上传域名证书。", domain.name, subject.name),
                        format!("The registrant of {} (\"{registrant}\") is not the filing subject \"{}\": transfer the domain or redo its real-name verification first.", domain.name, subject.name),
                    ),
            }
        }
    }
    match &ctx.filing.account {
        None => out.finding(RULE, Info, SUBJECT_MISMATCH)
            .at("account.real_name")
            .says(
                "未填写云账号的实名主体：提交备案的账号也应实名在备案主体名下。",
                "No cloud account real-name holder given: the account you file from should be verified under the filing subject too.",
            ),
        Some(account) => match compare_names(&account.real_name, &subject.name) {
            NameMatch::Same => {}
            NameMatch::BracketsOnly => out.finding(RULE, Warning, SUBJECT_MISMATCH)
                .at("account.real_name")
                .says(
                    format!("云账号实名\"{}\"与主体只差在全角/半角括号上，建议写成完全相同。", account.real_name),
                    format!("The account's real name \"{}\" differs from the subject only in bracket width; make them identical.", account.real_name),
                ),
            NameMatch::Different => out.finding(RULE, Error, SUBJECT_MISMATCH)
                .at("account.real_name")
                .says(
                    format!("云账号实名主体\"{}\"不是备案主体\"{}\"：一个账号对应一个主体，请用主体自己的账号提交。", account.real_name, subject.name),
                    format!("The cloud account is verified under \"{}\", not the subject \"{}\": one account is one subject; file from the subject's own account.", account.real_name, subject.name),
                ),
        },
    }
}

fn held_by_legal_representative(ctx: &Context<'_>, registrant: &str) -> bool {
    let subject = &ctx.filing.subject;
    subject.kind != SubjectKind::Individual
        && (subject.legal_representative.as_deref().into_iter())
            .chain([subject.head.name.as_str()])
            .any(|name| compare_names(name, registrant) == NameMatch::Same)
}

/// ID numbers (GB 11643-1999) and credit codes (GB 32100-2015) carry check digits: a wrong one is a
/// typo the authority-database comparison rejects. Source: reasons 1, 2 [X1, H8] ("证件号码不一致",
/// "身份证与姓名不匹配"). Non-mainland documents: icp-facts-2.md §2 [TCI-IND, TC-PROV].
fn id_numbers_are_well_formed(ctx: &Context<'_>, out: &mut Findings) {
    let subject = &ctx.filing.subject;
    let mut numbers = vec![(
        "subject.id_number".to_string(),
        subject.document(),
        subject.id_number.as_str(),
    )];
    for (field, person) in ctx.persons() {
        numbers.push((
            format!("{field}.id_number"),
            person.document(),
            person.id_number.as_str(),
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (field, document, number) in numbers {
        // An individual's own number usually appears twice (subject and head): report it once.
        if seen.contains(&number.trim()) {
            continue;
        }
        seen.push(number.trim());
        let problem = match document {
            DocumentType::IdCard => validate_id_number(number, ctx.today)
                .err()
                .map(|p| id_problem(number, p)),
            DocumentType::CreditCode => {
                validate_uscc(number).err().map(|p| uscc_problem(number, p))
            }
            DocumentType::Passport | DocumentType::HkMacaoPermit | DocumentType::TaiwanPermit => {
                out.finding("foreign-document", Info, FOREIGN_ENTITY)
                    .at(field.replace(".id_number", ".id_type"))
                    .says(
                        "非居民身份证证件：哪些省份接受护照、港澳台通行证，各地规定不同，提交前向接入商确认。",
                        "Not a mainland ID card: which provinces accept passports or HK/Macao/Taiwan permits differs; confirm with the provider first.",
                    );
                None
            }
            DocumentType::Other => None,
        };
        if let Some((zh, en)) = problem {
            out.finding("id-check-digit", Error, DOCUMENT_INVALID)
                .at(field)
                .says(zh, en);
        }
    }
}

fn id_problem(number: &str, problem: IdProblem) -> (String, String) {
    match problem {
        IdProblem::Length(n) => (
            format!("身份证号码\"{number}\"有 {n} 位，应为 18 位。"),
            format!("ID number \"{number}\" has {n} characters; it has 18."),
        ),
        IdProblem::Characters => (
            format!("身份证号码\"{number}\"应为 17 位数字加 1 位数字或 X。"),
            format!("ID number \"{number}\" must be 17 digits and a digit or X."),
        ),
        IdProblem::BirthDate => (
            format!("身份证号码\"{number}\"第 7–14 位不是有效的出生日期，号码有误。"),
            format!("Characters 7–14 of ID number \"{number}\" are not a valid birth date: the number is wrong."),
        ),
        IdProblem::CheckDigit { expected, found } => (
            format!("身份证号码\"{number}\"校验位不对（GB 11643-1999 算出应为 {expected}，填的是 {found}）：号码有笔误，会在权威库比对时被退回。"),
            format!("ID number \"{number}\" fails its check digit (GB 11643-1999 gives {expected}, not {found}): a typo the authority database will reject."),
        ),
    }
}

fn uscc_problem(code: &str, problem: UsccProblem) -> (String, String) {
    match problem {
        UsccProblem::Length(n) => (
            format!("统一社会信用代码\"{code}\"有 {n} 位，应为 18 位。"),
            format!("Credit code \"{code}\" has {n} characters; it has 18."),
        ),
        UsccProblem::Character(c) => (
            format!("统一社会信用代码\"{code}\"含有不可能出现的字符\"{c}\"（不用 I、O、S、V、Z）。"),
            format!("Credit code \"{code}\" contains \"{c}\", which the code never uses (no I, O, S, V, Z)."),
        ),
        UsccProblem::Division => (
            format!("统一社会信用代码\"{code}\"第 3–8 位应为行政区划数字。"),
            format!("Characters 3–8 of credit code \"{code}\" must be a division code (digits)."),
        ),
        UsccProblem::CheckDigit { expected, found } => (
            format!("统一社会信用代码\"{code}\"校验位不对（GB 32100-2015 算出应为 {expected}，填的是 {found}）：请按营业执照逐位核对。"),
            format!("Credit code \"{code}\" fails its check character (GB 32100-2015 gives {expected}, not {found}): copy it from the licence again."),
        ),
    }
}

/// Expired documents are rejected; soon-expiring ones too. Source: reason 7 [H8, H1]
/// ("主体负责人身份证已过期"). The ">3 months validity" margin comes only from the Huawei KB
/// summary (⚠ unverified), hence a warning.
fn documents_are_valid(ctx: &Context<'_>, out: &mut Findings) {
    let subject = &ctx.filing.subject;
    let mut documents = vec![(
        "subject.document_expiry".to_string(),
        subject.name.as_str(),
        subject.id_number.trim(),
        subject.document_expiry,
    )];
    for (field, person) in ctx.persons() {
        documents.push((
            format!("{field}.id_expiry"),
            person.name.as_str(),
            person.id_number.trim(),
            person.id_expiry,
        ));
    }
    let soon = add_months(ctx.today, 3);
    for (k, (field, owner, number, expiry)) in documents.iter().enumerate() {
        let Some(Expiry::Until(last_day)) = *expiry else {
            continue;
        };
        // One document entered in several places (an individual's own ID) is reported once.
        let earlier = documents[..k]
            .iter()
            .any(|(_, _, other, e)| other.eq_ignore_ascii_case(number) && *e == *expiry);
        if earlier {
            continue;
        }
        let also: Vec<&str> = documents[k + 1..]
            .iter()
            .filter(|(_, _, other, e)| other.eq_ignore_ascii_case(number) && *e == *expiry)
            .map(|(f, ..)| f.as_str())
            .collect();
        let (also_zh, also_en) = if also.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!("（同一证件也填在 {}）", also.join("、")),
                format!(" (the same document is also in {})", also.join(", ")),
            )
        };
        let field = field.clone();
        if last_day.0 < ctx.today {
            out.finding("document-expiry", Error, DOCUMENT_EXPIRED)
                .at(field)
                .says(
                    format!("{owner}的证件已于 {last_day} 过期：换发新证后用新证件信息和照片提交{also_zh}。"),
                    format!("{owner}'s document expired on {last_day}: renew it and file with the new one{also_en}."),
                );
        } else if last_day.0 <= soon {
            out.finding("document-expiry", Warning, DOCUMENT_EXPIRED)
                .at(field)
                .says(
                    format!("{owner}的证件将于 {last_day} 到期，不足 3 个月：审核期间可能过期，华为云资料要求有效期 3 个月以上（未经一手资料核实）{also_zh}。"),
                    format!("{owner}'s document expires on {last_day}, within 3 months: it may lapse during review; Huawei's notes ask for more than 3 months (unverified){also_en}."),
                );
        }
    }
}

/// The mailing address must go down to the house number (heuristic: looks for 号 after a number).
/// Source: reason 5 [I1, X14, T13, H6]. Hebei, Henan and Guizhou also want it in the licence
/// address's city [H6] (provincial).
fn mailing_address_is_detailed(ctx: &Context<'_>, out: &mut Findings) {
    static HOUSE_NUMBER: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"[0-9０-９一二三四五六七八九十百千零〇]+\s*号|无门牌|门牌号")
            .expect("valid regex")
    });
    let subject = &ctx.filing.subject;
    let address = subject.mailing_address.trim();
    if !HOUSE_NUMBER.is_match(address) {
        out.finding("address-detail", Warning, ADDRESS_INCOMPLETE)
            .at("subject.mailing_address")
            .says(
                format!("通信地址\"{address}\"看不到门牌号（按\"…号\"判断）：请写到省、市、区、街道、门牌号和房间号；确实没有门牌号的在备注里说明。"),
                format!("Mailing address \"{address}\" shows no house number (looked for \"…号\"): give it down to the house and room number, or say in the remarks that there is none."),
            );
    }
    let province = ctx.filing.province;
    if ["河北", "河南", "贵州"].contains(&province.name) {
        if let (Some(mailing), Some(licence)) = (
            city_of(address),
            subject.licence_address.as_deref().and_then(city_of),
        ) {
            if mailing != licence {
                out.finding("address-detail", Warning, ADDRESS_INCOMPLETE)
                    .at("subject.mailing_address")
                    .says(
                        format!("{province}管局要求通信地址与证件地址在同一城市：通信地址在{mailing}，证件地址在{licence}（省级规定）。"),
                        format!("The {province} bureau wants the mailing address in the same city as the document's address: {mailing} vs {licence} (provincial rule)."),
                    );
            }
        }
    }
}

/// The city (…市) an address names after its province, if any.
fn city_of(address: &str) -> Option<String> {
    static CITY: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\p{Han}{2,8}?市").expect("valid regex"));
    let rest = match Province::of_address(address) {
        Some(province) => {
            let rest = &address.trim_start()[province.name.len()..];
            rest.trim_start_matches(['省', '市'])
        }
        None => address.trim_start(),
    };
    CITY.find(rest).map(|m| m.as_str().to_string())
}

/// Filing type against the subject's state. Source: reasons 12, 13 [I1, H1, H2, N1, X2, X3]:
/// 首次备案 for a subject that already has a number is rejected (主办者冲突 1003); §1 [T11, H1,
/// H2]: 新增网站 and 新增接入 need an existing number. Province of an existing number: reason 54
/// [N1] (code 1046, a subject cannot change province).
fn filing_type_fits_subject(ctx: &Context<'_>, out: &mut Findings) {
    const RULE: &str = "filing-type";
    let filing = ctx.filing;
    let number = filing
        .subject
        .filing_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    match (filing.filing_type, number) {
        (FilingType::FirstFiling, Some(number)) => out.finding(RULE, Error, ALREADY_FILED)
            .at("filing_type")
            .says(
                format!("主体已有备案号 {number}，却选了首次备案：会以\"主办者冲突\"被退回；加网站用新增网站，换接入商用新增接入。"),
                format!("The subject already has filing number {number} but 首次备案 is chosen: it will be returned as a subject conflict; use 新增网站 to add a site or 新增接入 to add a provider."),
            ),
        (FilingType::NewSite | FilingType::NewAccess, None) => out.finding(RULE, Error, ALREADY_FILED)
            .at("subject.filing_number")
            .says(
                format!("{}需要主体已有的备案号，但没有填写：主体从未备案过应选首次备案。", filing.filing_type),
                format!("{} needs the subject's existing filing number, and none is given: a subject that never filed uses 首次备案.", filing.filing_type),
            ),
        (FilingType::Change, None) => out.finding(RULE, Error, CHANGE_FILING)
            .at("subject.filing_number")
            .says(
                "变更备案只能针对已有的备案，但没有填写主体备案号。",
                "A change filing needs an existing filing, and no subject filing number is given.",
            ),
        _ => {}
    }
    let Some(number) = number else { return };
    let Some(numbered) = number.split("ICP备").next().and_then(Province::parse) else {
        return;
    };
    if numbered != filing.province && number.contains("ICP备") {
        let severity = if filing.filing_type == FilingType::Change {
            Error
        } else {
            Warning
        };
        out.finding(RULE, severity, CROSS_PROVINCE)
            .at("province")
            .says(
                format!("备案号 {number} 属于{numbered}，这次却向{}管局提交：一个主体只属于一个省，变更备案不能改变主体所在省（系统代码 1046），要换省须先注销主体再重新备案。", filing.province),
                format!("Filing number {number} belongs to {numbered}, but this filing goes to {}: a subject belongs to one province and a change cannot move it (code 1046); cancel and refile to move.", filing.province),
            );
    }
}

/// Companies file in the province of their licence (reason 10 [T1, T13, H7, Q9]); individuals
/// outside their ID's province need a local residence permit where one is accepted at all
/// (reason 11 [T1, H6, H13, J2-Shanghai, JD-Guangdong, B1], provincial, ⚠ changes often).
fn files_in_its_own_province(ctx: &Context<'_>, out: &mut Findings) {
    let filing = ctx.filing;
    let subject = &filing.subject;
    let target = filing.province;
    let from_address = subject
        .licence_address
        .as_deref()
        .and_then(Province::of_address);
    match subject.kind {
        SubjectKind::Individual => individual_province(ctx, from_address, out),
        SubjectKind::Organisation | SubjectKind::StateBody => {
            let from_code = (subject.document() == DocumentType::CreditCode)
                .then(|| validate_uscc(&subject.id_number).ok())
                .flatten()
                .and_then(|code| Province::by_code(code.region));
            let Some(home) = from_address.or(from_code) else {
                return;
            };
            if home != target {
                out.finding("cross-province", Error, CROSS_PROVINCE)
                    .at("province")
                    .says(
                        format!("单位的营业执照在{home}，却向{target}管局备案：单位只能在执照所在省备案；分公司要用自己的执照，不能挂在总公司名下。"),
                        format!("The organisation's licence is from {home}, but the filing goes to {target}: organisations file in their licence's province; a branch files with its own licence."),
                    );
            }
        }
    }
}

fn individual_province(ctx: &Context<'_>, from_address: Option<Province>, out: &mut Findings) {
    let subject = &ctx.filing.subject;
    let target = ctx.filing.province;
    if subject.document() != DocumentType::IdCard {
        return;
    }
    let from_number = validate_id_number(&subject.id_number, ctx.today)
        .ok()
        .map(|id| id.region);
    // The card's address is the current household registration; the number keeps the place of
    // first issue, so the address wins when it is given.
    let home = match (from_address, from_number) {
        (Some(province), _) => Some(province),
        (None, Some(code)) => Province::by_code(code),
        (None, None) => None,
    };
    const RESIDENCE_PERMIT: [&str; 7] = ["上海", "广东", "浙江", "山东", "福建", "湖北", "江西"];
    const LOCAL_ONLY: [&str; 7] = ["内蒙古", "山西", "新疆", "青海", "宁夏", "广西", "甘肃"];
    let away = match home {
        Some(home) => home != target,
        // A Hong Kong, Macao or Taiwan residence-permit number (81, 82, 83) names no province.
        None => from_number.is_some(),
    };
    if away {
        let from = home.map_or("外省", |p| p.name);
        let (zh, en) = if LOCAL_ONLY.contains(&target.name) {
            (
                format!("身份证属于{from}，{target}只接受本省身份证的个人备案（省级规定，常有变化）：请在证件所在省备案。"),
                format!("The ID is from {from}; {target} accepts individual filings with local IDs only (provincial, changes often): file in your ID's province."),
            )
        } else if RESIDENCE_PERMIT.contains(&target.name) {
            (
                format!("身份证属于{from}，在{target}备案需要上传{target}的居住证（省级规定，常有变化）。"),
                format!("The ID is from {from}; filing in {target} needs a local residence permit (居住证) (provincial, changes often)."),
            )
        } else {
            (
                format!("身份证属于{from}，跨省个人备案多数省份要求本地居住证或只收本省身份证（省级规定）：先向接入商确认{target}的要求。"),
                format!("The ID is from {from}; most provinces want a local residence permit for individuals from elsewhere, or accept local IDs only (provincial): check {target}'s rule with the provider."),
            )
        };
        out.finding("cross-province", Warning, CROSS_PROVINCE)
            .at("province")
            .says(zh, en);
    } else if target.name == "上海" && !subject.id_number.trim().starts_with("310") {
        out.finding("cross-province", Warning, CROSS_PROVINCE)
            .at("subject.id_number")
            .says(
                "证件地址在上海、身份证号码却不以 310 开头：上海还要求居住证或户籍证明（京东云上海规则，省级规定）。",
                "A Shanghai address on an ID number that does not start with 310: Shanghai also asks for a residence permit or household proof (JD Cloud's Shanghai rules; provincial).",
            );
    }
}

/// Most bureaus want the legal representative as the subject's head; several provinces want an
/// authorisation letter when the website's head is someone else. Source: reasons 8, 9 [T13, H1,
/// H6, I1, T11, Q8, H13] (⚠ the provincial lists of Tencent and Huawei disagree): warnings.
fn heads_are_legal_representative(ctx: &Context<'_>, out: &mut Findings) {
    let subject = &ctx.filing.subject;
    if subject.kind == SubjectKind::Individual {
        return;
    }
    let Some(legal) = subject.legal_representative.as_deref() else {
        return;
    };
    if compare_names(&subject.head.name, legal) == NameMatch::Different {
        out.finding("legal-representative", Warning, AUTHORIZATION_LETTER)
            .at("subject.head.name")
            .says(
                format!("主体负责人\"{}\"不是法定代表人\"{legal}\"：多数管局要求由法定代表人担任，少数省份可凭法人授权书（各省名单说法不一，省级规定）。", subject.head.name),
                format!("The subject's head \"{}\" is not the legal representative \"{legal}\": most bureaus require the legal representative; a few accept an authorisation letter (provincial lists disagree).", subject.head.name),
            );
    }
    const LETTER: [&str; 10] = [
        "天津", "上海", "安徽", "福建", "江西", "湖南", "湖北", "重庆", "四川", "贵州",
    ];
    let province = ctx.filing.province;
    if !LETTER.contains(&province.name) {
        return;
    }
    for (i, site) in ctx.filing.websites.iter().enumerate() {
        if compare_names(&site.head.name, legal) == NameMatch::Different {
            out.finding("legal-representative", Warning, AUTHORIZATION_LETTER)
                .at(format!("websites[{i}].head.name"))
                .says(
                    format!("网站负责人\"{}\"不是法定代表人：腾讯云列出{province}需要上传盖章的网站负责人授权书（省级规定）。", site.head.name),
                    format!("The website's head \"{}\" is not the legal representative: Tencent lists {province} as requiring a stamped authorisation letter (provincial).", site.head.name),
                );
        }
    }
}
