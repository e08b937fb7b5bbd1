//! The in-memory key table: deduplicating hash table used by the fast path and by each
//! partition build of the out-of-core path.
//!
//! HOW IT WORKS. Entries (key, node offset, first line) are appended to chunked columns
//! (chunks of 2^13 entries, never reallocated, so growth never copies them and never needs
//! twice their memory). A separate open-addressing table of `u64` slots with linear probing
//! finds them: a slot holds the top 32 bits of the key's hash (`h32`) in its high half and
//! `entry index + 1` in its low half (0 = empty). The home slot of a key is the top bits of
//! `h32`, so the slot array is ordered by hash except for short probe runs; that makes a rehash
//! nearly sequential and lets [`MemTable::sorted_slots`] sort the entries by hash cheaply,
//! which is the order the on-disk pages want.
//!
//! WHAT BREAKS IT. A slot stores only 32 bits of hash, so `h32` must stay the top bits of the
//! full hash (the pages and the reader rely on it) and equality is always confirmed on the key.

use super::key::KeyLayout;

const CHUNK_SHIFT: usize = 13;
const CHUNK_LEN: usize = 1 << CHUNK_SHIFT;
const CHUNK_MASK: usize = CHUNK_LEN - 1;
/// Bytes of the largest arena segment (the first ones are smaller); a longer key gets a
/// segment of its own size.
const SEGMENT_BYTES: usize = 1 << 20;
const FIRST_SEGMENT_BYTES: usize = 16 * 1024;
/// Load factor limit, as numerator / denominator.
const MAX_LOAD_NUM: usize = 4;
const MAX_LOAD_DEN: usize = 5;
const MIN_SLOTS: usize = 1 << 10;

/// A column of values in fixed chunks of 2^13: appends never move existing values.
#[derive(Debug, Default)]
struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T: Copy> Chunked<T> {
    #[inline]
    fn push(&mut self, value: T) {
        if self.len & CHUNK_MASK == 0 {
            // The first chunk grows as a Vec does, so that small tables stay small; later
            // chunks are allocated whole and never move.
            let capacity = if self.chunks.is_empty() { 0 } else { CHUNK_LEN };
            self.chunks.push(Vec::with_capacity(capacity));
        }
        self.chunks
            .last_mut()
            .expect("invariant: a chunk was pushed when len reached a multiple of CHUNK_LEN")
            .push(value);
        self.len += 1;
    }

    #[inline]
    fn get(&self, index: usize) -> &T {
        &self.chunks[index >> CHUNK_SHIFT][index & CHUNK_MASK]
    }

    #[inline]
    fn get_mut(&mut self, index: usize) -> &mut T {
        &mut self.chunks[index >> CHUNK_SHIFT][index & CHUNK_MASK]
    }

    /// Heap bytes once `len` values are held (for a first chunk still growing: while it is
    /// reallocated, old and new buffers both count).
    fn bytes_for(len: usize) -> usize {
        let chunk_list = len.div_ceil(CHUNK_LEN).next_power_of_two() * size_of::<Vec<T>>();
        if len <= CHUNK_LEN {
            let capacity = len.next_power_of_two().max(4);
            chunk_list + (capacity + capacity / 2) * size_of::<T>()
        } else {
            chunk_list + len.div_ceil(CHUNK_LEN) * CHUNK_LEN * size_of::<T>()
        }
    }
}

/// Bytes of variable-size keys, in segments that are never reallocated. A key never spans two
/// segments; its location is `segment << 32 | position`.
#[derive(Debug, Default)]
struct ByteArena {
    segments: Vec<Vec<u8>>,
    allocated: usize,
}

impl ByteArena {
    fn push(&mut self, bytes: &[u8]) -> u64 {
        let fits = self
            .segments
            .last()
            .is_some_and(|s| s.capacity() - s.len() >= bytes.len());
        if !fits {
            let grown = (self.allocated / 2).clamp(FIRST_SEGMENT_BYTES, SEGMENT_BYTES);
            let capacity = grown.max(bytes.len());
            self.allocated += capacity;
            self.segments.push(Vec::with_capacity(capacity));
        }
        let index = self.segments.len() - 1;
        let segment = &mut self.segments[index];
        let position = segment.len();
        segment.extend_from_slice(bytes);
        ((index as u64) << 32) | position as u64
    }

    #[inline]
    fn get(&self, location: u64, len: u32) -> &[u8] {
        let position = (location & 0xffff_ffff) as usize;
        &self.segments[(location >> 32) as usize][position..position + len as usize]
    }

    /// Bytes allocated after keys of `extra` more bytes in total are added (a conservative
    /// bound: segment tails a key did not fit into are wasted).
    fn bytes_after(&self, extra: usize) -> usize {
        let free = self.segments.last().map_or(0, |s| s.capacity() - s.len());
        if extra <= free {
            self.allocated
        } else {
            self.allocated + extra + extra / 4 + SEGMENT_BYTES
        }
    }
}

/// The keys of a table, stored by layout.
#[derive(Debug)]
enum KeyStore {
    Fixed8(Chunked<[u8; 8]>),
    Fixed16(Chunked<[u8; 16]>),
    /// Location in the arena and length of each key.
    Var(Chunked<(u64, u32)>, ByteArena),
}

impl KeyStore {
    #[inline]
    fn push(&mut self, key: &[u8]) {
        match self {
            KeyStore::Fixed8(c) => c.push(key.try_into().expect("invariant: Fixed8 key")),
            KeyStore::Fixed16(c) => c.push(key.try_into().expect("invariant: Fixed16 key")),
            KeyStore::Var(c, arena) => {
                let len = u32::try_from(key.len()).expect("invariant: keys are < 4 GiB");
                let location = arena.push(key);
                c.push((location, len));
            }
        }
    }

    #[inline]
    fn get(&self, index: usize) -> &[u8] {
        match self {
            KeyStore::Fixed8(c) => c.get(index),
            KeyStore::Fixed16(c) => c.get(index),
            KeyStore::Var(c, arena) => {
                let (location, len) = *c.get(index);
                arena.get(location, len)
            }
        }
    }

    #[inline]
    fn eq(&self, index: usize, key: &[u8]) -> bool {
        match self {
            KeyStore::Fixed8(c) => c.get(index)[..] == *key,
            KeyStore::Fixed16(c) => c.get(index)[..] == *key,
            KeyStore::Var(..) => self.get(index) == key,
        }
    }

    /// Heap bytes once `len` keys are held, `extra_bytes` of them new variable-size bytes.
    fn bytes_for(&self, len: usize, extra_bytes: usize) -> usize {
        match self {
            KeyStore::Fixed8(_) => Chunked::<[u8; 8]>::bytes_for(len),
            KeyStore::Fixed16(_) => Chunked::<[u8; 16]>::bytes_for(len),
            KeyStore::Var(_, arena) => {
                Chunked::<(u64, u32)>::bytes_for(len) + arena.bytes_after(extra_bytes)
            }
        }
    }
}

/// An in-memory table of unique keys, each with a node offset and the line it came from.
///
/// Bound: [`MemTable::memory_bytes`] is exact for its own allocations; callers check
/// [`MemTable::memory_after`] before inserting, once per batch or per record.
#[derive(Debug)]
pub(crate) struct MemTable {
    keys: KeyStore,
    offsets: Chunked<u64>,
    lines: Chunked<u64>,
    /// `h32 << 32 | (index + 1)`, 0 = empty; length a power of two, at most 80 % full.
    slots: Vec<u64>,
    /// log2 of `slots.len()`.
    slot_bits: u32,
    /// Top bits of h32 that every key of the table shares (a spill partition's number);
    /// the home slot is taken from the bits below them.
    prefix_bits: u32,
}

/// What [`MemTable::insert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Insert {
    /// The key was new; it is entry `index`.
    New,
    /// The key is already entry `index`; nothing was stored.
    Exists(usize),
}

impl MemTable {
    /// An empty table with room for about `expected` keys before its slot array grows, for
    /// keys that share their top `prefix_bits` hash bits.
    pub(crate) fn new(layout: KeyLayout, expected: usize, prefix_bits: u32) -> Self {
        let keys = match layout {
            KeyLayout::Fixed8 => KeyStore::Fixed8(Chunked::default()),
            KeyLayout::Fixed16 => KeyStore::Fixed16(Chunked::default()),
            KeyLayout::Var => KeyStore::Var(Chunked::default(), ByteArena::default()),
        };
        let slots = slots_for(expected);
        MemTable {
            keys,
            offsets: Chunked::default(),
            lines: Chunked::default(),
            slots: vec![0; slots],
            slot_bits: slots.trailing_zeros(),
            prefix_bits: prefix_bits.min(32),
        }
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len
    }

    /// Heap bytes held now.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.memory_after(0, 0)
    }

    /// Heap bytes that inserting `extra` more keys holding `extra_bytes` variable-size bytes in
    /// total can reach, including the moment a slot array is rebuilt (old and new both live).
    pub(crate) fn memory_after(&self, extra: usize, extra_bytes: usize) -> usize {
        let len = self.len() + extra;
        let wanted = slots_for(len);
        // While the last rebuild runs, the old array (half the new one) is alive too.
        let slot_bytes = if wanted > self.slots.len() {
            (wanted + wanted / 2) * 8
        } else {
            self.slots.len() * 8
        };
        self.keys.bytes_for(len, extra_bytes) + Chunked::<u64>::bytes_for(len) * 2 + slot_bytes
    }

    /// Grows the slot array now so that `extra` more keys fit under the load limit.
    pub(crate) fn reserve(&mut self, extra: usize) {
        let wanted = slots_for(self.len() + extra);
        if wanted > self.slots.len() {
            self.rehash(wanted);
        }
    }

    fn rehash(&mut self, new_len: usize) {
        let old = std::mem::replace(&mut self.slots, vec![0; new_len]);
        self.slot_bits = new_len.trailing_zeros();
        let mask = new_len - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let mut i = self.home(slot >> 32);
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    /// Home slot of a key: the `slot_bits` bits of h32 below the shared prefix, so that slot
    /// order follows hash order.
    #[inline]
    fn home(&self, h32: u64) -> usize {
        (((h32 << self.prefix_bits) & 0xffff_ffff) >> (32 - self.slot_bits)) as usize
    }

    /// Inserts `key` (with hash `hash`) as node `offset` from `line`, unless it is present.
    ///
    /// # Panics
    ///
    /// If the table holds 2^32 - 1 entries already (callers bound tables by memory far below).
    #[inline]
    pub(crate) fn insert(&mut self, hash: u64, key: &[u8], offset: u64, line: u64) -> Insert {
        if (self.len() + 1) * MAX_LOAD_DEN > self.slots.len() * MAX_LOAD_NUM {
            self.rehash(self.slots.len() * 2);
        }
        let h32 = hash >> 32;
        let mask = self.slots.len() - 1;
        let mut i = self.home(h32);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                break;
            }
            if slot >> 32 == h32 {
                let index = (slot & 0xffff_ffff) as usize - 1;
                if self.keys.eq(index, key) {
                    return Insert::Exists(index);
                }
            }
            i = (i + 1) & mask;
        }
        let index = self.len();
        assert!(
            index < u32::MAX as usize,
            "invariant: a table holds fewer than 2^32 - 1 entries"
        );
        self.slots[i] = (h32 << 32) | (index as u64 + 1);
        self.keys.push(key);
        self.offsets.push(offset);
        self.lines.push(line);
        Insert::New
    }

    /// Reads the home slot of `hash` and returns it, so that a batch can touch all its home
    /// slots first: those loads are independent, the core overlaps their cache misses, and
    /// the inserts that follow find the lines in cache (a prefetch without `unsafe`).
    #[inline]
    pub(crate) fn touch(&self, hash: u64) -> u64 {
        self.slots[self.home(hash >> 32)]
    }

    /// The entry holding `key` (with hash `hash`), if any.
    #[inline]
    pub(crate) fn find(&self, hash: u64, key: &[u8]) -> Option<usize> {
        let h32 = hash >> 32;
        let mask = self.slots.len() - 1;
        let mut i = self.home(h32);
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == h32 {
                let index = (slot & 0xffff_ffff) as usize - 1;
                if self.keys.eq(index, key) {
                    return Some(index);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Key bytes of entry `index`.
    #[inline]
    pub(crate) fn key(&self, index: usize) -> &[u8] {
        self.keys.get(index)
    }

    /// Node offset of entry `index`.
    #[inline]
    pub(crate) fn offset(&self, index: usize) -> u64 {
        *self.offsets.get(index)
    }

    /// Line of entry `index`.
    #[inline]
    pub(crate) fn line(&self, index: usize) -> u64 {
        *self.lines.get(index)
    }

    /// Replaces the node offset and line of entry `index` (an earlier occurrence was found).
    pub(crate) fn set_value(&mut self, index: usize, offset: u64, line: u64) {
        *self.offsets.get_mut(index) = offset;
        *self.lines.get_mut(index) = line;
    }

    /// Consumes the slot array into the entries ordered by `h32`: each item is
    /// `h32 << 32 | (index + 1)`, sorted as a `u64`. The entries stay readable through
    /// [`MemTable::key`] etc.
    pub(crate) fn sorted_slots(&mut self) -> Vec<u64> {
        let mut slots = std::mem::take(&mut self.slots);
        // Slot order is home order, except inside probe clusters and for the entries of the
        // first cluster that wrapped around from the end of the array (home > position):
        // move those to the end, then an insertion sort only fixes short local inversions.
        let first_empty = slots.iter().position(|&s| s == 0).unwrap_or(slots.len());
        let mut wrapped = Vec::new();
        for (i, slot) in slots[..first_empty].iter_mut().enumerate() {
            if self.home(*slot >> 32) > i {
                wrapped.push(*slot);
                *slot = 0;
            }
        }
        slots.retain(|&s| s != 0);
        slots.extend_from_slice(&wrapped);
        nearly_sorted_sort(&mut slots);
        slots
    }
}

/// Sorts `v`, in linear time when every element is only a short way from its place; falls
/// back to a general sort when that is not so (many keys sharing an h32).
fn nearly_sorted_sort(v: &mut [u64]) {
    let budget = v.len().saturating_mul(16) + 1024;
    let mut moves = 0usize;
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
        moves += i - j;
        if moves > budget {
            v.sort_unstable();
            return;
        }
    }
}

/// Slot count (a power of two) that holds `keys` under the load limit.
fn slots_for(keys: usize) -> usize {
    (keys * MAX_LOAD_DEN / MAX_LOAD_NUM + 1)
        .next_power_of_two()
        .max(MIN_SLOTS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::pk_index::key::{hash_bytes, hash_u64};

    #[test]
    fn finds_inserted_keys_and_refuses_duplicates() {
        let mut t = MemTable::new(KeyLayout::Fixed8, 0, 0);
        for k in 0..10_000u64 {
            let b = k.to_le_bytes();
            assert_eq!(t.insert(hash_u64(k), &b, k, k + 2), Insert::New);
        }
        for k in (0..10_000u64).step_by(7) {
            let b = k.to_le_bytes();
            assert_eq!(
                t.insert(hash_u64(k), &b, 99, 99),
                Insert::Exists(k as usize)
            );
        }
        assert_eq!(t.len(), 10_000);
        assert_eq!(t.line(42), 44);
        let sorted = t.sorted_slots();
        assert_eq!(sorted.len(), 10_000);
        assert!(sorted.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn variable_keys_compare_bytewise() {
        let mut t = MemTable::new(KeyLayout::Var, 4, 0);
        let long = vec![b'x'; 3 * SEGMENT_BYTES];
        let keys: [&[u8]; 4] = [b"", b"a", b"ab", &long];
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.insert(hash_bytes(k), k, i as u64, 1), Insert::New);
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.insert(hash_bytes(k), k, 9, 9), Insert::Exists(i));
            assert_eq!(t.key(i), *k);
        }
    }

    #[test]
    fn memory_estimate_covers_what_is_allocated() {
        let mut t = MemTable::new(KeyLayout::Fixed8, 0, 0);
        let predicted = t.memory_after(100_000, 0);
        for k in 0..100_000u64 {
            t.insert(hash_u64(k), &k.to_le_bytes(), k, k);
        }
        assert!(t.memory_bytes() <= predicted);
        assert!(t.memory_bytes() >= 100_000 * 24);
    }
}
