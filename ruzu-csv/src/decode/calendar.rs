//! Proleptic Gregorian calendar arithmetic shared by the DATE/TIMESTAMP parsers and formatters.
//!
//! Days are counted from 1970-01-01 (day 0). Years use astronomical numbering: year 0 is
//! 1 BC, year -1 is 2 BC. The conversions are Howard Hinnant's `days_from_civil` /
//! `civil_from_days`, exact for every `i64` year that keeps the day count in `i64`.

/// Microseconds in one day.
pub(crate) const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Microseconds in one hour.
pub(crate) const MICROS_PER_HOUR: i64 = 3_600_000_000;
/// Microseconds in one minute.
pub(crate) const MICROS_PER_MINUTE: i64 = 60_000_000;
/// Microseconds in one second.
pub(crate) const MICROS_PER_SECOND: i64 = 1_000_000;

/// Whether `year` has a February 29.
#[inline]
pub(crate) fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1..=12) of `year`.
#[inline]
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether `year-month-day` names a real calendar day.
#[inline]
pub(crate) fn is_valid_date(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

/// Days since 1970-01-01 of a valid date (see [`is_valid_date`]); `year` within ±10^12.
#[inline]
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400; // 0..=399
    let month_from_march = i64::from((month + 9) % 12); // March = 0
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1; // 0..=365
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `(year, month, day)` of `days` since 1970-01-01; inverse of [`days_from_civil`].
#[inline]
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097; // 0..=146096
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153; // 0..=11
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates_map_to_their_day_numbers() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(0, 1, 1), -719_528);
        assert_eq!(civil_from_days(-719_528), (0, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn every_day_of_ten_thousand_years_round_trips_and_is_consecutive() {
        let mut expected = days_from_civil(-400, 1, 1);
        for year in -400..=9999 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    let days = days_from_civil(year, month, day);
                    assert_eq!(days, expected, "{year}-{month}-{day}");
                    assert_eq!(civil_from_days(days), (year, month, day));
                    expected += 1;
                }
            }
        }
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        assert!(is_leap_year(2000) && is_leap_year(2024) && is_leap_year(0));
        assert!(!is_leap_year(1900) && !is_leap_year(2023) && !is_leap_year(2100));
        assert!(is_valid_date(2024, 2, 29) && !is_valid_date(2023, 2, 29));
        assert!(!is_valid_date(1999, 13, 1) && !is_valid_date(1999, 4, 31));
        assert!(!is_valid_date(1999, 0, 1) && !is_valid_date(1999, 1, 0));
    }
}
