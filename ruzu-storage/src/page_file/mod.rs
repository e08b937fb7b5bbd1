//! The page file: fixed-size pages addressed by `u64` ids, two header slots, free-space
//! management.
//!
//! # Layout
//!
//! One file, `data.ruzu`, in the database directory, a sequence of
//! [`PAGE_SIZE_BYTES`]-byte pages. Page *n* starts at byte `n * 4096`. All integers are
//! little-endian.
//!
//! | pages | content |
//! |---|---|
//! | 0 | header slot 0 (see [`header`](self::header)) |
//! | 1 | header slot 1 |
//! | 2 .. `page_count` | metadata root block, table data extents, free extents |
//!
//! Pages at or past the committed `page_count` are free; so are the extents listed in the
//! committed free list. Every other page belongs to exactly one owner: the metadata root block
//! or one table's extent list.
//!
//! # Commit protocol: shadow paging with a double-buffered header
//!
//! A committed state is never overwritten while it is the newest one. A write transaction
//! writes its data into free pages (free in the committed state), then:
//!
//! 1. writes the new metadata root block into free pages (never into pages freed by this same
//!    transaction: the committed root still references them);
//! 2. `fdatasync`;
//! 3. writes the header slot *not* holding the committed header (slot `generation % 2`), with
//!    generation + 1, the new root's location and checksum, and the new `page_count`;
//! 4. `fdatasync`.
//!
//! Opening reads both slots, ignores a slot whose magic or crc32c is wrong, and takes the valid
//! one with the highest generation. A crash before step 4 completes leaves either the old
//! header (the old state) or, if the new header landed whole, the new state, whose data was
//! synced at step 2. A torn header fails its checksum and the other slot is used.

pub(crate) mod free_space;
pub(crate) mod header;

/// Size of a page in bytes. Fixed for format version 1.
pub const PAGE_SIZE_BYTES: u64 = 4096;

/// [`PAGE_SIZE_BYTES`] as `usize`, for buffer sizes.
pub(crate) const PAGE_SIZE: usize = PAGE_SIZE_BYTES as usize;

/// First page that is not a header slot.
pub(crate) const FIRST_DATA_PAGE: PageId = 2;

/// A page number; page *n* starts at byte `n * PAGE_SIZE_BYTES`.
pub type PageId = u64;

/// A run of contiguous pages: the unit of allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Extent {
    /// First page.
    pub start: PageId,
    /// Number of pages (at least 1 for an allocated extent).
    pub pages: u64,
}

impl Extent {
    /// An extent of `pages` pages starting at `start`.
    pub fn new(start: PageId, pages: u64) -> Self {
        Extent { start, pages }
    }

    /// One past the last page (saturating, so that a bogus extent compares as out of range
    /// instead of overflowing).
    pub fn end(&self) -> PageId {
        self.start.saturating_add(self.pages)
    }

    /// File offset of the first byte (saturating).
    pub fn byte_offset(&self) -> u64 {
        self.start.saturating_mul(PAGE_SIZE_BYTES)
    }

    /// Size in bytes (saturating).
    pub fn byte_len(&self) -> u64 {
        self.pages.saturating_mul(PAGE_SIZE_BYTES)
    }

    /// Whether `page` lies in this extent.
    pub fn contains(&self, page: PageId) -> bool {
        (self.start..self.end()).contains(&page)
    }
}

/// Number of pages needed to hold `bytes` bytes.
pub(crate) fn pages_for(bytes: u64) -> u64 {
    bytes.div_ceil(PAGE_SIZE_BYTES)
}
