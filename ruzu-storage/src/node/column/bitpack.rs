//! Frame-of-reference bit packing of `u64` keys.
//!
//! Layout: value `i` occupies bits `[i * width, (i + 1) * width)` of a little-endian bit stream
//! (bit `k` is bit `k % 8` of byte `k / 8`), holding `key - reference`. The stream is exactly
//! `ceil(n * width / 8)` bytes; unused high bits of the last byte are zero. Width 0 stores no
//! byte: every value equals the reference.

/// Bits needed to store `v` (0 for 0).
#[inline]
pub(crate) fn bits_needed(v: u64) -> u8 {
    (64 - v.leading_zeros()) as u8
}

/// Bytes of a packed stream of `n` values of `width` bits.
#[inline]
pub(crate) fn packed_len(n: usize, width: u8) -> usize {
    (n as u128 * u128::from(width)).div_ceil(8) as usize
}

#[inline]
fn mask(width: u8) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    }
}

/// Appends `keys[i] - reference` packed in `width` bits each to `out`.
///
/// Every key must lie in `reference ..= reference + 2^width - 1` (higher bits are cut).
pub(crate) fn pack(keys: &[u64], reference: u64, width: u8, out: &mut Vec<u8>) {
    debug_assert!(width <= 64);
    let len = packed_len(keys.len(), width);
    if width == 0 {
        return;
    }
    let start = out.len();
    // 8 bytes of slack so every full word can be stored without a length check.
    out.resize(start + len + 8, 0);
    let buf = &mut out[start..];
    // Groups of 64 values fill exactly `width` words; with the width a constant the compiler
    // unrolls the group and drops the word-boundary branches.
    let groups = keys.len() / 64;
    macro_rules! by_width {
        ($($w:literal)*) => {
            match width {
                $($w => pack_groups::<$w>(&keys[..groups * 64], reference, buf),)*
                _ => unreachable!("invariant: width checked to be 1..=64"),
            }
        };
    }
    by_width!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30
        31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59
        60 61 62 63 64);
    pack_tail(
        &keys[groups * 64..],
        reference,
        width,
        &mut buf[groups * usize::from(width) * 8..],
    );
    out.truncate(start + len);
}

/// Packs whole groups of 64 values of `W` bits.
#[inline]
fn pack_groups<const W: u32>(keys: &[u64], reference: u64, buf: &mut [u8]) {
    let m = mask(W as u8);
    for (group, words) in keys
        .chunks_exact(64)
        .zip(buf.chunks_exact_mut(W as usize * 8))
    {
        let mut acc: u64 = 0;
        let mut filled: u32 = 0;
        let mut word = 0usize;
        for &k in group {
            let d = k.wrapping_sub(reference) & m;
            acc |= d << filled;
            filled += W;
            if filled >= 64 {
                words[word * 8..word * 8 + 8].copy_from_slice(&acc.to_le_bytes());
                word += 1;
                filled -= 64;
                acc = if filled == 0 { 0 } else { d >> (W - filled) };
            }
        }
    }
}

/// Packs the last values (fewer than 64) from the start of `buf` (8 bytes of slack).
fn pack_tail(keys: &[u64], reference: u64, width: u8, buf: &mut [u8]) {
    let m = mask(width);
    let w = u32::from(width);
    let mut acc: u64 = 0;
    let mut filled: u32 = 0;
    let mut pos = 0usize;
    for &k in keys {
        let d = k.wrapping_sub(reference) & m;
        acc |= d << filled;
        filled += w;
        if filled >= 64 {
            buf[pos..pos + 8].copy_from_slice(&acc.to_le_bytes());
            pos += 8;
            filled -= 64;
            // The bits of `d` that did not fit in the stored word.
            acc = if filled == 0 { 0 } else { d >> (w - filled) };
        }
    }
    if filled > 0 {
        buf[pos..pos + 8].copy_from_slice(&acc.to_le_bytes());
    }
}

/// Reads 8 bytes at `at`, zero-filled past the end of `bytes`.
#[inline]
fn read_u64_padded(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(b) => u64::from_le_bytes(b.try_into().expect("invariant: 8-byte slice")),
        None => {
            let mut b = [0u8; 8];
            let tail = bytes.get(at..).unwrap_or(&[]);
            b[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(b)
        }
    }
}

/// Value `index` of a stream packed with `width` (the delta, without the reference).
///
/// Bits past the end of `bytes` read as zero, so a short stream never panics.
#[inline(always)]
pub(crate) fn get(bytes: &[u8], width: u8, index: usize) -> u64 {
    if width == 0 {
        return 0;
    }
    let bit = index as u128 * u128::from(width);
    let byte = (bit / 8) as usize;
    let shift = (bit % 8) as u32;
    let lo = read_u64_padded(bytes, byte) >> shift;
    if u32::from(width) + shift <= 64 {
        lo & mask(width)
    } else {
        let hi = read_u64_padded(bytes, byte + 8) << (64 - shift);
        (lo | hi) & mask(width)
    }
}

/// Calls `sink(i, reference + delta_i)` for the first `n` values of a packed stream.
#[inline]
pub(crate) fn unpack(bytes: &[u8], reference: u64, width: u8, n: usize, mut sink: impl FnMut(u64)) {
    if width == 0 {
        for _ in 0..n {
            sink(reference);
        }
        return;
    }
    if width <= 56 {
        // Fast path: one unaligned 8-byte read per value while 8 bytes are available.
        let m = mask(width);
        let w = usize::from(width);
        let fast = if bytes.len() >= 8 {
            // Values whose 8-byte read starts at or before len - 8.
            (((bytes.len() - 8) * 8) / w + 1).min(n)
        } else {
            0
        };
        for i in 0..fast {
            let bit = i * w;
            let word = u64::from_le_bytes(
                bytes[bit / 8..bit / 8 + 8]
                    .try_into()
                    .expect("invariant: 8-byte slice"),
            );
            sink(reference.wrapping_add((word >> (bit % 8)) & m));
        }
        for i in fast..n {
            sink(reference.wrapping_add(get(bytes, width, i)));
        }
        return;
    }
    for i in 0..n {
        sink(reference.wrapping_add(get(bytes, width, i)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_width_round_trips() {
        for width in 0..=64u8 {
            let m = mask(width);
            let keys: Vec<u64> = (0..333u64)
                .map(|i| 1000u64.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) & m))
                .collect();
            let mut out = vec![0xAA];
            pack(&keys, 1000, width, &mut out);
            assert_eq!(out.len(), 1 + packed_len(keys.len(), width));
            let stream = &out[1..];
            let mut back = Vec::new();
            unpack(stream, 1000, width, keys.len(), |v| back.push(v));
            assert_eq!(back, keys, "width {width}");
            for (i, &k) in keys.iter().enumerate() {
                assert_eq!(1000u64.wrapping_add(get(stream, width, i)), k);
            }
        }
    }

    #[test]
    fn bits_needed_counts_significant_bits() {
        assert_eq!(bits_needed(0), 0);
        assert_eq!(bits_needed(1), 1);
        assert_eq!(bits_needed(255), 8);
        assert_eq!(bits_needed(256), 9);
        assert_eq!(bits_needed(u64::MAX), 64);
    }

    #[test]
    fn reads_past_the_end_are_zero_not_panics() {
        assert_eq!(get(&[0xFF], 7, 5), 0);
        let mut n = 0;
        unpack(&[], 3, 13, 4, |v| {
            assert_eq!(v, 3);
            n += 1;
        });
        assert_eq!(n, 4);
    }
}
