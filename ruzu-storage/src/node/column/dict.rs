//! A bounded string dictionary: distinct byte strings in first-seen order, found by an
//! open-addressing hash table.
//!
//! Entries live back to back in one byte buffer (no allocation per string); the table holds
//! `(hash high 32 bits, code + 1)` pairs, 0 meaning empty, and is kept at most half full.
//! Bound: at most [`MAX_DICT_ENTRIES`] entries; [`Dict::intern`] refuses the next distinct
//! value, and the encoder then gives up on the dictionary for the chunk.

/// Most distinct values a chunk dictionary may hold (codes then fit in 16 bits).
pub(crate) const MAX_DICT_ENTRIES: usize = 1 << 16;

const INITIAL_SLOTS: usize = 1024;

#[derive(Debug)]
pub(crate) struct Dict {
    /// `(hash >> 32) << 32 | (code + 1)`; 0 = empty. Length is a power of two.
    slots: Vec<u64>,
    /// Start of entry `code` in `bytes`; one more than entries, starting at 0.
    offsets: Vec<u32>,
    bytes: Vec<u8>,
}

impl Default for Dict {
    fn default() -> Self {
        Dict {
            slots: vec![0; INITIAL_SLOTS],
            offsets: vec![0],
            bytes: Vec::new(),
        }
    }
}

#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// A fast non-cryptographic hash of a byte string (folded multiply, 8 bytes at a time).
#[inline]
pub(crate) fn hash_bytes(s: &[u8]) -> u64 {
    const K0: u64 = 0x243F_6A88_85A3_08D3;
    const K1: u64 = 0x1319_8A2E_0370_7344;
    let mut h = K0 ^ (s.len() as u64);
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("invariant: 8-byte chunk"));
        h = fold_mul(h ^ w, K1);
    }
    // The last 1..=7 bytes, read without a copy through the stack (wyhash's trick: two
    // overlapping 4-byte reads, or three single bytes); the length is already in `h`.
    let rest = chunks.remainder();
    let n = rest.len();
    let tail = if n >= 4 {
        let lo = u32::from_le_bytes(rest[..4].try_into().expect("invariant: 4 bytes"));
        let hi = u32::from_le_bytes(rest[n - 4..].try_into().expect("invariant: 4 bytes"));
        u64::from(lo) | u64::from(hi) << 32
    } else if n > 0 {
        u64::from(rest[0]) | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]) << 16
    } else {
        0
    };
    fold_mul(h ^ tail, K1 ^ K0)
}

impl Dict {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Bytes of all entries.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Entry offsets (one more than entries, starting at 0).
    pub(crate) fn offsets(&self) -> &[u32] {
        &self.offsets
    }

    pub(crate) fn clear(&mut self) {
        self.slots.fill(0);
        self.offsets.truncate(1);
        self.bytes.clear();
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.slots.capacity() * 8 + self.offsets.capacity() * 4 + self.bytes.capacity()
    }

    /// The code of `s`, adding it if new; `None` when adding would exceed
    /// [`MAX_DICT_ENTRIES`] entries or 4 GiB of entry bytes.
    #[inline]
    pub(crate) fn intern(&mut self, s: &[u8]) -> Option<u32> {
        let h = hash_bytes(s);
        let tag = h & 0xFFFF_FFFF_0000_0000;
        let mask = self.slots.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                break;
            }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let code = (slot as u32 - 1) as usize;
                let a = self.offsets[code] as usize;
                let b = self.offsets[code + 1] as usize;
                if &self.bytes[a..b] == s {
                    return Some(code as u32);
                }
            }
            i = (i + 1) & mask;
        }
        let code = self.len();
        let end = self.bytes.len() + s.len();
        if code >= MAX_DICT_ENTRIES || u32::try_from(end).is_err() {
            return None;
        }
        self.bytes.extend_from_slice(s);
        self.offsets.push(end as u32);
        self.slots[i] = tag | (code as u64 + 1);
        if 2 * (code + 1) > self.slots.len() {
            self.grow();
        }
        Some(code as u32)
    }

    fn grow(&mut self) {
        let new_len = self.slots.len() * 2;
        let mut slots = vec![0u64; new_len];
        let mask = new_len - 1;
        for code in 0..self.len() {
            let s = &self.bytes[self.offsets[code] as usize..self.offsets[code + 1] as usize];
            let h = hash_bytes(s);
            let mut i = (h as usize) & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (h & 0xFFFF_FFFF_0000_0000) | (code as u64 + 1);
        }
        self.slots = slots;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_a_code_in_first_seen_order() {
        let mut d = Dict::default();
        let words: Vec<String> = (0..5000).map(|i| format!("w{}", i % 1500)).collect();
        let codes: Vec<u32> = words
            .iter()
            .map(|w| d.intern(w.as_bytes()).expect("under the cap"))
            .collect();
        assert_eq!(d.len(), 1500);
        for (w, &c) in words.iter().zip(&codes) {
            let (a, b) = (d.offsets()[c as usize], d.offsets()[c as usize + 1]);
            assert_eq!(&d.bytes()[a as usize..b as usize], w.as_bytes());
        }
        assert_eq!(codes[..3], [0, 1, 2]);
        assert_eq!(d.intern(b""), Some(1500));
        d.clear();
        assert_eq!(d.len(), 0);
        assert_eq!(d.intern(b"w7"), Some(0));
    }

    #[test]
    fn the_cap_refuses_the_next_distinct_value() {
        let mut d = Dict::default();
        for i in 0..MAX_DICT_ENTRIES {
            assert!(d.intern(&(i as u32).to_le_bytes()).is_some());
        }
        assert_eq!(d.intern(b"one more"), None);
        assert_eq!(d.intern(&7u32.to_le_bytes()), Some(7));
    }
}
