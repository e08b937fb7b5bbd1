//! [`GroupWriter`]: encodes one CSR group from edge records sorted by bound node into
//! [`Piece`]s (edge chunk images, then the header), which [`write_piece`] writes into the
//! transaction. Encoding needs no transaction, so groups can be encoded on worker threads
//! while the thread that owns the transaction writes what they hand over.

use std::sync::{Arc, Mutex};

use ruzu_csv::{Batch, DataType, Field, Schema, Value};

use crate::catalog::TableId;
use crate::error::{Result, StorageError};
use crate::node::column::ChunkEncoder;
use crate::page_file::Extent;
use crate::page_file::pages_for;
use crate::rel::meta::{ColumnLoc, EdgeChunk, GroupMeta};
use crate::rel::record::{Record, encode_props, push_record};
use crate::store::WriteTxn;

/// An encoded part of a CSR group, in the order a [`GroupWriter`] makes them: edge chunks, then
/// the header, which completes the group.
#[derive(Debug)]
pub(crate) enum Piece {
    /// An edge chunk: its image, its edges, where each column lies in the image.
    Chunk {
        image: Vec<u8>,
        edges: u32,
        columns: Vec<ColumnLoc>,
    },
    /// Backward records of new forward edges (`rel::record` layout, bound = the edge's
    /// destination, properties = its rank among its source's forward edges), for the caller
    /// to route into the backward runs; made only by a writer [`GroupWriter::with_reverse`].
    Reverse { records: Vec<u8> },
    /// The degree chunk image and the group's counts.
    Header {
        image: Vec<u8>,
        header_nodes: u32,
        edges: u64,
    },
}

/// Image buffers handed back by the writer for reuse (freshly allocated memory is slow to touch
/// on this machine); holds at most [`POOL_BUFFERS`].
pub(crate) type ImagePool = Arc<Mutex<Vec<Vec<u8>>>>;

/// Most buffers an [`ImagePool`] keeps.
const POOL_BUFFERS: usize = 8;

/// A buffer from `pool`, or a new one.
fn pooled(pool: &ImagePool) -> Vec<u8> {
    pool.lock()
        .map(|mut p| p.pop())
        .unwrap_or(None)
        .unwrap_or_default()
}

/// Gives `buf` back to `pool` (dropped when the pool is full).
pub(crate) fn recycle_image(pool: &ImagePool, mut buf: Vec<u8>) {
    buf.clear();
    if let Ok(mut p) = pool.lock()
        && p.len() < POOL_BUFFERS
    {
        p.push(buf);
    }
}

/// A group being written: the chunks written so far.
#[derive(Debug, Default)]
pub(crate) struct PendingGroup {
    chunks: Vec<EdgeChunk>,
}

/// Writes `piece` of a group of table `table` into `txn`: a chunk extent, or the header
/// extent, which completes the group and returns its metadata. The image goes back to `pool`.
///
/// # Errors
///
/// I/O errors of the transaction.
pub(crate) fn write_piece(
    txn: &mut WriteTxn<'_>,
    table: TableId,
    pending: &mut PendingGroup,
    piece: Piece,
    pool: &ImagePool,
) -> Result<Option<GroupMeta>> {
    match piece {
        Piece::Chunk {
            image,
            edges,
            columns,
        } => {
            let extent = write_image(txn, table, &image)?;
            recycle_image(pool, image);
            pending.chunks.push(EdgeChunk {
                extent,
                edges,
                columns,
            });
            Ok(None)
        }
        Piece::Reverse { records } => {
            recycle_image(pool, records);
            Ok(None)
        }
        Piece::Header {
            image,
            header_nodes,
            edges,
        } => {
            let header = write_image(txn, table, &image)?;
            let header_bytes = image.len() as u64;
            recycle_image(pool, image);
            Ok(Some(GroupMeta {
                edges,
                header_nodes,
                header,
                header_bytes,
                chunks: std::mem::take(&mut pending.chunks),
            }))
        }
    }
}

/// The name of a backward edge chunk's second column: the rank of the edge among its source's
/// forward edges.
pub(crate) const RANK_COLUMN: &str = "rank";

/// The schema of an edge chunk: neighbour offset, then the properties (forward) or the
/// rank (backward).
pub(crate) fn chunk_schema(props: &[(String, DataType)]) -> Arc<Schema> {
    let mut fields = vec![Field::new("neighbour", DataType::UInt64)];
    fields.extend(props.iter().map(|(n, t)| Field::new(n.clone(), *t)));
    Arc::new(Schema::new(fields))
}

fn column_error(e: impl std::fmt::Display) -> StorageError {
    StorageError::corrupt("rel edge chunk", 0, e.to_string())
}

/// Encodes one group. Memory: one edge chunk of rows (batch, encoders, image) plus one degree
/// per bound node of the group, and for a forward group up to [`REVERSE_PIECE_BYTES`] of
/// backward records.
pub(crate) struct GroupWriter {
    base: u64,
    group_nodes: u64,
    prop_types: Vec<DataType>,
    degrees: Vec<u64>,
    batch: Batch,
    encoders: Vec<ChunkEncoder>,
    pool: ImagePool,
    edges: u64,
    last: u64,
    /// Most edges per chunk.
    chunk_edges: usize,
    /// The row `push` builds, kept empty between calls so no edge allocates one.
    row: Vec<Value<'static>>,
    /// Backward records of the new edges pushed since the last [`Piece::Reverse`], when the
    /// writer makes them (a forward group).
    reverse: Option<Vec<u8>>,
    /// One encoded rank, reused.
    rank: Vec<u8>,
}

/// Bytes of backward records a [`GroupWriter`] gathers before handing them over.
const REVERSE_PIECE_BYTES: usize = 64 << 10;

impl GroupWriter {
    /// A writer of the group of bound nodes `base .. base + group_nodes`, cutting edge chunks
    /// of at most `chunk_edges` edges, taking image buffers from `pool`.
    pub(crate) fn new(
        base: u64,
        group_nodes: u64,
        schema: Arc<Schema>,
        chunk_edges: usize,
        pool: ImagePool,
    ) -> Result<Self> {
        let encoders = schema
            .fields()
            .iter()
            .map(|f| ChunkEncoder::new(f.data_type).map_err(column_error))
            .collect::<Result<Vec<_>>>()?;
        let prop_types = schema.fields()[1..].iter().map(|f| f.data_type).collect();
        let schema_len = schema.len();
        Ok(GroupWriter {
            base,
            group_nodes,
            prop_types,
            degrees: Vec::new(),
            batch: Batch::new(schema, chunk_edges.min(4096), 64 << 10),
            encoders,
            pool,
            edges: 0,
            last: 0,
            chunk_edges: chunk_edges.max(1),
            row: Vec::with_capacity(schema_len),
            reverse: None,
            rank: Vec::with_capacity(16),
        })
    }

    /// Makes the writer of a forward group also hand over, as [`Piece::Reverse`], one
    /// backward record per new edge (sequence number not 0): bound node = its destination,
    /// neighbour = its source, the same sequence number, and as its one property (`UINT64`)
    /// its rank among the source's edges in this group, which is where the backward
    /// direction finds the edge's properties. Stored edges (sequence number 0) are already
    /// in the stored backward groups, with ranks an append does not change: a node's new
    /// edges come after its stored ones.
    pub(crate) fn with_reverse(mut self) -> Self {
        self.reverse = Some(pooled(&self.pool));
        self
    }

    /// Appends one edge; records come in bound node order. A full edge chunk goes to `emit`.
    pub(crate) fn push(&mut self, emit: &mut Emit<'_>, record: Record<'_>) -> Result<()> {
        let bound = record.bound();
        if bound < self.base.max(self.last) || bound - self.base >= self.group_nodes {
            return Err(StorageError::corrupt(
                "rel spill run",
                0,
                format!(
                    "edge of node {bound} out of order for group at {}",
                    self.base
                ),
            ));
        }
        self.last = bound;
        let i = (bound - self.base) as usize;
        if self.degrees.len() <= i {
            self.degrees.resize(i + 1, 0);
        }
        let rank = self.degrees[i];
        self.degrees[i] += 1;
        if let Some(reverse) = &mut self.reverse
            && record.seq() != 0
        {
            self.rank.clear();
            encode_props(std::iter::once(Value::UInt64(rank)), &mut self.rank);
            push_record(reverse, record.neighbour(), bound, record.seq(), &self.rank);
            if reverse.len() >= REVERSE_PIECE_BYTES {
                let records = std::mem::replace(reverse, pooled(&self.pool));
                emit(Piece::Reverse { records })?;
            }
        }
        let mut row = recycle(std::mem::take(&mut self.row));
        row.push(Value::UInt64(record.neighbour()));
        record.push_props(&self.prop_types, &mut row)?;
        self.batch.push_row(&row, 0, 0).map_err(column_error)?;
        self.row = recycle(row);
        self.edges += 1;
        if self.batch.num_rows() >= self.chunk_edges {
            self.flush_chunk(emit)?;
        }
        Ok(())
    }

    /// Encodes the batch's columns into one chunk image.
    fn flush_chunk(&mut self, emit: &mut Emit<'_>) -> Result<()> {
        let rows = self.batch.num_rows();
        if rows == 0 {
            return Ok(());
        }
        let mut image = pooled(&self.pool);
        let mut columns = Vec::with_capacity(self.encoders.len());
        for (c, enc) in self.encoders.iter_mut().enumerate() {
            while !image.len().is_multiple_of(8) {
                image.push(0);
            }
            let offset = image.len() as u64;
            enc.append(self.batch.column(c), 0..rows)
                .map_err(column_error)?;
            enc.finish(&mut image);
            columns.push(ColumnLoc {
                offset,
                len: image.len() as u64 - offset,
            });
        }
        self.batch.clear();
        emit(Piece::Chunk {
            image,
            edges: rows as u32,
            columns,
        })
    }

    /// Encodes the last chunk and the header, which completes the group.
    pub(crate) fn finish(mut self, emit: &mut Emit<'_>) -> Result<()> {
        self.flush_chunk(emit)?;
        if let Some(records) = self.reverse.take() {
            if records.is_empty() {
                recycle_image(&self.pool, records);
            } else {
                emit(Piece::Reverse { records })?;
            }
        }
        let schema = Arc::new(Schema::new(vec![Field::new("degree", DataType::UInt64)]));
        let mut enc = ChunkEncoder::new(DataType::UInt64).map_err(column_error)?;
        let mut batch = Batch::new(schema, 4096, 1024);
        for part in self.degrees.chunks(4096) {
            batch.clear();
            for &d in part {
                batch
                    .push_row(&[Value::UInt64(d)], 0, 0)
                    .map_err(column_error)?;
            }
            enc.append(batch.column(0), 0..batch.num_rows())
                .map_err(column_error)?;
        }
        let mut image = pooled(&self.pool);
        enc.finish(&mut image);
        emit(Piece::Header {
            image,
            header_nodes: self.degrees.len() as u32,
            edges: self.edges,
        })
    }
}

/// Where a [`GroupWriter`] hands its pieces.
pub(crate) type Emit<'a> = dyn FnMut(Piece) -> Result<()> + 'a;

/// Writes `image` into a new extent of `table`.
fn write_image(txn: &mut WriteTxn<'_>, table: TableId, image: &[u8]) -> Result<Extent> {
    let extent = txn.allocate_extent(pages_for(image.len() as u64).max(1))?;
    txn.write_extent(extent, 0, image)?;
    txn.attach_extent(table, extent)?;
    Ok(extent)
}

/// Empties `row` and hands its buffer back for values of another lifetime: `Value<'a>` and
/// `Value<'b>` have the same layout, so collecting the (empty) iterator reuses the allocation
/// in place instead of allocating.
fn recycle<'b>(mut row: Vec<Value<'_>>) -> Vec<Value<'b>> {
    row.clear();
    row.into_iter().map(|_| Value::Null).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycled_row_keeps_its_buffer_across_lifetimes() {
        let kept: Vec<Value<'static>> = Vec::with_capacity(8);
        let buffer = kept.as_ptr() as usize;
        let text = String::from("tag");
        let mut row = recycle(kept);
        row.push(Value::UInt64(7));
        row.push(Value::String(&text));
        let back: Vec<Value<'static>> = recycle(row);
        assert!(back.is_empty());
        assert_eq!(back.as_ptr() as usize, buffer);
        assert!(back.capacity() >= 8);
    }
}
