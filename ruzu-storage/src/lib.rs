//! Page-based storage for ruzu: the page file and its I/O backends, the buffer pool, commit
//! and recovery (shadow paging with a double-buffered header), and the catalog.
//!
//! A database is a directory holding one page file (`data.ruzu`, 4 KiB pages, little-endian,
//! checksummed header slots and metadata; see `docs/file-format.md`). [`Store`] opens it in its
//! last committed state; a [`WriteTxn`] allocates extents of contiguous pages, writes bulk data
//! into them with large sequential writes, changes the catalog, and commits atomically: a crash
//! or a failed write at any point leaves a database that opens in its last committed state.
//!
//! All I/O goes through a [`StorageBackend`], so that tests can inject failures with
//! [`FaultyBackend`].
//!
//! Node table data is stored column by column in node groups ([`NodeTableWriter`],
//! [`NodeTableReader`]); each group is one extent written with one sequential write, holding
//! one column chunk image per column ([`ChunkEncoder`], [`ChunkReader`]: frame of reference
//! and bit packing, dictionaries, decimals, zstd).
//!
//! [`NodeTableSink`] imports batches into a node table (node groups plus the primary-key
//! index, one write transaction per import); [`Store::scan_node_table`], [`Store::lookup`] and
//! [`Store::row_count`] read node tables back.
//!
//! Rel table edges are stored as CSR adjacency in both directions, per group of bound nodes
//! (`rel/`); [`RelTableSink`] imports them (endpoint keys resolved through the node tables'
//! primary-key indexes, out-of-core sort by node group, appends to stored groups), and
//! [`Store::neighbours`], [`Store::scan_rel_table`] and [`Store::row_count`] read them back.
//! [`Store::copy_schema`] gives the batch schema a COPY into any table expects.
//!
//! # Example
//!
//! ```
//! use ruzu_storage::{Store, TableKind};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = Store::create(dir.path())?;
//! store.execute_ddl(&ruzu_copy::parse_ddl("CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))")?)?;
//! store.execute_ddl(&ruzu_copy::parse_ddl("CREATE REL TABLE Knows(FROM Person TO Person, since DATE)")?)?;
//! drop(store);
//!
//! let store = Store::open(dir.path())?;
//! let knows = store.catalog().table("knows").expect("persisted");
//! assert!(matches!(knows.kind, TableKind::Rel { .. }));
//! assert_eq!(knows.columns[0].name, "since");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod buffer_pool;
mod catalog;
mod encoding;
mod error;
mod file;
mod node;
mod page_file;
mod rel;
mod sink;
mod store;

pub use buffer_pool::{BufferPool, PageMut, PageRef, PoolStats};
pub use catalog::{Catalog, ColumnDef, TableDef, TableId, TableKind, type_code};
pub use error::{Result, StorageError};
pub use file::{
    CheckedFile, CrashMode, FaultPlan, FaultyBackend, FileBackend, IoCounts, StorageBackend,
};
pub use node::column::{
    ChunkEncoder, ChunkMeta, ChunkReader, ChunkValue, ColumnError, Encoding, arrow_data_type,
};
pub use node::group::{DEFAULT_NODE_GROUP_ROWS, NodeGroup, NodeTableReader, NodeTableWriter};
pub use node::pk_index::{
    Duplicate, FORMAT_VERSION as PK_INDEX_FORMAT_VERSION, INLINE_KEY_MAX_BYTES, IndexMeta,
    KeyReject, META_BYTES as PK_INDEX_META_BYTES, PAGE_SIZE_BYTES as PK_INDEX_PAGE_SIZE_BYTES,
    PkIndexBuilder, PkIndexError, PkIndexPartition, PkIndexReader, ReadAt, RejectKind,
    hash_partition, key_hash,
};
pub use node::scan::NodeScan;
pub use page_file::header::FORMAT_VERSION;
pub use page_file::{Extent, PAGE_SIZE_BYTES, PageId};
pub use rel::{Direction, RelScan};
pub use sink::{NodeTableSink, RelImportStats, RelTableSink};
pub use store::{
    DATA_FILE_NAME, DEFAULT_BUFFER_POOL_BYTES, DdlOutcome, Store, StoreOptions, TableStorage,
    WriteTxn,
};
