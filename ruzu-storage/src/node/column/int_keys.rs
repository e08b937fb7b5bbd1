//! Integer keys: the order-preserving `u64` form of integer-like values, their min/max, the
//! common factor and decimal-scale searches, and the FOR section writer.

use super::MAX_DECIMAL_SCALE;
use super::bitpack::{bits_needed, pack};

/// Sign bit flip that maps `i64` order onto `u64` order.
pub(crate) const SIGN: u64 = 1 << 63;

/// Powers of ten for the DECIMAL encoding's scales.
pub(crate) const POW10: [f64; MAX_DECIMAL_SCALE as usize + 1] =
    [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// The FOR section: reference, width, packed deltas.
pub(crate) fn write_for(keys: &[u64], reference: u64, width: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&reference.to_le_bytes());
    out.push(width);
    pack(keys, reference, width, out);
}

#[inline]
pub(crate) fn signed_key<T: Into<i64>>(v: T) -> u64 {
    (v.into() as u64) ^ SIGN
}

#[inline]
pub(crate) fn bit(words: &[u64], i: usize) -> bool {
    words[i / 64] >> (i % 64) & 1 == 1
}

/// Set bits among `count` bits of `words` from bit `start`.
pub(crate) fn count_ones_range(words: &[u64], start: usize, count: usize) -> usize {
    let mut ones = 0;
    let mut i = start;
    let end = start + count;
    while i < end {
        let off = i % 64;
        let take = (64 - off).min(end - i);
        let mut w = words[i / 64] >> off;
        if take < 64 {
            w &= (1u64 << take) - 1;
        }
        ones += w.count_ones() as usize;
        i += take;
    }
    ones
}

/// Appends the keys of `src` and returns their (min, max), over non-NULL rows when `valid`
/// is given (bit `first_row + i` of `valid` for `src[i]`); `(u64::MAX, 0)` when none.
#[inline]
pub(crate) fn append_keys<T: Copy>(
    keys: &mut Vec<u64>,
    src: &[T],
    valid: Option<&[u64]>,
    first_row: usize,
    to_key: impl Fn(T) -> u64,
) -> (u64, u64) {
    let base = keys.len();
    keys.extend(src.iter().map(|&v| to_key(v)));
    let new = &keys[base..];
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    match valid {
        None => {
            for &k in new {
                lo = lo.min(k);
                hi = hi.max(k);
            }
        }
        Some(words) => {
            for (i, &k) in new.iter().enumerate() {
                if bit(words, first_row + i) {
                    lo = lo.min(k);
                    hi = hi.max(k);
                }
            }
        }
    }
    (lo, hi)
}

/// Factors tried by the scaled frame of reference, largest first: a day, a second and a
/// millisecond in microseconds (TIMESTAMP columns of dates or whole seconds), then powers of
/// ten (amounts in cents, ids with trailing zeros).
pub(crate) const FACTORS: [u64; 5] = [86_400_000_000, 1_000_000, 1000, 100, 10];

/// The largest of [`FACTORS`] dividing every `key - reference`, if any. Stops at the first
/// key that is not a multiple, so data without a factor costs about one look per factor.
pub(crate) fn common_factor(keys: &[u64], reference: u64) -> Option<u64> {
    fn all_multiples<const F: u64>(keys: &[u64], reference: u64) -> bool {
        keys.iter()
            .all(|&k| k.wrapping_sub(reference).is_multiple_of(F))
    }
    // Constant factors let the compiler turn the remainders into multiplications.
    [
        all_multiples::<86_400_000_000> as fn(&[u64], u64) -> bool,
        all_multiples::<1_000_000>,
        all_multiples::<1000>,
        all_multiples::<100>,
        all_multiples::<10>,
    ]
    .iter()
    .zip(FACTORS)
    .find(|(f, _)| f(keys, reference))
    .map(|(_, factor)| factor)
}

/// Replaces every key by `(key - reference) / factor`, `factor` one of [`FACTORS`].
pub(crate) fn divide_deltas(keys: &mut [u64], reference: u64, factor: u64) {
    fn divide<const F: u64>(keys: &mut [u64], reference: u64) {
        for k in keys {
            *k = k.wrapping_sub(reference) / F;
        }
    }
    match factor {
        86_400_000_000 => divide::<86_400_000_000>(keys, reference),
        1_000_000 => divide::<1_000_000>(keys, reference),
        1000 => divide::<1000>(keys, reference),
        100 => divide::<100>(keys, reference),
        _ => divide::<10>(keys, reference),
    }
}

/// Sets the key of every NULL row (clear bit in `validity`) to `value`.
pub(crate) fn fill_nulls(keys: &mut [u64], validity: &[u64], value: u64) {
    for (w, &word) in validity.iter().enumerate() {
        let mut nulls = !word;
        while nulls != 0 {
            let i = w * 64 + nulls.trailing_zeros() as usize;
            if i >= keys.len() {
                break;
            }
            keys[i] = value;
            nulls &= nulls - 1;
        }
    }
}

/// The value every non-NULL row holds, if they all hold the same.
pub(crate) fn constant<T: Copy + PartialEq>(values: &[T], validity: Option<&[u64]>) -> Option<T> {
    match validity {
        None => {
            let first = *values.first()?;
            values.iter().all(|&v| v == first).then_some(first)
        }
        Some(words) => {
            let mut it = values
                .iter()
                .enumerate()
                .filter(|(i, _)| bit(words, *i))
                .map(|(_, v)| *v);
            let first = it.next()?;
            it.all(|v| v == first).then_some(first)
        }
    }
}

/// Whether `s / 10^scale` gives back exactly the double with bits `v`.
#[inline]
pub(crate) fn scaled(v: f64, scale: u8) -> Option<i64> {
    let s = (v * POW10[usize::from(scale)]).round();
    // Rebuild from the integer, as the decoder will: `-0.0` rounds to `-0.0` but is stored as
    // the integer 0, which reads back as `+0.0`, so it must fail this check.
    (s.abs() < 9.0e15 && ((s as i64) as f64 / POW10[usize::from(scale)]).to_bits() == v.to_bits())
        .then_some(s as i64)
}

/// Tries the DECIMAL encoding: finds the smallest scale at which every non-NULL value is an
/// exact scaled integer, writes the keys of those integers to `keys` (NULL rows get the
/// minimum) and returns (scale, minimum key, width). `None` when some value is not a short
/// decimal (more digits, NaN, infinity, -0.0, too large).
pub(crate) fn decimal_keys(
    bits: &[u64],
    validity: Option<&[u64]>,
    keys: &mut Vec<u64>,
) -> Option<(u8, u64, u8)> {
    let is_valid = |i: usize| validity.is_none_or(|w| bit(w, i));
    let mut scale = 0u8;
    for (i, &b) in bits.iter().enumerate() {
        let v = f64::from_bits(b);
        while is_valid(i) && scaled(v, scale).is_none() {
            if scale == MAX_DECIMAL_SCALE {
                return None;
            }
            scale += 1;
        }
    }
    keys.clear();
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for (i, &b) in bits.iter().enumerate() {
        if !is_valid(i) {
            keys.push(0);
            continue;
        }
        let k = (scaled(f64::from_bits(b), scale)? as u64) ^ SIGN;
        lo = lo.min(k);
        hi = hi.max(k);
        keys.push(k);
    }
    if let Some(words) = validity {
        fill_nulls(keys, words, lo);
    }
    Some((scale, lo, bits_needed(hi - lo)))
}
