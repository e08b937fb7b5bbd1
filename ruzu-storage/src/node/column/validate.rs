//! Parsing and validating a chunk image's values section (layout in the module docs).
//!
//! Everything a decoder later relies on is checked here, so that the accessors of a
//! [`ChunkReader`] cannot fail: section lengths, bit widths, string lengths and block starts,
//! UTF-8 of STRING values, dictionary offsets and codes.

use ruzu_csv::DataType;

use super::bitpack::{self, packed_len};
use super::encoder::int_kind;
use super::error::ColumnError;
use super::header::{Encoding, Header};
use super::reader::{ChunkReader, Section};
use super::{HEADER_BYTES, MAX_DECIMAL_SCALE, MAX_VAR_BYTES, VAR_BLOCK_ROWS};

/// Reads the payload field by field, with bounds checks that turn into errors.
pub(crate) struct Cursor<'a> {
    pub(crate) image: &'a [u8],
    pub(crate) pos: usize,
    pub(crate) end: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ColumnError> {
        if n > self.end - self.pos {
            return Err(ColumnError::Truncated {
                offset: self.pos,
                needed: n,
                len: self.image.len(),
            });
        }
        let s = &self.image[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, ColumnError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, ColumnError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("invariant: 4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64, ColumnError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("invariant: 8 bytes"),
        ))
    }

    /// A width byte, at most `max`.
    fn width(&mut self, max: u8) -> Result<u8, ColumnError> {
        let at = self.pos;
        let w = self.u8()?;
        if w > max {
            return Err(corrupt(at, "bit width too large"));
        }
        Ok(w)
    }
}

pub(crate) fn corrupt(offset: usize, reason: &'static str) -> ColumnError {
    ColumnError::Corrupt { offset, reason }
}

/// Bytes of one value at full width (BOOL: 1).
pub(crate) fn plain_width(t: DataType) -> usize {
    t.fixed_width_bytes().unwrap_or(1)
}
impl ChunkReader<'_> {
    /// Contents checks that need a pass over the values.
    pub(crate) fn check_contents(&self) -> Result<(), ColumnError> {
        let is_string = self.data_type() == DataType::String;
        match self.section {
            Section::Constant(b) if self.data_type() == DataType::Bool && b[0] > 1 => {
                Err(corrupt(HEADER_BYTES, "BOOL constant is neither 0 nor 1"))
            }
            Section::VarLen {
                width,
                blocks,
                lengths,
                data,
                ..
            } => {
                let data = self.var_bytes(data);
                // Whole data valid UTF-8 and every value starting on a character boundary:
                // then every value is valid UTF-8.
                let text = if is_string {
                    Some(
                        std::str::from_utf8(data)
                            .map_err(|_| corrupt(HEADER_BYTES, "STRING data is not UTF-8"))?,
                    )
                } else {
                    None
                };
                let mut offset = 0u64;
                let mut bad = None;
                let mut i = 0usize;
                bitpack::unpack(lengths, 0, width, self.len(), |len| {
                    if i.is_multiple_of(VAR_BLOCK_ROWS)
                        && u64::from(le_u32(blocks, i / VAR_BLOCK_ROWS)) != offset
                    {
                        bad = bad.or(Some("block start disagrees with the lengths"));
                    }
                    offset += len;
                    if text
                        .is_some_and(|t| !t.is_char_boundary(offset.min(t.len() as u64) as usize))
                    {
                        bad = bad.or(Some("STRING value is not UTF-8"));
                    }
                    i += 1;
                });
                if offset != data.len() as u64 {
                    bad = bad.or(Some("string lengths do not add up to the data"));
                }
                bad.map_or(Ok(()), |reason| Err(corrupt(HEADER_BYTES, reason)))
            }
            Section::Dict {
                entries,
                data,
                code_width,
                codes,
                ..
            } => {
                let offsets = self.dict_offsets();
                debug_assert_eq!(offsets.len(), entries + 1);
                if offsets[0] != 0
                    || offsets.windows(2).any(|w| w[0] > w[1])
                    || offsets[entries] as usize != data.len()
                {
                    return Err(corrupt(HEADER_BYTES, "dictionary offsets out of order"));
                }
                if is_string {
                    let text = std::str::from_utf8(data)
                        .map_err(|_| corrupt(HEADER_BYTES, "STRING data is not UTF-8"))?;
                    if !offsets.iter().all(|&o| text.is_char_boundary(o as usize)) {
                        return Err(corrupt(HEADER_BYTES, "STRING value is not UTF-8"));
                    }
                }
                if (1u64 << code_width) > entries as u64 {
                    let mut max_code = 0u64;
                    bitpack::unpack(codes, 0, code_width, self.len(), |c| {
                        max_code = max_code.max(c);
                    });
                    if max_code >= entries as u64 {
                        return Err(corrupt(HEADER_BYTES, "dictionary code out of range"));
                    }
                }
                let longest = offsets.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
                if self.len() as u64 * u64::from(longest) > MAX_VAR_BYTES {
                    let mut expanded = 0u64;
                    bitpack::unpack(codes, 0, code_width, self.len(), |c| {
                        expanded += u64::from(offsets[c as usize + 1] - offsets[c as usize]);
                    });
                    if expanded > MAX_VAR_BYTES {
                        return Err(corrupt(HEADER_BYTES, "dictionary expands past 2 GiB"));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

pub(crate) fn parse_section<'a>(
    cur: &mut Cursor<'a>,
    header: &Header,
) -> Result<Section<'a>, ColumnError> {
    let rows = header.rows as usize;
    let t = header.data_type;
    Ok(match header.encoding {
        Encoding::None => Section::None,
        Encoding::Plain => Section::Plain(cur.take(rows * plain_width(t))?),
        Encoding::Constant => Section::Constant(cur.take(plain_width(t))?),
        Encoding::FrameOfReference | Encoding::ScaledFrameOfReference => {
            let reference = cur.u64()?;
            let factor = if header.encoding == Encoding::ScaledFrameOfReference {
                let at = cur.pos;
                let factor = cur.u64()?;
                if factor < 2 {
                    return Err(corrupt(at, "scale factor below 2"));
                }
                factor
            } else {
                1
            };
            let max_width = int_kind(t).map_or(64, |(bytes, _)| bytes as u8 * 8);
            let width = cur.width(max_width)?;
            let packed = cur.take(packed_len(rows, width))?;
            Section::For {
                reference,
                factor,
                width,
                packed,
            }
        }
        Encoding::Decimal => {
            let at = cur.pos;
            let scale = cur.u8()?;
            if scale > MAX_DECIMAL_SCALE {
                return Err(corrupt(at, "decimal scale too large"));
            }
            let reference = cur.u64()?;
            let width = cur.width(64)?;
            let packed = cur.take(packed_len(rows, width))?;
            Section::Decimal {
                scale,
                reference,
                width,
                packed,
            }
        }
        Encoding::Bits => Section::Bits(cur.take(rows.div_ceil(8))?),
        Encoding::VarLen | Encoding::VarLenZstd => {
            let width = cur.width(32)?;
            let at = cur.pos;
            let data_len = cur.u32()? as usize;
            if data_len as u64 > MAX_VAR_BYTES {
                return Err(corrupt(at, "string data past 2 GiB"));
            }
            let stored_len = if header.encoding == Encoding::VarLenZstd {
                cur.u32()? as usize
            } else {
                data_len
            };
            let blocks = cur.take(rows.div_ceil(VAR_BLOCK_ROWS) * 4)?;
            let lengths = cur.take(packed_len(rows, width))?;
            let data = cur.take(stored_len)?;
            Section::VarLen {
                width,
                blocks,
                lengths,
                data,
                data_len,
            }
        }
        Encoding::Dictionary => {
            let at = cur.pos;
            let entries = cur.u32()? as usize;
            if entries == 0 || entries > super::dict::MAX_DICT_ENTRIES {
                return Err(corrupt(at, "dictionary entry count out of range"));
            }
            let off_width = cur.width(32)?;
            let data_len = cur.u32()? as usize;
            let offsets = cur.take(packed_len(entries + 1, off_width))?;
            let data = cur.take(data_len)?;
            let code_width = cur.width(16)?;
            let codes = cur.take(packed_len(rows, code_width))?;
            if off_width == 0 && data_len != 0 {
                return Err(corrupt(at, "dictionary offsets cannot address its data"));
            }
            Section::Dict {
                entries,
                off_width,
                offsets,
                data,
                code_width,
                codes,
            }
        }
    })
}

#[inline]
pub(crate) fn le_u32(bytes: &[u8], index: usize) -> u32 {
    u32::from_le_bytes(
        bytes[index * 4..index * 4 + 4]
            .try_into()
            .expect("invariant: 4-byte slice"),
    )
}
