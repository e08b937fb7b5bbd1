//! Typed bulk decoding: which Rust type each column type decodes into, and how.

use ruzu_csv::{DataType, Interval};

use super::bitpack;
use super::bits::byte_bit;
use super::reader::{ChunkReader, Section, decimal, interval_from};

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that chunk values decode into with
/// [`ChunkReader::decode_into`](crate::ChunkReader::decode_into).
///
/// | Rust type | column types |
/// |---|---|
/// | `bool` | BOOL |
/// | `i8`, `i16`, `i128` | INT8, INT16, INT128 |
/// | `i32` | INT32, DATE (days since 1970-01-01) |
/// | `i64` | INT64, TIMESTAMP (microseconds since 1970-01-01 UTC) |
/// | `u8`, `u16`, `u32`, `u64` | UINT8 .. UINT64 |
/// | `f32`, `f64` | FLOAT, DOUBLE |
/// | `u128` | UUID |
/// | [`Interval`] | INTERVAL |
///
/// Sealed: implemented only by the types above.
pub trait ChunkValue: Copy + Default + sealed::Sealed {
    /// The column type named in a mismatch error.
    const DATA_TYPE: DataType;

    /// Whether chunks of type `t` decode into this type.
    fn accepts(t: DataType) -> bool;

    /// Appends every row of `reader` (its type accepted) to `out`.
    #[doc(hidden)]
    fn decode(reader: &ChunkReader<'_>, out: &mut Vec<Self>);
}

/// Sets the NULL rows of `values` (one per chunk row) to the default value.
fn zero_nulls<T: Default>(reader: &ChunkReader<'_>, values: &mut [T]) {
    if let Some(bitmap) = reader.validity_bytes() {
        for (byte_index, &b) in bitmap.iter().enumerate() {
            if b != 0xFF {
                for bit in 0..8 {
                    let i = byte_index * 8 + bit;
                    if i < values.len() && !byte_bit(bitmap, i) {
                        values[i] = T::default();
                    }
                }
            }
        }
    }
}

/// Decodes a chunk whose values are fixed-width little-endian (PLAIN / CONSTANT) or absent.
fn decode_fixed<T: Copy + Default, const W: usize>(
    reader: &ChunkReader<'_>,
    out: &mut Vec<T>,
    from_le: impl Fn([u8; W]) -> T,
    other: impl FnOnce(&Section<'_>, &mut Vec<T>),
) {
    let base = out.len();
    let n = reader.len();
    match reader.section {
        Section::None => out.resize(base + n, T::default()),
        Section::Plain(b) => {
            out.reserve(n);
            out.extend(
                b.chunks_exact(W)
                    .map(|c| from_le(c.try_into().expect("invariant: W-byte chunk"))),
            );
        }
        Section::Constant(b) => {
            let v = from_le(b.try_into().expect("invariant: constant is W bytes"));
            out.resize(base + n, v);
        }
        ref s => other(s, out),
    }
    // Sections a type never has (rejected when the image was checked) leave rows missing.
    out.resize(base + n, T::default());
    zero_nulls(reader, &mut out[base..]);
}

macro_rules! int_value {
    ($t:ty, $w:literal, $main:path $(| $alt:path)*, $from_key:expr) => {
        impl sealed::Sealed for $t {}
        impl ChunkValue for $t {
            const DATA_TYPE: DataType = $main;

            fn accepts(t: DataType) -> bool {
                matches!(t, $main $(| $alt)*)
            }

            fn decode(reader: &ChunkReader<'_>, out: &mut Vec<Self>) {
                let from_key: fn(u64) -> $t = $from_key;
                decode_fixed::<$t, $w>(reader, out, <$t>::from_le_bytes, |s, out| {
                    if let Section::For { reference, factor, width, packed } = *s {
                        out.reserve(reader.len());
                        if factor == 1 {
                            bitpack::unpack(packed, reference, width, reader.len(), |k| {
                                out.push(from_key(k))
                            });
                        } else {
                            bitpack::unpack(packed, 0, width, reader.len(), |d| {
                                out.push(from_key(reference.wrapping_add(d.wrapping_mul(factor))))
                            });
                        }
                    }
                });
            }
        }
    };
}

int_value!(
    i8,
    1,
    DataType::Int8,
    |k| ((k ^ super::int_keys::SIGN) as i64) as i8
);
int_value!(
    i16,
    2,
    DataType::Int16,
    |k| ((k ^ super::int_keys::SIGN) as i64) as i16
);
int_value!(i32, 4, DataType::Int32 | DataType::Date, |k| {
    ((k ^ super::int_keys::SIGN) as i64) as i32
});
int_value!(i64, 8, DataType::Int64 | DataType::Timestamp, |k| {
    (k ^ super::int_keys::SIGN) as i64
});
int_value!(u8, 1, DataType::UInt8, |k| k as u8);
int_value!(u16, 2, DataType::UInt16, |k| k as u16);
int_value!(u32, 4, DataType::UInt32, |k| k as u32);
int_value!(u64, 8, DataType::UInt64, |k| k);

macro_rules! plain_value {
    ($t:ty, $w:literal, $dt:path, $from_le:expr) => {
        impl sealed::Sealed for $t {}
        impl ChunkValue for $t {
            const DATA_TYPE: DataType = $dt;

            fn accepts(t: DataType) -> bool {
                t == $dt
            }

            fn decode(reader: &ChunkReader<'_>, out: &mut Vec<Self>) {
                decode_fixed::<$t, $w>(reader, out, $from_le, |_, _| {});
            }
        }
    };
}

plain_value!(f32, 4, DataType::Float, f32::from_le_bytes);
plain_value!(i128, 16, DataType::Int128, i128::from_le_bytes);
plain_value!(u128, 16, DataType::Uuid, u128::from_le_bytes);
plain_value!(Interval, 16, DataType::Interval, |b| interval_from(
    u128::from_le_bytes(b)
));

impl sealed::Sealed for f64 {}
impl ChunkValue for f64 {
    const DATA_TYPE: DataType = DataType::Double;

    fn accepts(t: DataType) -> bool {
        t == DataType::Double
    }

    fn decode(reader: &ChunkReader<'_>, out: &mut Vec<Self>) {
        decode_fixed::<f64, 8>(reader, out, f64::from_le_bytes, |s, out| {
            if let Section::Decimal {
                scale,
                reference,
                width,
                packed,
            } = *s
            {
                out.reserve(reader.len());
                bitpack::unpack(packed, reference, width, reader.len(), |k| {
                    out.push(decimal(k, scale));
                });
            }
        });
    }
}

impl sealed::Sealed for bool {}
impl ChunkValue for bool {
    const DATA_TYPE: DataType = DataType::Bool;

    fn accepts(t: DataType) -> bool {
        t == DataType::Bool
    }

    fn decode(reader: &ChunkReader<'_>, out: &mut Vec<Self>) {
        decode_fixed::<bool, 1>(
            reader,
            out,
            |b| b[0] != 0,
            |s, out| {
                if let Section::Bits(bits) = *s {
                    out.extend((0..reader.len()).map(|i| byte_bit(bits, i)));
                }
            },
        );
    }
}
