//! Conversion between a [`Batch`] and an Arrow `RecordBatch`, both ways.
//!
//! Type mapping (every field nullable):
//!
//! | ruzu | Arrow |
//! |---|---|
//! | BOOL | `Boolean` |
//! | INT8..INT64, UINT8..UINT64 | the same integer type |
//! | INT128 | `Decimal128(38, 0)` (values past ±(10^38 - 1) are kept, but exceed the precision) |
//! | FLOAT, DOUBLE | `Float32`, `Float64` |
//! | STRING | `Utf8` |
//! | DATE | `Date32` |
//! | TIMESTAMP | `Timestamp(Microsecond, None)` |
//! | INTERVAL | `Interval(MonthDayNano)`, microseconds times 1000 |
//! | UUID | `FixedSizeBinary(16)`, big-endian bytes |
//! | BLOB | `Binary` |
//!
//! Going to Arrow copies the values (Arrow buffers cannot borrow the recycled arena).
//! Coming from Arrow, [`Batch::push_arrow`] also takes `LargeUtf8`/`Utf8View`,
//! `LargeBinary`/`BinaryView`, any `Decimal128(_, 0)` and timestamps in microseconds with a
//! time zone (Arrow timestamps are UTC-based either way).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, IntervalMonthDayNanoType, TimestampMicrosecondType, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, FixedSizeBinaryArray, PrimitiveArray, RecordBatch,
    StringArray,
};
use arrow_buffer::{
    BooleanBuffer, Buffer, IntervalMonthDayNano, NullBuffer, OffsetBuffer, ScalarBuffer,
};
use arrow_schema::{ArrowError, IntervalUnit, TimeUnit};

use super::{Batch, Bitmap, ColumnData, ColumnRef, VarView};
use crate::batch::arena::Arena;
use crate::batch::column::{Column, Values};
use crate::error::CsvError;
use crate::types::{DataType, Interval, Schema};

impl DataType {
    /// The Arrow type a column of this type converts to (see [`Batch::to_arrow`]).
    pub fn to_arrow(self) -> arrow_schema::DataType {
        use arrow_schema::DataType as A;
        match self {
            DataType::Bool => A::Boolean,
            DataType::Int8 => A::Int8,
            DataType::Int16 => A::Int16,
            DataType::Int32 => A::Int32,
            DataType::Int64 => A::Int64,
            DataType::Int128 => A::Decimal128(38, 0),
            DataType::UInt8 => A::UInt8,
            DataType::UInt16 => A::UInt16,
            DataType::UInt32 => A::UInt32,
            DataType::UInt64 => A::UInt64,
            DataType::Float => A::Float32,
            DataType::Double => A::Float64,
            DataType::String => A::Utf8,
            DataType::Date => A::Date32,
            DataType::Timestamp => A::Timestamp(TimeUnit::Microsecond, None),
            DataType::Interval => A::Interval(IntervalUnit::MonthDayNano),
            DataType::Uuid => A::FixedSizeBinary(16),
            DataType::Blob => A::Binary,
        }
    }
}

impl Schema {
    /// The Arrow schema of batches of this schema: same names, mapped types, all nullable.
    pub fn to_arrow(&self) -> arrow_schema::Schema {
        arrow_schema::Schema::new(
            self.fields()
                .iter()
                .map(|f| arrow_schema::Field::new(&f.name, f.data_type.to_arrow(), true))
                .collect::<Vec<_>>(),
        )
    }
}

impl Batch {
    /// The rows as an Arrow `RecordBatch` of [`Schema::to_arrow`], values copied.
    ///
    /// # Errors
    ///
    /// An `ArrowError` when a value has no Arrow representation: an INTERVAL whose
    /// microseconds overflow `i64` nanoseconds (more than about 292 years), or a STRING/BLOB
    /// column holding more than 2 GiB.
    pub fn to_arrow(&self) -> Result<RecordBatch, ArrowError> {
        let arrays = self
            .columns()
            .map(column_to_arrow)
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Arc::new(self.schema().to_arrow());
        RecordBatch::try_new_with_options(
            schema,
            arrays,
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(self.num_rows())),
        )
    }

    /// Appends every row of `rb`, whose columns must match this batch's schema by position
    /// and type (see the module docs for the accepted Arrow types). Row `i` gets line
    /// `first_line + i` and byte offset 0.
    ///
    /// # Errors
    ///
    /// [`CsvError::ValueType`] when the column count or a column's type does not match, or an
    /// INTERVAL holds nanoseconds that are not whole microseconds; the batch is unchanged then.
    pub fn push_arrow(&mut self, rb: &RecordBatch, first_line: u64) -> Result<(), CsvError> {
        if rb.num_columns() != self.columns.len() {
            return Err(CsvError::ValueType {
                column: rb.num_columns().min(self.columns.len()) + 1,
                expected: format!("{} columns", self.columns.len()),
                found: format!("{} columns", rb.num_columns()),
            });
        }
        for (i, (array, column)) in rb.columns().iter().zip(&self.columns).enumerate() {
            check_arrow_column(i + 1, column.data_type, array.as_ref())?;
        }
        for (array, column) in rb.columns().iter().zip(&mut self.columns) {
            append_arrow(column, &mut self.arena, array.as_ref());
        }
        let rows = rb.num_rows();
        self.lines.extend((0..rows as u64).map(|i| first_line + i));
        self.byte_offsets.extend(std::iter::repeat_n(0, rows));
        self.num_rows += rows;
        Ok(())
    }
}

/// Arrow's validity from ours; `None` when nothing is NULL.
fn nulls(validity: &Bitmap) -> Option<NullBuffer> {
    if validity.count_zeros() == 0 {
        return None;
    }
    Some(NullBuffer::new(bool_buffer(validity)))
}

/// Our bitmap words (LSB first, like Arrow) as an Arrow bit buffer, in little-endian bytes.
fn bool_buffer(bits: &Bitmap) -> BooleanBuffer {
    let bytes: Vec<u8> = bits.words().iter().flat_map(|w| w.to_le_bytes()).collect();
    BooleanBuffer::new(Buffer::from_vec(bytes), 0, bits.len())
}

fn primitive<T>(values: &[T::Native], validity: &Bitmap) -> PrimitiveArray<T>
where
    T: arrow_array::ArrowPrimitiveType,
{
    PrimitiveArray::new(ScalarBuffer::from(values.to_vec()), nulls(validity))
}

fn var_parts(v: VarView<'_>) -> Result<(OffsetBuffer<i32>, Buffer), ArrowError> {
    let offsets = v
        .offsets()
        .iter()
        .map(|&o| i32::try_from(o))
        .collect::<Result<Vec<i32>, _>>()
        .map_err(|_| ArrowError::InvalidArgumentError("column holds more than 2 GiB".into()))?;
    Ok((
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Buffer::from(v.data()),
    ))
}

fn column_to_arrow(column: ColumnRef<'_>) -> Result<ArrayRef, ArrowError> {
    let validity = column.validity();
    Ok(match column.data() {
        ColumnData::Bool(b) => Arc::new(BooleanArray::new(bool_buffer(b), nulls(validity))),
        ColumnData::Int8(v) => Arc::new(primitive::<Int8Type>(v, validity)),
        ColumnData::Int16(v) => Arc::new(primitive::<Int16Type>(v, validity)),
        ColumnData::Int32(v) => Arc::new(primitive::<Int32Type>(v, validity)),
        ColumnData::Int64(v) => Arc::new(primitive::<Int64Type>(v, validity)),
        ColumnData::Int128(v) => {
            Arc::new(primitive::<Decimal128Type>(v, validity).with_precision_and_scale(38, 0)?)
        }
        ColumnData::UInt8(v) => Arc::new(primitive::<UInt8Type>(v, validity)),
        ColumnData::UInt16(v) => Arc::new(primitive::<UInt16Type>(v, validity)),
        ColumnData::UInt32(v) => Arc::new(primitive::<UInt32Type>(v, validity)),
        ColumnData::UInt64(v) => Arc::new(primitive::<UInt64Type>(v, validity)),
        ColumnData::Float(v) => Arc::new(primitive::<Float32Type>(v, validity)),
        ColumnData::Double(v) => Arc::new(primitive::<Float64Type>(v, validity)),
        ColumnData::Date(v) => Arc::new(primitive::<Date32Type>(v, validity)),
        ColumnData::Timestamp(v) => Arc::new(primitive::<TimestampMicrosecondType>(v, validity)),
        ColumnData::Interval(v) => {
            let values = v
                .iter()
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
                nulls(validity),
            ))
        }
        ColumnData::Uuid(v) => {
            let bytes: Vec<u8> = v.iter().flat_map(|&u| uuid_bytes(u)).collect();
            Arc::new(FixedSizeBinaryArray::try_new(
                16,
                Buffer::from_vec(bytes),
                nulls(validity),
            )?)
        }
        ColumnData::String(v) => {
            let (offsets, data) = var_parts(v)?;
            Arc::new(StringArray::try_new(offsets, data, nulls(validity))?)
        }
        ColumnData::Blob(v) => {
            let (offsets, data) = var_parts(v)?;
            Arc::new(BinaryArray::try_new(offsets, data, nulls(validity))?)
        }
    })
}

/// The 16 bytes of a UUID, most significant first (as written in text).
fn uuid_bytes(value: u128) -> [u8; 16] {
    std::array::from_fn(|i| (value >> (120 - 8 * i)) as u8)
}

fn uuid_from_bytes(bytes: &[u8]) -> u128 {
    bytes.iter().fold(0, |acc, &b| acc << 8 | u128::from(b))
}

fn type_error(column: usize, expected: DataType, found: &arrow_schema::DataType) -> CsvError {
    CsvError::ValueType {
        column,
        expected: format!("{expected} ({})", expected.to_arrow()),
        found: found.to_string(),
    }
}

/// Checks that `array` can be appended to a column of `data_type`, before anything is changed.
fn check_arrow_column(
    column: usize,
    data_type: DataType,
    array: &dyn Array,
) -> Result<(), CsvError> {
    use arrow_schema::DataType as A;
    let found = array.data_type();
    let ok = match (data_type, found) {
        (DataType::Int128, A::Decimal128(_, 0)) => true,
        (DataType::String, A::Utf8 | A::LargeUtf8 | A::Utf8View) => true,
        (DataType::Blob, A::Binary | A::LargeBinary | A::BinaryView) => true,
        (DataType::Timestamp, A::Timestamp(TimeUnit::Microsecond, _)) => true,
        (DataType::Interval, A::Interval(IntervalUnit::MonthDayNano)) => {
            let values = array.as_primitive::<IntervalMonthDayNanoType>();
            let bad = (0..values.len())
                .find(|&i| values.is_valid(i) && values.value(i).nanoseconds % 1000 != 0);
            if let Some(row) = bad {
                return Err(CsvError::ValueType {
                    column,
                    expected: "INTERVAL of whole microseconds".into(),
                    found: format!("{} nanoseconds at row {row}", values.value(row).nanoseconds),
                });
            }
            true
        }
        (t, found) => t.to_arrow() == *found,
    };
    if ok {
        Ok(())
    } else {
        Err(type_error(column, data_type, found))
    }
}

/// Appends the rows of an array already checked by [`check_arrow_column`]. NULL rows get the
/// type's zero, as everywhere in a batch.
fn append_arrow(column: &mut Column, arena: &mut Arena, array: &dyn Array) {
    use arrow_schema::DataType as A;
    let rows = array.len();
    for i in 0..rows {
        column.validity.push(array.is_valid(i));
    }
    fn fixed<T: arrow_array::ArrowPrimitiveType, U: Default>(
        out: &mut Vec<U>,
        array: &dyn Array,
        convert: impl Fn(T::Native) -> U,
    ) {
        let a = array.as_primitive::<T>();
        out.extend(a.iter().map(|v| v.map_or_else(U::default, &convert)));
    }
    fn var(out: &mut super::column::VarBytes, arena: &mut Arena, array: &dyn Array) {
        let mut push = |v: Option<&[u8]>| match v {
            Some(bytes) => out.push(arena, bytes),
            None => out.push_empty(),
        };
        match array.data_type() {
            A::Utf8 => array
                .as_string::<i32>()
                .iter()
                .for_each(|v| push(v.map(str::as_bytes))),
            A::LargeUtf8 => array
                .as_string::<i64>()
                .iter()
                .for_each(|v| push(v.map(str::as_bytes))),
            A::Utf8View => array
                .as_string_view()
                .iter()
                .for_each(|v| push(v.map(str::as_bytes))),
            A::Binary => array.as_binary::<i32>().iter().for_each(&mut push),
            A::LargeBinary => array.as_binary::<i64>().iter().for_each(&mut push),
            A::BinaryView => array.as_binary_view().iter().for_each(&mut push),
            _ => unreachable!("invariant: check_arrow_column accepted only string/binary types"),
        }
    }
    match &mut column.values {
        Values::Bool(b) => {
            let a = array.as_boolean();
            for i in 0..rows {
                b.push(a.is_valid(i) && a.value(i));
            }
        }
        Values::Int8(v) => fixed::<Int8Type, _>(v, array, |x| x),
        Values::Int16(v) => fixed::<Int16Type, _>(v, array, |x| x),
        Values::Int32(v) => fixed::<Int32Type, _>(v, array, |x| x),
        Values::Int64(v) => fixed::<Int64Type, _>(v, array, |x| x),
        Values::Int128(v) => fixed::<Decimal128Type, _>(v, array, |x| x),
        Values::UInt8(v) => fixed::<UInt8Type, _>(v, array, |x| x),
        Values::UInt16(v) => fixed::<UInt16Type, _>(v, array, |x| x),
        Values::UInt32(v) => fixed::<UInt32Type, _>(v, array, |x| x),
        Values::UInt64(v) => fixed::<UInt64Type, _>(v, array, |x| x),
        Values::Float(v) => fixed::<Float32Type, _>(v, array, |x| x),
        Values::Double(v) => fixed::<Float64Type, _>(v, array, |x| x),
        Values::Date(v) => fixed::<Date32Type, _>(v, array, |x| x),
        Values::Timestamp(v) => fixed::<TimestampMicrosecondType, _>(v, array, |x| x),
        Values::Interval(v) => fixed::<IntervalMonthDayNanoType, _>(v, array, |x| Interval {
            months: x.months,
            days: x.days,
            micros: x.nanoseconds / 1000,
        }),
        Values::Uuid(v) => {
            let a = array.as_fixed_size_binary();
            v.extend(a.iter().map(|x| x.map_or(0, uuid_from_bytes)));
        }
        Values::String(w) | Values::Blob(w) => var(w, arena, array),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Value;
    use crate::types::Field;
    use arrow_array::{Int64Array, LargeStringArray};

    fn all_types_schema() -> Arc<Schema> {
        Arc::new(Schema::new(
            DataType::ALL
                .iter()
                .map(|t| Field::new(t.name().to_lowercase(), *t))
                .collect(),
        ))
    }

    /// One row per case: every type's extreme or ordinary value, and a NULL row.
    fn rows() -> Vec<Vec<Value<'static>>> {
        let max = vec![
            Value::Bool(true),
            Value::Int8(i8::MIN),
            Value::Int16(i16::MAX),
            Value::Int32(i32::MIN),
            Value::Int64(i64::MAX),
            Value::Int128(i128::MIN),
            Value::UInt8(u8::MAX),
            Value::UInt16(u16::MAX),
            Value::UInt32(u32::MAX),
            Value::UInt64(u64::MAX),
            Value::Float(-1.5),
            Value::Double(f64::MAX),
            Value::String("héllo, \"world\""),
            Value::Date(-719_528),
            Value::Timestamp(-1),
            Value::Interval(Interval {
                months: -14,
                days: 3,
                micros: 9_000_000_000_000_000,
            }),
            Value::Uuid(0xa0ee_bc99_9c0b_4ef8_bb6d_6bb9_bd38_0a11),
            Value::Blob(&[0, 255, 10]),
        ];
        let ordinary = vec![
            Value::Bool(false),
            Value::Int8(1),
            Value::Int16(-2),
            Value::Int32(3),
            Value::Int64(-4),
            Value::Int128(5),
            Value::UInt8(6),
            Value::UInt16(7),
            Value::UInt32(8),
            Value::UInt64(9),
            Value::Float(0.1),
            Value::Double(-0.0),
            Value::String(""),
            Value::Date(19_782),
            Value::Timestamp(1_700_000_000_000_000),
            Value::Interval(Interval::default()),
            Value::Uuid(1),
            Value::Blob(b""),
        ];
        vec![max, vec![Value::Null; 18], ordinary]
    }

    fn batch_of(rows: &[Vec<Value<'_>>]) -> Batch {
        let mut batch = Batch::new(all_types_schema(), 4, 256);
        for (i, row) in rows.iter().enumerate() {
            batch
                .push_row(row, i as u64 + 2, 0)
                .expect("row matches schema");
        }
        batch
    }

    #[test]
    fn schema_maps_every_type() {
        let arrow = all_types_schema().to_arrow();
        assert_eq!(arrow.fields().len(), 18);
        assert!(arrow.fields().iter().all(|f| f.is_nullable()));
        assert_eq!(
            arrow.field(5).data_type(),
            &arrow_schema::DataType::Decimal128(38, 0)
        );
        assert_eq!(
            arrow.field(14).data_type(),
            &arrow_schema::DataType::Timestamp(TimeUnit::Microsecond, None)
        );
        assert_eq!(
            arrow.field(16).data_type(),
            &arrow_schema::DataType::FixedSizeBinary(16)
        );
    }

    #[test]
    fn to_arrow_copies_values_and_nulls() {
        let rb = batch_of(&rows()).to_arrow().expect("representable");
        assert_eq!(rb.num_rows(), 3);
        for column in rb.columns() {
            assert_eq!(column.null_count(), 1);
            assert!(column.is_null(1));
        }
        assert!(rb.column(0).as_boolean().value(0));
        assert!(!rb.column(0).as_boolean().value(2));
        assert_eq!(rb.column(4).as_primitive::<Int64Type>().value(0), i64::MAX);
        assert_eq!(
            rb.column(5).as_primitive::<Decimal128Type>().value(0),
            i128::MIN
        );
        assert_eq!(rb.column(9).as_primitive::<UInt64Type>().value(0), u64::MAX);
        assert_eq!(
            rb.column(12).as_string::<i32>().value(0),
            "héllo, \"world\""
        );
        assert_eq!(rb.column(12).as_string::<i32>().value(2), "");
        assert_eq!(
            rb.column(13).as_primitive::<Date32Type>().value(0),
            -719_528
        );
        assert_eq!(
            rb.column(14)
                .as_primitive::<TimestampMicrosecondType>()
                .value(2),
            1_700_000_000_000_000
        );
        assert_eq!(
            rb.column(15)
                .as_primitive::<IntervalMonthDayNanoType>()
                .value(0),
            IntervalMonthDayNano::new(-14, 3, 9_000_000_000_000_000_000)
        );
        assert_eq!(
            rb.column(16).as_fixed_size_binary().value(0),
            &[
                0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38,
                0x0a, 0x11
            ]
        );
        assert_eq!(rb.column(17).as_binary::<i32>().value(0), &[0, 255, 10]);
    }

    #[test]
    fn push_arrow_reads_back_what_to_arrow_wrote() {
        let rows = rows();
        let rb = batch_of(&rows).to_arrow().expect("representable");
        let mut back = Batch::new(all_types_schema(), 4, 256);
        back.push_arrow(&rb, 10).expect("same schema");
        back.push_arrow(&rb, 20).expect("same schema");
        assert_eq!(back.num_rows(), 6);
        for r in 0..6 {
            for (c, expected) in rows[r % 3].iter().enumerate() {
                assert_eq!(back.value(r, c), *expected, "row {r} column {c}");
            }
        }
        assert_eq!(back.lines(), &[10, 11, 12, 20, 21, 22]);

        // A sliced record batch (non-zero array offsets) appends just its rows.
        let mut sliced = Batch::new(all_types_schema(), 4, 256);
        sliced.push_arrow(&rb.slice(1, 2), 1).expect("same schema");
        for r in 0..2 {
            for (c, expected) in rows[r + 1].iter().enumerate() {
                assert_eq!(sliced.value(r, c), *expected, "sliced row {r} column {c}");
            }
        }
        assert_eq!(back.to_arrow().expect("representable").slice(0, 3), rb);
    }

    /// `VarBytes::push` of an empty value before any other value panicked: `reserve(0)`
    /// allocated no data slice.
    #[test]
    fn empty_string_as_first_value_is_stored() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("s", DataType::String),
            Field::new("b", DataType::Blob),
        ]));
        let mut batch = Batch::new(schema, 2, 0);
        batch
            .push_row(&[Value::String(""), Value::Blob(b"")], 1, 0)
            .expect("row matches schema");
        batch
            .push_row(&[Value::String("x"), Value::Blob(b"y")], 2, 0)
            .expect("row matches schema");
        assert_eq!(batch.value(0, 0), Value::String(""));
        assert_eq!(batch.value(1, 1), Value::Blob(b"y"));
        let rb = batch.to_arrow().expect("representable");
        assert_eq!(rb.column(0).as_string::<i32>().value(0), "");
    }

    #[test]
    fn empty_batch_converts_to_empty_record_batch() {
        let rb = batch_of(&[]).to_arrow().expect("representable");
        assert_eq!(rb.num_rows(), 0);
        assert_eq!(rb.num_columns(), 18);
    }

    #[test]
    fn interval_too_long_for_nanoseconds_is_an_arrow_error() {
        let schema = Arc::new(Schema::new(vec![Field::new("i", DataType::Interval)]));
        let mut batch = Batch::new(schema, 1, 0);
        let huge = Interval {
            months: 0,
            days: 0,
            micros: i64::MAX,
        };
        batch
            .push_row(&[Value::Interval(huge)], 1, 0)
            .expect("row matches");
        assert!(matches!(
            batch.to_arrow(),
            Err(ArrowError::InvalidArgumentError(_))
        ));
    }

    #[test]
    fn push_arrow_refuses_mismatches_and_leaves_the_batch_unchanged() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("name", DataType::String),
        ]));
        let mut batch = Batch::new(schema, 4, 64);
        let wrong = RecordBatch::try_from_iter([
            ("id", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
            ("name", Arc::new(Int64Array::from(vec![2])) as ArrayRef),
        ])
        .expect("valid record batch");
        let err = batch
            .push_arrow(&wrong, 1)
            .expect_err("INT64 is not STRING");
        assert!(matches!(err, CsvError::ValueType { column: 2, .. }));
        let short =
            RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1])) as ArrayRef)])
                .expect("valid record batch");
        assert!(batch.push_arrow(&short, 1).is_err());
        assert_eq!(batch.num_rows(), 0);
        assert_eq!(batch.column(0).len(), 0);
    }

    #[test]
    fn push_arrow_accepts_large_strings_and_nulls_become_zero() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("name", DataType::String),
        ]));
        let mut batch = Batch::new(schema, 4, 64);
        let rb = RecordBatch::try_from_iter([
            (
                "id",
                Arc::new(Int64Array::from(vec![Some(7), None])) as ArrayRef,
            ),
            (
                "name",
                Arc::new(LargeStringArray::from(vec![None, Some("x")])) as ArrayRef,
            ),
        ])
        .expect("valid record batch");
        batch.push_arrow(&rb, 5).expect("compatible types");
        assert_eq!(batch.value(0, 0), Value::Int64(7));
        assert_eq!(batch.value(0, 1), Value::Null);
        assert_eq!(batch.value(1, 0), Value::Null);
        assert_eq!(batch.value(1, 1), Value::String("x"));
        let ColumnData::Int64(ids) = batch.column(0).data() else {
            panic!("INT64 column");
        };
        assert_eq!(ids, &[7, 0]);
    }

    #[test]
    fn push_arrow_refuses_sub_microsecond_intervals() {
        let schema = Arc::new(Schema::new(vec![Field::new("i", DataType::Interval)]));
        let mut batch = Batch::new(schema, 1, 0);
        let array = PrimitiveArray::<IntervalMonthDayNanoType>::from(vec![
            IntervalMonthDayNano::new(0, 0, 1_000),
            IntervalMonthDayNano::new(0, 0, 1_500),
        ]);
        let rb = RecordBatch::try_from_iter([("i", Arc::new(array) as ArrayRef)])
            .expect("valid record batch");
        assert!(matches!(
            batch.push_arrow(&rb, 1),
            Err(CsvError::ValueType { column: 1, .. })
        ));
        assert_eq!(batch.num_rows(), 0);
    }
}
