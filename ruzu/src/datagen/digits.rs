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
///
/// Below 10^16 (every number the generator writes) the digits are computed in registers
/// ([`ascii8`]) and stored with one 16-byte copy; building them in a stack array byte by byte
/// made the copy stall on store forwarding and took 40% of generation time.
#[inline]
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    const TEN_POW_8: u64 = 100_000_000;
    if v >= TEN_POW_8 * TEN_POW_8 {
        return push_u64_slow(out, v);
    }
    let digits = v.checked_ilog10().map_or(1, |log| log as usize + 1);
    // 16 digits, zero-padded, most significant in the lowest byte.
    let padded = u128::from(ascii8(v / TEN_POW_8)) | (u128::from(ascii8(v % TEN_POW_8)) << 64);
    let text = padded >> ((16 - digits) * 8);
    push_prefix(out, &text.to_le_bytes(), digits);
}

/// The 8 ASCII digits of `v` (< 10^8), zero-padded, most significant digit in the lowest byte.
///
/// SWAR: split into two 4-digit lanes of 32 bits, each into two 2-digit lanes of 16 bits, each
/// into two 1-digit lanes of 8 bits. Division by 100 and by 10 is a multiply and shift that is
/// exact for the lane ranges (below 10^4 and below 100), and no lane overflows into the next.
#[inline]
fn ascii8(v: u64) -> u64 {
    debug_assert!(v < 100_000_000);
    let x = (v / 10_000) | ((v % 10_000) << 32);
    let hundreds = ((x * 5243) >> 19) & 0x0000_007f_0000_007f;
    let x = ((x - hundreds * 100) << 16) | hundreds;
    let tens = ((x * 103) >> 10) & 0x000f_000f_000f_000f;
    let x = ((x - tens * 10) << 8) | tens;
    x | 0x3030_3030_3030_3030
}

/// [`push_u64`] for any `v`: two digits at a time into a stack array.
fn push_u64_slow(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    while v >= 10 {
        at -= 2;
        buf[at..at + 2].copy_from_slice(&pair(v % 100));
        v /= 100;
    }
    if v > 0 || at == buf.len() {
        at -= 1;
        buf[at] = b'0' + v as u8;
    }
    out.extend_from_slice(&buf[at..]);
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
