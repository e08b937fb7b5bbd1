//! The buffer pool: a fixed number of page frames over the database file, with pin/unpin
//! guards, clock eviction and dirty write-back.
//!
//! It serves metadata, index pages and reads. Bulk column data does not go through it: sinks
//! write whole extents with large sequential writes ([`WriteTxn::write_extent`]).
//!
//! # How it works
//!
//! Frames are allocated once, at construction, from the byte budget: memory is
//! `frames * PAGE_SIZE_BYTES` plus a small per-frame bookkeeping cost, whatever the database
//! size. A mutex guards the page table and per-frame metadata (page, pin count, reference bit,
//! dirty bit, clock hand); each frame's bytes sit behind their own `RwLock`, held by the guard
//! for as long as the page is pinned.
//!
//! On a miss the clock hand sweeps the frames: a pinned frame is skipped, a frame with its
//! reference bit set gets a second chance (the bit is cleared), the first other frame is the
//! victim. A dirty victim is written back before it is reused. If two full sweeps find no
//! victim, every frame is pinned and the pin fails with [`StorageError::PoolExhausted`].
//!
//! What breaks it: pinning the same page twice in one thread, once mutably, deadlocks on the
//! frame lock. Misses are served under the pool mutex (one read at a time); fine for metadata
//! and index pages, revisit for parallel random reads.
//!
//! [`WriteTxn::write_extent`]: crate::WriteTxn::write_extent

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::error::{Result, StorageError};
use crate::file::CheckedFile;
use crate::page_file::{PAGE_SIZE, PAGE_SIZE_BYTES, PageId};

/// Counters of a buffer pool, since it was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Pins served from a frame.
    pub hits: u64,
    /// Pins that had to read the page (or, for a new page, claim a frame).
    pub misses: u64,
    /// Frames reused for another page.
    pub evictions: u64,
    /// Dirty pages written to the file.
    pub writebacks: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct FrameMeta {
    page: Option<PageId>,
    pins: u32,
    referenced: bool,
    dirty: bool,
}

#[derive(Debug)]
struct PoolState {
    /// page -> frame index; exactly the frames whose `meta.page` is `Some`.
    table: HashMap<PageId, usize>,
    meta: Vec<FrameMeta>,
    hand: usize,
}

/// A fixed set of page frames caching pages of the database file.
#[derive(Debug)]
pub struct BufferPool {
    file: Arc<CheckedFile>,
    frames: Box<[RwLock<Box<[u8]>>]>,
    state: Mutex<PoolState>,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    writebacks: AtomicU64,
}

/// Per-frame bookkeeping bytes counted by [`BufferPool::memory_bytes`] on top of the page.
const FRAME_OVERHEAD_BYTES: usize = 64;

impl BufferPool {
    /// A pool of as many frames as fit in `budget_bytes` (at least one), over `file`.
    pub fn new(file: Arc<CheckedFile>, budget_bytes: usize) -> Self {
        let frames = (budget_bytes / (PAGE_SIZE + FRAME_OVERHEAD_BYTES)).max(1);
        BufferPool {
            file,
            frames: (0..frames)
                .map(|_| RwLock::new(vec![0u8; PAGE_SIZE].into_boxed_slice()))
                .collect(),
            state: Mutex::new(PoolState {
                table: HashMap::with_capacity(frames),
                meta: vec![FrameMeta::default(); frames],
                hand: 0,
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            writebacks: AtomicU64::new(0),
        }
    }

    /// Number of frames.
    pub fn frames(&self) -> usize {
        self.frames.len()
    }

    /// Bytes the pool holds: frames plus bookkeeping. Fixed at construction.
    pub fn memory_bytes(&self) -> usize {
        self.frames.len() * (PAGE_SIZE + FRAME_OVERHEAD_BYTES)
    }

    /// Counters so far.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            writebacks: self.writebacks.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // The state is consistent between statements; a panic elsewhere does not break it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pins `page` for reading, reading it from the file on a miss.
    ///
    /// # Errors
    ///
    /// [`StorageError::PoolExhausted`] if every frame is pinned; I/O errors of reading the page
    /// or writing back a dirty victim.
    pub fn pin(&self, page: PageId) -> Result<PageRef<'_>> {
        let frame = self.acquire(page, Fill::Read, false)?;
        let data = self.frames[frame]
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(PageRef {
            pool: self,
            frame,
            data: Some(data),
        })
    }

    /// Pins `page` for writing (it becomes dirty), reading it from the file on a miss.
    ///
    /// # Errors
    ///
    /// As [`BufferPool::pin`].
    pub fn pin_mut(&self, page: PageId) -> Result<PageMut<'_>> {
        self.pin_write(page, Fill::Read)
    }

    /// Pins a freshly allocated `page` for writing without reading it: its bytes start as
    /// zeros.
    ///
    /// # Errors
    ///
    /// As [`BufferPool::pin`].
    pub fn pin_new(&self, page: PageId) -> Result<PageMut<'_>> {
        self.pin_write(page, Fill::Zero)
    }

    fn pin_write(&self, page: PageId, fill: Fill) -> Result<PageMut<'_>> {
        let frame = self.acquire(page, fill, true)?;
        let data = self.frames[frame]
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        Ok(PageMut {
            pool: self,
            frame,
            data: Some(data),
        })
    }

    /// Finds or loads `page` and pins its frame; returns the frame index.
    fn acquire(&self, page: PageId, fill: Fill, dirty: bool) -> Result<usize> {
        let mut state = self.lock();
        if let Some(&frame) = state.table.get(&page) {
            let m = &mut state.meta[frame];
            m.pins += 1;
            m.referenced = true;
            m.dirty |= dirty;
            if fill == Fill::Zero {
                // A new page replaces whatever a stale frame held.
                drop(state);
                let mut data = self.frames[frame]
                    .write()
                    .unwrap_or_else(PoisonError::into_inner);
                data.fill(0);
            }
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(frame);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let frame = self.victim(&mut state)?;
        {
            // The victim is unpinned, so no guard holds its lock (a guard releases the lock
            // before it unpins).
            let mut data = self.frames[frame]
                .write()
                .unwrap_or_else(PoisonError::into_inner);
            let old = state.meta[frame];
            if let (Some(old_page), true) = (old.page, old.dirty) {
                self.file.write_at(old_page * PAGE_SIZE_BYTES, &data)?;
                self.writebacks.fetch_add(1, Ordering::Relaxed);
            }
            if let Some(old_page) = old.page {
                state.table.remove(&old_page);
                state.meta[frame] = FrameMeta::default();
                self.evictions.fetch_add(1, Ordering::Relaxed);
            }
            match fill {
                Fill::Zero => data.fill(0),
                Fill::Read => self.file.read_at(page * PAGE_SIZE_BYTES, &mut data)?,
            }
        }
        state.table.insert(page, frame);
        state.meta[frame] = FrameMeta {
            page: Some(page),
            pins: 1,
            referenced: true,
            dirty,
        };
        Ok(frame)
    }

    fn victim(&self, state: &mut PoolState) -> Result<usize> {
        let n = self.frames.len();
        for _ in 0..2 * n {
            let i = state.hand;
            state.hand = (state.hand + 1) % n;
            let m = &mut state.meta[i];
            if m.page.is_none() {
                return Ok(i);
            }
            if m.pins > 0 {
                continue;
            }
            if m.referenced {
                m.referenced = false;
                continue;
            }
            return Ok(i);
        }
        Err(StorageError::PoolExhausted { frames: n })
    }

    fn unpin(&self, frame: usize) {
        let mut state = self.lock();
        let m = &mut state.meta[frame];
        debug_assert!(m.pins > 0, "invariant: unpin of a pinned frame");
        m.pins = m.pins.saturating_sub(1);
    }

    /// Writes every dirty unpinned page back to the file (no sync) and marks it clean.
    ///
    /// # Errors
    ///
    /// I/O errors of the writes; pages not yet written stay dirty.
    pub fn flush(&self) -> Result<()> {
        let mut state = self.lock();
        for frame in 0..self.frames.len() {
            let m = state.meta[frame];
            if let (Some(page), true, 0) = (m.page, m.dirty, m.pins) {
                let data = self.frames[frame]
                    .read()
                    .unwrap_or_else(PoisonError::into_inner);
                self.file.write_at(page * PAGE_SIZE_BYTES, &data)?;
                self.writebacks.fetch_add(1, Ordering::Relaxed);
                state.meta[frame].dirty = false;
            }
        }
        Ok(())
    }

    /// Forgets every unpinned frame holding a page in `start..end`, dirty or not, without
    /// writing it: for pages that were freed, reallocated or written around the pool.
    pub fn discard(&self, start: PageId, end: PageId) {
        let mut state = self.lock();
        for frame in 0..self.frames.len() {
            let m = state.meta[frame];
            if let Some(page) = m.page
                && (start..end).contains(&page)
                && m.pins == 0
            {
                state.table.remove(&page);
                state.meta[frame] = FrameMeta::default();
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fill {
    Read,
    Zero,
}

/// A page pinned for reading; unpinned on drop.
#[derive(Debug)]
pub struct PageRef<'p> {
    pool: &'p BufferPool,
    frame: usize,
    /// `Some` until drop, which releases the lock before unpinning.
    data: Option<RwLockReadGuard<'p, Box<[u8]>>>,
}

impl Deref for PageRef<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.data
            .as_ref()
            .expect("invariant: guard held until drop")
    }
}

impl Drop for PageRef<'_> {
    fn drop(&mut self) {
        self.data = None;
        self.pool.unpin(self.frame);
    }
}

/// A page pinned for writing (marked dirty); unpinned on drop.
#[derive(Debug)]
pub struct PageMut<'p> {
    pool: &'p BufferPool,
    frame: usize,
    /// `Some` until drop, which releases the lock before unpinning.
    data: Option<RwLockWriteGuard<'p, Box<[u8]>>>,
}

impl Deref for PageMut<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.data
            .as_ref()
            .expect("invariant: guard held until drop")
    }
}

impl DerefMut for PageMut<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.data
            .as_mut()
            .expect("invariant: guard held until drop")
    }
}

impl Drop for PageMut<'_> {
    fn drop(&mut self) {
        self.data = None;
        self.pool.unpin(self.frame);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{FaultPlan, FaultyBackend};

    fn pool_over(pages: u64, budget_frames: usize) -> (FaultyBackend, BufferPool) {
        let backend = FaultyBackend::new();
        let file = Arc::new(CheckedFile::new(Box::new(backend.clone())));
        for p in 0..pages {
            file.write_at(p * PAGE_SIZE_BYTES, &[p as u8; PAGE_SIZE])
                .expect("setup write");
        }
        let pool = BufferPool::new(file, budget_frames * (PAGE_SIZE + FRAME_OVERHEAD_BYTES));
        (backend, pool)
    }

    #[test]
    fn repeated_pins_hit_and_first_pins_miss() -> Result<()> {
        let (_, pool) = pool_over(4, 4);
        for p in 0..4u64 {
            assert_eq!(pool.pin(p)?[0], p as u8);
        }
        for p in 0..4u64 {
            assert_eq!(pool.pin(p)?[100], p as u8);
        }
        let s = pool.stats();
        assert_eq!((s.misses, s.hits, s.evictions), (4, 4, 0));
        Ok(())
    }

    #[test]
    fn eviction_under_pressure_keeps_contents_and_memory_bound() -> Result<()> {
        let budget_frames = 3;
        let (backend, pool) = pool_over(20, budget_frames);
        assert_eq!(pool.frames(), budget_frames);
        assert!(pool.memory_bytes() <= budget_frames * (PAGE_SIZE + FRAME_OVERHEAD_BYTES));
        for round in 0..3u8 {
            for p in 0..20u64 {
                let mut page = pool.pin_mut(p)?;
                assert_eq!(
                    page[7],
                    (p as u8).wrapping_add(round),
                    "page {p} round {round}"
                );
                page[7] = page[7].wrapping_add(1);
            }
        }
        pool.flush()?;
        let contents = backend.contents();
        for p in 0..20usize {
            assert_eq!(contents[p * PAGE_SIZE + 7], (p as u8).wrapping_add(3));
        }
        let s = pool.stats();
        assert_eq!(
            s.misses, 60,
            "a 3-frame pool cycling 20 pages misses every time"
        );
        assert_eq!(s.evictions, 57);
        assert_eq!(s.writebacks, 60);
        Ok(())
    }

    #[test]
    fn pinned_frames_are_never_evicted() -> Result<()> {
        let (_, pool) = pool_over(5, 2);
        let a = pool.pin(0)?;
        let b = pool.pin(1)?;
        assert!(matches!(
            pool.pin(2),
            Err(StorageError::PoolExhausted { frames: 2 })
        ));
        drop(b);
        assert_eq!(pool.pin(2)?[0], 2);
        assert_eq!(a[0], 0);
        Ok(())
    }

    #[test]
    fn clock_gives_recently_used_pages_a_second_chance() -> Result<()> {
        let (_, pool) = pool_over(4, 3);
        for p in 0..3 {
            pool.pin(p)?;
        }
        // Sweep clears all reference bits, evicts page 0 for page 3; hand now at frame 1.
        pool.pin(3)?;
        // Touch page 1: it gets a second chance, so page 2 is the next victim.
        pool.pin(1)?;
        pool.pin(0)?;
        let before = pool.stats().misses;
        pool.pin(1)?;
        assert_eq!(pool.stats().misses, before, "page 1 stayed resident");
        pool.pin(2)?;
        assert_eq!(pool.stats().misses, before + 1, "page 2 was evicted");
        Ok(())
    }

    #[test]
    fn new_pages_start_zeroed_and_discard_drops_dirty_frames() -> Result<()> {
        let (backend, pool) = pool_over(2, 4);
        {
            let mut p = pool.pin_new(5)?;
            assert!(p.iter().all(|&b| b == 0));
            p[0] = 9;
        }
        pool.discard(5, 6);
        pool.flush()?;
        assert_eq!(
            backend.contents().len(),
            2 * PAGE_SIZE,
            "discarded page never written"
        );
        Ok(())
    }

    #[test]
    fn concurrent_pins_under_eviction_see_their_own_page() {
        // 4 threads, 8 frames, 64 pages: constant eviction while guards are held and dropped
        // on other threads. Each page holds its own number in every byte; each thread also
        // rewrites its own pages (so dirty write-back races with reads of other pages).
        let (backend, pool) = pool_over(64, 8);
        std::thread::scope(|scope| {
            for t in 0..4u64 {
                let pool = &pool;
                scope.spawn(move || {
                    let mut x = t + 1;
                    for _ in 0..2000 {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let page = (x >> 33) % 64;
                        if page % 4 == t && (x >> 20) % 2 == 0 {
                            let mut p = pool.pin_mut(page).expect("a frame is free");
                            let v = p[0];
                            assert!(p.iter().all(|&b| b == v), "torn page {page}");
                            p.fill(v);
                        } else {
                            let p = pool.pin(page).expect("a frame is free");
                            assert!(p.iter().all(|&b| b == page as u8), "page {page} mixed up");
                        }
                    }
                });
            }
        });
        pool.flush().expect("flush");
        let contents = backend.contents();
        for p in 0..64usize {
            assert!(
                contents[p * PAGE_SIZE..(p + 1) * PAGE_SIZE]
                    .iter()
                    .all(|&b| b == p as u8)
            );
        }
        let s = pool.stats();
        assert_eq!(s.hits + s.misses, 8000);
        assert!(s.evictions > 0);
    }

    #[test]
    fn failed_write_back_is_reported_and_later_writes_refused() -> Result<()> {
        let (backend, pool) = pool_over(3, 1);
        let writes = backend.counts().writes;
        backend.set_plan(FaultPlan {
            fail_write: Some(writes),
            ..FaultPlan::default()
        });
        pool.pin_mut(0)?[0] = 42;
        assert!(matches!(
            pool.pin(1),
            Err(StorageError::Io { op: "write", .. })
        ));
        assert!(matches!(pool.flush(), Err(StorageError::PreviousIo)));
        Ok(())
    }
}
