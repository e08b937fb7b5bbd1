//! Owned values and rows: what a model or a test keeps of a batch after it was recycled.

use ruzu_csv::{Batch, CsvError, Interval, Value};

/// One value of any column type, owning its bytes.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
#[non_exhaustive]
#[expect(
    missing_docs,
    reason = "each variant mirrors the ruzu_csv::Value variant of the same name"
)]
pub enum OwnedValue {
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
    String(String),
    Date(i32),
    Timestamp(i64),
    /// (months, days, micros).
    Interval(i32, i32, i64),
    Uuid(u128),
    Blob(Vec<u8>),
}

/// One row of owned values, in schema order.
pub type OwnedRow = Vec<OwnedValue>;

impl OwnedValue {
    /// Copies a borrowed value.
    pub fn from_value(v: Value<'_>) -> Self {
        match v {
            Value::Bool(x) => OwnedValue::Bool(x),
            Value::Int8(x) => OwnedValue::Int8(x),
            Value::Int16(x) => OwnedValue::Int16(x),
            Value::Int32(x) => OwnedValue::Int32(x),
            Value::Int64(x) => OwnedValue::Int64(x),
            Value::Int128(x) => OwnedValue::Int128(x),
            Value::UInt8(x) => OwnedValue::UInt8(x),
            Value::UInt16(x) => OwnedValue::UInt16(x),
            Value::UInt32(x) => OwnedValue::UInt32(x),
            Value::UInt64(x) => OwnedValue::UInt64(x),
            Value::Float(x) => OwnedValue::Float(x),
            Value::Double(x) => OwnedValue::Double(x),
            Value::String(x) => OwnedValue::String(x.to_owned()),
            Value::Date(x) => OwnedValue::Date(x),
            Value::Timestamp(x) => OwnedValue::Timestamp(x),
            Value::Interval(x) => OwnedValue::Interval(x.months, x.days, x.micros),
            Value::Uuid(x) => OwnedValue::Uuid(x),
            Value::Blob(x) => OwnedValue::Blob(x.to_vec()),
            _ => OwnedValue::Null,
        }
    }

    /// Borrows as a [`Value`].
    pub fn as_value(&self) -> Value<'_> {
        match self {
            OwnedValue::Null => Value::Null,
            OwnedValue::Bool(x) => Value::Bool(*x),
            OwnedValue::Int8(x) => Value::Int8(*x),
            OwnedValue::Int16(x) => Value::Int16(*x),
            OwnedValue::Int32(x) => Value::Int32(*x),
            OwnedValue::Int64(x) => Value::Int64(*x),
            OwnedValue::Int128(x) => Value::Int128(*x),
            OwnedValue::UInt8(x) => Value::UInt8(*x),
            OwnedValue::UInt16(x) => Value::UInt16(*x),
            OwnedValue::UInt32(x) => Value::UInt32(*x),
            OwnedValue::UInt64(x) => Value::UInt64(*x),
            OwnedValue::Float(x) => Value::Float(*x),
            OwnedValue::Double(x) => Value::Double(*x),
            OwnedValue::String(x) => Value::String(x),
            OwnedValue::Date(x) => Value::Date(*x),
            OwnedValue::Timestamp(x) => Value::Timestamp(*x),
            OwnedValue::Interval(months, days, micros) => Value::Interval(Interval {
                months: *months,
                days: *days,
                micros: *micros,
            }),
            OwnedValue::Uuid(x) => Value::Uuid(*x),
            OwnedValue::Blob(x) => Value::Blob(x),
        }
    }

    /// The value as an `i64` key, when it is an integer that fits.
    pub fn as_key(&self) -> Option<i64> {
        match self {
            OwnedValue::Int64(x) => Some(*x),
            OwnedValue::Int32(x) => Some(i64::from(*x)),
            OwnedValue::UInt32(x) => Some(i64::from(*x)),
            OwnedValue::UInt64(x) => i64::try_from(*x).ok(),
            _ => None,
        }
    }
}

/// Copies row `row` of `batch`.
pub fn batch_row(batch: &Batch, row: usize) -> OwnedRow {
    (0..batch.schema().len())
        .map(|c| OwnedValue::from_value(batch.value(row, c)))
        .collect()
}

/// Copies every row of `batch`.
pub fn batch_rows(batch: &Batch) -> Vec<OwnedRow> {
    (0..batch.num_rows()).map(|r| batch_row(batch, r)).collect()
}

/// Appends an owned row to `batch` at input `line` and `byte`.
///
/// # Errors
///
/// The row does not match the batch's schema.
pub fn push_owned_row(
    batch: &mut Batch,
    row: &[OwnedValue],
    line: u64,
    byte: u64,
) -> Result<(), CsvError> {
    let values: Vec<Value<'_>> = row.iter().map(OwnedValue::as_value).collect();
    batch.push_row(&values, line, byte)
}
