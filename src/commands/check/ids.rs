//! Check digits of Chinese identity numbers: the resident ID number (GB 11643-1999, ISO 7064
//! MOD 11-2) and the unified social credit code (GB 32100-2015). A wrong check digit means a typo:
//! the bureau's authority-database comparison will fail.

use time::{Date, Month};

/// Why an ID number (居民身份证号码) is not well-formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdProblem {
    /// Not 18 characters.
    Length(usize),
    /// Something other than 17 digits followed by a digit or X.
    Characters,
    /// Characters 7–14 are not a past calendar date.
    BirthDate,
    CheckDigit {
        expected: char,
        found: char,
    },
}

/// A well-formed ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdNumber {
    /// The first two digits: the province (GB/T 2260) where it was issued.
    pub region: u8,
}

/// GB 11643-1999 weights 2^(17-i) mod 11, and the check character for each sum mod 11.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits.
pub fn id_check_char(body: &[u8; 17]) -> char {
    let sum: u32 = body
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    ID_CHECK[(sum % 11) as usize]
}

/// Validates an 18-character ID number. A lowercase x is accepted as X.
pub fn validate_id_number(text: &str, today: Date) -> Result<IdNumber, IdProblem> {
    let text = text.trim().to_ascii_uppercase();
    let count = text.chars().count();
    if count != 18 {
        return Err(IdProblem::Length(count));
    }
    let bytes = text.as_bytes();
    let body: [u8; 17] = bytes[..17].try_into().map_err(|_| IdProblem::Characters)?;
    let last = bytes[17];
    if !body.iter().all(u8::is_ascii_digit) || !(last.is_ascii_digit() || last == b'X') {
        return Err(IdProblem::Characters);
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let birth = Month::try_from(number(10..12) as u8)
        .ok()
        .and_then(|month| {
            Date::from_calendar_date(number(6..10) as i32, month, number(12..14) as u8).ok()
        });
    if !birth.is_some_and(|birth| birth <= today && birth.year() >= 1850) {
        return Err(IdProblem::BirthDate);
    }
    let expected = id_check_char(&body);
    if char::from(last) != expected {
        return Err(IdProblem::CheckDigit {
            expected,
            found: char::from(last),
        });
    }
    Ok(IdNumber {
        region: number(0..2) as u8,
    })
}

/// Why a unified social credit code (统一社会信用代码) is not well-formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsccProblem {
    Length(usize),
    /// A character outside the code's alphabet (digits and capitals without I, O, S, V, Z).
    Character(char),
    /// Characters 3–8 (the division code) are not digits.
    Division,
    CheckDigit {
        expected: char,
        found: char,
    },
}

/// A well-formed credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uscc {
    /// Characters 3–4: the province (GB/T 2260) of the registration authority; 10 is national.
    pub region: u8,
}

/// GB 32100-2015: 31 characters; weights 3^i mod 31.
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters, each already in the alphabet.
pub fn uscc_check_char(body: &[char; 17]) -> Option<char> {
    let mut sum = 0;
    for (c, weight) in body.iter().zip(USCC_WEIGHTS) {
        sum += uscc_value(*c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(check as usize)
}

/// Validates an 18-character unified social credit code. Lowercase letters are accepted.
pub fn validate_uscc(text: &str) -> Result<Uscc, UsccProblem> {
    let chars: Vec<char> = text
        .trim()
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != 18 {
        return Err(UsccProblem::Length(chars.len()));
    }
    if let Some(&bad) = chars.iter().find(|c| uscc_value(**c).is_none()) {
        return Err(UsccProblem::Character(bad));
    }
    if !chars[2..8].iter().all(char::is_ascii_digit) {
        return Err(UsccProblem::Division);
    }
    let body: [char; 17] = chars[..17].try_into().expect("18 characters");
    let expected = uscc_check_char(&body).ok_or(UsccProblem::Character(chars[17]))?;
    if chars[17] != expected {
        return Err(UsccProblem::CheckDigit {
            expected,
            found: chars[17],
        });
    }
    let region = chars[2].to_digit(10).unwrap_or(0) * 10 + chars[3].to_digit(10).unwrap_or(0);
    Ok(Uscc {
        region: region as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Numbers here are made by the algorithm in the test, written independently of the code under
    // test: weights as powers mod the modulus, never a table. None is a real person's number.

    fn today() -> Date {
        Date::from_calendar_date(2026, Month::March, 10).unwrap()
    }

    fn make_id(body: &str) -> String {
        assert_eq!(body.len(), 17);
        let sum: u64 = body
            .bytes()
            .enumerate()
            .map(|(i, d)| u64::from(d - b'0') * (2u64.pow(17 - i as u32) % 11))
            .sum();
        let check = (12 - sum % 11) % 11;
        let check = if check == 10 {
            'X'
        } else {
            char::from_digit(check as u32, 10).unwrap()
        };
        format!("{body}{check}")
    }

    fn make_uscc(body: &str) -> String {
        const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        let sum: usize = body
            .chars()
            .enumerate()
            .map(|(i, c)| ALPHABET.find(c).unwrap() * (3usize.pow(i as u32) % 31))
            .sum();
        let check = (31 - sum % 31) % 31;
        format!("{body}{}", ALPHABET.chars().nth(check).unwrap())
    }

    #[test]
    fn generated_id_numbers_pass_and_every_wrong_check_digit_fails() {
        // Bodies without zero digits too, so that every weight takes part.
        for body in [
            "33010619900101000",
            "11010120000229000",
            "51372219880712345",
            "37142619760928517",
        ] {
            let id = make_id(body);
            assert_eq!(
                validate_id_number(&id, today()).map(|n| n.region),
                Ok(body[..2].parse().unwrap()),
                "{id}"
            );
            for wrong in "0123456789X".chars().filter(|c| !id.ends_with(*c)) {
                let bad = format!("{body}{wrong}");
                assert!(
                    matches!(
                        validate_id_number(&bad, today()),
                        Err(IdProblem::CheckDigit { .. })
                    ),
                    "{bad}"
                );
            }
        }
    }

    #[test]
    fn an_x_check_digit_is_found_and_lowercase_x_accepted() {
        let body = (0..1000)
            .map(|n| format!("33010619900101{n:03}"))
            .find(|body| make_id(body).ends_with('X'))
            .unwrap();
        let id = make_id(&body);
        assert!(validate_id_number(&id, today()).is_ok());
        assert!(validate_id_number(&id.to_lowercase(), today()).is_ok());
    }

    #[test]
    fn malformed_id_numbers_say_why() {
        assert_eq!(
            validate_id_number("3301061990", today()),
            Err(IdProblem::Length(10))
        );
        assert_eq!(
            validate_id_number("33010619900101A001", today()),
            Err(IdProblem::Characters)
        );
        let feb30 = make_id("33010619900230000");
        assert_eq!(
            validate_id_number(&feb30, today()),
            Err(IdProblem::BirthDate)
        );
        let future = make_id("33010620300101000");
        assert_eq!(
            validate_id_number(&future, today()),
            Err(IdProblem::BirthDate)
        );
    }

    #[test]
    fn generated_credit_codes_pass_and_wrong_check_characters_fail() {
        for body in [
            "91330106MA2AAAAA0",
            "12440300000000000",
            "Y2332211PLKJHGFD9",
            "93321987ABCDEFGH1",
        ] {
            let code = make_uscc(body);
            assert_eq!(
                validate_uscc(&code).map(|c| c.region),
                Ok(body[2..4].parse().unwrap()),
                "{code}"
            );
            assert!(validate_uscc(&code.to_lowercase()).is_ok());
            let last = code.chars().last().unwrap();
            for wrong in "0123456789ABCDEFGHJKLMNPQRTUWXY"
                .chars()
                .filter(|c| *c != last)
            {
                let bad = format!("{body}{wrong}");
                assert!(
                    matches!(validate_uscc(&bad), Err(UsccProblem::CheckDigit { .. })),
                    "{bad}"
                );
            }
        }
    }

    #[test]
    fn malformed_credit_codes_say_why() {
        assert_eq!(validate_uscc("91330106"), Err(UsccProblem::Length(8)));
        assert_eq!(
            validate_uscc("91330106MA2AAAAI0X"),
            Err(UsccProblem::Character('I'))
        );
        assert_eq!(
            validate_uscc("91AB0106MA2AAAAA0X"),
            Err(UsccProblem::Division)
        );
    }
}
