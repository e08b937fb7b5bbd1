//! A growable bitmap, used for validity and for BOOL values.

/// A sequence of bits packed into `u64` words, least significant bit first (Arrow's order).
///
/// Invariant: bits at positions `>= len` in the last word are zero.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bitmap {
    words: Vec<u64>,
    len: usize,
}

impl Bitmap {
    /// An empty bitmap with room for `capacity_bits` bits.
    pub fn with_capacity(capacity_bits: usize) -> Self {
        Bitmap {
            words: Vec::with_capacity(capacity_bits.div_ceil(64)),
            len: 0,
        }
    }

    /// Number of bits.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no bit.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bit at `index`.
    ///
    /// # Panics
    ///
    /// If `index >= len`.
    #[inline]
    pub fn get(&self, index: usize) -> bool {
        assert!(index < self.len, "bit {index} out of {} bits", self.len);
        self.words[index / 64] >> (index % 64) & 1 == 1
    }

    /// Appends one bit.
    #[inline]
    pub fn push(&mut self, bit: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        if bit {
            self.words[self.len / 64] |= 1 << (self.len % 64);
        }
        self.len += 1;
    }

    /// Sets the bit at `index`.
    ///
    /// # Panics
    ///
    /// If `index >= len`.
    #[inline]
    pub fn set(&mut self, index: usize, bit: bool) {
        assert!(index < self.len, "bit {index} out of {} bits", self.len);
        let mask = 1 << (index % 64);
        if bit {
            self.words[index / 64] |= mask;
        } else {
            self.words[index / 64] &= !mask;
        }
    }

    /// Grows or shrinks to `len` bits; new bits are `bit`.
    pub fn resize(&mut self, len: usize, bit: bool) {
        if len <= self.len {
            self.truncate(len);
            return;
        }
        let old = self.len;
        self.words
            .resize(len.div_ceil(64), if bit { u64::MAX } else { 0 });
        self.len = len;
        if bit {
            // Words that already existed have zeros above `old`: fill them.
            for i in old..(old.div_ceil(64) * 64).min(len) {
                self.set(i, true);
            }
        }
        self.clear_tail();
    }

    /// Keeps the first `len` bits.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        self.words.truncate(len.div_ceil(64));
        self.len = len;
        self.clear_tail();
    }

    /// Removes every bit, keeping the allocation.
    pub fn clear(&mut self) {
        self.words.clear();
        self.len = 0;
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Number of clear bits.
    pub fn count_zeros(&self) -> usize {
        self.len - self.count_ones()
    }

    /// The packed words; bits past `len` are zero.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// Bytes of heap memory held.
    pub fn capacity_bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    /// Shrinks the allocation to hold at most `capacity_bits` bits, if it is larger.
    pub fn shrink_to(&mut self, capacity_bits: usize) {
        self.words.shrink_to(capacity_bits.div_ceil(64));
    }

    fn clear_tail(&mut self) {
        if !self.len.is_multiple_of(64) {
            let last = self.len / 64;
            self.words[last] &= (1u64 << (self.len % 64)) - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_and_count() {
        let mut b = Bitmap::default();
        for i in 0..200 {
            b.push(i % 3 == 0);
        }
        assert_eq!(b.len(), 200);
        assert_eq!(b.count_ones(), 67);
        assert!(b.get(0) && !b.get(1) && b.get(198));
        b.set(1, true);
        assert!(b.get(1));
    }

    #[test]
    fn resize_fills_and_truncate_clears_tail() {
        let mut b = Bitmap::default();
        b.push(false);
        b.resize(130, true);
        assert_eq!(b.count_ones(), 129);
        b.truncate(65);
        assert_eq!(b.count_ones(), 64);
        assert_eq!(b.words()[1], 1);
    }
}
