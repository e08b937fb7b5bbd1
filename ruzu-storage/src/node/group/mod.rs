//! Node groups: a node table's rows stored column by column, one extent per group, listed in
//! the table's metadata blob.
//!
//! The column chunk encoding here (plain, dictionary) is a stand-in that keeps the writer and
//! reader self-contained; the full chunk codec (frame of reference, bit packing, decimals) is
//! being built separately as `node::column` and is meant to replace `ColumnBuffer::encode` and
//! `ChunkView` once merged. The group extent and metadata layout do not depend on it.
//!
//! A node group is up to `node_group_rows` consecutive rows. Each group is written as **one
//! extent**, with one sequential write: the column chunks of the group back to back, each
//! starting at an 8-byte-aligned offset. The table-layer metadata blob of the table (stored in
//! the metadata root, see `store/root.rs`) lists the groups.
//!
//! # Table metadata blob (node table data, version 1)
//!
//! | size | field |
//! |---|---|
//! | 1 | version, `1` or `2` |
//! | 8 | total rows |
//! | 4 | group count |
//! | ... | groups, in row order |
//! | 8 + n | version 2 only: `u64` length *n* + bytes of the import sink's metadata (resume point, PK index; see `sink/meta.rs`) |
//!
//! A group: `u64` extent first page, `u64` extent pages, `u32` rows, then per column of the
//! table: `u64` chunk offset in the extent, `u64` chunk length, `u32` crc32c of the chunk.
//!
//! # Column chunk
//!
//! | size | field |
//! |---|---|
//! | 1 | encoding, `1` = plain, `2` = dictionary (`STRING`/`BLOB` only) |
//! | 1 | type code (`catalog::type_code`) |
//! | 1 | dictionary: code width in bytes (1, 2 or 4); plain: zero |
//! | 1 | reserved, zero |
//! | 4 | NULL count |
//! | ceil(rows / 8) | validity bitmap (bit *i* of byte *i / 8* set = row *i* present); only when the NULL count is not zero |
//! | ... | values |
//!
//! Values: fixed-width types as `rows` little-endian values (a NULL row's value is
//! unspecified); `BOOL` as
//! a bitmap of ceil(rows / 8) bytes; `INTERVAL` as `i32` months, `i32` days, `i64` micros;
//! `UUID` and `INT128` as 16-byte little-endian integers; `STRING` and `BLOB` as `rows + 1`
//! `u32` offsets (starting at 0) followed by the bytes.
//!
//! Dictionary encoding (2) replaces the values with: `u32` entry count *d*, `d + 1` `u32`
//! offsets (from 0), the entry bytes, then `rows` codes of the code width, each `< d`.

mod builder;
mod dictionary;
mod meta;
mod reader;

pub use builder::{DEFAULT_NODE_GROUP_ROWS, NodeTableWriter};
pub use reader::{NodeGroup, NodeTableReader};

/// Encoding byte of a plain column chunk.
const ENCODING_PLAIN: u8 = 1;
/// Encoding byte of a dictionary-encoded `STRING`/`BLOB` chunk (see `dictionary.rs`).
const ENCODING_DICTIONARY: u8 = 2;
/// Bytes before the validity bitmap in a column chunk.
const CHUNK_HEAD_BYTES: usize = 8;
