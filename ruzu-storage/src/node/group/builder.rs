//! [`NodeTableWriter`]: buffers rows of `Batch`es column by column and writes each full node
//! group as one extent with one sequential write.
//!
//! Memory: the writer holds at most one node group (`node_group_rows` rows, values copied out
//! of the batches) plus one encode buffer of the group's size, reused from group to group.

use std::ops::Range;

use ruzu_csv::{Batch, Bitmap, ColumnData, ColumnRef, DataType};

use super::dictionary::Dictionary;
use super::meta::{ChunkRef, GroupMeta, NodeMeta};
use super::{CHUNK_HEAD_BYTES, ENCODING_DICTIONARY, ENCODING_PLAIN};
use crate::catalog::{TableId, TableKind, type_code};
use crate::error::{Result, StorageError};
use crate::page_file::{PAGE_SIZE_BYTES, pages_for};
use crate::store::WriteTxn;

/// Default rows per node group.
pub const DEFAULT_NODE_GROUP_ROWS: usize = 1 << 17;

/// One column of the group being built.
#[derive(Debug)]
struct ColumnBuffer {
    data_type: DataType,
    validity: Bitmap,
    nulls: usize,
    /// Fixed-width values, little-endian, back to back.
    fixed: Vec<u8>,
    /// `BOOL` values.
    bools: Bitmap,
    /// `STRING`/`BLOB`: end offset of each value in `bytes` (the leading 0 is implicit).
    ends: Vec<u32>,
    bytes: Vec<u8>,
}

macro_rules! extend_le {
    ($out:expr, $slice:expr) => {{
        let slice = $slice;
        $out.reserve(std::mem::size_of_val(slice));
        for v in slice {
            $out.extend_from_slice(&v.to_le_bytes());
        }
    }};
}

impl ColumnBuffer {
    fn new(data_type: DataType) -> Self {
        ColumnBuffer {
            data_type,
            validity: Bitmap::with_capacity(0),
            nulls: 0,
            fixed: Vec::new(),
            bools: Bitmap::with_capacity(0),
            ends: Vec::new(),
            bytes: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.validity.clear();
        self.nulls = 0;
        self.fixed.clear();
        self.bools.clear();
        self.ends.clear();
        self.bytes.clear();
    }

    fn memory_bytes(&self) -> usize {
        self.validity.capacity_bytes()
            + self.fixed.capacity()
            + self.bools.capacity_bytes()
            + self.ends.capacity() * 4
            + self.bytes.capacity()
    }

    /// Copies rows `rows` of `col` into the buffer.
    fn append(&mut self, col: ColumnRef<'_>, rows: Range<usize>) {
        if col.null_count() == 0 {
            let len = self.validity.len();
            self.validity.resize(len + rows.len(), true);
        } else {
            for i in rows.clone() {
                let valid = col.is_valid(i);
                self.validity.push(valid);
                self.nulls += usize::from(!valid);
            }
        }
        let out = &mut self.fixed;
        match col.data() {
            ColumnData::Bool(b) => {
                for i in rows {
                    self.bools.push(b.get(i));
                }
            }
            ColumnData::Int8(s) => extend_le!(out, &s[rows]),
            ColumnData::Int16(s) => extend_le!(out, &s[rows]),
            ColumnData::Int32(s) | ColumnData::Date(s) => extend_le!(out, &s[rows]),
            ColumnData::Int64(s) | ColumnData::Timestamp(s) => extend_le!(out, &s[rows]),
            ColumnData::Int128(s) => extend_le!(out, &s[rows]),
            ColumnData::UInt8(s) => out.extend_from_slice(&s[rows]),
            ColumnData::UInt16(s) => extend_le!(out, &s[rows]),
            ColumnData::UInt32(s) => extend_le!(out, &s[rows]),
            ColumnData::UInt64(s) => extend_le!(out, &s[rows]),
            ColumnData::Uuid(s) => extend_le!(out, &s[rows]),
            ColumnData::Float(s) => extend_le!(out, &s[rows]),
            ColumnData::Double(s) => extend_le!(out, &s[rows]),
            ColumnData::Interval(s) => {
                for v in &s[rows] {
                    out.extend_from_slice(&v.months.to_le_bytes());
                    out.extend_from_slice(&v.days.to_le_bytes());
                    out.extend_from_slice(&v.micros.to_le_bytes());
                }
            }
            ColumnData::String(view) | ColumnData::Blob(view) => {
                for i in rows {
                    self.bytes.extend_from_slice(view.get(i));
                    self.ends.push(
                        u32::try_from(self.bytes.len())
                            .expect("invariant: the writer flushes before 4 GiB of bytes"),
                    );
                }
            }
            // `ColumnData` is non-exhaustive: a new type needs a type code and a chunk layout
            // first (`type_code` has no code for it either).
            _ => unreachable!("invariant: every column type has a chunk layout"),
        }
    }

    /// Appends the column chunk of `rows` rows to `out`: dictionary encoded when that is
    /// smaller (strings and blobs), plain otherwise.
    fn encode(&self, rows: usize, out: &mut Vec<u8>) {
        let dict = if self.data_type.is_var_size() {
            Dictionary::build(&self.ends, &self.bytes)
        } else {
            None
        };
        out.push(if dict.is_some() {
            ENCODING_DICTIONARY
        } else {
            ENCODING_PLAIN
        });
        out.push(type_code(self.data_type));
        out.extend_from_slice(&[dict.as_ref().map_or(0, Dictionary::code_width), 0]);
        out.extend_from_slice(
            &u32::try_from(self.nulls)
                .expect("invariant: a group has < 2^32 rows")
                .to_le_bytes(),
        );
        debug_assert_eq!(out.len() % 8, CHUNK_HEAD_BYTES % 8);
        if self.nulls > 0 {
            bitmap_bytes(&self.validity, rows, out);
        }
        match (&dict, self.data_type) {
            (Some(d), _) => d.write(out),
            (None, DataType::Bool) => bitmap_bytes(&self.bools, rows, out),
            (None, DataType::String | DataType::Blob) => {
                out.extend_from_slice(&0u32.to_le_bytes());
                extend_le!(out, &self.ends);
                out.extend_from_slice(&self.bytes);
            }
            (None, _) => out.extend_from_slice(&self.fixed),
        }
    }
}

/// The first ceil(rows / 8) bytes of a bitmap, little-endian bit order.
fn bitmap_bytes(bits: &Bitmap, rows: usize, out: &mut Vec<u8>) {
    let start = out.len();
    for w in bits.words() {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out.truncate(start + rows.div_ceil(8));
}

/// Appends the rows of batches to a node table, one node group (one extent) at a time.
///
/// Call [`NodeTableWriter::flush`] before the transaction commits or checkpoints: rows still
/// buffered are not part of the table until then.
#[derive(Debug)]
pub struct NodeTableWriter {
    table: TableId,
    table_name: String,
    columns: Vec<ColumnBuffer>,
    /// Rows buffered in `columns`; always `< group_rows` between calls.
    rows: usize,
    group_rows: usize,
    meta: NodeMeta,
    /// Encode buffer of one group, reused.
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
        Ok(NodeTableWriter {
            table,
            table_name: def.name.clone(),
            columns: def
                .columns
                .iter()
                .map(|c| ColumnBuffer::new(c.data_type))
                .collect(),
            rows: 0,
            group_rows: group_rows.clamp(1, u32::MAX as usize),
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
            .map(ColumnBuffer::memory_bytes)
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
                .all(|(c, b)| c.data_type() == b.data_type);
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
            for (buffer, col) in self.columns.iter_mut().zip(batch.columns()) {
                buffer.append(col, range.clone());
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
                    let add = (offs[range.end] - offs[range.start]) as usize;
                    b.bytes.len() + add > u32::MAX as usize
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
        for buffer in &self.columns {
            while !self.scratch.len().is_multiple_of(8) {
                self.scratch.push(0);
            }
            let offset = self.scratch.len();
            buffer.encode(rows, &mut self.scratch);
            let chunk = &self.scratch[offset..];
            chunks.push(ChunkRef {
                offset: offset as u64,
                len: chunk.len() as u64,
                crc: crc32c::crc32c(chunk),
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
        for buffer in &mut self.columns {
            buffer.clear();
        }
        self.rows = 0;
        Ok(())
    }
}
