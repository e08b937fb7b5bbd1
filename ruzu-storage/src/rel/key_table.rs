//! [`KeyTable`]: node offsets by integer key, in memory, for resolving rel endpoints at a few
//! nanoseconds per key.
//!
//! # How it works
//!
//! An open-addressing table of 12-byte slots (`key` as two `u32` halves, node offset as `u32`,
//! `u32::MAX` marking an empty slot). The home slot of a key is `h32 * home_slots >> 32`, where
//! `h32` is the top half of the primary-key index's own hash ([`hash_u64`]): monotone in `h32`,
//! exactly like the index's home pages. The index image lists its entries in `h32` order, so
//! the table is filled by one sequential pass over the image, each entry going to the first
//! free slot at or after its home (ordered linear probing: every slot between a key's home and
//! its slot is taken, so a lookup scans from the home to the key or to the first empty slot).
//! Slots that run past the last home slot go to a tail after it.
//!
//! Load factor [`LOAD_PERCENT`]: about 15 bytes per key. A lookup touches one or two
//! neighbouring cache lines; [`KeyTable::lookup_batch`] first computes every home slot of a
//! batch, then loads them in one tight loop (independent loads, so the CPU keeps many cache
//! misses in flight), then finishes each probe.
//!
//! Only keys of the `Fixed8` layout (integers up to 64 bits, `DATE`, `TIMESTAMP`) and node
//! offsets below `u32::MAX` are held; other endpoints resolve through the index pages.

use crate::node::pk_index::hash_u64;

/// Slots per 100 keys is `100 * 100 / LOAD_PERCENT`.
pub(crate) const LOAD_PERCENT: u64 = 80;
/// Bytes of one slot.
pub(crate) const SLOT_BYTES: usize = 12;
/// Offset of an empty slot (and the most nodes a table can hold).
const EMPTY: u32 = u32::MAX;
/// Keys resolved together by [`KeyTable::lookup_batch`].
const LANE: usize = 32;

/// Node offsets by normalized 8-byte key (see the module docs).
///
/// Bound: [`KeyTable::bytes_for`] of its keys, fixed when it is built.
#[derive(Debug)]
pub(crate) struct KeyTable {
    slots: Vec<[u32; 3]>,
    home_slots: u64,
    keys: u64,
}

impl KeyTable {
    /// Bytes a table of `keys` keys holds (what the sink checks against its budget).
    pub(crate) fn bytes_for(keys: u64) -> u64 {
        Self::home_slots_for(keys).saturating_mul(SLOT_BYTES as u64) + 4096
    }

    fn home_slots_for(keys: u64) -> u64 {
        (keys.saturating_mul(100) / LOAD_PERCENT).max(1)
    }

    /// Whether a table can hold `keys` keys of nodes with offsets below `nodes`.
    pub(crate) fn can_hold(nodes: u64) -> bool {
        nodes < u64::from(EMPTY)
    }

    /// An empty table sized for `keys` keys, to be filled in hash order with
    /// [`KeyTable::push_sorted`].
    pub(crate) fn with_keys(keys: u64) -> Self {
        let home_slots = Self::home_slots_for(keys);
        let len = usize::try_from(home_slots).expect("invariant: sized from the budget");
        KeyTable {
            slots: vec![[0, 0, EMPTY]; len],
            home_slots,
            keys: 0,
        }
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.slots.capacity() * SLOT_BYTES
    }

    /// Keys held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        self.keys
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        let h32 = hash_u64(key) >> 32;
        ((h32 * self.home_slots) >> 32) as usize
    }

    /// Adds `key` with node offset `offset`. Keys must come in nondecreasing order of the
    /// top 32 bits of their hash (the index image's order); `last` is the slot the previous
    /// key took (`None` for the first key); returns the slot this one took.
    pub(crate) fn push_sorted(&mut self, key: u64, offset: u64, last: Option<usize>) -> usize {
        debug_assert!(Self::can_hold(offset + 1));
        let home = self.home(key);
        debug_assert!(last.is_none_or(|l| home >= self.home_of_slot(l)));
        let slot = match last {
            Some(l) if l >= home => l + 1,
            _ => home,
        };
        if slot >= self.slots.len() {
            self.slots.push([0, 0, EMPTY]);
        }
        self.slots[slot] = [key as u32, (key >> 32) as u32, offset as u32];
        self.keys += 1;
        slot
    }

    #[cfg(debug_assertions)]
    fn home_of_slot(&self, slot: usize) -> usize {
        let [lo, hi, _] = self.slots[slot];
        self.home(u64::from(lo) | u64::from(hi) << 32)
    }

    #[cfg(not(debug_assertions))]
    fn home_of_slot(&self, _slot: usize) -> usize {
        0
    }

    /// The node offset of `key`, if the table holds it.
    #[cfg(test)]
    pub(crate) fn lookup(&self, key: u64) -> Option<u64> {
        self.probe(key, self.home(key))
    }

    #[inline]
    fn probe(&self, key: u64, home: usize) -> Option<u64> {
        let (lo, hi) = (key as u32, (key >> 32) as u32);
        for s in &self.slots[home..] {
            if s[2] == EMPTY {
                return None;
            }
            if s[0] == lo && s[1] == hi {
                return Some(u64::from(s[2]));
            }
        }
        None
    }

    /// Node offsets of `keys` into `out` (cleared first): `u64::MAX` for a key not held and
    /// for rows whose `valid` bit is clear.
    pub(crate) fn lookup_batch(
        &self,
        keys: &[u64],
        valid: impl Fn(usize) -> bool,
        out: &mut Vec<u64>,
    ) {
        out.clear();
        out.reserve(keys.len());
        let mut homes = [0usize; LANE];
        let mut first = [[0u32; 3]; LANE];
        for (lane, chunk) in keys.chunks(LANE).enumerate() {
            let base = lane * LANE;
            for (h, &k) in homes.iter_mut().zip(chunk) {
                *h = self.home(k);
            }
            // Independent loads: the CPU overlaps their cache misses.
            for (f, &h) in first.iter_mut().zip(&homes[..chunk.len()]) {
                *f = self.slots[h];
            }
            for (i, &k) in chunk.iter().enumerate() {
                let f = first[i];
                let found = if !valid(base + i) || f[2] == EMPTY {
                    None
                } else if f[0] == k as u32 && f[1] == (k >> 32) as u32 {
                    Some(u64::from(f[2]))
                } else {
                    self.probe(k, homes[i] + 1)
                };
                out.push(found.unwrap_or(u64::MAX));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of `keys` (node offset = position), filled the way an index image lists them.
    fn table_of(keys: &[u64]) -> KeyTable {
        let mut sorted: Vec<(u64, u64, u64)> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (hash_u64(k) >> 32, k, i as u64))
            .collect();
        sorted.sort();
        let mut t = KeyTable::with_keys(keys.len() as u64);
        let mut last = None;
        for (_, k, offset) in sorted {
            last = Some(t.push_sorted(k, offset, last));
        }
        t
    }

    #[test]
    fn finds_every_key_and_no_other() {
        let keys: Vec<u64> = (0..5000u64).map(|i| i * 7919 + 1_000_000_000_000).collect();
        let t = table_of(&keys);
        assert_eq!(t.len(), 5000);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.lookup(k), Some(i as u64));
        }
        for k in [0, 1, 1_000_000_000_001, u64::MAX] {
            assert_eq!(t.lookup(k), None);
        }
        let mut out = Vec::new();
        let probe: Vec<u64> = keys.iter().copied().chain([3, 5]).collect();
        t.lookup_batch(&probe, |i| i != 7, &mut out);
        for (i, &o) in out.iter().enumerate() {
            let expected = if i == 7 || i >= keys.len() {
                u64::MAX
            } else {
                i as u64
            };
            assert_eq!(o, expected, "row {i}");
        }
    }

    #[test]
    fn keys_that_crowd_the_last_home_slots_go_to_the_tail() {
        // Keys whose hashes are the largest: they all crowd the end of the table.
        let mut keys: Vec<u64> = (0..200_000u64).collect();
        keys.sort_by_key(|&k| std::cmp::Reverse(hash_u64(k) >> 32));
        keys.truncate(64);
        let t = table_of(&keys);
        for (i, &k) in keys.iter().enumerate() {
            assert_eq!(t.lookup(k), Some(i as u64));
        }
    }

    #[test]
    fn memory_is_what_bytes_for_says() {
        let t = KeyTable::with_keys(10_000);
        assert!(t.memory_bytes() as u64 <= KeyTable::bytes_for(10_000));
    }
}
