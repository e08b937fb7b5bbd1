//! [`NodeTableWriter`]: copies rows of `Batch`es into one [`ChunkEncoder`] per column and
//! writes each full node group as one extent with one sequential write.
//!
//! Memory: the writer holds at most one node group (`node_group_rows` rows, values copied out
//! of the batches into the encoders) plus one buffer of the group's encoded images, reused
//! from group to group.

use std::ops::Range;

use ruzu_csv::{Batch, ColumnData};

use super::meta::{ChunkRef, GroupMeta, NodeMeta};
use crate::catalog::{TableId, TableKind};
use crate::error::{Result, StorageError};
use crate::node::column::{ChunkEncoder, MAX_CHUNK_ROWS, MAX_VAR_BYTES};
use crate::page_file::{PAGE_SIZE_BYTES, pages_for};
use crate::store::WriteTxn;

/// Default rows per node group.
pub const DEFAULT_NODE_GROUP_ROWS: usize = 1 << 17;

/// The zstd level of STRING/BLOB chunks that take no dictionary (`None`: no compression).
///
/// Level 1 shrinks the person shape's long strings (`bio`, `email`) to about half, which cuts
/// the bytes a durable import writes by a quarter for about 15% more CPU; on this machine
/// first writes cost more than that.
pub(crate) const GROUP_ZSTD_LEVEL: Option<i32> = Some(1);

/// Appends the rows of batches to a node table, one node group (one extent) at a time.
///
/// Call [`NodeTableWriter::flush`] before the transaction commits or checkpoints: rows still
/// buffered are not part of the table until then.
#[derive(Debug)]
pub struct NodeTableWriter {
    table: TableId,
    table_name: String,
    columns: Vec<ChunkEncoder>,
    /// Rows buffered in `columns`; always `< group_rows` between calls.
    rows: usize,
    group_rows: usize,
    meta: NodeMeta,
    /// The encoded images of one group, reused.
    scratch: Vec<u8>,
}

impl NodeTableWriter {
    /// A writer appending to node table `table` of the transaction, with
    /// [`DEFAULT_NODE_GROUP_ROWS`] rows per group.
    ///
    /// # Errors
    ///
    /// [`StorageError::UnknownTableId`]; [`StorageError::InvalidTable`] for a rel table;
    /// [`StorageError::Corrupt`] if the table's existing metadata is damaged.
    pub fn new(txn: &WriteTxn<'_>, table: TableId) -> Result<Self> {
        Self::with_group_rows(txn, table, DEFAULT_NODE_GROUP_ROWS)
    }

    /// [`NodeTableWriter::new`] with `group_rows` rows per node group (at least 1).
    ///
    /// # Errors
    ///
    /// As [`NodeTableWriter::new`].
    pub fn with_group_rows(txn: &WriteTxn<'_>, table: TableId, group_rows: usize) -> Result<Self> {
        let def = txn
            .catalog()
            .table_by_id(table)
            .ok_or(StorageError::UnknownTableId { id: table })?;
        if !matches!(def.kind, TableKind::Node { .. }) {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "not a node table".into(),
            });
        }
        let storage = txn
            .table_storage(table)
            .ok_or(StorageError::UnknownTableId { id: table })?;
        let meta = NodeMeta::decode(storage.meta(), def.columns.len(), storage.extents())?;
        let columns = def
            .columns
            .iter()
            .map(|c| Ok(ChunkEncoder::new(c.data_type)?.with_zstd_level(GROUP_ZSTD_LEVEL)))
            .collect::<Result<Vec<_>>>()?;
        Ok(NodeTableWriter {
            table,
            table_name: def.name.clone(),
            columns,
            rows: 0,
            group_rows: group_rows.clamp(1, MAX_CHUNK_ROWS),
            meta,
            scratch: Vec::new(),
        })
    }

    /// Rows in the table as of the last flush.
    pub fn rows_flushed(&self) -> u64 {
        self.meta.rows
    }

    /// Rows buffered, not yet written.
    pub fn rows_buffered(&self) -> usize {
        self.rows
    }

    /// Bytes held by the writer's buffers (bounded by about two node groups).
    pub fn memory_bytes(&self) -> usize {
        self.columns
            .iter()
            .map(ChunkEncoder::memory_bytes)
            .sum::<usize>()
            + self.scratch.capacity()
    }

    /// Copies all rows of `batch` (whose columns must match the table's, in order), writing
    /// each node group that fills up.
    ///
    /// # Errors
    ///
    /// [`StorageError::InvalidTable`] if the batch's column types differ from the table's; I/O
    /// errors of writing a group.
    pub fn append(&mut self, txn: &mut WriteTxn<'_>, batch: &Batch) -> Result<()> {
        self.append_rows(txn, batch, 0..batch.num_rows())
    }

    /// [`NodeTableWriter::append`] of rows `rows` of `batch` only (the import sink appends the
    /// runs of rows between the rows it rejects).
    ///
    /// # Errors
    ///
    /// As [`NodeTableWriter::append`]; [`StorageError::OutOfBounds`] if `rows` is not inside
    /// the batch.
    pub fn append_rows(
        &mut self,
        txn: &mut WriteTxn<'_>,
        batch: &Batch,
        rows: Range<usize>,
    ) -> Result<()> {
        if rows.start > rows.end || rows.end > batch.num_rows() {
            return Err(StorageError::OutOfBounds {
                what: "batch row range",
                offset: rows.start as u64,
                len: rows.end.saturating_sub(rows.start) as u64,
                limit: batch.num_rows() as u64,
            });
        }
        let types_match = batch.schema().len() == self.columns.len()
            && batch
                .columns()
                .zip(&self.columns)
                .all(|(c, b)| c.data_type() == b.data_type());
        if !types_match {
            return Err(StorageError::InvalidTable {
                table: self.table_name.clone(),
                reason: "batch columns do not match the table's columns".into(),
            });
        }
        let mut start = rows.start;
        let total = rows.end;
        while start < total {
            let take = (self.group_rows - self.rows).min(total - start);
            let range = start..start + take;
            if self.var_bytes_would_overflow(batch, range.clone()) && self.rows > 0 {
                self.write_group(txn)?;
                continue;
            }
            for (encoder, col) in self.columns.iter_mut().zip(batch.columns()) {
                encoder.append(col, range.clone())?;
            }
            self.rows += take;
            start += take;
            if self.rows == self.group_rows {
                self.write_group(txn)?;
            }
        }
        Ok(())
    }

    /// Sets the metadata of the layers above the groups (stored with the group list, see
    /// `node/group/mod.rs`) and records the table's metadata in the transaction.
    ///
    /// # Errors
    ///
    /// [`StorageError::UnknownTableId`].
    pub(crate) fn set_extra_meta(&mut self, txn: &mut WriteTxn<'_>, extra: Vec<u8>) -> Result<()> {
        self.meta.extra = extra;
        txn.set_table_meta(self.table, self.meta.encode())
    }

    fn var_bytes_would_overflow(&self, batch: &Batch, range: Range<usize>) -> bool {
        self.columns
            .iter()
            .zip(batch.columns())
            .any(|(b, c)| match c.data() {
                ColumnData::String(v) | ColumnData::Blob(v) => {
                    let offs = v.offsets();
                    let add = u64::from(offs[range.end] - offs[range.start]);
                    b.var_bytes() + add > MAX_VAR_BYTES
                }
                _ => false,
            })
    }

    /// Writes the buffered rows as a (possibly short) node group and records the table's
    /// metadata in the transaction.
    ///
    /// # Errors
    ///
    /// I/O errors.
    pub fn flush(&mut self, txn: &mut WriteTxn<'_>) -> Result<()> {
        if self.rows > 0 {
            self.write_group(txn)?;
        }
        Ok(())
    }

    fn write_group(&mut self, txn: &mut WriteTxn<'_>) -> Result<()> {
        let rows = self.rows;
        self.scratch.clear();
        let mut chunks = Vec::with_capacity(self.columns.len());
        for encoder in &mut self.columns {
            while !self.scratch.len().is_multiple_of(8) {
                self.scratch.push(0);
            }
            let offset = self.scratch.len();
            let meta = encoder.finish(&mut self.scratch);
            debug_assert_eq!(meta.rows as usize, rows);
            chunks.push(ChunkRef {
                offset: offset as u64,
                len: meta.image_bytes,
                crc: meta.crc32c,
            });
        }
        let pages = pages_for(self.scratch.len() as u64).max(1);
        self.scratch.resize(
            usize::try_from(pages * PAGE_SIZE_BYTES).expect("invariant: a group fits in memory"),
            0,
        );
        let extent = txn.allocate_extent(pages)?;
        txn.write_extent(extent, 0, &self.scratch)?;
        txn.attach_extent(self.table, extent)?;
        self.meta.groups.push(GroupMeta {
            extent,
            rows: u32::try_from(rows).expect("invariant: a group has < 2^32 rows"),
            chunks,
        });
        self.meta.rows += rows as u64;
        txn.set_table_meta(self.table, self.meta.encode())?;
        self.rows = 0;
        Ok(())
    }
}
