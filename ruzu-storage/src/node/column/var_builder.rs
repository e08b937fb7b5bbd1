//! String and blob chunks: values accumulated as lengths + bytes, a dictionary built on the
//! side, and the choice between DICT, VARLEN_ZSTD and VARLEN when the chunk is finished.

use super::VAR_BLOCK_ROWS;
use super::bitpack::{bits_needed, pack, packed_len};
use super::dict::Dict;
use super::header::Encoding;
use super::int_keys::bit;

/// String data shorter than this is stored as is: compressing it saves too little.
const ZSTD_MIN_BYTES: usize = 4096;

/// Default zstd level for string data: the fastest regular level (bytes written cost more
/// than bytes computed, but the encoder must keep up with the import).
pub(crate) const DEFAULT_ZSTD_LEVEL: i32 = 1;

/// Rows after which a dictionary that does not pay off is dropped.
pub(crate) const DICT_PROBE_ROWS: usize = 16 * 1024;

#[derive(Debug, Default)]
pub(crate) struct VarStore {
    pub(crate) lengths: Vec<u32>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) max_len: u32,
    pub(crate) dict: Dict,
    /// One code per row while `dict_active` (0 for NULL rows).
    pub(crate) codes: Vec<u32>,
    pub(crate) dict_active: bool,
    /// zstd level for the data; `None` never compresses.
    pub(crate) zstd_level: Option<i32>,
    /// Made on the first chunk whose data is worth compressing, then reused.
    pub(crate) zstd: Option<Zstd>,
    /// The compressed data of the chunk being finished.
    pub(crate) zbuf: Vec<u8>,
}

/// A reusable zstd compression context.
pub(crate) struct Zstd(zstd::bulk::Compressor<'static>);

impl std::fmt::Debug for Zstd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Zstd")
    }
}

impl VarStore {
    /// Adds the values of one appended range to the dictionary; gives the dictionary up when
    /// it overflows or stops paying off. `rows_after` is the chunk's row count after the range.
    pub(crate) fn intern_range(
        &mut self,
        offsets: &[u32],
        data: &[u8],
        valid: Option<&[u64]>,
        first_row: usize,
        rows_after: usize,
    ) {
        let base = offsets[0];
        for (i, w) in offsets.windows(2).enumerate() {
            let code = if valid.is_some_and(|v| !bit(v, first_row + i)) {
                Some(0)
            } else {
                self.dict
                    .intern(&data[(w[0] - base) as usize..(w[1] - base) as usize])
            };
            match code {
                Some(c) => self.codes.push(c),
                None => {
                    self.drop_dict();
                    return;
                }
            }
        }
        if rows_after >= DICT_PROBE_ROWS
            && self.dict_bytes(rows_after) > self.plain_bytes(rows_after)
        {
            self.drop_dict();
        }
    }

    pub(crate) fn drop_dict(&mut self) {
        self.dict_active = false;
        self.dict.clear();
        self.codes.clear();
    }

    pub(crate) fn plain_bytes(&self, rows: usize) -> usize {
        5 + 4 * rows.div_ceil(VAR_BLOCK_ROWS)
            + packed_len(rows, bits_needed(u64::from(self.max_len)))
            + self.bytes.len()
    }

    pub(crate) fn dict_bytes(&self, rows: usize) -> usize {
        let entries = self.dict.len();
        10 + packed_len(entries + 1, bits_needed(self.dict.bytes().len() as u64))
            + self.dict.bytes().len()
            + packed_len(rows, bits_needed(entries.saturating_sub(1) as u64))
    }

    pub(crate) fn write(&mut self, rows: usize, out: &mut Vec<u8>) -> Encoding {
        if self.dict_active && self.dict.len() > 0 && self.dict_bytes(rows) < self.plain_bytes(rows)
        {
            let entries = self.dict.len();
            let data = self.dict.bytes();
            out.extend_from_slice(&(entries as u32).to_le_bytes());
            let off_width = bits_needed(data.len() as u64);
            out.push(off_width);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            pack_u32(self.dict.offsets(), off_width, out);
            out.extend_from_slice(data);
            let code_width = bits_needed((entries - 1) as u64);
            out.push(code_width);
            pack_u32(&self.codes, code_width, out);
            return Encoding::Dictionary;
        }
        let width = bits_needed(u64::from(self.max_len));
        let compressed = self.compress();
        out.push(width);
        out.extend_from_slice(&(self.bytes.len() as u32).to_le_bytes());
        if compressed {
            out.extend_from_slice(&(self.zbuf.len() as u32).to_le_bytes());
        }
        let mut offset = 0u32;
        for (i, &len) in self.lengths.iter().enumerate() {
            if i.is_multiple_of(VAR_BLOCK_ROWS) {
                out.extend_from_slice(&offset.to_le_bytes());
            }
            offset += len;
        }
        pack_u32(&self.lengths, width, out);
        if compressed {
            out.extend_from_slice(&self.zbuf);
            Encoding::VarLenZstd
        } else {
            out.extend_from_slice(&self.bytes);
            Encoding::VarLen
        }
    }

    /// Compresses the data into `zbuf`; whether that saved enough to be worth decompressing.
    pub(crate) fn compress(&mut self) -> bool {
        let Some(level) = self.zstd_level else {
            return false;
        };
        if self.bytes.len() < ZSTD_MIN_BYTES {
            return false;
        }
        if self.zstd.is_none() {
            match zstd::bulk::Compressor::new(level) {
                Ok(c) => self.zstd = Some(Zstd(c)),
                Err(_) => return false,
            }
        }
        let Some(Zstd(compressor)) = self.zstd.as_mut() else {
            return false;
        };
        self.zbuf.clear();
        self.zbuf
            .reserve(zstd::zstd_safe::compress_bound(self.bytes.len()));
        match compressor.compress_to_buffer(&self.bytes, &mut self.zbuf) {
            Ok(n) => n * 8 <= self.bytes.len() * 7,
            Err(_) => false,
        }
    }
}

/// Packs `u32` values (reference 0) through a small stack buffer of `u64` keys.
pub(crate) fn pack_u32(values: &[u32], width: u8, out: &mut Vec<u8>) {
    // Groups of 64 keep the packed stream contiguous: 64 * width bits is a whole number of
    // bytes, so each group's stream starts on a byte boundary of the whole.
    let mut buf = [0u64; 64];
    for group in values.chunks(64) {
        for (b, &v) in buf.iter_mut().zip(group) {
            *b = u64::from(v);
        }
        pack(&buf[..group.len()], 0, width, out);
    }
}
