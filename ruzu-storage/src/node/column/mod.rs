//! Column chunks: the values of one column for a run of rows (one node group), encoded into a
//! self-describing, checksummed byte image.
//!
//! [`ChunkEncoder`] accumulates a chunk from many batches and picks the smallest encoding when
//! it is finished; [`ChunkReader`] validates an image and decodes it (single values, typed
//! vectors, Arrow arrays). Bytes written to disk cost more than bytes computed on this machine,
//! so the encoder spends CPU to shrink the image: frame of reference + bit packing for integers,
//! dictionaries for low-cardinality strings, scaled integers for short decimals.
//!
//! # Byte layout (format version 1)
//!
//! All integers are little-endian. A chunk image is a header, a payload and a trailer:
//!
//! ```text
//! offset  size  field
//! 0       4     magic "RZCK" (0x52 0x5A 0x43 0x4B)
//! 4       1     format version = 1
//! 5       1     data type code (table below)
//! 6       1     validity: 0 = no NULL, 1 = bitmap in payload, 2 = every row NULL
//! 7       1     encoding code (table below)
//! 8       4     rows (u32)
//! 12      4     NULL rows (u32); 0 for validity 0, rows for validity 2
//! 16      4     payload bytes P (u32)
//! 20      P     payload: [validity bitmap] [values]
//! 20+P    4     crc32c of bytes 0 .. 20+P
//! ```
//!
//! The image is exactly `24 + P` bytes. The validity bitmap (validity 1 only) is
//! `ceil(rows / 8)` bytes, bit `i % 8` of byte `i / 8` set when row `i` holds a value. NULL
//! rows hold an unspecified value of the encoding (readers return the type's zero for them).
//!
//! Data type codes: 1 BOOL, 2 INT8, 3 INT16, 4 INT32, 5 INT64, 6 INT128, 7 UINT8, 8 UINT16,
//! 9 UINT32, 10 UINT64, 11 FLOAT, 12 DOUBLE, 13 STRING, 14 DATE, 15 TIMESTAMP, 16 INTERVAL,
//! 17 UUID, 18 BLOB.
//!
//! Values sections, by encoding code:
//!
//! ```text
//! 0 NONE      no bytes; only when rows = 0 or validity = 2
//! 1 PLAIN     rows values of the type's width: INT8/UINT8 1, INT16/UINT16 2, INT32/UINT32/
//!             DATE/FLOAT 4, INT64/UINT64/TIMESTAMP/DOUBLE 8, INT128/UUID 16 (UUID as the
//!             u128 of its big-endian bytes), INTERVAL 16 = months i32, days i32, micros i64
//! 2 CONSTANT  one value of the type's width (BOOL: 1 byte, 0 or 1); every non-NULL row has it
//!             (FLOAT, DOUBLE, INT128, UUID, INTERVAL, BOOL)
//! 3 FOR       frame of reference (integer types, DATE, TIMESTAMP):
//!               reference u64, width u8 (0..=64), packed deltas
//! 4 DECIMAL   DOUBLE as scaled integers: scale u8 (0..=6), then a FOR section of the
//!             integers s; the value is (s as f64) / 10^scale, exact by construction
//! 5 BITS      BOOL values: ceil(rows / 8) bytes, LSB first like the validity bitmap
//! 6 VARLEN    STRING/BLOB: width u8, data bytes D u32,
//!               block starts: ceil(rows / 128) u32, offset in data of row 128 * b,
//!               lengths: packed, width bits each (reference 0),
//!               data: D bytes, the values back to back
//! 7 DICT      STRING/BLOB: entries E u32 (1..=65536), offset width u8, data bytes D u32,
//!               entry offsets: E + 1 values packed (reference 0), first 0, last D,
//!               entry data: D bytes,
//!               code width u8, codes: rows values packed (reference 0), each < E
//! 8 VARLEN_ZSTD  STRING/BLOB as VARLEN with the data compressed: width u8, data bytes D u32,
//!               compressed bytes C u32, block starts, lengths (as VARLEN), then C bytes: zstd
//!               frames back to back (one or more, each of a run of whole values) that
//!               together inflate to the D data bytes
//! 9 FOR_SCALED integer types, DATE, TIMESTAMP whose differences from the minimum share a
//!             factor (tried: 86 400 000 000, 1 000 000, 1000, 100, 10): reference u64,
//!             factor u64 (>= 2), width u8, packed (key - reference) / factor (reference 0);
//!             key = reference + packed * factor
//! ```
//!
//! The encoder picks per chunk, by computing sizes: integers FOR_SCALED when the differences
//! share a factor, PLAIN when the range needs the type's full width, else FOR; DOUBLE
//! CONSTANT, else DECIMAL when every value is a decimal of at most 6 digits and that is
//! smaller, else PLAIN; FLOAT/INT128/UUID/INTERVAL CONSTANT or PLAIN; BOOL CONSTANT or BITS;
//! STRING/BLOB DICT when a dictionary (at most 65 536 entries) is smaller than VARLEN, else
//! VARLEN_ZSTD when the data is at least 4 KiB and zstd (level 1 by default) saves at least
//! 1/8 of it, else VARLEN. The dictionary is built when the chunk is finished (on the
//! group encoder's thread) and given up when it is larger than VARLEN at any multiple of
//! 16 Ki rows; after a chunk gave it up, the column's next 7 chunks (of one encoder, i.e.
//! one import) do not try one (`DICT_RETRY_CHUNKS`).
//!
//! FOR keys: a value is mapped to a `u64` key that preserves its order: unsigned types widen,
//! signed types (and DATE, TIMESTAMP) sign-extend to `i64` and flip the sign bit. The section
//! stores the smallest key as reference and `key - reference` in `width` bits per row, as a
//! little-endian bit stream: row `i` occupies stream bits `[i * width, (i + 1) * width)`, bit
//! `k` being bit `k % 8` of byte `k / 8`; a stream of `n` values is `ceil(n * width / 8)` bytes.
//! Width 0 stores no byte (a constant).
//!
//! Long strings are not split here: an image can be any size, and the page layer spreads it
//! over pages (overflow pages included).

mod arrow;
mod bitpack;
mod bits;
mod dict;
mod encoder;
mod error;
mod header;
mod int_keys;
mod reader;
mod validate;
mod value;
mod var_builder;

#[cfg(test)]
mod tests;

pub use arrow::arrow_data_type;
pub use encoder::ChunkEncoder;
pub(crate) use encoder::MAX_CHUNK_ROWS;
pub use error::ColumnError;
pub use header::{ChunkMeta, Encoding};
pub use reader::ChunkReader;
pub use value::ChunkValue;
pub(crate) use var_builder::FrameCompressor;

/// First four bytes of every chunk image.
pub(crate) const MAGIC: [u8; 4] = *b"RZCK";
/// The format version this code writes and reads.
pub(crate) const FORMAT_VERSION: u8 = 1;
/// Bytes before the payload.
pub(crate) const HEADER_BYTES: usize = 20;
/// Bytes after the payload (the crc32c).
pub(crate) const TRAILER_BYTES: usize = 4;
/// Rows per block start of the VARLEN encoding.
pub(crate) const VAR_BLOCK_ROWS: usize = 128;
/// Largest scale of the DECIMAL encoding.
pub(crate) const MAX_DECIMAL_SCALE: u8 = 6;
/// Most bytes of string data in one chunk (Arrow's 32-bit offsets must address them).
pub(crate) const MAX_VAR_BYTES: u64 = i32::MAX as u64;
