//! Rules about websites and their domains.

use super::support::*;
use beian::commands::check::{Finding, Severity};

const SECOND_DOMAIN: &str = r#"
[[websites.domains]]
name = "example.net"
registrant = "杭州测试网络有限公司"
registrar = "阿里云"
verified_on = "2026-01-05"
expires_on = "2030-01-05"
"#;

#[test]
fn a_website_lists_one_domain_on_first_filings_and_new_sites() {
    let two = format!("{}{SECOND_DOMAIN}", organisation());
    let f = fires(
        &findings(&two),
        "multiple-domains",
        Severity::Error,
        "rejection/multiple-domains",
        "websites[0].domains",
    );
    assert!(f.message.contains("example.net"));

    let new_site = with(
        &two,
        "filing_type = \"首次备案\"",
        "filing_type = \"新增网站\"",
    );
    let new_site = with(
        &new_site,
        "legal_representative",
        "filing_number = \"浙ICP备11111111号\"\nlegal_representative",
    );
    fires(
        &findings(&new_site),
        "multiple-domains",
        Severity::Error,
        "rejection/multiple-domains",
        "websites[0].domains",
    );

    let access = with(
        &new_site,
        "filing_type = \"新增网站\"",
        "filing_type = \"新增接入\"",
    );
    quiet(&findings(&access), "multiple-domains");

    let none = organisation();
    let start = none.find("[[websites.domains]]").unwrap();
    fires(
        &findings(&none[..start]),
        "multiple-domains",
        Severity::Error,
        "rejection/multiple-domains",
        "websites[0].domains",
    );

    quiet(&findings(&organisation()), "multiple-domains");
}

fn named(name: &str) -> Vec<Finding> {
    findings(&with(
        &individual(),
        "name = \"孙三的读书笔记\"",
        &format!("name = \"{name}\""),
    ))
}

fn org_named(name: &str) -> Vec<Finding> {
    findings(&with(
        &organisation(),
        "name = \"测试网络公司门户\"",
        &format!("name = \"{name}\""),
    ))
}

#[test]
fn site_names_follow_the_general_rules() {
    let error = |found: &[Finding], needle: &str| {
        let f = fires(
            found,
            "site-name",
            Severity::Error,
            "rejection/site-name-invalid",
            "websites[0].name",
        );
        assert!(
            found
                .iter()
                .any(|f| f.rule == "site-name" && f.message.contains(needle)),
            "{needle}: {f:?}"
        );
    };
    error(&named("Sun Notes 2026"), "只有数字或英文字母");
    error(&named("12345"), "只有数字或英文字母");
    error(&named("读书Notes"), "只有 2 个汉字");
    error(&named("孙三的读书笔记！"), "特殊符号");
    error(&named("example.cn读书笔记"), "域名");
    error(&org_named("测试网络赌博游戏"), "敏感词");
    error(&org_named("中国测试网络门户"), "非国家机关");
    error(&named("孙三科技官网"), "官网");
    error(&named("孙三工作室公司"), "公司");

    // State bodies may use the reserved prefixes.
    let state = with(&organisation(), "type = \"企业\"", "type = \"政府机关\"");
    let state = with(
        &state,
        "name = \"测试网络公司门户\"",
        "name = \"中国测试网络门户\"",
    );
    quiet(&findings(&state), "site-name");

    quiet(&named("孙三的读书笔记"), "site-name");
    quiet(&org_named("测试网络有限公司官网"), "site-name");
}

#[test]
fn provider_specific_name_rules_are_warnings() {
    let blog = named("孙三的技术博客");
    let f = fires(
        &blog,
        "site-name",
        Severity::Warning,
        "rejection/site-name-invalid",
        "websites[0].name",
    );
    assert!(f.message.contains("青云"), "{f:?}");
    assert!(
        !blog
            .iter()
            .any(|f| f.rule == "site-name" && f.severity == Severity::Error),
        "{blog:#?}"
    );
    quiet(&org_named("测试网络技术博客"), "site-name");

    let restricted = org_named("测试网络投诉中心");
    let f = fires(
        &restricted,
        "site-name",
        Severity::Warning,
        "rejection/site-name-invalid",
        "websites[0].name",
    );
    assert!(f.message.contains("华为云"), "{f:?}");

    // The subject's own name as the site name.
    let renamed = individual().replace("孙三", "孙小三");
    let person = findings(&with(
        &renamed,
        "name = \"孙小三的读书笔记\"",
        "name = \"孙小三\"",
    ));
    let f = fires(
        &person,
        "site-name",
        Severity::Warning,
        "rejection/site-name-invalid",
        "websites[0].name",
    );
    assert!(f.message.contains("人名"), "{f:?}");
}

#[test]
fn personal_sites_need_a_specific_description() {
    let missing = with(
        &individual(),
        "description = \"网站主要用于记录个人读书心得，以文字和少量图片展示，不涉及经营内容。\"\n",
        "",
    );
    fires(
        &findings(&missing),
        "site-description",
        Severity::Error,
        "rejection/site-remark-insufficient",
        "websites[0].description",
    );
    let vague = with(
        &individual(),
        "网站主要用于记录个人读书心得，以文字和少量图片展示，不涉及经营内容。",
        "个人网站",
    );
    fires(
        &findings(&vague),
        "site-description",
        Severity::Warning,
        "rejection/site-remark-insufficient",
        "websites[0].description",
    );
    let org = with(
        &organisation(),
        "description = \"公司门户网站，介绍公司业务和联系方式。\"\n",
        "",
    );
    quiet(&findings(&org), "site-description");
    quiet(&findings(&individual()), "site-description");
}

#[test]
fn personal_sites_stay_personal() {
    let forum = with(
        &individual(),
        "service_content = \"个人空间\"",
        "service_content = \"论坛\"",
    );
    fires(
        &findings(&forum),
        "personal-site-content",
        Severity::Warning,
        "rejection/personal-site-commercial",
        "websites[0].description",
    );
    let approvals = with(
        &individual(),
        "service_content = \"个人空间\"",
        "service_content = \"个人空间\"\npre_approvals = [\"新闻\"]",
    );
    fires(
        &findings(&approvals),
        "personal-site-content",
        Severity::Error,
        "rejection/personal-site-commercial",
        "websites[0].pre_approvals",
    );
    let org_forum = with(
        &organisation(),
        "service_content = \"单位门户网站\"",
        "service_content = \"论坛\"",
    );
    quiet(&findings(&org_forum), "personal-site-content");
    quiet(&findings(&individual()), "personal-site-content");
}

#[test]
fn pre_approval_keywords_warn_with_their_category() {
    let news = with(
        &organisation(),
        "介绍公司业务和联系方式",
        "发布行业新闻和公司动态",
    );
    let f = fires(
        &findings(&news),
        "pre-approval",
        Severity::Warning,
        "rejection/pre-approval-missing",
        "websites[0]",
    );
    assert!(
        f.message.contains("新闻") && f.message_en.contains("news"),
        "{f:?}"
    );

    let approved = with(
        &news,
        "service_content = \"单位门户网站\"",
        "service_content = \"单位门户网站\"\npre_approvals = [\"新闻\"]",
    );
    quiet(&findings(&approved), "pre-approval");

    let finance = with(
        &organisation(),
        "杭州测试网络有限公司",
        "杭州测试理财有限公司",
    );
    let f = fires(
        &findings(&finance),
        "pre-approval",
        Severity::Warning,
        "rejection/pre-approval-missing",
        "websites[0]",
    );
    assert!(f.message.contains("金融"), "{f:?}");

    let education = with(
        &organisation(),
        "介绍公司业务和联系方式",
        "提供在线培训课程",
    );
    let f = fires(
        &findings(&education),
        "pre-approval",
        Severity::Warning,
        "rejection/pre-approval-missing",
        "websites[0]",
    );
    assert!(f.message.contains("全国取消"), "{f:?}");

    // Only financial words count in the company's own name.
    let games_company = with(
        &organisation(),
        "杭州测试网络有限公司",
        "杭州测试游戏有限公司",
    );
    quiet(&findings(&games_company), "pre-approval");

    quiet(&findings(&organisation()), "pre-approval");
    quiet(&findings(&individual()), "pre-approval");
}

#[test]
fn domains_wait_three_working_days_after_real_name_verification() {
    let field = "websites[0].domains[0].verified_on";
    // 2026-03-06 is a Friday: Monday and Tuesday make two working days by 2026-03-10.
    let fresh = with(
        &organisation(),
        "verified_on = \"2026-01-05\"",
        "verified_on = \"2026-03-06\"",
    );
    let f = fires(
        &findings(&fresh),
        "domain-verification",
        Severity::Error,
        "rejection/domain-not-verified",
        field,
    );
    assert!(
        f.message.contains("2 个工作日") && f.message.contains("2026-03-11"),
        "{f:?}"
    );

    let future = with(
        &organisation(),
        "verified_on = \"2026-01-05\"",
        "verified_on = \"2026-03-20\"",
    );
    let f = fires(
        &findings(&future),
        "domain-verification",
        Severity::Error,
        "rejection/domain-not-verified",
        field,
    );
    assert!(f.message.contains("2026-03-25"), "{f:?}");

    let three = with(
        &organisation(),
        "verified_on = \"2026-01-05\"",
        "verified_on = \"2026-03-05\"",
    );
    quiet(&findings(&three), "domain-verification");

    let missing = with(&organisation(), "verified_on = \"2026-01-05\"\n", "");
    fires(
        &findings(&missing),
        "domain-verification",
        Severity::Warning,
        "rejection/domain-not-verified",
        field,
    );

    quiet(&findings(&organisation()), "domain-verification");
}

#[test]
fn domains_stay_valid_with_the_provincial_margin() {
    let field = "websites[0].domains[0].expires_on";
    let expired = with(
        &organisation(),
        "expires_on = \"2030-01-05\"",
        "expires_on = \"2026-03-01\"",
    );
    fires(
        &findings(&expired),
        "domain-validity",
        Severity::Error,
        "rejection/domain-status-abnormal",
        field,
    );

    let two_months = with(
        &organisation(),
        "expires_on = \"2030-01-05\"",
        "expires_on = \"2026-05-10\"",
    );
    fires(
        &findings(&two_months),
        "domain-validity",
        Severity::Warning,
        "rejection/domain-status-abnormal",
        field,
    );

    // 150 days: enough in Zhejiang, not in Shanghai (more than 180 days).
    let five_months = with(
        &individual(),
        "expires_on = \"2030-01-05\"",
        "expires_on = \"2026-08-07\"",
    );
    quiet(&findings(&five_months), "domain-validity");
    let shanghai = with(&five_months, "province = \"浙江\"", "province = \"上海\"");
    let f = fires(
        &findings(&shanghai),
        "domain-validity",
        Severity::Warning,
        "rejection/domain-status-abnormal",
        field,
    );
    assert!(f.message.contains("180"), "{f:?}");

    let access = with(
        &expired,
        "filing_type = \"首次备案\"",
        "filing_type = \"新增接入\"",
    );
    let access = with(
        &access,
        "legal_representative",
        "filing_number = \"浙ICP备11111111号\"\nlegal_representative",
    );
    fires(
        &findings(&access),
        "domain-validity",
        Severity::Error,
        "rejection/access-info-mismatch",
        field,
    );

    let unknown = with(&organisation(), "expires_on = \"2030-01-05\"\n", "");
    fires(
        &findings(&unknown),
        "domain-validity",
        Severity::Info,
        "rejection/domain-status-abnormal",
        field,
    );

    quiet(&findings(&organisation()), "domain-validity");
}

#[test]
fn suffixes_and_registrars_are_flagged_where_known() {
    let io = with(
        &organisation(),
        "name = \"example.com\"",
        "name = \"example.io\"",
    );
    let f = fires(
        &findings(&io),
        "domain-suffix",
        Severity::Info,
        "rejection/domain-suffix-unsupported",
        "websites[0].domains[0].name",
    );
    assert!(f.message.contains(".io"), "{f:?}");
    quiet(&findings(&organisation()), "domain-suffix");

    let field = "websites[0].domains[0].registrar";
    let godaddy = with(
        &organisation(),
        "registrar = \"阿里云\"",
        "registrar = \"GoDaddy LLC\"",
    );
    fires(
        &findings(&godaddy),
        "registrar",
        Severity::Warning,
        "rejection/registrar-not-approved",
        field,
    );
    let intl = with(
        &organisation(),
        "registrar = \"阿里云\"",
        "registrar = \"阿里云国际站\"",
    );
    fires(
        &findings(&intl),
        "registrar",
        Severity::Warning,
        "rejection/registrar-not-approved",
        field,
    );
    quiet(&findings(&organisation()), "registrar");
}

#[test]
fn filings_about_websites_list_them() {
    let start = organisation().find("[[websites]]").unwrap();
    let no_sites = organisation()[..start].to_string();
    fires(
        &findings(&no_sites),
        "websites-present",
        Severity::Error,
        "process/prepare-materials",
        "websites",
    );
    let change = with(
        &no_sites,
        "filing_type = \"首次备案\"",
        "filing_type = \"变更主体\"",
    );
    let change = with(
        &change,
        "legal_representative",
        "filing_number = \"浙ICP备11111111号\"\nlegal_representative",
    );
    quiet(&findings(&change), "websites-present");
}
