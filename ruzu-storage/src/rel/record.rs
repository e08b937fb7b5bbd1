//! Edge records: one resolved edge as bytes, the unit of the spill runs and of the sort.
//!
//! # Byte layout (little-endian; temporary files only, never in the database)
//!
//! | size | field |
//! |---|---|
//! | 4 | *n*: bytes that follow |
//! | 8 | bound node offset (the node whose adjacency list holds the edge) |
//! | 8 | neighbour node offset |
//! | 8 | sequence number: the edge's place in import order (0 for edges of stored groups) |
//! | *n* − 24 | properties, one after the other: a tag byte (0 NULL, 1 value), then the value: fixed-width types in their width (`BOOL` 1 byte, `INTERVAL` months i32, days i32, micros i64, `UUID`/`INT128` 16 bytes), `STRING`/`BLOB` as `u32` length + bytes |

use ruzu_csv::{DataType, Interval, Value};

use crate::error::{Result, StorageError};

/// Bytes of the length prefix.
pub(crate) const LEN_BYTES: usize = 4;
/// Bytes of a record before its properties (without the length prefix).
pub(crate) const HEAD_BYTES: usize = 24;

const WHAT: &str = "rel spill record";

/// Appends the properties `values` (NULL or of the column's type) to `out`.
pub(crate) fn encode_props<'a>(values: impl Iterator<Item = Value<'a>>, out: &mut Vec<u8>) {
    for v in values {
        if matches!(v, Value::Null) {
            out.push(0);
            continue;
        }
        out.push(1);
        match v {
            Value::Null => {}
            Value::Bool(b) => out.push(u8::from(b)),
            Value::Int8(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Int16(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Int32(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Int64(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Int128(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::UInt8(x) => out.push(x),
            Value::UInt16(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::UInt32(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::UInt64(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Float(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Double(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Date(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Timestamp(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::Interval(i) => {
                out.extend_from_slice(&i.months.to_le_bytes());
                out.extend_from_slice(&i.days.to_le_bytes());
                out.extend_from_slice(&i.micros.to_le_bytes());
            }
            Value::Uuid(x) => out.extend_from_slice(&x.to_le_bytes()),
            Value::String(s) => {
                out.extend_from_slice(&(s.len() as u32).to_le_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            Value::Blob(b) => {
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(b);
            }
            // `Value` is non-exhaustive: a variant added to ruzu-csv needs an encoding here.
            _ => unreachable!("invariant: every Value variant has a record encoding"),
        }
    }
}

/// Appends a whole record: bound node, neighbour, sequence number and already encoded
/// properties.
pub(crate) fn push_record(out: &mut Vec<u8>, bound: u64, neighbour: u64, seq: u64, props: &[u8]) {
    let n = (HEAD_BYTES + props.len()) as u32;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&bound.to_le_bytes());
    out.extend_from_slice(&neighbour.to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(props);
}

/// The length of the record starting at `buf[0]` (prefix included), if `buf` holds its prefix.
pub(crate) fn record_len(buf: &[u8]) -> Option<usize> {
    let p: [u8; 4] = buf.get(..LEN_BYTES)?.try_into().ok()?;
    Some(LEN_BYTES + u32::from_le_bytes(p) as usize)
}

/// A record's fields; `bytes` is the record without its length prefix.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Record<'a> {
    bytes: &'a [u8],
}

impl<'a> Record<'a> {
    /// The record in `bytes` (without the length prefix).
    pub(crate) fn new(bytes: &'a [u8]) -> Result<Self> {
        if bytes.len() < HEAD_BYTES {
            return Err(StorageError::corrupt(
                WHAT,
                0,
                "record shorter than its head",
            ));
        }
        Ok(Record { bytes })
    }

    fn u64_at(&self, at: usize) -> u64 {
        u64::from_le_bytes(
            self.bytes[at..at + 8]
                .try_into()
                .expect("invariant: checked by Record::new"),
        )
    }

    /// The bound node offset.
    pub(crate) fn bound(&self) -> u64 {
        self.u64_at(0)
    }

    /// The neighbour node offset.
    pub(crate) fn neighbour(&self) -> u64 {
        self.u64_at(8)
    }

    /// The sequence number.
    pub(crate) fn seq(&self) -> u64 {
        self.u64_at(16)
    }

    /// The sort key: bound node, then sequence number.
    pub(crate) fn key(&self) -> (u64, u64) {
        (self.bound(), self.seq())
    }

    /// Decodes the properties, of types `types`, into `out` (cleared first).
    pub(crate) fn props(&self, types: &[DataType], out: &mut Vec<Value<'a>>) -> Result<()> {
        out.clear();
        self.push_props(types, out)
    }

    /// Decodes the properties, of types `types`, appending them to `out`.
    pub(crate) fn push_props(&self, types: &[DataType], out: &mut Vec<Value<'a>>) -> Result<()> {
        let mut r = Cursor {
            buf: &self.bytes[HEAD_BYTES..],
        };
        for &t in types {
            out.push(r.value(t)?);
        }
        if !r.buf.is_empty() {
            return Err(StorageError::corrupt(
                WHAT,
                0,
                "bytes after the last property",
            ));
        }
        Ok(())
    }
}

struct Cursor<'a> {
    buf: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() < n {
            return Err(StorageError::corrupt(WHAT, 0, "truncated property"));
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("invariant: took N bytes"))
    }

    fn value(&mut self, t: DataType) -> Result<Value<'a>> {
        if self.array::<1>()?[0] == 0 {
            return Ok(Value::Null);
        }
        Ok(match t {
            DataType::Bool => Value::Bool(self.array::<1>()?[0] != 0),
            DataType::Int8 => Value::Int8(i8::from_le_bytes(self.array()?)),
            DataType::Int16 => Value::Int16(i16::from_le_bytes(self.array()?)),
            DataType::Int32 => Value::Int32(i32::from_le_bytes(self.array()?)),
            DataType::Int64 => Value::Int64(i64::from_le_bytes(self.array()?)),
            DataType::Int128 => Value::Int128(i128::from_le_bytes(self.array()?)),
            DataType::UInt8 => Value::UInt8(self.array::<1>()?[0]),
            DataType::UInt16 => Value::UInt16(u16::from_le_bytes(self.array()?)),
            DataType::UInt32 => Value::UInt32(u32::from_le_bytes(self.array()?)),
            DataType::UInt64 => Value::UInt64(u64::from_le_bytes(self.array()?)),
            DataType::Float => Value::Float(f32::from_le_bytes(self.array()?)),
            DataType::Double => Value::Double(f64::from_le_bytes(self.array()?)),
            DataType::Date => Value::Date(i32::from_le_bytes(self.array()?)),
            DataType::Timestamp => Value::Timestamp(i64::from_le_bytes(self.array()?)),
            DataType::Interval => Value::Interval(Interval {
                months: i32::from_le_bytes(self.array()?),
                days: i32::from_le_bytes(self.array()?),
                micros: i64::from_le_bytes(self.array()?),
            }),
            DataType::Uuid => Value::Uuid(u128::from_le_bytes(self.array()?)),
            DataType::String => {
                let n = u32::from_le_bytes(self.array()?) as usize;
                let b = self.take(n)?;
                Value::String(
                    std::str::from_utf8(b)
                        .map_err(|_| StorageError::corrupt(WHAT, 0, "string is not UTF-8"))?,
                )
            }
            DataType::Blob => {
                let n = u32::from_le_bytes(self.array()?) as usize;
                Value::Blob(self.take(n)?)
            }
            _ => return Err(StorageError::corrupt(WHAT, 0, format!("type {t}"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trips_every_property_type() -> Result<()> {
        let values = [
            Value::Null,
            Value::Bool(true),
            Value::Int32(-7),
            Value::Double(0.5),
            Value::String("a,\"b\""),
            Value::Blob(&[0, 255]),
            Value::Interval(Interval {
                months: 1,
                days: -2,
                micros: 3,
            }),
            Value::Uuid(u128::MAX - 1),
            Value::Date(19_000),
            Value::Timestamp(-1),
        ];
        let types = [
            DataType::Int64,
            DataType::Bool,
            DataType::Int32,
            DataType::Double,
            DataType::String,
            DataType::Blob,
            DataType::Interval,
            DataType::Uuid,
            DataType::Date,
            DataType::Timestamp,
        ];
        let mut props = Vec::new();
        encode_props(values.iter().copied(), &mut props);
        let mut buf = Vec::new();
        push_record(&mut buf, 5, u64::MAX, 9, &props);
        let len = record_len(&buf).expect("prefix");
        assert_eq!(len, buf.len());
        let r = Record::new(&buf[LEN_BYTES..])?;
        assert_eq!((r.bound(), r.neighbour(), r.seq()), (5, u64::MAX, 9));
        let mut out = Vec::new();
        r.props(&types, &mut out)?;
        assert_eq!(out, values);
        assert!(
            Record::new(&buf[LEN_BYTES..buf.len() - 1])?
                .props(&types, &mut out)
                .is_err()
        );
        Ok(())
    }
}
