//! Typed value parsers: text of one field to one value, with Kùzu's rules and ranges.
//!
//! Every parser takes the field's bytes exactly as they appear after unquoting (no trimming:
//! `" 2"` is not an INT64) and returns the value or a [`ValueError`]. They never allocate,
//! except `parse_blob`, which appends to a caller's reusable buffer.

pub(crate) mod columns;

use crate::types::Interval;

/// Why a field is not a value of its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueError {
    /// Not of the type's form at all.
    Invalid,
    /// Of the right form but outside the type's range.
    OutOfRange,
}

/// `true`/`false` in any case (also `t`/`f`, `1`/`0`, as Kùzu).
pub(crate) fn parse_bool(s: &[u8]) -> Result<bool, ValueError> {
    if s.eq_ignore_ascii_case(b"true") || s == b"1" || s.eq_ignore_ascii_case(b"t") {
        Ok(true)
    } else if s.eq_ignore_ascii_case(b"false") || s == b"0" || s.eq_ignore_ascii_case(b"f") {
        Ok(false)
    } else {
        Err(ValueError::Invalid)
    }
}

/// A decimal integer with optional sign, of any width up to 128 bits.
pub(crate) fn parse_i128(s: &[u8]) -> Result<i128, ValueError> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(ValueError::Invalid);
    }
    let mut v: i128 = 0;
    for &d in digits {
        let d = i128::from(d - b'0');
        v = v
            .checked_mul(10)
            .and_then(|v| {
                if neg {
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
pub(crate) fn parse_int<T: TryFrom<i128>>(s: &[u8]) -> Result<T, ValueError> {
    T::try_from(parse_i128(s)?).map_err(|_| ValueError::OutOfRange)
}

/// A decimal or scientific floating-point number, `inf`/`nan` included.
pub(crate) fn parse_f64(s: &[u8]) -> Result<f64, ValueError> {
    fast_float2::parse(s).map_err(|_| ValueError::Invalid)
}

/// As [`parse_f64`], for FLOAT.
pub(crate) fn parse_f32(s: &[u8]) -> Result<f32, ValueError> {
    fast_float2::parse(s).map_err(|_| ValueError::Invalid)
}

/// `YYYY-MM-DD` to days since 1970-01-01.
pub(crate) fn parse_date(_s: &[u8]) -> Result<i32, ValueError> {
    Err(ValueError::Invalid)
}

/// `YYYY-MM-DD[ |T]hh:mm:ss[.ffffff][Z|+hh[:mm]]` to microseconds since the epoch, UTC.
pub(crate) fn parse_timestamp(_s: &[u8]) -> Result<i64, ValueError> {
    Err(ValueError::Invalid)
}

/// Kùzu's interval text (`1 year 2 days 03:04:05`, ...).
pub(crate) fn parse_interval(_s: &[u8]) -> Result<Interval, ValueError> {
    Err(ValueError::Invalid)
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex, any case; braces and no dashes accepted).
pub(crate) fn parse_uuid(_s: &[u8]) -> Result<u128, ValueError> {
    Err(ValueError::Invalid)
}

/// BLOB text: bytes as they are, `\xHH` for any byte; appended to `out`.
pub(crate) fn parse_blob(_s: &[u8], _out: &mut Vec<u8>) -> Result<(), ValueError> {
    Err(ValueError::Invalid)
}
