//! Errors of column chunk encoding and decoding.
//!
//! Local to the column module until the crate's `StorageError` folds it in (as a
//! `#[from]` variant).

use ruzu_csv::DataType;

/// An error building or reading a column chunk image.
///
/// Byte offsets are counted from the first byte of the chunk image.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ColumnError {
    /// The column type has no chunk encoding (a type added to `ruzu-csv` later).
    #[error("column type {data_type} cannot be stored in a column chunk")]
    UnsupportedType {
        /// The type.
        data_type: DataType,
    },
    /// A batch column handed to an encoder has another type than the encoder.
    #[error("column chunk of type {expected} cannot take a {found} column")]
    TypeMismatch {
        /// The encoder's (or reader's) type.
        expected: DataType,
        /// The type given.
        found: DataType,
    },
    /// The row range handed to an encoder is not inside the batch column.
    #[error("rows {start}..{end} are outside a column of {len} rows")]
    RowRange {
        /// First row of the range.
        start: usize,
        /// One past the last row.
        end: usize,
        /// Rows of the column.
        len: usize,
    },
    /// A chunk would exceed what its image can describe (rows, or bytes of string data).
    #[error("column chunk too large: {what} would be {value}, at most {max}")]
    TooLarge {
        /// What overflowed: `"rows"` or `"string bytes"`.
        what: &'static str,
        /// The size it would reach.
        value: u64,
        /// The largest allowed.
        max: u64,
    },
    /// The image ends before a structure it announces.
    #[error("column chunk truncated: needs {needed} bytes at offset {offset}, has {len}")]
    Truncated {
        /// Where the missing structure starts.
        offset: usize,
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes of the whole image.
        len: usize,
    },
    /// The image does not start with the chunk magic.
    #[error("not a column chunk: bad magic {found:#010x}")]
    BadMagic {
        /// The first four bytes, little-endian.
        found: u32,
    },
    /// The image was written by an unknown format version.
    #[error("column chunk format version {version} is not supported")]
    UnsupportedVersion {
        /// The version byte.
        version: u8,
    },
    /// The stored checksum does not match the bytes.
    #[error("column chunk checksum mismatch: stored {stored:#010x}, computed {computed:#010x}")]
    Checksum {
        /// The crc32c stored in the trailer.
        stored: u32,
        /// The crc32c of the bytes.
        computed: u32,
    },
    /// A header or section field holds a value the format does not allow.
    #[error("corrupt column chunk at offset {offset}: {reason}")]
    Corrupt {
        /// Byte offset of the bad field.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
}
