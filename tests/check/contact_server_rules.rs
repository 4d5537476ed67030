//! Rules about contact details and the server.

use super::support::*;
use beian::commands::check::Severity;

#[test]
fn different_people_need_different_contacts() {
    let shared_mobile = with(
        &organisation(),
        "mobile = \"13900000012\"",
        "mobile = \"13900000011\"",
    );
    fires(
        &findings(&shared_mobile),
        "contacts-distinct",
        Severity::Error,
        "rejection/phone-ownership",
        "websites[0].head.mobile",
    );

    let shared_email = with(&organisation(), "qian@example.com", "ZHAO@example.com");
    fires(
        &findings(&shared_email),
        "contacts-distinct",
        Severity::Error,
        "rejection/phone-ownership",
        "websites[0].head.email",
    );

    // The same person (same ID) in two roles must give identical details.
    let same = individual();
    let second_mobile = same.rfind("mobile = \"13900000021\"").unwrap();
    let changed = format!(
        "{}mobile = \"13900000023\"{}",
        &same[..second_mobile],
        &same[second_mobile + 22..]
    );
    fires(
        &findings(&changed),
        "contacts-distinct",
        Severity::Error,
        "rejection/phone-ownership",
        "websites[0].head.mobile",
    );

    quiet(&findings(&organisation()), "contacts-distinct");
    quiet(&findings(&individual()), "contacts-distinct");
}

#[test]
fn the_emergency_phone_is_nobody_s_mobile() {
    let own = with(
        &individual(),
        "emergency_phone = \"13900000022\"",
        "emergency_phone = \"+86 139-0000-0021\"",
    );
    fires(
        &findings(&own),
        "emergency-phone",
        Severity::Error,
        "rejection/phone-ownership",
        "subject.head.emergency_phone",
    );

    let others = with(
        &organisation(),
        "emergency_phone = \"0571-86000011\"",
        "emergency_phone = \"13900000012\"",
    );
    let f = fires(
        &findings(&others),
        "emergency-phone",
        Severity::Error,
        "rejection/phone-ownership",
        "subject.head.emergency_phone",
    );
    assert!(f.message.contains("钱二"), "{f:?}");

    quiet(&findings(&organisation()), "emergency-phone");
}

#[test]
fn phones_and_emails_are_well_formed() {
    let landline = with(
        &organisation(),
        "mobile = \"13900000011\"",
        "mobile = \"0571-86000012\"",
    );
    fires(
        &findings(&landline),
        "phone-format",
        Severity::Error,
        "rejection/phone-ownership",
        "subject.head.mobile",
    );

    // The sources say only that some virtual or new ranges cannot receive the SMS, not which: a
    // well-formed number is not flagged for its range.
    let virtual_range = with(
        &organisation(),
        "mobile = \"13900000011\"",
        "mobile = \"17000000011\"",
    );
    quiet(&findings(&virtual_range), "phone-format");

    let short = with(
        &organisation(),
        "emergency_phone = \"0571-86000011\"",
        "emergency_phone = \"110\"",
    );
    fires(
        &findings(&short),
        "phone-format",
        Severity::Error,
        "rejection/contact-unreachable",
        "subject.head.emergency_phone",
    );

    let email = with(&organisation(), "zhao@example.com", "zhao.example.com");
    fires(
        &findings(&email),
        "email-format",
        Severity::Error,
        "rejection/contact-unreachable",
        "subject.head.email",
    );

    let found = findings(&organisation());
    quiet(&found, "phone-format");
    quiet(&found, "email-format");
}

#[test]
fn servers_outside_the_mainland_need_no_filing() {
    let overseas = with(&organisation(), "mainland = true", "mainland = false");
    let overseas = with(
        &overseas,
        "billing = \"包年包月\"",
        "billing = \"按量付费\"",
    );
    let found = findings(&overseas);
    fires(
        &found,
        "overseas-server",
        Severity::Info,
        "scenario/overseas-hosting",
        "server.mainland",
    );
    quiet(&found, "server-resource");
    quiet(&findings(&organisation()), "overseas-server");
}

#[test]
fn filing_servers_are_prepaid_and_valid_through_the_review() {
    let payg = with(
        &individual(),
        "billing = \"包年包月\"",
        "billing = \"pay-as-you-go\"",
    );
    let f = fires(
        &findings(&payg),
        "server-resource",
        Severity::Warning,
        "rejection/resource-unsuitable",
        "server.billing",
    );
    assert!(f.message.contains("腾讯云"), "{f:?}");

    let short_term = with(&individual(), "term_months = 12", "term_months = 1");
    fires(
        &findings(&short_term),
        "server-resource",
        Severity::Warning,
        "rejection/resource-unsuitable",
        "server.term_months",
    );

    let expired = with(&individual(), "days_remaining = 300", "days_remaining = 0");
    fires(
        &findings(&expired),
        "server-resource",
        Severity::Error,
        "rejection/resource-unsuitable",
        "server.days_remaining",
    );

    let ending = with(&individual(), "days_remaining = 300", "days_remaining = 12");
    fires(
        &findings(&ending),
        "server-resource",
        Severity::Warning,
        "rejection/resource-unsuitable",
        "server.days_remaining",
    );

    let start = individual().find("[server]").unwrap();
    let end = individual().find("[[websites]]").unwrap();
    let no_server = format!("{}{}", &individual()[..start], &individual()[end..]);
    fires(
        &findings(&no_server),
        "server",
        Severity::Info,
        "rejection/resource-unsuitable",
        "server",
    );

    quiet(&findings(&individual()), "server-resource");
}
