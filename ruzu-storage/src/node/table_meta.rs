//! A node table's metadata beyond its node groups: the resume point of an interrupted import,
//! where the table's primary-key index image lies, and which rows are deleted (late
//! duplicates). Written by the import sink, read by scans, lookups and rel endpoint
//! resolution. Stored as the extension blob of the node table metadata (see
//! `node/group/mod.rs`), so it is committed atomically with the groups. Rel tables store the
//! same blob for their resume point (`rel/meta.rs`).
//!
//! # Byte layout (version 2, little-endian)
//!
//! | size | field |
//! |---|---|
//! | 1 | version, `2` |
//! | 1 | flags: bit 0 = resume point present, bit 1 = index present, bit 2 = deleted rows present |
//! | ... | resume point: `u64` file index, `u64` line, `u64` byte, `u64` rows stored, `u64` length + bytes of the file path (empty: no path), then the input stamp |
//! | ... | input stamp: `u8` flags (bit 0 = stamp present, bit 1 = size present, bit 2 = modification time present); when present `u64` size, `u64` modification time (ns since 1970), `u64` checked end byte, `u32` CRC-32C of the records before it |
//! | ... | index: `u64` extent first page, `u64` extent pages, `u64` rows covered, 64 bytes [`IndexMeta`] |
//! | ... | deleted rows: `u64` extent first page, `u64` extent pages, `u64` count *d* (>= 1) |
//!
//! The deleted rows extent (owned by the table) holds *d* `u64` node offsets, strictly
//! increasing and below the table's row count, then the `u32` crc32c of those `8 d` bytes;
//! zero up to the end of its last page. A deleted row keeps its node offset (offsets are
//! physical row positions) but is skipped by scans, row counts and lookups.
//!
//! Version 1 is version 2 without the input stamp; it still decodes, with a resume point that
//! has no stamp (a resumed import refuses it as unverifiable).
//!
//! The index covers the table's first `rows covered` rows; rows after them (written by a
//! checkpointed import that did not commit yet) are found by scanning their key column.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;

use ruzu_copy::{InputStamp, ResumePoint};

use crate::encoding::{Decoder, Encoder};
use crate::error::Result;
use crate::node::pk_index::{IndexMeta, META_BYTES};
use crate::page_file::Extent;

const VERSION: u8 = 2;
/// The version before resume points carried an input stamp.
const VERSION_WITHOUT_STAMP: u8 = 1;
const HAS_RESUME: u8 = 1;
const HAS_INDEX: u8 = 2;
const HAS_DELETED: u8 = 4;
const WHAT: &str = "node table sink metadata";
const HAS_STAMP: u8 = 1;
const HAS_LEN: u8 = 2;
const HAS_MODIFIED: u8 = 4;

/// Where the primary-key index image of a table lies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IndexLocation {
    /// The extent holding the image (owned by the table).
    pub(crate) extent: Extent,
    /// The index holds the keys of rows `0..rows`.
    pub(crate) rows: u64,
    /// The image's metadata.
    pub(crate) meta: IndexMeta,
}

/// Where the deleted rows of a table lie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DeletedLocation {
    /// The extent holding the list (owned by the table).
    pub(crate) extent: Extent,
    /// Deleted rows listed.
    pub(crate) count: u64,
}

/// The image of the deleted rows list `rows` (strictly increasing).
pub(crate) fn encode_deleted(rows: &[u64]) -> Vec<u8> {
    debug_assert!(rows.windows(2).all(|w| w[0] < w[1]));
    let mut out = Vec::with_capacity(rows.len() * 8 + 4);
    for r in rows {
        out.extend_from_slice(&r.to_le_bytes());
    }
    let crc = crc32c::crc32c(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Decodes the deleted rows list image `bytes` of `count` rows in a table of `table_rows`
/// rows (`at`: file offset of the image, for errors).
pub(crate) fn decode_deleted(
    bytes: &[u8],
    count: u64,
    table_rows: u64,
    at: u64,
) -> Result<Vec<u64>> {
    let what = "deleted rows list";
    let n = usize::try_from(count)
        .ok()
        .filter(|n| n.checked_mul(8).and_then(|b| b.checked_add(4)) == Some(bytes.len()))
        .ok_or_else(|| crate::error::StorageError::corrupt(what, at, "wrong length"))?;
    let (list, crc) = bytes.split_at(n * 8);
    if crc32c::crc32c(list).to_le_bytes() != crc {
        return Err(crate::error::StorageError::corrupt(
            what,
            at,
            "checksum mismatch",
        ));
    }
    let rows: Vec<u64> = list
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("invariant: 8-byte chunk")))
        .collect();
    let ordered = rows.windows(2).all(|w| w[0] < w[1]);
    if !ordered || rows.last().is_some_and(|&r| r >= table_rows) {
        return Err(crate::error::StorageError::corrupt(
            what,
            at,
            "rows out of order or past the table",
        ));
    }
    Ok(rows)
}

/// The deleted rows of a table whose metadata is `meta` and which holds `table_rows`
/// rows (empty when none is deleted), read from the store.
pub(crate) fn load_deleted(
    store: &crate::store::Store,
    meta: &TableMeta,
    table_rows: u64,
) -> Result<Vec<u64>> {
    let Some(del) = meta.deleted else {
        return Ok(Vec::new());
    };
    let len = usize::try_from(del.count * 8 + 4).map_err(|_| {
        crate::error::StorageError::corrupt(
            "deleted rows list",
            del.extent.byte_offset(),
            "larger than memory",
        )
    })?;
    let mut buf = vec![0u8; len];
    store.read_extent(del.extent, 0, &mut buf)?;
    decode_deleted(&buf, del.count, table_rows, del.extent.byte_offset())
}

/// A node table's metadata beyond its node groups (what imports leave for later reads).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TableMeta {
    /// The resume point of the last checkpoint of an import that has not committed.
    pub(crate) resume: Option<ResumePoint>,
    /// The index written by the last commit.
    pub(crate) index: Option<IndexLocation>,
    /// The rows hidden as late duplicates, by the last commit that found any.
    pub(crate) deleted: Option<DeletedLocation>,
}

impl TableMeta {
    pub(crate) fn encode(&self) -> Vec<u8> {
        if self.resume.is_none() && self.index.is_none() && self.deleted.is_none() {
            return Vec::new();
        }
        let mut e = Encoder::new();
        e.u8(VERSION);
        let flags = if self.resume.is_some() { HAS_RESUME } else { 0 }
            | if self.index.is_some() { HAS_INDEX } else { 0 }
            | if self.deleted.is_some() {
                HAS_DELETED
            } else {
                0
            };
        e.u8(flags);
        if let Some(r) = &self.resume {
            e.u64(r.file_index as u64);
            e.u64(r.line);
            e.u64(r.byte);
            e.u64(r.rows_stored);
            e.bytes(
                r.file
                    .as_deref()
                    .map_or(&[][..], |p| p.as_os_str().as_bytes()),
            );
            encode_stamp(&mut e, r.input.as_deref());
        }
        if let Some(i) = &self.index {
            e.u64(i.extent.start);
            e.u64(i.extent.pages);
            e.u64(i.rows);
            e.raw(&i.meta.to_bytes());
        }
        if let Some(del) = &self.deleted {
            e.u64(del.extent.start);
            e.u64(del.extent.pages);
            e.u64(del.count);
        }
        e.into_bytes()
    }

    /// Decodes `blob` (empty: nothing stored).
    pub(crate) fn decode(blob: &[u8]) -> Result<TableMeta> {
        if blob.is_empty() {
            return Ok(TableMeta::default());
        }
        let mut d = Decoder::new(blob, WHAT, 0);
        let version = d.u8()?;
        if version != VERSION && version != VERSION_WITHOUT_STAMP {
            return Err(d.error(format!("version {version}")));
        }
        let flags = d.u8()?;
        if flags & !(HAS_RESUME | HAS_INDEX | HAS_DELETED) != 0 {
            return Err(d.error(format!("unknown flags {flags:#x}")));
        }
        let resume = if flags & HAS_RESUME != 0 {
            let file_index = usize::try_from(d.u64()?)
                .map_err(|_| d.error("file index does not fit in memory"))?;
            let line = d.u64()?;
            let byte = d.u64()?;
            let rows_stored = d.u64()?;
            let path = d.bytes()?;
            let file = (!path.is_empty()).then(|| Arc::from(Path::new(OsStr::from_bytes(&path))));
            let input = if version == VERSION_WITHOUT_STAMP {
                None
            } else {
                decode_stamp(&mut d)?
            };
            Some(ResumePoint {
                file_index,
                file,
                line,
                byte,
                rows_stored,
                input,
            })
        } else {
            None
        };
        let index = if flags & HAS_INDEX != 0 {
            let extent = Extent::new(d.u64()?, d.u64()?);
            let rows = d.u64()?;
            let meta = IndexMeta::from_bytes(d.raw(META_BYTES)?)?;
            Some(IndexLocation { extent, rows, meta })
        } else {
            None
        };
        let deleted = if flags & HAS_DELETED != 0 {
            let extent = Extent::new(d.u64()?, d.u64()?);
            let count = d.u64()?;
            if count == 0 || count.saturating_mul(8).saturating_add(4) > extent.byte_len() {
                return Err(d.error("deleted rows list does not fit its extent"));
            }
            Some(DeletedLocation { extent, count })
        } else {
            None
        };
        d.finish()?;
        Ok(TableMeta {
            resume,
            index,
            deleted,
        })
    }
}

/// Writes the input stamp of a resume point.
fn encode_stamp(e: &mut Encoder, stamp: Option<&InputStamp>) {
    let Some(s) = stamp else {
        e.u8(0);
        return;
    };
    e.u8(HAS_STAMP
        | if s.len_bytes.is_some() { HAS_LEN } else { 0 }
        | if s.modified_nanos.is_some() {
            HAS_MODIFIED
        } else {
            0
        });
    e.u64(s.len_bytes.unwrap_or(0));
    e.u64(s.modified_nanos.unwrap_or(0));
    e.u64(s.checked_end_byte);
    e.u32(s.records_crc32c);
}

/// Reads the input stamp of a resume point.
fn decode_stamp(d: &mut Decoder<'_>) -> Result<Option<Box<InputStamp>>> {
    let flags = d.u8()?;
    if flags & !(HAS_STAMP | HAS_LEN | HAS_MODIFIED) != 0 || (flags != 0 && flags & HAS_STAMP == 0)
    {
        return Err(d.error(format!("unknown input stamp flags {flags:#x}")));
    }
    if flags == 0 {
        return Ok(None);
    }
    let len = d.u64()?;
    let modified = d.u64()?;
    Ok(Some(Box::new(InputStamp {
        len_bytes: (flags & HAS_LEN != 0).then_some(len),
        modified_nanos: (flags & HAS_MODIFIED != 0).then_some(modified),
        checked_end_byte: d.u64()?,
        records_crc32c: d.u32()?,
    })))
}

#[cfg(test)]
mod tests {
    use ruzu_csv::DataType;

    use super::*;

    #[test]
    fn sink_meta_round_trips_and_truncation_is_corrupt() -> Result<()> {
        let meta = TableMeta {
            resume: Some(ResumePoint {
                file_index: 2,
                file: Some(Arc::from(Path::new("/data/person.csv"))),
                line: 1234,
                byte: 99_000,
                rows_stored: 1200,
                input: Some(Box::new(InputStamp {
                    len_bytes: Some(123_456),
                    modified_nanos: None,
                    checked_end_byte: 99_100,
                    records_crc32c: 0xdead_beef,
                })),
            }),
            index: Some(IndexLocation {
                extent: Extent::new(40, 3),
                rows: 1200,
                meta: IndexMeta {
                    key_type: DataType::Int64,
                    keys: 1200,
                    home_pages: 3,
                    pages: 3,
                    overflow_bytes: 0,
                },
            }),
            deleted: Some(DeletedLocation {
                extent: Extent::new(44, 1),
                count: 2,
            }),
        };
        let bytes = meta.encode();
        assert_eq!(TableMeta::decode(&bytes)?, meta);
        assert!(TableMeta::decode(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(
            TableMeta::decode(&TableMeta::default().encode())?,
            TableMeta::default()
        );
        Ok(())
    }

    #[test]
    fn a_version_1_resume_point_decodes_without_a_stamp() -> Result<()> {
        let mut e = Encoder::new();
        e.u8(VERSION_WITHOUT_STAMP);
        e.u8(HAS_RESUME);
        for v in [1u64, 50, 4000, 49] {
            e.u64(v);
        }
        e.bytes(b"p.csv");
        let meta = TableMeta::decode(&e.into_bytes())?;
        let resume = meta.resume.expect("a resume point");
        assert_eq!(
            (resume.file_index, resume.line, resume.rows_stored),
            (1, 50, 49)
        );
        assert_eq!(resume.input, None);
        Ok(())
    }

    #[test]
    fn deleted_rows_list_round_trips_and_damage_is_corrupt() -> Result<()> {
        let image = encode_deleted(&[3, 9, 1000]);
        assert_eq!(decode_deleted(&image, 3, 1001, 0)?, [3, 9, 1000]);
        assert!(
            decode_deleted(&image, 3, 1000, 0).is_err(),
            "row past the table"
        );
        assert!(decode_deleted(&image, 2, 1001, 0).is_err(), "wrong count");
        let mut damaged = image.clone();
        damaged[8] ^= 1;
        assert!(decode_deleted(&damaged, 3, 1001, 0).is_err(), "checksum");
        let unordered = encode_deleted(&[3, 9]);
        let mut swapped = unordered[8..16].to_vec();
        swapped.extend_from_slice(&unordered[..8]);
        let crc = crc32c::crc32c(&swapped);
        swapped.extend_from_slice(&crc.to_le_bytes());
        assert!(decode_deleted(&swapped, 2, 100, 0).is_err(), "order");
        Ok(())
    }
}
