//! Builds column chunk images from batch columns.
//!
//! [`ChunkEncoder`] copies the values of each appended row range into typed buffers (integers
//! already as order-preserving `u64` keys with their running min and max, strings as lengths +
//! bytes with a dictionary built on the side), then [`ChunkEncoder::finish`] sizes the
//! candidate encodings and writes the smallest. Buffers are cleared, not freed, so a reused
//! encoder allocates nothing per chunk once it has seen a full one.

use std::ops::Range;

use ruzu_csv::{ColumnData, ColumnRef, DataType};

use super::bitpack::{bits_needed, pack, packed_len};
use super::bits::BitBuf;
use super::error::ColumnError;
use super::header::{ChunkMeta, Encoding, Header, Validity};
use super::int_keys::{
    SIGN, append_keys, common_factor, constant, count_ones_range, decimal_keys, divide_deltas,
    fill_nulls, signed_key, write_for,
};
use super::var_builder::{DEFAULT_ZSTD_LEVEL, VarStore};
use super::{HEADER_BYTES, MAX_VAR_BYTES};

/// Most rows in one chunk: keeps every section length within the header's `u32` fields.
pub(crate) const MAX_CHUNK_ROWS: usize = 1 << 26;

/// Width in bytes and signedness of an integer-like type, `None` for other types.
pub(crate) fn int_kind(t: DataType) -> Option<(usize, bool)> {
    Some(match t {
        DataType::Int8 => (1, true),
        DataType::Int16 => (2, true),
        DataType::Int32 | DataType::Date => (4, true),
        DataType::Int64 | DataType::Timestamp => (8, true),
        DataType::UInt8 => (1, false),
        DataType::UInt16 => (2, false),
        DataType::UInt32 => (4, false),
        DataType::UInt64 => (8, false),
        _ => return None,
    })
}

/// Accumulated values of one chunk, by physical kind.
#[derive(Debug)]
enum Store {
    /// Integer-like types as order-preserving keys; `min`/`max` over non-NULL rows.
    Int {
        keys: Vec<u64>,
        min: u64,
        max: u64,
        width_bytes: usize,
        signed: bool,
    },
    Float(Vec<u32>),
    Double(Vec<u64>),
    /// INT128, UUID, INTERVAL (months | days << 32 | micros << 64).
    Wide(Vec<u128>),
    Bool(BitBuf),
    /// Boxed: it is by far the largest variant.
    Var(Box<VarStore>),
}

/// Accumulates one column's values for a chunk and writes them as an encoded image.
///
/// Bound: holds the values appended since the last [`finish`](Self::finish) (the raw values
/// of one node group at most) plus, for strings, a dictionary of at most 65 536 entries, one
/// code per row and the zstd frames of runs that arrived compressed (from the import sink's
/// parallel phase); strings are compressed straight into the image.
/// [`memory_bytes`](Self::memory_bytes) reports it.
///
/// # Example
///
/// ```
/// # use std::sync::Arc;
/// use ruzu_csv::{Batch, DataType, Field, Schema, Value};
/// use ruzu_storage::{ChunkEncoder, ChunkReader};
///
/// let schema = Arc::new(Schema::new(vec![Field::new("n", DataType::Int64)]));
/// let mut batch = Batch::new(schema, 16, 0);
/// for n in [7, 9, 8] {
///     batch.push_row(&[Value::Int64(n)], 1, 0)?;
/// }
/// let mut encoder = ChunkEncoder::new(DataType::Int64)?;
/// encoder.append(batch.column(0), 0..3)?;
/// let mut image = Vec::new();
/// let meta = encoder.finish(&mut image);
/// assert_eq!(meta.rows, 3);
/// let reader = ChunkReader::new(&image)?;
/// assert_eq!(reader.value(2), Value::Int64(8));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ChunkEncoder {
    data_type: DataType,
    rows: usize,
    null_count: usize,
    /// Empty until the first NULL; then one bit per row (set = value present).
    validity: BitBuf,
    store: Store,
    /// Scratch keys for the DECIMAL candidate.
    scratch: Vec<u64>,
    raw_bytes: u64,
}

impl ChunkEncoder {
    /// An empty encoder for a column of type `data_type`.
    ///
    /// # Errors
    ///
    /// [`ColumnError::UnsupportedType`] for a type the chunk format cannot store.
    pub fn new(data_type: DataType) -> Result<Self, ColumnError> {
        let store = if let Some((width_bytes, signed)) = int_kind(data_type) {
            Store::Int {
                keys: Vec::new(),
                min: u64::MAX,
                max: 0,
                width_bytes,
                signed,
            }
        } else {
            match data_type {
                DataType::Bool => Store::Bool(BitBuf::default()),
                DataType::Float => Store::Float(Vec::new()),
                DataType::Double => Store::Double(Vec::new()),
                DataType::Int128 | DataType::Uuid | DataType::Interval => Store::Wide(Vec::new()),
                DataType::String | DataType::Blob => Store::Var(Box::new(VarStore {
                    dict_active: true,
                    zstd_level: Some(DEFAULT_ZSTD_LEVEL),
                    ..VarStore::default()
                })),
                _ => return Err(ColumnError::UnsupportedType { data_type }),
            }
        };
        Ok(ChunkEncoder {
            data_type,
            rows: 0,
            null_count: 0,
            validity: BitBuf::default(),
            store,
            scratch: Vec::new(),
            raw_bytes: 0,
        })
    }

    /// Sets the zstd level for the data of STRING and BLOB chunks that do not take a
    /// dictionary (default 1; negative levels are faster and compress less), or turns
    /// compression off with `None`. No effect on other types.
    pub fn with_zstd_level(mut self, level: Option<i32>) -> Self {
        if let Store::Var(var) = &mut self.store {
            var.zstd_level = level;
            var.zstd = None;
        }
        self
    }

    /// The column type.
    pub fn data_type(&self) -> DataType {
        self.data_type
    }

    /// Rows appended since the last [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no row was appended since the last [`finish`](Self::finish).
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Bytes of STRING/BLOB data appended since the last [`finish`](Self::finish) (0 for
    /// other types); [`append`](Self::append) refuses to pass [`MAX_VAR_BYTES`].
    pub(crate) fn var_bytes(&self) -> u64 {
        match &self.store {
            Store::Var(var) => var.bytes.len() as u64,
            _ => 0,
        }
    }

    /// Heap bytes held by the encoder's buffers (capacity, not length).
    pub fn memory_bytes(&self) -> usize {
        let store = match &self.store {
            Store::Int { keys, .. } => keys.capacity() * 8,
            Store::Float(v) => v.capacity() * 4,
            Store::Double(v) => v.capacity() * 8,
            Store::Wide(v) => v.capacity() * 16,
            Store::Bool(b) => b.capacity_bytes(),
            Store::Var(v) => {
                v.lengths.capacity() * 4
                    + v.bytes.capacity()
                    + v.codes.capacity() * 4
                    + v.dict.capacity_bytes()
                    + v.frames.capacity()
                    + v.segments.capacity() * size_of::<(Range<usize>, Range<usize>)>()
            }
        };
        store + self.validity.capacity_bytes() + self.scratch.capacity() * 8
    }

    /// Appends rows `rows` of `column` to the chunk.
    ///
    /// The values are copied; `column` may be dropped (its batch cleared) afterwards.
    ///
    /// # Errors
    ///
    /// [`ColumnError::TypeMismatch`] when the column has another type,
    /// [`ColumnError::RowRange`] when `rows` is not inside it, [`ColumnError::TooLarge`] when
    /// the chunk would exceed 2^26 rows or 2 GiB of string bytes. The encoder is unchanged then.
    pub fn append(&mut self, column: ColumnRef<'_>, rows: Range<usize>) -> Result<(), ColumnError> {
        if column.data_type() != self.data_type {
            return Err(ColumnError::TypeMismatch {
                expected: self.data_type,
                found: column.data_type(),
            });
        }
        if rows.start > rows.end || rows.end > column.len() {
            return Err(ColumnError::RowRange {
                start: rows.start,
                end: rows.end,
                len: column.len(),
            });
        }
        let n = rows.len();
        if self.rows + n > MAX_CHUNK_ROWS {
            return Err(ColumnError::TooLarge {
                what: "rows",
                value: (self.rows + n) as u64,
                max: MAX_CHUNK_ROWS as u64,
            });
        }
        if let (Store::Var(var), ColumnData::String(src) | ColumnData::Blob(src)) =
            (&self.store, column.data())
        {
            let added = src.offsets()[rows.end] - src.offsets()[rows.start];
            let total = var.bytes.len() as u64 + u64::from(added);
            if total > MAX_VAR_BYTES {
                return Err(ColumnError::TooLarge {
                    what: "string bytes",
                    value: total,
                    max: MAX_VAR_BYTES,
                });
            }
        }
        if n == 0 {
            return Ok(());
        }

        // Validity: only kept once a NULL was seen.
        let words = column.validity().words();
        let nulls = if column.null_count() == 0 {
            0
        } else {
            n - count_ones_range(words, rows.start, n)
        };
        if nulls > 0 && self.null_count == 0 {
            self.validity.push_run(true, self.rows);
        }
        if nulls > 0 || self.null_count > 0 {
            self.validity.extend_from_words(words, rows.start, n);
        }
        // Validity words of the range when it holds NULLs (min/max must skip them).
        let valid = (nulls > 0).then_some(words);
        let width = self.data_type.fixed_width_bytes().unwrap_or(4) as u64;

        match (&mut self.store, column.data()) {
            (Store::Int { keys, min, max, .. }, data) => {
                let r = rows.clone();
                let (lo, hi) = match data {
                    ColumnData::Int8(v) => append_keys(keys, &v[r], valid, rows.start, signed_key),
                    ColumnData::Int16(v) => append_keys(keys, &v[r], valid, rows.start, signed_key),
                    ColumnData::Int32(v) | ColumnData::Date(v) => {
                        append_keys(keys, &v[r], valid, rows.start, signed_key)
                    }
                    ColumnData::Int64(v) | ColumnData::Timestamp(v) => {
                        append_keys(keys, &v[r], valid, rows.start, signed_key)
                    }
                    ColumnData::UInt8(v) => append_keys(keys, &v[r], valid, rows.start, u64::from),
                    ColumnData::UInt16(v) => append_keys(keys, &v[r], valid, rows.start, u64::from),
                    ColumnData::UInt32(v) => append_keys(keys, &v[r], valid, rows.start, u64::from),
                    ColumnData::UInt64(v) => append_keys(keys, &v[r], valid, rows.start, |x| x),
                    _ => unreachable!("invariant: column type checked against the store"),
                };
                *min = (*min).min(lo);
                *max = (*max).max(hi);
            }
            (Store::Float(out), ColumnData::Float(v)) => {
                out.extend(v[rows.clone()].iter().map(|x| x.to_bits()));
            }
            (Store::Double(out), ColumnData::Double(v)) => {
                out.extend(v[rows.clone()].iter().map(|x| x.to_bits()));
            }
            (Store::Wide(out), ColumnData::Int128(v)) => {
                out.extend(v[rows.clone()].iter().map(|&x| x as u128));
            }
            (Store::Wide(out), ColumnData::Uuid(v)) => out.extend_from_slice(&v[rows.clone()]),
            (Store::Wide(out), ColumnData::Interval(v)) => {
                out.extend(v[rows.clone()].iter().map(|i| {
                    u128::from(i.months as u32)
                        | u128::from(i.days as u32) << 32
                        | u128::from(i.micros as u64) << 64
                }));
            }
            (Store::Bool(out), ColumnData::Bool(b)) => {
                out.extend_from_words(b.words(), rows.start, n);
            }
            (Store::Var(var), ColumnData::String(src) | ColumnData::Blob(src)) => {
                let offsets = &src.offsets()[rows.start..=rows.end];
                let data = &src.data()[offsets[0] as usize..offsets[n] as usize];
                var.bytes.extend_from_slice(data);
                let mut max_len = var.max_len;
                var.lengths.extend(offsets.windows(2).map(|w| {
                    let len = w[1] - w[0];
                    max_len = max_len.max(len);
                    len
                }));
                var.max_len = max_len;
                self.raw_bytes += data.len() as u64;
            }
            _ => unreachable!("invariant: column type checked against the store"),
        }
        self.raw_bytes += width * n as u64;
        self.rows += n;
        self.null_count += nulls;
        Ok(())
    }

    /// [`append`](Self::append), where `frames` are zstd frames that inflate to exactly the
    /// string bytes of `rows` (made by a `FrameCompressor` at this encoder's zstd level): if
    /// the chunk ends up compressed, `finish` copies them instead of compressing those bytes
    /// itself. For other types, and for an encoder without compression, `frames` is ignored.
    ///
    /// # Errors
    ///
    /// As [`append`](Self::append).
    pub(crate) fn append_with_frames(
        &mut self,
        column: ColumnRef<'_>,
        rows: Range<usize>,
        frames: &[u8],
    ) -> Result<(), ColumnError> {
        let before = self.var_bytes() as usize;
        self.append(column, rows)?;
        if let Store::Var(var) = &mut self.store {
            let after = var.bytes.len();
            var.add_frames(before..after, frames);
        }
        Ok(())
    }

    /// Appends the encoded image of every row appended since the last call to `out`, and
    /// makes the encoder empty for the next chunk (keeping its buffers).
    ///
    /// An encoder with no row writes a valid image of zero rows.
    pub fn finish(&mut self, out: &mut Vec<u8>) -> ChunkMeta {
        let start = out.len();
        let validity = if self.null_count == 0 {
            Validity::AllValid
        } else if self.null_count == self.rows {
            Validity::AllNull
        } else {
            Validity::Bitmap
        };
        let mut header = Header {
            data_type: self.data_type,
            validity,
            encoding: Encoding::None,
            rows: self.rows as u32,
            null_count: self.null_count as u32,
            payload_bytes: 0,
        };
        header.write(out);
        if validity == Validity::Bitmap {
            self.validity.write_bytes(out);
        }
        if self.rows > 0 && validity != Validity::AllNull {
            header.encoding = self.write_values(out);
        }
        let payload = out.len() - start - HEADER_BYTES;
        header.payload_bytes =
            u32::try_from(payload).expect("invariant: MAX_CHUNK_ROWS keeps payloads under 4 GiB");
        out[start + 7] = header.encoding.code();
        out[start + 16..start + 20].copy_from_slice(&header.payload_bytes.to_le_bytes());
        let crc = crc32c::crc32c(&out[start..]);
        out.extend_from_slice(&crc.to_le_bytes());
        let meta = ChunkMeta {
            data_type: self.data_type,
            encoding: header.encoding,
            rows: header.rows,
            null_count: header.null_count,
            image_bytes: (out.len() - start) as u64,
            raw_bytes: self.raw_bytes,
            crc32c: crc,
        };
        self.reset();
        meta
    }

    /// Drops every appended row, keeping the buffers.
    pub fn reset(&mut self) {
        self.rows = 0;
        self.null_count = 0;
        self.raw_bytes = 0;
        self.validity.clear();
        match &mut self.store {
            Store::Int { keys, min, max, .. } => {
                keys.clear();
                *min = u64::MAX;
                *max = 0;
            }
            Store::Float(v) => v.clear(),
            Store::Double(v) => v.clear(),
            Store::Wide(v) => v.clear(),
            Store::Bool(b) => b.clear(),
            Store::Var(v) => {
                v.lengths.clear();
                v.bytes.clear();
                v.max_len = 0;
                v.next_chunk();
            }
        }
    }

    /// Writes the values section of a chunk with at least one non-NULL row.
    fn write_values(&mut self, out: &mut Vec<u8>) -> Encoding {
        let has_nulls = self.null_count > 0;
        let validity = self.validity.words();
        match &mut self.store {
            Store::Int {
                keys,
                min,
                max,
                width_bytes,
                signed,
            } => {
                if has_nulls {
                    fill_nulls(keys, validity, *min);
                }
                let range = *max - *min;
                if range > 0
                    && let Some(factor) = common_factor(keys, *min)
                {
                    // Deltas are multiples of `factor`: store delta / factor.
                    let width = bits_needed(range / factor);
                    divide_deltas(keys, *min, factor);
                    out.extend_from_slice(&min.to_le_bytes());
                    out.extend_from_slice(&factor.to_le_bytes());
                    out.push(width);
                    pack(keys, 0, width, out);
                    return Encoding::ScaledFrameOfReference;
                }
                let width = bits_needed(range);
                if usize::from(width) == *width_bytes * 8 {
                    let flip = if *signed { SIGN } else { 0 };
                    out.reserve(keys.len() * *width_bytes);
                    for &k in keys.iter() {
                        out.extend_from_slice(&(k ^ flip).to_le_bytes()[..*width_bytes]);
                    }
                    Encoding::Plain
                } else {
                    write_for(keys, *min, width, out);
                    Encoding::FrameOfReference
                }
            }
            Store::Float(v) => {
                if let Some(c) = constant(v, has_nulls.then_some(validity)) {
                    out.extend_from_slice(&c.to_le_bytes());
                    return Encoding::Constant;
                }
                out.reserve(v.len() * 4);
                for x in v.iter() {
                    out.extend_from_slice(&x.to_le_bytes());
                }
                Encoding::Plain
            }
            Store::Double(v) => {
                if let Some(c) = constant(v, has_nulls.then_some(validity)) {
                    out.extend_from_slice(&c.to_le_bytes());
                    return Encoding::Constant;
                }
                if let Some((scale, min, width)) =
                    decimal_keys(v, has_nulls.then_some(validity), &mut self.scratch)
                    && 10 + packed_len(v.len(), width) < v.len() * 8
                {
                    out.push(scale);
                    write_for(&self.scratch, min, width, out);
                    return Encoding::Decimal;
                }
                out.reserve(v.len() * 8);
                for x in v.iter() {
                    out.extend_from_slice(&x.to_le_bytes());
                }
                Encoding::Plain
            }
            Store::Wide(v) => {
                if let Some(c) = constant(v, has_nulls.then_some(validity)) {
                    out.extend_from_slice(&c.to_le_bytes());
                    return Encoding::Constant;
                }
                out.reserve(v.len() * 16);
                for x in v.iter() {
                    out.extend_from_slice(&x.to_le_bytes());
                }
                Encoding::Plain
            }
            Store::Bool(b) => {
                let valid_rows = self.rows - self.null_count;
                let ones = if has_nulls {
                    b.words()
                        .iter()
                        .zip(validity)
                        .map(|(x, v)| (x & v).count_ones() as usize)
                        .sum()
                } else {
                    b.count_ones()
                };
                if ones == 0 || ones == valid_rows {
                    out.push(u8::from(ones > 0));
                    return Encoding::Constant;
                }
                b.write_bytes(out);
                Encoding::Bits
            }
            Store::Var(var) => var.write(self.rows, has_nulls.then_some(validity), out),
        }
    }
}
