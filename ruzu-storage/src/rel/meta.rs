//! The rel table's metadata blob (the table-layer blob of its `TableStorage`): edge count,
//! group size, resume point, and where each CSR group of each direction lies.
//!
//! # Byte layout (version 1, little-endian)
//!
//! | size | field |
//! |---|---|
//! | 1 | version, `1` |
//! | 8 | edges in the table |
//! | 4 | nodes per rel group *G* |
//! | 8 + n | `u64` length + bytes of the import metadata (resume point; `node/table_meta.rs`), empty when none |
//! | ... | forward groups, then backward groups: `u32` count, then per group (ascending group number) |
//!
//! A group: `u32` group number *g* (bound nodes `g·G .. (g+1)·G`), `u64` edges, `u32` header
//! nodes *h*, header: `u64` extent first page, `u64` extent pages, `u64` image bytes; `u32`
//! edge chunk count, then per chunk: `u64` extent first page, `u64` extent pages, `u32` edges,
//! `u32` column count *c* (1 + properties), *c* × (`u64` offset in the extent, `u64` bytes).

use std::collections::BTreeMap;

use ruzu_copy::ResumePoint;

use crate::encoding::{Decoder, Encoder};
use crate::error::Result;
use crate::node::table_meta::TableMeta;
use crate::page_file::Extent;

const VERSION: u8 = 1;
const WHAT: &str = "rel table metadata";

/// Forward (by source node) and backward (by destination node).
pub(crate) const DIRECTIONS: usize = 2;

/// One column chunk image inside an edge chunk extent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ColumnLoc {
    pub(crate) offset: u64,
    pub(crate) len: u64,
}

/// Up to `EDGE_CHUNK_EDGES` consecutive edges of a group, column by column: neighbour offsets,
/// then the properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EdgeChunk {
    pub(crate) extent: Extent,
    pub(crate) edges: u32,
    pub(crate) columns: Vec<ColumnLoc>,
}

/// One CSR group of one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupMeta {
    pub(crate) edges: u64,
    /// Degrees stored in the header (nodes after them have none).
    pub(crate) header_nodes: u32,
    /// The extent holding the degree chunk image, and the image's length.
    pub(crate) header: Extent,
    pub(crate) header_bytes: u64,
    pub(crate) chunks: Vec<EdgeChunk>,
}

impl GroupMeta {
    /// Every extent of the group.
    pub(crate) fn extents(&self) -> impl Iterator<Item = Extent> + '_ {
        std::iter::once(self.header).chain(self.chunks.iter().map(|c| c.extent))
    }
}

/// The whole blob.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RelMeta {
    pub(crate) edges: u64,
    pub(crate) group_nodes: u32,
    pub(crate) resume: Option<ResumePoint>,
    pub(crate) groups: [BTreeMap<u32, GroupMeta>; DIRECTIONS],
}

impl RelMeta {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.u8(VERSION);
        e.u64(self.edges);
        e.u32(self.group_nodes);
        let sink = TableMeta {
            resume: self.resume.clone(),
            index: None,
            deleted: None,
        };
        e.bytes(&sink.encode());
        for dir in &self.groups {
            e.len32(dir.len());
            for (&g, m) in dir {
                e.u32(g);
                e.u64(m.edges);
                e.u32(m.header_nodes);
                e.u64(m.header.start);
                e.u64(m.header.pages);
                e.u64(m.header_bytes);
                e.len32(m.chunks.len());
                for c in &m.chunks {
                    e.u64(c.extent.start);
                    e.u64(c.extent.pages);
                    e.u32(c.edges);
                    e.len32(c.columns.len());
                    for col in &c.columns {
                        e.u64(col.offset);
                        e.u64(col.len);
                    }
                }
            }
        }
        e.into_bytes()
    }

    /// Decodes `blob`; empty means a table with no edges yet, groups of `default_group_nodes`.
    pub(crate) fn decode(blob: &[u8], default_group_nodes: u32) -> Result<RelMeta> {
        if blob.is_empty() {
            return Ok(RelMeta {
                group_nodes: default_group_nodes,
                ..RelMeta::default()
            });
        }
        let mut d = Decoder::new(blob, WHAT, 0);
        let version = d.u8()?;
        if version != VERSION {
            return Err(d.error(format!("version {version}")));
        }
        let edges = d.u64()?;
        let group_nodes = d.u32()?;
        if group_nodes == 0 {
            return Err(d.error("zero nodes per group"));
        }
        let resume = TableMeta::decode(&d.bytes()?)?.resume;
        let mut groups: [BTreeMap<u32, GroupMeta>; DIRECTIONS] = Default::default();
        let mut total = [0u64; DIRECTIONS];
        for (dir, map) in groups.iter_mut().enumerate() {
            let n = d.len32(4 + 8 + 4 + 24 + 4)?;
            for _ in 0..n {
                let g = d.u32()?;
                let edges = d.u64()?;
                let header_nodes = d.u32()?;
                let header = Extent::new(d.u64()?, d.u64()?);
                let header_bytes = d.u64()?;
                if header_nodes > group_nodes || header_bytes > header.byte_len() {
                    return Err(d.error(format!("header of group {g}")));
                }
                let nchunks = d.len32(24)?;
                let mut chunks = Vec::with_capacity(nchunks);
                let mut chunk_edges = 0u64;
                for _ in 0..nchunks {
                    let extent = Extent::new(d.u64()?, d.u64()?);
                    let cedges = d.u32()?;
                    let ncols = d.len32(16)?;
                    let mut columns = Vec::with_capacity(ncols);
                    for _ in 0..ncols {
                        let col = ColumnLoc {
                            offset: d.u64()?,
                            len: d.u64()?,
                        };
                        if col
                            .offset
                            .checked_add(col.len)
                            .is_none_or(|e| e > extent.byte_len())
                        {
                            return Err(d.error(format!("column outside its chunk in group {g}")));
                        }
                        columns.push(col);
                    }
                    chunk_edges += u64::from(cedges);
                    chunks.push(EdgeChunk {
                        extent,
                        edges: cedges,
                        columns,
                    });
                }
                if chunk_edges != edges {
                    return Err(d.error(format!(
                        "group {g}: chunks hold {chunk_edges} of {edges} edges"
                    )));
                }
                total[dir] += edges;
                let meta = GroupMeta {
                    edges,
                    header_nodes,
                    header,
                    header_bytes,
                    chunks,
                };
                if map.insert(g, meta).is_some() {
                    return Err(d.error(format!("group {g} listed twice")));
                }
            }
        }
        d.finish()?;
        if total[0] != edges || total[1] != edges {
            return Err(crate::error::StorageError::corrupt(
                WHAT,
                0,
                format!(
                    "{edges} edges, groups hold {} forward and {} backward",
                    total[0], total[1]
                ),
            ));
        }
        Ok(RelMeta {
            edges,
            group_nodes,
            resume,
            groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_meta_round_trips_and_truncation_is_corrupt() -> Result<()> {
        let group = GroupMeta {
            edges: 3,
            header_nodes: 2,
            header: Extent::new(10, 1),
            header_bytes: 40,
            chunks: vec![EdgeChunk {
                extent: Extent::new(11, 2),
                edges: 3,
                columns: vec![
                    ColumnLoc { offset: 0, len: 30 },
                    ColumnLoc {
                        offset: 32,
                        len: 50,
                    },
                ],
            }],
        };
        let mut meta = RelMeta {
            edges: 3,
            group_nodes: 128,
            resume: Some(ResumePoint {
                line: 9,
                ..ResumePoint::default()
            }),
            groups: Default::default(),
        };
        meta.groups[0].insert(0, group.clone());
        meta.groups[1].insert(4, group);
        let bytes = meta.encode();
        assert_eq!(RelMeta::decode(&bytes, 7)?, meta);
        assert!(RelMeta::decode(&bytes[..bytes.len() - 1], 7).is_err());
        assert_eq!(RelMeta::decode(&[], 7)?.group_nodes, 7);
        Ok(())
    }
}
