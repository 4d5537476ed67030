//! Calendar dates in a filing: `YYYY-MM-DD` parsing, today's date in China, working days.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use time::{Date, Month, UtcOffset, Weekday};

/// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`, as Chinese forms often write it).
pub fn parse_date(text: &str) -> Result<Date, String> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    let invalid = || format!("'{text}' is not a date; write it as YYYY-MM-DD");
    let [year, month, day] = parts[..] else {
        return Err(invalid());
    };
    if year.len() != 4 || !(1..=2).contains(&month.len()) || !(1..=2).contains(&day.len()) {
        return Err(invalid());
    }
    let year: i32 = year.parse().map_err(|_| invalid())?;
    let month: u8 = month.parse().map_err(|_| invalid())?;
    let day: u8 = day.parse().map_err(|_| invalid())?;
    let month = Month::try_from(month).map_err(|_| invalid())?;
    Date::from_calendar_date(year, month, day)
        .map_err(|_| format!("'{text}' is not a calendar date"))
}

/// Today's date in China (UTC+8, no daylight saving): filings are judged by the bureau's calendar.
/// The only place that reads the clock; `beian check --today` replaces it in tests.
pub fn today_in_china() -> Date {
    let china = UtcOffset::from_hms(8, 0, 0).expect("+08:00 is a valid offset");
    time::OffsetDateTime::now_utc().to_offset(china).date()
}

/// Working days (Monday to Friday) after `from`, up to and including `to`. Public holidays are not
/// known offline, so the count can be higher than the bureau's around holidays.
pub fn working_days_between(from: Date, to: Date) -> i64 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        day = match day.next_day() {
            Some(next) => next,
            None => break,
        };
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            count += 1;
        }
    }
    count
}

/// `date` plus whole months, with the day clamped to the end of a shorter month.
pub fn add_months(date: Date, months: u32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months as i32;
    let year = index.div_euclid(12);
    let month = Month::try_from((index.rem_euclid(12) + 1) as u8).expect("1..=12");
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).whole_days()
}

/// A date written in the filing, from a string (TOML or JSON) or a TOML date literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FilingDate(pub Date);

impl fmt::Display for FilingDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )
    }
}

/// A document's validity: a last day, or 长期 (no expiry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Until(FilingDate),
    Permanent,
}

const PERMANENT: [&str; 4] = ["长期", "长期有效", "permanent", "long-term"];

struct DateVisitor {
    permanent_allowed: bool,
}

enum DateOrPermanent {
    Date(Date),
    Permanent,
}

impl<'de> Visitor<'de> for DateVisitor {
    type Value = DateOrPermanent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.permanent_allowed {
            f.write_str("a date as \"YYYY-MM-DD\" or \"长期\"")
        } else {
            f.write_str("a date as \"YYYY-MM-DD\"")
        }
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<DateOrPermanent, E> {
        if self.permanent_allowed && PERMANENT.contains(&text.trim()) {
            return Ok(DateOrPermanent::Permanent);
        }
        parse_date(text)
            .map(DateOrPermanent::Date)
            .map_err(E::custom)
    }

    // A TOML date literal (`2030-01-01` unquoted) arrives as a one-entry map holding its text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateOrPermanent, A::Error> {
        let Some((_, text)) = map.next_entry::<String, String>()? else {
            return Err(de::Error::custom("expected a date"));
        };
        if text.len() != 10 {
            return Err(de::Error::custom(format!(
                "'{text}' is not a plain date; write it as YYYY-MM-DD"
            )));
        }
        parse_date(&text)
            .map(DateOrPermanent::Date)
            .map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for FilingDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(DateVisitor {
            permanent_allowed: false,
        })? {
            DateOrPermanent::Date(date) => Ok(FilingDate(date)),
            DateOrPermanent::Permanent => Err(de::Error::custom("expected a date")),
        }
    }
}

impl<'de> Deserialize<'de> for Expiry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(
            match deserializer.deserialize_any(DateVisitor {
                permanent_allowed: true,
            })? {
                DateOrPermanent::Date(date) => Expiry::Until(FilingDate(date)),
                DateOrPermanent::Permanent => Expiry::Permanent,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn parses_dashes_and_slashes_and_rejects_the_rest() {
        assert_eq!(date("2026-03-05"), date("2026/3/5"));
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("20260305").is_err());
        assert!(parse_date("26-03-05").is_err());
        assert!(parse_date("2026-13-01").is_err());
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-03-06 is a Friday.
        assert_eq!(
            working_days_between(date("2026-03-06"), date("2026-03-06")),
            0
        );
        assert_eq!(
            working_days_between(date("2026-03-06"), date("2026-03-09")),
            1
        );
        assert_eq!(
            working_days_between(date("2026-03-06"), date("2026-03-11")),
            3
        );
        assert_eq!(
            working_days_between(date("2026-03-06"), date("2026-03-13")),
            5
        );
        assert_eq!(
            working_days_between(date("2026-03-13"), date("2026-03-06")),
            0
        );
    }

    #[test]
    fn months_clamp_to_the_end_of_short_months() {
        assert_eq!(add_months(date("2026-11-30"), 3), date("2027-02-28"));
        assert_eq!(add_months(date("2026-01-31"), 1), date("2026-02-28"));
        assert_eq!(add_months(date("2026-05-15"), 6), date("2026-11-15"));
        assert_eq!(add_months(date("2026-12-01"), 1), date("2027-01-01"));
    }

    #[test]
    fn toml_date_literals_strings_and_permanent_all_deserialize() {
        #[derive(Deserialize)]
        struct Doc {
            a: FilingDate,
            b: FilingDate,
            c: Expiry,
            d: Expiry,
        }
        let doc: Doc =
            toml::from_str("a = 2030-01-02\nb = \"2030-01-03\"\nc = \"长期\"\nd = 2031-05-06\n")
                .unwrap();
        assert_eq!(doc.a.to_string(), "2030-01-02");
        assert_eq!(doc.b.to_string(), "2030-01-03");
        assert_eq!(doc.c, Expiry::Permanent);
        assert_eq!(doc.d, Expiry::Until(FilingDate(date("2031-05-06"))));
        assert!(
            toml::from_str::<Doc>("a = \"长期\"\nb = 2030-01-03\nc = 1\nd = 2031-05-06\n").is_err()
        );
        let json: Doc = serde_json::from_str(
            r#"{"a":"2030-01-02","b":"2030-01-03","c":"permanent","d":"2031-05-06"}"#,
        )
        .unwrap();
        assert_eq!(json.c, Expiry::Permanent);
    }
}
