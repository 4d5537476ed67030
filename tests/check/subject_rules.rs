//! Rules about the subject: registrant and account, numbers, documents, address, filing type, province, heads.

use super::support::*;
use beian::commands::check::Severity;

#[test]
fn registrant_and_account_must_be_the_subject() {
    let other = with(
        &organisation(),
        "registrant = \"杭州测试网络有限公司\"",
        "registrant = \"周四\"",
    );
    let f = fires(
        &findings(&other),
        "subject-mismatch",
        Severity::Error,
        "rejection/subject-mismatch",
        "websites[0].domains[0].registrant",
    );
    assert!(f.message.contains("周四") && f.message_en.contains("周四"));

    let legal_rep = with(
        &organisation(),
        "registrant = \"杭州测试网络有限公司\"",
        "registrant = \"赵一\"",
    );
    fires(
        &findings(&legal_rep),
        "subject-mismatch",
        Severity::Warning,
        "rejection/subject-mismatch",
        "websites[0].domains[0].registrant",
    );

    let brackets = with(
        &organisation(),
        "杭州测试网络有限公司",
        "杭州测试网络有限公司（滨江）",
    );
    let brackets = with(
        &brackets,
        "registrant = \"杭州测试网络有限公司（滨江）\"",
        "registrant = \"杭州测试网络有限公司(滨江)\"",
    );
    fires(
        &findings(&brackets),
        "subject-mismatch",
        Severity::Warning,
        "rejection/subject-mismatch",
        "websites[0].domains[0].registrant",
    );

    let account = with(
        &individual(),
        "real_name = \"孙三\"",
        "real_name = \"孙三的朋友\"",
    );
    fires(
        &findings(&account),
        "subject-mismatch",
        Severity::Error,
        "rejection/subject-mismatch",
        "account.real_name",
    );

    let unknown = with(&individual(), "registrant = \"孙三\"\n", "");
    let unknown = with(&unknown, "[account]\nreal_name = \"孙三\"\n", "");
    let found = findings(&unknown);
    fires(
        &found,
        "subject-mismatch",
        Severity::Info,
        "rejection/subject-mismatch",
        "websites[0].domains[0].registrant",
    );
    fires(
        &found,
        "subject-mismatch",
        Severity::Info,
        "rejection/subject-mismatch",
        "account.real_name",
    );

    quiet(&findings(&individual()), "subject-mismatch");
}

#[test]
fn id_numbers_and_credit_codes_need_their_check_digits() {
    let uscc = make_uscc("91330108MA2C00001");
    let bad = with(&organisation(), &uscc, &break_check(&uscc));
    let f = fires(
        &findings(&bad),
        "id-check-digit",
        Severity::Error,
        "rejection/document-invalid",
        "subject.id_number",
    );
    assert!(f.message.contains("GB 32100-2015"), "{f:?}");

    let head = make_id("33010819800101001");
    let bad = with(&organisation(), &head, &break_check(&head));
    let f = fires(
        &findings(&bad),
        "id-check-digit",
        Severity::Error,
        "rejection/document-invalid",
        "subject.head.id_number",
    );
    assert!(f.message.contains("GB 11643-1999"), "{f:?}");

    // An individual's one number appears three times: reported once.
    let id = make_id("33010619950505003");
    let bad = findings(&with(&individual(), &id, &break_check(&id)));
    assert_eq!(
        bad.iter().filter(|f| f.rule == "id-check-digit").count(),
        1,
        "{bad:#?}"
    );

    let passport = with(
        &organisation(),
        "name = \"钱二\"\n",
        "name = \"钱二\"\nid_type = \"护照\"\n",
    );
    let passport = with(&passport, &make_id("33010819900202002"), "E12345678");
    let found = findings(&passport);
    fires(
        &found,
        "foreign-document",
        Severity::Info,
        "scenario/foreign-entity",
        "websites[0].head.id_type",
    );
    quiet(&found, "id-check-digit");

    quiet(&findings(&organisation()), "id-check-digit");
}

#[test]
fn every_single_character_typo_in_a_number_is_caught() {
    // No zero digit: every weight of the algorithm takes part.
    let id = make_id("51372219880712345");
    let head = make_id("33010819800101001");
    for i in 0..18 {
        let mut typo: Vec<char> = id.chars().collect();
        typo[i] = match typo[i] {
            '9' | 'X' => '1',
            c => char::from_digit(c.to_digit(10).unwrap() + 1, 10).unwrap(),
        };
        let typo: String = typo.into_iter().collect();
        let found = findings(&with(&organisation(), &head, &typo));
        fires(
            &found,
            "id-check-digit",
            Severity::Error,
            "rejection/document-invalid",
            "subject.head.id_number",
        );
    }
    quiet(
        &findings(&with(&organisation(), &head, &id)),
        "id-check-digit",
    );

    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let uscc = make_uscc("Y2332211PLKJHGFD9");
    let original = make_uscc("91330108MA2C00001");
    for i in 0..18 {
        let mut typo: Vec<char> = uscc.chars().collect();
        let at = ALPHABET.find(typo[i]).unwrap();
        typo[i] = ALPHABET.chars().nth((at + 1) % 10).unwrap();
        let typo: String = typo.into_iter().collect();
        let found = findings(&with(&organisation(), &original, &typo));
        fires(
            &found,
            "id-check-digit",
            Severity::Error,
            "rejection/document-invalid",
            "subject.id_number",
        );
    }
}

#[test]
fn expired_documents_are_errors_and_expiring_ones_warnings() {
    let expired = with(
        &organisation(),
        "id_expiry = \"2036-01-01\"",
        "id_expiry = \"2026-03-09\"",
    );
    fires(
        &findings(&expired),
        "document-expiry",
        Severity::Error,
        "rejection/document-expired",
        "subject.head.id_expiry",
    );

    let soon = with(
        &organisation(),
        "id_expiry = \"2036-01-01\"",
        "id_expiry = \"2026-06-01\"",
    );
    fires(
        &findings(&soon),
        "document-expiry",
        Severity::Warning,
        "rejection/document-expired",
        "subject.head.id_expiry",
    );

    let today_is_last = with(
        &organisation(),
        "id_expiry = \"2036-01-01\"",
        "id_expiry = \"2026-03-10\"",
    );
    fires(
        &findings(&today_is_last),
        "document-expiry",
        Severity::Warning,
        "rejection/document-expired",
        "subject.head.id_expiry",
    );

    let licence = with(
        &organisation(),
        "document_expiry = \"长期\"",
        "document_expiry = 2025-12-31",
    );
    fires(
        &findings(&licence),
        "document-expiry",
        Severity::Error,
        "rejection/document-expired",
        "subject.document_expiry",
    );

    // One ID card in three places is one finding that names the other places.
    let individual_expired = findings(&individual().replace("2035-05-05", "2026-01-01"));
    let f = fires(
        &individual_expired,
        "document-expiry",
        Severity::Error,
        "rejection/document-expired",
        "subject.document_expiry",
    );
    assert!(f.message.contains("websites[0].head.id_expiry"), "{f:?}");
    assert_eq!(
        individual_expired
            .iter()
            .filter(|f| f.rule == "document-expiry")
            .count(),
        1
    );

    quiet(&findings(&organisation()), "document-expiry");
}

#[test]
fn mailing_addresses_go_down_to_the_house_number() {
    let vague = with(
        &organisation(),
        "mailing_address = \"浙江省杭州市滨江区江南大道1号2幢303室\"",
        "mailing_address = \"浙江省杭州市滨江区江南大道\"",
    );
    fires(
        &findings(&vague),
        "address-detail",
        Severity::Warning,
        "rejection/address-incomplete",
        "subject.mailing_address",
    );

    let chinese_numeral = with(&organisation(), "江南大道1号2幢303室", "江南大道一百号");
    quiet(&findings(&chinese_numeral), "address-detail");

    // Hebei wants the mailing address in the licence address's city.
    let hebei = with(
        &organisation(),
        &make_uscc("91330108MA2C00001"),
        &make_uscc("91130100MA2C00001"),
    );
    let hebei = with(&hebei, "province = \"浙江\"", "province = \"河北\"");
    let hebei = with(
        &hebei,
        "licence_address = \"浙江省杭州市滨江区江南大道1号\"",
        "licence_address = \"河北省石家庄市长安区中山路1号\"",
    );
    let same_city = with(
        &hebei,
        "mailing_address = \"浙江省杭州市滨江区江南大道1号2幢303室\"",
        "mailing_address = \"河北省石家庄市长安区中山路1号2室\"",
    );
    quiet(&findings(&same_city), "address-detail");
    let other_city = with(
        &hebei,
        "mailing_address = \"浙江省杭州市滨江区江南大道1号2幢303室\"",
        "mailing_address = \"河北省保定市竞秀区朝阳大街1号\"",
    );
    let f = fires(
        &findings(&other_city),
        "address-detail",
        Severity::Warning,
        "rejection/address-incomplete",
        "subject.mailing_address",
    );
    assert!(
        f.message.contains("保定市") && f.message.contains("石家庄市"),
        "{f:?}"
    );

    quiet(&findings(&organisation()), "address-detail");
}

#[test]
fn the_filing_type_fits_the_subject() {
    let numbered = with(
        &organisation(),
        "legal_representative",
        "filing_number = \"浙ICP备11111111号\"\nlegal_representative",
    );
    fires(
        &findings(&numbered),
        "filing-type",
        Severity::Error,
        "rejection/already-filed",
        "filing_type",
    );

    let new_site = with(
        &organisation(),
        "filing_type = \"首次备案\"",
        "filing_type = \"新增网站\"",
    );
    fires(
        &findings(&new_site),
        "filing-type",
        Severity::Error,
        "rejection/already-filed",
        "subject.filing_number",
    );
    let change = with(
        &organisation(),
        "filing_type = \"首次备案\"",
        "filing_type = \"变更网站\"",
    );
    fires(
        &findings(&change),
        "filing-type",
        Severity::Error,
        "scenario/change-filing",
        "subject.filing_number",
    );

    let fine = with(
        &numbered,
        "filing_type = \"首次备案\"",
        "filing_type = \"new-site\"",
    );
    quiet(&findings(&fine), "filing-type");

    // A number from another province.
    let elsewhere = with(&fine, "浙ICP备11111111号", "苏ICP备11111111号");
    fires(
        &findings(&elsewhere),
        "filing-type",
        Severity::Warning,
        "rejection/cross-province",
        "province",
    );
    let changing = with(
        &elsewhere,
        "filing_type = \"new-site\"",
        "filing_type = \"变更备案\"",
    );
    fires(
        &findings(&changing),
        "filing-type",
        Severity::Error,
        "rejection/cross-province",
        "province",
    );

    quiet(&findings(&organisation()), "filing-type");
}

#[test]
fn subjects_file_in_their_own_province() {
    // The credit code says Jiangsu (32).
    let jiangsu = with(
        &organisation(),
        &make_uscc("91330108MA2C00001"),
        &make_uscc("91320100MA2C00001"),
    );
    let jiangsu = with(
        &jiangsu,
        "licence_address = \"浙江省杭州市滨江区江南大道1号\"\n",
        "",
    );
    fires(
        &findings(&jiangsu),
        "cross-province",
        Severity::Error,
        "rejection/cross-province",
        "province",
    );

    let address = with(
        &organisation(),
        "licence_address = \"浙江省杭州市",
        "licence_address = \"江苏省南京市",
    );
    fires(
        &findings(&address),
        "cross-province",
        Severity::Error,
        "rejection/cross-province",
        "province",
    );

    // An individual with a Guangdong address: a residence permit in Zhejiang, local ID only in Gansu.
    let guangdong = with(
        &individual(),
        "licence_address = \"浙江省杭州市西湖区文一路2号\"",
        "licence_address = \"广东省深圳市南山区科技路1号\"",
    );
    let f = fires(
        &findings(&guangdong),
        "cross-province",
        Severity::Warning,
        "rejection/cross-province",
        "province",
    );
    assert!(f.message.contains("居住证"), "{f:?}");
    let gansu = with(&guangdong, "province = \"浙江\"", "province = \"甘肃\"");
    let f = fires(
        &findings(&gansu),
        "cross-province",
        Severity::Warning,
        "rejection/cross-province",
        "province",
    );
    assert!(f.message.contains("只接受本省身份证"), "{f:?}");

    // Without an address, the ID number's first two digits decide.
    let id = make_id("33010619950505003");
    let by_number = with(
        &individual(),
        "licence_address = \"浙江省杭州市西湖区文一路2号\"\n",
        "",
    );
    quiet(&findings(&by_number), "cross-province");
    let moved = with(&by_number, &id, &make_id("44030519950505003"));
    fires(
        &findings(&moved),
        "cross-province",
        Severity::Warning,
        "rejection/cross-province",
        "province",
    );

    // Shanghai: a Shanghai address on an ID whose number does not start with 310 needs a permit too.
    let shanghai = with(
        &individual(),
        "licence_address = \"浙江省杭州市西湖区文一路2号\"",
        "licence_address = \"上海市黄浦区南京东路1号\"",
    );
    let shanghai = with(&shanghai, "province = \"浙江\"", "province = \"上海\"");
    let moved_in = with(&shanghai, &id, &make_id("44030519950505003"));
    fires(
        &findings(&moved_in),
        "cross-province",
        Severity::Warning,
        "rejection/cross-province",
        "subject.id_number",
    );
    let born_there = with(&shanghai, &id, &make_id("31010119950505003"));
    quiet(&findings(&born_there), "cross-province");

    quiet(&findings(&organisation()), "cross-province");
    quiet(&findings(&individual()), "cross-province");
}

#[test]
fn heads_who_are_not_the_legal_representative_are_warned_about() {
    let head = with(
        &organisation(),
        "legal_representative = \"赵一\"",
        "legal_representative = \"吴五\"",
    );
    let found = findings(&head);
    fires(
        &found,
        "legal-representative",
        Severity::Warning,
        "rejection/authorization-letter",
        "subject.head.name",
    );
    // Zhejiang is not on Tencent's list of provinces that want a letter for the website's head.
    assert!(
        !found.iter().any(|f| f.field == "websites[0].head.name"),
        "{found:#?}"
    );

    let jiangxi = with(
        &organisation(),
        &make_uscc("91330108MA2C00001"),
        &make_uscc("91360100MA2C00001"),
    );
    let jiangxi = with(&jiangxi, "province = \"浙江\"", "province = \"江西\"");
    let jiangxi = with(
        &jiangxi,
        "licence_address = \"浙江省杭州市滨江区江南大道1号\"\n",
        "",
    );
    fires(
        &findings(&jiangxi),
        "legal-representative",
        Severity::Warning,
        "rejection/authorization-letter",
        "websites[0].head.name",
    );

    quiet(&findings(&organisation()), "legal-representative");
}
