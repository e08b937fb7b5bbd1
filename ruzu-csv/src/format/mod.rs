//! Canonical text of every value, for `COPY TO` and round trips.
//!
//! Each function appends one value's text to a caller's reusable `Vec<u8>` (no allocation
//! beyond growing it) and never fails. The text is what Kùzu prints where Kùzu's text reads
//! back exactly, and is chosen so that ruzu's parser reads every value back to itself:
//! `parse(format(v)) == v` for every value of every type (NaN payloads excepted: every NaN is
//! written `NaN`). The text is raw: CSV quoting is the [`Writer`](crate::Writer)'s job.
//!
//! | type | text | example |
//! |---|---|---|
//! | BOOL | `true` / `false` | `true` |
//! | integers | decimal, `-` for negatives | `-42` |
//! | FLOAT, DOUBLE | shortest text that reads back to the same bits; exponent for very large or small magnitudes; `NaN`, `inf`, `-inf` | `0.1`, `1e300`, `-0.0` |
//! | DATE | `YYYY-MM-DD`, years below 0 with `-`, years past 9999 with more digits | `2024-02-29` |
//! | TIMESTAMP | `YYYY-MM-DD hh:mm:ss[.ffffff]` in UTC, fraction without trailing zeros | `1970-01-01 00:00:00.5` |
//! | INTERVAL | DuckDB's (and Kùzu's) form: years, months, days, then `[-]hh:mm:ss[.ffffff]` | `1 year 2 months -3 days 04:05:06.7` |
//! | UUID | lower-case `8-4-4-4-12` hex | `a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11` |
//! | BLOB | printable ASCII as is except `\`, `'` and `"`; every other byte `\xHH` | `ab\x00\xFF` |
//! | STRING | the bytes as they are | |

#[cfg(test)]
mod tests;

use std::io::Write as _;

use crate::batch::Value;
use crate::decode::calendar::{
    MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, civil_from_days,
};
use crate::types::Interval;

/// Appends `true` or `false`.
#[inline]
pub fn write_bool(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

/// Appends an unsigned integer in decimal.
#[inline]
pub fn write_u64(out: &mut Vec<u8>, mut value: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends a signed integer in decimal (any narrower signed type widens losslessly).
#[inline]
pub fn write_i64(out: &mut Vec<u8>, value: i64) {
    if value < 0 {
        out.push(b'-');
    }
    write_u64(out, value.unsigned_abs());
}

/// Appends an INT128 in decimal.
pub fn write_i128(out: &mut Vec<u8>, value: i128) {
    if value < 0 {
        out.push(b'-');
    }
    let mut magnitude = value.unsigned_abs();
    if let Ok(small) = u64::try_from(magnitude) {
        write_u64(out, small);
        return;
    }
    let mut buf = [0u8; 39];
    let mut i = buf.len();
    while magnitude > 0 {
        i -= 1;
        buf[i] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends a DOUBLE: the shortest text that reads back to the same `f64`.
pub fn write_f64(out: &mut Vec<u8>, value: f64) {
    // `{:?}` is shortest-round-trip (like Ryu) and switches to an exponent for magnitudes
    // below 1e-4 or from 1e16 on, so no value prints hundreds of digits.
    write!(out, "{value:?}").expect("invariant: writing to a Vec<u8> cannot fail");
}

/// Appends a FLOAT: the shortest text that reads back to the same `f32`.
pub fn write_f32(out: &mut Vec<u8>, value: f32) {
    write!(out, "{value:?}").expect("invariant: writing to a Vec<u8> cannot fail");
}

/// Appends a DATE given as days since 1970-01-01: `YYYY-MM-DD`.
pub fn write_date(out: &mut Vec<u8>, days: i32) {
    write_civil_date(out, i64::from(days));
}

fn write_civil_date(out: &mut Vec<u8>, days: i64) {
    let (year, month, day) = civil_from_days(days);
    if year < 0 {
        out.push(b'-');
    }
    let year = year.unsigned_abs();
    if year < 10_000 {
        let y = year as u32;
        out.extend_from_slice(&[
            b'0' + (y / 1000) as u8,
            b'0' + (y / 100 % 10) as u8,
            b'0' + (y / 10 % 10) as u8,
            b'0' + (y % 10) as u8,
        ]);
    } else {
        write_u64(out, year);
    }
    out.push(b'-');
    write_two_digits(out, month);
    out.push(b'-');
    write_two_digits(out, day);
}

/// Appends a TIMESTAMP given as microseconds since the epoch:
/// `YYYY-MM-DD hh:mm:ss[.ffffff]` (UTC, no offset written).
pub fn write_timestamp(out: &mut Vec<u8>, micros: i64) {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let time = micros.rem_euclid(MICROS_PER_DAY) as u64;
    write_civil_date(out, days);
    out.push(b' ');
    write_time(out, time);
}

/// `hh:mm:ss[.ffffff]` of `micros` (hours zero-padded to two digits, possibly more).
fn write_time(out: &mut Vec<u8>, micros: u64) {
    let hours = micros / MICROS_PER_HOUR as u64;
    let minutes = (micros / MICROS_PER_MINUTE as u64 % 60) as u32;
    let seconds = (micros / MICROS_PER_SECOND as u64 % 60) as u32;
    let fraction = (micros % MICROS_PER_SECOND as u64) as u32;
    if hours < 10 {
        out.push(b'0');
    }
    write_u64(out, hours);
    out.push(b':');
    write_two_digits(out, minutes);
    out.push(b':');
    write_two_digits(out, seconds);
    if fraction != 0 {
        out.push(b'.');
        let mut digits = [0u8; 6];
        let mut f = fraction;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (f % 10) as u8;
            f /= 10;
        }
        let len = digits.iter().rposition(|&d| d != b'0').map_or(0, |i| i + 1);
        out.extend_from_slice(&digits[..len]);
    }
}

#[inline]
fn write_two_digits(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&[b'0' + (value / 10) as u8, b'0' + (value % 10) as u8]);
}

/// Appends an INTERVAL in DuckDB's form, which Kùzu prints too:
/// `[N year[s]] [N month[s]] [N day[s]] [[-]hh:mm:ss[.ffffff]]`, `00:00:00` when all are zero.
pub fn write_interval(out: &mut Vec<u8>, interval: Interval) {
    let start = out.len();
    let years = interval.months / 12;
    let months = interval.months % 12;
    write_interval_part(out, start, i64::from(years), "year");
    write_interval_part(out, start, i64::from(months), "month");
    write_interval_part(out, start, i64::from(interval.days), "day");
    if interval.micros != 0 {
        if out.len() != start {
            out.push(b' ');
        }
        if interval.micros < 0 {
            out.push(b'-');
        }
        write_time(out, interval.micros.unsigned_abs());
    } else if out.len() == start {
        out.extend_from_slice(b"00:00:00");
    }
}

fn write_interval_part(out: &mut Vec<u8>, start: usize, value: i64, unit: &str) {
    if value == 0 {
        return;
    }
    if out.len() != start {
        out.push(b' ');
    }
    write_i64(out, value);
    out.push(b' ');
    out.extend_from_slice(unit.as_bytes());
    if value != 1 {
        out.push(b's');
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Appends a UUID as lower-case `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
pub fn write_uuid(out: &mut Vec<u8>, value: u128) {
    let mut buf = [0u8; 36];
    let mut pos = 0;
    for nibble in 0..32 {
        if matches!(nibble, 8 | 12 | 16 | 20) {
            buf[pos] = b'-';
            pos += 1;
        }
        let shift = 124 - 4 * nibble;
        buf[pos] = HEX_LOWER[(value >> shift & 0xF) as usize];
        pos += 1;
    }
    out.extend_from_slice(&buf);
}

/// Appends a BLOB as Kùzu prints it: printable ASCII except `\`, `'` and `"` as is, every
/// other byte as `\xHH` (upper-case hex).
pub fn write_blob(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len());
    for &b in bytes {
        if (32..=126).contains(&b) && !matches!(b, b'\\' | b'\'' | b'"') {
            out.push(b);
        } else {
            out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 0xF)],
            ]);
        }
    }
}

/// Appends the text of any value; `Null` appends nothing, strings their bytes.
pub fn write_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match *value {
        Value::Null => {}
        Value::Bool(v) => write_bool(out, v),
        Value::Int8(v) => write_i64(out, v.into()),
        Value::Int16(v) => write_i64(out, v.into()),
        Value::Int32(v) => write_i64(out, v.into()),
        Value::Int64(v) => write_i64(out, v),
        Value::Int128(v) => write_i128(out, v),
        Value::UInt8(v) => write_u64(out, v.into()),
        Value::UInt16(v) => write_u64(out, v.into()),
        Value::UInt32(v) => write_u64(out, v.into()),
        Value::UInt64(v) => write_u64(out, v),
        Value::Float(v) => write_f32(out, v),
        Value::Double(v) => write_f64(out, v),
        Value::String(v) => out.extend_from_slice(v.as_bytes()),
        Value::Date(v) => write_date(out, v),
        Value::Timestamp(v) => write_timestamp(out, v),
        Value::Interval(v) => write_interval(out, v),
        Value::Uuid(v) => write_uuid(out, v),
        Value::Blob(v) => write_blob(out, v),
    }
}
