//! The node table metadata blob: the list of node groups and where their column chunks are.
//! Byte layout: see `node/mod.rs`.

use crate::encoding::{Decoder, Encoder};
use crate::error::{Result, StorageError};
use crate::page_file::Extent;

const META_VERSION: u8 = 1;
/// Version 2 adds the trailing extension blob (`u32` length + bytes) after the groups.
const META_VERSION_EXTRA: u8 = 2;
const WHAT: &str = "node table metadata";

/// Where one column chunk of a group lies in the group's extent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChunkRef {
    pub(crate) offset: u64,
    pub(crate) len: u64,
    pub(crate) crc: u32,
}

/// One node group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupMeta {
    pub(crate) extent: Extent,
    pub(crate) rows: u32,
    pub(crate) chunks: Vec<ChunkRef>,
}

/// All groups of a node table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeMeta {
    pub(crate) rows: u64,
    pub(crate) groups: Vec<GroupMeta>,
    /// Metadata of the layers above the groups (the import sink: resume point, PK index);
    /// opaque here. Empty: written as version 1.
    pub(crate) extra: Vec<u8>,
}

impl NodeMeta {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.u8(if self.extra.is_empty() {
            META_VERSION
        } else {
            META_VERSION_EXTRA
        });
        e.u64(self.rows);
        e.len32(self.groups.len());
        for g in &self.groups {
            e.u64(g.extent.start);
            e.u64(g.extent.pages);
            e.u32(g.rows);
            for c in &g.chunks {
                e.u64(c.offset);
                e.u64(c.len);
                e.u32(c.crc);
            }
        }
        if !self.extra.is_empty() {
            e.bytes(&self.extra);
        }
        e.into_bytes()
    }

    /// Decodes the blob of a table with `columns` columns whose storage owns `extents`. An
    /// empty blob is a table without rows.
    pub(crate) fn decode(blob: &[u8], columns: usize, extents: &[Extent]) -> Result<NodeMeta> {
        if blob.is_empty() {
            return Ok(NodeMeta::default());
        }
        let mut d = Decoder::new(blob, WHAT, 0);
        let version = d.u8()?;
        if version != META_VERSION && version != META_VERSION_EXTRA {
            return Err(d.error(format!("version {version}")));
        }
        let rows = d.u64()?;
        let count = d.len32(20 + columns * 20)?;
        let mut groups = Vec::with_capacity(count);
        let mut total = 0u64;
        for _ in 0..count {
            let extent = Extent::new(d.u64()?, d.u64()?);
            if !extents.contains(&extent) {
                return Err(d.error(format!(
                    "group extent {}+{} is not owned by the table",
                    extent.start, extent.pages
                )));
            }
            let group_rows = d.u32()?;
            let mut chunks = Vec::with_capacity(columns);
            for _ in 0..columns {
                let c = ChunkRef {
                    offset: d.u64()?,
                    len: d.u64()?,
                    crc: d.u32()?,
                };
                if c.offset
                    .checked_add(c.len)
                    .is_none_or(|end| end > extent.byte_len())
                {
                    return Err(d.error("chunk outside its group extent"));
                }
                chunks.push(c);
            }
            total += u64::from(group_rows);
            groups.push(GroupMeta {
                extent,
                rows: group_rows,
                chunks,
            });
        }
        let extra = if version == META_VERSION_EXTRA {
            d.bytes()?
        } else {
            Vec::new()
        };
        d.finish()?;
        if total != rows {
            return Err(StorageError::corrupt(
                WHAT,
                0,
                format!("groups hold {total} rows, table says {rows}"),
            ));
        }
        Ok(NodeMeta {
            rows,
            groups,
            extra,
        })
    }
}
