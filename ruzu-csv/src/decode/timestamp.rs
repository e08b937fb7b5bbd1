//! TIMESTAMP text to microseconds since 1970-01-01 00:00:00 UTC.
//!
//! Accepted (Kùzu's rules, without its whitespace trimming):
//! `DATE[(' '|'T')H[H]:M[M]:S[S][.f*][Z][(+|-)HH[[:]MM]]]` where `DATE` is what DATE accepts.
//! A date alone is midnight. Fractions keep their first six digits (microseconds) and ignore
//! the rest, as Kùzu; a bare `.` is no fraction (Kùzu accepts `12:00:00.` too). An offset is
//! subtracted to give UTC (`12:00+02:00` is `10:00` UTC); `Z` may stand alone or precede an
//! offset. Hours are 0..=23, minutes and seconds 0..=59, offset hours 0..=23 and minutes 0..=59.
//! A result that does not fit `i64` is out of range.

use super::ValueError;
use super::calendar::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use super::date::{fixed_date, one_or_two_digits, parse_date_prefix};

/// Timestamp text to microseconds since the epoch, UTC (see the module docs for the forms).
#[inline]
pub(crate) fn parse_timestamp(s: &[u8]) -> Result<i64, ValueError> {
    // Common form first: `YYYY-MM-DD` at fixed positions.
    let (days, mut pos) = match s.get(..10).and_then(fixed_date) {
        Some(days) => (i64::from(days?), 10),
        None => parse_date_prefix(s)?,
    };
    if pos == s.len() {
        return days
            .checked_mul(MICROS_PER_DAY)
            .ok_or(ValueError::OutOfRange);
    }
    if !matches!(s[pos], b' ' | b'T') {
        return Err(ValueError::Invalid);
    }
    pos += 1;
    let time = parse_time(s, &mut pos)?;
    let offset = parse_offset(s, &mut pos)?;
    if pos != s.len() {
        return Err(ValueError::Invalid);
    }
    let micros = i128::from(days) * i128::from(MICROS_PER_DAY) + i128::from(time - offset);
    i64::try_from(micros).map_err(|_| ValueError::OutOfRange)
}

/// `H[H]:M[M]:S[S][.f+]` at `*pos` to microseconds since midnight.
#[inline]
fn parse_time(s: &[u8], pos: &mut usize) -> Result<i64, ValueError> {
    let (hour, minute, second);
    let rest = &s[*pos..];
    // Fixed `hh:mm:ss` first.
    if rest.len() >= 8 && rest[2] == b':' && rest[5] == b':' {
        let d = |i: usize| u32::from(rest[i].wrapping_sub(b'0'));
        let digits = [d(0), d(1), d(3), d(4), d(6), d(7)];
        if digits.iter().any(|&x| x > 9) {
            return Err(ValueError::Invalid);
        }
        hour = digits[0] * 10 + digits[1];
        minute = digits[2] * 10 + digits[3];
        second = digits[4] * 10 + digits[5];
        *pos += 8;
    } else {
        hour = one_or_two_digits(s, pos)?;
        expect_byte(s, pos, b':')?;
        minute = one_or_two_digits(s, pos)?;
        expect_byte(s, pos, b':')?;
        second = one_or_two_digits(s, pos)?;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(ValueError::Invalid);
    }
    let fraction = if s.get(*pos) == Some(&b'.') && !s.get(*pos + 1).is_some_and(u8::is_ascii_digit)
    {
        // A bare dot: Kùzu reads it as no fraction.
        *pos += 1;
        0
    } else {
        parse_fraction(s, pos)?
    };
    Ok(i64::from(hour) * MICROS_PER_HOUR
        + i64::from(minute) * MICROS_PER_MINUTE
        + i64::from(second) * MICROS_PER_SECOND
        + fraction)
}

/// An optional `.f+` at `*pos` to microseconds (first six digits, the rest ignored).
#[inline]
pub(crate) fn parse_fraction(s: &[u8], pos: &mut usize) -> Result<i64, ValueError> {
    if s.get(*pos) != Some(&b'.') {
        return Ok(0);
    }
    *pos += 1;
    let start = *pos;
    let mut micros: i64 = 0;
    while let Some(&b) = s.get(*pos)
        && b.is_ascii_digit()
    {
        if *pos - start < 6 {
            micros = micros * 10 + i64::from(b - b'0');
        }
        *pos += 1;
    }
    let digits = *pos - start;
    if digits == 0 {
        return Err(ValueError::Invalid);
    }
    for _ in digits..6 {
        micros *= 10;
    }
    Ok(micros)
}

/// An optional `Z` and an optional `(+|-)HH[[:]MM]` at `*pos`, as microseconds east of UTC.
fn parse_offset(s: &[u8], pos: &mut usize) -> Result<i64, ValueError> {
    if s.get(*pos) == Some(&b'Z') {
        *pos += 1;
    }
    let negative = match s.get(*pos) {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return Ok(0),
    };
    *pos += 1;
    let hours = two_digits(s, pos)?;
    let mut minutes = 0;
    match s.get(*pos) {
        Some(b':') => {
            *pos += 1;
            minutes = two_digits(s, pos)?;
        }
        Some(b) if b.is_ascii_digit() => minutes = two_digits(s, pos)?,
        _ => {}
    }
    if hours > 23 || minutes > 59 {
        return Err(ValueError::Invalid);
    }
    let offset = i64::from(hours) * MICROS_PER_HOUR + i64::from(minutes) * MICROS_PER_MINUTE;
    Ok(if negative { -offset } else { offset })
}

/// Exactly two ASCII digits at `*pos`.
#[inline]
fn two_digits(s: &[u8], pos: &mut usize) -> Result<u32, ValueError> {
    match s.get(*pos..*pos + 2) {
        Some([a, b]) if a.is_ascii_digit() && b.is_ascii_digit() => {
            *pos += 2;
            Ok(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => Err(ValueError::Invalid),
    }
}

#[inline]
fn expect_byte(s: &[u8], pos: &mut usize, byte: u8) -> Result<(), ValueError> {
    if s.get(*pos) == Some(&byte) {
        *pos += 1;
        Ok(())
    } else {
        Err(ValueError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Result<i64, ValueError> {
        parse_timestamp(s.as_bytes())
    }

    const H: i64 = MICROS_PER_HOUR;

    #[test]
    fn date_alone_is_midnight_utc() {
        assert_eq!(ts("1970-01-01"), Ok(0));
        assert_eq!(ts("1970-01-02"), Ok(MICROS_PER_DAY));
        assert_eq!(ts("1969-12-31"), Ok(-MICROS_PER_DAY));
    }

    #[test]
    fn space_and_t_separate_date_and_time() {
        let expected = Ok(MICROS_PER_DAY + 3 * H + 4 * MICROS_PER_MINUTE + 5 * MICROS_PER_SECOND);
        assert_eq!(ts("1970-01-02 03:04:05"), expected);
        assert_eq!(ts("1970-01-02T03:04:05"), expected);
        assert_eq!(ts("1970-1-2 3:4:5"), expected);
        assert_eq!(ts("1970/01/02 03:04:05"), expected);
    }

    #[test]
    fn fractions_are_microseconds_and_extra_digits_are_ignored() {
        assert_eq!(ts("1970-01-01 00:00:00.5"), Ok(500_000));
        assert_eq!(ts("1970-01-01 00:00:00.000001"), Ok(1));
        assert_eq!(ts("1970-01-01 00:00:00.123456"), Ok(123_456));
        assert_eq!(ts("1970-01-01 00:00:00.1234569"), Ok(123_456));
        assert_eq!(ts("1969-12-31 23:59:59.999999"), Ok(-1));
    }

    #[test]
    fn a_bare_dot_after_the_seconds_is_no_fraction() {
        // Kùzu 0.11.3 accepts `2020-01-01 12:00:00.` as 12:00:00.
        assert_eq!(ts("2020-01-01 12:00:00."), ts("2020-01-01 12:00:00"));
        assert_eq!(ts("1970-01-01 00:00:00.Z"), Ok(0));
        assert_eq!(ts("1970-01-01 12:00:00.+02:00"), Ok(10 * H));
        assert_eq!(ts("1970-01-01 00:00:00.."), Err(ValueError::Invalid));
        assert_eq!(ts("1970-01-01 00:00:00.x"), Err(ValueError::Invalid));
    }

    #[test]
    fn offsets_convert_to_utc() {
        assert_eq!(ts("1970-01-01 12:00:00Z"), Ok(12 * H));
        assert_eq!(ts("1970-01-01 12:00:00+02:00"), Ok(10 * H));
        assert_eq!(ts("1970-01-01 12:00:00+02"), Ok(10 * H));
        assert_eq!(
            ts("1970-01-01 12:00:00-0130"),
            Ok(13 * H + 30 * MICROS_PER_MINUTE)
        );
        assert_eq!(ts("1970-01-01 12:00:00Z+00:00"), Ok(12 * H));
        assert_eq!(
            ts("1970-01-01 00:00:00.004666-10"),
            Ok(10 * H + 4666),
            "Kùzu's documented example"
        );
        assert_eq!(ts("1970-01-01 12:00:00+2"), Err(ValueError::Invalid));
        assert_eq!(ts("1970-01-01 12:00:00+24:00"), Err(ValueError::Invalid));
        assert_eq!(ts("1970-01-01 12:00:00+02:60"), Err(ValueError::Invalid));
        assert_eq!(ts("1970-01-01 12:00:00+02:"), Err(ValueError::Invalid));
    }

    #[test]
    fn out_of_range_fields_are_invalid() {
        for s in [
            "2023-02-29 00:00:00",
            "2021-01-01 24:00:00",
            "2021-01-01 23:60:00",
            "2021-01-01 23:59:60",
            "2021-01-01 23:59",
            "2021-01-01 ",
            "2021-01-01T",
            " 2021-01-01 00:00:00",
            "2021-01-01 00:00:00 ",
            "2021-01-01x00:00:00",
            "2021-01-01 00:00:00Z ",
            "2021-01-01 00:00:00UTC",
            "2021-01-01 0a:00:00",
            "",
        ] {
            assert_eq!(ts(s), Err(ValueError::Invalid), "{s:?}");
        }
    }

    #[test]
    fn timestamps_beyond_i64_micros_are_out_of_range() {
        assert!(ts("294247-01-01").is_ok());
        assert_eq!(ts("294248-01-01"), Err(ValueError::OutOfRange));
        assert_eq!(ts("-290309-01-01"), Err(ValueError::OutOfRange));
        assert!(ts("-290000-01-01").is_ok());
        assert_eq!(ts("-290000-01-01 00:00:00+25:00"), Err(ValueError::Invalid));
    }

    #[test]
    fn kuzu_corpus_timestamps_read_as_kuzu_reads_them() {
        // tinysnb/vPerson.csv, eKnows.csv, csv-sniffing-test/date.csv, timestamp/timestamp.csv.
        let utc = ts("2011-08-20 11:25:30");
        assert_eq!(ts("2011-08-20 11:25:30Z+00:00"), utc);
        assert_eq!(ts("2031-11-30 12:25:30Z"), ts("2031-11-30 12:25:30"));
        assert_eq!(
            ts("2008-11-03 13:25:30.000526-02:00"),
            ts("2008-11-03 15:25:30.000526")
        );
        assert_eq!(ts("2000/01/01 12:30:00"), ts("2000-01-01 12:30:00"));
        assert_eq!(
            ts("1972-07-31 13:22:30.342312432"),
            ts("1972-07-31 13:22:30.342312")
        );
        assert!(ts("1986-10-21 21:08:31.521").is_ok());
    }
}
