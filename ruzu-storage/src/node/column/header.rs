//! The fixed 20-byte chunk header and the codes it holds (layout in the module docs).

use ruzu_csv::DataType;

use super::encoder::MAX_CHUNK_ROWS;
use super::error::ColumnError;
use super::{FORMAT_VERSION, HEADER_BYTES, MAGIC, TRAILER_BYTES};

/// How the values of a chunk are stored (the header's encoding code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// No values section: the chunk has no row, or every row is NULL.
    None,
    /// Every value at the type's full width.
    Plain,
    /// One value shared by every non-NULL row.
    Constant,
    /// Frame of reference: minimum plus bit-packed differences.
    FrameOfReference,
    /// DOUBLE values that are decimals of at most 6 digits, as bit-packed scaled integers.
    Decimal,
    /// BOOL values as a bitmap.
    Bits,
    /// Strings/blobs as bit-packed lengths plus the bytes.
    VarLen,
    /// Strings/blobs as a dictionary of distinct values plus bit-packed codes.
    Dictionary,
    /// As [`Encoding::VarLen`], with the bytes compressed by zstd.
    VarLenZstd,
    /// Frame of reference whose differences share a factor (timestamps in whole seconds):
    /// minimum, factor, bit-packed differences divided by the factor.
    ScaledFrameOfReference,
}

impl Encoding {
    pub(crate) fn code(self) -> u8 {
        match self {
            Encoding::None => 0,
            Encoding::Plain => 1,
            Encoding::Constant => 2,
            Encoding::FrameOfReference => 3,
            Encoding::Decimal => 4,
            Encoding::Bits => 5,
            Encoding::VarLen => 6,
            Encoding::Dictionary => 7,
            Encoding::VarLenZstd => 8,
            Encoding::ScaledFrameOfReference => 9,
        }
    }

    pub(crate) fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Encoding::None,
            1 => Encoding::Plain,
            2 => Encoding::Constant,
            3 => Encoding::FrameOfReference,
            4 => Encoding::Decimal,
            5 => Encoding::Bits,
            6 => Encoding::VarLen,
            7 => Encoding::Dictionary,
            8 => Encoding::VarLenZstd,
            9 => Encoding::ScaledFrameOfReference,
            _ => return None,
        })
    }
}

/// The header's data type code: the catalog's stable code of each type (one table for the
/// whole file format), `None` for a type the format does not know.
pub(crate) fn type_code(t: DataType) -> Option<u8> {
    DataType::ALL
        .contains(&t)
        .then(|| crate::catalog::type_code(t))
}

/// The type of a header's data type code, `None` for an unknown code.
pub(crate) fn type_from_code(code: u8) -> Option<DataType> {
    crate::catalog::type_from_code(code)
}

/// Whether `encoding` may store values of type `t`.
pub(crate) fn encoding_allowed(t: DataType, encoding: Encoding) -> bool {
    use DataType as T;
    match encoding {
        Encoding::None => true,
        Encoding::Plain => !matches!(t, T::Bool | T::String | T::Blob),
        Encoding::Constant => matches!(
            t,
            T::Bool | T::Float | T::Double | T::Int128 | T::Uuid | T::Interval
        ),
        Encoding::FrameOfReference | Encoding::ScaledFrameOfReference => matches!(
            t,
            T::Int8
                | T::Int16
                | T::Int32
                | T::Int64
                | T::UInt8
                | T::UInt16
                | T::UInt32
                | T::UInt64
                | T::Date
                | T::Timestamp
        ),
        Encoding::Decimal => t == T::Double,
        Encoding::Bits => t == T::Bool,
        Encoding::VarLen | Encoding::Dictionary | Encoding::VarLenZstd => {
            matches!(t, T::String | T::Blob)
        }
    }
}

/// How NULLs are recorded (the header's validity byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    /// No row is NULL; no bitmap.
    AllValid,
    /// A bitmap starts the payload.
    Bitmap,
    /// Every row is NULL; no bitmap, no values.
    AllNull,
}

/// What [`ChunkEncoder::finish`](super::ChunkEncoder::finish) wrote: enough to describe the
/// chunk in table metadata without reading it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkMeta {
    /// The column type.
    pub data_type: DataType,
    /// The encoding chosen for the values.
    pub encoding: Encoding,
    /// Rows of the chunk.
    pub rows: u32,
    /// NULL rows of the chunk.
    pub null_count: u32,
    /// Bytes of the whole image (header, payload, trailer).
    pub image_bytes: u64,
    /// Bytes the values took in the appended batches (fixed width times rows, or string
    /// bytes plus 4-byte offsets), to report the compression ratio.
    pub raw_bytes: u64,
    /// The crc32c stored in the image's trailer.
    pub crc32c: u32,
}

/// The parsed fixed header.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub(crate) data_type: DataType,
    pub(crate) validity: Validity,
    pub(crate) encoding: Encoding,
    pub(crate) rows: u32,
    pub(crate) null_count: u32,
    pub(crate) payload_bytes: u32,
}

impl Header {
    /// Appends the header bytes.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&MAGIC);
        out.push(FORMAT_VERSION);
        out.push(type_code(self.data_type).expect("invariant: encoder types have a code"));
        out.push(match self.validity {
            Validity::AllValid => 0,
            Validity::Bitmap => 1,
            Validity::AllNull => 2,
        });
        out.push(self.encoding.code());
        out.extend_from_slice(&self.rows.to_le_bytes());
        out.extend_from_slice(&self.null_count.to_le_bytes());
        out.extend_from_slice(&self.payload_bytes.to_le_bytes());
    }

    /// Parses and checks the header of `image`: magic, version, codes, that the image is
    /// exactly as long as announced and that the counts agree with each other.
    pub(crate) fn parse(image: &[u8]) -> Result<Header, ColumnError> {
        if image.len() < HEADER_BYTES + TRAILER_BYTES {
            return Err(ColumnError::Truncated {
                offset: 0,
                needed: HEADER_BYTES + TRAILER_BYTES,
                len: image.len(),
            });
        }
        let u32_at = |at: usize| {
            u32::from_le_bytes(
                image[at..at + 4]
                    .try_into()
                    .expect("invariant: 4-byte slice"),
            )
        };
        if image[..4] != MAGIC {
            return Err(ColumnError::BadMagic { found: u32_at(0) });
        }
        if image[4] != FORMAT_VERSION {
            return Err(ColumnError::UnsupportedVersion { version: image[4] });
        }
        let corrupt = |offset, reason| ColumnError::Corrupt { offset, reason };
        let data_type = type_from_code(image[5]).ok_or(corrupt(5, "unknown data type code"))?;
        let validity = match image[6] {
            0 => Validity::AllValid,
            1 => Validity::Bitmap,
            2 => Validity::AllNull,
            _ => return Err(corrupt(6, "unknown validity code")),
        };
        let encoding = Encoding::from_code(image[7]).ok_or(corrupt(7, "unknown encoding code"))?;
        let header = Header {
            data_type,
            validity,
            encoding,
            rows: u32_at(8),
            null_count: u32_at(12),
            payload_bytes: u32_at(16),
        };
        let total = HEADER_BYTES as u64 + u64::from(header.payload_bytes) + TRAILER_BYTES as u64;
        if total > image.len() as u64 {
            return Err(ColumnError::Truncated {
                offset: HEADER_BYTES,
                needed: header.payload_bytes as usize + TRAILER_BYTES,
                len: image.len(),
            });
        }
        if total < image.len() as u64 {
            return Err(corrupt(16, "image is longer than header and payload"));
        }
        if header.rows as usize > MAX_CHUNK_ROWS {
            return Err(corrupt(8, "more rows than a chunk may hold"));
        }
        if !encoding_allowed(data_type, encoding) {
            return Err(corrupt(7, "encoding does not fit the data type"));
        }
        let nulls_ok = match validity {
            Validity::AllValid => header.null_count == 0,
            Validity::Bitmap => header.null_count > 0 && header.null_count < header.rows,
            Validity::AllNull => header.null_count == header.rows && header.rows > 0,
        };
        if !nulls_ok {
            return Err(corrupt(12, "NULL count does not fit the validity code"));
        }
        let no_values = header.rows == 0 || validity == Validity::AllNull;
        if no_values != (encoding == Encoding::None) {
            return Err(corrupt(
                7,
                "encoding NONE is only for chunks without values",
            ));
        }
        Ok(header)
    }
}
