//! Decoding a chunk into an Arrow array.

use std::sync::Arc;

use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, IntervalMonthDayNanoType, TimestampMicrosecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{
    ArrayRef, ArrowPrimitiveType, BinaryArray, BooleanArray, FixedSizeBinaryArray, PrimitiveArray,
    StringArray,
};
use arrow_buffer::{
    BooleanBuffer, Buffer, IntervalMonthDayNano, NullBuffer, OffsetBuffer, ScalarBuffer,
};
use arrow_schema::{ArrowError, DataType as ArrowType, IntervalUnit, TimeUnit};
use ruzu_csv::{DataType, Interval};

use super::reader::ChunkReader;
use super::value::ChunkValue;

/// The Arrow type a column of type `t` converts to, `None` for a type without one.
///
/// | ruzu | Arrow |
/// |---|---|
/// | BOOL | `Boolean` |
/// | INT8 .. INT64, UINT8 .. UINT64 | `Int8` .. `Int64`, `UInt8` .. `UInt64` |
/// | INT128 | `Decimal128(38, 0)` |
/// | FLOAT, DOUBLE | `Float32`, `Float64` |
/// | STRING, BLOB | `Utf8`, `Binary` |
/// | DATE | `Date32` |
/// | TIMESTAMP | `Timestamp(Microsecond, None)` (UTC instants) |
/// | INTERVAL | `Interval(MonthDayNano)` (microseconds × 1000) |
/// | UUID | `FixedSizeBinary(16)`, the 16 bytes as written |
pub fn arrow_data_type(t: DataType) -> Option<ArrowType> {
    Some(match t {
        DataType::Bool => ArrowType::Boolean,
        DataType::Int8 => ArrowType::Int8,
        DataType::Int16 => ArrowType::Int16,
        DataType::Int32 => ArrowType::Int32,
        DataType::Int64 => ArrowType::Int64,
        DataType::Int128 => ArrowType::Decimal128(38, 0),
        DataType::UInt8 => ArrowType::UInt8,
        DataType::UInt16 => ArrowType::UInt16,
        DataType::UInt32 => ArrowType::UInt32,
        DataType::UInt64 => ArrowType::UInt64,
        DataType::Float => ArrowType::Float32,
        DataType::Double => ArrowType::Float64,
        DataType::String => ArrowType::Utf8,
        DataType::Date => ArrowType::Date32,
        DataType::Timestamp => ArrowType::Timestamp(TimeUnit::Microsecond, None),
        DataType::Interval => ArrowType::Interval(IntervalUnit::MonthDayNano),
        DataType::Uuid => ArrowType::FixedSizeBinary(16),
        DataType::Blob => ArrowType::Binary,
        _ => return None,
    })
}

impl ChunkReader<'_> {
    /// The chunk as an Arrow array of type [`arrow_data_type`]`(self.data_type())`.
    ///
    /// # Errors
    ///
    /// An `ArrowError` when a value has no Arrow representation: an INTERVAL whose
    /// microseconds overflow `i64` nanoseconds (as `ruzu_csv::Batch::to_arrow`).
    pub fn to_arrow(&self) -> Result<ArrayRef, ArrowError> {
        let nulls = self.null_buffer();
        Ok(match self.data_type() {
            DataType::Bool => {
                let values: Vec<bool> = self.decoded();
                Arc::new(BooleanArray::new(BooleanBuffer::from(values), nulls))
            }
            DataType::Int8 => self.primitive::<Int8Type>(nulls),
            DataType::Int16 => self.primitive::<Int16Type>(nulls),
            DataType::Int32 => self.primitive::<Int32Type>(nulls),
            DataType::Int64 => self.primitive::<Int64Type>(nulls),
            DataType::UInt8 => self.primitive::<UInt8Type>(nulls),
            DataType::UInt16 => self.primitive::<UInt16Type>(nulls),
            DataType::UInt32 => self.primitive::<UInt32Type>(nulls),
            DataType::UInt64 => self.primitive::<UInt64Type>(nulls),
            DataType::Float => self.primitive::<Float32Type>(nulls),
            DataType::Double => self.primitive::<Float64Type>(nulls),
            DataType::Date => self.primitive::<Date32Type>(nulls),
            DataType::Timestamp => self.primitive::<TimestampMicrosecondType>(nulls),
            DataType::Int128 => Arc::new(
                PrimitiveArray::<Decimal128Type>::new(ScalarBuffer::from(self.decoded()), nulls)
                    .with_precision_and_scale(38, 0)
                    .expect("invariant: 38, 0 is a valid decimal precision and scale"),
            ),
            DataType::Interval => {
                let values: Vec<Interval> = self.decoded();
                let values = values
                    .into_iter()
                    .map(|i| {
                        let nanoseconds = i.micros.checked_mul(1000).ok_or_else(|| {
                            ArrowError::InvalidArgumentError(format!(
                                "interval of {} microseconds overflows Arrow's i64 nanoseconds",
                                i.micros
                            ))
                        })?;
                        Ok(IntervalMonthDayNano::new(i.months, i.days, nanoseconds))
                    })
                    .collect::<Result<Vec<_>, ArrowError>>()?;
                Arc::new(PrimitiveArray::<IntervalMonthDayNanoType>::new(
                    ScalarBuffer::from(values),
                    nulls,
                ))
            }
            DataType::Uuid => {
                let values: Vec<u128> = self.decoded();
                let mut bytes = Vec::with_capacity(values.len() * 16);
                #[expect(
                    clippy::big_endian_bytes,
                    reason = "a UUID's u128 is the big-endian reading of its 16 bytes as written"
                )]
                for v in values {
                    bytes.extend_from_slice(&v.to_be_bytes());
                }
                Arc::new(FixedSizeBinaryArray::new(16, Buffer::from(bytes), nulls))
            }
            _ => {
                let mut offsets = Vec::with_capacity(self.len() + 1);
                let mut data = Vec::new();
                self.decode_var_into(&mut offsets, &mut data)
                    .expect("invariant: a var-size chunk, validated under 2 GiB");
                let offsets: Vec<i32> = offsets.into_iter().map(|o| o as i32).collect();
                let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
                if self.data_type() == DataType::String {
                    Arc::new(
                        StringArray::try_new(offsets, Buffer::from(data), nulls)
                            .expect("invariant: UTF-8 validated when the reader was made"),
                    )
                } else {
                    Arc::new(BinaryArray::new(offsets, Buffer::from(data), nulls))
                }
            }
        })
    }

    fn null_buffer(&self) -> Option<NullBuffer> {
        if self.null_count() == 0 {
            return None;
        }
        Some(match self.validity_bytes() {
            Some(bytes) => NullBuffer::new(BooleanBuffer::new(
                Buffer::from(bytes.to_vec()),
                0,
                self.len(),
            )),
            None => NullBuffer::new_null(self.len()),
        })
    }

    fn decoded<T: ChunkValue>(&self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        self.decode_into(&mut out)
            .expect("invariant: the Rust type matches the chunk type");
        out
    }

    fn primitive<A>(&self, nulls: Option<NullBuffer>) -> ArrayRef
    where
        A: ArrowPrimitiveType,
        A::Native: ChunkValue,
    {
        Arc::new(PrimitiveArray::<A>::new(
            ScalarBuffer::from(self.decoded::<A::Native>()),
            nulls,
        ))
    }
}
