//! The generator's pseudo-random numbers: wyrand, seeded per row.
//!
//! Every row draws from its own generator, seeded from `(seed, stream, row)`. A row's bytes
//! therefore depend only on the seed and its index, never on how the output is cut into
//! buffers, which keeps files and streaming readers byte-identical.

/// Weyl increment of wyrand.
const WY_INCREMENT: u64 = 0xa076_1d64_78bd_642f;
/// Multiplier mixed into wyrand's output.
const WY_MIX: u64 = 0xe703_7ed1_a0b4_28db;

/// The splitmix64 finalizer: a bijective 64-bit mix with full avalanche.
#[inline]
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A small, fast, non-cryptographic generator (wyrand).
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from a raw seed.
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: mix64(seed) }
    }

    /// The generator of one row of one stream (a table or a purpose inside it).
    #[inline]
    pub(crate) fn for_row(stream_key: u64, row: u64) -> Self {
        Self {
            state: mix64(stream_key ^ mix64(row.wrapping_add(WY_INCREMENT))),
        }
    }

    /// The next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(WY_INCREMENT);
        let t = u128::from(self.state) * u128::from(self.state ^ WY_MIX);
        // Folding both halves of the 128-bit product is what makes wyrand's output good.
        (t >> 64) as u64 ^ t as u64
    }

    /// A uniform number in `0..n` (Lemire's multiply-shift; `n` must be > 0).
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "range must not be empty");
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform number in `lo..=hi`.
    #[inline]
    pub(crate) fn between(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi, "range must not be empty");
        lo + self.below(hi - lo + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_row_same_numbers_other_row_other_numbers() {
        let mut a = Rng::for_row(7, 41);
        let mut b = Rng::for_row(7, 41);
        let mut c = Rng::for_row(7, 42);
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn below_covers_the_whole_range_and_nothing_else() {
        let mut rng = Rng::new(1);
        let mut seen = [0u32; 7];
        for _ in 0..7_000 {
            let v = rng.below(7);
            seen[usize::try_from(v).expect("invariant: below(7) < 7")] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800), "roughly uniform: {seen:?}");
    }

    #[test]
    fn between_is_inclusive() {
        let mut rng = Rng::new(2);
        let vs: Vec<u64> = (0..1000).map(|_| rng.between(3, 5)).collect();
        assert!(vs.iter().all(|v| (3..=5).contains(v)));
        assert!(vs.contains(&3) && vs.contains(&5));
    }
}
