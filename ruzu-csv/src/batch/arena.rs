//! The batch arena: variable-size column data in a `bumpalo::Bump`, addressed by handles.
//!
//! Unsafe lives here, and only here in this crate: a [`Bump`] hands out references tied to
//! `&self`, but a batch must keep its string bytes beside the arena that owns them. So an
//! allocation is remembered as an [`ArenaSlice`] handle (address, length, arena id, generation)
//! and turned back into a slice only through the arena that made it, with the handle checked
//! first:
//!
//! * the arena id proves the handle came from *this* arena;
//! * the generation proves the arena was not reset (or shrunk) since the allocation;
//! * shared access goes through `&self` and exclusive access through `&mut self`, so the borrow
//!   checker rules out a mutable slice alive beside any other slice of the same arena;
//! * handles are not `Clone`, and each allocation is a fresh, disjoint region of the bump.
//!
//! A handle that fails the check is a bug in this crate (a batch mixed up its buffers), so the
//! check panics rather than returning an error.
#![expect(
    unsafe_code,
    reason = "handles into a bump arena owned by the same batch; see the module docs"
)]

use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use bumpalo::Bump;

/// Source of arena ids: every arena gets a distinct one for its whole life.
static NEXT_ARENA_ID: AtomicU64 = AtomicU64::new(1);

/// A bump arena that can be reset and shrunk, owned by one batch.
///
/// Bound: between two resets it holds what one batch allocated; `reset` shrinks it back to
/// `normal_capacity_bytes` when an unusual batch made it grow past twice that.
pub(crate) struct Arena {
    bump: Bump,
    /// Distinct per arena; stamped into every handle.
    id: u64,
    /// Bumped by every reset; stamped into every handle.
    generation: u64,
    /// The capacity the arena is shrunk back to after an unusually large batch.
    normal_capacity_bytes: usize,
}

/// A region of an [`Arena`], valid until that arena's next reset.
///
/// Not `Clone`: exactly one handle names each region.
#[derive(Debug)]
pub(crate) struct ArenaSlice {
    ptr: NonNull<u8>,
    len: usize,
    arena_id: u64,
    generation: u64,
}

// SAFETY: an `ArenaSlice` is only an address plus stamps; it grants no access by itself. Bytes
// are reached only through `Arena::bytes`/`bytes_mut`, which borrow the owning arena, and the
// arena (a `Bump`) is itself `Send`. Moving the handle to another thread together with its
// arena (they travel inside one `Batch`) therefore cannot create shared mutable access.
unsafe impl Send for ArenaSlice {}

impl Arena {
    /// An arena whose normal size is `normal_capacity_bytes`, allocated up front.
    pub(crate) fn with_capacity(normal_capacity_bytes: usize) -> Self {
        Arena {
            bump: Bump::with_capacity(normal_capacity_bytes),
            id: NEXT_ARENA_ID.fetch_add(1, Ordering::Relaxed),
            generation: 0,
            normal_capacity_bytes,
        }
    }

    /// Allocates `len` zeroed bytes.
    pub(crate) fn alloc_zeroed(&self, len: usize) -> ArenaSlice {
        let slice: &mut [u8] = self.bump.alloc_slice_fill_copy(len, 0u8);
        ArenaSlice {
            ptr: NonNull::from(&mut *slice).cast::<u8>(),
            len,
            arena_id: self.id,
            generation: self.generation,
        }
    }

    /// Allocates `new_len` bytes, copies the bytes of `old` to their start and zeroes the rest;
    /// `old` is consumed (its space stays in the bump until the next reset).
    ///
    /// # Panics
    ///
    /// If `old` was not allocated by this arena since its last reset, or `new_len < old.len`.
    pub(crate) fn grow(&self, old: ArenaSlice, new_len: usize) -> ArenaSlice {
        self.check(&old);
        assert!(new_len >= old.len, "invariant: an arena slice only grows");
        let new: &mut [u8] = self.bump.alloc_slice_fill_copy(new_len, 0u8);
        debug_assert!(old.len <= new.len());
        // SAFETY: `check` proved `old` is a live, initialized region of this bump of `old.len`
        // bytes. `new` is a fresh allocation, so the two do not overlap, and no `&mut` to `old`
        // can exist while `&self` is borrowed here.
        let old_bytes = unsafe { std::slice::from_raw_parts(old.ptr.as_ptr(), old.len) };
        new[..old.len].copy_from_slice(old_bytes);
        ArenaSlice {
            ptr: NonNull::from(&mut *new).cast::<u8>(),
            len: new_len,
            arena_id: self.id,
            generation: self.generation,
        }
    }

    /// Length in bytes of `slice`.
    pub(crate) fn len_of(slice: &ArenaSlice) -> usize {
        slice.len
    }

    fn check(&self, slice: &ArenaSlice) {
        assert!(
            slice.arena_id == self.id && slice.generation == self.generation,
            "invariant: an arena slice is used only with its own arena, before the next reset"
        );
    }

    /// The bytes of `slice`.
    ///
    /// # Panics
    ///
    /// If `slice` was not allocated by this arena since its last reset.
    pub(crate) fn bytes<'a>(&'a self, slice: &'a ArenaSlice) -> &'a [u8] {
        self.check(slice);
        debug_assert!(slice.len <= self.bump.allocated_bytes());
        // SAFETY: `check` proved the region was allocated by `self.bump` in the current
        // generation, so it is live, initialized (zero-filled at allocation) and `len` bytes
        // long. Returning it under `&self` is sound: mutation needs `&mut self`.
        unsafe { std::slice::from_raw_parts(slice.ptr.as_ptr(), slice.len) }
    }

    /// The bytes of `slice`, mutably.
    ///
    /// # Panics
    ///
    /// If `slice` was not allocated by this arena since its last reset.
    pub(crate) fn bytes_mut<'a>(&'a mut self, slice: &'a ArenaSlice) -> &'a mut [u8] {
        self.check(slice);
        debug_assert!(slice.len <= self.bump.allocated_bytes());
        // SAFETY: as in `bytes`, the region is live and initialized. `&mut self` guarantees no
        // other slice of this arena is borrowed, and regions never overlap, so this is the only
        // live reference to these bytes.
        unsafe { std::slice::from_raw_parts_mut(slice.ptr.as_ptr(), slice.len) }
    }

    /// Releases every allocation; handles made before this call become invalid.
    ///
    /// An arena that grew past twice its normal capacity (an unusually large batch) is replaced
    /// by a fresh one of normal capacity, so memory returns to its steady-state size.
    pub(crate) fn reset(&mut self) {
        self.generation += 1;
        if self.bump.allocated_bytes() > 2 * self.normal_capacity_bytes.max(4096) {
            self.bump = Bump::with_capacity(self.normal_capacity_bytes);
        } else {
            self.bump.reset();
        }
    }

    /// Bytes the arena holds from the allocator (its chunks), used or not.
    pub(crate) fn allocated_bytes(&self) -> usize {
        self.bump.allocated_bytes()
    }
}

impl std::fmt::Debug for Arena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arena")
            .field("allocated_bytes", &self.bump.allocated_bytes())
            .field("generation", &self.generation)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_are_disjoint_and_zeroed() {
        let mut arena = Arena::with_capacity(64);
        let a = arena.alloc_zeroed(10);
        let b = arena.alloc_zeroed(20);
        assert!(arena.bytes(&a).iter().all(|&x| x == 0));
        arena.bytes_mut(&a).fill(1);
        arena.bytes_mut(&b).fill(2);
        assert!(arena.bytes(&a).iter().all(|&x| x == 1));
        assert!(arena.bytes(&b).iter().all(|&x| x == 2));
    }

    #[test]
    #[should_panic(expected = "before the next reset")]
    fn slice_from_before_reset_is_refused() {
        let mut arena = Arena::with_capacity(64);
        let a = arena.alloc_zeroed(10);
        arena.reset();
        let _ = arena.bytes(&a);
    }

    #[test]
    #[should_panic(expected = "its own arena")]
    fn slice_from_other_arena_is_refused() {
        let one = Arena::with_capacity(64);
        let two = Arena::with_capacity(64);
        let a = one.alloc_zeroed(10);
        let _ = two.bytes(&a);
    }

    #[test]
    fn reset_shrinks_an_arena_that_grew() {
        let mut arena = Arena::with_capacity(1 << 12);
        for _ in 0..64 {
            let _ = arena.alloc_zeroed(1 << 16);
        }
        assert!(arena.allocated_bytes() > 1 << 20);
        arena.reset();
        assert!(arena.allocated_bytes() < 1 << 14);
    }
}
