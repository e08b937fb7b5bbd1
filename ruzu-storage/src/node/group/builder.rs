//! [`NodeTableWriter`]: copies rows of `Batch`es into one [`ChunkEncoder`] per column and
//! writes each full node group as one extent with one sequential write.
//!
//! Full groups are encoded on a worker thread (`pipeline.rs`) while the writer fills the next
//! one, and written by the writer when it next writes or flushes.
//!
//! Memory: the writer holds at most two node groups (`node_group_rows` rows each, values
//! copied out of the batches into the encoders: the one being filled and the one being
//! encoded) plus their encoded images, the buffers reused from group to group.

use std::ops::Range;
use std::sync::Arc;

use ruzu_csv::{Batch, ColumnData};

use super::frames::{BatchFrames, FrameHints};
use super::meta::{GroupMeta, NodeMeta};
use super::pipeline::{EncodePipeline, Encoded, Job, encode_group};
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
/// first writes cost more than that. Measured again (`zstd -b` on one group's columns of
/// the person shape, busy machine): level 1 compresses `bio` 5.8x at 450 MB/s, `email` 3.3x
/// at 340 MB/s, `location_ip` 2.5x at 290 MB/s; `--fast=1` is no faster here (390, 370,
/// 340 MB/s) and compresses far less (3.7x, 2.6x, 1.4x); level 2 is slower. Whole import of
/// 100 MB: level -1 wrote 38.4 MB, -5 41.9 MB, none 73.9 MB against 31.8 MB at level 1, with
/// no measurable wall-time gain.
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
    /// The column types (to make a second set of encoders).
    types: Vec<ruzu_csv::DataType>,
    /// A second set of empty encoders, when not in flight.
    spare: Option<Vec<ChunkEncoder>>,
    /// The encoder thread, started with the first full group; `None` before or when no
    /// thread could be started.
    pipeline: Option<EncodePipeline>,
    /// Rows of the group in flight (sent to the worker, not yet written); 0 when none.
    in_flight_rows: usize,
    /// Heap bytes of the group in flight (its encoders and image buffer).
    in_flight_bytes: usize,
    /// Which string columns the sink's parallel phase compresses ahead; set from the
    /// encodings of each group the encoder finishes.
    hints: Arc<FrameHints>,
    /// Rows appended with at least one column's frames (statistics).
    framed_rows: u64,
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
        let types: Vec<_> = def.columns.iter().map(|c| c.data_type).collect();
        Ok(NodeTableWriter {
            table,
            table_name: def.name.clone(),
            columns,
            rows: 0,
            group_rows: group_rows.clamp(1, MAX_CHUNK_ROWS),
            meta,
            scratch: Vec::new(),
            hints: Arc::new(FrameHints::new(&types, GROUP_ZSTD_LEVEL)),
            types,
            spare: None,
            pipeline: None,
            in_flight_rows: 0,
            in_flight_bytes: 0,
            framed_rows: 0,
        })
    }

    /// Which string columns are worth compressing ahead of the group encoder (see
    /// [`NodeTableWriter::append_rows_with_frames`]); shared with the sink's local sinks.
    pub(crate) fn frame_hints(&self) -> Arc<FrameHints> {
        Arc::clone(&self.hints)
    }

    /// Rows appended with string data compressed ahead (at least one column's frames used).
    pub(crate) fn framed_rows(&self) -> u64 {
        self.framed_rows
    }

    /// Rows in the table as of the last flush.
    pub fn rows_flushed(&self) -> u64 {
        self.meta.rows
    }

    /// Rows buffered or being encoded, not yet written.
    pub fn rows_buffered(&self) -> usize {
        self.rows + self.in_flight_rows
    }

    /// Bytes held by the writer's buffers (bounded by about two node groups and their
    /// images).
    pub fn memory_bytes(&self) -> usize {
        let encoders =
            |set: &[ChunkEncoder]| set.iter().map(ChunkEncoder::memory_bytes).sum::<usize>();
        encoders(&self.columns)
            + self.spare.as_deref().map_or(0, encoders)
            + self.scratch.capacity()
            + self.in_flight_bytes
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
        self.append_rows_with_frames(txn, batch, rows, None)
    }

    /// [`NodeTableWriter::append_rows`] with the batch's string columns compressed ahead
    /// (`frames`, made of all rows of `batch`). The frames are used when `rows` is the
    /// whole batch: then, rather than split the batch across two groups, the writer ends the
    /// group early when the batch does not fit and the group is at least half full (groups
    /// then hold a whole number of batches).
    ///
    /// # Errors
    ///
    /// As [`NodeTableWriter::append_rows`].
    pub(crate) fn append_rows_with_frames(
        &mut self,
        txn: &mut WriteTxn<'_>,
        batch: &Batch,
        rows: Range<usize>,
        frames: Option<&BatchFrames>,
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
        let whole = rows.start == 0 && rows.end == batch.num_rows();
        let frames = frames.filter(|_| whole && rows.len() <= self.group_rows);
        if frames.is_some()
            && self.rows + rows.len() > self.group_rows
            && self.rows >= self.group_rows / 2
        {
            self.write_group(txn)?;
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
            let framed = frames.filter(|_| range.len() == batch.num_rows());
            let mut used = false;
            for (c, (encoder, col)) in self.columns.iter_mut().zip(batch.columns()).enumerate() {
                match framed.and_then(|f| f.column(c, batch.num_rows())) {
                    Some(f) => {
                        encoder.append_with_frames(col, range.clone(), f)?;
                        used = true;
                    }
                    None => encoder.append(col, range.clone())?,
                }
            }
            if used {
                self.framed_rows += take as u64;
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

    /// Writes the buffered rows as a (possibly short) node group, waits for the group being
    /// encoded, and records the table's metadata in the transaction.
    ///
    /// # Errors
    ///
    /// I/O errors.
    pub fn flush(&mut self, txn: &mut WriteTxn<'_>) -> Result<()> {
        if self.rows > 0 {
            self.write_group(txn)?;
        }
        self.collect(txn)
    }

    /// Hands the buffered rows to the encoder thread as a group, after writing the group in
    /// flight; encodes and writes at once when there is no thread.
    fn write_group(&mut self, txn: &mut WriteTxn<'_>) -> Result<()> {
        self.collect(txn)?;
        if self.pipeline.is_none() {
            self.pipeline = EncodePipeline::start(Arc::clone(&self.hints));
        }
        let rows = std::mem::take(&mut self.rows);
        let Some(pipeline) = &self.pipeline else {
            self.scratch.clear();
            let chunks = encode_group(&mut self.columns, rows, &mut self.scratch, &self.hints);
            let image = std::mem::take(&mut self.scratch);
            let columns = std::mem::take(&mut self.columns);
            let done = self.store(
                txn,
                Encoded {
                    columns,
                    image,
                    chunks,
                    rows,
                },
            )?;
            self.columns = done;
            return Ok(());
        };
        let next = match self.spare.take() {
            Some(set) => set,
            None => self
                .types
                .iter()
                .map(|&t| Ok(ChunkEncoder::new(t)?.with_zstd_level(GROUP_ZSTD_LEVEL)))
                .collect::<Result<Vec<_>>>()?,
        };
        let columns = std::mem::replace(&mut self.columns, next);
        let image = std::mem::take(&mut self.scratch);
        self.in_flight_bytes = columns
            .iter()
            .map(ChunkEncoder::memory_bytes)
            .sum::<usize>()
            + image.capacity();
        self.in_flight_rows = rows;
        pipeline.send(Job {
            columns,
            image,
            rows,
        });
        Ok(())
    }

    /// Waits for the group in flight, if any, and writes it.
    fn collect(&mut self, txn: &mut WriteTxn<'_>) -> Result<()> {
        if self.in_flight_rows == 0 {
            return Ok(());
        }
        let encoded = self
            .pipeline
            .as_ref()
            .expect("invariant: a group in flight has a pipeline")
            .receive();
        self.in_flight_rows = 0;
        self.in_flight_bytes = 0;
        let columns = self.store(txn, encoded)?;
        self.spare = Some(columns);
        Ok(())
    }

    /// Writes an encoded group as one extent, records it in the table's metadata and returns
    /// its (empty) encoders and image buffer for reuse.
    fn store(&mut self, txn: &mut WriteTxn<'_>, encoded: Encoded) -> Result<Vec<ChunkEncoder>> {
        let Encoded {
            columns,
            mut image,
            chunks,
            rows,
        } = encoded;
        let pages = pages_for(image.len() as u64).max(1);
        image.resize(
            usize::try_from(pages * PAGE_SIZE_BYTES).expect("invariant: a group fits in memory"),
            0,
        );
        let extent = txn.allocate_extent(pages)?;
        txn.write_extent(extent, 0, &image)?;
        txn.attach_extent(self.table, extent)?;
        self.meta.groups.push(GroupMeta {
            extent,
            rows: u32::try_from(rows).expect("invariant: a group has < 2^32 rows"),
            chunks,
        });
        self.meta.rows += rows as u64;
        txn.set_table_meta(self.table, self.meta.encode())?;
        image.clear();
        self.scratch = image;
        Ok(columns)
    }
}
