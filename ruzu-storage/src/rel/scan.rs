//! Reading rel tables back: [`Store::scan_rel_table`], [`Store::neighbours`], the edge count,
//! and [`Store::copy_schema`] (the batch schema a COPY into a table expects).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::RecordBatch;
use ruzu_csv::{Batch, Field, Schema, Value};

use super::csr::{ChunkImage, chunk_batch, read_offsets};
use super::meta::{GroupMeta, RelMeta};
use super::{DEFAULT_GROUP_NODES, chunk_schema_of, chunk_schemas_of};
use crate::catalog::{TableDef, TableKind};
use crate::error::{Result, StorageError};
use crate::node::group::{NodeGroup, NodeTableReader};
use crate::store::{FileView, Store};

/// Node groups of key column kept decoded while keys of neighbours are looked up.
const KEY_CACHE_GROUPS: usize = 4;

/// Which adjacency of a rel table: edges leaving a node or edges arriving at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Edges whose `from` is the node; neighbours are the `to` nodes.
    Forward,
    /// Edges whose `to` is the node; neighbours are the `from` nodes.
    Backward,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::Forward => 0,
            Direction::Backward => 1,
        }
    }
}

/// Primary keys of a node table by node offset, through a small cache of decoded key columns.
/// Memory: [`KEY_CACHE_GROUPS`] node groups' key column.
struct NodeKeys<'s> {
    reader: NodeTableReader<'s>,
    pk: usize,
    /// First node offset of each node group, and one past the last.
    starts: Vec<u64>,
    /// (group, its key column), most recently used last.
    cache: Vec<(usize, NodeGroup)>,
}

impl<'s> NodeKeys<'s> {
    fn new(store: &'s Store, def: &TableDef) -> Result<Self> {
        let TableKind::Node { primary_key } = def.kind else {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "not a node table".into(),
            });
        };
        let reader = NodeTableReader::open(store, def.id)?;
        let mut starts = vec![0u64];
        for g in 0..reader.groups() {
            let last = *starts.last().expect("invariant: starts with 0");
            starts.push(last + reader.group_rows(g) as u64);
        }
        Ok(NodeKeys {
            reader,
            pk: primary_key,
            starts,
            cache: Vec::new(),
        })
    }

    /// The key of node `offset`.
    fn key(&mut self, offset: u64) -> Result<Value<'_>> {
        let g = self.starts.partition_point(|&s| s <= offset);
        if g == 0 || g >= self.starts.len() {
            return Err(StorageError::corrupt(
                "rel group",
                0,
                format!("neighbour offset {offset} past the node table's rows"),
            ));
        }
        let g = g - 1;
        match self.cache.iter().position(|(cg, _)| *cg == g) {
            Some(i) => {
                let hit = self.cache.remove(i);
                self.cache.push(hit);
            }
            None => {
                if self.cache.len() == KEY_CACHE_GROUPS {
                    self.cache.remove(0);
                }
                let group = self.reader.read_group_columns(g, &[self.pk])?;
                self.cache.push((g, group));
            }
        }
        let (_, group) = self.cache.last().expect("invariant: pushed above");
        Ok(group.value((offset - self.starts[g]) as usize, 0))
    }
}

/// Forward edges found by source node and rank (where a backward edge finds its properties,
/// `csr/mod.rs`), through the last forward group's offsets and the last decoded edge chunk.
/// Memory: one group's offsets and one edge chunk.
struct ForwardEdges<'m> {
    view: FileView,
    groups: &'m BTreeMap<u32, GroupMeta>,
    group_nodes: u64,
    /// The group whose offsets are in `offsets`.
    offsets_of: Option<u32>,
    offsets: Vec<u64>,
    /// The (group, chunk index, first edge of the chunk) decoded into `batch`.
    chunk_of: Option<(u32, usize, u64)>,
    batch: Batch,
}

impl<'m> ForwardEdges<'m> {
    fn new(
        view: FileView,
        groups: &'m BTreeMap<u32, GroupMeta>,
        group_nodes: u64,
        schema: Arc<Schema>,
    ) -> Self {
        ForwardEdges {
            view,
            groups,
            group_nodes,
            offsets_of: None,
            offsets: Vec::new(),
            chunk_of: None,
            batch: Batch::new(schema, 1024, 64 << 10),
        }
    }

    /// The decoded edge chunk holding edge `rank` of node `source`, and the edge's row in it
    /// (columns: neighbour, then the properties).
    fn edge(&mut self, source: u64, rank: u64) -> Result<(&Batch, usize)> {
        let corrupt = |why: &str| {
            StorageError::corrupt(
                "rel group",
                0,
                format!("backward edge of source {source}, rank {rank}: {why}"),
            )
        };
        let gid = u32::try_from(source / self.group_nodes)
            .map_err(|_| corrupt("source past the last rel group"))?;
        let group = self
            .groups
            .get(&gid)
            .ok_or_else(|| corrupt("no forward group"))?;
        if self.offsets_of != Some(gid) {
            self.offsets = read_offsets(&self.view, group)?;
            self.offsets_of = Some(gid);
        }
        let i = (source % self.group_nodes) as usize;
        let (start, end) = match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&s), Some(&e)) => (s, e),
            _ => return Err(corrupt("source without forward edges")),
        };
        let at = start
            .checked_add(rank)
            .filter(|&p| p < end)
            .ok_or_else(|| corrupt("rank past the source's forward edges"))?;
        let cached = self
            .chunk_of
            .filter(|&(g, c, first)| {
                g == gid && (first..first + u64::from(group.chunks[c].edges)).contains(&at)
            })
            .map(|(_, _, first)| first);
        let first = match cached {
            Some(first) => first,
            None => {
                let mut first = 0u64;
                let mut found = None;
                for (c, chunk) in group.chunks.iter().enumerate() {
                    let last = first + u64::from(chunk.edges);
                    if at < last {
                        found = Some((c, chunk));
                        break;
                    }
                    first = last;
                }
                let (c, chunk) = found.ok_or_else(|| corrupt("edge past the last chunk"))?;
                self.chunk_of = None;
                chunk_batch(&self.view, chunk, &mut self.batch)?;
                self.chunk_of = Some((gid, c, first));
                first
            }
        };
        Ok((&self.batch, (at - first) as usize))
    }
}

/// Streams the edges of a rel table as Arrow record batches (`from` key, `to` key, then the
/// properties), one per forward edge chunk, in forward CSR order (by source node offset).
///
/// Memory: one edge chunk and a few node groups' key columns per endpoint. Looking up the
/// destination keys reads the destination table's key column by node group, so a scan of a
/// table whose edges spread over many node groups rereads them (not built for speed).
pub struct RelScan<'s> {
    view: FileView,
    groups: Vec<(u32, GroupMeta)>,
    group_nodes: u64,
    chunk_schema: Arc<Schema>,
    out_schema: Arc<Schema>,
    from: NodeKeys<'s>,
    to: NodeKeys<'s>,
    /// Next (group index in `groups`, chunk index).
    at: (usize, usize),
    offsets: Vec<u64>,
    /// Node (index in the group) of the next edge and the group's edges before the chunk.
    node: usize,
    edge: u64,
}

impl std::fmt::Debug for RelScan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelScan")
            .field("groups", &self.groups.len())
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

impl Iterator for RelScan<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.next_rows()?.and_then(|b| Ok(b.to_arrow()?)))
    }
}

impl RelScan<'_> {
    /// The next edge chunk's edges as a `ruzu_csv` batch (the same rows the iterator gives as
    /// Arrow), for values Arrow cannot hold (intervals beyond its nanosecond range).
    pub fn next_rows(&mut self) -> Option<Result<Batch>> {
        let (gi, ci) = self.at;
        let (gid, group) = self.groups.get(gi)?;
        let (gid, chunk) = (*gid, group.chunks.get(ci).cloned());
        Some(self.read(gid, chunk))
    }

    fn read(&mut self, gid: u32, chunk: Option<super::meta::EdgeChunk>) -> Result<Batch> {
        let (gi, ci) = self.at;
        if ci == 0 {
            self.offsets = read_offsets(&self.view, &self.groups[gi].1)?;
            self.node = 0;
            self.edge = 0;
        }
        let chunk = chunk.ok_or_else(|| StorageError::corrupt("rel group", 0, "no edge chunk"))?;
        let mut edges = Batch::new(self.chunk_schema.clone(), chunk.edges as usize, 64 << 10);
        chunk_batch(&self.view, &chunk, &mut edges)?;
        let mut out = Batch::new(self.out_schema.clone(), edges.num_rows(), 64 << 10);
        let base = u64::from(gid) * self.group_nodes;
        for r in 0..edges.num_rows() {
            while self.offsets[self.node + 1] <= self.edge {
                self.node += 1;
            }
            let Value::UInt64(dst) = edges.value(r, 0) else {
                return Err(StorageError::corrupt(
                    "rel group",
                    0,
                    "NULL neighbour offset",
                ));
            };
            let mut row = Vec::with_capacity(self.out_schema.len());
            row.push(self.from.key(base + self.node as u64)?);
            row.push(self.to.key(dst)?);
            row.extend((1..edges.schema().len()).map(|c| edges.value(r, c)));
            out.push_row(&row, 0, 0)
                .map_err(|e| StorageError::corrupt("rel group", 0, e.to_string()))?;
            self.edge += 1;
        }
        self.at = if ci + 1 < self.groups[gi].1.chunks.len() {
            (gi, ci + 1)
        } else {
            (gi + 1, 0)
        };
        Ok(out)
    }
}

impl Store {
    /// The definition of rel table `name` with its two endpoint definitions.
    fn rel_table(&self, name: &str) -> Result<(&TableDef, &TableDef, &TableDef)> {
        let def = self
            .catalog()
            .table(name)
            .ok_or_else(|| StorageError::NoSuchTable { name: name.into() })?;
        let TableKind::Rel { from, to } = def.kind else {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "not a rel table".into(),
            });
        };
        let get = |id| {
            self.catalog()
                .table_by_id(id)
                .ok_or(StorageError::UnknownTableId { id })
        };
        Ok((def, get(from)?, get(to)?))
    }

    fn rel_meta(&self, def: &TableDef) -> Result<RelMeta> {
        let storage = self
            .table_storage(def.id)
            .ok_or(StorageError::UnknownTableId { id: def.id })?;
        RelMeta::decode(storage.meta(), DEFAULT_GROUP_NODES)
    }

    /// The batch schema a COPY into table `table` (case-insensitive) expects: a node table's
    /// columns; for a rel table `from` and `to` (the types of the endpoint tables' primary
    /// keys), then its properties.
    ///
    /// # Errors
    ///
    /// [`StorageError::NoSuchTable`].
    pub fn copy_schema(&self, table: &str) -> Result<Schema> {
        let def = self
            .catalog()
            .table(table)
            .ok_or_else(|| StorageError::NoSuchTable { name: table.into() })?;
        if !matches!(def.kind, TableKind::Rel { .. }) {
            return Ok(def.schema());
        }
        let (def, from, to) = self.rel_table(table)?;
        let mut fields = vec![
            Field::new("from", pk_type(from)?),
            Field::new("to", pk_type(to)?),
        ];
        fields.extend(def.schema().fields().iter().cloned());
        Ok(Schema::new(fields))
    }

    /// Committed edges of rel table `name`, or `None` when `name` is a node table.
    ///
    /// # Errors
    ///
    /// [`StorageError::NoSuchTable`]; damaged metadata.
    pub(crate) fn rel_row_count(&self, name: &str) -> Result<Option<u64>> {
        let def = self
            .catalog()
            .table(name)
            .ok_or_else(|| StorageError::NoSuchTable { name: name.into() })?;
        if !matches!(def.kind, TableKind::Rel { .. }) {
            return Ok(None);
        }
        Ok(Some(self.rel_meta(def)?.edges))
    }

    /// Streams the committed edges of rel table `name` as Arrow record batches: `from` key,
    /// `to` key, then the properties (see [`RelScan`]).
    ///
    /// # Errors
    ///
    /// [`StorageError::NoSuchTable`], [`StorageError::InvalidTable`] for a node table, damaged
    /// metadata; each item: corrupt chunks, I/O errors.
    pub fn scan_rel_table(&self, name: &str) -> Result<RelScan<'_>> {
        let (def, from, to) = self.rel_table(name)?;
        let meta = self.rel_meta(def)?;
        let out_schema = Arc::new(self.copy_schema(name)?);
        let [forward, _] = meta.groups;
        Ok(RelScan {
            view: self.file_view(),
            groups: forward.into_iter().collect(),
            group_nodes: u64::from(meta.group_nodes),
            chunk_schema: chunk_schema_of(def),
            out_schema,
            from: NodeKeys::new(self, from)?,
            to: NodeKeys::new(self, to)?,
            at: (0, 0),
            offsets: Vec::new(),
            node: 0,
            edge: 0,
        })
    }

    /// The neighbours of node `node_offset` in rel table `rel`, in `dir`, as one record batch:
    /// `offset` (`UINT64`, the neighbour's node offset), `key` (its primary key), then the
    /// edge's properties; one row per edge, in import order. A node without edges (or past the
    /// last node) gives an empty batch.
    ///
    /// # Errors
    ///
    /// As [`Store::scan_rel_table`].
    pub fn neighbours(&self, rel: &str, node_offset: u64, dir: Direction) -> Result<RecordBatch> {
        let (def, from, to) = self.rel_table(rel)?;
        let meta = self.rel_meta(def)?;
        let other = match dir {
            Direction::Forward => to,
            Direction::Backward => from,
        };
        let mut fields = vec![
            Field::new("offset", ruzu_csv::DataType::UInt64),
            Field::new("key", pk_type(other)?),
        ];
        fields.extend(def.schema().fields().iter().cloned());
        let mut out = Batch::new(Arc::new(Schema::new(fields)), 64, 4096);
        let g = u64::from(meta.group_nodes);
        let view = self.file_view();
        let [forward_schema, backward_schema] = chunk_schemas_of(def);
        let chunk_schema = match dir {
            Direction::Forward => forward_schema.clone(),
            Direction::Backward => backward_schema,
        };
        let mut forward = ForwardEdges::new(view.clone(), &meta.groups[0], g, forward_schema);
        let group = u32::try_from(node_offset / g)
            .ok()
            .and_then(|gid| meta.groups[dir.index()].get(&gid));
        if let Some(group) = group {
            let offsets = read_offsets(&view, group)?;
            let i = (node_offset % g) as usize;
            if i + 1 < offsets.len() {
                let (start, end) = (offsets[i], offsets[i + 1]);
                let mut keys = NodeKeys::new(self, other)?;
                let mut first = 0u64;
                for chunk in &group.chunks {
                    let last = first + u64::from(chunk.edges);
                    if last > start && first < end {
                        let image = ChunkImage::read(&view, chunk)?;
                        let columns = image.columns(chunk, &chunk_schema)?;
                        for e in start.max(first)..end.min(last) {
                            let r = (e - first) as usize;
                            let Value::UInt64(n) = columns[0].value(r) else {
                                return Err(StorageError::corrupt(
                                    "rel group",
                                    0,
                                    "NULL neighbour offset",
                                ));
                            };
                            let mut row = Vec::with_capacity(out.schema().len());
                            row.push(Value::UInt64(n));
                            row.push(keys.key(n)?);
                            match dir {
                                Direction::Forward => {
                                    row.extend(columns[1..].iter().map(|c| c.value(r)));
                                }
                                Direction::Backward => {
                                    let Value::UInt64(rank) = columns[1].value(r) else {
                                        return Err(StorageError::corrupt(
                                            "rel group",
                                            0,
                                            "NULL rank of a backward edge",
                                        ));
                                    };
                                    let (batch, at) = forward.edge(n, rank)?;
                                    row.extend(
                                        (1..batch.schema().len()).map(|c| batch.value(at, c)),
                                    );
                                }
                            }
                            out.push_row(&row, 0, 0).map_err(|e| {
                                StorageError::corrupt("rel group", 0, e.to_string())
                            })?;
                        }
                    }
                    first = last;
                }
            }
        }
        Ok(out.to_arrow()?)
    }
}

fn pk_type(def: &TableDef) -> Result<ruzu_csv::DataType> {
    match def.kind {
        TableKind::Node { primary_key } => Ok(def.columns[primary_key].data_type),
        TableKind::Rel { .. } => Err(StorageError::InvalidTable {
            table: def.name.clone(),
            reason: "a rel endpoint must be a node table".into(),
        }),
    }
}
