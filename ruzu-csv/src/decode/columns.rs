//! Column-wise typed decoding: one tight loop per column type over the fields of a chunk.
//!
//! The decoder first splits every record of a chunk into field ranges (column-major), then
//! calls [`decode_column`] once per column. Each loop is specialised by type: integers and
//! floats parse straight into the column's vector, strings are validated and copied into the
//! batch arena after a single reservation of the column's total size. A value that does not
//! parse becomes a [`Failure`] (its row index and kind); the decoder then rejects the row.

use super::{
    ValueError, parse_blob, parse_bool, parse_date, parse_f32, parse_f64, parse_i128, parse_int,
    parse_interval, parse_timestamp, parse_uuid,
};
use crate::batch::{Arena, Bitmap, Column, Values};
use crate::error::RowErrorKind;
use crate::tokenize::FieldRef;
use crate::types::DataType;

/// A value that failed: index of its row among the chunk's tokenized rows, and why.
pub(crate) type Failure = (u32, RowErrorKind);

/// The fields of one column, for all tokenized rows of a chunk.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ColumnFields<'a> {
    /// The chunk's bytes.
    pub(crate) data: &'a [u8],
    /// Unescaped copies of quoted fields.
    pub(crate) side: &'a [u8],
    /// One field per tokenized row.
    pub(crate) fields: &'a [FieldRef],
    /// Rows to leave out (rejected by another column), if any.
    pub(crate) skip: Option<&'a [bool]>,
    /// The chunk (and so every field) is ASCII: strings need no UTF-8 check.
    pub(crate) ascii: bool,
}

impl ColumnFields<'_> {
    /// The rows to decode: `(row index, field)`.
    #[inline]
    fn rows(&self) -> impl Iterator<Item = (usize, FieldRef)> + '_ {
        let skip = self.skip;
        self.fields
            .iter()
            .copied()
            .enumerate()
            .filter(move |(g, _)| skip.is_none_or(|s| !s[*g]))
    }
}

/// Which texts are NULL: in STRING and BLOB columns, the unquoted empty text and the unquoted
/// texts of `NULL_STRINGS`; in every other column also `NULL` in any case (see
/// [`NullStrings::is_typed_null`]).
#[derive(Clone, Debug)]
pub(crate) struct NullStrings {
    /// The list is exactly `[""]` (the default): only the empty text is NULL.
    only_empty: bool,
    /// The list holds the empty text: an unquoted empty STRING or BLOB field is NULL. A list
    /// without it replaces the default, as in Kùzu, and such a field is the empty value.
    empty_is_null: bool,
    list: Vec<Box<[u8]>>,
}

impl NullStrings {
    pub(crate) fn new(list: &[String]) -> Self {
        NullStrings {
            only_empty: list.len() == 1 && list[0].is_empty(),
            empty_is_null: list.iter().any(String::is_empty),
            list: list.iter().map(|s| s.as_bytes().into()).collect(),
        }
    }

    /// NULL for STRING and BLOB: an unquoted text of `NULL_STRINGS`.
    #[inline]
    fn is_null(&self, field: FieldRef, bytes: &[u8]) -> bool {
        !field.is_quoted()
            && if bytes.is_empty() {
                self.empty_is_null
            } else {
                !self.only_empty && self.list.iter().any(|s| **s == *bytes)
            }
    }
}

impl NullStrings {
    /// NULL for every type but STRING and BLOB: empty, `NULL` in any case, or an unquoted text
    /// of `NULL_STRINGS` (so `NULL_STRINGS=['none']` makes `none` NULL in a DOUBLE column too,
    /// instead of a parse error).
    #[inline]
    fn is_typed_null(&self, field: FieldRef, bytes: &[u8]) -> bool {
        is_null_text(bytes)
            || (!self.only_empty && !field.is_quoted() && self.list.iter().any(|s| **s == *bytes))
    }
}

/// NULL for every type but STRING and BLOB: empty, or `NULL` in any case.
#[inline]
fn is_null_text(bytes: &[u8]) -> bool {
    bytes.is_empty() || (bytes.len() == 4 && bytes.eq_ignore_ascii_case(b"null"))
}

fn failure_kind(e: ValueError, data_type: DataType) -> RowErrorKind {
    match e {
        ValueError::Invalid => RowErrorKind::Parse { data_type },
        ValueError::OutOfRange => RowErrorKind::OutOfRange { data_type },
    }
}

/// Decodes one column of a chunk into `column`, appending one value per decoded row; values
/// that fail are appended as NULL and reported in `failures`.
pub(crate) fn decode_column(
    column: &mut Column,
    arena: &mut Arena,
    input: &ColumnFields<'_>,
    nulls: &NullStrings,
    scratch: &mut Vec<u8>,
    failures: &mut Vec<Failure>,
) {
    let dt = column.data_type;
    let validity = &mut column.validity;
    match &mut column.values {
        Values::Bool(v) => bools(validity, v, input, nulls, failures),
        Values::Int8(v) => fixed(validity, v, input, nulls, dt, failures, parse_int::<i8>),
        Values::Int16(v) => fixed(validity, v, input, nulls, dt, failures, parse_int::<i16>),
        Values::Int32(v) => fixed(validity, v, input, nulls, dt, failures, parse_int::<i32>),
        Values::Int64(v) => fixed(validity, v, input, nulls, dt, failures, parse_i64_fast),
        Values::Int128(v) => fixed(validity, v, input, nulls, dt, failures, parse_i128),
        Values::UInt8(v) => fixed(validity, v, input, nulls, dt, failures, parse_int::<u8>),
        Values::UInt16(v) => fixed(validity, v, input, nulls, dt, failures, parse_int::<u16>),
        Values::UInt32(v) => fixed(validity, v, input, nulls, dt, failures, parse_int::<u32>),
        Values::UInt64(v) => fixed(validity, v, input, nulls, dt, failures, parse_int::<u64>),
        Values::Float(v) => fixed(validity, v, input, nulls, dt, failures, parse_f32),
        Values::Double(v) => fixed(validity, v, input, nulls, dt, failures, parse_f64),
        Values::Date(v) => fixed(validity, v, input, nulls, dt, failures, parse_date),
        Values::Timestamp(v) => fixed(validity, v, input, nulls, dt, failures, parse_timestamp),
        Values::Interval(v) => fixed(validity, v, input, nulls, dt, failures, parse_interval),
        Values::Uuid(v) => fixed(validity, v, input, nulls, dt, failures, parse_uuid),
        Values::String(w) => {
            let total = input.rows().map(|(_, f)| f.len()).sum();
            w.append_bulk(arena, total, |free, offsets, base| {
                let mut at = 0;
                for (g, f) in input.rows() {
                    let b = f.bytes(input.data, input.side);
                    if nulls.is_null(f, b) {
                        validity.push(false);
                    } else if !input.ascii && std::str::from_utf8(b).is_err() {
                        failures.push((g as u32, RowErrorKind::InvalidUtf8));
                        validity.push(false);
                    } else {
                        copy_value(free, at, f, input);
                        at += b.len();
                        validity.push(true);
                    }
                    offsets.push((base + at) as u32);
                }
                at
            });
        }
        Values::Blob(w) => {
            for (g, f) in input.rows() {
                let b = f.bytes(input.data, input.side);
                scratch.clear();
                if nulls.is_null(f, b) {
                    validity.push(false);
                    w.push_empty();
                } else if let Err(e) = parse_blob(b, scratch) {
                    failures.push((g as u32, failure_kind(e, dt)));
                    validity.push(false);
                    w.push_empty();
                } else {
                    validity.push(true);
                    w.push(arena, scratch);
                }
            }
        }
    }
}

/// Copies field `f` to `free[at..]`.
///
/// Most values are short, and a `memcpy` call per value costs more than the copy: a value of
/// up to 16 or 32 bytes is copied as one fixed-size block when both sides have that many bytes
/// left (the bytes past the value are overwritten by the next values or never read, since
/// offsets bound every value).
#[inline(always)]
fn copy_value(free: &mut [u8], at: usize, f: FieldRef, input: &ColumnFields<'_>) {
    let (s, e, side) = f.range();
    let src = if side { input.side } else { input.data };
    let len = e - s;
    if len <= 16 && s + 16 <= src.len() && at + 16 <= free.len() {
        free[at..at + 16].copy_from_slice(&src[s..s + 16]);
    } else if len <= 32 && s + 32 <= src.len() && at + 32 <= free.len() {
        free[at..at + 32].copy_from_slice(&src[s..s + 32]);
    } else {
        free[at..at + len].copy_from_slice(&src[s..e]);
    }
}

#[inline(always)]
fn fixed<T: Copy + Default>(
    validity: &mut Bitmap,
    values: &mut Vec<T>,
    input: &ColumnFields<'_>,
    nulls: &NullStrings,
    data_type: DataType,
    failures: &mut Vec<Failure>,
    parse: impl Fn(&[u8]) -> Result<T, ValueError>,
) {
    values.reserve(input.fields.len());
    for (g, f) in input.rows() {
        let b = f.bytes(input.data, input.side);
        if nulls.is_typed_null(f, b) {
            validity.push(false);
            values.push(T::default());
            continue;
        }
        match parse(b) {
            Ok(v) => {
                validity.push(true);
                values.push(v);
            }
            Err(e) => {
                failures.push((g as u32, failure_kind(e, data_type)));
                validity.push(false);
                values.push(T::default());
            }
        }
    }
}

fn bools(
    validity: &mut Bitmap,
    values: &mut Bitmap,
    input: &ColumnFields<'_>,
    nulls: &NullStrings,
    failures: &mut Vec<Failure>,
) {
    for (g, f) in input.rows() {
        let b = f.bytes(input.data, input.side);
        let v = if nulls.is_typed_null(f, b) {
            None
        } else {
            match parse_bool(b) {
                Ok(v) => Some(v),
                Err(e) => {
                    failures.push((g as u32, failure_kind(e, DataType::Bool)));
                    None
                }
            }
        };
        validity.push(v.is_some());
        values.push(v.unwrap_or(false));
    }
}

/// INT64 without 128-bit arithmetic for up to 18 digits (which cannot overflow); longer
/// texts go through [`parse_int`], so the accepted forms and errors are the same.
#[inline]
fn parse_i64_fast(s: &[u8]) -> Result<i64, ValueError> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return parse_int::<i64>(s);
    }
    let mut v: i64 = 0;
    for &d in digits {
        let x = d.wrapping_sub(b'0');
        if x > 9 {
            return Err(ValueError::Invalid);
        }
        v = v * 10 + i64::from(x);
    }
    Ok(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_int64_agrees_with_the_general_parser() {
        for s in [
            "0",
            "-0",
            "+7",
            "123456789012345678",
            "-999999999999999999",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "12a",
            "",
            "-",
            " 2",
        ] {
            assert_eq!(
                parse_i64_fast(s.as_bytes()),
                parse_int::<i64>(s.as_bytes()),
                "{s:?}"
            );
        }
    }
}
