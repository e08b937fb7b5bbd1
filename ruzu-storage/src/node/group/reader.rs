//! [`NodeTableReader`]: reads node groups back, checking every chunk's checksum and layout
//! before any value is handed out.

use std::ops::Range;

use ruzu_csv::{DataType, Value};

use super::meta::{ChunkRef, GroupMeta, NodeMeta};
use crate::catalog::{TableId, TableKind};
use crate::error::{Result, StorageError};
use crate::node::column::ChunkReader;
use crate::store::Store;

const WHAT: &str = "column chunk";

/// Reads the committed rows of a node table, one node group at a time.
#[derive(Debug)]
pub struct NodeTableReader<'s> {
    store: &'s Store,
    types: Vec<DataType>,
    meta: NodeMeta,
}

impl<'s> NodeTableReader<'s> {
    /// A reader of the committed rows of node table `table`.
    ///
    /// # Errors
    ///
    /// [`StorageError::UnknownTableId`]; [`StorageError::InvalidTable`] for a rel table;
    /// [`StorageError::Corrupt`] if the table's metadata is damaged.
    pub fn open(store: &'s Store, table: TableId) -> Result<Self> {
        let def = store
            .catalog()
            .table_by_id(table)
            .ok_or(StorageError::UnknownTableId { id: table })?;
        if !matches!(def.kind, TableKind::Node { .. }) {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "not a node table".into(),
            });
        }
        let storage = store
            .table_storage(table)
            .ok_or(StorageError::UnknownTableId { id: table })?;
        let meta = NodeMeta::decode(storage.meta(), def.columns.len(), storage.extents())?;
        Ok(NodeTableReader {
            store,
            types: def.columns.iter().map(|c| c.data_type).collect(),
            meta,
        })
    }

    /// Rows in the table.
    pub fn rows(&self) -> u64 {
        self.meta.rows
    }

    /// The metadata of the layers above the groups (empty if none).
    pub(crate) fn extra_meta(&self) -> &[u8] {
        &self.meta.extra
    }

    /// Rows in node group `index` (0 past the last group).
    pub(crate) fn group_rows(&self, index: usize) -> usize {
        self.meta.groups.get(index).map_or(0, |g| g.rows as usize)
    }

    /// Number of node groups.
    pub fn groups(&self) -> usize {
        self.meta.groups.len()
    }

    /// Reads node group `index` (one read of its extent) and checks it.
    ///
    /// # Errors
    ///
    /// [`StorageError::OutOfBounds`] for a bad index; [`StorageError::Corrupt`] if a chunk's
    /// checksum or layout is wrong; I/O errors.
    pub fn read_group(&self, index: usize) -> Result<NodeGroup> {
        let g = self.group_meta(index)?;
        let len = usize::try_from(g.extent.byte_len()).map_err(|_| {
            StorageError::corrupt(WHAT, g.extent.byte_offset(), "group larger than memory")
        })?;
        let mut buf = vec![0u8; len];
        self.store.read_extent(g.extent, 0, &mut buf)?;
        let base = g.extent.byte_offset();
        let placed: Vec<_> = g
            .chunks
            .iter()
            .zip(&self.types)
            .map(|(c, &t)| (*c, t, base + c.offset))
            .collect();
        NodeGroup::check(g.rows as usize, buf, placed)
    }

    /// Reads only columns `columns` (table column indexes) of node group `index`, one read per
    /// chunk: a scan or an index build touches the bytes it needs. In the returned group,
    /// column `i` is `columns[i]`.
    ///
    /// # Errors
    ///
    /// As [`NodeTableReader::read_group`]; [`StorageError::OutOfBounds`] for a bad column.
    pub fn read_group_columns(&self, index: usize, columns: &[usize]) -> Result<NodeGroup> {
        let g = self.group_meta(index)?;
        let rows = g.rows as usize;
        let mut buf = Vec::new();
        let mut placed = Vec::with_capacity(columns.len());
        for &col in columns {
            let c = *g.chunks.get(col).ok_or(StorageError::OutOfBounds {
                what: "column index",
                offset: col as u64,
                len: 1,
                limit: g.chunks.len() as u64,
            })?;
            let start = buf.len();
            let len = usize::try_from(c.len).map_err(|_| {
                StorageError::corrupt(WHAT, g.extent.byte_offset(), "chunk larger than memory")
            })?;
            buf.resize(start + len, 0);
            self.store
                .read_extent(g.extent, c.offset, &mut buf[start..])?;
            let local = ChunkRef {
                offset: start as u64,
                ..c
            };
            placed.push((local, self.types[col], g.extent.byte_offset() + c.offset));
        }
        NodeGroup::check(rows, buf, placed)
    }

    fn group_meta(&self, index: usize) -> Result<&GroupMeta> {
        self.meta
            .groups
            .get(index)
            .ok_or(StorageError::OutOfBounds {
                what: "node group index",
                offset: index as u64,
                len: 1,
                limit: self.meta.groups.len() as u64,
            })
    }
}

/// One node group read from disk, every chunk validated; values are decoded on access.
#[derive(Debug)]
pub struct NodeGroup {
    rows: usize,
    /// Where each column's chunk image lies in `buf`.
    chunks: Vec<Range<usize>>,
    /// Per column: the inflated string data of a zstd-compressed chunk, else empty.
    inflated: Vec<Vec<u8>>,
    buf: Vec<u8>,
}

impl NodeGroup {
    /// Validates the chunks `placed` (chunk reference in `buf`, catalog type, file offset for
    /// errors) of a group of `rows` rows.
    fn check(rows: usize, buf: Vec<u8>, placed: Vec<(ChunkRef, DataType, u64)>) -> Result<Self> {
        let mut chunks = Vec::with_capacity(placed.len());
        let mut inflated = Vec::with_capacity(placed.len());
        for (c, data_type, at) in placed {
            let bad = |reason: String| StorageError::corrupt(WHAT, at, reason);
            let range = usize::try_from(c.offset)
                .ok()
                .zip(usize::try_from(c.len).ok())
                .and_then(|(start, len)| Some(start..start.checked_add(len)?))
                .ok_or_else(|| bad("chunk past memory".into()))?;
            let image = buf
                .get(range.clone())
                .ok_or_else(|| bad("chunk outside its group".into()))?;
            let trailer = image
                .len()
                .checked_sub(4)
                .map(|t| u32::from_le_bytes(image[t..].try_into().expect("invariant: 4 bytes")));
            if trailer != Some(c.crc) {
                return Err(bad("chunk checksum differs from the group's".into()));
            }
            let reader = ChunkReader::new(image).map_err(|e| bad(e.to_string()))?;
            if reader.data_type() != data_type {
                return Err(bad(format!(
                    "a {} chunk in a {data_type} column",
                    reader.data_type()
                )));
            }
            if reader.len() != rows {
                return Err(bad(format!("{} rows in a group of {rows}", reader.len())));
            }
            inflated.push(reader.into_inflated());
            chunks.push(range);
        }
        Ok(NodeGroup {
            rows,
            chunks,
            inflated,
            buf,
        })
    }

    /// Rows in the group.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Columns in the group.
    pub fn columns(&self) -> usize {
        self.chunks.len()
    }

    /// The chunk of column `column` (already validated: making the reader is cheap), for
    /// bulk decoding ([`ChunkReader::to_arrow`], [`ChunkReader::decode_into`]).
    ///
    /// # Panics
    ///
    /// If `column` is out of range.
    pub fn column(&self, column: usize) -> ChunkReader<'_> {
        ChunkReader::trusted(
            &self.buf[self.chunks[column].clone()],
            &self.inflated[column],
        )
    }

    /// The value at `row` of column `column` (`Value::Null` for NULL). Random access; scans
    /// decode whole columns through [`NodeGroup::column`].
    ///
    /// # Panics
    ///
    /// If `row` or `column` is out of range.
    pub fn value(&self, row: usize, column: usize) -> Value<'_> {
        assert!(row < self.rows, "row {row} of a {}-row group", self.rows);
        self.column(column)
            .value_borrowed(row, &self.inflated[column])
    }
}
