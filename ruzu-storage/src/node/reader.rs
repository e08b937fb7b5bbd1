//! [`NodeTableReader`]: reads node groups back, checking every chunk's checksum and layout
//! before any value is handed out.

use ruzu_csv::{DataType, Interval, Value};

use super::meta::{ChunkRef, NodeMeta};
use super::{CHUNK_HEAD_BYTES, ENCODING_PLAIN};
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
        let g = self
            .meta
            .groups
            .get(index)
            .ok_or(StorageError::OutOfBounds {
                what: "node group index",
                offset: index as u64,
                len: 1,
                limit: self.meta.groups.len() as u64,
            })?;
        let len = usize::try_from(g.extent.byte_len()).map_err(|_| {
            StorageError::corrupt(WHAT, g.extent.byte_offset(), "group larger than memory")
        })?;
        let mut buf = vec![0u8; len];
        self.store.read_extent(g.extent, 0, &mut buf)?;
        let rows = g.rows as usize;
        let columns = g
            .chunks
            .iter()
            .zip(&self.types)
            .map(|(c, &t)| ChunkView::check(&buf, *c, t, rows, g.extent.byte_offset()))
            .collect::<Result<Vec<_>>>()?;
        Ok(NodeGroup { rows, columns, buf })
    }
}

/// Where the parts of one checked chunk lie in the group buffer.
#[derive(Clone, Copy, Debug)]
struct ChunkView {
    data_type: DataType,
    /// Start of the validity bitmap, if the chunk has NULLs.
    validity: Option<usize>,
    /// Start of the values (for var-size types: of the offsets).
    values: usize,
    /// Var-size types: start of the bytes.
    bytes: usize,
}

impl ChunkView {
    fn check(
        buf: &[u8],
        c: ChunkRef,
        data_type: DataType,
        rows: usize,
        base: u64,
    ) -> Result<ChunkView> {
        let start = c.offset as usize;
        let chunk = &buf[start..start + c.len as usize];
        let at = base + c.offset;
        let bad = |reason: String| StorageError::corrupt(WHAT, at, reason);
        if crc32c::crc32c(chunk) != c.crc {
            return Err(bad("checksum mismatch".into()));
        }
        if chunk.len() < CHUNK_HEAD_BYTES
            || chunk[0] != ENCODING_PLAIN
            || chunk[1] != type_code(data_type)
        {
            return Err(bad(format!("bad head for a {data_type} chunk")));
        }
        let nulls =
            u32::from_le_bytes(chunk[4..8].try_into().expect("invariant: 4 bytes")) as usize;
        if nulls > rows {
            return Err(bad(format!("{nulls} NULLs in {rows} rows")));
        }
        let bitmap = rows.div_ceil(8);
        let mut pos = CHUNK_HEAD_BYTES;
        let validity = (nulls > 0).then(|| {
            pos += bitmap;
            start + CHUNK_HEAD_BYTES
        });
        let values = start + pos;
        let mut view = ChunkView {
            data_type,
            validity,
            values,
            bytes: 0,
        };
        let expected = match data_type.fixed_width_bytes() {
            _ if data_type == DataType::Bool => pos + bitmap,
            Some(w) => pos + rows * w,
            None => {
                let offsets = pos + (rows + 1) * 4;
                if chunk.len() < offsets {
                    return Err(bad("offsets truncated".into()));
                }
                view.bytes = start + offsets;
                let mut prev = 0usize;
                for i in 0..=rows {
                    let o = view.offset(buf, i);
                    if o < prev || (i == 0 && o != 0) {
                        return Err(bad(format!("offset {i} out of order")));
                    }
                    prev = o;
                }
                if offsets + prev != chunk.len() {
                    return Err(bad("bytes do not end the chunk".into()));
                }
                if data_type == DataType::String {
                    for i in 0..rows {
                        if std::str::from_utf8(view.var(buf, i)).is_err() {
                            return Err(bad(format!("row {i} is not UTF-8")));
                        }
                    }
                }
                return Ok(view);
            }
        };
        if chunk.len() != expected {
            return Err(bad(format!("{} bytes, expected {expected}", chunk.len())));
        }
        Ok(view)
    }

    fn offset(&self, buf: &[u8], i: usize) -> usize {
        u32::from_le_bytes(le(buf, self.values + 4 * i)) as usize
    }

    fn var<'b>(&self, buf: &'b [u8], row: usize) -> &'b [u8] {
        &buf[self.bytes + self.offset(buf, row)..self.bytes + self.offset(buf, row + 1)]
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
