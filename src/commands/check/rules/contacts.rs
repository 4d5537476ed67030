//! Rules about the responsible persons' contact details: numbers that can receive the MIIT SMS,
//! well-formed emails, and distinct contacts for distinct people.

use super::{phone_digits, Context, Findings};
use crate::commands::check::entries::*;
use crate::commands::check::filing::Person;
use crate::commands::check::Severity::Error;

pub(super) fn check(ctx: &Context<'_>, out: &mut Findings) {
    let persons = ctx.persons();
    for (field, person) in &persons {
        contact_details_are_well_formed(field, person, out);
    }
    same_person_same_details(&persons, out);
    different_people_different_details(&persons, out);
    emergency_phone_is_another_number(&persons, out);
}

/// A mainland mobile number: 11 digits starting with 1.
fn is_mainland_mobile(digits: &str) -> bool {
    digits.len() == 11 && digits.starts_with('1')
}

/// Mobiles must be the person's own, reachable mainland numbers that can receive the MIIT SMS from
/// 12381. Sources: reasons 19–24 and §2.4 [T4, T7, Q5, Q10, X9]. T4 says some virtual or new number
/// ranges cannot receive it, but not which; beian names no ranges (the entry
/// rejection/sms-verification-failed gives the advice).
fn contact_details_are_well_formed(field: &str, person: &Person, out: &mut Findings) {
    let mobile = phone_digits(&person.mobile);
    if !is_mainland_mobile(&mobile) {
        out.finding("phone-format", Error, PHONE_OWNERSHIP)
            .at(format!("{field}.mobile"))
            .says(
                format!("{}的手机号\"{}\"不是 11 位中国大陆手机号：工信部短信核验（12381）只发到负责人本人的大陆手机。", person.name, person.mobile),
                format!("{}'s mobile \"{}\" is not an 11-digit mainland number: the MIIT SMS check (12381) goes to the person's own mainland mobile.", person.name, person.mobile),
            );
    }
    if let Some(emergency) = &person.emergency_phone {
        let digits = phone_digits(emergency);
        if !(7..=12).contains(&digits.len()) {
            out.finding("phone-format", Error, CONTACT_UNREACHABLE)
                .at(format!("{field}.emergency_phone"))
                .says(
                    format!("{}的应急电话\"{emergency}\"不像一个可拨通的号码。", person.name),
                    format!("{}'s emergency phone \"{emergency}\" does not look like a number that can be dialled.", person.name),
                );
        }
    }
    if let Some(email) = &person.email {
        if !looks_like_email(email) {
            out.finding("email-format", Error, CONTACT_UNREACHABLE)
                .at(format!("{field}.email"))
                .says(
                    format!("{}的邮箱\"{email}\"格式不对：联系方式失效同样会被退回。", person.name),
                    format!("{}'s email \"{email}\" is malformed: invalid contact details are a reason for return.", person.name),
                );
        }
    }
}

fn looks_like_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !email.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
}

fn same_id(a: &Person, b: &Person) -> bool {
    a.id_number.trim().eq_ignore_ascii_case(b.id_number.trim())
}

fn same_email(a: &Option<String>, b: &Option<String>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.trim().eq_ignore_ascii_case(b.trim()))
}

/// One person (same ID number) in two roles gives identical details everywhere. Source: reason 21
/// [H1, I1, Q2, Q8, JD-Guangdong].
fn same_person_same_details(persons: &[(String, &Person)], out: &mut Findings) {
    for (i, (_, first)) in persons.iter().enumerate() {
        for (field, other) in &persons[i + 1..] {
            if !same_id(first, other) {
                continue;
            }
            let mut differing = Vec::new();
            if first.name.trim() != other.name.trim() {
                differing.push(("name", "姓名"));
            }
            if phone_digits(&first.mobile) != phone_digits(&other.mobile) {
                differing.push(("mobile", "手机号"));
            }
            if first.email.is_some()
                && other.email.is_some()
                && !same_email(&first.email, &other.email)
            {
                differing.push(("email", "邮箱"));
            }
            for (key, label) in differing {
                out.finding("contacts-distinct", Error, PHONE_OWNERSHIP)
                    .at(format!("{field}.{key}"))
                    .says(
                        format!("{field} 与前面的负责人是同一个人（证件号相同），{label}却不同：同一人担任多个负责人时，所有信息必须一致。"),
                        format!("{field} is the same person as an earlier head (same ID number) but the {key} differs: one person in several roles gives identical details."),
                    );
            }
        }
    }
}

/// Different people (different ID numbers) may not share a mobile or an email. Source: reasons
/// 20, 21 [H1, I1, Q2, Q8, JD-Guangdong, T11].
fn different_people_different_details(persons: &[(String, &Person)], out: &mut Findings) {
    for (i, (first_field, first)) in persons.iter().enumerate() {
        for (field, other) in &persons[i + 1..] {
            if same_id(first, other) {
                continue;
            }
            if phone_digits(&first.mobile) == phone_digits(&other.mobile) {
                out.finding("contacts-distinct", Error, PHONE_OWNERSHIP)
                    .at(format!("{field}.mobile"))
                    .says(
                        format!("{}和{}是不同的人，却填了同一个手机号 {}：不同负责人的手机号、邮箱必须各不相同，且须是本人号码。", first.name, other.name, other.mobile),
                        format!("{} and {} are different people with the same mobile {} ({first_field}): different heads need their own numbers and emails.", first.name, other.name, other.mobile),
                    );
            }
            if same_email(&first.email, &other.email) {
                out.finding("contacts-distinct", Error, PHONE_OWNERSHIP)
                    .at(format!("{field}.email"))
                    .says(
                        format!("{}和{}是不同的人，却填了同一个邮箱：不同负责人的邮箱必须各不相同。", first.name, other.name),
                        format!("{} and {} are different people with the same email ({first_field}): different heads need their own emails.", first.name, other.name),
                    );
            }
        }
    }
}

/// The emergency phone must differ from every responsible person's mobile. Source: reason 21
/// [H1, I1, JD-Guangdong] ("手机号码和应急号码不能重复").
fn emergency_phone_is_another_number(persons: &[(String, &Person)], out: &mut Findings) {
    for (field, person) in persons {
        let Some(emergency) = &person.emergency_phone else {
            continue;
        };
        let digits = phone_digits(emergency);
        let clash = persons
            .iter()
            .find(|(_, other)| phone_digits(&other.mobile) == digits);
        if let Some((_, owner)) = clash {
            let whose = if same_id(owner, person) {
                "本人".to_string()
            } else {
                owner.name.clone()
            };
            let whose_en = if same_id(owner, person) {
                "their own".to_string()
            } else {
                format!("{}'s", owner.name)
            };
            out.finding("emergency-phone", Error, PHONE_OWNERSHIP)
                .at(format!("{field}.emergency_phone"))
                .says(
                    format!("{}的应急电话 {emergency} 与{whose}的手机号相同：应急号码不能与任何负责人的手机号重复。", person.name),
                    format!("{}'s emergency phone {emergency} is {whose_en} mobile: it must differ from every head's mobile.", person.name),
                );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_email;

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(looks_like_email("zhang.san@example.cn"));
        assert!(!looks_like_email("zhang.san@example"));
        assert!(!looks_like_email("@example.cn"));
        assert!(!looks_like_email("zhang san@example.cn"));
        assert!(!looks_like_email("a@b@c.cn"));
    }
}
