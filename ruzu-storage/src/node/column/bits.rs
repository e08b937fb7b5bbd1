//! A growable bit buffer with word-at-a-time range appends, for validity and BOOL values.

/// Bits packed into `u64` words, least significant bit first (Arrow's order).
///
/// Invariant: bits at positions `>= len` in the last word are zero.
#[derive(Debug, Default)]
pub(crate) struct BitBuf {
    words: Vec<u64>,
    len: usize,
}

/// The 64 bits of `words` starting at bit `at` (zero past the end).
#[inline]
fn word_at(words: &[u64], at: usize) -> u64 {
    let w = at / 64;
    let s = at % 64;
    let lo = words.get(w).copied().unwrap_or(0) >> s;
    if s == 0 {
        lo
    } else {
        lo | words.get(w + 1).copied().unwrap_or(0) << (64 - s)
    }
}

impl BitBuf {
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn clear(&mut self) {
        self.words.clear();
        self.len = 0;
    }

    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }

    pub(crate) fn capacity_bytes(&self) -> usize {
        self.words.capacity() * 8
    }

    #[cfg(test)]
    pub(crate) fn get(&self, index: usize) -> bool {
        self.words[index / 64] >> (index % 64) & 1 == 1
    }

    /// Appends `count` copies of `bit`.
    pub(crate) fn push_run(&mut self, bit: bool, count: usize) {
        let mut left = count;
        while left > 0 {
            let off = self.len % 64;
            let take = (64 - off).min(left);
            if off == 0 {
                self.words.push(0);
            }
            if bit {
                let ones = if take == 64 {
                    u64::MAX
                } else {
                    (1u64 << take) - 1
                };
                *self.words.last_mut().expect("invariant: pushed above") |= ones << off;
            }
            self.len += take;
            left -= take;
        }
    }

    /// Appends bits `start..start + count` of the bit sequence `src` (LSB first).
    pub(crate) fn extend_from_words(&mut self, src: &[u64], start: usize, count: usize) {
        let mut done = 0;
        while done < count {
            let off = self.len % 64;
            let take = (64 - off).min(count - done);
            let mut bits = word_at(src, start + done);
            if take < 64 {
                bits &= (1u64 << take) - 1;
            }
            if off == 0 {
                self.words.push(bits);
            } else {
                *self
                    .words
                    .last_mut()
                    .expect("invariant: off > 0 means a word") |= bits << off;
            }
            self.len += take;
            done += take;
        }
    }

    /// Number of set bits.
    pub(crate) fn count_ones(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Appends the bits as `ceil(len / 8)` bytes, LSB first.
    pub(crate) fn write_bytes(&self, out: &mut Vec<u8>) {
        let n = self.len.div_ceil(8);
        out.reserve(n);
        let full = n / 8;
        for w in &self.words[..full] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        if !n.is_multiple_of(8) {
            out.extend_from_slice(&self.words[full].to_le_bytes()[..n % 8]);
        }
    }
}

/// Reads bit `index` of an LSB-first byte bitmap; false past the end.
#[inline]
pub(crate) fn byte_bit(bytes: &[u8], index: usize) -> bool {
    bytes
        .get(index / 8)
        .is_some_and(|b| b >> (index % 8) & 1 == 1)
}

/// Number of set bits among the first `n` bits of an LSB-first byte bitmap.
pub(crate) fn count_ones_bytes(bytes: &[u8], n: usize) -> usize {
    let full = n / 8;
    let mut ones: usize = bytes[..full].iter().map(|b| b.count_ones() as usize).sum();
    if !n.is_multiple_of(8) {
        ones += (bytes[full] & ((1u8 << (n % 8)) - 1)).count_ones() as usize;
    }
    ones
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_appends_match_bit_by_bit() {
        let src: Vec<u64> = (0..5u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let bit = |i: usize| src[i / 64] >> (i % 64) & 1 == 1;
        let mut buf = BitBuf::default();
        let mut expect = Vec::new();
        for (start, count) in [(3, 70), (0, 1), (64, 64), (100, 0), (7, 200), (250, 70)] {
            buf.extend_from_words(&src, start, count);
            expect.extend((start..start + count).map(bit));
            buf.push_run(true, 3);
            buf.push_run(false, 66);
            expect.extend([true; 3]);
            expect.extend([false; 66]);
        }
        assert_eq!(buf.len(), expect.len());
        for (i, &b) in expect.iter().enumerate() {
            assert_eq!(buf.get(i), b, "bit {i}");
        }
        assert_eq!(buf.count_ones(), expect.iter().filter(|b| **b).count());
        let mut bytes = Vec::new();
        buf.write_bytes(&mut bytes);
        assert_eq!(bytes.len(), expect.len().div_ceil(8));
        for (i, &b) in expect.iter().enumerate() {
            assert_eq!(byte_bit(&bytes, i), b);
        }
        assert_eq!(count_ones_bytes(&bytes, expect.len()), buf.count_ones());
    }
}
