//! [`NodeTableReader`]: reads node groups back, checking every chunk's checksum and layout
//! before any value is handed out.

use ruzu_csv::{DataType, Interval, Value};

use super::meta::{ChunkRef, GroupMeta, NodeMeta};
use super::{CHUNK_HEAD_BYTES, ENCODING_DICTIONARY, ENCODING_PLAIN};
use crate::catalog::{TableId, TableKind, type_code};
use crate::error::{Result, StorageError};
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
        let rows = g.rows as usize;
        let base = g.extent.byte_offset();
        let columns = g
            .chunks
            .iter()
            .zip(&self.types)
            .map(|(c, &t)| ChunkView::check(&buf, *c, t, rows, base + c.offset))
            .collect::<Result<Vec<_>>>()?;
        Ok(NodeGroup { rows, columns, buf })
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
        let views = placed
            .into_iter()
            .map(|(c, t, at)| ChunkView::check(&buf, c, t, rows, at))
            .collect::<Result<Vec<_>>>()?;
        Ok(NodeGroup {
            rows,
            columns: views,
            buf,
        })
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

/// Where the parts of one checked chunk lie in the group buffer.
#[derive(Clone, Copy, Debug)]
struct ChunkView {
    data_type: DataType,
    /// Start of the validity bitmap, if the chunk has NULLs.
    validity: Option<usize>,
    /// Start of the values; for var-size types of the offsets (plain: one per row, dictionary:
    /// one per entry).
    values: usize,
    /// Var-size types: start of the value (or entry) bytes.
    bytes: usize,
    /// Dictionary: bytes per code; 0 for a plain chunk.
    code_width: usize,
    /// Dictionary: start of the codes.
    codes: usize,
}

impl ChunkView {
    fn check(
        buf: &[u8],
        c: ChunkRef,
        data_type: DataType,
        rows: usize,
        at: u64,
    ) -> Result<ChunkView> {
        let start = c.offset as usize;
        let chunk = &buf[start..start + c.len as usize];
        let bad = |reason: String| StorageError::corrupt(WHAT, at, reason);
        if crc32c::crc32c(chunk) != c.crc {
            return Err(bad("checksum mismatch".into()));
        }
        let head_ok = chunk.len() >= CHUNK_HEAD_BYTES
            && chunk[1] == type_code(data_type)
            && match chunk[0] {
                ENCODING_PLAIN => chunk[2] == 0,
                ENCODING_DICTIONARY => data_type.is_var_size() && matches!(chunk[2], 1 | 2 | 4),
                _ => false,
            };
        if !head_ok {
            return Err(bad(format!("bad head for a {data_type} chunk")));
        }
        let nulls = u32::from_le_bytes(le(chunk, 4)) as usize;
        if nulls > rows {
            return Err(bad(format!("{nulls} NULLs in {rows} rows")));
        }
        let bitmap = rows.div_ceil(8);
        let mut pos = CHUNK_HEAD_BYTES;
        let validity = (nulls > 0).then(|| {
            pos += bitmap;
            start + CHUNK_HEAD_BYTES
        });
        let mut view = ChunkView {
            data_type,
            validity,
            values: start + pos,
            bytes: 0,
            code_width: 0,
            codes: 0,
        };
        let expected = if chunk[0] == ENCODING_DICTIONARY {
            view.code_width = usize::from(chunk[2]);
            if chunk.len() < pos + 4 {
                return Err(bad("dictionary truncated".into()));
            }
            let entries = u32::from_le_bytes(le(chunk, pos)) as usize;
            view.values = start + pos + 4;
            let bytes = view.check_offsets(buf, start + chunk.len(), entries, &bad)?;
            view.codes = view.bytes + bytes;
            let end = (view.codes - start).saturating_add(rows.saturating_mul(view.code_width));
            if end != chunk.len() {
                return Err(bad(format!("{} bytes, expected {end}", chunk.len())));
            }
            for row in 0..rows {
                if view.code(buf, row) >= entries {
                    return Err(bad(format!("row {row} has a code past the dictionary")));
                }
            }
            view.check_utf8(buf, entries, &bad)?;
            return Ok(view);
        } else if data_type == DataType::Bool {
            pos + bitmap
        } else if let Some(w) = data_type.fixed_width_bytes() {
            pos + rows * w
        } else {
            let bytes = view.check_offsets(buf, start + chunk.len(), rows, &bad)?;
            if view.bytes + bytes != start + chunk.len() {
                return Err(bad("bytes do not end the chunk".into()));
            }
            view.check_utf8(buf, rows, &bad)?;
            return Ok(view);
        };
        if chunk.len() != expected {
            return Err(bad(format!("{} bytes, expected {expected}", chunk.len())));
        }
        Ok(view)
    }

    /// Checks `n + 1` offsets at `self.values` (below `limit`): first 0, non-decreasing, bytes
    /// inside the chunk. Sets `self.bytes`; returns the byte count.
    fn check_offsets(
        &mut self,
        buf: &[u8],
        limit: usize,
        n: usize,
        bad: &dyn Fn(String) -> StorageError,
    ) -> Result<usize> {
        let offsets_end = n
            .checked_add(1)
            .and_then(|k| k.checked_mul(4))
            .and_then(|b| b.checked_add(self.values))
            .filter(|&e| e <= limit)
            .ok_or_else(|| bad("offsets truncated".into()))?;
        self.bytes = offsets_end;
        let mut prev = 0usize;
        for i in 0..=n {
            let o = self.offset(buf, i);
            if o < prev || (i == 0 && o != 0) {
                return Err(bad(format!("offset {i} out of order")));
            }
            prev = o;
        }
        if self.bytes + prev > limit {
            return Err(bad("bytes past the chunk".into()));
        }
        Ok(prev)
    }

    /// For `STRING`: checks that each of the `n` values (or entries) is UTF-8.
    fn check_utf8(&self, buf: &[u8], n: usize, bad: &dyn Fn(String) -> StorageError) -> Result<()> {
        if self.data_type == DataType::String {
            for i in 0..n {
                if std::str::from_utf8(self.entry(buf, i)).is_err() {
                    return Err(bad(format!("value {i} is not UTF-8")));
                }
            }
        }
        Ok(())
    }

    fn offset(&self, buf: &[u8], i: usize) -> usize {
        u32::from_le_bytes(le(buf, self.values + 4 * i)) as usize
    }

    fn code(&self, buf: &[u8], row: usize) -> usize {
        let at = self.codes + row * self.code_width;
        match self.code_width {
            1 => usize::from(buf[at]),
            2 => usize::from(u16::from_le_bytes(le(buf, at))),
            _ => u32::from_le_bytes(le(buf, at)) as usize,
        }
    }

    /// Value (plain) or dictionary entry `i`.
    fn entry<'b>(&self, buf: &'b [u8], i: usize) -> &'b [u8] {
        &buf[self.bytes + self.offset(buf, i)..self.bytes + self.offset(buf, i + 1)]
    }

    fn var<'b>(&self, buf: &'b [u8], row: usize) -> &'b [u8] {
        if self.code_width == 0 {
            self.entry(buf, row)
        } else {
            self.entry(buf, self.code(buf, row))
        }
    }
}

fn le<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    buf[at..at + N]
        .try_into()
        .expect("invariant: chunk layout checked at read")
}

fn bit(buf: &[u8], start: usize, i: usize) -> bool {
    buf[start + i / 8] & (1 << (i % 8)) != 0
}

/// One node group read from disk, checked; values are decoded on access.
#[derive(Debug)]
pub struct NodeGroup {
    rows: usize,
    columns: Vec<ChunkView>,
    buf: Vec<u8>,
}

impl NodeGroup {
    /// Rows in the group.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The value at `row` of column `column` (`Value::Null` for NULL).
    ///
    /// # Panics
    ///
    /// If `row` or `column` is out of range.
    pub fn value(&self, row: usize, column: usize) -> Value<'_> {
        assert!(row < self.rows, "row {row} of a {}-row group", self.rows);
        let c = &self.columns[column];
        let b = &self.buf;
        if let Some(v) = c.validity
            && !bit(b, v, row)
        {
            return Value::Null;
        }
        let w = c.data_type.fixed_width_bytes().unwrap_or(0);
        let at = c.values + row * w;
        match c.data_type {
            DataType::Bool => Value::Bool(bit(b, c.values, row)),
            DataType::Int8 => Value::Int8(i8::from_le_bytes(le(b, at))),
            DataType::Int16 => Value::Int16(i16::from_le_bytes(le(b, at))),
            DataType::Int32 => Value::Int32(i32::from_le_bytes(le(b, at))),
            DataType::Int64 => Value::Int64(i64::from_le_bytes(le(b, at))),
            DataType::Int128 => Value::Int128(i128::from_le_bytes(le(b, at))),
            DataType::UInt8 => Value::UInt8(b[at]),
            DataType::UInt16 => Value::UInt16(u16::from_le_bytes(le(b, at))),
            DataType::UInt32 => Value::UInt32(u32::from_le_bytes(le(b, at))),
            DataType::UInt64 => Value::UInt64(u64::from_le_bytes(le(b, at))),
            DataType::Float => Value::Float(f32::from_le_bytes(le(b, at))),
            DataType::Double => Value::Double(f64::from_le_bytes(le(b, at))),
            DataType::Date => Value::Date(i32::from_le_bytes(le(b, at))),
            DataType::Timestamp => Value::Timestamp(i64::from_le_bytes(le(b, at))),
            DataType::Interval => Value::Interval(Interval {
                months: i32::from_le_bytes(le(b, at)),
                days: i32::from_le_bytes(le(b, at + 4)),
                micros: i64::from_le_bytes(le(b, at + 8)),
            }),
            DataType::Uuid => Value::Uuid(u128::from_le_bytes(le(b, at))),
            DataType::String => Value::String(
                std::str::from_utf8(c.var(b, row)).expect("invariant: UTF-8 checked at read"),
            ),
            DataType::Blob => Value::Blob(c.var(b, row)),
            _ => unreachable!("invariant: every DataType has a type code"),
        }
    }
}
