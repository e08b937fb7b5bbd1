//! Page-based column storage: page file, buffer pool, WAL and recovery, catalog, node and rel
//! tables, and the `BatchSink` implementations that the import driver writes into.
//!
//! Built so far: the primary-key hash index of node tables ([`PkIndexBuilder`],
//! [`PkIndexReader`]).

mod node;

pub use node::pk_index::{
    Duplicate, FORMAT_VERSION as PK_INDEX_FORMAT_VERSION, INLINE_KEY_MAX_BYTES, IndexMeta,
    KeyReject, META_BYTES as PK_INDEX_META_BYTES, PAGE_SIZE_BYTES as PK_INDEX_PAGE_SIZE_BYTES,
    PkIndexBuilder, PkIndexError, PkIndexPartition, PkIndexReader, ReadAt, RejectKind,
    hash_partition, key_hash,
};
