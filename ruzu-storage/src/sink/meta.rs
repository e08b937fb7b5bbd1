//! The node table sink's metadata: the resume point of an interrupted import and where the
//! table's primary-key index image lies. Stored as the extension blob of the node table
//! metadata (see `node/group/mod.rs`), so it is committed atomically with the groups.
//!
//! # Byte layout (version 1, little-endian)
//!
//! | size | field |
//! |---|---|
//! | 1 | version, `1` |
//! | 1 | flags: bit 0 = resume point present, bit 1 = index present |
//! | ... | resume point: `u64` file index, `u64` line, `u64` byte, `u64` rows stored, `u64` length + bytes of the file path (empty: no path) |
//! | ... | index: `u64` extent first page, `u64` extent pages, `u64` rows covered, 64 bytes [`IndexMeta`] |
//!
//! The index covers the table's first `rows covered` rows; rows after them (written by a
//! checkpointed import that did not commit yet) are found by scanning their key column.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;

use ruzu_copy::ResumePoint;

use crate::encoding::{Decoder, Encoder};
use crate::error::Result;
use crate::node::pk_index::{IndexMeta, META_BYTES};
use crate::page_file::Extent;

const VERSION: u8 = 1;
const HAS_RESUME: u8 = 1;
const HAS_INDEX: u8 = 2;
const WHAT: &str = "node table sink metadata";

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

/// The sink's part of a node table's metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SinkMeta {
    /// The resume point of the last checkpoint of an import that has not committed.
    pub(crate) resume: Option<ResumePoint>,
    /// The index written by the last commit.
    pub(crate) index: Option<IndexLocation>,
}

impl SinkMeta {
    pub(crate) fn encode(&self) -> Vec<u8> {
        if self.resume.is_none() && self.index.is_none() {
            return Vec::new();
        }
        let mut e = Encoder::new();
        e.u8(VERSION);
        let flags = if self.resume.is_some() { HAS_RESUME } else { 0 }
            | if self.index.is_some() { HAS_INDEX } else { 0 };
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
        }
        if let Some(i) = &self.index {
            e.u64(i.extent.start);
            e.u64(i.extent.pages);
            e.u64(i.rows);
            e.raw(&i.meta.to_bytes());
        }
        e.into_bytes()
    }

    /// Decodes `blob` (empty: nothing stored).
    pub(crate) fn decode(blob: &[u8]) -> Result<SinkMeta> {
        if blob.is_empty() {
            return Ok(SinkMeta::default());
        }
        let mut d = Decoder::new(blob, WHAT, 0);
        let version = d.u8()?;
        if version != VERSION {
            return Err(d.error(format!("version {version}")));
        }
        let flags = d.u8()?;
        if flags & !(HAS_RESUME | HAS_INDEX) != 0 {
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
            Some(ResumePoint {
                file_index,
                file,
                line,
                byte,
                rows_stored,
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
        d.finish()?;
        Ok(SinkMeta { resume, index })
    }
}

#[cfg(test)]
mod tests {
    use ruzu_csv::DataType;

    use super::*;

    #[test]
    fn sink_meta_round_trips_and_truncation_is_corrupt() -> Result<()> {
        let meta = SinkMeta {
            resume: Some(ResumePoint {
                file_index: 2,
                file: Some(Arc::from(Path::new("/data/person.csv"))),
                line: 1234,
                byte: 99_000,
                rows_stored: 1200,
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
        };
        let bytes = meta.encode();
        assert_eq!(SinkMeta::decode(&bytes)?, meta);
        assert!(SinkMeta::decode(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(
            SinkMeta::decode(&SinkMeta::default().encode())?,
            SinkMeta::default()
        );
        Ok(())
    }
}
