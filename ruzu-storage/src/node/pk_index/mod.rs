//! The primary-key hash index of a node table: key -> node offset.
//!
//! Built during COPY by [`PkIndexBuilder`] within a byte budget whatever the number of keys,
//! read by [`PkIndexReader`] (single and batched lookups through a bounded page cache) and by
//! [`PkIndexPartition`] (one hash partition loaded whole, for the partitioned join that
//! resolves rel endpoints).
//!
//! # Keys
//!
//! Integer types, `DATE`, `TIMESTAMP` (8 bytes), `INT128`, `UUID` (16 bytes), `STRING` and
//! `BLOB` (bytewise). NULL keys are refused. The hash is 64 bits; its top 32 bits (`h32`)
//! place a key in the image, and its top bits name its partition ([`key_hash`],
//! [`hash_partition`]), so rel endpoints can be partitioned by exactly the same function.
//!
//! # Build paths
//!
//! - **In memory** (the index fits in the budget): duplicates are reported by
//!   [`PkIndexBuilder::insert_batch`] as they arrive; the duplicate row gets no node offset.
//! - **Out of core** (it does not, or stops fitting): keys go to `2^bits` spill runs by hash;
//!   [`PkIndexBuilder::finish`] builds the runs one by one (splitting any run that does not
//!   fit by the next hash bits) and reports duplicates then, as [`Duplicate`]s with both lines
//!   and the node offset of the duplicate row, which the caller must hide from scans.
//!
//! Either way the first occurrence of a key (lowest node offset) is the one kept, and both
//! paths write the same image for the same keys.
//!
//! Node offsets: accepted rows are numbered 0, 1, 2, ... across batches in row order; a row
//! refused by `insert_batch` (NULL key, duplicate seen at once) takes no number, so the sink
//! stores exactly the rows not refused, in order. A [`Duplicate`] from `finish` names a row
//! that was numbered and stored: the sink hides it (deleted rows list, `node/table_meta.rs`) or, without
//! `IGNORE_ERRORS`, aborts the import.
//!
//! # Rel endpoints
//!
//! [`PkIndexReader::lookup_batch`] resolves a column of keys through the page cache. For
//! imports whose index does not fit in memory, partition the endpoint keys by
//! `hash_partition(key_hash(k), bits)`, then probe each partition with
//! [`PkIndexReader::load_partition`] (a contiguous page range, loaded whole): a partitioned
//! hash join with the same hash as the index.
//!
//! # Image format (format version 1, little-endian)
//!
//! ```text
//! image := page[pages] | overflow area[overflow_bytes]
//! page  := 4 KiB, see page.rs: header (crc32c, page number, count, flags) + entries sorted
//!          by h32; fixed keys inline (key | node_offset u64), variable keys as
//!          (h32 | key_len | node_offset | data_pos) with the bytes in the page's data area,
//!          or, beyond 255 bytes, in the overflow area with their crc32c
//! ```
//!
//! The home page of a key is `h32 * home_pages >> 32`; a full page passes entries on to the
//! next page and sets its OVERFLOWED flag. The [`IndexMeta`] (64 bytes with its own crc32c)
//! holds the key type and the page counts; the caller stores it in its catalog.
//!
//! Spill runs (temporary files, see spill.rs) are blocks of records with a crc32c each.

mod builder;
mod error;
mod key;
mod meta;
mod page;
mod reader;
mod sharded;
mod spill;
mod table;

pub use builder::{Duplicate, KeyReject, PkIndexBuilder, RejectKind};
pub use error::PkIndexError;
pub(crate) use key::hash_u64;
pub use key::{hash_partition, key_hash};
pub use meta::{FORMAT_VERSION, IndexMeta, META_BYTES};
pub use page::{INLINE_KEY_MAX_BYTES, PAGE_SIZE_BYTES};
pub use reader::{PkIndexPartition, PkIndexReader, ReadAt};

#[cfg(test)]
mod tests;
