//! Random calendar dates and times of day for the generated DATE and TIMESTAMP columns.

use super::rng::Rng;

/// A calendar date; always a real one (see [`days_in_month`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date {
    /// Year, 1000..=9999.
    pub(crate) year: u16,
    /// Month, 1..=12.
    pub(crate) month: u8,
    /// Day, 1..=days_in_month(year, month).
    pub(crate) day: u8,
}

/// Days in `month` (1..=12) of `year`, Gregorian.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// A random real date with a year in `years` (inclusive); each month equally likely.
    #[inline]
    pub(crate) fn random(rng: &mut Rng, years: (u16, u16)) -> Self {
        let year = rng.between(u64::from(years.0), u64::from(years.1)) as u16;
        let month = rng.between(1, 12) as u8;
        let day = rng.between(1, u64::from(days_in_month(year, month))) as u8;
        Self { year, month, day }
    }
}

/// A random time of day as `[hour, minute, second]`.
#[inline]
pub(crate) fn random_time(rng: &mut Rng) -> [u8; 3] {
    let s = rng.below(24 * 3600);
    [(s / 3600) as u8, (s / 60 % 60) as u8, (s % 60) as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn february_follows_the_leap_year_rule() {
        assert_eq!(days_in_month(2000, 2), 29);
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2023, 4), 30);
    }

    #[test]
    fn random_dates_are_real_and_in_range() {
        let mut rng = Rng::new(3);
        let mut saw_leap_day = false;
        for _ in 0..20_000 {
            let d = Date::random(&mut rng, (1950, 2005));
            assert!((1950..=2005).contains(&d.year));
            assert!((1..=12).contains(&d.month));
            assert!(d.day >= 1 && d.day <= days_in_month(d.year, d.month));
            saw_leap_day |= d.month == 2 && d.day == 29;
        }
        assert!(saw_leap_day);
    }

    #[test]
    fn random_times_are_valid() {
        let mut rng = Rng::new(4);
        for _ in 0..10_000 {
            let [h, m, s] = random_time(&mut rng);
            assert!(h < 24 && m < 60 && s < 60);
        }
    }
}
