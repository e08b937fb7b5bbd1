//! Header slots: the two fixed places that say which state of the database is committed.
//!
//! # Byte layout of a header slot (page 0 = slot 0, page 1 = slot 1)
//!
//! Each slot owns a whole page, so that a torn write of one slot can never damage the other.
//! Bytes 64..4096 of the page are zero.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `b"RUZUDB\0\x01"` |
//! | 8 | 4 | format version (`2`; version 1 stored node groups with the older plain/dictionary chunks and is refused) |
//! | 12 | 4 | page size in bytes (`4096`) |
//! | 16 | 8 | generation (`>= 1`; the slot written by generation *g* is `g % 2`) |
//! | 24 | 8 | `page_count`: pages of the committed state; pages `>= page_count` are free |
//! | 32 | 8 | first page of the metadata root block |
//! | 40 | 8 | pages of the metadata root block |
//! | 48 | 8 | bytes of the metadata root block |
//! | 56 | 4 | crc32c of the metadata root block (all its bytes) |
//! | 60 | 4 | crc32c of bytes 0..60 of this slot |
//!
//! A slot is *valid* when its magic and header crc32c match; a valid slot with another format
//! version or page size is an error ([`StorageError::UnsupportedVersion`], `Corrupt`), never
//! silently ignored. An all-zero slot is the normal state of slot 0 after creation.

use super::{Extent, FIRST_DATA_PAGE, PAGE_SIZE, PAGE_SIZE_BYTES, PageId, pages_for};
use crate::encoding::{Decoder, Encoder};
use crate::error::{Result, StorageError};

/// Magic bytes at the start of a header slot.
pub(crate) const HEADER_MAGIC: [u8; 8] = *b"RUZUDB\0\x01";
/// The on-disk format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 3;
/// Bytes of a slot covered by its checksum.
const CHECKED_BYTES: usize = 60;

/// The decoded content of a valid header slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) generation: u64,
    pub(crate) page_count: u64,
    /// Where the metadata root block lives.
    pub(crate) root: Extent,
    pub(crate) root_bytes: u64,
    pub(crate) root_crc: u32,
}

impl Header {
    /// Which slot this header is written to.
    pub(crate) fn slot(&self) -> u64 {
        self.generation % 2
    }

    /// The page image of this header.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new();
        e.raw(&HEADER_MAGIC);
        e.u32(FORMAT_VERSION);
        e.u32(PAGE_SIZE_BYTES as u32);
        e.u64(self.generation);
        e.u64(self.page_count);
        e.u64(self.root.start);
        e.u64(self.root.pages);
        e.u64(self.root_bytes);
        e.u32(self.root_crc);
        debug_assert_eq!(e.len(), CHECKED_BYTES);
        let mut page = e.into_bytes();
        let crc = crc32c::crc32c(&page);
        page.extend_from_slice(&crc.to_le_bytes());
        page.resize(PAGE_SIZE, 0);
        page
    }

    /// Decodes slot `slot` from its page image. `Ok(None)`: not a valid slot (wrong magic or
    /// checksum, e.g. never written or torn). `Err`: a valid slot this build cannot use.
    pub(crate) fn decode(page: &[u8], slot: u64) -> Result<Option<Header>> {
        let offset = slot * PAGE_SIZE_BYTES;
        if page.len() < CHECKED_BYTES + 4 || page[..8] != HEADER_MAGIC {
            return Ok(None);
        }
        let stored = u32::from_le_bytes(
            page[CHECKED_BYTES..CHECKED_BYTES + 4]
                .try_into()
                .expect("invariant: slice of 4 bytes"),
        );
        if crc32c::crc32c(&page[..CHECKED_BYTES]) != stored {
            return Ok(None);
        }
        let what = if slot == 0 {
            "header slot 0"
        } else {
            "header slot 1"
        };
        let mut d = Decoder::new(&page[..CHECKED_BYTES], what, offset);
        d.raw(8)?;
        let version = d.u32()?;
        if version != FORMAT_VERSION {
            return Err(StorageError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let page_size = d.u32()?;
        if u64::from(page_size) != PAGE_SIZE_BYTES {
            return Err(d.error(format!("page size {page_size}, expected {PAGE_SIZE_BYTES}")));
        }
        let header = Header {
            generation: d.u64()?,
            page_count: d.u64()?,
            root: Extent::new(d.u64()?, d.u64()?),
            root_bytes: d.u64()?,
            root_crc: d.u32()?,
        };
        header.validate(what, offset)?;
        if header.slot() != slot {
            return Err(StorageError::corrupt(
                what,
                offset,
                format!("generation {} belongs in the other slot", header.generation),
            ));
        }
        Ok(Some(header))
    }

    /// Checks the fields against each other before anything does arithmetic with them.
    fn validate(&self, what: &'static str, offset: u64) -> Result<()> {
        let bad = |reason: String| Err(StorageError::corrupt(what, offset, reason));
        if self.generation == 0 {
            return bad("generation 0".into());
        }
        // Bound page_count so that byte offsets cannot overflow.
        if self.page_count > u64::MAX / PAGE_SIZE_BYTES / 2 {
            return bad(format!("page count {} is impossible", self.page_count));
        }
        let root_end = self.root.start.checked_add(self.root.pages);
        if self.root.start < FIRST_DATA_PAGE
            || self.root.pages == 0
            || root_end.is_none_or(|end| end > self.page_count)
        {
            return bad(format!(
                "root extent {}+{} outside pages {FIRST_DATA_PAGE}..{}",
                self.root.start, self.root.pages, self.page_count
            ));
        }
        if pages_for(self.root_bytes) != self.root.pages {
            return bad(format!(
                "root block of {} bytes does not fill {} pages",
                self.root_bytes, self.root.pages
            ));
        }
        Ok(())
    }
}

/// Picks the committed header from the two slots' page images: the valid one with the highest
/// generation.
pub(crate) fn choose(slot0: &[u8], slot1: &[u8]) -> Result<Header> {
    let a = Header::decode(slot0, 0)?;
    let b = Header::decode(slot1, 1)?;
    match (a, b) {
        (Some(a), Some(b)) => Ok(if a.generation > b.generation { a } else { b }),
        (Some(h), None) | (None, Some(h)) => Ok(h),
        (None, None) => Err(StorageError::corrupt(
            "header",
            0,
            "no valid header slot (not a ruzu database, or both slots damaged)",
        )),
    }
}

/// First page of header slot `slot`.
pub(crate) fn slot_page(slot: u64) -> PageId {
    slot
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(generation: u64) -> Header {
        Header {
            generation,
            page_count: 10,
            root: Extent::new(3, 2),
            root_bytes: 5000,
            root_crc: 0xABCD,
        }
    }

    #[test]
    fn header_round_trips_and_lands_in_its_slot() -> Result<()> {
        let h = sample(5);
        let page = h.encode();
        assert_eq!(page.len(), PAGE_SIZE);
        assert_eq!(Header::decode(&page, 1)?, Some(h));
        assert!(
            Header::decode(&page, 0).is_err(),
            "odd generation in slot 0"
        );
        Ok(())
    }

    #[test]
    fn any_flipped_bit_invalidates_the_slot() -> Result<()> {
        let page = sample(4).encode();
        for byte in 0..64 {
            let mut p = page.clone();
            p[byte] ^= 0x10;
            assert_eq!(Header::decode(&p, 0)?, None, "byte {byte}");
        }
        Ok(())
    }

    #[test]
    fn highest_valid_generation_wins_and_torn_slot_is_skipped() -> Result<()> {
        let old = sample(4).encode();
        let new = sample(5).encode();
        assert_eq!(choose(&old, &new)?.generation, 5);
        let mut torn = new.clone();
        torn[20..].fill(0);
        assert_eq!(choose(&old, &torn)?.generation, 4);
        assert!(matches!(
            choose(&[0; PAGE_SIZE], &torn),
            Err(StorageError::Corrupt { .. })
        ));
        Ok(())
    }

    #[test]
    fn newer_format_version_is_reported() {
        let mut page = sample(2).encode();
        page[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let crc = crc32c::crc32c(&page[..60]);
        page[60..64].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(
            Header::decode(&page, 0),
            Err(StorageError::UnsupportedVersion { found, supported: FORMAT_VERSION })
                if found == FORMAT_VERSION + 1
        ));
    }

    #[test]
    fn impossible_root_location_is_corrupt() {
        let mut h = sample(2);
        h.root = Extent::new(9, 5);
        assert!(matches!(
            Header::decode(&h.encode(), 0),
            Err(StorageError::Corrupt { .. })
        ));
    }
}
