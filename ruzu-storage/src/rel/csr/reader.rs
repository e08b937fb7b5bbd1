//! Reading CSR groups: the offsets of a group's header, an edge chunk decoded into a batch,
//! and [`GroupSource`], a group's edges streamed back as records (to merge with new edges).

use std::sync::Arc;

use ruzu_csv::{Batch, Schema, Value};

use crate::error::{Result, StorageError};
use crate::node::column::ChunkReader;
use crate::rel::meta::{EdgeChunk, GroupMeta};
use crate::rel::record::{encode_props, push_record};
use crate::rel::sort::{Key, Source};
use crate::store::FileView;

const WHAT: &str = "rel group";

fn corrupt(e: impl std::fmt::Display) -> StorageError {
    StorageError::corrupt(WHAT, 0, e.to_string())
}

/// The CSR offsets of `group`: `header_nodes + 1` values, the last one the group's edges.
///
/// # Errors
///
/// I/O errors; a damaged header or one that disagrees with the edge count is corrupt.
pub(crate) fn read_offsets(view: &FileView, group: &GroupMeta) -> Result<Vec<u64>> {
    let mut image = vec![0u8; group.header_bytes as usize];
    view.read(group.header, 0, &mut image)?;
    let reader = ChunkReader::new(&image).map_err(corrupt)?;
    let mut degrees: Vec<u64> = Vec::with_capacity(reader.len());
    reader.decode_into(&mut degrees).map_err(corrupt)?;
    if degrees.len() != group.header_nodes as usize {
        return Err(corrupt("header length differs from the metadata"));
    }
    let mut offsets = Vec::with_capacity(degrees.len() + 1);
    let mut sum = 0u64;
    offsets.push(0);
    for d in degrees {
        sum = sum
            .checked_add(d)
            .ok_or_else(|| corrupt("degree sum overflows"))?;
        offsets.push(sum);
    }
    if sum != group.edges {
        return Err(corrupt(format!(
            "degrees sum to {sum}, the group holds {} edges",
            group.edges
        )));
    }
    Ok(offsets)
}

/// The bytes of one edge chunk, read whole; [`ChunkImage::columns`] validates and opens its
/// column chunk images.
pub(crate) struct ChunkImage {
    image: Vec<u8>,
}

impl ChunkImage {
    /// Reads edge chunk `chunk`.
    ///
    /// # Errors
    ///
    /// I/O errors.
    pub(crate) fn read(view: &FileView, chunk: &EdgeChunk) -> Result<Self> {
        let end = chunk
            .columns
            .iter()
            .map(|c| c.offset + c.len)
            .max()
            .unwrap_or(0);
        let mut image = vec![0u8; end as usize];
        view.read(chunk.extent, 0, &mut image)?;
        Ok(ChunkImage { image })
    }

    /// A reader per column (neighbour, then properties), each checked against `schema` and
    /// the chunk's edge count.
    ///
    /// # Errors
    ///
    /// Damaged column chunks are corrupt.
    pub(crate) fn columns(
        &self,
        chunk: &EdgeChunk,
        schema: &Schema,
    ) -> Result<Vec<ChunkReader<'_>>> {
        if chunk.columns.len() != schema.len() {
            return Err(corrupt("edge chunk column count"));
        }
        let readers = chunk
            .columns
            .iter()
            .map(|c| ChunkReader::new(&self.image[c.offset as usize..(c.offset + c.len) as usize]))
            .collect::<Result<Vec<_>, _>>()
            .map_err(corrupt)?;
        for (r, f) in readers.iter().zip(schema.fields()) {
            if r.len() != chunk.edges as usize || r.data_type() != f.data_type {
                return Err(corrupt("edge chunk column length or type"));
            }
        }
        if readers.first().is_some_and(|r| r.null_count() > 0) {
            return Err(corrupt("NULL neighbour offset"));
        }
        Ok(readers)
    }
}

/// Edge chunk `chunk` decoded into `batch` (cleared first; its schema is the chunk's:
/// neighbour, then properties).
///
/// # Errors
///
/// I/O errors; damaged column chunks are corrupt.
pub(crate) fn chunk_batch(view: &FileView, chunk: &EdgeChunk, batch: &mut Batch) -> Result<()> {
    batch.clear();
    let image = ChunkImage::read(view, chunk)?;
    let schema = batch.schema().clone();
    let readers = image.columns(chunk, &schema)?;
    let mut row: Vec<Value<'_>> = Vec::with_capacity(readers.len());
    for i in 0..chunk.edges as usize {
        row.clear();
        row.extend(readers.iter().map(|r| r.value(i)));
        batch.push_row(&row, 0, 0).map_err(corrupt)?;
    }
    Ok(())
}

/// The edges of a stored group as records, in CSR order. Memory: one edge chunk and the
/// group's offsets.
pub(crate) struct GroupSource {
    view: FileView,
    group: GroupMeta,
    base: u64,
    offsets: Vec<u64>,
    batch: Batch,
    chunk: usize,
    row: usize,
    /// Edge index in the group of the next record.
    edge: u64,
    /// Bound node (index in the group) of the next record.
    node: usize,
    props: Vec<u8>,
}

impl GroupSource {
    /// A stream of `group`, whose first bound node is `base`; `schema` is the chunk schema.
    pub(crate) fn new(
        view: FileView,
        group: GroupMeta,
        base: u64,
        schema: Arc<Schema>,
    ) -> Result<Self> {
        let offsets = read_offsets(&view, &group)?;
        Ok(GroupSource {
            view,
            group,
            base,
            offsets,
            batch: Batch::new(schema, 1024, 64 << 10),
            chunk: 0,
            row: 0,
            edge: 0,
            node: 0,
            props: Vec::new(),
        })
    }
}

impl Source for GroupSource {
    fn next_into(&mut self, out: &mut Vec<u8>) -> Result<Option<Key>> {
        out.clear();
        if self.edge >= self.group.edges {
            return Ok(None);
        }
        if self.row >= self.batch.num_rows() {
            let chunk = self
                .group
                .chunks
                .get(self.chunk)
                .ok_or_else(|| corrupt("edges past the last chunk"))?;
            chunk_batch(&self.view, chunk, &mut self.batch)?;
            self.chunk += 1;
            self.row = 0;
        }
        while self.offsets[self.node + 1] <= self.edge {
            self.node += 1;
        }
        let Value::UInt64(neighbour) = self.batch.value(self.row, 0) else {
            return Err(corrupt("NULL neighbour offset"));
        };
        self.props.clear();
        let columns = self.batch.schema().len();
        encode_props(
            (1..columns).map(|c| self.batch.value(self.row, c)),
            &mut self.props,
        );
        let bound = self.base + self.node as u64;
        push_record(out, bound, neighbour, 0, &self.props);
        self.row += 1;
        self.edge += 1;
        Ok(Some((bound, 0)))
    }
}
