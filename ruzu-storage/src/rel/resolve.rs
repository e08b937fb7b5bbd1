//! Endpoint resolution: primary key → node offset through the endpoint table's PK index.
//!
//! The index image stays on disk in its extent; [`Endpoint`] reads it through a direct-mapped
//! page cache of its own. When the whole image fits the cache budget every page gets its own
//! slot, so after first touch every lookup is in memory (the in-memory path). When it does not
//! (tens of millions of nodes), the cache keeps as many pages as the budget allows and the
//! other lookups read their page from the file (the bounded path): the memory bound holds and
//! the answers are the same, only slower.

use std::io;

use ruzu_csv::{ColumnRef, DataType};

use crate::catalog::{TableDef, TableKind};
use crate::error::{Result, StorageError};
use crate::node::group::NodeTableReader;
use crate::node::pk_index::{IndexMeta, PAGE_SIZE_BYTES, PkIndexReader, ReadAt};
use crate::node::table_meta::TableMeta;
use crate::page_file::Extent;
use crate::store::{FileView, Store};

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
