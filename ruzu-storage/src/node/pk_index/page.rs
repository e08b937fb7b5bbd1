//! Index pages: the byte layout, the streaming writer that fills them in hash order, and the
//! read-only view that searches one.
//!
//! ```text
//! page (PAGE_SIZE_BYTES = 4096, little-endian):
//!   0  u32  crc32c of bytes 4..4096
//!   4  u32  page number (a page read from the wrong place fails this check)
//!   8  u16  entry count
//!  10  u16  flags: bit 0 OVERFLOWED = an entry whose home page is this one or an earlier one
//!           lives in a later page (a lookup that misses here goes on to the next page)
//!  12  u16  data_start: start of the key data area (variable layout; 4096 for fixed layouts)
//!  14  u16  reserved, 0
//!  16  entries, sorted by h32 (top 32 bits of the key hash), nondecreasing
//!
//! fixed entry (8 + 8 or 16 + 8 bytes):  key [8|16] | node_offset u64
//! variable entry (20 bytes):            h32 u32 | key_len u32 | node_offset u64
//!                                       | data_pos u16 | reserved u16
//!   data at data_pos (in the data area, which grows down from the end of the page):
//!   key_len <= INLINE_KEY_MAX_BYTES:    the key bytes
//!   otherwise (12 bytes):               overflow_pos u64 | crc32c(key) u32
//!                                       (the key lives at overflow_pos in the overflow area)
//! ```
//!
//! Placement: the home page of a key is `h32 * home_pages >> 32`, monotone in the hash. The
//! writer receives entries in hash order and appends each to its home page, or, when that page
//! is full, to the next one (setting OVERFLOWED on the full page). So the whole image is one
//! hash-sorted sequence, every range of hashes maps to a contiguous range of pages, and a
//! lookup reads its home page plus, rarely, the following ones.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use super::error::{PkIndexError, Result};
use super::key::{KeyLayout, hash_key};

/// Bytes of one index page.
pub const PAGE_SIZE_BYTES: usize = 4096;
/// Longest variable-size key stored inside its page; longer keys go to the overflow area.
pub const INLINE_KEY_MAX_BYTES: usize = 255;

const HEADER_BYTES: usize = 16;
const VAR_ENTRY_BYTES: usize = 20;
const OVERFLOW_REF_BYTES: usize = 12;
const FLAG_OVERFLOWED: u16 = 1;

/// Home page of a hash among `home_pages` pages.
#[inline]
pub(crate) fn home_page(h32: u32, home_pages: u64) -> u64 {
    (u64::from(h32) * home_pages) >> 32
}

/// Page bytes an entry for a key of `key_len` bytes takes.
#[inline]
pub(crate) fn entry_bytes(layout: KeyLayout, key_len: usize) -> usize {
    match layout.fixed_width() {
        Some(w) => w + 8,
        None if key_len <= INLINE_KEY_MAX_BYTES => VAR_ENTRY_BYTES + key_len,
        None => VAR_ENTRY_BYTES + OVERFLOW_REF_BYTES,
    }
}

/// Home pages for keys taking `entry_bytes_total` page bytes, filled to about 85 %.
pub(crate) fn home_pages_for(entry_bytes_total: u64) -> u64 {
    let usable = ((PAGE_SIZE_BYTES - HEADER_BYTES) as u64) * 85 / 100;
    entry_bytes_total.div_ceil(usable).max(1)
}

/// What a [`PageWriter`] wrote.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PagesWritten {
    /// Pages written (at least the home pages; more when the last ones overflowed).
    pub(crate) pages: u64,
    /// Bytes of the overflow area written after the pages.
    pub(crate) overflow_bytes: u64,
    /// Entries written.
    pub(crate) entries: u64,
}

/// Writes pages in order, filling each with the entries pushed in nondecreasing hash order.
///
/// Bound: one page buffer, plus a 64 KiB buffer for the overflow area (kept in a temporary
/// file until [`PageWriter::finish`] appends it after the pages).
pub(crate) struct PageWriter<'w, W: Write> {
    out: &'w mut W,
    layout: KeyLayout,
    home_pages: u64,
    page: Vec<u8>,
    /// Number of the page in `page`; every earlier page has been written.
    current: u64,
    count: u16,
    flags: u16,
    /// End of the entry area in `page`.
    entries_end: usize,
    /// Start of the data area in `page`.
    data_start: usize,
    overflow: Option<BufWriter<File>>,
    overflow_bytes: u64,
    overflow_dir: &'w Path,
    entries: u64,
    last_h32: u32,
}

impl<'w, W: Write> PageWriter<'w, W> {
    /// A writer of `home_pages` home pages into `out`; long keys are staged in `spill_dir`.
    pub(crate) fn new(
        out: &'w mut W,
        layout: KeyLayout,
        home_pages: u64,
        spill_dir: &'w Path,
    ) -> Self {
        let mut w = PageWriter {
            out,
            layout,
            home_pages: home_pages.max(1),
            page: vec![0; PAGE_SIZE_BYTES],
            current: 0,
            count: 0,
            flags: 0,
            entries_end: HEADER_BYTES,
            data_start: PAGE_SIZE_BYTES,
            overflow: None,
            overflow_bytes: 0,
            overflow_dir: spill_dir,
            entries: 0,
            last_h32: 0,
        };
        w.reset_page();
        w
    }

    fn reset_page(&mut self) {
        self.page.fill(0);
        self.count = 0;
        self.flags = 0;
        self.entries_end = HEADER_BYTES;
        self.data_start = PAGE_SIZE_BYTES;
    }

    /// Writes the current page and starts the next one.
    fn flush_page(&mut self) -> Result<()> {
        let page_no = u32::try_from(self.current).expect("invariant: fewer than 2^32 pages");
        self.page[4..8].copy_from_slice(&page_no.to_le_bytes());
        self.page[8..10].copy_from_slice(&self.count.to_le_bytes());
        self.page[10..12].copy_from_slice(&self.flags.to_le_bytes());
        let data_start = u16::try_from(self.data_start).expect("invariant: inside a page");
        self.page[12..14].copy_from_slice(&data_start.to_le_bytes());
        let crc = crc32c::crc32c(&self.page[4..]);
        self.page[..4].copy_from_slice(&crc.to_le_bytes());
        self.out
            .write_all(&self.page)
            .map_err(PkIndexError::io("write index page"))?;
        self.current += 1;
        self.reset_page();
        Ok(())
    }

    /// Appends an entry. Entries must come in nondecreasing `h32` order.
    pub(crate) fn push(&mut self, h32: u32, key: &[u8], offset: u64) -> Result<()> {
        debug_assert!(h32 >= self.last_h32, "entries must come in hash order");
        self.last_h32 = h32;
        let home = home_page(h32, self.home_pages);
        while self.current < home {
            self.flush_page()?;
        }
        let needed = entry_bytes(self.layout, key.len());
        while self.entries_end + needed > self.data_start {
            self.flags |= FLAG_OVERFLOWED;
            self.flush_page()?;
        }
        let at = self.entries_end;
        match self.layout.fixed_width() {
            Some(w) => {
                self.page[at..at + w].copy_from_slice(key);
                self.page[at + w..at + w + 8].copy_from_slice(&offset.to_le_bytes());
            }
            None => {
                let key_len = u32::try_from(key.len()).expect("invariant: keys are < 4 GiB");
                let data_len = needed - VAR_ENTRY_BYTES;
                self.data_start -= data_len;
                let data = self.data_start;
                if key.len() <= INLINE_KEY_MAX_BYTES {
                    self.page[data..data + data_len].copy_from_slice(key);
                } else {
                    let position = self.write_overflow(key)?;
                    self.page[data..data + 8].copy_from_slice(&position.to_le_bytes());
                    self.page[data + 8..data + 12]
                        .copy_from_slice(&crc32c::crc32c(key).to_le_bytes());
                }
                self.page[at..at + 4].copy_from_slice(&h32.to_le_bytes());
                self.page[at + 4..at + 8].copy_from_slice(&key_len.to_le_bytes());
                self.page[at + 8..at + 16].copy_from_slice(&offset.to_le_bytes());
                let data = u16::try_from(data).expect("invariant: inside a page");
                self.page[at + 16..at + 18].copy_from_slice(&data.to_le_bytes());
            }
        }
        self.entries_end += match self.layout.fixed_width() {
            Some(w) => w + 8,
            None => VAR_ENTRY_BYTES,
        };
        self.count += 1;
        self.entries += 1;
        Ok(())
    }

    fn write_overflow(&mut self, key: &[u8]) -> Result<u64> {
        if self.overflow.is_none() {
            let file = tempfile::tempfile_in(self.overflow_dir)
                .map_err(PkIndexError::io("create overflow area"))?;
            self.overflow = Some(BufWriter::with_capacity(64 * 1024, file));
        }
        let file = self.overflow.as_mut().expect("invariant: created above");
        file.write_all(key)
            .map_err(PkIndexError::io("write overflow area"))?;
        let position = self.overflow_bytes;
        self.overflow_bytes += key.len() as u64;
        Ok(position)
    }

    /// Writes the last pages (at least every home page) and then the overflow area.
    pub(crate) fn finish(mut self) -> Result<PagesWritten> {
        self.flush_page()?;
        while self.current < self.home_pages {
            self.flush_page()?;
        }
        if let Some(file) = self.overflow.take() {
            let mut file = file
                .into_inner()
                .map_err(|e| PkIndexError::io("write overflow area")(e.into_error()))?;
            file.seek(SeekFrom::Start(0))
                .map_err(PkIndexError::io("rewind overflow area"))?;
            let copied =
                io::copy(&mut file, self.out).map_err(PkIndexError::io("copy overflow area"))?;
            debug_assert_eq!(copied, self.overflow_bytes);
        }
        Ok(PagesWritten {
            pages: self.current,
            overflow_bytes: self.overflow_bytes,
            entries: self.entries,
        })
    }
}

/// A verified page, searched by key.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PageView<'a> {
    bytes: &'a [u8],
    page_no: u64,
    count: usize,
    flags: u16,
}

/// Where a variable-size key too long to be inline lives.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OverflowRef {
    /// Byte position in the overflow area.
    pub(crate) position: u64,
    /// Key length.
    pub(crate) len: u32,
    /// crc32c of the key.
    pub(crate) crc: u32,
}

impl<'a> PageView<'a> {
    /// Checks the checksum and page number of `bytes`, read as page `page_no`.
    pub(crate) fn verify(bytes: &'a [u8], page_no: u64, layout: KeyLayout) -> Result<Self> {
        let corrupt = |reason| PkIndexError::CorruptPage {
            page: page_no,
            reason,
        };
        if bytes.len() != PAGE_SIZE_BYTES {
            return Err(corrupt("short page"));
        }
        let crc = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
        if crc32c::crc32c(&bytes[4..]) != crc {
            return Err(corrupt("checksum mismatch"));
        }
        let stored_no = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
        if u64::from(stored_no) != page_no {
            return Err(corrupt("page number mismatch"));
        }
        let count = usize::from(u16::from_le_bytes(
            bytes[8..10].try_into().expect("2 bytes"),
        ));
        let flags = u16::from_le_bytes(bytes[10..12].try_into().expect("2 bytes"));
        let entry = match layout.fixed_width() {
            Some(w) => w + 8,
            None => VAR_ENTRY_BYTES,
        };
        if HEADER_BYTES + count * entry > PAGE_SIZE_BYTES {
            return Err(corrupt("entry count too large"));
        }
        Ok(PageView {
            bytes,
            page_no,
            count,
            flags,
        })
    }

    /// A view of a page that passed [`PageView::verify`] before (a cached copy).
    #[inline]
    pub(crate) fn trusted(bytes: &'a [u8], page_no: u64) -> Self {
        debug_assert_eq!(bytes.len(), PAGE_SIZE_BYTES);
        PageView {
            bytes,
            page_no,
            count: usize::from(u16::from_le_bytes([bytes[8], bytes[9]])),
            flags: u16::from_le_bytes([bytes[10], bytes[11]]),
        }
    }

    /// Whether a lookup that misses here must go on to the next page.
    pub(crate) fn overflowed(&self) -> bool {
        self.flags & FLAG_OVERFLOWED != 0
    }

    /// The entries of a page of the `Fixed8` layout: normalized key and node offset, in page
    /// order (nondecreasing hash).
    pub(crate) fn fixed8_entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        const STRIDE: usize = 16;
        (0..self.count).map(move |i| {
            let e = &self.bytes[HEADER_BYTES + i * STRIDE..][..STRIDE];
            (
                u64::from_le_bytes(e[..8].try_into().expect("8 bytes")),
                u64::from_le_bytes(e[8..].try_into().expect("8 bytes")),
            )
        })
    }

    /// First entry whose h32 is at least `h32` (entries are sorted by h32).
    ///
    /// Interpolation, then a short walk: hashes are uniform, so an entry's rank in its page
    /// is close to where its h32 falls in the page's hash range. That touches one or two
    /// cache lines where a binary search would touch eight.
    #[inline]
    fn first_at_least(&self, h32: u32, home_pages: u64, h_at: impl Fn(usize) -> u32) -> usize {
        let count = self.count;
        if count == 0 {
            return 0;
        }
        let width = (1u64 << 32).div_ceil(home_pages.max(1));
        let lo = (self.page_no << 32).div_ceil(home_pages.max(1));
        let rel = u64::from(h32).saturating_sub(lo);
        let estimate = (u128::from(rel) * count as u128 / u128::from(width)) as usize;
        let mut i = estimate.min(count - 1);
        if h_at(i) < h32 {
            while i < count && h_at(i) < h32 {
                i += 1;
            }
        } else {
            while i > 0 && h_at(i - 1) >= h32 {
                i -= 1;
            }
        }
        i
    }

    /// The node offset of `key` (hash `hash`) if this page holds it. Long variable-size keys
    /// are compared by `long_eq`, which reads them from the overflow area.
    #[inline]
    pub(crate) fn find(
        &self,
        layout: KeyLayout,
        home_pages: u64,
        hash: u64,
        key: &[u8],
        long_eq: &mut dyn FnMut(OverflowRef) -> Result<bool>,
    ) -> Result<Option<u64>> {
        let h32 = (hash >> 32) as u32;
        match layout.fixed_width() {
            Some(w) => {
                let stride = w + 8;
                let entry = |i: usize| &self.bytes[HEADER_BYTES + i * stride..][..stride];
                let entry_h32 = |i: usize| (hash_key(layout, &entry(i)[..w]) >> 32) as u32;
                let mut i = self.first_at_least(h32, home_pages, entry_h32);
                while i < self.count {
                    let e = entry(i);
                    if e[..w] == *key {
                        return Ok(Some(u64::from_le_bytes(
                            e[w..].try_into().expect("8 bytes"),
                        )));
                    }
                    if entry_h32(i) != h32 {
                        break;
                    }
                    i += 1;
                }
                Ok(None)
            }
            None => {
                let entry =
                    |i: usize| &self.bytes[HEADER_BYTES + i * VAR_ENTRY_BYTES..][..VAR_ENTRY_BYTES];
                let field_u32 = |e: &[u8], at: usize| {
                    u32::from_le_bytes(e[at..at + 4].try_into().expect("4 bytes"))
                };
                let mut i = self.first_at_least(h32, home_pages, |i| field_u32(entry(i), 0));
                while i < self.count {
                    let e = entry(i);
                    if field_u32(e, 0) != h32 {
                        break;
                    }
                    i += 1;
                    let key_len = field_u32(e, 4);
                    if key_len as usize != key.len() {
                        continue;
                    }
                    let offset = u64::from_le_bytes(e[8..16].try_into().expect("8 bytes"));
                    let data = usize::from(u16::from_le_bytes(e[16..18].try_into().expect("2")));
                    let inline = key.len() <= INLINE_KEY_MAX_BYTES;
                    let data_len = if inline {
                        key.len()
                    } else {
                        OVERFLOW_REF_BYTES
                    };
                    let Some(stored) = self.bytes.get(data..data + data_len) else {
                        return Err(PkIndexError::CorruptPage {
                            page: self.page_no,
                            reason: "key data outside the page",
                        });
                    };
                    let equal = if inline {
                        stored == key
                    } else {
                        long_eq(OverflowRef {
                            position: u64::from_le_bytes(stored[..8].try_into().expect("8")),
                            len: key_len,
                            crc: u32::from_le_bytes(stored[8..12].try_into().expect("4")),
                        })?
                    };
                    if equal {
                        return Ok(Some(offset));
                    }
                }
                Ok(None)
            }
        }
    }
}
