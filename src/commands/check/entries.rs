//! The knowledge-base entries findings point at (ids of kb-spec §2, stable by contract).

pub const SUBJECT_MISMATCH: &str = "rejection/subject-mismatch";
pub const DOCUMENT_INVALID: &str = "rejection/document-invalid";
pub const DOCUMENT_EXPIRED: &str = "rejection/document-expired";
pub const MULTIPLE_DOMAINS: &str = "rejection/multiple-domains";
pub const SITE_NAME_INVALID: &str = "rejection/site-name-invalid";
pub const SITE_REMARK_INSUFFICIENT: &str = "rejection/site-remark-insufficient";
pub const PERSONAL_SITE_COMMERCIAL: &str = "rejection/personal-site-commercial";
pub const PRE_APPROVAL_MISSING: &str = "rejection/pre-approval-missing";
pub const ADDRESS_INCOMPLETE: &str = "rejection/address-incomplete";
pub const PHONE_OWNERSHIP: &str = "rejection/phone-ownership";
pub const CONTACT_UNREACHABLE: &str = "rejection/contact-unreachable";
pub const SMS_VERIFICATION_FAILED: &str = "rejection/sms-verification-failed";
pub const DOMAIN_NOT_VERIFIED: &str = "rejection/domain-not-verified";
pub const DOMAIN_STATUS_ABNORMAL: &str = "rejection/domain-status-abnormal";
pub const DOMAIN_SUFFIX_UNSUPPORTED: &str = "rejection/domain-suffix-unsupported";
pub const REGISTRAR_NOT_APPROVED: &str = "rejection/registrar-not-approved";
pub const ALREADY_FILED: &str = "rejection/already-filed";
pub const CROSS_PROVINCE: &str = "rejection/cross-province";
pub const AUTHORIZATION_LETTER: &str = "rejection/authorization-letter";
pub const RESOURCE_UNSUITABLE: &str = "rejection/resource-unsuitable";
pub const ACCESS_INFO_MISMATCH: &str = "rejection/access-info-mismatch";
pub const OVERSEAS_HOSTING: &str = "scenario/overseas-hosting";
pub const FOREIGN_ENTITY: &str = "scenario/foreign-entity";
pub const CHANGE_FILING: &str = "scenario/change-filing";
pub const FIRST_FILING: &str = "scenario/first-filing";
pub const PREPARE_MATERIALS: &str = "process/prepare-materials";

/// Every id above; a test checks each against the built-in knowledge base.
pub const ALL: [&str; 26] = [
    SUBJECT_MISMATCH,
    DOCUMENT_INVALID,
    DOCUMENT_EXPIRED,
    MULTIPLE_DOMAINS,
    SITE_NAME_INVALID,
    SITE_REMARK_INSUFFICIENT,
    PERSONAL_SITE_COMMERCIAL,
    PRE_APPROVAL_MISSING,
    ADDRESS_INCOMPLETE,
    PHONE_OWNERSHIP,
    CONTACT_UNREACHABLE,
    SMS_VERIFICATION_FAILED,
    DOMAIN_NOT_VERIFIED,
    DOMAIN_STATUS_ABNORMAL,
    DOMAIN_SUFFIX_UNSUPPORTED,
    REGISTRAR_NOT_APPROVED,
    ALREADY_FILED,
    CROSS_PROVINCE,
    AUTHORIZATION_LETTER,
    RESOURCE_UNSUITABLE,
    ACCESS_INFO_MISMATCH,
    OVERSEAS_HOSTING,
    FOREIGN_ENTITY,
    CHANGE_FILING,
    FIRST_FILING,
    PREPARE_MATERIALS,
];

#[cfg(test)]
mod tests {

    #[test]
    fn every_entry_a_finding_can_point_at_exists() {
        let kb = crate::builtin::knowledge_base();
        for id in super::ALL {
            assert!(kb.get(id).is_some(), "{id} is not in knowledge/");
        }
    }
}
