//! Decimal text of numbers, dates and timestamps, appended to a byte buffer.
//!
//! Hand-rolled because the generator formats a dozen numbers per row: two digits at a time from
//! a pair table, into a stack array, then one `extend_from_slice`.

use super::append::push_prefix;
use super::calendar::Date;

/// `"00" "01" .. "99"` back to back.
const PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The two ASCII digits of `v` (< 100).
#[inline]
fn pair(v: u64) -> [u8; 2] {
    debug_assert!(v < 100);
    let i = (v as usize) * 2;
    [PAIRS[i], PAIRS[i + 1]]
}

/// Appends `v` in decimal, without padding.
#[inline]
pub(crate) fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let digits = v.checked_ilog10().map_or(1, |log| log as usize + 1);
    let mut buf = [b'0'; 20];
    let mut at = digits;
    while v >= 100 {
        at -= 2;
        buf[at..at + 2].copy_from_slice(&pair(v % 100));
        v /= 100;
    }
    if v >= 10 {
        buf[..2].copy_from_slice(&pair(v));
    } else {
        buf[0] = b'0' + v as u8;
    }
    push_prefix(out, &buf, digits);
}

/// Appends the fraction `frac / 10^digits` as `.ddd`, trailing zeros dropped (nothing when 0).
#[inline]
pub(crate) fn push_fraction(out: &mut Vec<u8>, mut frac: u64, mut digits: usize) {
    debug_assert!(digits <= 18 && frac < 10u64.pow(digits as u32));
    if frac == 0 {
        return;
    }
    while frac.is_multiple_of(10) {
        frac /= 10;
        digits -= 1;
    }
    let mut buf = [b'0'; 19];
    buf[0] = b'.';
    let mut at = digits + 1;
    while frac > 0 {
        at -= 1;
        buf[at] = b'0' + (frac % 10) as u8;
        frac /= 10;
    }
    push_prefix(out, &buf, digits + 1);
}

/// Appends `YYYY-MM-DD`.
#[inline]
pub(crate) fn push_date(out: &mut Vec<u8>, date: Date) {
    out.extend_from_slice(&date_text(date));
}

/// Appends `YYYY-MM-DD hh:mm:ss`.
#[inline]
pub(crate) fn push_timestamp(out: &mut Vec<u8>, date: Date, [h, m, s]: [u8; 3]) {
    let mut text = [0u8; 19];
    text[..10].copy_from_slice(&date_text(date));
    text[10] = b' ';
    text[11..13].copy_from_slice(&pair(u64::from(h)));
    text[13] = b':';
    text[14..16].copy_from_slice(&pair(u64::from(m)));
    text[16] = b':';
    text[17..19].copy_from_slice(&pair(u64::from(s)));
    out.extend_from_slice(&text);
}

fn date_text(date: Date) -> [u8; 10] {
    let y = u64::from(date.year);
    let mut text = [b'-'; 10];
    text[0..2].copy_from_slice(&pair(y / 100));
    text[2..4].copy_from_slice(&pair(y % 100));
    text[5..7].copy_from_slice(&pair(u64::from(date.month)));
    text[8..10].copy_from_slice(&pair(u64::from(date.day)));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8(out).expect("invariant: digits are ASCII")
    }

    #[test]
    fn integers_match_std_formatting() {
        for v in [
            0u64,
            7,
            10,
            99,
            100,
            101,
            12_345,
            1_000_000_007_919,
            u64::MAX,
        ] {
            assert_eq!(text(|o| push_u64(o, v)), v.to_string());
        }
    }

    #[test]
    fn fractions_drop_trailing_zeros() {
        assert_eq!(text(|o| push_fraction(o, 0, 6)), "");
        assert_eq!(text(|o| push_fraction(o, 5, 6)), ".000005");
        assert_eq!(text(|o| push_fraction(o, 120_000, 6)), ".12");
        assert_eq!(text(|o| push_fraction(o, 999_999, 6)), ".999999");
    }

    #[test]
    fn dates_and_timestamps_are_zero_padded() {
        let d = Date {
            year: 1950,
            month: 2,
            day: 9,
        };
        assert_eq!(text(|o| push_date(o, d)), "1950-02-09");
        assert_eq!(
            text(|o| push_timestamp(o, d, [3, 0, 59])),
            "1950-02-09 03:00:59"
        );
    }
}
