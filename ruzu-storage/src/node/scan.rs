//! Reading node tables back: [`Store::scan_node_table`] (streaming, one node group at a time),
//! [`Store::lookup`] by primary key, [`Store::node_row`] and [`Store::row_count`].
//!
//! A node offset is a row's physical position in the table (0-based, in group order). Rows
//! deleted as late duplicates (the deleted rows list of `node/table_meta.rs`) keep their offsets
//! but are skipped by every read here.

use std::sync::Arc;

use arrow_array::{BooleanArray, RecordBatch};
use arrow_schema::SchemaRef;
use ruzu_csv::Value;

use super::group::{NodeGroup, NodeTableReader};
use super::pk_index::{PkIndexReader, ReadAt};
use crate::catalog::{TableDef, TableKind};
use crate::error::{Result, StorageError};
use crate::node::table_meta::{TableMeta, load_deleted};
use crate::page_file::Extent;
use crate::store::Store;

/// Index pages a lookup keeps cached.
const LOOKUP_CACHE_PAGES: usize = 16;

/// Streams the committed rows of a node table as Arrow record batches, one per node group, in
/// row order. Memory: one node group (read, decoded and converted) at a time.
#[derive(Debug)]
pub struct NodeScan<'s> {
    reader: NodeTableReader<'s>,
    schema: SchemaRef,
    next_group: usize,
    /// Node offset of the first row of `next_group`.
    next_start: u64,
    /// Deleted rows, sorted (8 bytes per late duplicate).
    deleted: Vec<u64>,
}

impl Iterator for NodeScan<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next_group >= self.reader.groups() {
            return None;
        }
        let g = self.next_group;
        let start = self.next_start;
        self.next_group += 1;
        self.next_start += self.reader.group_rows(g) as u64;
        Some(self.read(g, start))
    }
}

impl NodeScan<'_> {
    /// Node group `g` (first node offset `start`) as a record batch, built column by column
    /// from the chunks, without its deleted rows.
    fn read(&self, g: usize, start: u64) -> Result<RecordBatch> {
        let group = self.reader.read_group(g)?;
        let batch = group_batch(&group, self.schema.clone())?;
        let end = start + group.rows() as u64;
        let from = self.deleted.partition_point(|&d| d < start);
        let to = self.deleted.partition_point(|&d| d < end);
        if from == to {
            return Ok(batch);
        }
        let mut keep = vec![true; group.rows()];
        for &d in &self.deleted[from..to] {
            keep[usize::try_from(d - start).expect("invariant: inside the group")] = false;
        }
        Ok(arrow_select::filter::filter_record_batch(
            &batch,
            &BooleanArray::from(keep),
        )?)
    }
}

/// The rows of `group` as a record batch of `schema`, decoded one column at a time.
fn group_batch(group: &NodeGroup, schema: SchemaRef) -> Result<RecordBatch> {
    let arrays = (0..group.columns())
        .map(|c| group.column(c).to_arrow())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(schema, arrays)?)
}

/// Positioned reads of an index image in a committed extent.
struct ExtentSource<'s> {
    store: &'s Store,
    extent: Extent,
}

impl ReadAt for ExtentSource<'_> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.store
            .read_extent(self.extent, offset, buf)
            .map_err(std::io::Error::other)
    }
}

impl Store {
    fn node_table(&self, name: &str) -> Result<(&TableDef, usize)> {
        let def = self
            .catalog()
            .table(name)
            .ok_or_else(|| StorageError::NoSuchTable { name: name.into() })?;
        match def.kind {
            TableKind::Node { primary_key } => Ok((def, primary_key)),
            TableKind::Rel { .. } => Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "not a node table".into(),
            }),
        }
    }

    /// Streams the committed rows of node table `name` (case-insensitive) as Arrow record
    /// batches, one per node group, in row order.
    ///
    /// # Errors
    ///
    /// [`StorageError::NoSuchTable`], [`StorageError::InvalidTable`] for a rel table,
    /// [`StorageError::Corrupt`] for damaged metadata; each item: corrupt chunks, I/O errors.
    pub fn scan_node_table(&self, name: &str) -> Result<NodeScan<'_>> {
        let (def, _) = self.node_table(name)?;
        let reader = NodeTableReader::open(self, def.id)?;
        let deleted = self.deleted_rows(&reader)?;
        Ok(NodeScan {
            reader,
            schema: Arc::new(def.schema().to_arrow()),
            next_group: 0,
            next_start: 0,
            deleted,
        })
    }

    /// The deleted rows of the table `reader` reads, sorted.
    fn deleted_rows(&self, reader: &NodeTableReader<'_>) -> Result<Vec<u64>> {
        let meta = TableMeta::decode(reader.extra_meta())?;
        load_deleted(self, &meta, reader.rows())
    }

    /// Committed rows of node table `name`.
    ///
    /// # Errors
    ///
    /// As [`Store::scan_node_table`].
    pub fn row_count(&self, name: &str) -> Result<u64> {
        if let Some(edges) = self.rel_row_count(name)? {
            return Ok(edges);
        }
        let (def, _) = self.node_table(name)?;
        let reader = NodeTableReader::open(self, def.id)?;
        let meta = TableMeta::decode(reader.extra_meta())?;
        Ok(reader.rows() - meta.deleted.map_or(0, |d| d.count))
    }

    /// The node offset (physical row position, see the module docs) of the committed row of
    /// node table `name` whose primary key is `key`, if any.
    ///
    /// Goes through the primary-key index written by the last committed import; rows stored
    /// after it (by checkpoints of an import that has not committed) are searched by reading
    /// their key column.
    ///
    /// # Errors
    ///
    /// As [`Store::scan_node_table`]; [`StorageError::InvalidTable`] if `key` has another type
    /// than the primary key; index and I/O errors.
    pub fn lookup(&self, name: &str, key: &Value<'_>) -> Result<Option<u64>> {
        let (def, pk) = self.node_table(name)?;
        let key_type = def.columns[pk].data_type;
        let Some(t) = key.data_type() else {
            return Ok(None);
        };
        if t != key_type {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: format!("lookup by a {t} key, the primary key is {key_type}"),
            });
        }
        let reader = NodeTableReader::open(self, def.id)?;
        let meta = TableMeta::decode(reader.extra_meta())?;
        let mut covered = 0;
        if let Some(loc) = meta.index {
            let source = ExtentSource {
                store: self,
                extent: loc.extent,
            };
            let mut index = PkIndexReader::open(source, loc.meta, LOOKUP_CACHE_PAGES)?;
            if let Some(offset) = index.lookup(key)? {
                return Ok(Some(offset));
            }
            covered = loc.rows;
        }
        let deleted = self.deleted_rows(&reader)?;
        scan_for_key(&reader, pk, key, covered, &deleted)
    }

    /// Row `offset` (node offset, see the module docs) of node table `name` as a one-row record
    /// batch, or `None` past the last row or for a deleted row.
    ///
    /// # Errors
    ///
    /// As [`Store::scan_node_table`].
    pub fn node_row(&self, name: &str, offset: u64) -> Result<Option<RecordBatch>> {
        let (def, _) = self.node_table(name)?;
        let reader = NodeTableReader::open(self, def.id)?;
        if self.deleted_rows(&reader)?.binary_search(&offset).is_ok() {
            return Ok(None);
        }
        let mut start = 0u64;
        for g in 0..reader.groups() {
            let rows = reader.group_rows(g) as u64;
            if offset < start + rows {
                let group = reader.read_group(g)?;
                let r = usize::try_from(offset - start).expect("invariant: below group rows");
                let batch = group_batch(&group, Arc::new(def.schema().to_arrow()))?;
                return Ok(Some(batch.slice(r, 1)));
            }
            start += rows;
        }
        Ok(None)
    }
}

/// Searches the key column of rows `from..` for `key`, skipping `deleted` rows.
fn scan_for_key(
    reader: &NodeTableReader<'_>,
    pk: usize,
    key: &Value<'_>,
    from: u64,
    deleted: &[u64],
) -> Result<Option<u64>> {
    let mut start = 0u64;
    for g in 0..reader.groups() {
        let rows = reader.group_rows(g) as u64;
        if start + rows > from {
            let group = reader.read_group_columns(g, &[pk])?;
            let keys = group.column(0);
            let first = usize::try_from(from.saturating_sub(start)).unwrap_or(usize::MAX);
            for r in first..group.rows() {
                let offset = start + r as u64;
                if keys.value(r) == *key && deleted.binary_search(&offset).is_err() {
                    return Ok(Some(offset));
                }
            }
        }
        start += rows;
    }
    Ok(None)
}
