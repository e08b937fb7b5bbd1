//! The metadata root block: everything a committed state consists of besides the data pages.
//!
//! # Byte layout
//!
//! Written into freshly allocated pages at each commit; the header slot points at it and holds
//! its length and crc32c. Padding up to the page boundary is zero.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `b"RUZUMETA"` |
//! | 8 | 4 | format version (`1`) |
//! | 12 | 4 | reserved, zero |
//! | 16 | 8 | generation (equals the header's) |
//! | 24 | 8 | payload length *n* |
//! | 32 | *n* | payload |
//! | 32 + *n* | 4 | crc32c of bytes `0 .. 32 + n` |
//!
//! Payload, in order:
//!
//! 1. the catalog (see `catalog/mod.rs`);
//! 2. table storage: `u32` count, then per table: `u64` table id, `u32` extent count, extents
//!    as (`u64` first page, `u64` pages), `u64` length + bytes of table-layer metadata;
//! 3. free list: `u32` count, then extents as (`u64` first page, `u64` pages), sorted,
//!    disjoint and not touching.
//!
//! On decode every extent (table extents, free extents, the root block itself) must lie in
//! `2 .. page_count` and no two may overlap; otherwise the root is corrupt.

use std::collections::BTreeMap;

use crate::catalog::{Catalog, TableId};
use crate::encoding::{Decoder, Encoder};
use crate::error::{Result, StorageError};
use crate::page_file::free_space::FreeList;
use crate::page_file::header::FORMAT_VERSION;
use crate::page_file::{Extent, FIRST_DATA_PAGE};

const ROOT_MAGIC: [u8; 8] = *b"RUZUMETA";
const ROOT_HEAD_BYTES: usize = 32;
const WHAT: &str = "metadata root";

/// The storage a table owns: its extents and an opaque blob the table layer uses to describe
/// them (column chunk locations, row counts, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableStorage {
    pub(crate) extents: Vec<Extent>,
    pub(crate) meta: Vec<u8>,
}

impl TableStorage {
    /// Extents owned by the table, in the order they were attached.
    pub fn extents(&self) -> &[Extent] {
        &self.extents
    }

    /// The table layer's metadata blob (empty until set).
    pub fn meta(&self) -> &[u8] {
        &self.meta
    }
}

/// One committed (or being committed) state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Root {
    pub(crate) catalog: Catalog,
    pub(crate) tables: BTreeMap<TableId, TableStorage>,
    pub(crate) free: FreeList,
}

impl Root {
    /// The root block bytes (unpadded) for generation `generation`.
    pub(crate) fn encode(&self, generation: u64) -> Vec<u8> {
        let mut p = Encoder::new();
        self.catalog.encode(&mut p);
        p.len32(self.tables.len());
        for (&id, t) in &self.tables {
            p.u64(id);
            p.len32(t.extents.len());
            for e in &t.extents {
                p.u64(e.start);
                p.u64(e.pages);
            }
            p.bytes(&t.meta);
        }
        p.len32(self.free.len());
        for e in self.free.iter() {
            p.u64(e.start);
            p.u64(e.pages);
        }
        let payload = p.into_bytes();
        let mut e = Encoder::new();
        e.raw(&ROOT_MAGIC);
        e.u32(FORMAT_VERSION);
        e.u32(0);
        e.u64(generation);
        e.u64(payload.len() as u64);
        e.raw(&payload);
        let mut block = e.into_bytes();
        let crc = crc32c::crc32c(&block);
        block.extend_from_slice(&crc.to_le_bytes());
        block
    }

    /// Decodes a root block read from `extent` (exactly the header's `root_bytes` bytes) and
    /// checks it against the header's generation and page count.
    pub(crate) fn decode(
        block: &[u8],
        extent: Extent,
        generation: u64,
        page_count: u64,
    ) -> Result<Root> {
        let base = extent.byte_offset();
        if block.len() < ROOT_HEAD_BYTES + 4 {
            return Err(StorageError::corrupt(WHAT, base, "block too short"));
        }
        let (body, crc) = block.split_at(block.len() - 4);
        let stored = u32::from_le_bytes(crc.try_into().expect("invariant: 4-byte slice"));
        if crc32c::crc32c(body) != stored {
            return Err(StorageError::corrupt(WHAT, base, "checksum mismatch"));
        }
        let mut d = Decoder::new(body, WHAT, base);
        if d.raw(8)? != ROOT_MAGIC {
            return Err(StorageError::corrupt(WHAT, base, "bad magic"));
        }
        let version = d.u32()?;
        if version != FORMAT_VERSION {
            return Err(StorageError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        d.u32()?;
        let found_generation = d.u64()?;
        if found_generation != generation {
            return Err(d.error(format!(
                "generation {found_generation}, header says {generation}"
            )));
        }
        let payload_len = d.u64()?;
        if payload_len != d.remaining() as u64 {
            return Err(d.error(format!("payload length {payload_len}")));
        }
        let catalog = Catalog::decode(&mut d)?;
        let count = d.len32(8 + 4 + 8)?;
        let mut tables = BTreeMap::new();
        let mut used = vec![extent];
        for _ in 0..count {
            let id = d.u64()?;
            if catalog.table_by_id(id).is_none() || tables.contains_key(&id) {
                return Err(d.error(format!("storage of unknown or repeated table {id}")));
            }
            let n = d.len32(16)?;
            let mut extents = Vec::with_capacity(n);
            for _ in 0..n {
                extents.push(Extent::new(d.u64()?, d.u64()?));
            }
            used.extend_from_slice(&extents);
            let meta = d.bytes()?;
            tables.insert(id, TableStorage { extents, meta });
        }
        if let Some(t) = catalog.tables().find(|t| !tables.contains_key(&t.id)) {
            return Err(d.error(format!("table {} has no storage entry", t.name)));
        }
        let n = d.len32(16)?;
        let mut free = FreeList::new();
        for _ in 0..n {
            let e = Extent::new(d.u64()?, d.u64()?);
            used.push(e);
            if e.pages == 0 || !free.insert(e) {
                return Err(d.error(format!("free extent {}+{}", e.start, e.pages)));
            }
        }
        d.finish()?;
        check_disjoint(&mut used, page_count, base)?;
        Ok(Root {
            catalog,
            tables,
            free,
        })
    }

    /// Every extent this state uses or lists as free, including `root_extent`.
    pub(crate) fn all_extents(&self, root_extent: Extent) -> Vec<Extent> {
        let mut all = vec![root_extent];
        for t in self.tables.values() {
            all.extend_from_slice(&t.extents);
        }
        all.extend(self.free.iter());
        all
    }
}

/// Checks that `extents` are non-empty, inside `FIRST_DATA_PAGE .. page_count`, and pairwise
/// disjoint. Sorts them.
pub(crate) fn check_disjoint(extents: &mut [Extent], page_count: u64, base: u64) -> Result<()> {
    extents.sort_unstable();
    let mut next_free = FIRST_DATA_PAGE;
    for e in extents.iter() {
        let end = e.start.checked_add(e.pages);
        if e.pages == 0 || e.start < next_free || end.is_none_or(|end| end > page_count) {
            return Err(StorageError::corrupt(
                WHAT,
                base,
                format!(
                    "extent {}+{} overlaps another or lies outside pages {FIRST_DATA_PAGE}..{page_count}",
                    e.start, e.pages
                ),
            ));
        }
        next_free = e.start + e.pages;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::ColumnDef;
    use ruzu_csv::DataType;

    fn sample() -> Result<Root> {
        let mut root = Root::default();
        let id = root.catalog.create_node_table(
            "P",
            vec![ColumnDef::new("id", DataType::Int64)],
            "id",
        )?;
        root.tables.insert(
            id,
            TableStorage {
                extents: vec![Extent::new(10, 4), Extent::new(3, 2)],
                meta: b"chunks".to_vec(),
            },
        );
        root.free.insert(Extent::new(5, 5));
        Ok(root)
    }

    #[test]
    fn root_round_trips() -> Result<()> {
        let root = sample()?;
        let block = root.encode(7);
        let extent = Extent::new(14, 1);
        assert_eq!(Root::decode(&block, extent, 7, 15)?, root);
        Ok(())
    }

    #[test]
    fn every_flipped_byte_is_detected_as_corrupt() -> Result<()> {
        let block = sample()?.encode(7);
        for i in 0..block.len() {
            let mut b = block.clone();
            b[i] ^= 0x01;
            assert!(
                matches!(
                    Root::decode(&b, Extent::new(14, 1), 7, 15),
                    Err(StorageError::Corrupt { .. })
                ),
                "byte {i}"
            );
        }
        Ok(())
    }

    #[test]
    fn overlapping_or_out_of_range_extents_are_corrupt() -> Result<()> {
        let block = sample()?.encode(7);
        // The root extent overlaps the table extent 10+4.
        assert!(Root::decode(&block, Extent::new(12, 1), 7, 15).is_err());
        // page_count too small for the table extent.
        assert!(Root::decode(&block, Extent::new(2, 1), 7, 12).is_err());
        // Wrong generation.
        assert!(Root::decode(&block, Extent::new(14, 1), 8, 15).is_err());
        Ok(())
    }
}
