//! Dictionary encoding of `STRING`/`BLOB` chunks (encoding 2), for columns with few distinct
//! values (names, genders, browsers): each distinct value is stored once and rows hold a 1-, 2-
//! or 4-byte code. Bytes written are the main cost of an import, so a chunk is dictionary
//! encoded whenever that is smaller than plain.
//!
//! Layout after the chunk head (whose byte 2 holds the code width) and validity bitmap:
//! `u32` entry count *d*, `d + 1` `u32` offsets (from 0), the entry bytes, then `rows` codes
//! of the code width, little-endian, each `< d`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Rows looked at before deciding whether a dictionary can pay off.
const SAMPLE_ROWS: usize = 4096;

/// A fast non-cryptographic hasher for short byte strings (the FxHash mix).
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("invariant: 8-byte chunk"));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A dictionary-encoded chunk body.
#[derive(Debug)]
pub(super) struct Dictionary {
    /// End offset of each entry in `bytes`.
    ends: Vec<u32>,
    bytes: Vec<u8>,
    codes: Vec<u32>,
}

impl Dictionary {
    /// Builds the dictionary of the values `ends`/`bytes` (end offsets, implicit leading 0),
    /// or `None` when it would not be smaller than the plain layout.
    pub(super) fn build(ends: &[u32], bytes: &[u8]) -> Option<Dictionary> {
        let rows = ends.len();
        let max_entries = rows / 4;
        let mut map: HashMap<&[u8], u32, BuildHasherDefault<FxHasher>> = HashMap::default();
        let mut dict = Dictionary {
            ends: Vec::new(),
            bytes: Vec::new(),
            codes: Vec::with_capacity(rows),
        };
        let mut start = 0usize;
        for (row, &end) in ends.iter().enumerate() {
            let value = &bytes[start..end as usize];
            start = end as usize;
            let next = dict.ends.len() as u32;
            let code = *map.entry(value).or_insert_with(|| {
                dict.bytes.extend_from_slice(value);
                dict.ends.push(dict.bytes.len() as u32);
                next
            });
            dict.codes.push(code);
            let sampled = row + 1 == SAMPLE_ROWS.min(rows);
            if dict.ends.len() > max_entries || (sampled && dict.ends.len() > (row + 1) / 4) {
                return None;
            }
        }
        let plain = 4 * (rows + 1) + bytes.len();
        (dict.encoded_len() < plain).then_some(dict)
    }

    /// Bytes of each code.
    pub(super) fn code_width(&self) -> u8 {
        match self.ends.len() {
            0..=0x100 => 1,
            0x101..=0x1_0000 => 2,
            _ => 4,
        }
    }

    fn encoded_len(&self) -> usize {
        4 + 4 * (self.ends.len() + 1)
            + self.bytes.len()
            + self.codes.len() * self.code_width() as usize
    }

    /// Appends the body (entry count, offsets, entry bytes, codes).
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(&(self.ends.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for e in &self.ends {
            out.extend_from_slice(&e.to_le_bytes());
        }
        out.extend_from_slice(&self.bytes);
        match self.code_width() {
            1 => out.extend(self.codes.iter().map(|&c| c as u8)),
            2 => {
                for &c in &self.codes {
                    out.extend_from_slice(&(c as u16).to_le_bytes());
                }
            }
            _ => {
                for &c in &self.codes {
                    out.extend_from_slice(&c.to_le_bytes());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(values: &[&str]) -> (Vec<u32>, Vec<u8>) {
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        for v in values {
            bytes.extend_from_slice(v.as_bytes());
            ends.push(bytes.len() as u32);
        }
        (ends, bytes)
    }

    #[test]
    fn repeated_values_are_stored_once_with_one_byte_codes() {
        let values: Vec<&str> = (0..1000).map(|i| ["male", "female", ""][i % 3]).collect();
        let (ends, bytes) = column(&values);
        let d = Dictionary::build(&ends, &bytes).expect("3 distinct values pay off");
        assert_eq!(d.ends, vec![4, 10, 10]);
        assert_eq!(d.code_width(), 1);
        assert_eq!(&d.codes[..4], &[0, 1, 2, 0]);
        let mut out = Vec::new();
        d.write(&mut out);
        assert_eq!(out.len(), 4 + 16 + 10 + 1000);
    }

    #[test]
    fn distinct_values_stay_plain() {
        let owned: Vec<String> = (0..5000).map(|i| format!("user{i}@example.com")).collect();
        let values: Vec<&str> = owned.iter().map(String::as_str).collect();
        let (ends, bytes) = column(&values);
        assert!(Dictionary::build(&ends, &bytes).is_none());
    }

    #[test]
    fn code_width_grows_with_the_dictionary() {
        let owned: Vec<String> = (0..40_000).map(|i| format!("{}", i % 300)).collect();
        let values: Vec<&str> = owned.iter().map(String::as_str).collect();
        let (ends, bytes) = column(&values);
        let d = Dictionary::build(&ends, &bytes).expect("300 distinct values pay off");
        assert_eq!(d.code_width(), 2);
    }
}
