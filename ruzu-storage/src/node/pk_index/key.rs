//! Keys as the index sees them: normalized bytes, a 64-bit hash, and text for error reports.
//!
//! Every key type maps to one of three [`KeyLayout`]s. Integers of up to 64 bits, `DATE` and
//! `TIMESTAMP` become 8 little-endian bytes (signed types sign-extended, so equal values give
//! equal bytes); `INT128` and `UUID` become 16; `STRING` and `BLOB` keep their bytes and compare
//! bytewise. The hash is computed from those bytes, so the builder, the reader and a caller that
//! partitions rel endpoints by [`key_hash`] always agree.

use ruzu_csv::{ColumnData, ColumnRef, DataType, Value};

use super::error::{PkIndexError, Result};

/// How keys of one type are stored in the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyLayout {
    /// 8 little-endian bytes (integers up to 64 bits, `DATE`, `TIMESTAMP`).
    Fixed8,
    /// 16 little-endian bytes (`INT128`, `UUID`).
    Fixed16,
    /// Variable-size bytes (`STRING`, `BLOB`).
    Var,
}

impl KeyLayout {
    /// The layout of `data_type`, or `None` when the type cannot be a primary key
    /// (`BOOL`, `FLOAT`, `DOUBLE`, `INTERVAL`).
    pub(crate) fn of(data_type: DataType) -> Option<KeyLayout> {
        match data_type {
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Date
            | DataType::Timestamp => Some(KeyLayout::Fixed8),
            DataType::Int128 | DataType::Uuid => Some(KeyLayout::Fixed16),
            DataType::String | DataType::Blob => Some(KeyLayout::Var),
            _ => None,
        }
    }

    /// Width of a fixed-size key in bytes.
    pub(crate) fn fixed_width(self) -> Option<usize> {
        match self {
            KeyLayout::Fixed8 => Some(8),
            KeyLayout::Fixed16 => Some(16),
            KeyLayout::Var => None,
        }
    }
}

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Murmur3's 64-bit finalizer: every input bit affects every output bit.
#[inline]
fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// Hash of an 8-byte key given as its integer value.
#[inline]
pub(crate) fn hash_u64(x: u64) -> u64 {
    fmix64(x ^ SEED)
}

/// Hash of a 16-byte key given as its integer value.
#[inline]
pub(crate) fn hash_u128(x: u128) -> u64 {
    fmix64((x as u64) ^ fmix64(((x >> 64) as u64) ^ SEED).rotate_left(23))
}

/// Hash of a variable-size key: FxHash-style word mixing, then a full finalizer.
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = SEED ^ (bytes.len() as u64).wrapping_mul(K);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let w = u64::from_le_bytes(w.try_into().expect("invariant: chunks_exact(8)"));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    }
    fmix64(h)
}

/// Hash of normalized key bytes of `layout`.
#[inline]
pub(crate) fn hash_key(layout: KeyLayout, key: &[u8]) -> u64 {
    match layout {
        KeyLayout::Fixed8 => hash_u64(u64::from_le_bytes(
            key.try_into().expect("invariant: Fixed8 keys are 8 bytes"),
        )),
        KeyLayout::Fixed16 => hash_u128(u128::from_le_bytes(
            key.try_into()
                .expect("invariant: Fixed16 keys are 16 bytes"),
        )),
        KeyLayout::Var => hash_bytes(key),
    }
}

/// The 64-bit hash the index uses for `key`, for a caller that partitions rows by the same hash
/// as the index (a partitioned join of rel endpoints against [`PkIndexReader::load_partition`]).
///
/// Returns `None` for NULL or for a value whose type cannot be a key.
///
/// [`PkIndexReader::load_partition`]: super::PkIndexReader::load_partition
pub fn key_hash(key: &Value<'_>) -> Option<u64> {
    let data_type = key.data_type()?;
    let layout = KeyLayout::of(data_type)?;
    let mut buf = [0u8; 16];
    let bytes = value_bytes(key, &mut buf)?;
    Some(hash_key(layout, bytes))
}

/// The partition (top `bits` bits of the hash) a hash falls into.
#[inline]
pub fn hash_partition(hash: u64, bits: u32) -> u32 {
    if bits == 0 {
        0
    } else {
        (hash >> (64 - bits.min(32))) as u32
    }
}

/// Normalized bytes of a key value; `None` for NULL or a type that cannot be a key.
pub(crate) fn value_bytes<'a>(value: &Value<'a>, buf: &'a mut [u8; 16]) -> Option<&'a [u8]> {
    let fixed8 = |x: u64, buf: &'a mut [u8; 16]| -> &'a [u8] {
        buf[..8].copy_from_slice(&x.to_le_bytes());
        &buf[..8]
    };
    Some(match *value {
        Value::Int8(x) => fixed8(i64::from(x) as u64, buf),
        Value::Int16(x) => fixed8(i64::from(x) as u64, buf),
        Value::Int32(x) | Value::Date(x) => fixed8(i64::from(x) as u64, buf),
        Value::Int64(x) | Value::Timestamp(x) => fixed8(x as u64, buf),
        Value::UInt8(x) => fixed8(u64::from(x), buf),
        Value::UInt16(x) => fixed8(u64::from(x), buf),
        Value::UInt32(x) => fixed8(u64::from(x), buf),
        Value::UInt64(x) => fixed8(x, buf),
        Value::Int128(x) => {
            *buf = x.to_le_bytes();
            &buf[..]
        }
        Value::Uuid(x) => {
            *buf = x.to_le_bytes();
            &buf[..]
        }
        Value::String(s) => s.as_bytes(),
        Value::Blob(b) => b,
        _ => return None,
    })
}

/// Calls `f(row, key)` for every row of `keys` in order, with `key = Some((hash, bytes))` or
/// `None` for a NULL row. Dispatches on the column type once, not per row.
///
/// # Errors
///
/// [`PkIndexError::KeyTypeMismatch`] when the column is not of type `expected`.
pub(crate) fn for_each_key(
    keys: ColumnRef<'_>,
    expected: DataType,
    mut f: impl FnMut(usize, Option<(u64, &[u8])>),
) -> Result<()> {
    if keys.data_type() != expected {
        return Err(PkIndexError::KeyTypeMismatch {
            expected,
            found: keys.data_type(),
        });
    }
    let validity = keys.validity();
    let all_valid = keys.null_count() == 0;
    macro_rules! fixed {
        ($values:expr, $to_u64:expr) => {
            for (row, &x) in $values.iter().enumerate() {
                if all_valid || validity.get(row) {
                    let k: u64 = $to_u64(x);
                    let bytes = k.to_le_bytes();
                    f(row, Some((hash_u64(k), &bytes)));
                } else {
                    f(row, None);
                }
            }
        };
    }
    match keys.data() {
        ColumnData::Int8(v) => fixed!(v, |x: i8| i64::from(x) as u64),
        ColumnData::Int16(v) => fixed!(v, |x: i16| i64::from(x) as u64),
        ColumnData::Int32(v) | ColumnData::Date(v) => fixed!(v, |x: i32| i64::from(x) as u64),
        ColumnData::Int64(v) | ColumnData::Timestamp(v) => fixed!(v, |x: i64| x as u64),
        ColumnData::UInt8(v) => fixed!(v, u64::from),
        ColumnData::UInt16(v) => fixed!(v, u64::from),
        ColumnData::UInt32(v) => fixed!(v, u64::from),
        ColumnData::UInt64(v) => fixed!(v, |x: u64| x),
        ColumnData::Int128(v) => {
            for (row, &x) in v.iter().enumerate() {
                if all_valid || validity.get(row) {
                    let k = x as u128;
                    f(row, Some((hash_u128(k), &k.to_le_bytes())));
                } else {
                    f(row, None);
                }
            }
        }
        ColumnData::Uuid(v) => {
            for (row, &k) in v.iter().enumerate() {
                if all_valid || validity.get(row) {
                    f(row, Some((hash_u128(k), &k.to_le_bytes())));
                } else {
                    f(row, None);
                }
            }
        }
        ColumnData::String(v) | ColumnData::Blob(v) => {
            for row in 0..v.len() {
                if all_valid || validity.get(row) {
                    let bytes = v.get(row);
                    f(row, Some((hash_bytes(bytes), bytes)));
                } else {
                    f(row, None);
                }
            }
        }
        _ => {
            return Err(PkIndexError::UnsupportedKeyType {
                data_type: expected,
            });
        }
    }
    Ok(())
}

/// A key as text for error reports, cut to [`ruzu_csv::MAX_SNIPPET_BYTES`].
pub(crate) fn render_key(data_type: DataType, key: &[u8]) -> Box<str> {
    let fixed8 = || u64::from_le_bytes(key.try_into().unwrap_or([0; 8]));
    let fixed16 = || u128::from_le_bytes(key.try_into().unwrap_or([0; 16]));
    let text = match data_type {
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => {
            fixed8().to_string()
        }
        DataType::Date => civil_date(fixed8() as i64),
        DataType::Timestamp => {
            let micros = fixed8() as i64;
            let secs = micros.div_euclid(1_000_000);
            let frac = micros.rem_euclid(1_000_000);
            let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
            let mut s = format!(
                "{} {:02}:{:02}:{:02}",
                civil_date(days),
                day_secs / 3600,
                day_secs / 60 % 60,
                day_secs % 60
            );
            if frac != 0 {
                s.push_str(&format!(".{frac:06}"));
            }
            s
        }
        DataType::Int128 => (fixed16() as i128).to_string(),
        DataType::Uuid => {
            let hex = format!("{:032x}", fixed16());
            format!(
                "{}-{}-{}-{}-{}",
                &hex[..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..]
            )
        }
        DataType::String | DataType::Blob => return ruzu_csv::snippet(key),
        _ => (fixed8() as i64).to_string(),
    };
    text.into_boxed_str()
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (proleptic Gregorian, Howard Hinnant's
/// `civil_from_days`).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_widths_normalize_to_the_same_bytes() {
        let mut a = [0u8; 16];
        let mut b = [0u8; 16];
        let x = value_bytes(&Value::Int8(-3), &mut a).map(<[u8]>::to_vec);
        let y = value_bytes(&Value::Int64(-3), &mut b).map(<[u8]>::to_vec);
        assert_eq!(x, y);
        assert_eq!(key_hash(&Value::Int8(-3)), Some(hash_u64((-3i64) as u64)));
    }

    #[test]
    fn byte_hash_differs_for_prefixes_and_lengths() {
        let a = hash_bytes(b"");
        let b = hash_bytes(b"\0");
        let c = hash_bytes(b"abcdefgh");
        let d = hash_bytes(b"abcdefgh\0");
        assert!(a != b && c != d && a != c);
    }

    #[test]
    fn keys_render_as_a_user_wrote_them() {
        assert_eq!(&*render_key(DataType::Int64, &(-5i64).to_le_bytes()), "-5");
        assert_eq!(
            &*render_key(DataType::Date, &10_957i64.to_le_bytes()),
            "2000-01-01"
        );
        let ts = 10_957i64 * 86_400_000_000 + 3_723_000_000;
        assert_eq!(
            &*render_key(DataType::Timestamp, &ts.to_le_bytes()),
            "2000-01-01 01:02:03"
        );
        let uuid = 0x0123_4567_89ab_cdef_0123_4567_89ab_cdefu128;
        assert_eq!(
            &*render_key(DataType::Uuid, &uuid.to_le_bytes()),
            "01234567-89ab-cdef-0123-456789abcdef"
        );
        assert_eq!(&*render_key(DataType::String, b"ann"), "ann");
    }
}
