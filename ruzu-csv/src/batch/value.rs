//! A single value, borrowed from a batch or handed to one.

use crate::types::{DataType, Interval};

/// One value of any column type; strings and blobs are borrowed.
///
/// Used where rows are handled one at a time (tests, the reference model, lookups); the hot
/// paths work on whole columns through [`ColumnData`](crate::ColumnData).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
#[expect(
    missing_docs,
    reason = "each variant is named after its DataType, whose docs give the encoding"
)]
pub enum Value<'a> {
    /// SQL NULL.
    Null,
    Bool(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Int128(i128),
    UInt8(u8),
    UInt16(u16),
    UInt32(u32),
    UInt64(u64),
    Float(f32),
    Double(f64),
    String(&'a str),
    Date(i32),
    Timestamp(i64),
    Interval(Interval),
    Uuid(u128),
    Blob(&'a [u8]),
}

impl Value<'_> {
    /// The type of a non-NULL value; `None` for `Null`.
    pub fn data_type(&self) -> Option<DataType> {
        Some(match self {
            Value::Null => return None,
            Value::Bool(_) => DataType::Bool,
            Value::Int8(_) => DataType::Int8,
            Value::Int16(_) => DataType::Int16,
            Value::Int32(_) => DataType::Int32,
            Value::Int64(_) => DataType::Int64,
            Value::Int128(_) => DataType::Int128,
            Value::UInt8(_) => DataType::UInt8,
            Value::UInt16(_) => DataType::UInt16,
            Value::UInt32(_) => DataType::UInt32,
            Value::UInt64(_) => DataType::UInt64,
            Value::Float(_) => DataType::Float,
            Value::Double(_) => DataType::Double,
            Value::String(_) => DataType::String,
            Value::Date(_) => DataType::Date,
            Value::Timestamp(_) => DataType::Timestamp,
            Value::Interval(_) => DataType::Interval,
            Value::Uuid(_) => DataType::Uuid,
            Value::Blob(_) => DataType::Blob,
        })
    }

    /// Whether this is `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}
