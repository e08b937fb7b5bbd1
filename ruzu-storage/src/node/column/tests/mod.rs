//! Tests of the column chunk format: round trips, encoding choice, corruption, sizes.

mod corrupt;
mod person;
mod round_trip;

use std::sync::Arc;

use arrow_array::Array;
use ruzu_csv::{Batch, DataType, Field, Interval, Schema, Value};

use super::{ChunkEncoder, ChunkMeta, ChunkReader};

/// An owned value, to generate test columns.
pub(super) use ruzu_csv::OwnedValue as Owned;

/// Whether two values are the same, floats compared by bits (NaN, -0.0).
pub(super) fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// One-column batches of `t` holding `values`, cut after each index in `cuts`.
pub(super) fn batches(t: DataType, values: &[Owned], cuts: &[usize]) -> Vec<Batch> {
    let schema = Arc::new(Schema::new(vec![Field::new("c", t)]));
    let mut out = vec![Batch::new(schema.clone(), 64, 256)];
    for (i, v) in values.iter().enumerate() {
        if cuts.contains(&i) {
            out.push(Batch::new(schema.clone(), 64, 256));
        }
        out.last_mut()
            .expect("invariant: starts with one batch")
            .push_row(&[v.as_value()], i as u64 + 1, 0)
            .expect("value matches the column type");
    }
    out
}

/// Encodes `batches` (whole, in order) into one chunk image.
pub(super) fn encode(t: DataType, batches: &[Batch]) -> (Vec<u8>, ChunkMeta) {
    let mut encoder = ChunkEncoder::new(t).expect("every ruzu type has an encoding");
    for b in batches {
        encoder
            .append(b.column(0), 0..b.num_rows())
            .expect("column type and range are right");
    }
    let mut image = Vec::new();
    let meta = encoder.finish(&mut image);
    (image, meta)
}

/// Checks every read path of `image` against `values`.
pub(super) fn assert_decodes_to(t: DataType, image: &[u8], values: &[Owned]) {
    let reader = ChunkReader::new(image).expect("an encoder's image is valid");
    reader.check().expect("still valid");
    assert_eq!(reader.data_type(), t);
    assert_eq!(reader.len(), values.len());
    let nulls = values.iter().filter(|v| **v == Owned::Null).count();
    assert_eq!(reader.null_count(), nulls);
    for (i, v) in values.iter().enumerate() {
        let got = reader.value(i);
        assert!(same(&got, &v.as_value()), "row {i}: {got:?} != {v:?}");
        assert_eq!(reader.is_valid(i), *v != Owned::Null);
    }
    // Bulk decoders agree with the single-value path.
    let bulk = bulk_values(&reader);
    assert_eq!(bulk.len(), values.len());
    for (i, (b, v)) in bulk.iter().zip(values).enumerate() {
        let expect = if *v == Owned::Null {
            zero(t)
        } else {
            v.clone()
        };
        assert!(
            same(&b.as_value(), &expect.as_value()),
            "row {i}: {b:?} != {expect:?}"
        );
    }
    // An INTERVAL past Arrow's i64 nanoseconds has no Arrow form: an error, not a wrapped value.
    let unrepresentable = values.iter().any(
        |v| matches!(v.as_value(), Value::Interval(i) if i.micros.checked_mul(1000).is_none()),
    );
    let array = match reader.to_arrow() {
        Err(_) if unrepresentable => return,
        converted => converted.expect("converts"),
    };
    assert!(
        !unrepresentable,
        "an interval past i64 nanoseconds converted"
    );
    assert_eq!(array.len(), values.len());
    assert_eq!(array.null_count(), nulls);
    assert_eq!(
        Some(array.data_type().clone()),
        super::arrow_data_type(t),
        "arrow type of {t}"
    );
    for (i, v) in values.iter().enumerate() {
        assert_eq!(array.is_null(i), *v == Owned::Null);
    }
}

/// The value bulk decoders give NULL rows.
fn zero(t: DataType) -> Owned {
    match t {
        DataType::Bool => Owned::Bool(false),
        DataType::Int8 => Owned::Int8(0),
        DataType::Int16 => Owned::Int16(0),
        DataType::Int32 => Owned::Int32(0),
        DataType::Int64 => Owned::Int64(0),
        DataType::Int128 => Owned::Int128(0),
        DataType::UInt8 => Owned::UInt8(0),
        DataType::UInt16 => Owned::UInt16(0),
        DataType::UInt32 => Owned::UInt32(0),
        DataType::UInt64 => Owned::UInt64(0),
        DataType::Float => Owned::Float(0.0),
        DataType::Double => Owned::Double(0.0),
        DataType::String => Owned::String(String::new()),
        DataType::Date => Owned::Date(0),
        DataType::Timestamp => Owned::Timestamp(0),
        DataType::Interval => Owned::Interval(0, 0, 0),
        DataType::Uuid => Owned::Uuid(0),
        _ => Owned::Blob(Vec::new()),
    }
}

/// Every row through the typed bulk decoder of the reader's type.
fn bulk_values(r: &ChunkReader<'_>) -> Vec<Owned> {
    fn get<T: super::ChunkValue>(r: &ChunkReader<'_>, f: impl Fn(T) -> Owned) -> Vec<Owned> {
        let mut out = vec![T::default()]; // decode_into appends
        r.decode_into(&mut out).expect("matching type");
        out.into_iter().skip(1).map(f).collect()
    }
    match r.data_type() {
        DataType::Bool => get(r, Owned::Bool),
        DataType::Int8 => get(r, Owned::Int8),
        DataType::Int16 => get(r, Owned::Int16),
        DataType::Int32 => get(r, Owned::Int32),
        DataType::Int64 => get(r, Owned::Int64),
        DataType::Int128 => get(r, Owned::Int128),
        DataType::UInt8 => get(r, Owned::UInt8),
        DataType::UInt16 => get(r, Owned::UInt16),
        DataType::UInt32 => get(r, Owned::UInt32),
        DataType::UInt64 => get(r, Owned::UInt64),
        DataType::Float => get(r, Owned::Float),
        DataType::Double => get(r, Owned::Double),
        DataType::Date => get(r, Owned::Date),
        DataType::Timestamp => get(r, Owned::Timestamp),
        DataType::Interval => get(r, |i: Interval| Owned::Interval(i.months, i.days, i.micros)),
        DataType::Uuid => get(r, Owned::Uuid),
        t => {
            // Appends after what is there: one byte of data and its offset.
            let mut offsets = vec![1];
            let mut data = vec![b'x'];
            r.decode_var_into(&mut offsets, &mut data)
                .expect("var-size type");
            assert_eq!(offsets.len(), r.len() + 1);
            offsets
                .windows(2)
                .map(|w| {
                    let bytes = data[w[0] as usize..w[1] as usize].to_vec();
                    if t == DataType::String {
                        Owned::String(String::from_utf8(bytes).expect("UTF-8"))
                    } else {
                        Owned::Blob(bytes)
                    }
                })
                .collect()
        }
    }
}
