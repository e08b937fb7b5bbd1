//! Reads column chunk images: validation, single values, typed decoding.
//!
//! [`ChunkReader::new`] checks everything before handing out a reader: the header, the
//! checksum, every section's length, and the contents a decoder relies on (string lengths add
//! up, block starts agree, UTF-8 of STRING values, dictionary codes in range). After that the
//! accessors cannot fail, and corrupt or hostile input never reaches them: it is an error from
//! `new`, never a panic.

use std::borrow::Cow;

use ruzu_csv::{DataType, Interval, Value};

use super::bitpack;
use super::bits::{byte_bit, count_ones_bytes};
use super::error::ColumnError;
use super::header::{Encoding, Header, Validity};
use super::int_keys::{POW10, SIGN};
use super::validate::{Cursor, corrupt, le_u32, parse_section, plain_width};
use super::value::ChunkValue;
use super::{HEADER_BYTES, TRAILER_BYTES, VAR_BLOCK_ROWS};

/// The values section of a validated image, borrowed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Section<'a> {
    None,
    Plain(&'a [u8]),
    Constant(&'a [u8]),
    /// FOR (factor 1) and FOR_SCALED: key = reference + packed * factor.
    For {
        reference: u64,
        factor: u64,
        width: u8,
        packed: &'a [u8],
    },
    Decimal {
        scale: u8,
        reference: u64,
        width: u8,
        packed: &'a [u8],
    },
    Bits(&'a [u8]),
    /// VARLEN, or VARLEN_ZSTD with `data` compressed (the reader holds it inflated).
    VarLen {
        width: u8,
        blocks: &'a [u8],
        lengths: &'a [u8],
        data: &'a [u8],
        /// Bytes of the data once inflated.
        data_len: usize,
    },
    Dict {
        entries: usize,
        off_width: u8,
        offsets: &'a [u8],
        data: &'a [u8],
        code_width: u8,
        codes: &'a [u8],
    },
}

/// A validated column chunk image, borrowed.
///
/// # Example
///
/// See [`ChunkEncoder`](crate::ChunkEncoder).
#[derive(Clone, Debug)]
pub struct ChunkReader<'a> {
    image: &'a [u8],
    header: Header,
    /// The validity bitmap, when the header says there is one.
    validity: Option<&'a [u8]>,
    pub(crate) section: Section<'a>,
    /// The inflated string data of a VARLEN_ZSTD image; empty otherwise.
    inflated: Cow<'a, [u8]>,
}

impl<'a> ChunkReader<'a> {
    /// Validates `image` (header, checksum, structure, contents) and returns a reader.
    ///
    /// # Errors
    ///
    /// [`ColumnError::Truncated`], [`ColumnError::BadMagic`],
    /// [`ColumnError::UnsupportedVersion`], [`ColumnError::Checksum`] or
    /// [`ColumnError::Corrupt`] naming the first problem found.
    pub fn new(image: &'a [u8]) -> Result<Self, ColumnError> {
        let header = Header::parse(image)?;
        let body_end = image.len() - TRAILER_BYTES;
        let stored = u32::from_le_bytes(
            image[body_end..]
                .try_into()
                .expect("invariant: 4-byte trailer"),
        );
        let computed = crc32c::crc32c(&image[..body_end]);
        if stored != computed {
            return Err(ColumnError::Checksum { stored, computed });
        }
        let rows = header.rows as usize;
        let mut cur = Cursor {
            image,
            pos: HEADER_BYTES,
            end: body_end,
        };
        let validity = if header.validity == Validity::Bitmap {
            let at = cur.pos;
            let bytes = cur.take(rows.div_ceil(8))?;
            if count_ones_bytes(bytes, rows) != rows - header.null_count as usize {
                return Err(corrupt(at, "validity bitmap disagrees with the NULL count"));
            }
            Some(bytes)
        } else {
            None
        };
        let section = parse_section(&mut cur, &header)?;
        if cur.pos != cur.end {
            return Err(corrupt(cur.pos, "bytes left over after the values"));
        }
        let mut inflated = Vec::new();
        if let Section::VarLen { data, data_len, .. } = section
            && header.encoding == Encoding::VarLenZstd
        {
            inflated = zstd::bulk::Decompressor::new()
                .and_then(|mut z| z.decompress(data, data_len))
                .map_err(|_| corrupt(HEADER_BYTES, "string data does not inflate"))?;
            if inflated.len() != data_len {
                return Err(corrupt(
                    HEADER_BYTES,
                    "inflated string data has the wrong length",
                ));
            }
        }
        let reader = ChunkReader {
            image,
            header,
            validity,
            section,
            inflated: Cow::Owned(inflated),
        };
        reader.check_contents()?;
        Ok(reader)
    }

    /// A reader of an image that [`ChunkReader::new`] validated before, with the inflated
    /// string data that reader held ([`ChunkReader::into_inflated`]): parses the header and
    /// the section bounds only (no checksum, no contents check, no inflating).
    ///
    /// # Panics
    ///
    /// If `image` is not a valid image (a broken invariant of the caller).
    pub(crate) fn trusted(image: &'a [u8], inflated: &'a [u8]) -> Self {
        const VALIDATED: &str = "invariant: the image was validated by ChunkReader::new";
        let header = Header::parse(image).expect(VALIDATED);
        let mut cur = Cursor {
            image,
            pos: HEADER_BYTES,
            end: image.len() - TRAILER_BYTES,
        };
        let validity = (header.validity == Validity::Bitmap).then(|| {
            cur.take((header.rows as usize).div_ceil(8))
                .expect(VALIDATED)
        });
        let section = parse_section(&mut cur, &header).expect(VALIDATED);
        ChunkReader {
            image,
            header,
            validity,
            section,
            inflated: Cow::Borrowed(inflated),
        }
    }

    /// The inflated string data of a VARLEN_ZSTD image (empty for other images), to make
    /// [`ChunkReader::trusted`] readers of the same image later.
    pub(crate) fn into_inflated(self) -> Vec<u8> {
        self.inflated.into_owned()
    }

    /// Validates the image again (checksum, structure, contents).
    ///
    /// A reader is validated when it is made; this is for callers that keep readers over
    /// memory that may change underneath (a page re-read from disk).
    ///
    /// # Errors
    ///
    /// As [`ChunkReader::new`].
    pub fn check(&self) -> Result<(), ColumnError> {
        ChunkReader::new(self.image).map(|_| ())
    }

    /// The column type.
    pub fn data_type(&self) -> DataType {
        self.header.data_type
    }

    /// The encoding of the values.
    pub fn encoding(&self) -> Encoding {
        self.header.encoding
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.header.rows as usize
    }

    /// Whether the chunk has no row.
    pub fn is_empty(&self) -> bool {
        self.header.rows == 0
    }

    /// Number of NULL rows.
    pub fn null_count(&self) -> usize {
        self.header.null_count as usize
    }

    /// The bytes of the image.
    pub fn image(&self) -> &'a [u8] {
        self.image
    }

    /// The validity bitmap (`ceil(len / 8)` bytes, LSB first, set = value present), `None`
    /// when no row or every row is NULL.
    pub fn validity_bytes(&self) -> Option<&'a [u8]> {
        self.validity
    }

    /// Whether row `index` holds a value.
    ///
    /// # Panics
    ///
    /// If `index >= len()`.
    pub fn is_valid(&self, index: usize) -> bool {
        assert!(
            index < self.len(),
            "row {index} of a {}-row chunk",
            self.len()
        );
        match self.header.validity {
            Validity::AllValid => true,
            Validity::AllNull => false,
            Validity::Bitmap => byte_bit(self.validity.unwrap_or(&[]), index),
        }
    }

    /// The value of row `index` (random access; scans should use the bulk decoders).
    ///
    /// # Panics
    ///
    /// If `index >= len()`.
    pub fn value(&self, index: usize) -> Value<'_> {
        self.value_with(index, &self.inflated)
    }

    /// [`ChunkReader::value`] of a [`ChunkReader::trusted`] reader, borrowing from the image
    /// and `inflated` (the data it was made with) rather than from the reader.
    ///
    /// # Panics
    ///
    /// If `index >= len()`.
    pub(crate) fn value_borrowed(&self, index: usize, inflated: &'a [u8]) -> Value<'a> {
        self.value_with(index, inflated)
    }

    fn value_with<'s>(&self, index: usize, inflated: &'s [u8]) -> Value<'s>
    where
        'a: 's,
    {
        if !self.is_valid(index) {
            return Value::Null;
        }
        let t = self.header.data_type;
        let section: Section<'s> = self.section;
        match section {
            Section::None => Value::Null,
            Section::Plain(b) => {
                let w = plain_width(t);
                fixed_value(t, &b[index * w..(index + 1) * w])
            }
            Section::Constant(b) => fixed_value(t, b),
            Section::For {
                reference,
                factor,
                width,
                packed,
            } => key_value(
                t,
                reference.wrapping_add(bitpack::get(packed, width, index).wrapping_mul(factor)),
            ),
            Section::Decimal {
                scale,
                reference,
                width,
                packed,
            } => Value::Double(decimal(
                reference.wrapping_add(bitpack::get(packed, width, index)),
                scale,
            )),
            Section::Bits(b) => Value::Bool(byte_bit(b, index)),
            Section::VarLen {
                width,
                blocks,
                lengths,
                data,
                ..
            } => {
                let data = if self.header.encoding == Encoding::VarLenZstd {
                    inflated
                } else {
                    data
                };
                let block = index / VAR_BLOCK_ROWS;
                let mut start = le_u32(blocks, block) as usize;
                for i in block * VAR_BLOCK_ROWS..index {
                    start += bitpack::get(lengths, width, i) as usize;
                }
                let len = bitpack::get(lengths, width, index) as usize;
                var_value(t, &data[start..start + len])
            }
            Section::Dict {
                off_width,
                offsets,
                data,
                code_width,
                codes,
                ..
            } => {
                let code = bitpack::get(codes, code_width, index) as usize;
                let a = bitpack::get(offsets, off_width, code) as usize;
                let b = bitpack::get(offsets, off_width, code + 1) as usize;
                var_value(t, &data[a..b])
            }
        }
    }

    /// Appends the values of every row to `out`; NULL rows get `T::default()`.
    ///
    /// # Errors
    ///
    /// [`ColumnError::TypeMismatch`] when the chunk's type is not decoded into `T` (see
    /// [`ChunkValue`]).
    pub fn decode_into<T: ChunkValue>(&self, out: &mut Vec<T>) -> Result<(), ColumnError> {
        if !T::accepts(self.data_type()) {
            return Err(ColumnError::TypeMismatch {
                expected: self.data_type(),
                found: T::DATA_TYPE,
            });
        }
        let before = out.len();
        T::decode(self, out);
        debug_assert_eq!(out.len() - before, self.len());
        Ok(())
    }

    /// Appends the values of a STRING or BLOB chunk Arrow-style: the bytes of each row to
    /// `data` and, per row, the end offset in `data` to `offsets` (which gets a leading 0 first
    /// when empty). NULL rows are empty.
    ///
    /// # Errors
    ///
    /// [`ColumnError::TypeMismatch`] for a chunk of another type, [`ColumnError::TooLarge`]
    /// when `data` would pass 4 GiB.
    pub fn decode_var_into(
        &self,
        offsets: &mut Vec<u32>,
        data: &mut Vec<u8>,
    ) -> Result<(), ColumnError> {
        if !self.data_type().is_var_size() {
            return Err(ColumnError::TypeMismatch {
                expected: self.data_type(),
                found: DataType::String,
            });
        }
        let room = u64::from(u32::MAX).saturating_sub(data.len() as u64);
        let total = data.len() as u64 + self.var_data_bytes(room);
        if total > u64::from(u32::MAX) {
            return Err(ColumnError::TooLarge {
                what: "string bytes",
                value: total,
                max: u64::from(u32::MAX),
            });
        }
        if offsets.is_empty() {
            offsets.push(data.len() as u32);
        }
        offsets.reserve(self.len());
        let validity = self.validity;
        let valid = |i: usize| validity.is_none_or(|v| byte_bit(v, i));
        match self.section {
            Section::VarLen {
                width,
                lengths,
                data: bytes,
                ..
            } => {
                let bytes = self.var_bytes(bytes);
                data.reserve(bytes.len());
                let mut start = 0usize;
                let mut i = 0usize;
                bitpack::unpack(lengths, 0, width, self.len(), |len| {
                    let end = start + len as usize;
                    if valid(i) {
                        data.extend_from_slice(&bytes[start..end]);
                    }
                    offsets.push(data.len() as u32);
                    start = end;
                    i += 1;
                });
            }
            Section::Dict {
                data: bytes,
                code_width,
                codes,
                ..
            } => {
                let dict = self.dict_offsets();
                let mut i = 0usize;
                bitpack::unpack(codes, 0, code_width, self.len(), |code| {
                    if valid(i) {
                        let c = code as usize;
                        data.extend_from_slice(&bytes[dict[c] as usize..dict[c + 1] as usize]);
                    }
                    offsets.push(data.len() as u32);
                    i += 1;
                });
            }
            _ => {
                for _ in 0..self.len() {
                    offsets.push(data.len() as u32);
                }
            }
        }
        Ok(())
    }

    /// The string data of a VARLEN section: `data` itself, or its inflated bytes.
    pub(crate) fn var_bytes<'s>(&'s self, data: &'s [u8]) -> &'s [u8] {
        if self.header.encoding == Encoding::VarLenZstd {
            &self.inflated
        } else {
            data
        }
    }

    /// The dictionary's entry offsets, unpacked (empty for other encodings).
    pub(crate) fn dict_offsets(&self) -> Vec<u32> {
        let mut out = Vec::new();
        if let Section::Dict {
            entries,
            off_width,
            offsets,
            ..
        } = self.section
        {
            out.reserve(entries + 1);
            bitpack::unpack(offsets, 0, off_width, entries + 1, |o| out.push(o as u32));
        }
        out
    }

    /// An upper bound of the bytes [`decode_var_into`](Self::decode_var_into) appends, exact
    /// when the bound would pass `exact_above`.
    fn var_data_bytes(&self, exact_above: u64) -> u64 {
        match self.section {
            Section::VarLen { data_len, .. } => data_len as u64,
            Section::Dict {
                code_width, codes, ..
            } => {
                let dict = self.dict_offsets();
                let longest = dict.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
                let bound = self.len() as u64 * u64::from(longest);
                if bound <= exact_above {
                    return bound;
                }
                let mut total = 0u64;
                bitpack::unpack(codes, 0, code_width, self.len(), |c| {
                    total += u64::from(dict[c as usize + 1] - dict[c as usize]);
                });
                total
            }
            _ => 0,
        }
    }
}

/// The DECIMAL value of a key.
#[inline]
pub(crate) fn decimal(key: u64, scale: u8) -> f64 {
    ((key ^ SIGN) as i64) as f64 / POW10[usize::from(scale)]
}

/// The value of a FOR key for integer-like type `t`.
fn key_value(t: DataType, key: u64) -> Value<'static> {
    let s = (key ^ SIGN) as i64;
    match t {
        DataType::Int8 => Value::Int8(s as i8),
        DataType::Int16 => Value::Int16(s as i16),
        DataType::Int32 => Value::Int32(s as i32),
        DataType::Date => Value::Date(s as i32),
        DataType::Int64 => Value::Int64(s),
        DataType::Timestamp => Value::Timestamp(s),
        DataType::UInt8 => Value::UInt8(key as u8),
        DataType::UInt16 => Value::UInt16(key as u16),
        DataType::UInt32 => Value::UInt32(key as u32),
        _ => Value::UInt64(key),
    }
}

/// Unpacks an INTERVAL from its 16-byte form.
pub(crate) fn interval_from(v: u128) -> Interval {
    Interval {
        months: v as u32 as i32,
        days: (v >> 32) as u32 as i32,
        micros: (v >> 64) as u64 as i64,
    }
}

/// A value of type `t` from its full-width little-endian bytes.
fn fixed_value(t: DataType, b: &[u8]) -> Value<'static> {
    let mut buf = [0u8; 16];
    buf[..b.len()].copy_from_slice(b);
    let wide = u128::from_le_bytes(buf);
    let lo = wide as u64;
    match t {
        DataType::Bool => Value::Bool(b[0] != 0),
        DataType::Int8 => Value::Int8(lo as i8),
        DataType::Int16 => Value::Int16(lo as i16),
        DataType::Int32 => Value::Int32(lo as i32),
        DataType::Date => Value::Date(lo as i32),
        DataType::Int64 => Value::Int64(lo as i64),
        DataType::Timestamp => Value::Timestamp(lo as i64),
        DataType::UInt8 => Value::UInt8(lo as u8),
        DataType::UInt16 => Value::UInt16(lo as u16),
        DataType::UInt32 => Value::UInt32(lo as u32),
        DataType::UInt64 => Value::UInt64(lo),
        DataType::Float => Value::Float(f32::from_bits(lo as u32)),
        DataType::Double => Value::Double(f64::from_bits(lo)),
        DataType::Int128 => Value::Int128(wide as i128),
        DataType::Uuid => Value::Uuid(wide),
        _ => Value::Interval(interval_from(wide)),
    }
}

fn var_value(t: DataType, bytes: &[u8]) -> Value<'_> {
    if t == DataType::String {
        Value::String(std::str::from_utf8(bytes).expect("invariant: UTF-8 checked in new"))
    } else {
        Value::Blob(bytes)
    }
}
