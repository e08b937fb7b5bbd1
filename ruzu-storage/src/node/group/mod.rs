//! Node groups: a node table's rows stored column by column, one extent per group, listed in
//! the table's metadata blob.
//!
//! A node group is up to `node_group_rows` consecutive rows. Each group is written as **one
//! extent**, with one sequential write: the column chunks of the group back to back, each
//! starting at an 8-byte-aligned offset (zero bytes pad between chunks and after the last
//! one, up to the end of the extent's last page). Each chunk is a column chunk image
//! (`node/column/mod.rs`: header, encoded values, crc32c trailer), so the encodings (frame of
//! reference and bit packing, dictionaries, decimals, zstd) are chosen per chunk. The
//! table-layer metadata blob of the table (stored in the metadata root, see `store/root.rs`)
//! lists the groups.
//!
//! # Table metadata blob (node table data)
//!
//! | size | field |
//! |---|---|
//! | 1 | version, `1` or `2` |
//! | 8 | total rows |
//! | 4 | group count |
//! | ... | groups, in row order |
//! | 8 + n | version 2 only: `u64` length *n* + bytes of the import sink's metadata (resume point, PK index, deleted rows; see `node/table_meta.rs`) |
//!
//! A group: `u64` extent first page, `u64` extent pages, `u32` rows, then per column of the
//! table: `u64` chunk offset in the extent, `u64` chunk length (the whole image, trailer
//! included), `u32` crc32c of the chunk (the value its trailer holds: crc32c of the image's
//! bytes before the trailer).
//!
//! A reader checks, per chunk, that the trailer equals the crc32c listed here (a chunk from
//! another place or another write is refused), then validates the image (checksum, structure,
//! contents), its type against the catalog and its row count against the group's.

mod builder;
mod frames;
mod meta;
mod pipeline;
mod reader;

pub use builder::{DEFAULT_NODE_GROUP_ROWS, NodeTableWriter};
pub(crate) use frames::{BatchFrames, FrameHints};
pub use reader::{NodeGroup, NodeTableReader};
