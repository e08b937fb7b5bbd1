//! A keyed bijection of `0..n` in O(1) memory: a Feistel network with cycle walking.
//!
//! The network permutes the `2 * half_bits`-bit domain, the smallest even bit width that holds
//! `n` (so the domain is < 4n). A value that lands outside `0..n` is encrypted again ("cycle
//! walking") until it lands inside; since the network is a permutation of the domain, walking
//! from a value in `0..n` always returns to `0..n`, and the result is a permutation of `0..n`.
//! Expected walks per value: below 4.

use super::rng::mix64;

/// Rounds of the Feistel network; four give a well-scrambled order for benchmark data.
const ROUNDS: usize = 4;

/// A pseudo-random permutation of `0..n`.
#[derive(Debug, Clone)]
pub(crate) struct Permutation {
    /// Size of the permuted range.
    n: u64,
    /// Bits in each half of the Feistel domain; `1 <= half_bits <= 32`.
    half_bits: u32,
    /// `(1 << half_bits) - 1`.
    mask: u64,
    /// One round key per round.
    keys: [u64; ROUNDS],
}

impl Permutation {
    /// The permutation of `0..n` selected by `key`.
    pub(crate) fn new(n: u64, key: u64) -> Self {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half_bits = bits.div_ceil(2).max(1);
        let mut keys = [0; ROUNDS];
        for (i, k) in keys.iter_mut().enumerate() {
            *k = mix64(key ^ mix64(i as u64 + 1));
        }
        Self {
            n,
            half_bits,
            mask: (1u64 << half_bits) - 1,
            keys,
        }
    }

    /// The image of `x`, which must be in `0..n`.
    #[inline]
    pub(crate) fn apply(&self, x: u64) -> u64 {
        debug_assert!(x < self.n, "value {x} outside 0..{}", self.n);
        let mut v = x;
        loop {
            v = self.encrypt(v);
            if v < self.n {
                return v;
            }
        }
    }

    /// One pass of the Feistel network over the full `2 * half_bits` domain.
    #[inline]
    fn encrypt(&self, v: u64) -> u64 {
        let mut left = v >> self.half_bits;
        let mut right = v & self.mask;
        for key in self.keys {
            let f = mix64(right ^ key) & self.mask;
            (left, right) = (right, left ^ f);
        }
        (left << self.half_bits) | right
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(n: u64, key: u64) -> Vec<u64> {
        let p = Permutation::new(n, key);
        (0..n).map(|x| p.apply(x)).collect()
    }

    #[test]
    fn is_a_bijection_for_awkward_sizes() {
        for n in [1u64, 2, 3, 5, 16, 17, 1000, 4097] {
            let mut seen = image(n, 99);
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn scrambles_the_order() {
        let img = image(1000, 5);
        let fixed = img
            .iter()
            .enumerate()
            .filter(|&(i, &v)| i as u64 == v)
            .count();
        assert!(fixed < 20, "{fixed} fixed points");
        assert_ne!(img, image(1000, 6), "the key selects the permutation");
    }
}
