//! BOOL, integer and floating-point text to values.
//!
//! - BOOL: `true`/`false`, `t`/`f` in any case, `1`/`0` (Kùzu's set).
//! - Integers: `[+|-]digits`, decimal only, any number of leading zeros. A value outside the
//!   column type is out of range, never wrapped (`-0` is 0, also for unsigned types).
//! - Floats: decimal or scientific (`1.5`, `.5`, `5.`, `-1e-7`), and `inf`, `infinity`, `nan`
//!   in any case with an optional sign, parsed by `fast-float2` with correct rounding. A
//!   finite text too large for the type reads as infinity (IEEE rounding), as in Kùzu.

use super::ValueError;

/// `true`/`false`, `t`/`f` (any case) and `1`/`0`, as Kùzu.
#[inline]
pub(crate) fn parse_bool(s: &[u8]) -> Result<bool, ValueError> {
    match s {
        [b'1'] => Ok(true),
        [b'0'] => Ok(false),
        [c] if c.eq_ignore_ascii_case(&b't') => Ok(true),
        [c] if c.eq_ignore_ascii_case(&b'f') => Ok(false),
        _ if s.eq_ignore_ascii_case(b"true") => Ok(true),
        _ if s.eq_ignore_ascii_case(b"false") => Ok(false),
        _ => Err(ValueError::Invalid),
    }
}

/// Most digits that always fit an `i64` accumulated without overflow checks.
const FAST_DIGITS: usize = 18;

/// A decimal integer with optional sign, of any width up to 128 bits.
#[inline]
pub(crate) fn parse_i128(s: &[u8]) -> Result<i128, ValueError> {
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(ValueError::Invalid);
    }
    if digits.len() <= FAST_DIGITS {
        // At most 18 digits: below 10^18, no overflow possible in u64 or i64.
        let mut v: u64 = 0;
        for &b in digits {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return Err(ValueError::Invalid);
            }
            v = v * 10 + u64::from(d);
        }
        let v = v as i64;
        return Ok(i128::from(if negative { -v } else { v }));
    }
    parse_long(negative, digits)
}

/// The slow path for 19 digits and more: validate, then accumulate with overflow checks.
#[cold]
fn parse_long(negative: bool, digits: &[u8]) -> Result<i128, ValueError> {
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(ValueError::Invalid);
    }
    let mut v: i128 = 0;
    for &b in digits {
        let d = i128::from(b - b'0');
        // Accumulate towards the sign so that i128::MIN is reachable.
        v = v
            .checked_mul(10)
            .and_then(|v| {
                if negative {
                    v.checked_sub(d)
                } else {
                    v.checked_add(d)
                }
            })
            .ok_or(ValueError::OutOfRange)?;
    }
    Ok(v)
}

/// A decimal integer that must fit `T`.
#[inline]
pub(crate) fn parse_int<T: TryFrom<i128>>(s: &[u8]) -> Result<T, ValueError> {
    T::try_from(parse_i128(s)?).map_err(|_| ValueError::OutOfRange)
}

/// A decimal or scientific floating-point number, `inf`/`nan` included.
#[inline]
pub(crate) fn parse_f64(s: &[u8]) -> Result<f64, ValueError> {
    fast_float2::parse(s).map_err(|_| ValueError::Invalid)
}

/// As [`parse_f64`], for FLOAT (rounded once, directly to `f32`).
#[inline]
pub(crate) fn parse_f32(s: &[u8]) -> Result<f32, ValueError> {
    fast_float2::parse(s).map_err(|_| ValueError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_accepts_kuzu_spellings_only() {
        for s in ["true", "TRUE", "True", "t", "T", "1"] {
            assert_eq!(parse_bool(s.as_bytes()), Ok(true), "{s:?}");
        }
        for s in ["false", "FALSE", "fAlSe", "f", "F", "0"] {
            assert_eq!(parse_bool(s.as_bytes()), Ok(false), "{s:?}");
        }
        for s in [
            "", "yes", "no", "y", "2", " true", "true ", "tru", "falsey", "01",
        ] {
            assert_eq!(parse_bool(s.as_bytes()), Err(ValueError::Invalid), "{s:?}");
        }
    }

    #[test]
    fn every_width_reaches_its_min_and_max_and_no_further() {
        macro_rules! limits {
            ($($t:ty),*) => {$(
                let max = <$t>::MAX.to_string();
                let min = <$t>::MIN.to_string();
                assert_eq!(parse_int::<$t>(max.as_bytes()), Ok(<$t>::MAX));
                assert_eq!(parse_int::<$t>(min.as_bytes()), Ok(<$t>::MIN));
                let above = (i128::from(<$t>::MAX) + 1).to_string();
                let below = (i128::from(<$t>::MIN) - 1).to_string();
                assert_eq!(parse_int::<$t>(above.as_bytes()), Err(ValueError::OutOfRange));
                assert_eq!(parse_int::<$t>(below.as_bytes()), Err(ValueError::OutOfRange));
            )*};
        }
        limits!(i8, i16, i32, i64, u8, u16, u32, u64);
        let max = i128::MAX.to_string();
        let min = i128::MIN.to_string();
        assert_eq!(parse_i128(max.as_bytes()), Ok(i128::MAX));
        assert_eq!(parse_i128(min.as_bytes()), Ok(i128::MIN));
        assert_eq!(
            parse_i128(b"170141183460469231731687303715884105728"),
            Err(ValueError::OutOfRange)
        );
        assert_eq!(
            parse_i128(b"-170141183460469231731687303715884105729"),
            Err(ValueError::OutOfRange)
        );
    }

    #[test]
    fn signs_zeros_and_leading_zeros() {
        assert_eq!(parse_int::<i64>(b"-0"), Ok(0));
        assert_eq!(parse_int::<u8>(b"-0"), Ok(0));
        assert_eq!(parse_int::<i64>(b"+5"), Ok(5));
        assert_eq!(parse_int::<i64>(b"007"), Ok(7));
        assert_eq!(
            parse_int::<i64>(b"0000000000000000000000000000000000000000042"),
            Ok(42)
        );
        assert_eq!(parse_int::<u8>(b"-1"), Err(ValueError::OutOfRange));
        assert_eq!(
            parse_int::<i64>(b"999999999999999999"),
            Ok(999_999_999_999_999_999)
        );
        assert_eq!(
            parse_int::<i64>(b"-999999999999999999"),
            Ok(-999_999_999_999_999_999)
        );
    }

    #[test]
    fn non_integers_are_invalid() {
        for s in [
            "", "-", "+", " 2", "2 ", "1.0", "1e3", "0x10", "--1", "+-1", "1_000", "١",
        ] {
            assert_eq!(
                parse_int::<i64>(s.as_bytes()),
                Err(ValueError::Invalid),
                "{s:?}"
            );
        }
    }

    #[test]
    fn huge_digit_strings_are_out_of_range_unless_malformed() {
        let huge = "9".repeat(200);
        assert_eq!(parse_i128(huge.as_bytes()), Err(ValueError::OutOfRange));
        assert_eq!(
            parse_int::<i8>(huge.as_bytes()),
            Err(ValueError::OutOfRange)
        );
        let bad = format!("{huge}x");
        assert_eq!(parse_i128(bad.as_bytes()), Err(ValueError::Invalid));
    }

    #[test]
    fn floats_accept_decimal_scientific_and_special_values() {
        assert_eq!(parse_f64(b"1.5"), Ok(1.5));
        assert_eq!(parse_f64(b"-1e-7"), Ok(-1e-7));
        assert_eq!(parse_f64(b".5"), Ok(0.5));
        assert_eq!(parse_f64(b"5."), Ok(5.0));
        assert_eq!(parse_f64(b"+2"), Ok(2.0));
        assert_eq!(parse_f64(b"1E300"), Ok(1e300));
        assert_eq!(parse_f64(b"inf"), Ok(f64::INFINITY));
        assert_eq!(parse_f64(b"-Infinity"), Ok(f64::NEG_INFINITY));
        assert!(parse_f64(b"NaN").is_ok_and(f64::is_nan));
        assert!(parse_f64(b"-0").is_ok_and(|v| v == 0.0 && v.is_sign_negative()));
        assert_eq!(parse_f64(b"1e400"), Ok(f64::INFINITY));
        assert_eq!(parse_f32(b"0.1"), Ok(0.1f32));
        assert_eq!(parse_f32(b"1e39"), Ok(f32::INFINITY));
    }

    #[test]
    fn non_floats_are_invalid() {
        for s in [
            "", " 1", "1 ", "1.5.1", "e5", "1e", "--1", "0x1p3", "nan1", "1,5",
        ] {
            assert_eq!(parse_f64(s.as_bytes()), Err(ValueError::Invalid), "{s:?}");
        }
    }
}
