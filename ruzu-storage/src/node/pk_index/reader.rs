//! [`PkIndexReader`]: looks keys up in an index image through [`ReadAt`], with a bounded
//! direct-mapped page cache; [`PkIndexPartition`]: one hash partition of the image loaded
//! whole, for the partitioned join of rel endpoints.
//!
//! Every page is checked (checksum, page number, entry count) when it is read from the source;
//! a page that fails is an error, never a panic and never a wrong answer.

use std::fs::File;
use std::io;

use ruzu_csv::{ColumnRef, DataType, Value};

use super::error::{PkIndexError, Result};
use super::key::{KeyLayout, for_each_key, hash_key, value_bytes};
use super::meta::IndexMeta;
use super::page::{OverflowRef, PAGE_SIZE_BYTES, PageView, home_page};

/// Pages read at a time by [`PkIndexReader::for_each_fixed8`] (256 KiB).
const SCAN_PAGES: usize = 64;

/// Positioned reads of an index image (the storage layer supplies one over its extent).
pub trait ReadAt {
    /// Fills `buf` with the bytes at `offset`.
    ///
    /// # Errors
    ///
    /// Any I/O error; a read past the end is an error (`UnexpectedEof`).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

impl ReadAt for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let src = start
            .checked_add(buf.len())
            .and_then(|end| self.get(start..end))
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.as_slice().read_at(offset, buf)
    }
}

impl ReadAt for File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(self, buf, offset)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        (**self).read_at(offset, buf)
    }
}

/// Reads a long key from the overflow area and compares it with `key`.
fn overflow_eq<R: ReadAt + ?Sized>(
    source: &R,
    meta: &IndexMeta,
    r: OverflowRef,
    key: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<bool> {
    let corrupt = PkIndexError::CorruptOverflow {
        position: r.position,
    };
    if r.position.saturating_add(u64::from(r.len)) > meta.overflow_bytes {
        return Err(corrupt);
    }
    scratch.clear();
    scratch.resize(r.len as usize, 0);
    source
        .read_at(meta.overflow_start() + r.position, scratch)
        .map_err(PkIndexError::io("read index overflow area"))?;
    if crc32c::crc32c(scratch) != r.crc {
        return Err(corrupt);
    }
    Ok(scratch.as_slice() == key)
}

/// A direct-mapped cache of verified pages.
///
/// Bound: `slots` pages of [`PAGE_SIZE_BYTES`].
#[derive(Debug)]
struct PageCache {
    data: Vec<u8>,
    /// `page + 1` of the page in each slot, 0 = empty.
    tags: Vec<u64>,
}

impl PageCache {
    fn new(slots: usize) -> Self {
        let slots = slots.max(1);
        PageCache {
            data: vec![0; slots * PAGE_SIZE_BYTES],
            tags: vec![0; slots],
        }
    }

    #[inline]
    fn get<R: ReadAt + ?Sized>(
        &mut self,
        source: &R,
        page: u64,
        layout: KeyLayout,
    ) -> Result<PageView<'_>> {
        let slot = (page % self.tags.len() as u64) as usize;
        let bytes = &mut self.data[slot * PAGE_SIZE_BYTES..][..PAGE_SIZE_BYTES];
        if self.tags[slot] != page + 1 {
            self.tags[slot] = 0;
            source
                .read_at(page * PAGE_SIZE_BYTES as u64, bytes)
                .map_err(PkIndexError::io("read index page"))?;
            PageView::verify(bytes, page, layout)?;
            self.tags[slot] = page + 1;
        }
        Ok(PageView::trusted(
            &self.data[slot * PAGE_SIZE_BYTES..][..PAGE_SIZE_BYTES],
            page,
        ))
    }
}

/// Looks keys up in an index image.
///
/// Bound: `cache_pages` pages of cache plus one long key.
#[derive(Debug)]
pub struct PkIndexReader<R> {
    source: R,
    meta: IndexMeta,
    layout: KeyLayout,
    cache: PageCache,
    scratch: Vec<u8>,
}

impl<R: ReadAt> PkIndexReader<R> {
    /// A reader of the image described by `meta`, keeping up to `cache_pages` pages cached.
    ///
    /// # Errors
    ///
    /// [`PkIndexError::UnsupportedKeyType`] when `meta` names a type that cannot be a key.
    pub fn open(source: R, meta: IndexMeta, cache_pages: usize) -> Result<Self> {
        let layout = KeyLayout::of(meta.key_type).ok_or(PkIndexError::UnsupportedKeyType {
            data_type: meta.key_type,
        })?;
        let cache_pages = cache_pages.min(usize::try_from(meta.pages).unwrap_or(usize::MAX));
        Ok(PkIndexReader {
            source,
            meta,
            layout,
            cache: PageCache::new(cache_pages),
            scratch: Vec::new(),
        })
    }

    /// The image's metadata.
    pub fn meta(&self) -> &IndexMeta {
        &self.meta
    }

    /// The node offset of `key`, or `None` when it is not in the index (or is NULL).
    ///
    /// # Errors
    ///
    /// [`PkIndexError::KeyTypeMismatch`] when `key` is not of the index's type; I/O errors
    /// and corrupt pages.
    pub fn lookup(&mut self, key: &Value<'_>) -> Result<Option<u64>> {
        let Some(found) = key.data_type() else {
            return Ok(None);
        };
        if found != self.meta.key_type {
            return Err(PkIndexError::KeyTypeMismatch {
                expected: self.meta.key_type,
                found,
            });
        }
        let mut buf = [0u8; 16];
        let bytes = value_bytes(key, &mut buf)
            .ok_or(PkIndexError::UnsupportedKeyType { data_type: found })?;
        let hash = hash_key(self.layout, bytes);
        self.lookup_hashed(hash, bytes)
    }

    /// Looks up every key of a column: `out` is cleared and gets one entry per row, `None`
    /// for NULL and absent keys.
    ///
    /// # Errors
    ///
    /// As [`PkIndexReader::lookup`]; `out` is incomplete then.
    pub fn lookup_batch(&mut self, keys: ColumnRef<'_>, out: &mut Vec<Option<u64>>) -> Result<()> {
        out.clear();
        out.reserve(keys.len());
        let mut failed = None;
        for_each_key(keys, self.meta.key_type, |_, key| {
            let found = match key {
                Some((hash, bytes)) if failed.is_none() => {
                    self.lookup_hashed(hash, bytes).unwrap_or_else(|e| {
                        failed = Some(e);
                        None
                    })
                }
                _ => None,
            };
            out.push(found);
        })?;
        failed.map_or(Ok(()), Err)
    }

    #[inline]
    fn lookup_hashed(&mut self, hash: u64, key: &[u8]) -> Result<Option<u64>> {
        let PkIndexReader {
            source,
            meta,
            layout,
            cache,
            scratch,
        } = self;
        let mut page = home_page((hash >> 32) as u32, meta.home_pages);
        loop {
            if page >= meta.pages {
                return Err(PkIndexError::CorruptPage {
                    page,
                    reason: "overflow runs past the last page",
                });
            }
            let view = cache.get(source, page, *layout)?;
            let mut long_eq = |r| overflow_eq(source, meta, r, key, scratch);
            if let Some(offset) = view.find(*layout, meta.home_pages, hash, key, &mut long_eq)? {
                return Ok(Some(offset));
            }
            if !view.overflowed() {
                return Ok(None);
            }
            page += 1;
        }
    }

    /// Calls `f(key, node_offset)` for every entry of an index of the `Fixed8` layout
    /// (integers up to 64 bits, `DATE`, `TIMESTAMP`; keys normalized as [`key_hash`] hashes
    /// them), in image order: nondecreasing top 32 bits of the hash. Reads the image
    /// sequentially, [`SCAN_PAGES`] pages at a time, each page verified.
    ///
    /// Returns false (calling `f` never) when the index has another layout.
    ///
    /// # Errors
    ///
    /// I/O errors and corrupt pages.
    ///
    /// [`key_hash`]: super::key_hash
    pub(crate) fn for_each_fixed8(&self, mut f: impl FnMut(u64, u64)) -> Result<bool> {
        if self.layout != KeyLayout::Fixed8 {
            return Ok(false);
        }
        let mut buf = vec![0u8; SCAN_PAGES * PAGE_SIZE_BYTES];
        let mut page = 0u64;
        while page < self.meta.pages {
            let n = (self.meta.pages - page).min(SCAN_PAGES as u64) as usize;
            let bytes = &mut buf[..n * PAGE_SIZE_BYTES];
            self.source
                .read_at(page * PAGE_SIZE_BYTES as u64, bytes)
                .map_err(PkIndexError::io("read index page"))?;
            for (i, p) in bytes.chunks_exact(PAGE_SIZE_BYTES).enumerate() {
                let view = PageView::verify(p, page + i as u64, self.layout)?;
                for (key, offset) in view.fixed8_entries() {
                    f(key, offset);
                }
            }
            page += n as u64;
        }
        Ok(true)
    }

    /// Loads, whole and verified, the pages of every key whose hash has `partition` as its top
    /// `bits` bits (at most 32): rel import partitions its endpoint keys the same way
    /// ([`hash_partition`](super::hash_partition) of [`key_hash`](super::key_hash)) and probes
    /// one partition at a time.
    ///
    /// # Errors
    ///
    /// I/O errors and corrupt pages.
    pub fn load_partition(&self, bits: u32, partition: u32) -> Result<PkIndexPartition<'_, R>> {
        let bits = bits.min(32);
        let (lo, hi) = if bits == 0 {
            (0u32, u32::MAX)
        } else {
            let width = 1u64 << (32 - bits);
            let lo = u64::from(partition) * width;
            (lo as u32, (lo + width - 1).min(u64::from(u32::MAX)) as u32)
        };
        let first = home_page(lo, self.meta.home_pages);
        let mut last = home_page(hi, self.meta.home_pages);
        let mut data = Vec::new();
        let mut page = first;
        loop {
            if page >= self.meta.pages {
                return Err(PkIndexError::CorruptPage {
                    page,
                    reason: "overflow runs past the last page",
                });
            }
            let start = data.len();
            data.resize(start + PAGE_SIZE_BYTES, 0);
            self.source
                .read_at(page * PAGE_SIZE_BYTES as u64, &mut data[start..])
                .map_err(PkIndexError::io("read index page"))?;
            let view = PageView::verify(&data[start..], page, self.layout)?;
            if page == last && view.overflowed() {
                last += 1;
            }
            if page == last {
                break;
            }
            page += 1;
        }
        Ok(PkIndexPartition {
            reader: self,
            first_page: first,
            data,
        })
    }
}

/// One hash partition of an index, in memory (see [`PkIndexReader::load_partition`]).
///
/// Bound: the pages of the partition (about `image_bytes >> bits`).
#[derive(Debug)]
pub struct PkIndexPartition<'r, R> {
    reader: &'r PkIndexReader<R>,
    first_page: u64,
    data: Vec<u8>,
}

impl<R: ReadAt> PkIndexPartition<'_, R> {
    /// Looks up every key of a column that falls into this partition: `out` is cleared and
    /// gets one entry per row, `None` for NULL keys, absent keys and keys of other partitions.
    ///
    /// # Errors
    ///
    /// [`PkIndexError::KeyTypeMismatch`]; I/O errors and corrupt data reading long keys.
    pub fn lookup_batch(&self, keys: ColumnRef<'_>, out: &mut Vec<Option<u64>>) -> Result<()> {
        out.clear();
        out.reserve(keys.len());
        let layout = self.reader.layout;
        let meta = &self.reader.meta;
        let pages = (self.data.len() / PAGE_SIZE_BYTES) as u64;
        let mut scratch = Vec::new();
        let mut failed = None;
        for_each_key(keys, meta.key_type, |_, key| {
            let mut found = None;
            if let Some((hash, bytes)) = key
                && failed.is_none()
            {
                let mut page = home_page((hash >> 32) as u32, meta.home_pages);
                while page >= self.first_page && page - self.first_page < pages {
                    let at = ((page - self.first_page) as usize) * PAGE_SIZE_BYTES;
                    let view = PageView::trusted(&self.data[at..][..PAGE_SIZE_BYTES], page);
                    let mut long_eq =
                        |r| overflow_eq(&self.reader.source, meta, r, bytes, &mut scratch);
                    match view.find(layout, meta.home_pages, hash, bytes, &mut long_eq) {
                        Ok(Some(offset)) => {
                            found = Some(offset);
                            break;
                        }
                        Ok(None) if view.overflowed() => page += 1,
                        Ok(None) => break,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
            }
            out.push(found);
        })?;
        failed.map_or(Ok(()), Err)
    }

    /// Heap bytes held.
    pub fn memory_bytes(&self) -> usize {
        self.data.capacity()
    }
}

/// The type of the keys an index holds, for callers that only have the reader.
impl<R> PkIndexReader<R> {
    /// Type of the keys.
    pub fn key_type(&self) -> DataType {
        self.meta.key_type
    }
}
