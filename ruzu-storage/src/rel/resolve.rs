//! Endpoint resolution: primary key → node offset through the endpoint table's PK index.
//!
//! Three ways, fastest first:
//!
//! - **Typed** (integer, `DATE` and `TIMESTAMP` keys whose [`KeyTable`] fits the budget): the
//!   index image is read once, sequentially, into a [`KeyTable`] (about 15 bytes per key), and
//!   a key column is resolved by normalizing it to `u64` keys ([`normalize_keys`], no `Value`
//!   per row) and looking them up in batches ([`resolve_column`]): a few nanoseconds per key,
//!   on every decoder thread (the sink's parallel phase shares the table read-only).
//! - **Pages** (other key types whose image fits): [`Endpoint`] reads the image through a
//!   direct-mapped page cache with a slot for every page, so after first touch every lookup is
//!   in memory.
//! - **Bounded**: when neither fits (tens of millions of nodes), the cache keeps as many pages
//!   as the budget allows and the other lookups read their page from the file: the memory
//!   bound holds and the answers are the same, only slower. (Imports without checkpoints join
//!   out of core instead, `join.rs`.)

use std::io;

use ruzu_csv::{ColumnData, ColumnRef, DataType};

use super::key_table::KeyTable;

use crate::catalog::{TableDef, TableKind};
use crate::error::{Result, StorageError};
use crate::node::group::NodeTableReader;
use crate::node::pk_index::{IndexMeta, PAGE_SIZE_BYTES, PkIndexReader, ReadAt};
use crate::node::table_meta::TableMeta;
use crate::page_file::Extent;
use crate::store::{FileView, Store};

/// Node offset of a row whose key is NULL or names no node.
pub(crate) const MISSING: u64 = u64::MAX;

/// Reads of an index image in its extent.
#[derive(Debug)]
pub(crate) struct IndexSource {
    view: FileView,
    extent: Extent,
}

impl ReadAt for IndexSource {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.view
            .read(self.extent, offset, buf)
            .map_err(io::Error::other)
    }
}

/// One endpoint node table of a rel table, ready to resolve keys.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) name: String,
    pub(crate) key_type: DataType,
    /// Committed nodes of the table.
    pub(crate) nodes: u64,
    /// Where the index image lies, when the table has one.
    image: Option<(FileView, Extent, IndexMeta)>,
    index: Option<PkIndexReader<IndexSource>>,
}

impl Endpoint {
    /// The endpoint for node table `def` of `store`'s committed state, with a one-page cache
    /// until [`Endpoint::set_cache_bytes`].
    ///
    /// # Errors
    ///
    /// [`StorageError::InvalidTable`] when the table's index does not cover all its rows (an
    /// import into it is checkpointed but not committed); metadata errors.
    pub(crate) fn new(store: &Store, def: &TableDef) -> Result<Self> {
        let TableKind::Node { primary_key } = def.kind else {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "a rel endpoint must be a node table".into(),
            });
        };
        let reader = NodeTableReader::open(store, def.id)?;
        let nodes = reader.rows();
        let meta = TableMeta::decode(reader.extra_meta())?;
        let covered = meta.index.as_ref().map_or(0, |i| i.rows);
        if covered != nodes {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: format!(
                    "its primary-key index covers {covered} of {nodes} rows (an import into it is not committed); rel endpoints cannot be resolved"
                ),
            });
        }
        let mut endpoint = Endpoint {
            name: def.name.clone(),
            key_type: def.columns[primary_key].data_type,
            nodes,
            image: None,
            index: None,
        };
        if let Some(loc) = meta.index {
            endpoint.image = Some((store.file_view(), loc.extent, loc.meta));
        }
        endpoint.set_cache_bytes(PAGE_SIZE_BYTES)?;
        Ok(endpoint)
    }

    /// Bytes of the index pages (what the in-memory path caches).
    pub(crate) fn image_bytes(&self) -> u64 {
        self.image
            .as_ref()
            .map_or(0, |(_, _, m)| m.pages * PAGE_SIZE_BYTES as u64)
    }

    /// Gives the reader a cache of `cache_bytes` (at most the whole image).
    ///
    /// # Errors
    ///
    /// Index errors.
    pub(crate) fn set_cache_bytes(&mut self, cache_bytes: usize) -> Result<()> {
        self.index = None;
        if let Some((view, extent, meta)) = &self.image {
            let pages = (cache_bytes / PAGE_SIZE_BYTES).max(1);
            let source = IndexSource {
                view: view.clone(),
                extent: *extent,
            };
            self.index = Some(PkIndexReader::open(source, *meta, pages)?);
        }
        Ok(())
    }

    /// Node offsets of the keys of `keys` (`None`: NULL or no such node).
    ///
    /// # Errors
    ///
    /// [`StorageError::InvalidTable`] when the key column has another type; index errors.
    pub(crate) fn lookup_batch(
        &mut self,
        keys: ColumnRef<'_>,
        out: &mut Vec<Option<u64>>,
    ) -> Result<()> {
        if keys.data_type() != self.key_type {
            return Err(StorageError::InvalidTable {
                table: self.name.clone(),
                reason: format!(
                    "endpoint keys of type {}, the primary key is {}",
                    keys.data_type(),
                    self.key_type
                ),
            });
        }
        match &mut self.index {
            Some(index) => Ok(index.lookup_batch(keys, out)?),
            None => {
                out.clear();
                out.resize(keys.len(), None);
                Ok(())
            }
        }
    }
}

impl Endpoint {
    /// Bytes of this endpoint's [`KeyTable`], when its keys can take the typed path (integer,
    /// `DATE` or `TIMESTAMP` keys, fewer than 2^32 − 1 nodes).
    pub(crate) fn key_table_bytes(&self) -> Option<u64> {
        let typed = matches!(
            self.key_type,
            DataType::Int8
                | DataType::Int16
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt8
                | DataType::UInt16
                | DataType::UInt32
                | DataType::UInt64
                | DataType::Date
                | DataType::Timestamp
        );
        let keys = self.image.as_ref().map_or(0, |(_, _, m)| m.keys);
        (typed && KeyTable::can_hold(self.nodes)).then(|| KeyTable::bytes_for(keys))
    }

    /// Reads the index image into a [`KeyTable`] (one sequential pass), and shrinks the page
    /// cache to one page.
    ///
    /// # Errors
    ///
    /// I/O errors and corrupt pages; [`StorageError::InvalidTable`] when the keys cannot take
    /// the typed path (see [`Endpoint::key_table_bytes`]).
    pub(crate) fn load_key_table(&mut self) -> Result<KeyTable> {
        if self.key_table_bytes().is_none() {
            return Err(StorageError::InvalidTable {
                table: self.name.clone(),
                reason: format!("keys of type {} have no key table", self.key_type),
            });
        }
        self.set_cache_bytes(PAGE_SIZE_BYTES)?;
        let Some(index) = &self.index else {
            return Ok(KeyTable::with_keys(0));
        };
        let mut table = KeyTable::with_keys(index.meta().keys);
        let mut last = None;
        let nodes = self.nodes;
        let mut bad = None;
        let fixed8 = index.for_each_fixed8(|key, offset| {
            if offset >= nodes {
                bad.get_or_insert(offset);
                return;
            }
            last = Some(table.push_sorted(key, offset, last));
        })?;
        if let Some(offset) = bad {
            return Err(StorageError::corrupt(
                "primary-key index",
                0,
                format!("node offset {offset} past the table's {nodes} rows"),
            ));
        }
        if !fixed8 {
            return Err(StorageError::corrupt(
                "primary-key index",
                0,
                "an integer key type with an index of another layout",
            ));
        }
        Ok(table)
    }

    /// Hash bits that cut the index image into partitions of at most `budget_bytes` each.
    pub(crate) fn partition_bits(&self, budget_bytes: usize) -> u32 {
        let parts = self
            .image_bytes()
            .div_ceil(budget_bytes.max(1) as u64)
            .max(1);
        (parts.next_power_of_two().trailing_zeros() + 1).min(16)
    }

    /// Runs `f` with a lookup into hash partition `partition` of `bits` bits, loaded whole:
    /// `f` gets a function that resolves a key column like [`Endpoint::lookup_batch`].
    ///
    /// # Errors
    ///
    /// Index errors and those of `f`.
    pub(crate) fn with_partition<T>(
        &self,
        bits: u32,
        partition: u32,
        f: impl FnOnce(&mut dyn FnMut(ColumnRef<'_>, &mut Vec<Option<u64>>) -> Result<()>) -> Result<T>,
    ) -> Result<T> {
        match &self.index {
            Some(index) => {
                let part = index.load_partition(bits, partition)?;
                f(&mut |keys, out| Ok(part.lookup_batch(keys, out)?))
            }
            None => f(&mut |keys, out| {
                out.clear();
                out.resize(keys.len(), None);
                Ok(())
            }),
        }
    }
}

/// Normalizes the keys of `keys` (an integer, `DATE` or `TIMESTAMP` column) into `out`
/// (cleared first) as the primary-key index does: signed types sign-extended to 64 bits,
/// unsigned ones widened. NULL rows get whatever the column holds (the caller checks validity).
///
/// # Errors
///
/// [`StorageError::InvalidTable`] for a column of another type (`table` names the endpoint).
pub(crate) fn normalize_keys(keys: ColumnRef<'_>, table: &str, out: &mut Vec<u64>) -> Result<()> {
    out.clear();
    match keys.data() {
        ColumnData::Int8(v) => out.extend(v.iter().map(|&x| i64::from(x) as u64)),
        ColumnData::Int16(v) => out.extend(v.iter().map(|&x| i64::from(x) as u64)),
        ColumnData::Int32(v) | ColumnData::Date(v) => {
            out.extend(v.iter().map(|&x| i64::from(x) as u64));
        }
        ColumnData::Int64(v) | ColumnData::Timestamp(v) => out.extend(v.iter().map(|&x| x as u64)),
        ColumnData::UInt8(v) => out.extend(v.iter().map(|&x| u64::from(x))),
        ColumnData::UInt16(v) => out.extend(v.iter().map(|&x| u64::from(x))),
        ColumnData::UInt32(v) => out.extend(v.iter().map(|&x| u64::from(x))),
        ColumnData::UInt64(v) => out.extend_from_slice(v),
        _ => {
            return Err(StorageError::InvalidTable {
                table: table.to_owned(),
                reason: format!(
                    "endpoint keys of type {} cannot take the typed path",
                    keys.data_type()
                ),
            });
        }
    }
    Ok(())
}

/// Node offsets of the keys of `keys` through `table` into `out` (cleared first), [`MISSING`]
/// for NULL keys and keys of no node; `scratch` holds the normalized keys.
///
/// # Errors
///
/// As [`normalize_keys`].
pub(crate) fn resolve_column(
    table: &KeyTable,
    keys: ColumnRef<'_>,
    name: &str,
    scratch: &mut Vec<u64>,
    out: &mut Vec<u64>,
) -> Result<()> {
    normalize_keys(keys, name, scratch)?;
    if keys.null_count() == 0 {
        table.lookup_batch(scratch, |_| true, out);
    } else {
        let validity = keys.validity();
        table.lookup_batch(scratch, |row| validity.get(row), out);
    }
    Ok(())
}
