//! An owned value: what a test, a model or a caller keeps of a row after its batch was
//! recycled.

use super::Value;
use crate::types::Interval;

/// One value of any column type, owning its bytes.
#[derive(Clone, Debug, PartialEq, PartialOrd)]
#[non_exhaustive]
#[expect(
    missing_docs,
    reason = "each variant mirrors the Value variant of the same name"
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

impl Value<'_> {
    /// Copies the value, with its bytes.
    pub fn to_owned_value(&self) -> OwnedValue {
        OwnedValue::from_value(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_values_borrow_back_to_the_value_they_copy() {
        let values = [
            Value::Null,
            Value::Bool(true),
            Value::Int128(-7),
            Value::UInt64(u64::MAX),
            Value::Double(2.5),
            Value::String("Zoë"),
            Value::Interval(Interval {
                months: 1,
                days: -2,
                micros: 3,
            }),
            Value::Uuid(42),
            Value::Blob(b"\x00\xff"),
        ];
        for v in values {
            assert_eq!(v.to_owned_value().as_value(), v);
        }
        assert_eq!(OwnedValue::UInt64(u64::MAX).as_key(), None);
        assert_eq!(OwnedValue::Int32(-3).as_key(), Some(-3));
    }
}
