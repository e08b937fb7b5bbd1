//! INTERVAL text to [`Interval`] (months, days, microseconds).
//!
//! Grammar (Kùzu's, which follows DuckDB's):
//! `['@'] term+ [time]`, terms separated by optional whitespace, where
//! - a term is `[+|-]digits[.digits] ws* unit`, the unit any of Kùzu's names, in any case:
//!   `year(s)`/`yr(s)`/`y`, `month(s)`/`mon(s)`, `week(s)`/`w`, `day(s)`/`d`, `hour(s)`/`hr(s)`/
//!   `h`, `minute(s)`/`min(s)`/`m`, `second(s)`/`sec(s)`/`s`, `millisecond(s)`/`msec(s)`/`ms`,
//!   `microsecond(s)`/`usec(s)`/`us`, `decade(s)`, `century`/`centuries`, `millennium`/`millennia`,
//!   `quarter(s)` (and Kùzu's other spellings);
//! - a time is `[+|-]H+:M[M][:S[S][.f+]]`, the last thing in the text (hours may exceed 23).
//!
//! A term's fraction spreads into the smaller fields as Kùzu does (`1.5 days` is 1 day and 12
//! hours; `1.5 months` is 1 month and 15 days; a year's fraction becomes whole months).
//! Signs are a ruzu extension (Kùzu rejects `-1 day` although it prints negative intervals);
//! accepting them makes every interval writable and readable back. Leading or trailing
//! whitespace is invalid like for every other type. A total that does not fit `i32` months,
//! `i32` days or `i64` microseconds is out of range.

use super::ValueError;
use super::calendar::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use super::timestamp::parse_fraction;
use crate::types::Interval;

/// What a unit adds per whole number.
#[derive(Clone, Copy)]
enum Unit {
    /// This many months.
    Months(i128),
    /// This many days.
    Days(i128),
    /// This many microseconds.
    Micros(i128),
}

const FRACTION_ONE: i128 = 1_000_000;

/// Interval text to an [`Interval`] (see the module docs for the grammar).
pub(crate) fn parse_interval(s: &[u8]) -> Result<Interval, ValueError> {
    if s.first().is_none_or(u8::is_ascii_whitespace)
        || s.last().is_some_and(u8::is_ascii_whitespace)
    {
        return Err(ValueError::Invalid);
    }
    let mut pos = usize::from(s[0] == b'@');
    // Wide accumulators: each term is below 2^64 * 12_000 * 10^6, so overflow needs more terms
    // than a record can hold; checked anyway.
    let (mut months, mut days, mut micros) = (0i128, 0i128, 0i128);
    let mut found = false;
    loop {
        while s.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        if pos == s.len() {
            break;
        }
        let negative = match s[pos] {
            b'-' => {
                pos += 1;
                true
            }
            b'+' => {
                pos += 1;
                false
            }
            _ => false,
        };
        let start = pos;
        while s.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        if pos == start {
            return Err(ValueError::Invalid);
        }
        let sign = if negative { -1 } else { 1 };
        if s.get(pos) == Some(&b':') {
            let time = parse_interval_time(&s[start..])?;
            micros = add(micros, sign * time)?;
            found = true;
            break; // the time ends the text (parse_interval_time checked that)
        }
        let number = digits_value(&s[start..pos])?;
        let fraction = i128::from(parse_fraction(s, &mut pos)?);
        while s.get(pos).is_some_and(u8::is_ascii_whitespace) {
            pos += 1;
        }
        let unit_start = pos;
        while s.get(pos).is_some_and(|b| !b.is_ascii_whitespace()) {
            pos += 1;
        }
        let unit = unit(&s[unit_start..pos])?;
        let (n, f) = (sign * number, sign * fraction);
        match unit {
            Unit::Months(per) => {
                months = add(months, n * per + f * per / FRACTION_ONE)?;
                // A month's fraction (also what a quarter's leaves) becomes 30-day days.
                let rest = (f * per) % FRACTION_ONE;
                days = add(days, rest * 30 / FRACTION_ONE)?;
            }
            Unit::Days(per) => {
                days = add(days, n * per + f * per / FRACTION_ONE)?;
                let rest = (f * per) % FRACTION_ONE;
                micros = add(micros, rest * i128::from(MICROS_PER_DAY) / FRACTION_ONE)?;
            }
            Unit::Micros(1) => {
                // Kùzu rounds a fraction of a microsecond.
                micros = add(micros, n + 2 * f / FRACTION_ONE)?;
            }
            Unit::Micros(per) => {
                micros = add(micros, n * per + f * per / FRACTION_ONE)?;
            }
        }
        found = true;
    }
    if !found {
        return Err(ValueError::Invalid);
    }
    Ok(Interval {
        months: i32::try_from(months).map_err(|_| ValueError::OutOfRange)?,
        days: i32::try_from(days).map_err(|_| ValueError::OutOfRange)?,
        micros: i64::try_from(micros).map_err(|_| ValueError::OutOfRange)?,
    })
}

#[inline]
fn add(a: i128, b: i128) -> Result<i128, ValueError> {
    a.checked_add(b).ok_or(ValueError::OutOfRange)
}

/// The value of a digit string that fits `u64`, as `i128`.
fn digits_value(digits: &[u8]) -> Result<i128, ValueError> {
    let mut v: u64 = 0;
    for &b in digits {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(ValueError::OutOfRange)?;
    }
    Ok(i128::from(v))
}

/// `H+:M[M][:S[S][.f+]]` (all of `s`) to microseconds, unsigned.
fn parse_interval_time(s: &[u8]) -> Result<i128, ValueError> {
    let mut pos = 0;
    while s.get(pos).is_some_and(u8::is_ascii_digit) {
        pos += 1;
    }
    let hours = digits_value(&s[..pos])?;
    pos += 1; // the ':' the caller saw
    let minutes = super::date::one_or_two_digits(s, &mut pos)?;
    let mut seconds = 0;
    let mut fraction = 0;
    if s.get(pos) == Some(&b':') {
        pos += 1;
        seconds = super::date::one_or_two_digits(s, &mut pos)?;
        fraction = parse_fraction(s, &mut pos)?;
    }
    if pos != s.len() || minutes > 59 || seconds > 59 {
        return Err(ValueError::Invalid);
    }
    Ok(hours * i128::from(MICROS_PER_HOUR)
        + i128::from(minutes) * i128::from(MICROS_PER_MINUTE)
        + i128::from(seconds) * i128::from(MICROS_PER_SECOND)
        + i128::from(fraction))
}

/// A unit name, case-insensitive (Kùzu's spellings).
fn unit(name: &[u8]) -> Result<Unit, ValueError> {
    let mut buf = [0u8; 12];
    if name.is_empty() || name.len() > buf.len() {
        return Err(ValueError::Invalid);
    }
    let lower = &mut buf[..name.len()];
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    Ok(match &*lower {
        b"year" | b"years" | b"yr" | b"yrs" | b"y" => Unit::Months(12),
        b"month" | b"months" | b"mon" | b"mons" => Unit::Months(1),
        b"quarter" | b"quarters" => Unit::Months(3),
        b"decade" | b"decades" | b"dec" | b"decs" => Unit::Months(120),
        b"century" | b"centuries" | b"cent" | b"c" => Unit::Months(1_200),
        b"millennium" | b"millennia" | b"millenniums" | b"millenium" | b"milleniums" | b"mil"
        | b"mils" => Unit::Months(12_000),
        b"day" | b"days" | b"d" | b"dayofmonth" => Unit::Days(1),
        b"week" | b"weeks" | b"w" | b"weekofyear" => Unit::Days(7),
        b"hour" | b"hours" | b"hr" | b"hrs" | b"h" => Unit::Micros(MICROS_PER_HOUR.into()),
        b"minute" | b"minutes" | b"min" | b"mins" | b"m" => Unit::Micros(MICROS_PER_MINUTE.into()),
        b"second" | b"seconds" | b"sec" | b"secs" | b"s" => Unit::Micros(MICROS_PER_SECOND.into()),
        b"millisecond" | b"milliseconds" | b"msec" | b"msecs" | b"msecond" | b"mseconds"
        | b"ms" => Unit::Micros(1_000),
        b"microsecond" | b"microseconds" | b"usec" | b"usecs" | b"usecond" | b"useconds"
        | b"us" => Unit::Micros(1),
        _ => return Err(ValueError::Invalid),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(s: &str) -> Result<Interval, ValueError> {
        parse_interval(s.as_bytes())
    }

    fn i(months: i32, days: i32, micros: i64) -> Result<Interval, ValueError> {
        Ok(Interval {
            months,
            days,
            micros,
        })
    }

    const H: i64 = MICROS_PER_HOUR;
    const MIN: i64 = MICROS_PER_MINUTE;
    const S: i64 = MICROS_PER_SECOND;

    #[test]
    fn units_add_up_in_their_fields() {
        assert_eq!(iv("1 year 2 days"), i(12, 2, 0));
        assert_eq!(iv("3 hours 4 minutes"), i(0, 0, 3 * H + 4 * MIN));
        assert_eq!(iv("1 month"), i(1, 0, 0));
        assert_eq!(iv("2 weeks"), i(0, 14, 0));
        assert_eq!(iv("5 us 7 ms 1 s"), i(0, 0, 5 + 7_000 + S));
        assert_eq!(
            iv("1 decade 1 century 1 millennium"),
            i(120 + 1_200 + 12_000, 0, 0)
        );
        assert_eq!(iv("1 quarter"), i(3, 0, 0));
        assert_eq!(iv("@ 1 day"), i(0, 1, 0));
        assert_eq!(iv("1 day 1 day"), i(0, 2, 0));
    }

    #[test]
    fn unit_names_are_singular_plural_short_and_any_case() {
        for s in [
            "2 days", "2 day", "2 d", "2 DAYS", "2 Day", "2days", "2d", "2  days",
        ] {
            assert_eq!(iv(s), i(0, 2, 0), "{s:?}");
        }
        for s in ["1 h", "1 hr", "1 hrs", "1 hour", "1 HOURS"] {
            assert_eq!(iv(s), i(0, 0, H), "{s:?}");
        }
        for s in ["1 us", "1 usec", "1 microsecond", "1 microseconds"] {
            assert_eq!(iv(s), i(0, 0, 1), "{s:?}");
        }
        for s in ["1 m", "1 min", "1 mins", "1 minute"] {
            assert_eq!(iv(s), i(0, 0, MIN), "{s:?}");
        }
    }

    #[test]
    fn time_part_follows_terms() {
        assert_eq!(
            iv("2 days 03:04:05.123"),
            i(0, 2, 3 * H + 4 * MIN + 5 * S + 123_000)
        );
        assert_eq!(iv("03:04"), i(0, 0, 3 * H + 4 * MIN));
        assert_eq!(iv("100:00:00"), i(0, 0, 100 * H));
        assert_eq!(iv("-01:00:00"), i(0, 0, -H));
        assert_eq!(iv("1 year -00:00:00.000001"), i(12, 0, -1));
        assert_eq!(iv("00:00:00"), i(0, 0, 0));
    }

    #[test]
    fn signs_negate_terms() {
        assert_eq!(iv("-1 year"), i(-12, 0, 0));
        assert_eq!(iv("-1 years -2 months +3 days"), i(-14, 3, 0));
    }

    #[test]
    fn fractions_spread_into_smaller_fields() {
        assert_eq!(iv("1.5 days"), i(0, 1, 12 * H));
        assert_eq!(iv("1.5 months"), i(1, 15, 0));
        assert_eq!(iv("1.5 years"), i(18, 0, 0));
        assert_eq!(iv("1.5 hours"), i(0, 0, H + 30 * MIN));
        assert_eq!(iv("0.5 weeks"), i(0, 3, 12 * H));
        assert_eq!(iv("-1.5 days"), i(0, -1, -12 * H));
        assert_eq!(iv("1.5 us"), i(0, 0, 2));
    }

    #[test]
    fn malformed_intervals_are_invalid() {
        for s in [
            "",
            "@",
            " 1 day",
            "1 day ",
            "day",
            "1",
            "1 fortnight",
            "1 day 2",
            "1 days2",
            "- 1 day",
            "1 day 01:00:00 1 day",
            "01:60:00",
            "01:00:60",
            "01:",
            "1.day",
            "1. day",
            "x",
        ] {
            assert_eq!(iv(s), Err(ValueError::Invalid), "{s:?}");
        }
    }

    #[test]
    fn overflowing_fields_are_out_of_range() {
        assert_eq!(iv("2147483647 days"), i(0, i32::MAX, 0));
        assert_eq!(iv("2147483648 days"), Err(ValueError::OutOfRange));
        assert_eq!(iv("-2147483648 days"), i(0, i32::MIN, 0));
        assert_eq!(iv("178956971 years"), Err(ValueError::OutOfRange));
        assert_eq!(iv("9223372036854775807 us"), i(0, 0, i64::MAX));
        assert_eq!(
            iv("9223372036854775807 us 1 us"),
            Err(ValueError::OutOfRange)
        );
        assert_eq!(iv("99999999999999999999 days"), Err(ValueError::OutOfRange));
        assert_eq!(iv("2562047789:00:00"), Err(ValueError::OutOfRange));
    }

    #[test]
    fn kuzu_corpus_intervals_read_as_kuzu_reads_them() {
        // tinysnb/vPerson.csv, eKnows.csv and csv-sniffing-test/date.csv.
        assert_eq!(
            iv("3 years 2 days 13 hours 2 minutes"),
            i(36, 2, 13 * H + 2 * MIN)
        );
        assert_eq!(
            iv("10 years 5 months 13 hours 24 us"),
            i(125, 0, 13 * H + 24)
        );
        assert_eq!(
            iv("48 hours 24 minutes 11 seconds"),
            i(0, 0, 48 * H + 24 * MIN + 11 * S)
        );
        assert_eq!(iv("20 years 30 days 48 hours"), i(240, 30, 48 * H));
        assert_eq!(
            iv("1000 millennia 3 year 2 months 1 day"),
            i(12_000_000 + 38, 1, 0)
        );
        assert_eq!(iv("15 s 12 us"), i(0, 0, 15 * S + 12));
        assert_eq!(
            iv("555555 decades 5 dec 1 cent 5 w"),
            i(555_555 * 120 + 600 + 1_200, 35, 0)
        );
    }
}
